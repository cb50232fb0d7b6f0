/**
 * Secrets in the bot's own output. The bot server runs end to end over the lab with a canary in
 * every secret setting (the bot's app password, the OpenAI and Azure OpenAI keys, a storage
 * connection string) and in the download URL of an upload (Teams' links carry a token): a question
 * answered through the LLM assistant (the real openai client against the scripted server, which
 * receives the canary key), "Show the proof", the evidence pack fetched over HTTP, an upload, and a
 * packet capture confirmed in the lab whose result is posted back. Every pino line the bot logs
 * (with the redaction `netproof start` configures), every activity it posts to the recording
 * connector, every HTTP answer and the evidence pack are scanned: no canary, and no Azurite account
 * key, appears anywhere. The same log shows that each turn's lines share one correlation id.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MemoryStorage, type Activity } from 'botbuilder';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryArtifactStore } from '../../src/azure/artifacts.js';
import { AccessPolicy } from '../../src/bot/access.js';
import type { BotEstates } from '../../src/bot/bot.js';
import { BotCaptureNotifier } from '../../src/bot/capture-notifier.js';
import { startBotServer, type RunningBot } from '../../src/bot/server.js';
import { createWorkerCaptureAnalyser } from '../../src/bot/uploads.js';
import { parseConfig } from '../../src/config.js';
import { accountKey, DEVELOPMENT_ACCOUNT } from '../../src/lab/azurite.js';
import type { ManualClock } from '../../src/lab/index.js';
import { botEstatesOf, createRuntime, type Runtime } from '../../src/main.js';
import { APPROVER, LabScheduler, engine, runUntil } from '../capture-jobs/helpers.js';
import { loadScript, startScriptedServer, type ScriptedServer } from '../llm/scripted-server.js';
import { CAPTURES, SCENARIOS, TENANT, teams } from '../bot/helpers.js';
import { CANARIES, SECRET_ENVIRONMENT } from './canaries.js';

const QUESTION = "why can't vm-web03 connect to SQL on 10.42.1.4 port 1433 since 09:00 UTC today?";
const DOWNLOAD_TOKEN = 'canary-download-token-e41b07';

/** The logger `netproof start` builds (src/cli/start.ts), writing into an array. */
function startLogger(lines: string[]) {
  return pino({
    level: 'debug',
    base: { service: 'netproof' },
    redact: { paths: ['*.headers.authorization', '*.headers.Authorization', '*.request', '*.response', '*.downloadUrl', '*.*.downloadUrl'], censor: '[redacted]' },
  }, new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  }));
}

interface Recorded { method: string; url: string; body: Partial<Activity>; raw: string }

async function startConnector(): Promise<{ url: string; recorded: Recorded[]; server: Server }> {
  const recorded: Recorded[] = [];
  let next = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw || '{}') as Partial<Activity>;
      // As Teams does: an update may not turn one message into two.
      if (request.method === 'PUT' && body.text && (body.attachments?.length ?? 0) > 0) {
        response.writeHead(400).end();
        return;
      }
      recorded.push({ method: request.method ?? '', url: request.url ?? '', body, raw });
      next += 1;
      const id = request.method === 'PUT' ? decodeURIComponent(/\/activities\/([^/?]+)/.exec(request.url ?? '')?.[1] ?? '') : `activity-${next}`;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, recorded, server };
}

async function startFiles(): Promise<{ url: string; server: Server; requests: string[] }> {
  const pcap = readFileSync(join(CAPTURES, 'tcp_refused.pcap'));
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-length': pcap.length }).end(pcap);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

let scripted: ScriptedServer;
let runtime: Runtime;
let estates: BotEstates;
let connector: Awaited<ReturnType<typeof startConnector>>;
let files: Awaited<ReturnType<typeof startFiles>>;
let bot: RunningBot;
const logLines: string[] = [];
const httpAnswers: string[] = [];
let evidencePack = '';
let secrets: [string, string][] = [];

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`not reached: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function post(activity: Partial<Activity>): Promise<void> {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...activity, serviceUrl: connector.url }),
  });
  httpAnswers.push(`${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`);
  expect(response.status).toBe(200);
  await bot.bot.idle();
}

const cardActions = (recorded: Recorded | undefined) => (recorded?.body.attachments ?? [])
  .flatMap((attachment) => ((attachment.content as { actions?: { title: string; data?: Record<string, unknown> }[] }).actions ?? []));

beforeAll(async () => {
  scripted = await startScriptedServer([...loadScript('correct-answer').steps]);
  const config = parseConfig({ ...SECRET_ENVIRONMENT, OPENAI_BASE_URL: scripted.baseUrl, OPENAI_MODEL: 'scripted-model' });
  runtime = await createRuntime(config, { scenarioDirectories: ['nsg-deny-between-spokes', 'nothing-listening'].map((name) => join(SCENARIOS, name)), frozenClock: true });
  estates = botEstatesOf(runtime);
  connector = await startConnector();
  files = await startFiles();
  const capturing = runtime.estates.find((estate) => estate.name === 'nothing-listening');
  if (!capturing || !runtime.lab) throw new Error('no lab');
  const scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => capturing.now());
  const notifier = new BotCaptureNotifier();
  const { jobs } = engine(runtime, scheduler, { notifier });
  const accounts = [...(runtime.lab.storage?.accounts.keys() ?? [DEVELOPMENT_ACCOUNT])];
  secrets = [...Object.entries(CANARIES), ['download token', DOWNLOAD_TOKEN], ...accounts.map((account): [string, string] => [`Azurite key of ${account}`, accountKey(account)])];

  bot = await startBotServer({
    diagnose: async (request) => (await estates.select(request.text)).diagnose(request),
    estates, captureJobs: jobs, analyzeCapture: createWorkerCaptureAnalyser({ limits: {} }),
    artifacts: new MemoryArtifactStore(), storage: new MemoryStorage(), clock: { now: () => scheduler.now() }, logger: startLogger(logLines),
  }, {
    identity: { MicrosoftAppId: '', MicrosoftAppPassword: CANARIES.MicrosoftAppPassword, MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
    port: 0, access: new AccessPolicy([TENANT], null), uploadLimitInBytes: 10 * 1024 * 1024, investigationsPerConversation: 2, investigations: 8,
    retentionInMs: 60 * 60 * 1000, redactEvidencePacks: false, explainTimeoutInMs: 2_000, sweepEveryInMs: 0,
  });
  notifier.bind(bot.bot);

  // A question answered through the LLM assistant, in the scenario it is about.
  await post(teams.personal('use nsg-deny-between-spokes'));
  await post(teams.personal(QUESTION));
  await waitFor(() => connector.recorded.some((item) => item.method === 'PUT'), 'the verdict');
  const verdictCard = connector.recorded.filter((item) => cardActions(item).length > 0).at(-1);
  const proof = cardActions(verdictCard).find((action) => action.data?.action === 'showProof')?.data;
  if (!proof) throw new Error('no Show the proof action on the verdict card');
  await post(teams.personal('', { text: undefined, value: proof }));
  // The evidence pack, as a browser fetches it from the link in the answer.
  const packUrl = /Evidence pack: (\S+)/.exec(connector.recorded.map((item) => item.body.text ?? '').join('\n'))?.[1];
  if (!packUrl) throw new Error('no evidence pack link');
  const pack = await fetch(packUrl);
  expect(pack.status).toBe(200);
  evidencePack = await pack.text();

  // An upload whose download link carries a token.
  await post(teams.file('trace.pcap', `${files.url}/files/trace.pcap?tempauth=${DOWNLOAD_TOKEN}`));
  await waitFor(() => connector.recorded.some((item) => /trace\.pcap: \d+ packets/.test(item.body.text ?? '')), 'the upload answer');

  // A packet capture, confirmed by an approver in the lab, its result posted back.
  await post(teams.personal('use nothing-listening'));
  await post(teams.personal('capture traffic from vm-app02 to vm-sql01 on 1433 for 2 minutes'));
  const confirm = cardActions(connector.recorded.at(-1)).find((action) => action.data?.action === 'captureConfirm')?.data;
  if (!confirm) throw new Error('no confirmation card');
  await post(teams.personal('', { text: undefined, value: confirm, from: { id: '29:approver', name: APPROVER.name, aadObjectId: APPROVER.aadObjectId } }));
  await runUntil(jobs, scheduler, async () => (await jobs.get(String(confirm.jobId)))?.state === 'done', 5_000);
  await waitFor(() => connector.recorded.some((item) => item.body.text?.startsWith('Capture on vm-sql01:') === true), 'the capture result');
  await jobs.close();
}, 120_000);

afterAll(async () => {
  await bot?.close();
  for (const server of [connector?.server, files?.server]) {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server ? server.close(() => resolve()) : resolve());
  }
  await scripted?.close();
  await runtime?.close();
});

describe('the bot\'s own output, end to end', () => {
  it('the secrets really were in play (the scan can fail)', () => {
    expect(scripted.requests[0]?.headers.authorization).toBe(`Bearer ${CANARIES.OPENAI_API_KEY}`);
    expect(files.requests.some((url) => url.includes(DOWNLOAD_TOKEN))).toBe(true);
    expect(runtime.config.NETPROOF_STATE_STORE).toContain(CANARIES.storageAccountKey);
    expect(secrets.length).toBeGreaterThan(Object.keys(CANARIES).length + 1);
    // Every step answered: the LLM's prose, the proof, the pack, the upload, the capture.
    expect(scripted.remaining()).toBe(0);
    expect(evidencePack).toMatch(/<html/i);
    expect(logLines.length).toBeGreaterThan(15);
  });

  it.each([
    ['log lines', () => logLines.join('\n')],
    ['activities posted to the connector', () => connector.recorded.map((item) => `${item.method} ${item.url} ${item.raw}`).join('\n')],
    ['HTTP answers', () => httpAnswers.join('\n')],
    ['evidence pack', () => evidencePack],
  ])('no secret in the %s', (_where, text) => {
    const scanned = text();
    expect(scanned.length).toBeGreaterThan(0);
    for (const [name, value] of secrets) expect(scanned.includes(value), name).toBe(false);
  });

  it('every log line of a turn carries that turn\'s one correlation id, and the conversation id ties its turns and capture messages together', () => {
    const parsed = logLines.map((line) => JSON.parse(line) as { activityId?: string | null; correlationId?: string; conversationId?: string | null; jobId?: string; msg: string });
    const byActivity = new Map<string, Set<string | undefined>>();
    for (const line of parsed) {
      if (typeof line.activityId !== 'string') continue;
      const ids = byActivity.get(line.activityId) ?? new Set();
      ids.add(line.correlationId);
      byActivity.set(line.activityId, ids);
    }
    expect(byActivity.size).toBeGreaterThanOrEqual(7);
    for (const [activityId, ids] of byActivity) {
      expect([...ids], activityId).toHaveLength(1);
      expect([...ids][0], activityId).toMatch(/^[0-9a-f-]{36}$/);
    }
    // One conversation is traceable: every line of its turns and of its capture job names it.
    const conversation = teams.personal('x').conversation?.id;
    const turnLines = parsed.filter((line) => typeof line.activityId === 'string');
    expect(turnLines.every((line) => line.conversationId === conversation)).toBe(true);
    const captureLines = parsed.filter((line) => line.msg === 'capture message posted');
    expect(captureLines.map((line) => line.jobId)).toEqual(Array(3).fill(captureLines[0]?.jobId));
    expect(captureLines.every((line) => line.conversationId === conversation)).toBe(true);
    expect(turnLines.some((line) => line.msg === 'capture proposed' && (line as { jobId?: string }).jobId === captureLines[0]?.jobId)).toBe(true);
    // Nothing else is logged outside a turn.
    const untied = parsed.filter((line) => typeof line.activityId !== 'string' && line.msg !== 'capture message posted').map((line) => line.msg);
    expect(untied).toEqual(['no MicrosoftAppId: accepting unauthenticated local traffic, listening on loopback only']);
  });
});

describe('a turn that fails inside botbuilder\'s turn', () => {
  it('is reported to the user and logged under the turn\'s own correlation id and conversation', async () => {
    const lines: string[] = [];
    /** State that cannot be written: the turn fails after the bot started it. */
    class BrokenStorage extends MemoryStorage {
      override write(): Promise<void> {
        return Promise.reject(new Error('state store unavailable'));
      }
    }
    const failing = await startBotServer({
      diagnose: () => Promise.reject(new Error('not reached')), analyzeCapture: () => Promise.reject(new Error('no uploads')),
      artifacts: new MemoryArtifactStore(), storage: new BrokenStorage(), clock: { now: () => new Date() }, logger: startLogger(lines),
    }, {
      identity: { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
      port: 0, access: new AccessPolicy([TENANT], null), uploadLimitInBytes: 1024, investigationsPerConversation: 2, investigations: 8,
      retentionInMs: 60_000, redactEvidencePacks: false, explainTimeoutInMs: 1_000, sweepEveryInMs: 0,
    });
    try {
      const before = connector.recorded.length;
      const activity = teams.personal("why can't 10.0.0.1 reach 10.0.0.2 on 443?", { serviceUrl: connector.url });
      const response = await fetch(`${failing.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      expect(response.status).toBe(200);
      await failing.bot.idle();
      const failed = lines.map((line) => JSON.parse(line) as { msg: string; correlationId?: string; conversationId?: string; activityId?: string }).find((line) => line.msg === 'turn failed');
      expect(failed).toMatchObject({ conversationId: activity.conversation?.id, activityId: activity.id });
      const told = connector.recorded.slice(before).map((item) => item.body.text ?? '').find((text) => text.startsWith('Sorry, something went wrong'));
      expect(told).toContain(`reference: ${failed?.correlationId ?? 'none'}.`);
      expect(told).not.toContain('state store unavailable');
    } finally {
      await failing.close();
    }
  });
});
