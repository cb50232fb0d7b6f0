/**
 * The compiled `netproof start` beside the Microsoft 365 Agents Playground, for the e2e
 * tests: compiles the product into test/.tmp/bot-e2e (when the sources are newer than
 * that build), starts the bot against a lab scenario and the playground against the
 * bot, all on loopback ports.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { SCENARIOS } from '../bot/helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BUILD = join(ROOT, 'test', '.tmp', 'bot-e2e');
const CLI = join(BUILD, 'dist', 'src', 'cli.js');
const PLAYGROUND = join(ROOT, 'node_modules', '@microsoft', 'm365agentsplayground', 'cli.js');

/** The playground's fixed tenant (its default configuration). */
export const PLAYGROUND_TENANT = '00000000-0000-0000-0000-0000000000001';

/** The playground's configuration as its API reports it. */
export interface PlaygroundConfig {
  tenantId: string;
  bot: { id: string; name: string };
  personalChat: { id: string };
  groupChats: { id: string }[];
}

/** A running pair. */
export interface BotAndPlayground {
  /** The playground's base URL. */
  base: string;
  botPort: number;
  config: PlaygroundConfig;
  bot: ChildProcess;
  /** The bot's stdout lines (banner and pino JSON). */
  botLines: string[];
  botErrors: string[];
  stop(): Promise<void>;
}

function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Compiles the product alone, as `npm ci` would, unless the build is newer than every source. */
export async function buildOnce(): Promise<string> {
  if (existsSync(CLI) && statSync(CLI).mtimeMs > newestModification(join(ROOT, 'src'))) return CLI;
  rmSync(BUILD, { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(BUILD, 'dist')], { cwd: ROOT })
    .catch((error: { stdout?: string }) => {
      // Type errors elsewhere in a shared tree still emit JavaScript; the entry point is checked below.
      if (!/error TS/.test(error.stdout ?? '')) throw error;
    });
  if (!existsSync(CLI)) throw new Error(`the build did not produce ${CLI}`);
  return CLI;
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function poll<T>(find: () => T | undefined | Promise<T | undefined>, timeoutInMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 150));
  }
}

/** Starts the compiled bot on a lab scenario and the playground in front of it. */
export async function startBotAndPlayground(scenario = 'rdp-remote-site'): Promise<BotAndPlayground> {
  const cli = await buildOnce();
  const workDirectory = mkdtempSync(join(tmpdir(), 'netproof-playground-'));
  const botPort = await freePort();
  const playgroundPort = await freePort();
  const base = `http://127.0.0.1:${playgroundPort}`;
  const botLines: string[] = [];
  const botErrors: string[] = [];
  const bot = spawn(process.execPath, [cli, 'start'], {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH ?? '', PORT: String(botPort), NETPROOF_SCENARIO: join(SCENARIOS, scenario), NETPROOF_LOG_LEVEL: 'warn',
      NETPROOF_ALLOWED_TENANTS: PLAYGROUND_TENANT,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: bot.stdout! }).on('line', (line) => botLines.push(line));
  bot.stderr?.on('data', (chunk: Buffer) => botErrors.push(chunk.toString('utf8')));
  await poll(() => {
    if (bot.exitCode !== null) throw new Error(`netproof start exited ${bot.exitCode}: ${botErrors.join('')}`);
    return botLines.find((line) => line.includes('the Teams bot listens on'));
  }, 90_000, 'netproof start');

  const playground = spawn(process.execPath, [PLAYGROUND, '--disable-telemetry'], {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH ?? '', HOME: workDirectory, BOT_ENDPOINT: `http://127.0.0.1:${botPort}/api/messages`, TEAMSAPPTESTER_PORT: String(playgroundPort),
      TEAMSAPPTESTER_BROWSER: 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  await poll(async () => ((await fetch(`${base}/_debug/ping`).then((response) => response.text(), () => '')).includes('pong') ? true : undefined), 30_000, 'the Agents Playground');
  const config = ((await (await fetch(`${base}/_internal/v1/config`)).json()) as { config: PlaygroundConfig }).config;
  return {
    base, botPort, config, bot, botLines, botErrors,
    stop: async () => {
      playground.kill();
      if (bot.exitCode === null) {
        const exited = new Promise((done) => bot.once('exit', done));
        bot.kill('SIGKILL');
        await exited;
      }
      rmSync(workDirectory, { recursive: true, force: true });
    },
  };
}
