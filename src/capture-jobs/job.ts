/**
 * A packet capture job as it is stored: its plan (what will be captured where), its
 * lifecycle state, who asked and who confirmed, and the notifications still to post.
 * Every field is plain JSON so any durable store (memory, Blob, a botbuilder Storage)
 * keeps it whole; the schema is the check at every read.
 */
import { z } from 'zod';
import { VerdictSchema } from '../domain/index.js';

/**
 * The lifecycle of a job. Each state is persisted before the action it names runs, so
 * a restarted bot resumes exactly where the last one stopped.
 */
export const CAPTURE_JOB_STATES = {
  'pending-confirmation': 'Planned and shown on a confirmation card; nothing runs in Azure until an approver confirms.',
  starting: 'Confirmed: the capture is being created (a resumed job first looks whether it already exists).',
  running: 'The capture runs in Azure; the bot polls its status with backoff until it stops or reaches its time limit.',
  stopping: 'The bot asks Azure to stop the capture (time limit reached, or a user said "stop the capture").',
  collecting: 'The capture has stopped; the bot checks its final status and opens its file in Blob storage.',
  analysing: 'The file is analysed and the diagnosis rerun with the capture as evidence.',
  done: 'The updated verdict and the capture summary were posted (terminal).',
  failed: 'Something went wrong (extension missing, capture error, storage forbidden, too many captures); the thread was told what to do (terminal).',
  expired: 'Nobody confirmed before the confirmation lapsed, or it was cancelled; nothing was started (terminal).',
} as const;

/** A lifecycle state (see CAPTURE_JOB_STATES). */
export const CaptureJobStateSchema = z.enum(Object.keys(CAPTURE_JOB_STATES) as [keyof typeof CAPTURE_JOB_STATES, ...(keyof typeof CAPTURE_JOB_STATES)[]]);
export type CaptureJobState = z.infer<typeof CaptureJobStateSchema>;

/** States a job never leaves. */
export const TERMINAL_STATES: ReadonlySet<CaptureJobState> = new Set(['done', 'failed', 'expired']);

/** The transitions the service makes; anything else is a bug. */
export const TRANSITIONS: Readonly<Record<CaptureJobState, readonly CaptureJobState[]>> = {
  'pending-confirmation': ['starting', 'expired'],
  starting: ['running', 'failed'],
  running: ['running', 'stopping', 'collecting', 'failed'],
  stopping: ['collecting', 'failed'],
  collecting: ['analysing', 'failed'],
  analysing: ['done', 'failed'],
  done: [],
  failed: [],
  expired: [],
};

/** Why a job failed: what went wrong, said so a user knows what to do. */
export const CAPTURE_FAILURES = {
  'extension-missing': 'The target lacks the Network Watcher agent extension (AzureNetworkWatcherExtension).',
  'capture-limit': 'The region already runs as many packet captures as Network Watcher allows.',
  'capture-error': 'Network Watcher reported the capture in Error (CaptureFailed, AgentStopped, InternalError, LocalFileFailed).',
  'storage-forbidden': 'The capture could not write to, or the bot could not read from, the storage account.',
  'no-network-watcher': 'No Network Watcher exists in the target region.',
  'no-storage': 'No storage account is configured or found in the target region.',
  'azure-error': 'Azure refused or failed a call the job needed (permissions, throttling, an outage).',
  'analysis-error': 'The capture file could not be read or analysed.',
  'lost': 'The bot could not follow the capture; it was left to its time limit in Azure.',
} as const;
export const CaptureFailureCodeSchema = z.enum(Object.keys(CAPTURE_FAILURES) as [keyof typeof CAPTURE_FAILURES, ...(keyof typeof CAPTURE_FAILURES)[]]);
export type CaptureFailureCode = z.infer<typeof CaptureFailureCodeSchema>;

/** A Network Watcher capture filter (AZURE.md section 3); absent fields match everything. */
export const CaptureFilterSchema = z.object({
  protocol: z.enum(['TCP', 'UDP', 'Any']),
  localIPAddress: z.string().optional(),
  remoteIPAddress: z.string().optional(),
  localPort: z.string().optional(),
  remotePort: z.string().optional(),
});
export type CaptureFilter = z.infer<typeof CaptureFilterSchema>;

/** Where the capture file goes, and how that account was chosen. */
export const CaptureStorageSchema = z.object({
  storageId: z.string(),
  accountName: z.string(),
  /** `configured` (NETPROOF_CAPTURE_STORAGE_ID) or `region` (the target region's first storage account). */
  chosenBy: z.enum(['configured', 'region']),
  /** Network Watcher: the blob URL of the file. VPN gateway: the container URL the SAS is for. */
  storagePath: z.string(),
});
export type CaptureStorage = z.infer<typeof CaptureStorageSchema>;

/** What will be captured, where, for how long: exactly what the confirmation card states. */
export const CapturePlanSchema = z.object({
  /** `network-watcher`: a VM or scale set; `vpn-gateway`: a virtual network gateway (start, then stop with a SAS URL). */
  kind: z.enum(['network-watcher', 'vpn-gateway']),
  targetId: z.string(),
  targetName: z.string(),
  targetType: z.enum(['AzureVM', 'AzureVMSS', 'VirtualNetworkGateway']),
  /** Scale set instances (empty lists: all instances). */
  scope: z.object({ include: z.array(z.string()), exclude: z.array(z.string()) }).nullable(),
  region: z.string(),
  /** The region's Network Watcher (null for a gateway capture). */
  networkWatcherId: z.string().nullable(),
  /** The capture resource's name (Network Watcher) or the file prefix (gateway), derived from the job id. */
  captureName: z.string(),
  durationInSeconds: z.number().int().positive(),
  totalBytes: z.number().int().positive(),
  filters: z.array(CaptureFilterSchema),
  /** The gateway's `filterData` string, when a gateway capture. */
  filterData: z.string().nullable(),
  storage: CaptureStorageSchema,
  /** The question to diagnose again with the capture as evidence. */
  question: z.string(),
  /** Lines the card shows about choices made ("asked 20 minutes; the limit is 10"). */
  notes: z.array(z.string()),
});
export type CapturePlan = z.infer<typeof CapturePlanSchema>;

/** A person, by Entra object id. */
export const ActorSchema = z.object({ aadObjectId: z.string().nullable(), name: z.string().nullable() });
export type Actor = z.infer<typeof ActorSchema>;

/** A message waiting to be posted (the outbox): written with the transition that caused it. */
export const OutboxMessageSchema = z.object({
  /** Idempotency key: `<job id>:<what>`; a key is posted once. */
  key: z.string(),
  kind: z.enum(['progress', 'result', 'failure']),
  text: z.string(),
  /** Adaptive Cards (JSON) to attach. */
  cards: z.array(z.record(z.string(), z.unknown())),
  /** The updated verdict (result messages), so the bot can keep it for "Show the proof" and the evidence pack. */
  verdict: VerdictSchema.optional(),
});
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

/** The stored job. */
export const CaptureJobSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]{6,40}$/),
  state: CaptureJobStateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The conversation reference (opaque to the service; the notifier's own shape). */
  conversation: z.record(z.string(), z.unknown()),
  /** The estate this job runs in (`azure` or a lab scenario name). */
  estate: z.string(),
  /** True when the estate is the lab (a capture there changes nothing real). */
  lab: z.boolean(),
  requestedBy: ActorSchema,
  confirmedBy: ActorSchema.nullable(),
  plan: CapturePlanSchema,
  /** When an unconfirmed job lapses. */
  confirmBy: z.string(),
  startedAt: z.string().nullable(),
  /** When the bot stops the capture itself if Azure has not (start + duration). */
  stopAt: z.string().nullable(),
  stopRequestedBy: ActorSchema.nullable(),
  /** Status polls made while running, for the backoff. */
  polls: z.number().int().nonnegative(),
  /** Consecutive failed Azure calls in the current state. */
  retries: z.number().int().nonnegative(),
  /** When the next step is due (polling, retry); null: now. */
  nextStepAt: z.string().nullable(),
  /** The last status Azure gave. */
  azureStatus: z.object({ status: z.string(), stopReason: z.string().nullable(), errors: z.array(z.string()) }).nullable(),
  /** The capture file as finally located (gateway files are found by listing). */
  filePath: z.string().nullable(),
  failure: z.object({ code: CaptureFailureCodeSchema, message: z.string(), whatToDo: z.string() }).nullable(),
  /** Which replica follows the job, until when. */
  lease: z.object({ owner: z.string(), until: z.string() }).nullable(),
  outbox: z.array(OutboxMessageSchema),
  /** Keys already posted. */
  posted: z.array(z.string()),
});
export type CaptureJob = z.infer<typeof CaptureJobSchema>;

/** Throws when a transition is not in TRANSITIONS (a bug, not user input). */
export function assertTransition(from: CaptureJobState, to: CaptureJobState): void {
  if (!TRANSITIONS[from].includes(to)) throw new Error(`capture job: no transition from ${from} to ${to}`);
}
