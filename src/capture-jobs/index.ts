/** Packet capture jobs from chat: confirm, capture, collect, analyse, post (see service.ts). */
export { CaptureJobs, captureEvidenceOf, classifyFailure, type ActionOutcome, type CaptureJobsOptions, type PollingOptions, type ProposeInput, type ProposeOutcome, type SasIssuer } from './service.js';
export { CaptureJobStore, BlobRecordStorage, MemoryRecordStorage, JobConflictError, type BlobContainerLike, type RecordStorage, type StoreItem } from './store.js';
export { AppendBlobAuditLog, FileAuditLog, MemoryAuditLog, type AppendBlobLike } from './audit.js';
export {
  CAPTURE_CONTAINER, isCaptureRequest, isStopRequest, packetCaptureBody, planFromFlow, planFromText, planFromToolRequest, planFromVerdict, readBytes, readDuration,
  type CaptureFlow, type CaptureLimits, type PlanContext, type PlanOutcome, type ToolCaptureRequest,
} from './plan.js';
export { CAPTURE_FAILURES, CAPTURE_JOB_STATES, CaptureJobSchema, TERMINAL_STATES, TRANSITIONS, type Actor, type CaptureJob, type CaptureJobState, type CapturePlan, type OutboxMessage } from './job.js';
export type { AuditEntry, AuditLog, CaptureAnalyser, CaptureEstate, CaptureNotifier, CaptureOperations, Clock, Timers } from './ports.js';

/** Timers on the real clock (production); unref'd so a pending poll never keeps the process alive. */
export const realTimers = {
  setTimeout: (callback: () => void, delayInMs: number): unknown => {
    const handle = setTimeout(callback, Math.min(delayInMs, 2 ** 31 - 1));
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
