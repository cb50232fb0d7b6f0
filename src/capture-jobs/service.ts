/**
 * CaptureJobs: packet captures from chat, from the confirmation to the posted verdict.
 *
 * Every step follows one rule: persist the next state (and the messages it causes, in
 * the job's outbox) before acting on it. A restarted bot, or another replica, reads the
 * job and continues from there; a job is followed by one replica at a time (a lease in
 * the record, taken with the record's eTag); a message is posted once per idempotency
 * key. A capture that was started is always stopped, or left to the time limit Azure
 * enforces (the create body carries it); the job says which.
 */
import { randomUUID } from 'node:crypto';
import type { EvidenceDraft } from '../diagnose/ports.js';
import type { CaptureReport, Gap, Verdict } from '../domain/index.js';
import { captureCard, verdictCard } from '../report/adaptive-card.js';
import { captureConfirmationCard, captureFailureCard, captureProgressCard, formatDuration } from '../report/capture-confirmation-card.js';
import {
  assertTransition, CAPTURE_FAILURES, TERMINAL_STATES, type Actor, type CaptureFailureCode, type CaptureJob, type CaptureJobState, type OutboxMessage,
} from './job.js';
import { packetCaptureBody, planFromFlow, planFromText, planFromToolRequest, planFromVerdict, type CaptureFlow, type CaptureLimits, type PlanContext, type PlanOutcome, type ToolCaptureRequest } from './plan.js';
import type { AuditLog, CaptureAnalyser, CaptureEstate, CaptureNotifier, Clock, Timers } from './ports.js';
import { CaptureJobStore, JobConflictError, type StoredJob } from './store.js';

/** Issues the SAS URL a VPN gateway writes its capture with (write access to one container prefix, short-lived). */
export interface SasIssuer {
  containerSasUrl(input: { storageId: string; containerUrl: string; expiresAt: Date }): Promise<string>;
}

/** Polling: first interval, growth factor, largest interval. */
export interface PollingOptions {
  firstInMs: number;
  factor: number;
  maxInMs: number;
}

/** How the engine is wired. */
export interface CaptureJobsOptions {
  store: CaptureJobStore;
  /** The estates jobs run in, by name. */
  estates: readonly CaptureEstate[];
  notifier: CaptureNotifier;
  audit: AuditLog;
  clock: Clock;
  timers: Timers;
  analyse: CaptureAnalyser;
  /** Entra object ids allowed to confirm (NETPROOF_CAPTURE_APPROVERS). */
  approvers: readonly string[];
  /** True when the bot has an app id (MicrosoftAppId): Teams then vouches for who pressed a button. */
  authenticated: boolean;
  limits: CaptureLimits;
  /** NETPROOF_CAPTURE_STORAGE_ID. */
  storageId?: string | null;
  /** For VPN gateway captures. */
  sas?: SasIssuer;
  /** This replica's name in leases (default: random). */
  owner?: string;
  /** How long a confirmation card stays valid (default 15 min). */
  confirmWindowInMs?: number;
  /** How long a replica holds a job between steps (default 2 min). */
  leaseInMs?: number;
  polling?: Partial<PollingOptions>;
  /** Failed Azure calls in a row before a step gives up (default 5). */
  maxRetries?: number;
  newId?: () => string;
}

/** The answer to a capture request: a job awaiting confirmation (with its card), or why not. */
export type ProposeOutcome =
  | { kind: 'confirm'; job: CaptureJob; card: Record<string, unknown>; text: string }
  | { kind: 'refused'; code: string; text: string };

/** The answer to a button press or a "stop the capture". */
export type ActionOutcome = { ok: true; job: CaptureJob; text: string } | { ok: false; code: string; text: string };

/** Who proposes, and where the answers go. */
export interface ProposeInput {
  estate: string;
  conversation: Record<string, unknown>;
  requestedBy: Actor;
  timeZone?: string;
}

const DEFAULT_POLLING: PollingOptions = { firstInMs: 10_000, factor: 2, maxInMs: 60_000 };
/** After the time limit, how long to wait for Azure to report the capture stopped before calling it lost. */
const GRACE_IN_MS = 10 * 60_000;
/** Keys of posted messages a job keeps. */
const POSTED_KEPT = 50;

function iso(date: Date): string {
  return date.toISOString();
}

function gapText(gap: Gap): string {
  return `${gap.source}: ${gap.reason}: ${gap.detail}`;
}

/** The failure an Azure answer means, with what to do. */
export function classifyFailure(gap: Gap | null, errors: readonly string[] = []): { code: CaptureFailureCode; whatToDo: string } {
  const text = `${gap ? gapText(gap) : ''} ${errors.join(' ')}`;
  if (/NetworkWatcherExtension|extension is not installed|NetworkWatcherAgent/i.test(text)) {
    return { code: 'extension-missing', whatToDo: 'Install the Network Watcher agent extension on the target (az vm extension set --publisher Microsoft.Azure.NetworkWatcher --name NetworkWatcherAgentWindows, or NetworkWatcherAgentLinux), then ask again.' };
  }
  if (/PacketCaptureLimitReached|number of concurrent packet capture|limit/i.test(text)) {
    return { code: 'capture-limit', whatToDo: 'Stop or delete finished packet captures on this region\'s Network Watcher (az network watcher packet-capture list / delete), then ask again.' };
  }
  if (/StorageFailed|StorageAccess|storage/i.test(text) || (gap?.reason === 'no-permission' && /blob/i.test(gap.source))) {
    return { code: 'storage-forbidden', whatToDo: 'Let Network Watcher (and the bot\'s identity) write and read the storage account: check its firewall (allow trusted Microsoft services), its RBAC (Storage Blob Data Contributor) and that it is in the target\'s region; or set NETPROOF_CAPTURE_STORAGE_ID to another account.' };
  }
  if (/CaptureFailed|AgentStopped|InternalError|LocalFileFailed/i.test(text)) {
    return { code: 'capture-error', whatToDo: 'Check that the VM is running and its Network Watcher agent extension is healthy (az vm extension show), then ask again; or capture on the machine itself and send me the file.' };
  }
  if (gap?.reason === 'no-permission') {
    return { code: 'azure-error', whatToDo: 'Give the bot\'s identity Network Contributor (or Microsoft.Network/networkWatchers/packetCaptures/*) on the Network Watcher and the target, then ask again.' };
  }
  return { code: 'azure-error', whatToDo: 'Ask again in a few minutes; if it keeps failing, check the Azure activity log of the Network Watcher.' };
}

/** The packet capture job engine. */
export class CaptureJobs {
  readonly #options: CaptureJobsOptions;
  readonly #store: CaptureJobStore;
  readonly #owner: string;
  readonly #polling: PollingOptions;
  readonly #timers = new Map<string, unknown>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  /** Gateway jobs whose start this process requested (see the 'starting' step). */
  readonly #requestedHere = new Set<string>();
  #closed = false;

  constructor(options: CaptureJobsOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#owner = options.owner ?? `replica-${randomUUID().slice(0, 8)}`;
    this.#polling = { ...DEFAULT_POLLING, ...options.polling };
  }

  /* ------------------------------------------------------------- requests */

  /** A capture asked for in words ("capture traffic from 192.168.10.5 to vm-app01 on 3389 for 2 minutes"). */
  proposeFromText(text: string, input: ProposeInput): Promise<ProposeOutcome> {
    return this.#propose(input, (context) => planFromText(text, context));
  }

  /** "Prove it with a capture" on a verdict card. */
  proposeFromVerdict(verdict: Verdict, input: ProposeInput): Promise<ProposeOutcome> {
    return this.#propose(input, (context) => planFromVerdict(verdict, context));
  }

  /** The LLM's start_packet_capture request (a pending request, never started by the tool). */
  proposeFromToolRequest(request: ToolCaptureRequest, question: string, input: ProposeInput): Promise<ProposeOutcome> {
    return this.#propose(input, (context) => planFromToolRequest(request, question, context));
  }

  /** A capture of a flow given as data. */
  proposeFromFlow(flow: CaptureFlow, input: ProposeInput): Promise<ProposeOutcome> {
    return this.#propose(input, (context) => planFromFlow(flow, context));
  }

  async #propose(input: ProposeInput, plan: (context: PlanContext) => PlanOutcome): Promise<ProposeOutcome> {
    const estate = this.#estate(input.estate);
    const loaded = await estate.azure.estate();
    if (!loaded.ok) return { kind: 'refused', code: 'estate-unavailable', text: `I cannot read the estate to plan a capture (${gapText(loaded.gap)}). Ask again in a minute.` };
    // Only needed when no account is configured; a failed read then refuses with the reason.
    const accounts = this.#options.storageId ? null : await estate.azure.storageAccounts();
    if (accounts && !accounts.ok) return { kind: 'refused', code: 'estate-unavailable', text: `I cannot list the storage accounts a capture could write to (${gapText(accounts.gap)}). Set NETPROOF_CAPTURE_STORAGE_ID, or ask again in a minute.` };
    const now = this.#nowIn(input.estate);
    const jobId = (this.#options.newId ?? (() => randomUUID().replace(/-/g, '').slice(0, 12)))();
    const outcome = plan({
      estate: loaded.value, storageAccounts: accounts?.value ?? [], now, limits: this.#options.limits, jobId,
      ...(this.#options.storageId ? { storageId: this.#options.storageId } : {}),
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    });
    if (outcome.kind === 'refused') return { kind: 'refused', code: outcome.code, text: `${outcome.message} ${outcome.whatToDo}` };
    const job: CaptureJob = {
      id: jobId, state: 'pending-confirmation', createdAt: iso(now), updatedAt: iso(now),
      conversation: input.conversation, estate: estate.name, lab: estate.lab,
      requestedBy: input.requestedBy, confirmedBy: null, plan: outcome.plan,
      confirmBy: iso(new Date(now.getTime() + (this.#options.confirmWindowInMs ?? 15 * 60_000))),
      startedAt: null, stopAt: null, stopRequestedBy: null, polls: 0, retries: 0, nextStepAt: null,
      azureStatus: null, filePath: null, failure: null, lease: null, outbox: [], posted: [],
    };
    await this.#store.create(job);
    await this.#audit(job, 'requested', input.requestedBy, { plan: outcome.plan });
    this.#schedule(job.id, new Date(job.confirmBy), job.estate);
    const card = captureConfirmationCard(job, { whoMayConfirm: this.#whoMayConfirm(job), notice: this.#notice(job) });
    const text = `Packet capture on ${job.plan.targetName} for ${formatDuration(job.plan.durationInSeconds)}: nothing starts until ${this.#whoMayConfirm(job)} confirms.`;
    return { kind: 'confirm', job, card: card as unknown as Record<string, unknown>, text };
  }

  #whoMayConfirm(job: CaptureJob): string {
    if (this.#options.approvers.length > 0) return 'a capture approver (NETPROOF_CAPTURE_APPROVERS)';
    return job.lab ? 'anyone (this is the lab: nothing real is captured)' : 'nobody yet: no capture approvers are configured (NETPROOF_CAPTURE_APPROVERS)';
  }

  #notice(job: CaptureJob): string | null {
    if (job.lab) return 'This is the lab: the capture runs in the emulator and changes nothing in Azure.';
    if (!this.#options.authenticated) return 'This bot runs without an app id (unauthenticated local mode): real captures are refused.';
    return null;
  }

  /* -------------------------------------------------------------- actions */

  /** Confirms a pending job. Checked on the Entra object id of the user who pressed the button. */
  async confirm(jobId: string, actor: Actor): Promise<ActionOutcome> {
    const stored = await this.#store.get(jobId);
    if (!stored) return { ok: false, code: 'not-found', text: 'I do not know this capture request (it may be from another deployment).' };
    const { job } = stored;
    if (job.state !== 'pending-confirmation') {
      const by = job.confirmedBy?.name ?? job.confirmedBy?.aadObjectId;
      return { ok: false, code: 'not-pending', text: job.state === 'expired' ? 'This capture request lapsed or was cancelled; ask again.' : `This capture was already confirmed${by ? ` by ${by}` : ''}.` };
    }
    const now = this.#nowIn(job.estate);
    if (now.getTime() >= Date.parse(job.confirmBy)) {
      await this.#step(jobId);
      return { ok: false, code: 'expired', text: 'This capture request lapsed before anyone confirmed it; ask again.' };
    }
    const refusal = this.#refusal(job, actor);
    if (refusal) {
      await this.#audit(job, 'refused', actor, { reason: refusal.code });
      return { ok: false, ...refusal };
    }
    const next = this.#transition(job, 'starting', { confirmedBy: actor, nextStepAt: null });
    try {
      await this.#store.put(next, stored.eTag);
    } catch (error) {
      if (error instanceof JobConflictError) return { ok: false, code: 'conflict', text: 'Someone else acted on this capture at the same moment; look at the thread.' };
      throw error;
    }
    await this.#audit(next, 'confirmed', actor, {});
    this.#schedule(jobId, null);
    return { ok: true, job: next, text: `Confirmed by ${actor.name ?? actor.aadObjectId ?? 'you'}: starting the capture on ${job.plan.targetName}.` };
  }

  #refusal(job: CaptureJob, actor: Actor): { code: string; text: string } | null {
    if (!job.lab && !this.#options.authenticated) {
      return { code: 'unauthenticated', text: 'Real packet captures are refused in unauthenticated local mode: without MicrosoftAppId nobody\'s identity is verified. Configure the bot\'s app id (the lab works without one).' };
    }
    const approvers = new Set(this.#options.approvers.map((id) => id.toLowerCase()));
    const id = actor.aadObjectId?.toLowerCase() ?? null;
    if (approvers.size === 0) {
      if (job.lab) return null;
      return { code: 'no-approvers', text: 'No capture approvers are configured, so nobody can confirm real captures. An administrator sets NETPROOF_CAPTURE_APPROVERS to the Entra object ids allowed to.' };
    }
    if (id === null || !approvers.has(id)) {
      return { code: 'not-approver', text: `${actor.name ?? 'You'} may not confirm packet captures: only capture approvers (NETPROOF_CAPTURE_APPROVERS) may, because a capture records traffic and writes to storage. Ask an approver to press Confirm.` };
    }
    return null;
  }

  /** Cancels a job that waits for confirmation. */
  async cancel(jobId: string, actor: Actor): Promise<ActionOutcome> {
    return this.#mutate(jobId, (job) => {
      if (job.state !== 'pending-confirmation') return { ok: false, code: 'not-pending', text: 'This capture is no longer waiting for confirmation.' };
      return {
        next: this.#transition(job, 'expired', { outbox: [...job.outbox, this.#message(job, 'cancelled', 'progress', `Capture request cancelled by ${actor.name ?? actor.aadObjectId ?? 'a user'}; nothing was started.`)] }),
        audit: ['cancelled', actor, {}],
        text: 'Cancelled; nothing was started.',
      };
    });
  }

  /** Asks a running capture to stop now ("stop the capture", the Stop button). */
  async stop(jobId: string, actor: Actor): Promise<ActionOutcome> {
    return this.#mutate(jobId, (job) => {
      if (job.state === 'pending-confirmation') {
        return { next: this.#transition(job, 'expired', {}), audit: ['cancelled', actor, {}], text: 'The capture had not started; the request is cancelled.' };
      }
      if (job.state !== 'starting' && job.state !== 'running') return { ok: false, code: 'not-running', text: `The capture is not running (${job.state}).` };
      return {
        next: { ...job, stopRequestedBy: actor, nextStepAt: null, updatedAt: iso(this.#nowIn(job.estate)) },
        audit: ['stop-requested', actor, {}],
        text: `Stopping the capture on ${job.plan.targetName}; the result follows in this thread.`,
      };
    });
  }

  async #mutate(jobId: string, change: (job: CaptureJob) => { ok: false; code: string; text: string } | { next: CaptureJob; audit: [string, Actor, Record<string, unknown>]; text: string }): Promise<ActionOutcome> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await this.#store.get(jobId);
      if (!stored) return { ok: false, code: 'not-found', text: 'I do not know this capture.' };
      const result = change(stored.job);
      if ('ok' in result) return result;
      try {
        await this.#store.put(result.next, stored.eTag);
      } catch (error) {
        if (error instanceof JobConflictError) continue;
        throw error;
      }
      await this.#audit(result.next, ...result.audit);
      this.#schedule(jobId, null);
      return { ok: true, job: result.next, text: result.text };
    }
    return { ok: false, code: 'conflict', text: 'The capture is busy; try again in a moment.' };
  }

  /** A job by id. */
  async get(jobId: string): Promise<CaptureJob | undefined> {
    return (await this.#store.get(jobId))?.job;
  }

  /** Jobs not finished, e.g. to find the one a "stop the capture" in a thread means. */
  async active(filter: (job: CaptureJob) => boolean = () => true): Promise<CaptureJob[]> {
    const jobs: CaptureJob[] = [];
    for (const id of await this.#store.unfinished()) {
      const job = await this.get(id);
      if (job && !TERMINAL_STATES.has(job.state) && filter(job)) jobs.push(job);
    }
    return jobs;
  }

  /* ------------------------------------------------------- the follow loop */

  /** Start-up: follows every unfinished job of the store (posting what is still owed). */
  async resume(): Promise<string[]> {
    const ids = await this.#store.unfinished();
    for (const id of ids) this.#schedule(id, null);
    return ids;
  }

  /** Resolves when no step runs and none is due now (tests advance the clock between). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running.values()]);
  }

  /** Stops following (timers cleared, leases released so another replica takes over at once). */
  async close(options: { releaseLeases?: boolean } = {}): Promise<void> {
    this.#closed = true;
    for (const handle of this.#timers.values()) this.#options.timers.clearTimeout(handle);
    this.#timers.clear();
    await this.idle();
    if (options.releaseLeases === false) return;
    for (const id of await this.#store.unfinished()) {
      const stored = await this.#store.get(id);
      if (stored?.job.lease?.owner !== this.#owner) continue;
      await this.#store.put({ ...stored.job, lease: null }, stored.eTag).catch((error: unknown) => {
        if (!(error instanceof JobConflictError)) throw error;
      });
    }
  }

  #schedule(jobId: string, at: Date | null, estateName?: string): void {
    if (this.#closed) return;
    const previous = this.#timers.get(jobId);
    if (previous !== undefined) this.#options.timers.clearTimeout(previous);
    const delay = at === null ? 0 : Math.max(0, at.getTime() - this.#nowIn(estateName).getTime());
    const handle = this.#options.timers.setTimeout(() => {
      this.#timers.delete(jobId);
      void this.#step(jobId);
    }, delay);
    this.#timers.set(jobId, handle);
  }

  /** Runs a job's due steps; a second call while one runs makes it run once more after. */
  #step(jobId: string): Promise<void> {
    const current = this.#running.get(jobId);
    if (current) {
      this.#again.add(jobId);
      return current;
    }
    const run = (async () => {
      try {
        do {
          this.#again.delete(jobId);
          await this.#advance(jobId);
        } while (this.#again.has(jobId) && !this.#closed);
      } finally {
        this.#running.delete(jobId);
      }
    })();
    this.#running.set(jobId, run);
    return run;
  }

  async #advance(jobId: string): Promise<void> {
    let stored = await this.#store.get(jobId);
    if (!stored) return;
    const leased = await this.#lease(stored);
    if (!leased) return;
    stored = leased;
    for (let guard = 0; guard < 20 && !this.#closed; guard += 1) {
      const delivered = await this.#deliver(stored);
      stored = delivered.stored;
      const { job } = stored;
      if (delivered.blocked) {
        this.#schedule(jobId, this.#backoffAt(job.retries, job.estate), job.estate);
        return;
      }
      if (TERMINAL_STATES.has(job.state)) {
        if (job.outbox.length > 0) this.#schedule(jobId, this.#backoffAt(job.retries, job.estate), job.estate);
        return;
      }
      const now = this.#nowIn(job.estate);
      const due = job.nextStepAt === null || Date.parse(job.nextStepAt) <= now.getTime() || (job.stopRequestedBy !== null && job.state === 'running');
      if (!due) {
        this.#schedule(jobId, new Date(Date.parse(job.nextStepAt ?? iso(now))), job.estate);
        return;
      }
      const next = await this.#act(job);
      if (next === null) {
        // Waiting (pending confirmation): wake at the lapse time.
        this.#schedule(jobId, new Date(job.confirmBy), job.estate);
        return;
      }
      try {
        const eTag = await this.#store.put({ ...next, lease: { owner: this.#owner, until: iso(new Date(now.getTime() + (this.#options.leaseInMs ?? 120_000))) } }, stored.eTag);
        stored = { job: { ...next, lease: { owner: this.#owner, until: iso(new Date(now.getTime() + (this.#options.leaseInMs ?? 120_000))) } }, eTag };
      } catch (error) {
        if (!(error instanceof JobConflictError)) throw error;
        // Someone changed the job meanwhile (a stop request, another replica): read it again.
        this.#again.add(jobId);
        return;
      }
      await this.#auditTransition(job, stored.job);
    }
  }

  /** Takes (or renews) the lease; null when another replica holds it. */
  async #lease(stored: StoredJob): Promise<StoredJob | null> {
    const now = this.#nowIn(stored.job.estate);
    const lease = stored.job.lease;
    if (lease && lease.owner !== this.#owner && Date.parse(lease.until) > now.getTime()) {
      this.#schedule(stored.job.id, new Date(Date.parse(lease.until) + 1), stored.job.estate);
      return null;
    }
    const job = { ...stored.job, lease: { owner: this.#owner, until: iso(new Date(now.getTime() + (this.#options.leaseInMs ?? 120_000))) } };
    try {
      const eTag = await this.#store.put(job, stored.eTag);
      return { job, eTag };
    } catch (error) {
      if (!(error instanceof JobConflictError)) throw error;
      this.#again.add(stored.job.id);
      return null;
    }
  }

  /** Posts the outbox, recording each key once posted. */
  async #deliver(stored: StoredJob): Promise<{ stored: StoredJob; blocked: boolean }> {
    let current = stored;
    while (current.job.outbox.length > 0) {
      const [message, ...rest] = current.job.outbox;
      if (!message) break;
      if (!current.job.posted.includes(message.key)) {
        try {
          await this.#options.notifier.post(current.job.conversation, message);
        } catch {
          // The conversation is unreachable for now: keep the message, try again with backoff.
          const job = { ...current.job, retries: current.job.retries + 1 };
          const eTag = await this.#store.put(job, current.eTag);
          return { stored: { job, eTag }, blocked: true };
        }
      }
      const job = { ...current.job, outbox: rest, posted: [...current.job.posted, message.key].slice(-POSTED_KEPT) };
      const eTag = await this.#store.put(job, current.eTag);
      current = { job, eTag };
    }
    return { stored: current, blocked: false };
  }

  #backoffAt(attempt: number, estateName: string): Date {
    const delay = Math.min(this.#polling.maxInMs, this.#polling.firstInMs * this.#polling.factor ** Math.max(0, attempt - 1));
    return new Date(this.#nowIn(estateName).getTime() + delay);
  }

  #transition(job: CaptureJob, state: CaptureJobState, changes: Partial<CaptureJob>): CaptureJob {
    assertTransition(job.state, state);
    return { ...job, ...changes, state, retries: state === job.state ? (changes.retries ?? job.retries) : 0, updatedAt: iso(this.#nowIn(job.estate)) };
  }

  #message(job: CaptureJob, what: string, kind: OutboxMessage['kind'], text: string, cards: Record<string, unknown>[] = [], verdict?: Verdict): OutboxMessage {
    return { key: `${job.id}:${what}`, kind, text, cards, ...(verdict ? { verdict } : {}) };
  }

  #fail(job: CaptureJob, code: CaptureFailureCode, message: string, whatToDo: string): CaptureJob {
    const failed = this.#transition(job, 'failed', { failure: { code, message, whatToDo }, nextStepAt: null });
    return { ...failed, outbox: [...failed.outbox, this.#message(failed, 'failed', 'failure', `${message} ${whatToDo}`, [captureFailureCard(failed) as unknown as Record<string, unknown>])] };
  }

  #retryOrFail(job: CaptureJob, gap: Gap, what: string): CaptureJob {
    const retries = job.retries + 1;
    if (retries > (this.#options.maxRetries ?? 5)) {
      const { code, whatToDo } = classifyFailure(gap);
      const running = job.state === 'running' || job.state === 'stopping';
      return this.#fail(job, code, `${what} failed ${retries} times (${gapText(gap)}).${running ? ' The capture was left to its time limit in Azure.' : ''}`, whatToDo);
    }
    return { ...job, retries, nextStepAt: iso(this.#backoffAt(retries, job.estate)), updatedAt: iso(this.#nowIn(job.estate)) };
  }

  #progress(job: CaptureJob, what: string, line: string): CaptureJob {
    return { ...job, outbox: [...job.outbox, this.#message(job, what, 'progress', line, [captureProgressCard(job, line) as unknown as Record<string, unknown>])] };
  }

  /** One step of a job in its current state: the next job to persist, or null to wait. */
  async #act(job: CaptureJob): Promise<CaptureJob | null> {
    const now = this.#nowIn(job.estate);
    const azure = this.#estate(job.estate).azure;
    const { plan } = job;
    switch (job.state) {
      case 'pending-confirmation': {
        if (now.getTime() < Date.parse(job.confirmBy)) return null;
        const expired = this.#transition(job, 'expired', {});
        return { ...expired, outbox: [...expired.outbox, this.#message(expired, 'expired', 'progress', `The capture request on ${plan.targetName} lapsed unconfirmed; nothing was started.`)] };
      }
      case 'starting': {
        if (plan.kind === 'vpn-gateway') {
          // A gateway has no capture names: record the start request first, so that after a restart
          // "already running" is known to be this job's capture (followed and stopped), not someone else's.
          if (job.azureStatus?.status !== 'StartRequested') {
            this.#requestedHere.add(job.id);
            return { ...job, azureStatus: { status: 'StartRequested', stopReason: null, errors: [] }, updatedAt: iso(now) };
          }
          const started = await azure.startGatewayPacketCapture(plan.targetId, plan.filterData);
          if (!started.ok) {
            if (/AlreadyRunning/i.test(started.gap.detail)) {
              // Requested by an earlier process (then interrupted): the running capture is this job's; follow it.
              if (!this.#requestedHere.has(job.id)) return this.#started(job, now);
              return this.#fail(job, 'capture-limit', `A packet capture not started by this request already runs on ${plan.targetName}; a gateway runs one at a time. Nothing was started.`, 'Stop the running gateway capture (az network vnet-gateway packet-capture stop), then ask again.');
            }
            if (started.gap.reason === 'throttled' || started.gap.reason === 'timeout') return this.#retryOrFail(job, started.gap, 'Starting the gateway capture');
            const { code, whatToDo } = classifyFailure(started.gap);
            return this.#fail(job, code, `The gateway refused the capture: ${started.gap.detail}. Nothing was started.`, whatToDo);
          }
          return this.#started(job, now);
        }
        const watcher = plan.networkWatcherId ?? '';
        // After a restart the capture may already exist: look before creating it again.
        const existing = await azure.packetCaptureStatus(watcher, plan.captureName);
        if (existing.ok) return this.#started(job, job.startedAt ? new Date(job.startedAt) : now);
        if (existing.gap.reason !== 'not-found') return this.#retryOrFail(job, existing.gap, 'Looking up the capture');
        const created = await azure.startPacketCapture(watcher, plan.captureName, packetCaptureBody(plan));
        if (!created.ok) {
          if (created.gap.reason === 'throttled' || created.gap.reason === 'timeout') return this.#retryOrFail(job, created.gap, 'Creating the capture');
          const { code, whatToDo } = classifyFailure(created.gap);
          return this.#fail(job, code, `Network Watcher refused the capture on ${plan.targetName}: ${created.gap.detail}. Nothing was started.`, whatToDo);
        }
        return this.#started(job, now);
      }
      case 'running': {
        const pastLimit = job.stopAt !== null && now.getTime() >= Date.parse(job.stopAt);
        if (plan.kind === 'vpn-gateway') {
          if (job.stopRequestedBy || pastLimit) return this.#stopping(job);
          return { ...job, nextStepAt: job.stopAt, updatedAt: iso(now) };
        }
        const status = await azure.packetCaptureStatus(plan.networkWatcherId ?? '', plan.captureName);
        if (!status.ok) {
          if (job.stopRequestedBy || pastLimit) return this.#stopping(job);
          return this.#retryOrFail(job, status.gap, 'Reading the capture status');
        }
        const azureStatus = { status: status.value.packetCaptureStatus ?? 'Unknown', stopReason: status.value.stopReason ?? null, errors: [...(status.value.packetCaptureError ?? [])] };
        if (azureStatus.status === 'Error') {
          // Make sure nothing keeps running, then say what went wrong.
          await azure.stopPacketCapture(plan.networkWatcherId ?? '', plan.captureName);
          const { code, whatToDo } = classifyFailure(null, azureStatus.errors);
          return this.#fail({ ...job, azureStatus }, code, `The capture on ${plan.targetName} ended in Error (${azureStatus.errors.join(', ') || 'no reason given'}); it is stopped.`, whatToDo);
        }
        if (azureStatus.status === 'Stopped') {
          const collecting = this.#transition({ ...job, azureStatus }, 'collecting', { nextStepAt: null });
          return this.#progress(collecting, 'stopped', `The capture stopped (${azureStatus.stopReason ?? 'stopped'}); collecting the file from ${plan.storage.accountName}.`);
        }
        if (job.stopRequestedBy || pastLimit) return this.#stopping({ ...job, azureStatus });
        const polls = job.polls + 1;
        const interval = Math.min(this.#polling.maxInMs, this.#polling.firstInMs * this.#polling.factor ** polls);
        const nextAt = Math.min(now.getTime() + interval, job.stopAt ? Date.parse(job.stopAt) : Number.POSITIVE_INFINITY);
        return this.#transition({ ...job, azureStatus }, 'running', { polls, retries: 0, nextStepAt: iso(new Date(nextAt)) });
      }
      case 'stopping': {
        if (plan.kind === 'vpn-gateway') {
          if (!this.#options.sas) return this.#fail(job, 'azure-error', 'No SAS issuer is configured, so the gateway cannot be told where to write the file; the capture still runs on the gateway.', 'Stop it by hand: az network vnet-gateway packet-capture stop --sas-url <container SAS URL>.');
          const sasUrl = await this.#options.sas.containerSasUrl({ storageId: plan.storage.storageId, containerUrl: plan.storage.storagePath, expiresAt: new Date(now.getTime() + 60 * 60_000) });
          const stopped = await azure.stopGatewayPacketCapture(plan.targetId, sasUrl);
          if (!stopped.ok) {
            if (/NotRunning/i.test(stopped.gap.detail)) return this.#collecting(job);
            const { code, whatToDo } = classifyFailure(stopped.gap);
            if (code === 'storage-forbidden') return this.#fail(job, code, `The gateway capture stopped but could not write its file to ${plan.storage.accountName}: ${stopped.gap.detail}.`, whatToDo);
            return this.#retryOrFail(job, stopped.gap, 'Stopping the gateway capture');
          }
          return this.#collecting(job);
        }
        const stopped = await azure.stopPacketCapture(plan.networkWatcherId ?? '', plan.captureName);
        if (!stopped.ok) {
          const pastLimit = job.stopAt !== null && now.getTime() >= Date.parse(job.stopAt) + GRACE_IN_MS;
          if (pastLimit || stopped.gap.reason === 'not-found') return this.#collecting(job);
          return this.#retryOrFail(job, stopped.gap, 'Stopping the capture');
        }
        return this.#collecting(job);
      }
      case 'collecting': {
        if (plan.kind === 'vpn-gateway') {
          const files = await azure.listCaptureFiles(plan.storage.storagePath);
          if (!files.ok) {
            const { code, whatToDo } = classifyFailure(files.gap);
            if (code === 'storage-forbidden' || files.gap.reason === 'no-permission') return this.#fail(job, 'storage-forbidden', `The capture is stopped, but I cannot list its file in ${plan.storage.accountName}: ${files.gap.detail}.`, whatToDo);
            return this.#retryOrFail(job, files.gap, 'Listing the capture file');
          }
          const file = files.value[0];
          if (!file) return this.#retryOrFail(job, { source: 'Blob storage', reason: 'not-found', detail: `no file under ${plan.storage.storagePath} yet` }, 'Finding the capture file');
          return this.#transition(job, 'analysing', { filePath: file, nextStepAt: null });
        }
        const status = await azure.packetCaptureStatus(plan.networkWatcherId ?? '', plan.captureName);
        if (status.ok) {
          const azureStatus = { status: status.value.packetCaptureStatus ?? 'Unknown', stopReason: status.value.stopReason ?? null, errors: [...(status.value.packetCaptureError ?? [])] };
          if (azureStatus.status === 'Error') {
            const { code, whatToDo } = classifyFailure(null, azureStatus.errors);
            return this.#fail({ ...job, azureStatus }, code, `The capture on ${plan.targetName} stopped in Error (${azureStatus.errors.join(', ') || 'no reason given'}): no file to analyse.`, whatToDo);
          }
          if (azureStatus.status === 'Running') return { ...job, azureStatus, nextStepAt: iso(this.#backoffAt(1, job.estate)), updatedAt: iso(now) };
          return this.#transition({ ...job, azureStatus }, 'analysing', { filePath: plan.storage.storagePath, nextStepAt: null });
        }
        if (status.gap.reason === 'not-found') return this.#transition(job, 'analysing', { filePath: plan.storage.storagePath, nextStepAt: null });
        return this.#retryOrFail(job, status.gap, 'Reading the final capture status');
      }
      case 'analysing':
        return this.#analyse(job);
      default:
        return null;
    }
  }

  #started(job: CaptureJob, startedAt: Date): CaptureJob {
    const stopAt = new Date(startedAt.getTime() + job.plan.durationInSeconds * 1000);
    const nextAt = Math.min(this.#nowIn(job.estate).getTime() + this.#polling.firstInMs, stopAt.getTime());
    const running = this.#transition(job, 'running', { startedAt: iso(startedAt), stopAt: iso(stopAt), polls: 0, nextStepAt: iso(new Date(nextAt)) });
    return this.#progress(running, 'started', `The capture on ${job.plan.targetName} is running until ${iso(stopAt)} (${formatDuration(job.plan.durationInSeconds)}). Say "stop the capture" to end it sooner; the result follows in this thread.`);
  }

  #stopping(job: CaptureJob): CaptureJob {
    const why = job.stopRequestedBy ? `as ${job.stopRequestedBy.name ?? job.stopRequestedBy.aadObjectId ?? 'a user'} asked` : 'its time is up';
    const stopping = this.#transition(job, 'stopping', { nextStepAt: null });
    return this.#progress(stopping, 'stopping', `Stopping the capture on ${job.plan.targetName} (${why}).`);
  }

  #collecting(job: CaptureJob): CaptureJob {
    const collecting = this.#transition(job, 'collecting', { nextStepAt: null });
    return this.#progress(collecting, 'stopped', `The capture on ${job.plan.targetName} is stopped; collecting the file from ${job.plan.storage.accountName}.`);
  }

  async #analyse(job: CaptureJob): Promise<CaptureJob> {
    const estate = this.#estate(job.estate);
    const { plan } = job;
    const filePath = job.filePath ?? plan.storage.storagePath;
    const opened = await estate.azure.openCapture(filePath);
    if (!opened.ok) {
      if (opened.gap.reason === 'no-permission') {
        const { whatToDo } = classifyFailure({ ...opened.gap, detail: `storage ${opened.gap.detail}` });
        return this.#fail(job, 'storage-forbidden', `The capture is stopped, but its file in ${plan.storage.accountName} cannot be read: ${opened.gap.detail}.`, whatToDo);
      }
      return this.#retryOrFail(job, opened.gap, 'Downloading the capture file');
    }
    let report: CaptureReport;
    try {
      report = await this.#options.analyse(opened.value.stream);
    } catch (error) {
      return this.#fail(job, 'analysis-error', `The capture file could not be analysed: ${error instanceof Error ? error.message : String(error)}.`, 'Download the file from storage and open it in Wireshark; or send it to me in a personal chat.');
    }
    const fileName = filePath.split('/').pop() ?? `${plan.captureName}.cap`;
    const evidence = captureEvidenceOf(job, filePath, fileName, report);
    if (plan.kind === 'network-watcher') {
      // The file stays; the capture resource goes, freeing the region's capture slot (and not listed twice as evidence).
      await estate.azure.deletePacketCapture(plan.networkWatcherId ?? '', plan.captureName);
    }
    const outcome = await estate.diagnose({ text: plan.question, extraEvidence: [evidence] });
    const summaryCard = captureCard(report, fileName) as unknown as Record<string, unknown>;
    const problems = report.findings.filter((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window').map((finding) => finding.code);
    const captured = `${report.input.packets} packets, ${report.conversations.length} conversation(s), ${problems.length === 0 ? 'no problem seen' : [...new Set(problems)].join(', ')}`;
    const done = this.#transition(job, 'done', { filePath, nextStepAt: null });
    if (outcome.kind === 'verdict') {
      const verdict = outcome.verdict;
      const card = verdictCard(verdict, { verdictId: `capture-${job.id}` }) as unknown as Record<string, unknown>;
      return { ...done, outbox: [...done.outbox, this.#message(done, 'result', 'result', `Capture on ${plan.targetName}: ${captured}. Updated verdict: ${verdict.summary}`, [card, summaryCard], verdict)] };
    }
    return { ...done, outbox: [...done.outbox, this.#message(done, 'result', 'result', `Capture on ${plan.targetName}: ${captured}. I could not diagnose "${plan.question}" again: ${outcome.message}`, [summaryCard])] };
  }

  async #auditTransition(before: CaptureJob, after: CaptureJob): Promise<void> {
    if (before.state === after.state) return;
    const detail: Record<string, unknown> = { from: before.state, to: after.state };
    switch (after.state) {
      case 'running':
        return this.#audit(after, 'started', 'netproof', { ...detail, confirmedBy: after.confirmedBy, stopAt: after.stopAt, storagePath: after.plan.storage.storagePath });
      case 'collecting':
        return this.#audit(after, 'stopped', 'netproof', { ...detail, reason: after.stopRequestedBy ? 'requested' : after.azureStatus?.stopReason ?? 'time-limit', stopRequestedBy: after.stopRequestedBy });
      case 'done': {
        const result = after.outbox.find((message) => message.kind === 'result');
        return this.#audit(after, 'result', 'netproof', { ...detail, filePath: after.filePath, cause: result?.verdict?.cause ?? null, status: result?.verdict?.status ?? null });
      }
      case 'failed':
        return this.#audit(after, 'failed', 'netproof', { ...detail, failure: after.failure, meaning: after.failure ? CAPTURE_FAILURES[after.failure.code] : null });
      case 'expired':
        return this.#audit(after, 'expired', 'netproof', detail);
      default:
        return undefined;
    }
  }

  async #audit(job: CaptureJob, action: string, actor: Actor | 'netproof', detail: Record<string, unknown>): Promise<void> {
    await this.#options.audit.append({
      at: iso(this.#nowIn(job.estate)), jobId: job.id, action, actor, estate: job.estate, target: job.plan.targetId, detail,
    });
  }

  /** Now in an estate: its own clock (a lab scenario's time), else the engine's. */
  #nowIn(estateName: string | undefined): Date {
    const estate = estateName === undefined ? undefined : this.#options.estates.find((candidate) => candidate.name === estateName);
    return estate?.now ? estate.now() : this.#options.clock.now();
  }

  #estate(name: string): CaptureEstate {
    const estate = this.#options.estates.find((candidate) => candidate.name === name);
    if (!estate) throw new Error(`capture job: unknown estate ${name}`);
    return estate;
  }
}

/** The capture as evidence the diagnosis takes (`extraEvidence`, kind `capture`). */
export function captureEvidenceOf(job: CaptureJob, filePath: string, fileName: string, report: CaptureReport): EvidenceDraft {
  const problems = report.findings.filter((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window');
  return {
    kind: 'capture',
    source: 'packetCapture',
    query: `GET ${filePath} (packet capture ${job.plan.captureName} on ${job.plan.targetId}, confirmed by ${job.confirmedBy?.name ?? job.confirmedBy?.aadObjectId ?? 'unknown'})`,
    summary: `capture ${job.plan.captureName} on ${job.plan.targetName}: ${report.input.packets} packets, ${report.conversations.length} conversations${problems.length > 0 ? `; ${[...new Set(problems.map((finding) => finding.code))].join(', ')}` : ''}`,
    data: { targetId: job.plan.targetId, fileName, report },
  };
}
