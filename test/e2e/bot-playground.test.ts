/**
 * End to end through a real Teams client simulator: the compiled `netproof start`
 * (against the rdp-remote-site lab scenario) driven by the Microsoft 365 Agents
 * Playground over its HTTP API, the bot's replies read from the playground's WebSocket
 * (what its Teams UI renders). Personal chat question to verdict card, a card action,
 * a file upload (custom activity with a loopback download URL), a group chat mention,
 * and a clean stop on SIGTERM that takes the lab's child process with it. Everything stays on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPTURES, expectValidCard, startFileServer, textOf } from '../bot/helpers.js';
import { startBotAndPlayground, type BotAndPlayground, type PlaygroundConfig } from './bot-harness.js';
import { join } from 'node:path';

const QUESTION = "why can't 192.168.10.5 RDP to vm-app01?";

/** A message the playground streamed to its UI. */
interface Streamed {
  action: string;
  actionConversationId?: string;
  message?: { messageId: string; text?: string; attachments?: { contentType: string; content: unknown }[] };
}

let running: BotAndPlayground;
let socket: ChildProcess;
let files: Awaited<ReturnType<typeof startFileServer>>;
let base: string;
let config: PlaygroundConfig;
const streamed: Streamed[] = [];

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

/** The processes whose parent is `pid`, with their command lines (Linux /proc). */
function childrenOf(pid: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  files = await startFileServer(new Map([['tcp_refused.pcap', { body: readFileSync(join(CAPTURES, 'tcp_refused.pcap')) }]]));
  running = await startBotAndPlayground('rdp-remote-site');
  base = running.base;
  config = running.config;
  const playgroundPort = new URL(base).port;

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
  await running?.stop();
  await files?.close();
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

  it('runs the lab in a child process, and stops cleanly on SIGTERM, the lab with it', async () => {
    const lab = childrenOf(running.bot.pid ?? -1).filter((child) => child.command.includes('process-child.js'));
    expect(lab).toHaveLength(1);
    const exited = new Promise<number | null>((done) => running.bot.once('exit', (code) => done(code)));
    running.bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    await until(() => (isRunning(lab[0]!.pid) ? undefined : true));
    // pino writes JSON lines to stdout: no error or fatal line in the whole run.
    expect(running.botLines.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    expect(running.botErrors.join('')).toBe('');
  });
});
