/**
 * Bot benchmark, run on demand (`npm run bench:bot`), never in the test run.
 *
 * The bot server over the real pipeline (lab scenario rdp-remote-site, the lab in a child process as
 * `netproof start` runs it) and a recording
 * connector on loopback, as in test/bot/http.test.ts. It measures:
 * - the HTTP turn (POST /api/messages until 200), the acknowledgement and the verdict
 *   (the PUT that replaces it), one question at a time, then NETPROOF_BENCH_CONCURRENT at once;
 * - an upload of the corpus's large capture (gzip pcapng) to its capture card, and the
 *   event loop's delay meanwhile, beside the same analysis run in the main thread (which
 *   is what the worker thread spares the bot);
 * - then two questions in the same conversation that refer to the upload ("why does the capture
 *   fail?", then the lab's question naming a flow the estate knows): the stored report is read
 *   back and the pipeline takes it as evidence; the event loop's delay meanwhile.
 * Figures are medians and 95th percentiles over NETPROOF_BENCH_RUNS questions (default 30).
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, release } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MemoryStorage } from 'botbuilder';
import pino from 'pino';
import { MemoryArtifactStore } from '../src/azure/artifacts.js';
import { AccessPolicy } from '../src/bot/access.js';
import { startBotServer } from '../src/bot/server.js';
import { createWorkerCaptureAnalyser } from '../src/bot/uploads.js';
import { analyzeCapture } from '../src/capture/index.js';
import { parseConfig } from '../src/config.js';
import type { Diagnoser } from '../src/diagnose/diagnose.js';
import { createRuntime, selectEstate } from '../src/main.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUNS = Number(process.env.NETPROOF_BENCH_RUNS ?? 30);
const CONCURRENT = Number(process.env.NETPROOF_BENCH_CONCURRENT ?? 16);
const LARGE = resolve(ROOT, '..', 'shared', 'corpus', 'large', 'large_http_load.pcapng.gz');
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const QUESTION = "why can't 192.168.10.5 RDP to vm-app01?";

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** What the bot sent, as far as the figures need it. */
interface Sent { text?: string; attachments?: { content?: { body?: { text?: unknown }[] } }[] }
/** The activity's text, else its first card's text blocks. */
const textOf = (sent: Sent): string => (sent.text !== undefined && sent.text !== '' ? sent.text : undefined)
  ?? (sent.attachments?.[0]?.content?.body ?? []).flatMap((element) => typeof element.text === 'string' ? [element.text] : []).join(' / ');

/** Records connector calls with their arrival time and text. */
async function startConnector(): Promise<{ url: string; calls: { method: string; conversation: string; at: number; text: string }[]; close(): void }> {
  const calls: { method: string; conversation: string; at: number; text: string }[] = [];
  let next = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const conversation = decodeURIComponent(/^\/v3\/conversations\/([^/]+)/.exec(request.url ?? '')?.[1] ?? '');
      const body = Buffer.concat(chunks).toString('utf8');
      const text = body.startsWith('{') ? textOf(JSON.parse(body) as Sent) : '';
      calls.push({ method: request.method ?? '', conversation, at: performance.now(), text });
      next += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `a${next}` }));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, calls, close: () => server.close() };
}

function activity(conversation: string, text: string, serviceUrl: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'message', id: `${conversation}-${Math.random().toString(36).slice(2)}`, channelId: 'msteams', serviceUrl, text,
    from: { id: '29:u', aadObjectId: 'u' }, recipient: { id: '28:bot', name: 'netproof' },
    conversation: { id: conversation, conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT } }, ...extra,
  });
}

async function waitFor(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((done) => setTimeout(done, 1));
}

const runtime = await createRuntime(parseConfig({}), { scenarioDirectories: [join(ROOT, 'src', 'lab', 'scenarios', 'rdp-remote-site')], frozenClock: true, labProcess: true });
const diagnose: Diagnoser = async (request) => (await selectEstate(runtime, request.text)).diagnose(request);
const connector = await startConnector();
const analyser = createWorkerCaptureAnalyser({ limits: {} });
const bot = await startBotServer({
  diagnose, analyzeCapture: analyser, artifacts: new MemoryArtifactStore(), storage: new MemoryStorage(),
  clock: { now: () => new Date() }, logger: pino({ level: 'silent' }),
}, {
  identity: { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
  port: 0, access: new AccessPolicy([TENANT], null), uploadLimitInBytes: 1024 ** 3, investigationsPerConversation: 2,
  investigations: Math.max(32, CONCURRENT), retentionInMs: 3_600_000, redactEvidencePacks: false, explainTimeoutInMs: 1_000, sweepEveryInMs: 0,
});

async function ask(conversation: string): Promise<{ turn: number; acknowledgement: number; verdict: number }> {
  const start = performance.now();
  const response = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity(conversation, QUESTION, connector.url) });
  const turn = performance.now() - start;
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  await waitFor(() => connector.calls.some((call) => call.conversation === conversation && call.method === 'PUT'));
  const ours = connector.calls.filter((call) => call.conversation === conversation);
  const acknowledgement = (ours.filter((call) => call.method === 'POST')[1]?.at ?? Number.NaN) - start;
  const verdict = (ours.find((call) => call.method === 'PUT')?.at ?? Number.NaN) - start;
  return { turn, acknowledgement, verdict };
}

await ask('warm-up');
const sequential: { turn: number; acknowledgement: number; verdict: number }[] = [];
for (let index = 0; index < RUNS; index += 1) sequential.push(await ask(`sequential-${index}`));
const concurrentStart = performance.now();
const concurrent = await Promise.all(Array.from({ length: CONCURRENT }, (_unused, index) => ask(`concurrent-${index}`)));
const concurrentWall = performance.now() - concurrentStart;

// The large capture: through the bot (worker thread) while watching the event loop, then in the main thread.
const large = readFileSync(LARGE);
const files = createServer((_request, response) => {
  response.writeHead(200, { 'content-length': large.length }).end(large);
});
await new Promise<void>((done) => files.listen(0, '127.0.0.1', done));
const fileUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/large_http_load.pcapng.gz`;
const loop = monitorEventLoopDelay({ resolution: 10 });
/** Starts watching the event loop; the first delay counts only once the monitor's timer has ticked. */
async function watchLoop(): Promise<void> {
  loop.reset();
  loop.enable();
  await new Promise((done) => setTimeout(done, 50));
}
await watchLoop();
const uploadStart = performance.now();
await fetch(`${bot.url}/api/messages`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: activity('upload', '', connector.url, { attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'large_http_load.pcapng.gz', content: { downloadUrl: fileUrl, fileType: 'gz' } }] }),
});
await waitFor(() => connector.calls.some((call) => call.conversation === 'upload' && call.method === 'PUT'));
const uploadSeconds = (performance.now() - uploadStart) / 1000;
loop.disable();
const workerLoopMax = loop.max / 1e6;
const workerLoopP99 = loop.percentile(99) / 1e6;
/** A later question in the conversation of the upload, to its answer, with the event loop's delay meanwhile. */
async function askAboutUpload(text: string): Promise<{ text: string; seconds: number; loopMax: number; loopP99: number; answer: string }> {
  const puts = () => connector.calls.filter((call) => call.conversation === 'upload' && call.method === 'PUT');
  const before = puts().length;
  await watchLoop();
  const start = performance.now();
  await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: activity('upload', text, connector.url) });
  await waitFor(() => puts().length > before);
  const seconds = (performance.now() - start) / 1000;
  loop.disable();
  return { text, seconds, loopMax: loop.max / 1e6, loopP99: loop.percentile(99) / 1e6, answer: puts().at(-1)?.text ?? '' };
}
// The report is read back and becomes evidence. The capture's flows are not in the estate: the answer is a clarification.
const captureQuestion = await askAboutUpload('why does the capture fail?');
// A flow the estate knows, with the capture as evidence: a verdict that carries the whole report.
const flowQuestion = await askAboutUpload(`${QUESTION} see the capture`);
await watchLoop();
const inProcessStart = performance.now();
const report = await analyzeCapture(LARGE);
const inProcessSeconds = (performance.now() - inProcessStart) / 1000;
loop.disable();

const megabytes = statSync(LARGE).size / 1e6;
const lines = [
  `netproof bot benchmark (${new Date().toISOString()}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Linux ${release()})`,
  '',
  `One question at a time (${RUNS} runs, lab scenario rdp-remote-site, real pipeline):`,
  `  HTTP turn (POST /api/messages to 200):     median ${ms(percentile(sequential.map((run) => run.turn), 0.5))}, p95 ${ms(percentile(sequential.map((run) => run.turn), 0.95))}`,
  `  acknowledgement at the connector:          median ${ms(percentile(sequential.map((run) => run.acknowledgement), 0.5))}, p95 ${ms(percentile(sequential.map((run) => run.acknowledgement), 0.95))}`,
  `  verdict (PUT replacing the acknowledgement): median ${ms(percentile(sequential.map((run) => run.verdict), 0.5))}, p95 ${ms(percentile(sequential.map((run) => run.verdict), 0.95))}`,
  '',
  `${CONCURRENT} questions at once, in ${CONCURRENT} conversations:`,
  `  HTTP turn: median ${ms(percentile(concurrent.map((run) => run.turn), 0.5))}, max ${ms(Math.max(...concurrent.map((run) => run.turn)))}`,
  `  verdict:   median ${ms(percentile(concurrent.map((run) => run.verdict), 0.5))}, max ${ms(Math.max(...concurrent.map((run) => run.verdict)))}; all answered in ${ms(concurrentWall)}`,
  '',
  `Upload of the corpus's large capture (${megabytes.toFixed(1)} MB gzip pcapng, ${report.input.packets} packets):`,
  `  to the capture card (download + worker analysis + store): ${uploadSeconds.toFixed(2)} s`,
  `  event-loop delay meanwhile (worker thread):  p99 ${ms(workerLoopP99)}, max ${ms(workerLoopMax)}`,
  ...[captureQuestion, flowQuestion].flatMap((run) => [
    `  then "${run.text}" in the same conversation, to its answer: ${run.seconds.toFixed(2)} s`,
    `    event-loop delay meanwhile (report read back, pipeline with it as evidence): p99 ${ms(run.loopP99)}, max ${ms(run.loopMax)}`,
    `    its answer: ${JSON.stringify(run.answer.slice(0, 90))}`,
  ]),
  `  same analysis in the main thread: ${inProcessSeconds.toFixed(2)} s, event-loop delay p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
files.close();
connector.close();
await bot.close();
await runtime.close();
