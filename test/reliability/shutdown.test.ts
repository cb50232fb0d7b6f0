/**
 * Graceful shutdown of the bot server (what `netproof start` does on SIGTERM: `close()`): the
 * question in flight still gets its answer at the connector, a turn still inside its HTTP request
 * finishes, and a new request (on a kept-alive connection or a new one) is answered 503 with
 * Retry-After and `Connection: close` until the drain ends; only then is the port closed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'node:http';
import { MemoryStorage } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryArtifactStore } from '../../src/azure/artifacts.js';
import { AccessPolicy } from '../../src/bot/access.js';
import { startBotServer, type RunningBot } from '../../src/bot/server.js';
import type { Diagnoser } from '../../src/diagnose/diagnose.js';
import { gate, memoryLogger, TENANT, teams } from '../bot/helpers.js';

let connector: Server;
let connectorUrl: string;
const received: string[] = [];
/** While set, the connector holds its answers until the gate opens (a slow Bot Service). */
let connectorGate: Promise<void> | null = null;

beforeAll(async () => {
  connector = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      received.push(`${incoming.method} ${Buffer.concat(chunks).toString('utf8')}`);
      const id = `activity-${received.length}`;
      void (connectorGate ?? Promise.resolve()).then(() => {
        outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id }));
      });
    });
  });
  await new Promise<void>((resolve) => connector.listen(0, '127.0.0.1', resolve));
  connectorUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}/`;
});
afterAll(async () => { await new Promise<void>((resolve) => connector.close(() => resolve())); });

async function startBot(diagnose: Diagnoser): Promise<RunningBot> {
  return startBotServer({
    diagnose, analyzeCapture: () => Promise.reject(new Error('no uploads')), artifacts: new MemoryArtifactStore(), storage: new MemoryStorage(),
    clock: { now: () => new Date('2026-11-20T10:30:00Z') }, logger: memoryLogger().logger,
  }, {
    identity: { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' },
    port: 0, access: new AccessPolicy([TENANT], null), uploadLimitInBytes: 1024 * 1024, investigationsPerConversation: 2, investigations: 8,
    retentionInMs: 60 * 60 * 1000, redactEvidencePacks: false, explainTimeoutInMs: 1_000, sweepEveryInMs: 0,
  });
}

/** POSTs an activity over the given keep-alive agent; resolves with the status, or the error code when refused. */
function post(bot: RunningBot, agent: Agent, text: string): Promise<number | string> {
  return postWithHeaders(bot, agent, text).then((answer) => (typeof answer === 'string' ? answer : answer.status));
}

/** As `post`, with the answer's headers. */
function postWithHeaders(bot: RunningBot, agent: Agent, text: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> } | string> {
  const body = JSON.stringify(teams.personal(text, { serviceUrl: connectorUrl, conversation: { id: `a:shutdown-${text.length}`, conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' } }));
  return new Promise((resolve) => {
    const sent = request(`${bot.url}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers }));
    });
    sent.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    sent.end(body);
  });
}

describe('close() while a question is being investigated', () => {
  it('answers the question in flight, and takes no new turn', async () => {
    const slow = gate();
    let started = 0;
    const diagnose: Diagnoser = async () => {
      started += 1;
      await slow.wait;
      return { kind: 'clarify', code: 'question.test', message: 'the answer after shutdown began', candidates: [] };
    };
    const bot = await startBot(diagnose);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await post(bot, agent, "why can't 10.0.0.1 reach 10.0.0.2 on 443?")).toBe(200);
    while (started === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    const closing = bot.close();
    // A new turn after shutdown began, on the connection already open and on a new one.
    const late = await post(bot, agent, "why can't 10.0.0.3 reach 10.0.0.4 on 22?");
    const fresh = await post(bot, new Agent({ keepAlive: false }), "why can't 10.0.0.5 reach 10.0.0.6 on 80?");
    slow.open();
    await closing;
    agent.destroy();

    expect(received.some((line) => line.includes('the answer after shutdown began'))).toBe(true);
    expect(started).toBe(1);
    expect(fresh).toBe(503);
    expect(late).toBe(503);
  });

  it('answers a new request 503 with Retry-After and Connection: close, and closes the port only after the drain', async () => {
    const slow = gate();
    let started = 0;
    const diagnose: Diagnoser = async () => {
      started += 1;
      await slow.wait;
      return { kind: 'clarify', code: 'question.test', message: 'drained answer', candidates: [] };
    };
    const bot = await startBot(diagnose);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await post(bot, agent, "why can't 10.1.0.1 reach 10.1.0.2 on 443?")).toBe(200);
    while (started === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    let closed = false;
    const closing = bot.close().then(() => { closed = true; });

    const answers = await Promise.all([1, 2, 3].map((index) => postWithHeaders(bot, new Agent({ keepAlive: false }), `late ${'x'.repeat(index)}`)));
    for (const answer of answers) {
      expect(typeof answer).toBe('object');
      if (typeof answer === 'string') continue;
      expect(answer.status).toBe(503);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      expect(answer.headers.connection).toBe('close');
    }
    const health = await fetch(`${bot.url}/healthz`, { headers: { connection: 'close' } });
    expect([health.status, await health.json()]).toEqual([503, { ok: false, draining: true, running: 1 }]);
    expect(closed).toBe(false);

    slow.open();
    await closing;
    agent.destroy();
    expect(started).toBe(1);
    // Drained: the port is closed now.
    expect(await post(bot, new Agent({ keepAlive: false }), 'after')).toBe('ECONNREFUSED');
  });

  it('lets a turn still inside its HTTP request finish (the acknowledgement waits on a slow connector)', async () => {
    let started = 0;
    const diagnose: Diagnoser = () => {
      started += 1;
      return Promise.resolve({ kind: 'clarify', code: 'question.test', message: 'answer of the turn in its request', candidates: [] });
    };
    const bot = await startBot(diagnose);
    const slowConnector = gate();
    connectorGate = slowConnector.wait;
    try {
      const before = received.length;
      const inRequest = post(bot, new Agent({ keepAlive: false }), "why can't 10.2.0.1 reach 10.2.0.2 on 443?");
      // The turn has sent its typing activity and waits on the connector: it is inside its request.
      while (received.length === before) await new Promise((resolve) => setTimeout(resolve, 10));
      const closing = bot.close();
      const late = await post(bot, new Agent({ keepAlive: false }), "why can't 10.2.0.3 reach 10.2.0.4 on 22?");
      connectorGate = null;
      slowConnector.open();
      expect(await inRequest).toBe(200);
      await closing;
      expect(late).toBe(503);
      expect(started).toBe(1);
      expect(received.slice(before).some((line) => line.includes('answer of the turn in its request'))).toBe(true);
    } finally {
      connectorGate = null;
      slowConnector.open();
    }
  });
});
