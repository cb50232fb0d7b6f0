/**
 * The lab in a process of its own: the same emulator as `startLab`, forked as a child Node process
 * that the caller talks to over loopback HTTP, exactly as the product talks to Azure. The caller's
 * event loop and memory then hold only the product: the emulator's KQL language service, its
 * tables and Azurite run beside it, on another core. The load benchmark measures the bot this way.
 *
 * The child runs the compiled `process-child.js` (`builtModuleUrl`): from TypeScript source (vitest),
 * the package's `dist/`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { builtModuleUrl } from '../built-module.js';
import type { Fault } from '../domain/scenario.js';
import { azuriteAt } from './azurite.js';
import { ManualClock, RealClock, type LabClock } from './clock.js';
import { loadScenario } from './scenario-loader.js';
import { labEndpointsAt, scenarioEndpoints, type Lab } from './server.js';

/** Options of a lab in its own process. */
export interface LabProcessOptions {
  /** Scenario folders (the child loads them itself; so does the caller, for their metadata). */
  scenarios: readonly string[];
  /** Lab time stands still (a ManualClock on both sides; `advance` reaches the child by message). */
  frozenClock?: boolean;
  /** Start Azurite (default true). */
  storage?: boolean;
  /** How long the child may take to listen (default 60 s: the first scenario load and Azurite). */
  startTimeoutInMs?: number;
}

/** What the parent asks of the child. */
export type LabProcessRequest =
  | { type: 'start'; scenarios: string[]; frozenClock: boolean; startedAtEpochInMs: number; storage: boolean }
  | { type: 'advance'; milliseconds: number }
  | { type: 'inject-fault'; fault: Fault }
  | { type: 'clear-faults' }
  | { type: 'close' };

/** What the child answers. */
export type LabProcessMessage =
  | { type: 'ready'; origin: string; shadowed: string[]; storage: { url: string; accounts: [string, string][] } | null }
  | { type: 'failed'; message: string };


/** A ManualClock whose advances also move the child's clock. */
class ForwardingClock extends ManualClock {
  constructor(private readonly child: ChildProcess) {
    super();
  }

  override advance(milliseconds: number): void {
    super.advance(milliseconds);
    send(this.child, { type: 'advance', milliseconds });
  }
}

function send(child: ChildProcess, request: LabProcessRequest): void {
  if (child.connected) child.send(request);
}

function waitFor<T extends LabProcessMessage['type']>(child: ChildProcess, type: T, timeoutInMs: number): Promise<Extract<LabProcessMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the lab process did not answer "${type}" within ${timeoutInMs} ms`)), timeoutInMs);
    const onMessage = (message: LabProcessMessage): void => {
      if (message.type === 'failed') done(new Error(`the lab process failed: ${message.message}`));
      else if (message.type === type) done(null, message as Extract<LabProcessMessage, { type: T }>);
    };
    const onExit = (code: number | null): void => done(new Error(`the lab process stopped (exit ${String(code)}) before "${type}"`));
    function done(error: Error | null, message?: Extract<LabProcessMessage, { type: T }>): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as Extract<LabProcessMessage, { type: T }>);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Starts the lab in a child process; resolves once it listens. `close()` stops the child (and its Azurite). */
export async function startLabProcess(options: LabProcessOptions): Promise<Lab> {
  const scenarios = await Promise.all(options.scenarios.map((directory) => loadScenario(directory)));
  // A clean child: no inherited flags (--cpu-prof, --inspect), nothing of the caller's environment (its secrets stay here).
  const child = fork(fileURLToPath(builtModuleUrl('lab/process-child.js', 'the lab process')), [], { execArgv: [], env: {}, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const startedAtEpochInMs = Date.now();
  const clock: LabClock = options.frozenClock ? new ForwardingClock(child) : new RealClock(startedAtEpochInMs);
  let ready: Extract<LabProcessMessage, { type: 'ready' }>;
  try {
    const answer = waitFor(child, 'ready', options.startTimeoutInMs ?? 60_000);
    send(child, { type: 'start', scenarios: [...options.scenarios], frozenClock: options.frozenClock ?? false, startedAtEpochInMs, storage: options.storage ?? true });
    ready = await answer;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      send(child, { type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    })();
    return closing;
  };
  const storage = ready.storage ? azuriteAt(ready.storage.url, new Map(ready.storage.accounts), close) : undefined;
  return {
    endpoints: labEndpointsAt(ready.origin, storage?.url),
    endpointsFor: (name) => scenarioEndpoints(ready.origin, storage?.url, scenarios, name),
    shadowed: ready.shadowed,
    scenarios,
    clock,
    storage,
    injectFault: (fault) => send(child, { type: 'inject-fault', fault }),
    clearFaults: () => send(child, { type: 'clear-faults' }),
    close,
  };
}
