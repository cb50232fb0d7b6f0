/**
 * Turn tests of the Teams bot through botbuilder's TestAdapter, with the real pipeline
 * over the lab (rdp-remote-site) and the real worker-thread capture analyser: mentions,
 * help, a question to a verdict card, clarifications with choices, card actions,
 * uploads to a capture card (served by a loopback file server), bad uploads, refusals,
 * redeliveries, concurrency limits, the explainer seam and what the logs hold.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStorage, type Activity } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_REFUSAL, TENANT_REFUSAL, AccessPolicy, parseAccessFile } from '../../src/bot/access.js';
import { MemoryArtifactStore, readArtifact, type PutArtifactOptions } from '../../src/azure/artifacts.js';
import { INTERRUPTED_TEXT, NetproofBot, STALE_PENDING_IN_MS, type BotServices, type BotSettings } from '../../src/bot/bot.js';
import { INVESTIGATING_TEXT, UPLOAD_IN_CHANNEL_TEXT } from '../../src/bot/cards.js';
import { EXPLAINER_FAILED_NOTICE } from '../../src/bot/explainer.js';
import { readCaptureReport } from '../../src/bot/uploads.js';
import { analyzeCapture } from '../../src/capture/index.js';
import type { DiagnoseRequest, Diagnoser } from '../../src/diagnose/diagnose.js';
import type { CaptureReport, Verdict } from '../../src/domain/index.js';
import {
  CAPTURES, ProactiveTestAdapter, TENANT, cardsOf, expectValidCard, gate, startFileServer, startPipeline, teams, testServices, testSettings, textOf,
} from './helpers.js';

const QUESTION = "why can't 192.168.10.5 RDP to vm-app01?";

let pipeline: Awaited<ReturnType<typeof startPipeline>>;
let files: Awaited<ReturnType<typeof startFileServer>>;
const pcap = readFileSync(join(CAPTURES, 'tcp_refused.pcap'));

beforeAll(async () => {
  pipeline = await startPipeline(['rdp-remote-site']);
  files = await startFileServer(new Map([
    ['tcp_refused.pcap', { body: pcap }],
    ['tcp_refused.json', { body: readFileSync(join(CAPTURES, 'tcp_refused.json')) }],
    ['truncated.pcap', { body: pcap.subarray(0, pcap.length - 7) }],
    ['garbage.pcap', { body: Buffer.from('this is a text file, not a capture\n'.repeat(50)) }],
    ['big.pcap', { body: Buffer.alloc(3 * 1024 * 1024, 1) }],
    ['big-chunked.pcap', { body: Buffer.concat([pcap, Buffer.alloc(3 * 1024 * 1024, 0)]), contentLength: null }],
  ]));
});

afterAll(async () => {
  await files?.close();
  await pipeline?.runtime.close();
});

/** A diagnoser that records its requests, optionally waits for a gate, and runs the real pipeline. */
function recording(options: { wait?: Promise<void>; fail?: Error } = {}): Diagnoser & { requests: DiagnoseRequest[]; answered: number } {
  const requests: DiagnoseRequest[] = [];
  const wrapped = Object.assign(async (request: DiagnoseRequest) => {
    requests.push(structuredClone(request));
    if (options.wait) await options.wait;
    if (options.fail) throw options.fail;
    const outcome = await pipeline.diagnose(request);
    wrapped.answered += 1;
    return outcome;
  }, { requests, answered: 0 });
  return wrapped;
}

interface Harness {
  adapter: ProactiveTestAdapter;
  bot: NetproofBot;
  services: BotServices & { lines: string[] };
  send(activity: Partial<Activity>): Promise<void>;
  /** Sends, then waits for the work outside the turn. */
  ask(activity: Partial<Activity>): Promise<void>;
}

function harness(diagnose: Diagnoser, settings: Partial<BotSettings> = {}, services: Partial<BotServices> = {}): Harness {
  const adapter = new ProactiveTestAdapter();
  const built = testServices(diagnose, pipeline.now, services);
  const bot = new NetproofBot(built, testSettings(settings), adapter);
  const send = async (activity: Partial<Activity>) => {
    await adapter.processActivity(structuredClone(activity), (context) => bot.run(context));
  };
  return {
    adapter, bot, services: built, send,
    ask: async (activity) => {
      await send(activity);
      await bot.idle();
    },
  };
}

/** An artifact store that remembers the keys it was given. */
class KeyRecordingStore extends MemoryArtifactStore {
  readonly keys: string[] = [];

  override put(key: string, body: Parameters<MemoryArtifactStore['put']>[1], options: PutArtifactOptions): Promise<{ bytes: number }> {
    this.keys.push(key);
    return super.put(key, body, options);
  }
}

/** Options of an artifact a test replaces: kept for an hour of the lab's time. */
const keep = (): PutArtifactOptions => ({ contentType: 'application/octet-stream', expiresAt: new Date(pipeline.now().getTime() + 3_600_000) });

const messages = (adapter: ProactiveTestAdapter) => adapter.activeQueue.filter((activity) => activity.type === 'message');
/** The first message that carries a card. */
const withCard = (adapter: ProactiveTestAdapter, index = 0) => messages(adapter).filter((activity) => cardsOf(activity).length > 0).at(index);

describe('questions', () => {
  it('acknowledges with typing and a short message, then replaces it with the verdict card of the real pipeline', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    await ask(teams.personal(QUESTION));
    expect(adapter.activeQueue[0]?.type).toBe('typing');
    const replies = messages(adapter);
    // The acknowledgement became the one-line answer (Teams cannot turn one message into two); the card follows it.
    expect(replies).toHaveLength(2);
    const expected = await pipeline.diagnose({ text: QUESTION, timeZone: 'Europe/Berlin' });
    if (expected.kind !== 'verdict') throw new Error('the scenario question should give a verdict');
    expect(cardsOf(replies[0])).toHaveLength(0);
    expect(replies[0]?.text).toContain(expected.verdict.summary);
    expect(replies[0]?.text).toMatch(/\*\*(OK|FAILING|UNKNOWN)\*\*/);
    const [card] = cardsOf(replies[1]);
    expectValidCard(card);
    expect(textOf(card)).toContain(expected.verdict.summary);
    expect(replies[1]?.summary).toBe(replies[0]?.text?.replace(/\*\*/g, ''));
    const actions = (card as { actions: { title: string; type: string; url?: string }[] }).actions;
    expect(actions.map((action) => action.title)).toEqual(['Show the proof', 'Evidence pack', 'Ask again with another time window']);
    expect(actions[1]?.url).toMatch(/^http:\/\/127\.0\.0\.1:9\/evidence\/[A-Za-z0-9_-]{43}$/);
    expect(diagnose.requests[0]).toMatchObject({ text: QUESTION, timeZone: 'Europe/Berlin' });
  });

  it('sends the acknowledgement before a slow source answers, and the verdict after', async () => {
    const slow = gate();
    const diagnose = recording({ wait: slow.wait });
    const { adapter, bot, send } = harness(diagnose);
    await send(teams.personal(QUESTION));
    // The turn is over; the investigation is still waiting for its source.
    expect(diagnose.requests).toHaveLength(1);
    expect(diagnose.answered).toBe(0);
    expect(messages(adapter).map((activity) => activity.text)).toEqual([INVESTIGATING_TEXT]);
    slow.open();
    await bot.idle();
    expect(diagnose.answered).toBe(1);
    expect(messages(adapter)).toHaveLength(2);
    expect(messages(adapter)[0]?.text).not.toBe(INVESTIGATING_TEXT);
    expect(cardsOf(messages(adapter)[1])).toHaveLength(1);
  });

  it('asks back with the closest names as choices, and a choice re-asks with the name put in', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    await ask(teams.personal("why can't 192.168.10.5 RDP to vm-ap01?"));
    const [card] = cardsOf(withCard(adapter));
    expectValidCard(card);
    expect(textOf(card)).toContain('vm-ap01');
    const actions = (card as { actions: { title: string; data: { action: string; text: string } }[] }).actions;
    expect(actions.map((action) => action.title)).toEqual(['vm-app01', 'vm-app02']);
    expect(actions[0]?.data).toEqual({ action: 'ask', text: QUESTION });

    await ask(teams.personal('', { value: actions[0]?.data, text: undefined }));
    expect(diagnose.requests.at(-1)?.text).toBe(QUESTION);
    const [verdict] = cardsOf(withCard(adapter, -1));
    expectValidCard(verdict);
    expect(textOf(verdict)).toContain('vm-app01');
  });

  it('shows the proof page by page and re-asks with another time window as a follow-up', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    await ask(teams.personal(QUESTION));
    const [card] = cardsOf(withCard(adapter));
    const actions = (card as { actions: { data?: { verdictId?: string }; card?: { actions: { data: Record<string, unknown> }[] } }[] }).actions;
    const verdictId = actions[0]?.data?.verdictId;
    expect(verdictId).toBeTruthy();

    await ask(teams.personal('', { value: { action: 'showProof', verdictId, page: 0 } }));
    const [proof] = cardsOf(withCard(adapter, -1));
    expectValidCard(proof);
    expect(textOf(proof)).toMatch(/Proof, page 1 of \d+/);

    const askAgain = actions[2]?.card?.actions[0]?.data;
    expect(askAgain).toEqual({ action: 'askAgain', verdictId });
    await ask(teams.personal('', { value: { ...askAgain, window: 'between 08:00 and 09:00 UTC' } }));
    const followUp = diagnose.requests.at(-1);
    expect(followUp?.text).toBe('and between 08:00 and 09:00 UTC');
    expect(followUp?.previous?.destination.name).toBe('vm-app01');
    const [again] = cardsOf(withCard(adapter, -1));
    expectValidCard(again);
    expect(textOf(again)).toMatch(/T08:00:00\.000Z to \S+T09:00:00\.000Z/);
  });

  it('refuses card actions on verdicts of another conversation', async () => {
    const { adapter, ask } = harness(recording());
    await ask(teams.personal(QUESTION));
    const [card] = cardsOf(withCard(adapter));
    const verdictId = (card as { actions: { data?: { verdictId?: string } }[] }).actions[0]?.data?.verdictId;
    // A card submit carries no mention; from another conversation the verdict id means nothing.
    await ask({ ...teams.groupChat('', { mention: false }), value: { action: 'showProof', verdictId, page: 0 } });
    expect(messages(adapter).at(-1)?.text).toMatch(/expired or belongs to another conversation/);
  });

  it('answers "help" with a card of examples', async () => {
    const { adapter, ask } = harness(recording());
    await ask(teams.personal('help'));
    const [card] = cardsOf(withCard(adapter));
    expectValidCard(card);
    expect(textOf(card)).toContain(QUESTION);
    expect(textOf(card)).toMatch(/capture/i);
  });

  it('posts an apology with a reference when the pipeline fails, and logs the same reference', async () => {
    const { adapter, ask, services } = harness(recording({ fail: new Error('boom in a source') }));
    await ask(teams.personal(QUESTION));
    const text = messages(adapter)[0]?.text ?? '';
    const reference = /reference: ([0-9a-f-]{36})/.exec(text)?.[1];
    expect(reference).toBeTruthy();
    expect(text).not.toContain('boom');
    const errorLine = services.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.correlationId === reference && line.level === 50);
    expect(JSON.stringify(errorLine)).toContain('boom in a source');
  });
});

describe('channels and group chats', () => {
  it('ignores channel messages that do not mention the bot', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    await ask(teams.channel(QUESTION, { mention: false }));
    expect(adapter.activeQueue).toHaveLength(0);
    expect(diagnose.requests).toHaveLength(0);
  });

  it('answers a mention in the thread it came from, with the mention removed from the question', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    await ask(teams.channel(QUESTION, { threadId: '1700000999000' }));
    expect(diagnose.requests[0]?.text).toBe(QUESTION);
    const replies = messages(adapter);
    expect(replies).toHaveLength(2);
    expect(replies.map((reply) => reply.conversation?.id)).toEqual(['19:general@thread.tacv2;messageid=1700000999000', '19:general@thread.tacv2;messageid=1700000999000']);
    expectValidCard(cardsOf(replies[1])[0]);
  });

  it('answers a mention in a group chat, and ignores a message without one', async () => {
    const { adapter, ask } = harness(recording());
    await ask(teams.groupChat('help', { mention: false }));
    expect(adapter.activeQueue).toHaveLength(0);
    await ask(teams.groupChat('help'));
    expectValidCard(cardsOf(withCard(adapter))[0]);
  });

  it('says how to send a capture when a file is shared in a channel', async () => {
    const { adapter, ask } = harness(recording());
    await ask(teams.channel('have a look', {}, {
      attachments: [{ contentType: 'reference', contentUrl: 'https://contoso.sharepoint.com/sites/net/Shared Documents/General/x.pcap', name: 'x.pcap' }],
    }));
    expect(messages(adapter).map((activity) => activity.text)).toEqual([UPLOAD_IN_CHANNEL_TEXT]);
  });
});

describe('access', () => {
  it('refuses users of another tenant politely, without running anything', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    const stranger = teams.personal(QUESTION);
    stranger.conversation = { ...stranger.conversation!, tenantId: '11111111-2222-3333-4444-555555555555' };
    stranger.channelData = { tenant: { id: '11111111-2222-3333-4444-555555555555' } };
    await ask(stranger);
    expect(messages(adapter).map((activity) => activity.text)).toEqual([TENANT_REFUSAL]);
    expect(diagnose.requests).toHaveLength(0);
  });

  it('refuses a user with no grant in the access file', async () => {
    const diagnose = recording();
    const file = parseAccessFile(JSON.stringify({ version: 1, users: {} }));
    const { adapter, ask } = harness(diagnose, { access: new AccessPolicy([TENANT], file) });
    await ask(teams.personal(QUESTION));
    expect(messages(adapter).map((activity) => activity.text)).toEqual([GRANT_REFUSAL]);
    expect(diagnose.requests).toHaveLength(0);
  });

  it('withholds a verdict about a subscription outside the grant, and gives it within the grant', async () => {
    const expected = await pipeline.diagnose({ text: QUESTION });
    if (expected.kind !== 'verdict') throw new Error('expected a verdict');
    const subscription = /^\/subscriptions\/([^/]+)/.exec(expected.verdict.question.destination.resourceId ?? '')?.[1];
    expect(subscription).toBeTruthy();

    // The pipeline runs scoped to the grant (DiagnoseRequest.subscriptionIds): the estate's resources do not exist for this user.
    const other = parseAccessFile(JSON.stringify({ version: 1, default: ['00000000-0000-0000-0000-0000000000ff'] }));
    const diagnose = recording();
    const outside = harness(diagnose, { access: new AccessPolicy([TENANT], other) });
    await outside.ask(teams.personal(QUESTION));
    expect(diagnose.requests[0]?.subscriptionIds).toEqual(['00000000-0000-0000-0000-0000000000ff']);
    const withheld = messages(outside.adapter);
    const shown = textOf(withheld.map((activity) => [activity.text, cardsOf(activity)]));
    expect(shown).not.toMatch(/Show the proof|FAILING|vm-app02|vm-web01|10\.201\.|ctd-/);

    const granted = parseAccessFile(JSON.stringify({ version: 1, default: [subscription] }));
    const inside = harness(recording(), { access: new AccessPolicy([TENANT], granted) });
    await inside.ask(teams.personal(QUESTION));
    expect(cardsOf(withCard(inside.adapter))).toHaveLength(1);
  });
});

describe('redelivery and limits', () => {
  it('answers a redelivered activity once', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    const activity = teams.personal(QUESTION);
    await ask(activity);
    await ask(activity);
    expect(diagnose.requests).toHaveLength(1);
    expect(messages(adapter)).toHaveLength(2); // the answer's text and its card, once
  });

  it('refuses politely over the per-conversation limit, and accepts again once a slot is free', async () => {
    const slow = gate();
    const diagnose = recording({ wait: slow.wait });
    const { adapter, bot, send } = harness(diagnose, { investigationsPerConversation: 1 });
    await send(teams.personal(QUESTION));
    await send(teams.personal('and on port 22?'));
    expect(messages(adapter).map((activity) => activity.text)).toEqual([INVESTIGATING_TEXT, expect.stringMatching(/already working on 1 question in this conversation/)]);
    expect(diagnose.requests).toHaveLength(1);
    slow.open();
    await bot.idle();
    await send(teams.personal('and on port 22?'));
    await bot.idle();
    expect(diagnose.requests).toHaveLength(2);
  });

  it('refuses politely over the bot-wide limit', async () => {
    const slow = gate();
    const { adapter, bot, send } = harness(recording({ wait: slow.wait }), { investigations: 1 });
    await send(teams.personal(QUESTION));
    await send(teams.channel(QUESTION));
    expect(messages(adapter).at(-1)?.text).toMatch(/busy with many investigations/);
    slow.open();
    await bot.idle();
  });
});

describe('restarts', () => {
  it('tells the user when an earlier investigation was cut off, and leaves recent ones alone', async () => {
    const storage = new MemoryStorage();
    const never = gate();
    const adapter = new ProactiveTestAdapter();
    let shift = 0;
    const now = () => new Date(pipeline.now().getTime() + shift);
    const before = new NetproofBot(testServices(recording({ wait: never.wait }), now, { storage }), testSettings(), adapter);
    const first = teams.personal(QUESTION);
    await adapter.processActivity(structuredClone(first), (context) => before.run(context));
    const acknowledgement = messages(adapter).find((activity) => activity.text === INVESTIGATING_TEXT);
    expect(acknowledgement?.id).toBeTruthy();

    // A new process over the same state: a minute later the work may still run elsewhere; later it is cut off.
    const after = new NetproofBot(testServices(recording(), now, { storage }), testSettings(), adapter);
    shift = 60_000;
    await adapter.processActivity(teams.personal('help'), (context) => after.run(context));
    expect(messages(adapter).find((activity) => activity.id === acknowledgement?.id)?.text).toBe(INVESTIGATING_TEXT);
    shift = STALE_PENDING_IN_MS + 60_000;
    await adapter.processActivity(teams.personal('help'), (context) => after.run(context));
    expect(messages(adapter).find((activity) => activity.id === acknowledgement?.id)?.text).toBe(INTERRUPTED_TEXT);
    never.open();
    await before.idle();
  });
});

describe('uploads', () => {
  it('analyses a capture sent in personal chat in a worker and answers with the capture card', async () => {
    const { adapter, ask, services } = harness(recording());
    const url = `${files.url}/files/tcp_refused.pcap?tempauth=secret-token-123`;
    await ask(teams.file('tcp_refused.pcap', url));
    const replies = messages(adapter);
    expect(replies).toHaveLength(2);
    const [card] = cardsOf(replies[1]);
    expectValidCard(card);
    expect(textOf(card)).toContain('tcp_refused');
    expect(textOf(card)).toContain('pcap');
    expect(replies[0]?.text).toMatch(/^tcp_refused\.pcap: \d+ packets, 1 conversation\(s\), 1 problem\(s\)/);
    // The pre-authorised URL is a secret: never logged.
    expect(services.lines.join('\n')).not.toContain('secret-token-123');
  });

  it('reads a Wireshark JSON export the same way', async () => {
    const { adapter, ask } = harness(recording());
    await ask(teams.file('tcp_refused.json', `${files.url}/files/tcp_refused.json`));
    const [card] = cardsOf(withCard(adapter));
    expectValidCard(card);
    expect(textOf(card)).toContain('wireshark-json');
    expect(textOf(card)).toContain('tcp_refused');
  });

  it('uses the upload as evidence when a later message refers to it', async () => {
    const diagnose = recording();
    const { adapter, ask } = harness(diagnose);
    await ask(teams.file('tcp_refused.pcap', `${files.url}/files/tcp_refused.pcap`));
    await ask(teams.personal('why does the capture fail?'));
    const requests = diagnose.requests;
    expect(requests[0]?.extraEvidence?.[0]).toMatchObject({ kind: 'capture', source: 'upload', data: { fileName: 'tcp_refused.pcap', targetId: null } });
    // The capture names the flow when the question does not.
    expect(requests.at(-1)?.text).toMatch(/^why can't \S+ reach \S+ on tcp port \d+ between /);
    // A refused connection is one instant: the question asks for five minutes of logs on each side of it.
    const report = await analyzeCapture(join(CAPTURES, 'tcp_refused.pcap'));
    const refused = report.conversations.find((conversation) => conversation.id === report.findings.find((finding) => finding.code === 'tcp_refused')?.conversation);
    const [, from, to] = /between (\S+) and (\S+)$/.exec(requests.at(-1)?.text ?? '') ?? [];
    expect(Date.parse(refused?.start ?? '') - Date.parse(from ?? '')).toBe(300_000);
    expect(Date.parse(to ?? '') - Date.parse(refused?.end ?? '')).toBe(300_000);
    expect(requests.at(-1)?.extraEvidence).toHaveLength(1);
    const last = messages(adapter).at(-1);
    expectValidCard(cardsOf(last)[0]);
  });

  /** An upload of tcp_refused.pcap into a store that remembers its keys; the stored report's key and bytes. */
  async function uploadKept(diagnose: Diagnoser): Promise<Harness & { artifacts: KeyRecordingStore; reportKey: string; stored: Buffer }> {
    const artifacts = new KeyRecordingStore();
    const kept = harness(diagnose, {}, { artifacts });
    await kept.ask(teams.file('tcp_refused.pcap', `${files.url}/files/tcp_refused.pcap`));
    const reportKey = artifacts.keys.find((key) => key.endsWith('/report.jsonl'));
    const artifact = reportKey ? await artifacts.get(reportKey, pipeline.now()) : null;
    if (!reportKey || !artifact) throw new Error('the upload\'s report is stored');
    return { ...kept, artifacts, reportKey, stored: await readArtifact(artifact) };
  }

  it.each<[string, (stored: Buffer, report: CaptureReport) => Buffer | string]>([
    ['as the worker wrote it', (stored) => stored],
    ['written whole as one JSON value, as an older bot stored it', (_stored, report) => JSON.stringify(report)],
  ])('stores the whole report and hands it, read back %s, to the pipeline', async (_name, rewrite) => {
    const diagnose = recording();
    const { ask, artifacts, reportKey, stored } = await uploadKept(diagnose);
    const report = await analyzeCapture(join(CAPTURES, 'tcp_refused.pcap'));
    expect(await readCaptureReport(stored)).toEqual(report);
    await artifacts.put(reportKey, rewrite(stored, report), keep());
    await ask(teams.personal('why does the capture fail?'));
    const evidence = diagnose.requests[0]?.extraEvidence?.[0];
    expect(evidence?.kind === 'capture' ? evidence.data.report : null).toEqual(report);
  });

  it('answers without the upload when its stored report is damaged, and logs why', async () => {
    const diagnose = recording();
    const { ask, artifacts, reportKey, stored, services } = await uploadKept(diagnose);
    // Without its end line, as a store that lost the file's tail would hand it back.
    await artifacts.put(reportKey, stored.subarray(0, stored.lastIndexOf('\n', stored.length - 2) + 1), keep());
    await ask(teams.personal('why does the capture fail?'));
    expect(diagnose.requests[0]?.extraEvidence).toBeUndefined();
    const warning = services.lines.find((line) => line.includes('the stored capture report is unreadable'));
    expect(warning).toMatch(/damaged \(after line \d+\): cut short: no end line/);
  });

  it('keeps a truncated capture, with the warning on the card', async () => {
    const { adapter, ask } = harness(recording());
    await ask(teams.file('truncated.pcap', `${files.url}/files/truncated.pcap`));
    const [card] = cardsOf(withCard(adapter));
    expectValidCard(card);
    expect(textOf(card)).toMatch(/Warning: .*mid-packet/);
  });

  it.each([
    ['a file that is not a capture', 'garbage.pcap', /not a capture file/],
    ['a file over the limit by its Content-Length', 'big.pcap', /too large.*upload limit of 2 MB/],
    ['a file over the limit by the bytes counted', 'big-chunked.pcap', /too large.*upload limit of 2 MB/],
    ['a link that no longer works', 'missing.pcap', /HTTP 404/],
  ])('answers %s with the one-line error and what is accepted', async (_name, file, message) => {
    const { adapter, ask } = harness(recording(), { uploadLimitInBytes: 2 * 1024 * 1024 });
    await ask(teams.file(file, `${files.url}/files/${file}`));
    const replies = messages(adapter);
    expect(replies).toHaveLength(1);
    const [card] = cardsOf(replies[0]);
    expectValidCard(card);
    expect(textOf(card)).toMatch(message);
    expect(textOf(card)).toContain('I read pcap and pcapng files');
  });

  it('refuses a file type that is not a capture without downloading it', async () => {
    const before = files.requests.length;
    const { adapter, ask } = harness(recording());
    await ask(teams.file('minutes.docx', `${files.url}/files/minutes.docx`));
    const [card] = cardsOf(withCard(adapter));
    expectValidCard(card);
    expect(textOf(card)).toContain('.docx file is not a capture');
    expect(files.requests.length).toBe(before);
  });
});

describe('the explainer seam', () => {
  it('puts the explainer\'s prose beside the card', async () => {
    const seen: Verdict[] = [];
    const explainer = async (input: { verdict: Verdict }) => {
      seen.push(input.verdict);
      return `In short: ${input.verdict.cause}.`;
    };
    const { adapter, ask } = harness(recording(), {}, { explainer });
    await ask(teams.personal(QUESTION));
    expect(messages(adapter)[0]?.text).toMatch(new RegExp(`^In short: ${seen[0]?.cause}\\.`));
    expect(textOf(cardsOf(withCard(adapter))[0])).not.toContain(EXPLAINER_FAILED_NOTICE);
  });

  it('answers from the rules alone, and says so, when the explainer fails', async () => {
    const explainer = async () => {
      throw new Error('model unavailable');
    };
    const { adapter, ask } = harness(recording(), {}, { explainer });
    await ask(teams.personal(QUESTION));
    expect(messages(adapter)[0]?.text).toMatch(/\*\*(OK|FAILING|UNKNOWN)\*\*/);
    const [card] = cardsOf(withCard(adapter));
    expectValidCard(card);
    expect(textOf(card)).toContain(EXPLAINER_FAILED_NOTICE);
  });
});

describe('logs', () => {
  it('writes JSON lines, each turn\'s carrying one correlation id', async () => {
    const { ask, services } = harness(recording());
    await ask(teams.personal(QUESTION));
    const lines = services.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const ids = new Set(lines.filter((line) => 'activityId' in line).map((line) => line.correlationId));
    expect(ids.size).toBe(1);
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['acknowledged; working outside the turn', 'verdict', 'answered']));
  });
});
