/**
 * Load benchmark, run on demand (`npm run bench:load`), never in the test run; loopback only.
 *
 * The bot server in this process over the built-in lab (every scenario, the scenario picker, the
 * real pipeline; the lab's emulator in a child process, as Azure is elsewhere), replies going to a
 * recording connector on 127.0.0.1. NETPROOF_LOAD_CONVERSATIONS conversations (default 60) talk at
 * once, each like a user: it sends a message, waits for its answer, sends the next,
 * NETPROOF_LOAD_MESSAGES messages each (default 100; so 6,000 in all),
 * stopping early after NETPROOF_LOAD_SECONDS (default 300). Messages mix scenario questions (each
 * scenario's own; 3 in 10), "help" and "scenarios". It reports:
 * - acknowledgement latency (POST to the first message at the connector: the "Looking at…" note of
 *   a question, the card of help): p50, p95, p99;
 * - verdict latency (POST to the update that replaces the acknowledgement), p50, p95, p99;
 * - HTTP errors, messages lost (no answer within 60 s of the end) or answered twice (two updates of
 *   one acknowledgement, or two acknowledgements of one message): both must be 0 (exit code 1 otherwise);
 * - RSS before (after warm-up and GC), at peak (sampled every 50 ms), after the load with GC (state
 *   and evidence packs still held, as for 7 days in production), and after the retention sweep + GC.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, release } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryStorage } from 'botbuilder';
import pino from 'pino';
import { MemoryArtifactStore } from '../src/azure/artifacts.js';
import { AccessPolicy } from '../src/bot/access.js';
import { INVESTIGATING_TEXT } from '../src/bot/cards.js';
import { startBotServer } from '../src/bot/server.js';
import { createWorkerCaptureAnalyser } from '../src/bot/uploads.js';
import { parseConfig } from '../src/config.js';
import type { Diagnoser } from '../src/diagnose/diagnose.js';
import { botEstatesOf, createRuntime } from '../src/main.js';

const CONVERSATIONS = Number(process.env.NETPROOF_LOAD_CONVERSATIONS ?? 60);
const MESSAGES = Number(process.env.NETPROOF_LOAD_MESSAGES ?? 100);
const SECONDS = Number(process.env.NETPROOF_LOAD_SECONDS ?? 300);
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ANSWER_TIMEOUT_IN_MS = 60_000;
const RETENTION_IN_MS = 7 * 24 * 3_600_000;

const gc = (globalThis as { gc?: () => void }).gc;
const rssInMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const heapInMb = () => Math.round(process.memoryUsage().heapUsed / 1024 / 1024);
/** The parts of RSS that Node can name: V8's committed heap, and memory outside it (Buffers, ArrayBuffers). */
const partsInMb = () => {
  const usage = process.memoryUsage();
  return `heap committed ${Math.round(usage.heapTotal / 1024 / 1024)} MB, external ${Math.round(usage.external / 1024 / 1024)} MB (array buffers ${Math.round(usage.arrayBuffers / 1024 / 1024)} MB)`;
};
async function collect(): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    gc?.();
    await sleep(100);
  }
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** One message as sent, and what the connector saw of it. */
interface Sent {
  id: string;
  kind: 'question' | 'help' | 'scenarios';
  text: string;
  at: number;
  /** Connector ids of the acknowledgements (the bot's first non-typing POST replying to it). */
  acknowledgements: string[];
  acknowledgedAt: number | null;
  /** Updates of its acknowledgement (the verdict). */
  updates: number;
  answeredAt: number | null;
}

const sent = new Map<string, Sent>();
/** Acknowledgement id at the connector -> message id. */
const acknowledgementOf = new Map<string, string>();
const waiters = new Map<string, () => void>();
let connectorCalls = 0;

async function startConnector(): Promise<Server> {
  let next = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      connectorCalls += 1;
      next += 1;
      const match = /^\/v3\/conversations\/[^/]+\/activities(?:\/([^/?]+))?/.exec(request.url ?? '');
      const pathId = match?.[1] ? decodeURIComponent(match[1]) : null;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { type?: string; text?: string; replyToId?: string };
      const now = performance.now();
      let id = `c${next}`;
      if (request.method === 'PUT' && pathId) {
        id = pathId;
        const message = sent.get(acknowledgementOf.get(pathId) ?? '');
        if (message) {
          message.updates += 1;
          message.answeredAt ??= now;
          waiters.get(message.id)?.();
        }
      } else if (request.method === 'POST' && body.type === 'message') {
        const message = sent.get(body.replyToId ?? pathId ?? '');
        // The first message replying to a question is its acknowledgement; the card after the verdict replies too.
        if (message && message.acknowledgedAt === null) {
          message.acknowledgedAt = now;
          message.acknowledgements.push(id);
          acknowledgementOf.set(id, message.id);
          if (message.kind !== 'question' || body.text !== INVESTIGATING_TEXT) {
            // help and scenarios are answered in the turn; a question refused by a limit too.
            message.answeredAt = now;
            message.updates += 1;
            waiters.get(message.id)?.();
          }
        } else if (message && message.kind === 'question' && body.text === INVESTIGATING_TEXT) {
          message.acknowledgements.push(id);
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

// The built-in scenarios from the source tree (this file runs compiled, from .bench-out/bench/).
const SCENARIOS = resolve(import.meta.dirname, '..', '..', 'src', 'lab', 'scenarios');
const directories = readdirSync(SCENARIOS).map((name) => join(SCENARIOS, name)).filter((directory) => existsSync(join(directory, 'scenario.json'))).sort();
// The lab in a child process: this process holds the bot alone, as beside Azure (the emulator's KQL engine would otherwise share its event loop).
const runtime = await createRuntime(parseConfig({}), { scenarioDirectories: directories, frozenClock: true, labProcess: true });
const estates = botEstatesOf(runtime, { assistants: false });
const questions = estates.list.map((estate) => estate.example).filter((question): question is string => typeof question === 'string');
const diagnose: Diagnoser = async (request) => (await estates.select(request.text)).diagnose(request);
const connector = await startConnector();
const connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
const artifacts = new MemoryArtifactStore();
const bot = await startBotServer({
  diagnose, estates, analyzeCapture: createWorkerCaptureAnalyser({ limits: {} }), artifacts, storage: new MemoryStorage(),
  clock: { now: () => new Date() }, logger: pino({ level: 'silent' }),
}, {
  identity: { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
  port: 0, access: new AccessPolicy([TENANT], null), uploadLimitInBytes: 200 * 1024 * 1024, investigationsPerConversation: 2,
  investigations: Math.max(32, CONVERSATIONS), retentionInMs: RETENTION_IN_MS, redactEvidencePacks: false, explainTimeoutInMs: 1_000, sweepEveryInMs: 0,
});

let httpErrors = 0;
let sequence = 0;
async function send(conversation: string, kind: Sent['kind'], text: string): Promise<void> {
  sequence += 1;
  const id = `m${sequence}`;
  const message: Sent = { id, kind, text, at: performance.now(), acknowledgements: [], acknowledgedAt: null, updates: 0, answeredAt: null };
  sent.set(id, message);
  const answered = new Promise<void>((resolve) => waiters.set(id, resolve));
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id, channelId: 'msteams', serviceUrl: connectorUrl, text, timestamp: new Date().toISOString(),
      from: { id: `29:${conversation}`, aadObjectId: `user-${conversation}` }, recipient: { id: '28:bot', name: 'netproof' },
      conversation: { id: conversation, conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT } },
    }),
  }).catch(() => null);
  await response?.arrayBuffer();
  if (response?.status !== 200) {
    httpErrors += 1;
    waiters.delete(id);
    return;
  }
  await Promise.race([answered, sleep(ANSWER_TIMEOUT_IN_MS)]);
  waiters.delete(id);
}

async function conversation(index: number, deadline: number): Promise<void> {
  const name = `a:load-${index}`;
  for (let message = 0; message < MESSAGES && performance.now() < deadline; message += 1) {
    const pick = (index * 7 + message * 13) % 10;
    if (pick < 3) await send(name, 'question', questions[(index + message) % questions.length] ?? 'help');
    else if (pick < 7) await send(name, 'help', 'help');
    else await send(name, 'scenarios', 'scenarios');
  }
}

// Warm-up: every scenario's question once (the KQL language service, the estates' first reads).
for (const [index, question] of questions.entries()) await send(`a:warm-${index}`, 'question', question);
await bot.bot.idle();
const warmUp = sent.size;
await collect();
const before = rssInMb();
const partsBefore = partsInMb();
const heapBefore = heapInMb();
let peak = before;
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const sampler = setInterval(() => { peak = Math.max(peak, rssInMb()); }, 50);

const started = performance.now();
await Promise.all(Array.from({ length: CONVERSATIONS }, (_unused, index) => conversation(index, started + SECONDS * 1000)));
const wallInSeconds = (performance.now() - started) / 1000;
await bot.bot.idle();
clearInterval(sampler);
loop.disable();
peak = Math.max(peak, rssInMb());
await collect();
const after = rssInMb();
const heapAfter = heapInMb();
const swept = await artifacts.sweep(new Date(Date.now() + RETENTION_IN_MS + 60_000));
await collect();
const afterSweep = rssInMb();
const partsAfterSweep = partsInMb();
const heapAfterSweep = heapInMb();

const measured = [...sent.values()].slice(warmUp);
const lost = measured.filter((message) => message.answeredAt === null);
const twice = measured.filter((message) => message.updates > 1 || message.acknowledgements.length > 1);
const acknowledgement = measured.filter((message) => message.acknowledgedAt !== null).map((message) => (message.acknowledgedAt ?? 0) - message.at);
const verdicts = measured.filter((message) => message.kind === 'question' && message.answeredAt !== null && message.acknowledgements.length > 0).map((message) => (message.answeredAt ?? 0) - message.at);
const ms = (value: number) => `${value.toFixed(0)} ms`;
// When the slowest acknowledgements happened (seconds into the load) and of what: a burst, or spread out.
const slowestAcknowledgements = measured.filter((message) => message.acknowledgedAt !== null)
  .sort((left, right) => ((right.acknowledgedAt ?? 0) - right.at) - ((left.acknowledgedAt ?? 0) - left.at)).slice(0, 5)
  .map((message) => `${ms((message.acknowledgedAt ?? 0) - message.at)} (${message.kind} at +${((message.at - started) / 1000).toFixed(1)} s)`).join(', ');
const settled = measured.filter((message) => message.acknowledgedAt !== null && message.at - started > 5_000).map((message) => (message.acknowledgedAt ?? 0) - message.at);
// The slowest questions by their median verdict latency: where the verdict's tail comes from.
const byQuestion = new Map<string, number[]>();
for (const message of measured) {
  if (message.kind !== 'question' || message.answeredAt === null) continue;
  byQuestion.set(message.text, [...(byQuestion.get(message.text) ?? []), message.answeredAt - message.at]);
}
const slowest = [...byQuestion].map(([text, values]) => ({ text, median: percentile(values, 0.5), count: values.length }))
  .sort((left, right) => right.median - left.median).slice(0, 5);
const triple = (values: number[]) => `p50 ${ms(percentile(values, 0.5))}, p95 ${ms(percentile(values, 0.95))}, p99 ${ms(percentile(values, 0.99))}, max ${ms(Math.max(...values))}`;

// glibc keeps freed memory for reuse unless told to give it back (see the README's memory note); say which was measured.
const allocator = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'].map((name) => `${name}=${process.env[name] ?? '(glibc default)'}`).join(' ');
process.stdout.write([
  `netproof load benchmark (${new Date().toISOString()}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()}, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}${gc ? '' : ', no --expose-gc: RSS after is without forced GC'})`,
  `allocator: ${allocator}; the lab runs in a child process, not counted here`,
  `${CONVERSATIONS} conversations at once over ${estates.list.length} lab scenarios, ${measured.length} messages (${measured.filter((message) => message.kind === 'question').length} questions) in ${wallInSeconds.toFixed(1)} s (${(measured.length / wallInSeconds).toFixed(1)} messages/s), ${connectorCalls} connector calls`,
  `acknowledgement: ${triple(acknowledgement)}; the slowest ${slowestAcknowledgements}`,
  `acknowledgement of the messages sent after the first 5 s (past the opening burst of all ${CONVERSATIONS} conversations at once): ${triple(settled)}`,
  `verdict:         ${triple(verdicts)}`,
  `slowest questions (median verdict): ${slowest.map((entry) => `${ms(entry.median)} x${entry.count} "${entry.text.slice(0, 60)}"`).join('; ')}`,
  `HTTP errors: ${httpErrors}; lost: ${lost.length}; answered twice: ${twice.length}`,
  `event-loop delay during the load: p50 ${ms(loop.percentile(50) / 1e6)}, p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)}`,
  `V8 heap used: before ${heapBefore} MB, after with GC ${heapAfter} MB, after the sweep and GC ${heapAfterSweep} MB`,
  `before: ${partsBefore}; after the sweep: ${partsAfterSweep}`,
  `RSS: before ${before} MB, peak ${peak} MB, after with GC ${after} MB (state and evidence packs held), after the retention sweep (${swept} artifacts) and GC ${afterSweep} MB`,
  '',
].join('\n'));
await bot.close();
connector.closeAllConnections();
connector.close();
await runtime.close();
process.exitCode = lost.length + twice.length + httpErrors > 0 ? 1 : 0;
