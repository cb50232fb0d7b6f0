/**
 * Turn tests of what the composition root wires into the bot, over the lab through the real
 * SDK clients (botEstatesOf, captureEstatesOf of src/main.ts): the scenario picker
 * ("scenarios", "use <name>", the question's own estate by default), flow-log coverage as a
 * card, packet captures from chat (proposed from a verdict and in words, refused for a
 * stranger, confirmed by an approver, stopped on request, the result posted once into the
 * thread with a verdict whose proof can be paged), the access scope, and an LLM-backed turn
 * through the real `openai` client against the scripted server.
 */
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessPolicy, GRANT_REFUSAL, parseAccessFile } from '../../src/bot/access.js';
import { NetproofBot, captureMessageMark, type BotEstates, type BotServices, type BotSettings } from '../../src/bot/bot.js';
import { BotCaptureNotifier } from '../../src/bot/capture-notifier.js';
import { ConversationStore } from '../../src/bot/state.js';
import type { CaptureJobs, OutboxMessage } from '../../src/capture-jobs/index.js';
import { parseConfig } from '../../src/config.js';
import type { ManualClock } from '../../src/lab/index.js';
import { DEGRADED_LINES } from '../../src/llm/index.js';
import { botEstatesOf, createRuntime, type Runtime } from '../../src/main.js';
import { APPROVER, LabScheduler, STRANGER, engine, runUntil } from '../capture-jobs/helpers.js';
import { loadScript, startScriptedServer, type ScriptedServer } from '../llm/scripted-server.js';
import { ProactiveTestAdapter, SCENARIOS, TENANT, cardsOf, expectValidCard, teams, testServices, testSettings, textOf } from './helpers.js';

const SQL_QUESTION = "why can't vm-app02 connect to SQL on vm-sql01 (10.62.1.4:1433) since 08:45 UTC?";
const RDP_QUESTION = "why can't 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?";

let runtime: Runtime;
let estates: BotEstates;
let scheduler: LabScheduler;

beforeAll(async () => {
  runtime = await createRuntime(parseConfig({}), {
    scenarioDirectories: ['rdp-remote-site', 'nothing-listening', 'coverage-mixed-estate'].map((name) => join(SCENARIOS, name)), frozenClock: true,
  });
  estates = botEstatesOf(runtime);
  const estate = runtime.estates.find((candidate) => candidate.name === 'nothing-listening');
  if (!estate || !runtime.lab) throw new Error('no lab');
  scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => estate.now());
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

interface Harness {
  adapter: ProactiveTestAdapter;
  bot: NetproofBot;
  services: BotServices & { lines: string[] };
  /** Sends, then waits for the work outside the turn. */
  ask(activity: Partial<Activity>): Promise<void>;
}

function harness(options: { settings?: Partial<BotSettings>; services?: Partial<BotServices>; estates?: BotEstates } = {}): Harness {
  const adapter = new ProactiveTestAdapter();
  const chosen = options.estates ?? estates;
  const services = testServices(async (request) => (await chosen.select(request.text)).diagnose(request), () => scheduler.now(), { estates: chosen, ...options.services });
  const bot = new NetproofBot(services, testSettings(options.settings), adapter);
  return {
    adapter, bot, services,
    ask: async (activity) => {
      await adapter.processActivity(structuredClone(activity), (context) => bot.run(context));
      await bot.idle();
    },
  };
}

const messages = (adapter: ProactiveTestAdapter) => adapter.activeQueue.filter((activity) => activity.type === 'message');
const texts = (adapter: ProactiveTestAdapter) => messages(adapter).map((activity) => activity.text ?? '');
const lastCard = (adapter: ProactiveTestAdapter) => messages(adapter).flatMap((activity) => cardsOf(activity)).at(-1);

/** The data of a card's Action.Submit by title. */
function submitData(card: unknown, title: string): Record<string, unknown> {
  const actions = (card as { actions?: { title: string; data?: Record<string, unknown> }[] }).actions ?? [];
  const action = actions.find((candidate) => candidate.title === title);
  if (!action?.data) throw new Error(`no "${title}" on the card: ${actions.map((candidate) => candidate.title).join(', ')}`);
  return action.data;
}

/** A card submit in a channel thread, by someone (no mention: Teams sends none with a submit). */
function press(value: Record<string, unknown>, who: { aadObjectId: string; name: string }, threadId: string): Partial<Activity> {
  return teams.channel('', { mention: false, threadId }, { text: undefined, value, from: { id: `29:${who.name}`, name: who.name, aadObjectId: who.aadObjectId } });
}

describe('the scenario picker', () => {
  it('lists the scenarios one line each, switches with "use <name>", and otherwise picks the estate the question names', async () => {
    const { adapter, ask, services } = harness();
    await ask(teams.personal('scenarios'));
    const list = texts(adapter).at(-1) ?? '';
    expect(list).toMatch(/^3 lab scenarios\. Say "use <name>"/);
    const lines = list.split('\n').filter((line) => line.startsWith('- '));
    expect(lines).toEqual([
      '- **rdp-remote-site**: "why can\'t 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?"',
      expect.stringMatching(/^- \*\*nothing-listening\*\*: "why can't vm-app02 connect to SQL on vm-sql01/),
      expect.stringMatching(/^- \*\*coverage-mixed-estate\*\*: "/),
    ]);

    await ask(teams.personal('use rdp-remote-site'));
    expect(texts(adapter).at(-1)).toMatch(/^Now investigating \*\*example-rdp-remote-site\*\* in this conversation\. Try: "why can't 192\.168\.10\.5 RDP/);
    await ask(teams.personal('scenarios'));
    expect(texts(adapter).at(-1)).toContain('- **rdp-remote-site** (in use)');
    const record = await new ConversationStore(services.storage).get(ConversationStore.keyOf('msteams', 'a:personal-chat-1'));
    expect(record.estate).toBe('example-rdp-remote-site');

    await ask(teams.personal(RDP_QUESTION));
    const verdict = lastCard(adapter);
    expectValidCard(verdict);
    expect(textOf(verdict)).toMatch(/192\.168\.10\.5/);

    await ask(teams.personal('use no-such-scenario'));
    expect(texts(adapter).at(-1)).toMatch(/^I know no scenario called "no-such-scenario"\. Say "scenarios" for the list\.$/);

    // "use auto": the question's own names pick the estate again (vm-sql01 is in nothing-listening only).
    await ask(teams.personal('use auto'));
    await ask(teams.personal(SQL_QUESTION));
    expect(texts(adapter).at(-2)).toMatch(/^\*\*FAILING\*\*/);
    expect(textOf(lastCard(adapter))).toContain('vm-sql01');
  });

  it('documents the picker, coverage and captures in the help card', async () => {
    const { adapter, ask } = harness({ services: { captureJobs: engine(runtime, scheduler).jobs } });
    await ask(teams.personal('help'));
    const card = lastCard(adapter);
    expectValidCard(card);
    const text = textOf(card);
    expect(text).toContain('This is the demo lab: 3 built-in scenarios. "scenarios" lists them; "use <name>" picks one for this conversation');
    expect(text).toContain('"flow log coverage"');
    expect(text).toContain('"stop the capture"');
  });
});

describe('flow-log coverage', () => {
  it('answers "flow log coverage" with the coverage card of the conversation\'s estate', async () => {
    const { adapter, ask } = harness();
    await ask(teams.personal('use coverage-mixed-estate'));
    await ask(teams.personal('flow log coverage'));
    expect(texts(adapter).at(-2)).toBe('Flow-log coverage of coverage-mixed-estate: 9 VNet(s), 5 without VNet flow logs; 1 policy assignment(s) would close the gaps.');
    const card = lastCard(adapter);
    expectValidCard(card);
    expect(textOf(card)).toContain('Flow log coverage: coverage-mixed-estate');
    expect(textOf(card)).toContain('fab-sandbox-weu-vnet');
  });

  it('answers "which VNets have no flow logs?" the same way, and only within the asker\'s grant', async () => {
    const { adapter, ask } = harness();
    await ask(teams.personal('use coverage-mixed-estate'));
    await ask(teams.personal('which VNets have no flow logs?'));
    expectValidCard(lastCard(adapter));

    const elsewhere = parseAccessFile(JSON.stringify({ version: 1, default: ['00000000-0000-0000-0000-0000000000ff'] }));
    const outside = harness({ settings: { access: new AccessPolicy([TENANT], elsewhere) } });
    await outside.ask(teams.personal('use coverage-mixed-estate'));
    expect(texts(outside.adapter).at(-1)).toBe(GRANT_REFUSAL);
    await outside.ask(teams.personal('flow log coverage'));
    expect(texts(outside.adapter).at(-1)).toBe(GRANT_REFUSAL);
    expect(messages(outside.adapter).flatMap((activity) => cardsOf(activity))).toEqual([]);
  });
});

describe('access scope', () => {
  it('refuses a user whose grant misses the estate without running the pipeline, and scopes one whose grant covers it', async () => {
    const estate = estates.list.find((candidate) => candidate.name === 'nothing-listening');
    if (!estate) throw new Error('no estate');
    let runs = 0;
    const counted: BotEstates = {
      ...estates,
      list: estates.list.map((candidate) => ({ ...candidate, diagnose: async (request) => { runs += 1; return candidate.diagnose(request); } })),
      select: async (text) => {
        const chosen = await estates.select(text);
        return counted.list.find((candidate) => candidate.name === chosen.name) ?? chosen;
      },
    };
    const elsewhere = parseAccessFile(JSON.stringify({ version: 1, default: ['00000000-0000-0000-0000-0000000000ff'] }));
    const outside = harness({ estates: counted, settings: { access: new AccessPolicy([TENANT], elsewhere) } });
    await outside.ask(teams.personal('use nothing-listening'));
    await outside.ask(teams.personal(SQL_QUESTION));
    expect(texts(outside.adapter)).toEqual([GRANT_REFUSAL, GRANT_REFUSAL]);
    expect(runs).toBe(0);

    const granted = parseAccessFile(JSON.stringify({ version: 1, default: [...estate.subscriptionIds] }));
    const inside = harness({ estates: counted, settings: { access: new AccessPolicy([TENANT], granted) } });
    await inside.ask(teams.personal(SQL_QUESTION));
    expect(runs).toBe(1);
    expect(textOf(lastCard(inside.adapter))).toContain('vm-sql01');
  });
});

describe('packet captures from chat', () => {
  const thread = '1700000999001';

  function withJobs(): Harness & { jobs: CaptureJobs } {
    const notifier = new BotCaptureNotifier();
    const { jobs } = engine(runtime, scheduler, { notifier });
    const built = harness({ services: { captureJobs: jobs } });
    notifier.bind(built.bot);
    return { ...built, jobs };
  }

  it('proposes one from a verdict, refuses a stranger\'s confirm, runs on the approver\'s, and posts the result once with its proof', async () => {
    const { adapter, ask, bot, jobs } = withJobs();
    await ask(teams.channel('use nothing-listening', { threadId: thread }));
    await ask(teams.channel(SQL_QUESTION, { threadId: thread }));
    const verdict = lastCard(adapter);
    expectValidCard(verdict);

    await ask(press(submitData(verdict, 'Prove it with a capture'), STRANGER, thread));
    const confirmation = lastCard(adapter);
    expectValidCard(confirmation);
    expect(textOf(confirmation)).toContain('Packet capture: confirm before anything starts');
    const confirm = submitData(confirmation, 'Confirm and start the capture');
    const jobId = String(confirm.jobId);

    await ask(press(confirm, STRANGER, thread));
    expect(texts(adapter).at(-1)).toMatch(/^Sam Channel may not confirm packet captures: only capture approvers \(NETPROOF_CAPTURE_APPROVERS\) may/);
    expect((await jobs.get(jobId))?.state).toBe('pending-confirmation');

    await ask(press(confirm, APPROVER, thread));
    expect(texts(adapter).at(-1)).toBe('Confirmed by Ana Approver: starting the capture on vm-sql01.');
    await runUntil(jobs, scheduler, async () => (await jobs.get(jobId))?.state === 'done', 5_000);
    await runUntil(jobs, scheduler, async () => (await jobs.active()).every((job) => job.id !== jobId));

    // The result went to the thread of the request, with the updated verdict card.
    const result = messages(adapter).find((activity) => activity.text?.startsWith('Capture on vm-sql01:'));
    expect(result?.conversation?.id).toBe(`19:general@thread.tacv2;messageid=${thread}`);
    expect(result?.text).toMatch(/Updated verdict:/);
    const [updated] = cardsOf(result);
    expectValidCard(updated);
    await ask(press(submitData(updated, 'Show the proof'), STRANGER, thread));
    expect(textOf(lastCard(adapter))).toMatch(/Proof, page 1 of \d+/);
    const evidence = submitData(updated, 'Evidence pack');
    await ask(press(evidence, STRANGER, thread));
    expect(texts(adapter).at(-1)).toMatch(/^Evidence pack: http:\/\/127\.0\.0\.1:9\/evidence\//);

    // Posted again after a crash between posting and recording: skipped, the key is in `handled`.
    const before = messages(adapter).length;
    const job = await jobs.get(jobId);
    const message: OutboxMessage = { key: `${jobId}:result`, kind: 'result', text: result?.text ?? '', cards: [] };
    await bot.postCaptureMessage(job?.conversation ?? {}, message);
    expect(messages(adapter)).toHaveLength(before);
    expect(captureMessageMark(message.key)).toBe(`capture:${jobId}:result`);
  }, 120_000);

  it('takes a capture asked in words and stops it on "stop the capture"', async () => {
    const { adapter, ask, jobs } = withJobs();
    const words = '1700000999002';
    await ask(teams.channel('use nothing-listening', { threadId: words }));
    await ask(teams.channel('capture traffic from vm-app02 to vm-sql01 on 1433 for 5 minutes', { threadId: words }));
    const confirmation = lastCard(adapter);
    expectValidCard(confirmation);
    expect(textOf(confirmation)).toContain('5 min');
    const confirm = submitData(confirmation, 'Confirm and start the capture');
    await ask(press(confirm, APPROVER, words));
    await runUntil(jobs, scheduler, async () => (await jobs.get(String(confirm.jobId)))?.state === 'running', 1_000);

    await ask(teams.channel('stop the capture', { threadId: words }));
    expect(texts(adapter).at(-1)).toBe('Stopping the capture on vm-sql01; the result follows in this thread.');
    await runUntil(jobs, scheduler, async () => (await jobs.get(String(confirm.jobId)))?.state === 'done', 1_000);
    expect((await jobs.get(String(confirm.jobId)))?.stopRequestedBy?.name).toBe('Jürgen Öztürk');

    await ask(teams.channel('stop the capture', { threadId: words }));
    expect(texts(adapter).at(-1)).toBe('No packet capture is running or waiting for confirmation in this conversation.');
  }, 120_000);

  it('says captures are not available when no engine is wired', async () => {
    const { adapter, ask } = harness();
    await ask(teams.personal(SQL_QUESTION));
    const actions = ((lastCard(adapter) as { actions: { title: string }[] }).actions).map((action) => action.title);
    expect(actions).not.toContain('Prove it with a capture');
    await ask(teams.personal('', { text: undefined, value: { action: 'captureConfirm', jobId: 'abcdef123456' } }));
    expect(texts(adapter).at(-1)).toMatch(/^Packet captures started from chat are not available/);
  });
});

describe('an LLM-backed turn (real openai client, scripted server)', () => {
  const QUESTION = "why can't vm-web03 connect to SQL on 10.42.1.4 port 1433 since 09:00 UTC today?";
  let server: ScriptedServer;
  let llmRuntime: Runtime;
  let llmEstates: BotEstates;

  beforeAll(async () => {
    server = await startScriptedServer([
      ...loadScript('correct-answer').steps,
      ...loadScript('packet-capture').steps,
      { note: 'the model refuses the request outright', status: 400, body: { error: { message: 'scripted bad request', type: 'invalid_request_error', code: null } } },
    ]);
    llmRuntime = await createRuntime(parseConfig({ OPENAI_BASE_URL: server.baseUrl, OPENAI_MODEL: 'scripted-model', OPENAI_API_KEY: 'test-key' }), {
      scenarioDirectories: [join(SCENARIOS, 'nsg-deny-between-spokes')], frozenClock: true,
    });
    llmEstates = botEstatesOf(llmRuntime);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await llmRuntime?.close();
  });

  it('shows the assistant\'s checked prose beside the rules\' verdict card, then a proposed capture as a confirmation card, then the degraded line', async () => {
    expect(llmEstates.list[0]?.assistant?.description).toMatch(/scripted-model/);
    const estate = llmRuntime.estates[0];
    if (!estate || !llmRuntime.lab) throw new Error('no lab');
    const llmScheduler = new LabScheduler(llmRuntime.lab.clock as ManualClock, () => estate.now());
    const { jobs } = engine(llmRuntime, llmScheduler);
    const { adapter, ask } = harness({ estates: llmEstates, services: { captureJobs: jobs, clock: { now: () => estate.now() } } });

    await ask(teams.personal(QUESTION));
    const rules = await estate.diagnose({ text: QUESTION, timeZone: 'Europe/Berlin' });
    if (rules.kind !== 'verdict') throw new Error('expected a verdict');
    const answer = texts(adapter).at(-2) ?? '';
    expect(answer).toContain(`${rules.verdict.summary}\n\nProof: finding ${rules.verdict.findings[0]?.id}`);
    expect(answer).not.toMatch(/^\*\*FAILING\*\*/);
    const card = lastCard(adapter);
    expectValidCard(card);
    expect(textOf(card)).toContain(rules.verdict.summary);
    // The model saw the tools, the coverage tool among them.
    expect(server.requests[0]?.body.tools?.map((tool) => tool.function.name)).toContain('get_flow_log_coverage');

    await ask(teams.personal(QUESTION));
    const cards = cardsOf(messages(adapter).at(-1));
    expect(cards).toHaveLength(2);
    expectValidCard(cards[1]);
    expect(textOf(cards[1])).toContain('Packet capture: confirm before anything starts');
    expect(textOf(cards[1])).toContain('vm-web03');

    await ask(teams.personal(QUESTION));
    expect(texts(adapter).at(-2)).toMatch(/^\*\*FAILING\*\*/);
    expect(texts(adapter).at(-2)).toContain(`_${DEGRADED_LINES.unreachable}_`);
    expect(textOf(lastCard(adapter))).toContain(DEGRADED_LINES.unreachable);
    expect(server.remaining()).toBe(0);
  }, 120_000);
});
