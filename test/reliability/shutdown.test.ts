/**
 * Graceful shutdown of the bot server (what `netproof start` does on SIGTERM: `close()`): the
 * question in flight still gets its answer at the connector, and new turns are not taken.
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

beforeAll(async () => {
  connector = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      received.push(`${incoming.method} ${Buffer.concat(chunks).toString('utf8')}`);
      outgoing.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `activity-${received.length}` }));
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
  const body = JSON.stringify(teams.personal(text, { serviceUrl: connectorUrl, conversation: { id: `a:shutdown-${text.length}`, conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' } }));
  return new Promise((resolve) => {
    const sent = request(`${bot.url}/api/messages`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
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
    expect(fresh === 503 || fresh === 'ECONNREFUSED' || fresh === 'ECONNRESET').toBe(true);
    expect(late === 503 || late === 'ECONNREFUSED' || late === 'ECONNRESET').toBe(true);
  });
});
