/**
 * End to end over HTTP: the running bot server receives Bot Framework activities on
 * POST /api/messages exactly as Teams sends them, and posts its replies to the
 * activity's serviceUrl, here a small recording connector on loopback
 * (POST /v3/conversations/{id}/activities[/{replyToId}], PUT .../activities/{id}), which,
 * like Teams, refuses an update that carries both text and a card.
 * The pipeline is the real one over the lab; the capture analyser the real worker. The wired
 * bot (estates, coverage, capture jobs posting through the bot) is driven the same way.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { MemoryStorage, type Activity } from 'botbuilder';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryArtifactStore } from '../../src/azure/artifacts.js';
import { AccessPolicy } from '../../src/bot/access.js';
import { INVESTIGATING_TEXT } from '../../src/bot/cards.js';
import { startBotServer, type BotServerSettings, type RunningBot } from '../../src/bot/server.js';
import { createWorkerCaptureAnalyser } from '../../src/bot/uploads.js';
import type { DiagnoseRequest, Diagnoser } from '../../src/diagnose/diagnose.js';
import type { BotEstates } from '../../src/bot/bot.js';
import { BotCaptureNotifier } from '../../src/bot/capture-notifier.js';
import { parseConfig } from '../../src/config.js';
import type { ManualClock } from '../../src/lab/index.js';
import { botEstatesOf, createRuntime, type Runtime } from '../../src/main.js';
import { APPROVER, LabScheduler, STRANGER, engine, runUntil } from '../capture-jobs/helpers.js';
import { CAPTURES, SCENARIOS, TENANT, expectValidCard, gate, memoryLogger, startFileServer, startPipeline, teams, textOf } from './helpers.js';

const QUESTION = "why can't 192.168.10.5 RDP to vm-app01?";

/** One request the connector received. */
interface Recorded {
  method: string;
  conversationId: string;
  /** The activity id in the path (replyToId for POST, the updated activity for PUT). */
  activityId: string | null;
  body: Partial<Activity>;
  authorization: string | undefined;
}

/** The recording connector: what Bot Service would receive from the bot. */
async function startConnector(): Promise<{ url: string; recorded: Recorded[]; waitFor(predicate: (all: Recorded[]) => boolean): Promise<void>; close(): Promise<void> }> {
  const recorded: Recorded[] = [];
  let next = 0;
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(request.url ?? '');
      if (!match?.[1] || (request.method !== 'POST' && request.method !== 'PUT')) {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Partial<Activity>;
      // As Teams does: an update may not turn one message into two (text and a card).
      if (request.method === 'PUT' && body.text && (body.attachments?.length ?? 0) > 0) {
        response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'BadSyntax', message: 'Activity resulted into multiple skype activities' } }));
        return;
      }
      recorded.push({
        method: request.method, conversationId: decodeURIComponent(match[1]), activityId: match[2] ? decodeURIComponent(match[2]) : null,
        body, authorization: request.headers.authorization,
      });
      next += 1;
      const id = request.method === 'PUT' ? decodeURIComponent(match[2] ?? '') : `activity-${next}`;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    recorded,
    waitFor: async (predicate) => {
      const deadline = Date.now() + 20_000;
      while (!predicate(recorded)) {
        if (Date.now() > deadline) throw new Error(`connector: condition not met; recorded ${JSON.stringify(recorded.map((item) => [item.method, item.body.type, item.body.text]))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let pipeline: Awaited<ReturnType<typeof startPipeline>>;
let connector: Awaited<ReturnType<typeof startConnector>>;
let files: Awaited<ReturnType<typeof startFileServer>>;
let bot: RunningBot | undefined;
/** Milliseconds added to the pipeline's clock (to expire evidence packs). */
let clockShift = 0;

beforeAll(async () => {
  pipeline = await startPipeline(['rdp-remote-site']);
  connector = await startConnector();
  files = await startFileServer(new Map([['tcp_refused.pcap', { body: readFileSync(join(CAPTURES, 'tcp_refused.pcap')) }]]));
});

afterEach(async () => {
  await bot?.close();
  bot = undefined;
  connector.recorded.length = 0;
  clockShift = 0;
});

afterAll(async () => {
  await files?.close();
  await connector?.close();
  await pipeline?.runtime.close();
});

function settings(overrides: Partial<BotServerSettings> = {}): BotServerSettings {
  return {
    identity: { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
    port: 0,
    access: new AccessPolicy([TENANT], null),
    uploadLimitInBytes: 10 * 1024 * 1024,
    investigationsPerConversation: 2,
    investigations: 8,
    retentionInMs: 60 * 60 * 1000,
    redactEvidencePacks: false,
    explainTimeoutInMs: 2_000,
    sweepEveryInMs: 0,
    ...overrides,
  };
}

async function start(diagnose: Diagnoser, overrides: Partial<BotServerSettings> = {}): Promise<RunningBot> {
  const { logger } = memoryLogger();
  bot = await startBotServer({
    diagnose,
    analyzeCapture: createWorkerCaptureAnalyser({ limits: {} }),
    artifacts: new MemoryArtifactStore(),
    storage: new MemoryStorage(),
    clock: { now: () => new Date(pipeline.now().getTime() + clockShift) },
    logger,
  }, settings(overrides));
  return bot;
}

/** Posts an activity as Bot Service does, with the connector as its serviceUrl. */
async function post(running: RunningBot, activity: Partial<Activity>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${running.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...activity, serviceUrl: connector.url }),
  });
}

function slowDiagnoser(wait: Promise<void>): Diagnoser & { answered: number; requests: DiagnoseRequest[] } {
  const wrapped = Object.assign(async (request: DiagnoseRequest) => {
    wrapped.requests.push(request);
    await wait;
    const outcome = await pipeline.diagnose(request);
    wrapped.answered += 1;
    return outcome;
  }, { answered: 0, requests: [] as DiagnoseRequest[] });
  return wrapped;
}

const updates = (all: Recorded[]) => all.filter((item) => item.method === 'PUT');
const cardPosts = (all: Recorded[]) => all.filter((item) => item.method === 'POST' && (item.body.attachments?.length ?? 0) > 0);

describe('the bot over HTTP', () => {
  it('without an app id listens on loopback, and the request returns before a slow source answers', async () => {
    const slow = gate();
    const diagnose = slowDiagnoser(slow.wait);
    const running = await start(diagnose);
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const question = teams.personal(QUESTION);
    const response = await post(running, question);
    expect(response.status).toBe(200);
    // The HTTP turn is over: the source has not answered, the acknowledgement is already posted.
    expect(diagnose.requests).toHaveLength(1);
    expect(diagnose.answered).toBe(0);
    expect(connector.recorded.map((item) => [item.method, item.body.type])).toEqual([['POST', 'typing'], ['POST', 'message']]);
    expect(connector.recorded[1]?.body.text).toBe(INVESTIGATING_TEXT);
    expect(connector.recorded[1]?.conversationId).toBe('a:personal-chat-1');
    expect(connector.recorded[1]?.activityId).toBe(question.id); // a reply to the question
    expect(connector.recorded.every((item) => item.authorization === undefined)).toBe(true);

    slow.open();
    await connector.waitFor((all) => cardPosts(all).length === 1);
    const expected = await pipeline.diagnose({ text: QUESTION, timeZone: 'Europe/Berlin' });
    if (expected.kind !== 'verdict') throw new Error('expected a verdict');
    // The answer's line replaces the acknowledgement (PUT on its id); its card follows as one more message.
    expect(connector.recorded.map((item) => [item.method, item.body.type])).toEqual([['POST', 'typing'], ['POST', 'message'], ['PUT', 'message'], ['POST', 'message']]);
    const [update] = updates(connector.recorded);
    expect(update?.activityId).toBe('activity-2');
    expect(update?.conversationId).toBe('a:personal-chat-1');
    expect(update?.body.attachments ?? []).toEqual([]);
    expect(update?.body.text).toContain(expected.verdict.summary);
    const card = cardPosts(connector.recorded)[0]?.body.attachments?.[0]?.content;
    expectValidCard(card);
    expect(textOf(card)).toContain(expected.verdict.summary);
  });

  it('answers a channel mention in its thread (;messageid=), and a redelivery once', async () => {
    const running = await start(pipeline.diagnose);
    const activity = teams.channel(QUESTION, { threadId: '1700000555000' });
    const first = await post(running, activity);
    const again = await post(running, activity);
    expect([first.status, again.status]).toEqual([200, 200]);
    await connector.waitFor((all) => cardPosts(all).length === 1);
    await running.bot.idle();
    const threadId = '19:general@thread.tacv2;messageid=1700000555000';
    expect(connector.recorded.map((item) => [item.method, item.body.type, item.conversationId])).toEqual([
      ['POST', 'typing', threadId], ['POST', 'message', threadId], ['PUT', 'message', threadId], ['POST', 'message', threadId],
    ]);
    expectValidCard(cardPosts(connector.recorded)[0]?.body.attachments?.[0]?.content);
  });

  it('ignores a channel message without a mention, and copes with one that has no recipient', async () => {
    const running = await start(pipeline.diagnose);
    expect((await post(running, teams.channel(QUESTION, { mention: false }))).status).toBe(200);
    await running.bot.idle();
    expect(connector.recorded).toHaveLength(0);

    expect((await post(running, teams.channel('help', { recipient: false }))).status).toBe(200);
    await connector.waitFor((all) => all.length === 1);
    expectValidCard(connector.recorded[0]?.body.attachments?.[0]?.content);
  });

  it('analyses a file upload and answers with the capture card', async () => {
    const running = await start(pipeline.diagnose);
    const response = await post(running, teams.file('tcp_refused.pcap', `${files.url}/files/tcp_refused.pcap`));
    expect(response.status).toBe(200);
    await connector.waitFor((all) => cardPosts(all).length === 1);
    expect(connector.recorded[1]?.body.text).toMatch(/^Reading tcp_refused\.pcap/);
    expect(updates(connector.recorded)[0]?.body.text).toMatch(/^tcp_refused\.pcap: \d+ packets/);
    const card = cardPosts(connector.recorded)[0]?.body.attachments?.[0]?.content;
    expectValidCard(card);
    expect(textOf(card)).toContain('tcp_refused');
  });

  it('serves the evidence pack at its link with strict headers, and 404 for unknown or expired links', async () => {
    const running = await start(pipeline.diagnose);
    await post(running, teams.personal(QUESTION));
    await connector.waitFor((all) => cardPosts(all).length === 1);
    const card = cardPosts(connector.recorded)[0]?.body.attachments?.[0]?.content as { actions: { title: string; url?: string }[] };
    const link = card.actions.find((action) => action.title === 'Evidence pack')?.url ?? '';
    expect(link.startsWith(`${running.publicUrl}/evidence/`)).toBe(true);

    const pack = await fetch(link);
    expect(pack.status).toBe(200);
    expect(pack.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(pack.headers.get('referrer-policy')).toBe('no-referrer');
    expect(pack.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await pack.text();
    expect(html).toContain('netproof evidence pack');
    expect(html).toContain('vm-app01');

    const token = link.split('/').at(-1) ?? '';
    const guessed = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const url of [`${running.url}/evidence/${guessed}`, `${running.url}/evidence/not-a-token`]) {
      const missing = await fetch(url);
      expect(missing.status).toBe(404);
      const body = await missing.text();
      expect(body).not.toContain('vm-app01');
      expect(missing.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    clockShift = 2 * 60 * 60 * 1000; // past the one-hour retention
    const expired = await fetch(link);
    expect(expired.status).toBe(404);
    expect(await expired.text()).not.toContain('vm-app01');
  });

  it('with an app id, refuses a request without a Bot Framework token', async () => {
    const running = await start(pipeline.diagnose, {
      identity: { MicrosoftAppId: '11111111-1111-1111-1111-111111111111', MicrosoftAppPassword: 'not-used', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
      host: '127.0.0.1',
    });
    const response = await post(running, teams.personal(QUESTION));
    expect(response.status).toBe(401);
    await running.bot.idle();
    expect(connector.recorded).toHaveLength(0);
  });
});

describe('the wired bot over HTTP (scenario picker, coverage, captures)', () => {
  let lab: Runtime;
  let estates: BotEstates;
  let scheduler: LabScheduler;

  beforeAll(async () => {
    lab = await createRuntime(parseConfig({}), { scenarioDirectories: ['nothing-listening', 'coverage-mixed-estate'].map((name) => join(SCENARIOS, name)), frozenClock: true });
    estates = botEstatesOf(lab);
    const estate = lab.estates[0];
    if (!estate || !lab.lab) throw new Error('no lab');
    scheduler = new LabScheduler(lab.lab.clock as ManualClock, () => estate.now());
  }, 60_000);

  afterAll(async () => {
    await lab?.close();
  });

  it('switches scenario, answers coverage with a card, and runs a capture an approver confirms, posting the result to the thread', async () => {
    const notifier = new BotCaptureNotifier();
    const { jobs } = engine(lab, scheduler, { notifier });
    const { logger } = memoryLogger();
    bot = await startBotServer({
      diagnose: async (request) => (await estates.select(request.text)).diagnose(request),
      estates, captureJobs: jobs,
      analyzeCapture: createWorkerCaptureAnalyser({ limits: {} }),
      artifacts: new MemoryArtifactStore(), storage: new MemoryStorage(), clock: { now: () => scheduler.now() }, logger,
    }, settings());
    notifier.bind(bot.bot);
    const running = bot;
    const thread = '1700000888001';
    const say = async (text: string) => {
      await post(running, teams.channel(text, { threadId: thread }));
      await running.bot.idle();
    };
    const press = async (value: Record<string, unknown>, who: { aadObjectId: string; name: string }) => {
      await post(running, teams.channel('', { mention: false, threadId: thread }, { text: undefined, value, from: { id: `29:${who.name}`, name: who.name, aadObjectId: who.aadObjectId } }));
      await running.bot.idle();
    };
    const lastText = () => connector.recorded.filter((item) => item.body.type === 'message').at(-1)?.body.text;
    const lastCard = () => cardPosts(connector.recorded).at(-1)?.body.attachments?.[0]?.content as { actions?: { title: string; data?: Record<string, unknown> }[] } | undefined;

    await say('scenarios');
    expect(lastText()).toMatch(/^2 lab scenarios\./);
    await say('use coverage-mixed-estate');
    expect(lastText()).toMatch(/^Now investigating \*\*coverage-mixed-estate\*\*/);
    await say('flow log coverage');
    await connector.waitFor((all) => cardPosts(all).length === 1);
    expectValidCard(lastCard());
    expect(textOf(lastCard())).toContain('Flow log coverage: coverage-mixed-estate');

    await say('use nothing-listening');
    await say('capture traffic from vm-app02 to vm-sql01 on 1433 for 2 minutes');
    const confirmation = lastCard();
    expectValidCard(confirmation);
    const confirm = confirmation?.actions?.find((action) => action.title === 'Confirm and start the capture')?.data ?? {};
    await press(confirm, STRANGER);
    expect(lastText()).toMatch(/may not confirm packet captures/);
    await press(confirm, APPROVER);
    expect(lastText()).toBe('Confirmed by Ana Approver: starting the capture on vm-sql01.');
    await runUntil(jobs, scheduler, async () => (await jobs.get(String(confirm.jobId)))?.state === 'done', 5_000);
    await connector.waitFor((all) => all.some((item) => item.body.text?.startsWith('Capture on vm-sql01:') === true));
    const result = connector.recorded.find((item) => item.body.text?.startsWith('Capture on vm-sql01:'));
    // Posted proactively into the thread the request came from, with the updated verdict card.
    expect(result?.conversationId).toBe(`19:general@thread.tacv2;messageid=${thread}`);
    expectValidCard(result?.body.attachments?.[0]?.content);
    await jobs.close();
  }, 120_000);
});
