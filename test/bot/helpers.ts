/**
 * Shared pieces of the bot tests: the real pipeline over the lab, Teams-shaped
 * activities, a TestAdapter that can continue conversations, a log sink, the Adaptive
 * Cards parser, and a loopback file server for uploads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MemoryStorage, TestAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import pino, { type Logger } from 'pino';
import { expect } from 'vitest';
import { MemoryArtifactStore } from '../../src/azure/artifacts.js';
import { AccessPolicy } from '../../src/bot/access.js';
import type { BotServices, BotSettings } from '../../src/bot/bot.js';
import { createWorkerCaptureAnalyser } from '../../src/bot/uploads.js';
import { parseConfig } from '../../src/config.js';
import type { Diagnoser } from '../../src/diagnose/diagnose.js';
import { CARD_BYTE_LIMIT } from '../../src/report/adaptive-card.js';
import { createRuntime, selectEstate, type Runtime } from '../../src/main.js';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const USER_AAD = '6b1c2d3e-0000-4000-8000-000000000001';
export const BOT_ID = '28:netproof-bot';
export const SCENARIOS = join(import.meta.dirname, '..', '..', 'src', 'lab', 'scenarios');
export const CAPTURES = join(import.meta.dirname, '..', 'fixtures', 'capture');

/** The real pipeline over the lab, with the scenarios' frozen clocks. */
export async function startPipeline(scenarios: string[] = ['rdp-remote-site']): Promise<{ runtime: Runtime; diagnose: Diagnoser; now: () => Date }> {
  const runtime = await createRuntime(parseConfig({}), { scenarioDirectories: scenarios.map((name) => join(SCENARIOS, name)), frozenClock: true });
  const diagnose: Diagnoser = async (request) => (await selectEstate(runtime, request.text)).diagnose(request);
  const first = runtime.estates[0];
  if (!first) throw new Error('no estate');
  return { runtime, diagnose, now: () => first.now() };
}

/** A pino logger writing JSON lines into an array. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A gate a test opens when it wants a slow source to answer. */
export function gate(): { wait: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { wait, open };
}

/** Settings with test-friendly defaults. */
export function testSettings(overrides: Partial<BotSettings> = {}): BotSettings {
  return {
    appId: '',
    publicUrl: 'http://127.0.0.1:9',
    access: new AccessPolicy([TENANT], null),
    uploadLimitInBytes: 10 * 1024 * 1024,
    investigationsPerConversation: 2,
    investigations: 8,
    retentionInMs: 60 * 60 * 1000,
    redactEvidencePacks: false,
    explainTimeoutInMs: 2_000,
    ...overrides,
  };
}

/** Services around a diagnoser: memory stores, the worker analyser, a log sink. */
export function testServices(diagnose: Diagnoser, now: () => Date, overrides: Partial<BotServices> = {}): BotServices & { lines: string[] } {
  const { logger, lines } = memoryLogger();
  return {
    diagnose,
    analyzeCapture: createWorkerCaptureAnalyser({ limits: { maxPackets: 1_000_000 } }),
    artifacts: new MemoryArtifactStore(),
    storage: new MemoryStorage(),
    clock: { now },
    logger,
    lines,
    ...overrides,
  };
}

/** A TestAdapter that also continues conversations (botbuilder's does not). */
export class ProactiveTestAdapter extends TestAdapter {
  /** References the bot continued, in order. */
  readonly continued: Partial<ConversationReference>[] = [];

  override async continueConversationAsync(...args: unknown[]): Promise<void> {
    const reference = args[1] as Partial<ConversationReference>;
    const logic = args.at(-1) as (context: TurnContext) => Promise<void>;
    this.continued.push(reference);
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}

let sequence = 0;

/** Teams-shaped activities. */
export const teams = {
  personal(text: string, extra: Partial<Activity> = {}): Partial<Activity> {
    sequence += 1;
    return {
      type: 'message', id: `1700000000${String(sequence).padStart(3, '0')}`, channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/',
      text, textFormat: 'plain', localTimezone: 'Europe/Berlin',
      from: { id: '29:user-1', name: 'Jürgen Öztürk', aadObjectId: USER_AAD },
      recipient: { id: BOT_ID, name: 'netproof' },
      conversation: { id: 'a:personal-chat-1', conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
      channelData: { tenant: { id: TENANT } },
      ...extra,
    };
  },
  channel(text: string, options: { mention?: boolean; threadId?: string; recipient?: boolean } = {}, extra: Partial<Activity> = {}): Partial<Activity> {
    sequence += 1;
    const id = `1700000100${String(sequence).padStart(3, '0')}`;
    const mention = options.mention ?? true;
    const thread = options.threadId ?? id;
    return {
      type: 'message', id, channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/',
      text: mention ? `<at>netproof</at> ${text}` : text, textFormat: 'plain',
      from: { id: '29:user-1', name: 'Jürgen Öztürk', aadObjectId: USER_AAD },
      ...(options.recipient === false ? {} : { recipient: { id: BOT_ID, name: 'netproof' } }),
      conversation: { id: `19:general@thread.tacv2;messageid=${thread}`, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: '' },
      entities: mention ? [{ type: 'mention', mentioned: { id: BOT_ID, name: 'netproof' }, text: '<at>netproof</at>' }] : [],
      channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2', aadGroupId: 'team-group-1' }, channel: { id: '19:general@thread.tacv2' } },
      ...extra,
    };
  },
  groupChat(text: string, options: { mention?: boolean } = {}): Partial<Activity> {
    sequence += 1;
    const mention = options.mention ?? true;
    return {
      type: 'message', id: `1700000200${String(sequence).padStart(3, '0')}`, channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/',
      text: mention ? `<at>netproof</at> ${text}` : text,
      from: { id: '29:user-1', name: 'Jürgen Öztürk', aadObjectId: USER_AAD },
      recipient: { id: BOT_ID, name: 'netproof' },
      conversation: { id: '19:group-chat-1@thread.v2', conversationType: 'groupChat', tenantId: TENANT, isGroup: true, name: '' },
      entities: mention ? [{ type: 'mention', mentioned: { id: BOT_ID, name: 'netproof' }, text: '<at>netproof</at>' }] : [],
      channelData: { tenant: { id: TENANT } },
    };
  },
  /** A file sent in personal chat, as Teams delivers it. */
  file(name: string, downloadUrl: string, extra: Partial<Activity> = {}): Partial<Activity> {
    const fileType = /\.([^.]+)$/.exec(name)?.[1] ?? '';
    return teams.personal('', {
      attachments: [{
        contentType: 'application/vnd.microsoft.teams.file.download.info',
        contentUrl: `https://contoso-my.sharepoint.com/personal/user/Documents/Microsoft Teams Chat Files/${name}`,
        name,
        content: { downloadUrl, uniqueId: '1150D938-8870-4044-9F2C-5BBDEBA70C9D', fileType, etag: '123' },
      }],
      ...extra,
    });
  },
};

const require = createRequire(import.meta.url);
const AdaptiveCards = require('adaptivecards/dist/adaptivecards.js') as {
  AdaptiveCard: new () => { parse(json: unknown, context: unknown): void; validateProperties(): { validationEvents: { message: string }[] } };
  SerializationContext: new () => { eventCount: number; getEventAt(index: number): { message: string } };
};

/** Parses a card with the Adaptive Cards SDK; fails on any parse or validation event, or over the size cap. */
export function expectValidCard(card: unknown): void {
  const parsed = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext();
  parsed.parse(card, context);
  const parseEvents = Array.from({ length: context.eventCount }, (_unused, index) => context.getEventAt(index).message);
  expect(parseEvents).toEqual([]);
  expect(parsed.validateProperties().validationEvents.map((event) => event.message)).toEqual([]);
  expect((card as { version?: string }).version).toBe('1.5');
  expect(Buffer.byteLength(JSON.stringify(card), 'utf8')).toBeLessThanOrEqual(CARD_BYTE_LIMIT);
}

/** The Adaptive Cards of an activity. */
export function cardsOf(activity: Partial<Activity> | undefined): Record<string, unknown>[] {
  return (activity?.attachments ?? [])
    .filter((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')
    .map((attachment) => attachment.content as Record<string, unknown>);
}

/** Every string in a JSON value, joined (to look for words in a card). */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join(' ');
  if (value && typeof value === 'object') return Object.values(value).map(textOf).join(' ');
  return '';
}

/** A loopback file server: `/files/<name>` from a map (a `location` answers 302); records request headers. */
export async function startFileServer(files: Map<string, { body: Buffer; contentLength?: number | null; location?: string }>): Promise<{ url: string; requests: IncomingMessage['headers'][]; close(): Promise<void> }> {
  const requests: IncomingMessage['headers'][] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(request.headers);
    const name = decodeURIComponent((request.url ?? '').replace(/^\/files\//, '').split('?')[0] ?? '');
    const file = files.get(name);
    if (!file) {
      response.writeHead(404).end('not found');
      return;
    }
    if (file.location) {
      response.writeHead(302, { location: file.location }).end();
      return;
    }
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
    if (file.contentLength !== null) headers['content-length'] = file.contentLength ?? file.body.length;
    response.writeHead(200, headers);
    // Chunked writes, so a limit is hit mid-stream rather than on one buffer.
    let offset = 0;
    const pump = () => {
      while (offset < file.body.length) {
        const chunk = file.body.subarray(offset, offset + 16 * 1024);
        offset += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    response.on('error', () => undefined);
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
