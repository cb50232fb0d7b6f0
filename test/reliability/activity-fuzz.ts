/**
 * The activity-handler fuzz target, shared by the default test run (activity-fuzz.test.ts, fixed
 * seed) and `bench/fuzz.ts` (random seeds): arbitrary Bot Framework activity JSON (any type,
 * missing fields, huge and odd unicode texts, mentions without a recipient, attachments with odd
 * content types and download URLs, card submits with malformed values) is POSTed to the running
 * bot's `/api/messages` and run through a TestAdapter. The bot must answer 200, 400 or 401, never
 * hang (every request and the work it starts end within a deadline), never fail a turn, never post
 * a stack trace, and every activity it posts must be typing, text, or valid Adaptive Cards.
 *
 * Everything stays on loopback: replies go to a recording connector, downloads go through a fetch
 * that refuses any host but 127.0.0.1. No vitest here, so the bench runs it without the runner.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { MemoryStorage, TestAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import fc from 'fast-check';
import pino from 'pino';
import { MemoryArtifactStore } from '../../src/azure/artifacts.js';
import { AccessPolicy } from '../../src/bot/access.js';
import { NetproofBot, type BotServices, type BotSettings } from '../../src/bot/bot.js';
import { startBotServer, type RunningBot } from '../../src/bot/server.js';
import { createWorkerCaptureAnalyser } from '../../src/bot/uploads.js';
import type { Diagnoser } from '../../src/diagnose/diagnose.js';
import type { ParsedQuestion } from '../../src/diagnose/question.js';
import { VerdictSchema } from '../../src/domain/index.js';
import { CARD_BYTE_LIMIT } from '../../src/report/adaptive-card.js';
import { repositoryPath, type FuzzTarget } from './fuzz-targets.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT_ID = '28:netproof-bot';
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
const FILE_INFO = 'application/vnd.microsoft.teams.file.download.info';
/** Longest a request, or the work it starts, may take before the target calls it a hang. */
const DEADLINE_IN_MS = 8_000;

class ActivityFuzzFailure extends Error {
  override readonly name = 'ActivityFuzzFailure';
}

function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ActivityFuzzFailure(message);
}

/** A stack frame or a path of the code in a text the bot shows. */
const STACK_TRACE = /\n\s*at \S.*:\d+:\d+|\bat (?:async )?\S+ \((?:file:|node:|\/)[^)]*:\d+:\d+\)|node_modules|node:internal|\/src\/bot\//;

const require = createRequire(import.meta.url);
const AdaptiveCards = require('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void; validateProperties(): { validationEvents: { message: string }[] } };
  SerializationContext: new () => { eventCount: number; getEventAt(index: number): { message: string } };
};

/** Throws unless the card parses and validates with the Adaptive Cards SDK, is 1.5 and fits Teams' size. */
export function checkCard(card: unknown): void {
  const parsed = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  parsed.parse(card, context);
  const events = [
    ...Array.from({ length: context.eventCount }, (_unused, index) => context.getEventAt(index).message),
    ...parsed.validateProperties().validationEvents.map((event) => event.message),
  ];
  ensure(events.length === 0, `invalid card: ${events.join('; ')}`);
  ensure((card as { version?: unknown }).version === '1.5', 'card version is not 1.5');
  ensure(Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_BYTE_LIMIT, 'card over the size limit');
}

/** Throws unless an activity the bot posts is typing, or a message of text and/or valid Adaptive Cards, with no stack trace. */
export function checkPosted(activity: Partial<Activity>): void {
  const shown = JSON.stringify([activity.text ?? null, activity.summary ?? null, activity.attachments ?? null]);
  ensure(!STACK_TRACE.test(shown), `a posted activity shows a stack trace or a code path: ${shown.slice(0, 300)}`);
  if (activity.type === 'typing') return;
  ensure(activity.type === 'message' || activity.type === undefined, `posted an activity of type ${String(activity.type)}`);
  const attachments = activity.attachments ?? [];
  ensure(typeof activity.text === 'string' || attachments.length > 0, 'posted a message with neither text nor a card');
  if (typeof activity.text === 'string') ensure(!/^Sorry, something went wrong on my side/.test(activity.text), `a turn failed: ${activity.text}`);
  for (const attachment of attachments) {
    ensure(attachment.contentType === ADAPTIVE, `posted an attachment of type ${attachment.contentType}`);
    checkCard(attachment.content);
  }
}

/** One fuzzed activity, and where its download URLs point. */
export type FuzzActivity = Record<string, unknown>;

const oddText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    'help', 'scenarios', 'use no-route', 'use ../../etc', 'flow log coverage', 'capture traffic from vm-app02 to vm-sql01 on 1433 for 2 minutes', 'stop the capture',
    "why can't 192.168.10.5 RDP to vm-app01?", "why can't 10.0.0.1 reach 10.0.0.2 on 443?", 'why does the capture fail?', '<at>netproof</at> help',
    '<at>netproof</at>', '&lt;script&gt;', '\u202egnp.exe', '\u0000\u0001', '\uD800', 'a\u2028b', '１９２．１６８．１０．５', '   ', '',
  ),
);

/** A message text: odd, or huge (up to 300,000 UTF-16 units, under the 1 MB body limit even as 4-byte emoji). */
const messageText: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: oddText },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('why can\'t 10.0.0.1 reach ', 'a', '🙂', 'é\u0301', '\u200b'), fc.integer({ min: 1_000, max: 300_000 })).map(([unit, count]) => unit.repeat(Math.ceil(count / unit.length))) },
);

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 3 });

/** URLs a fuzzed upload names: the loopback file server's files, refused hosts, not URLs at all. */
function downloadUrl(files: string): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(`${files}/files/tcp_refused.pcap`, `${files}/files/garbage.pcap`, `${files}/files/empty.pcapng`, `${files}/files/missing.pcap`, `${files}/files/redirect.pcap`),
    fc.constantFrom('https://contoso-my.sharepoint.com/x.pcap', 'file:///etc/passwd', 'ftp://127.0.0.1/x', 'http://127.0.0.1:1/x.pcap', 'data:text/plain,hi', 'javascript:alert(1)', 'not a url', ''),
    fc.string({ maxLength: 40 }), fc.integer(), fc.constant(null),
  );
}

function attachment(files: string): fc.Arbitrary<unknown> {
  const name = fc.oneof(fc.constantFrom('capture.pcap', 'trace.pcapng', 'x.json', 'notes.txt', 'noext', '.pcap', '../../x.pcap', 'a'.repeat(300) + '.pcap'), fc.string({ maxLength: 30 }));
  return fc.oneof(
    fc.record({
      contentType: fc.constantFrom(FILE_INFO, 'application/vnd.microsoft.teams.file.info', 'reference', ADAPTIVE, 'text/html', 'image/png', ''),
      name: optional(name),
      contentUrl: optional(fc.oneof(fc.constant('https://contoso-my.sharepoint.com/x'), fc.string({ maxLength: 20 }))),
      content: optional(fc.oneof(
        fc.record({ downloadUrl: optional(downloadUrl(files)), fileType: optional(fc.oneof(fc.constantFrom('pcap', 'pcapng', 'gz', 'json', 'exe', '.PCAP', ''), fc.string({ maxLength: 8 }))), uniqueId: optional(fc.string({ maxLength: 10 })) }),
        fc.jsonValue({ maxDepth: 2 }),
      )),
    }, { requiredKeys: ['contentType'] }),
    fc.jsonValue({ maxDepth: 2 }),
  );
}

const submitValue = fc.oneof(
  fc.record({
    action: fc.constantFrom('showProof', 'askAgain', 'evidencePack', 'captureToProve', 'ask', 'captureConfirm', 'captureCancel', 'captureStop', 'unknown', ''),
    verdictId: optional(fc.oneof(fc.string({ maxLength: 70 }), fc.integer(), fc.constant('../verdicts/x'))),
    jobId: optional(fc.oneof(fc.string({ maxLength: 70 }), fc.constant(null))),
    page: optional(fc.oneof(fc.integer({ min: -5, max: 2_000 }), fc.string({ maxLength: 5 }), fc.double())),
    text: optional(oddText),
    window: optional(oddText),
  }, { requiredKeys: ['action'] }),
  fc.jsonValue({ maxDepth: 3 }),
);

const mention = fc.record({
  type: fc.constantFrom('mention', 'clientInfo', ''),
  mentioned: optional(fc.record({ id: fc.oneof(fc.constant(BOT_ID), fc.string({ maxLength: 10 })), name: optional(fc.string({ maxLength: 10 })) }, { requiredKeys: [] })),
  text: optional(fc.constantFrom('<at>netproof</at>', '<at></at>', '')),
}, { requiredKeys: ['type'] });

/** Arbitrary activities; `serviceUrl` is always the loopback connector, so no reply leaves the machine. */
export function activityArbitrary(files: string): fc.Arbitrary<FuzzActivity> {
  const conversationType = fc.constantFrom('personal', 'channel', 'groupChat', 'other', '');
  return fc.record({
    type: fc.oneof({ weight: 6, arbitrary: fc.constant('message') }, { weight: 1, arbitrary: fc.constantFrom('conversationUpdate', 'invoke', 'messageReaction', 'event', 'typing', 'installationUpdate', 'endOfConversation', 'messageUpdate', 'messageDelete') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }),
    id: optional(fc.oneof(fc.string({ maxLength: 20 }), fc.uuid())),
    name: optional(fc.constantFrom('adaptiveCard/action', 'composeExtension/query', 'task/fetch', 'signin/verifyState', 'fileConsent/invoke', 'x')),
    channelId: optional(fc.constantFrom('msteams', 'emulator', 'webchat', '')),
    text: optional(messageText),
    textFormat: optional(fc.constantFrom('plain', 'markdown', 'xml', '')),
    localTimezone: optional(fc.oneof(fc.constantFrom('Europe/Berlin', 'UTC', '+02:00', 'Mars/Olympus', ''), fc.string({ maxLength: 10 }))),
    timestamp: optional(fc.oneof(fc.constant('2026-11-20T10:30:00Z'), fc.string({ maxLength: 12 }))),
    from: optional(fc.record({ id: fc.string({ maxLength: 12 }), name: optional(oddText), aadObjectId: optional(fc.oneof(fc.uuid(), fc.string({ maxLength: 8 }))) }, { requiredKeys: [] })),
    recipient: optional(fc.record({ id: fc.oneof(fc.constant(BOT_ID), fc.string({ maxLength: 8 })), name: optional(fc.string({ maxLength: 8 })) }, { requiredKeys: [] })),
    conversation: optional(fc.record({
      id: fc.oneof(fc.constantFrom('a:personal-fuzz', '19:general@thread.tacv2;messageid=1', '19:group@thread.v2'), fc.string({ minLength: 1, maxLength: 30 })),
      conversationType: optional(conversationType),
      tenantId: optional(fc.oneof(fc.constant(TENANT), fc.string({ maxLength: 8 }))),
      isGroup: optional(fc.boolean()),
    }, { requiredKeys: ['id'] })),
    entities: optional(fc.oneof(
      { weight: 4, arbitrary: fc.array(mention, { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.array(fc.oneof(fc.constant(null), fc.record({ mentioned: fc.record({ id: fc.constant(BOT_ID) }) }), fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }) },
      { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }))) },
    )),
    attachments: optional(fc.array(attachment(files), { maxLength: 3 })),
    value: optional(submitValue),
    channelData: optional(fc.oneof(
      fc.record({ tenant: optional(fc.record({ id: fc.oneof(fc.constant(TENANT), fc.string({ maxLength: 8 })) })), team: optional(fc.record({ id: fc.string({ maxLength: 8 }) })), channel: optional(fc.record({ id: fc.string({ maxLength: 8 }) })) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 2 }),
    )),
  }, { requiredKeys: ['type'] });
}

/** A connector recording what the bot posts (POST and PUT of activities), answering like Bot Service. */
async function startConnector(): Promise<{ url: string; posted: Partial<Activity>[]; server: Server }> {
  const posted: Partial<Activity>[] = [];
  let next = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: Partial<Activity> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Partial<Activity>;
      } catch {
        body = { type: 'unparseable' };
      }
      if (/\/activities/.test(request.url ?? '')) posted.push(body);
      next += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `activity-${next}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, posted, server };
}

/** Files the fuzzed uploads point at, on loopback. */
async function startFiles(): Promise<{ url: string; server: Server }> {
  const pcap = readFileSync(repositoryPath('test', 'fixtures', 'capture', 'tcp_refused.pcap'));
  const files: Record<string, Buffer> = { 'tcp_refused.pcap': pcap, 'garbage.pcap': Buffer.from('this is not a capture'), 'empty.pcapng': Buffer.alloc(0) };
  const server = createServer((request, response) => {
    const name = (request.url ?? '').replace(/^\/files\//, '');
    if (name === 'redirect.pcap') {
      response.writeHead(302, { location: 'https://example.com/elsewhere.pcap' }).end();
      return;
    }
    const body = files[name];
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A fetch that reaches loopback only (a fuzzed download URL must never leave the machine). */
const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.hostname !== '127.0.0.1') return Promise.reject(new TypeError(`fetch refused outside loopback: ${url.protocol}`));
  return fetch(url, { ...init, redirect: 'manual' });
};

/** A TestAdapter that continues conversations (botbuilder's does not). */
class ProactiveTestAdapter extends TestAdapter {
  override async continueConversationAsync(...args: unknown[]): Promise<void> {
    const reference = args[1] as Partial<ConversationReference>;
    const logic = args.at(-1) as (context: TurnContext) => Promise<void>;
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

function withinDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ActivityFuzzFailure(`${what} did not end within ${DEADLINE_IN_MS} ms`)), DEADLINE_IN_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** The running bot the target posts to. */
export interface ActivityFuzzBot {
  /** Where fuzzed uploads point (for `activityArbitrary`). */
  filesUrl: string;
  /** Posts one activity over HTTP and through the TestAdapter; throws on a bug. */
  check(activity: FuzzActivity): Promise<void>;
  /** HTTP statuses seen, by status. */
  statuses: Map<number, number>;
  /** POSTs a raw body to /api/messages; the status and the body of the answer. */
  postRaw(body: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** Starts the bot server (no app id, loopback), its connector and file server, and a TestAdapter twin. */
export async function startActivityFuzzBot(): Promise<ActivityFuzzBot> {
  const verdict = VerdictSchema.parse(JSON.parse(readFileSync(repositoryPath('test', 'golden', 'tcp-reset', 'verdict.json'), 'utf8')));
  const now = new Date('2026-11-20T10:30:00Z');
  // The verdict of a real scenario for questions that name addresses (the question text is the fuzzed one), else a clarification.
  const diagnose: Diagnoser = (request) => Promise.resolve(/\d+\.\d+\.\d+\.\d+/.test(request.text)
    ? {
      kind: 'verdict', verdict: { ...verdict, question: { ...verdict.question, text: request.text } },
      question: { ...verdict.question, text: request.text, serviceName: null, timeZone: 'UTC', via: [], followUp: false, assumptions: [] } as unknown as ParsedQuestion,
      timings: [], topology: null,
    }
    : { kind: 'clarify', code: 'question.missing-destination', message: `I could not tell the destination in "${request.text.slice(0, 200)}".`, candidates: ['vm-app01', 'vm-sql01'] });
  const logLines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _encoding, callback) { logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); callback(); } }));
  const analyzeCapture = createWorkerCaptureAnalyser({ limits: { maxPackets: 100_000 } });
  const services = (): BotServices => ({
    diagnose, analyzeCapture, artifacts: new MemoryArtifactStore(), storage: new MemoryStorage(), clock: { now: () => now }, logger, fetch: loopbackFetch,
  });
  const settings: Omit<BotSettings, 'appId' | 'publicUrl'> = {
    access: new AccessPolicy([TENANT], null), uploadLimitInBytes: 1024 * 1024, investigationsPerConversation: 2, investigations: 8,
    retentionInMs: 60 * 60 * 1000, redactEvidencePacks: false, explainTimeoutInMs: 1_000,
  };
  const connector = await startConnector();
  const files = await startFiles();
  const running: RunningBot = await startBotServer(services(), {
    ...settings, identity: { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' }, port: 0, sweepEveryInMs: 0,
  });
  const testAdapter = new ProactiveTestAdapter();
  const twin = new NetproofBot(services(), { ...settings, appId: '', publicUrl: 'http://127.0.0.1:9' }, testAdapter);
  const statuses = new Map<number, number>();

  const checkLog = (from: number) => {
    const failed = logLines.slice(from).filter((line) => /"msg":"(?:turn failed|turn work failed|request failed|could not deliver the answer)"/.test(line));
    ensure(failed.length === 0, `the bot logged a failure: ${failed[0]?.slice(0, 400) ?? ''}`);
  };

  return {
    filesUrl: files.url,
    statuses,
    async postRaw(raw) {
      const response = await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
      return { status: response.status, body: await response.text() };
    },
    async check(activity) {
      const body = { ...activity, serviceUrl: connector.url };
      const postedBefore = connector.posted.length;
      const logBefore = logLines.length;
      const response = await withinDeadline(fetch(`${running.url}/api/messages`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(DEADLINE_IN_MS),
      }), 'the HTTP request');
      const answer = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      ensure([200, 400, 401].includes(response.status), `answered ${response.status}: ${answer.slice(0, 200)}`);
      ensure(!STACK_TRACE.test(answer), `the HTTP answer shows a stack trace: ${answer.slice(0, 300)}`);
      await withinDeadline(running.bot.idle(), 'the work the request started');
      for (const posted of connector.posted.slice(postedBefore)) checkPosted(posted);

      // The same activity through the TestAdapter (its own defaults fill what is missing).
      testAdapter.activeQueue.length = 0;
      const twinLogBefore = logLines.length;
      if (typeof activity.type === 'string' && activity.type !== '') {
        const fixed = { ...activity, serviceUrl: 'http://127.0.0.1:9/' } as Partial<Activity>;
        await withinDeadline(testAdapter.processActivity(fixed, (context) => twin.run(context)), 'the TestAdapter turn');
        await withinDeadline(twin.idle(), 'the TestAdapter turn\'s work');
        // An invoke's answer is the HTTP response under CloudAdapter; the TestAdapter queues it as an activity.
        for (const posted of testAdapter.activeQueue.splice(0)) {
          if (posted.type === 'invokeResponse') {
            const status = (posted.value as { status?: unknown } | undefined)?.status;
            ensure(status === 200 || status === 400 || status === 401, `invoke answered ${String(status)}`);
            continue;
          }
          checkPosted(posted);
        }
      }
      checkLog(logBefore);
      checkLog(twinLogBefore);
    },
    async close() {
      await running.close();
      await twin.idle();
      for (const server of [connector.server, files.server]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/** The fuzz target over a started bot (bench/fuzz.ts starts one and closes it after the target). */
export function activityFuzzTarget(bot: ActivityFuzzBot, defaultRuns = 150): FuzzTarget<FuzzActivity> {
  return { name: 'activity-handler', arbitrary: activityArbitrary(bot.filesUrl), check: (activity) => bot.check(activity), defaultRuns };
}
