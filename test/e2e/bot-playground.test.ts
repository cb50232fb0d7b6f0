/**
 * End to end through a real Teams client simulator: the compiled `netproof start`
 * (against the rdp-remote-site lab scenario) driven by the Microsoft 365 Agents
 * Playground over its HTTP API, the bot's replies read from the playground's WebSocket
 * (what its Teams UI renders). Personal chat question to verdict card, a card action,
 * a file upload (custom activity with a loopback download URL), a group chat mention,
 * and a clean stop on SIGTERM. Everything stays on loopback.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURES, SCENARIOS, expectValidCard, startFileServer, textOf } from '../bot/helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BUILD = join(ROOT, 'test', '.tmp', 'bot-e2e');
const PLAYGROUND = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');
const QUESTION = "why can't 192.168.10.5 RDP to vm-app01?";

/** A message the playground streamed to its UI. */
interface Streamed {
  action: string;
  actionConversationId?: string;
  message?: { messageId: string; text?: string; attachments?: { contentType: string; content: unknown }[] };
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Collects a process's stdout lines. */
function collectLines(child: ChildProcess, into: string[]): void {
  createInterface({ input: child.stdout! }).on('line', (line) => into.push(line));
}

let bot: ChildProcess;
let playground: ChildProcess;
let socket: ChildProcess;
let files: Awaited<ReturnType<typeof startFileServer>>;
let base: string;
let config: { tenantId: string; bot: { id: string; name: string }; personalChat: { id: string }; groupChats: { id: string }[] };
const streamed: Streamed[] = [];
const botLines: string[] = [];
const botErrors: string[] = [];
const workDirectory = mkdtempSync(join(tmpdir(), 'netproof-playground-'));

/** Waits until the stream holds what the predicate wants. */
async function until<T>(find: () => T | undefined, timeoutInMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out; streamed: ${JSON.stringify(streamed.map((item) => [item.action, item.message?.text?.slice(0, 60)]))}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function send(conversationId: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${base}/_conversation/v1/conversations/${conversationId}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: { id: 'user-id-0' }, textFormat: 'plain', ...body }),
  });
  expect(response.status).toBe(200);
}

const cardOf = (item: Streamed | undefined) => item?.message?.attachments?.find((attachment) => attachment.contentType === 'application/vnd.microsoft.card.adaptive')?.content;

beforeAll(async () => {
  // Compile the product alone, as `npm ci` would, so the bot runs as `netproof start` runs.
  rmSync(BUILD, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(BUILD, 'dist')], { cwd: ROOT })
    .catch((error: { stdout?: string }) => {
      // Type errors elsewhere in the tree still emit JavaScript; a missing entry point is what matters.
      if (!/error TS/.test(error.stdout ?? '')) throw error;
    });
  files = await startFileServer(new Map([['tcp_refused.pcap', { body: readFileSync(join(CAPTURES, 'tcp_refused.pcap')) }]]));

  const botPort = await freePort();
  const playgroundPort = await freePort();
  base = `http://127.0.0.1:${playgroundPort}`;
  bot = spawn(process.execPath, [join(BUILD, 'dist', 'src', 'cli.js'), 'start'], {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH ?? '', PORT: String(botPort), NETPROOF_SCENARIO: join(SCENARIOS, 'rdp-remote-site'), NETPROOF_LOG_LEVEL: 'warn',
      NETPROOF_ALLOWED_TENANTS: '00000000-0000-0000-0000-0000000000001',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stderr?.on('data', (chunk: Buffer) => botErrors.push(chunk.toString('utf8')));
  collectLines(bot, botLines);
  await until(() => botLines.find((line) => line.includes('the Teams bot listens on')) ?? (bot.exitCode !== null ? (() => { throw new Error(`netproof start exited ${bot.exitCode}: ${botErrors.join('')}`); })() : undefined), 90_000);

  playground = spawn(process.execPath, [PLAYGROUND, '--disable-telemetry'], {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH ?? '', HOME: workDirectory, BOT_ENDPOINT: `http://127.0.0.1:${botPort}/api/messages`, TEAMSAPPTESTER_PORT: String(playgroundPort),
      TEAMSAPPTESTER_BROWSER: 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (let attempt = 0; ; attempt += 1) {
    const pong = await fetch(`${base}/_debug/ping`).then((response) => response.text(), () => '');
    if (pong.includes('pong')) break;
    if (attempt > 150) throw new Error('the Agents Playground did not start');
    await new Promise((done) => setTimeout(done, 200));
  }
  config = ((await (await fetch(`${base}/_internal/v1/config`)).json()) as { config: typeof config }).config;

  // Node 20 has WebSocket behind a flag: a small reader process prints each frame as a line.
  const reader = `const ws = new WebSocket(process.argv[1]); ws.onopen = () => console.log('{"action":"open"}'); ws.onmessage = (event) => console.log(String(event.data).replace(/\\n/g, ' '));`;
  socket = spawn(process.execPath, ['--experimental-websocket', '--no-warnings', '-e', reader, `ws://127.0.0.1:${playgroundPort}/_ws_conversation/v1/conversations/stream`], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: socket.stdout! }).on('line', (line) => {
    try {
      streamed.push(JSON.parse(line) as Streamed);
    } catch {
      streamed.push({ action: 'unparsable' });
    }
  });
  await until(() => streamed.find((item) => item.action === 'open'));
}, 240_000);

afterAll(async () => {
  socket?.kill();
  playground?.kill();
  if (bot && bot.exitCode === null) bot.kill('SIGKILL');
  await files?.close();
  rmSync(workDirectory, { recursive: true, force: true });
});

describe('netproof start in the Agents Playground', () => {
  it('answers "help" in personal chat with a card', async () => {
    const before = streamed.length;
    await send(config.personalChat.id, { text: 'help' });
    const reply = await until(() => streamed.slice(before).find((item) => item.action === 'createMessage' && cardOf(item)));
    expectValidCard(cardOf(reply));
    expect(textOf(cardOf(reply))).toContain(QUESTION);
  });

  it('acknowledges a question, turns the acknowledgement into the answer, then shows the verdict card, and pages the proof', async () => {
    const before = streamed.length;
    await send(config.personalChat.id, { text: QUESTION });
    const card = await until(() => streamed.slice(before).find((item) => item.action === 'createMessage' && cardOf(item)), 60_000);
    const mine = streamed.slice(before).filter((item) => item.actionConversationId === config.personalChat.id);
    const acknowledgement = mine.find((item) => item.action === 'createMessage' && item.message?.text?.startsWith('Looking at firewall logs'));
    const update = mine.find((item) => item.action === 'updateMessage');
    expect(acknowledgement).toBeDefined();
    expect(update?.message?.messageId).toBe(acknowledgement?.message?.messageId);
    expect(update?.message?.text).toMatch(/^\*\*(OK|FAILING|UNKNOWN)\*\*/);
    expect(mine.indexOf(acknowledgement!)).toBeLessThan(mine.indexOf(update!));
    expect(mine.indexOf(update!)).toBeLessThan(mine.indexOf(card));
    const content = cardOf(card) as { actions: { title: string; data?: { action: string; verdictId: string; page: number } }[] };
    expectValidCard(content);

    const showProof = content.actions.find((action) => action.title === 'Show the proof')?.data;
    const afterCard = streamed.length;
    const submitted = await fetch(`${base}/_conversation/v1/submit`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversation: { id: config.personalChat.id }, replyToId: card.message?.messageId, value: showProof, from: { id: 'user-id-0' } }),
    });
    expect(submitted.status).toBeLessThan(300);
    const proof = await until(() => streamed.slice(afterCard).find((item) => item.action === 'createMessage' && cardOf(item)));
    expectValidCard(cardOf(proof));
    expect(textOf(cardOf(proof))).toMatch(/Proof, page 1 of \d+/);
  });

  it('analyses a file sent in personal chat (custom activity, loopback download URL)', async () => {
    const template = await (await fetch(`${base}/_internal/v1/customActivities/template?conversationId=${config.personalChat.id}`)).json() as Record<string, unknown>;
    const before = streamed.length;
    const response = await fetch(`${base}/_internal/v1/customActivities`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ...template, type: 'message', text: '',
        attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'tcp_refused.pcap', content: { downloadUrl: `${files.url}/files/tcp_refused.pcap`, uniqueId: 'x', fileType: 'pcap' } }],
      }),
    });
    expect(response.status).toBeLessThan(300);
    const card = await until(() => streamed.slice(before).find((item) => item.action === 'createMessage' && cardOf(item)), 60_000);
    expectValidCard(cardOf(card));
    expect(textOf(cardOf(card))).toContain('tcp_refused.pcap');
  });

  it('in a group chat answers a mention and ignores a message without one', async () => {
    const group = config.groupChats[0]?.id ?? '';
    const before = streamed.length;
    await send(group, { text: 'help' });
    await send(group, { text: `<at>${config.bot.name}</at> help`, mentions: [{ mentioned: { id: config.bot.id, name: config.bot.name }, text: `<at>${config.bot.name}</at>` }] });
    const reply = await until(() => streamed.slice(before).find((item) => item.actionConversationId === group && item.action === 'createMessage' && cardOf(item)));
    expectValidCard(cardOf(reply));
    await new Promise((done) => setTimeout(done, 1_000));
    expect(streamed.slice(before).filter((item) => item.actionConversationId === group && item.action === 'createMessage' && (item.message as { from?: { id?: string } } | undefined)?.from?.id === config.bot.id)).toHaveLength(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => bot.once('exit', (code) => done(code)));
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    // pino writes JSON lines to stdout: no error or fatal line in the whole run.
    expect(botLines.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    expect(botErrors.join('')).toBe('');
  });
});
