/**
 * Capture-job test kit: the real runtime over lab scenarios (real SDK clients, a frozen
 * ManualClock), a scheduler whose timers fire when the test advances lab time, a
 * notifier that records every post, and the engine wired to them.
 */
import { join } from 'node:path';
import { analyzeCapture } from '../../src/capture/index.js';
import {
  CaptureJobs, CaptureJobStore, MemoryAuditLog, MemoryRecordStorage, type CaptureEstate, type CaptureJobsOptions, type CaptureNotifier, type OutboxMessage,
  type RecordStorage, type Timers,
} from '../../src/capture-jobs/index.js';
import { parseConfig } from '../../src/config.js';
import type { ManualClock } from '../../src/lab/index.js';
import { createRuntime, type Runtime } from '../../src/main.js';

export const SCENARIOS = join(import.meta.dirname, '..', '..', 'src', 'lab', 'scenarios');
export const APPROVER = { aadObjectId: '0b7a2c1e-0000-4000-8000-00000000a001', name: 'Ana Approver' };
export const STRANGER = { aadObjectId: '0b7a2c1e-0000-4000-8000-00000000b002', name: 'Sam Channel' };

/** The runtime over lab scenarios with frozen clocks (time moves only when a test advances it). */
export async function startRuntime(names: string[]): Promise<Runtime> {
  return createRuntime(parseConfig({}), { scenarioDirectories: names.map((name) => join(SCENARIOS, name)), frozenClock: true });
}

/** Timers on lab time: they fire when `advance` moves the lab's ManualClock past them. */
export class LabScheduler implements Timers {
  readonly #clock: ManualClock;
  readonly #now: () => Date;
  #pending: { id: number; at: number; callback: () => void }[] = [];
  #sequence = 0;

  constructor(clock: ManualClock, now: () => Date) {
    this.#clock = clock;
    this.#now = now;
  }

  now(): Date {
    return this.#now();
  }

  setTimeout(callback: () => void, delayInMs: number): unknown {
    this.#sequence += 1;
    const entry = { id: this.#sequence, at: this.#now().getTime() + delayInMs, callback };
    this.#pending.push(entry);
    // A timer already due fires on the next turn of the event loop, as a real one would.
    if (delayInMs <= 0) queueMicrotask(() => this.#fire());
    return entry.id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((entry) => entry.id !== handle);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Moves lab time forward and fires what became due. */
  advance(milliseconds: number): void {
    this.#clock.advance(milliseconds);
    this.#fire();
  }

  #fire(): void {
    const now = this.#now().getTime();
    const due = this.#pending.filter((entry) => entry.at <= now).sort((left, right) => left.at - right.at || left.id - right.id);
    this.#pending = this.#pending.filter((entry) => entry.at > now);
    for (const entry of due) entry.callback();
  }
}

/** Records every post; `unique` holds one message per idempotency key. */
export class RecordingNotifier implements CaptureNotifier {
  readonly posts: { conversation: Record<string, unknown>; message: OutboxMessage }[] = [];
  failNext = 0;

  async post(conversation: Record<string, unknown>, message: OutboxMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('conversation unreachable');
    }
    this.posts.push({ conversation, message });
  }

  keys(): string[] {
    return this.posts.map((post) => post.message.key.replace(/^[^:]+:/, ''));
  }
}

/** The estates of a runtime as the engine takes them (every lab scenario is `lab: true`). */
export function estatesOf(runtime: Runtime): CaptureEstate[] {
  return runtime.estates.map((estate) => ({ name: estate.name, lab: true, azure: estate.facade, diagnose: estate.diagnose }));
}

/** An engine over a runtime, with memory stores unless given. */
export function engine(runtime: Runtime, scheduler: LabScheduler, overrides: Partial<CaptureJobsOptions> & { storage?: RecordStorage } = {}): {
  jobs: CaptureJobs; notifier: RecordingNotifier; audit: MemoryAuditLog; store: CaptureJobStore;
} {
  const notifier = (overrides.notifier as RecordingNotifier | undefined) ?? new RecordingNotifier();
  const audit = (overrides.audit as MemoryAuditLog | undefined) ?? new MemoryAuditLog();
  const store = overrides.store ?? new CaptureJobStore(overrides.storage ?? new MemoryRecordStorage());
  const jobs = new CaptureJobs({
    store, notifier, audit, estates: estatesOf(runtime), clock: scheduler, timers: scheduler,
    analyse: (stream) => analyzeCapture(stream),
    approvers: [APPROVER.aadObjectId], authenticated: true,
    limits: { maxDurationInSeconds: 600, maxBytes: 100 * 1024 * 1024 },
    ...overrides,
  });
  return { jobs, notifier, audit, store };
}

/** Advances lab time step by step, letting the engine finish each step, until `until` holds or the budget runs out. */
export async function runUntil(jobs: CaptureJobs, scheduler: LabScheduler, until: () => Promise<boolean>, stepInMs = 5_000, budgetInMs = 30 * 60_000): Promise<number> {
  let spent = 0;
  await jobs.idle();
  while (!(await until())) {
    if (spent >= budgetInMs) throw new Error(`condition not reached within ${budgetInMs} ms of lab time`);
    scheduler.advance(stepInMs);
    spent += stepInMs;
    await settle(jobs);
  }
  return spent;
}

/** Lets queued timers and the steps they start finish. */
export async function settle(jobs: CaptureJobs): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await new Promise((resolve) => setImmediate(resolve));
    await jobs.idle();
  }
}
