/**
 * What the capture-job engine needs from the world, as narrow interfaces. The
 * composition root passes the Azure facade, a durable store, the bot's notifier, an
 * audit log and the clock; tests pass the lab through the same facade and manual time.
 */
import type { AzureEvidenceSources } from '../azure/index.js';
import type { CaptureReport } from '../domain/index.js';
import type { DiagnoseOutcome, DiagnoseRequest } from '../diagnose/diagnose.js';
import type { OutboxMessage } from './job.js';

/** The Azure operations a job uses (the facade satisfies it; gateway methods come from src/azure/gateway-capture.ts). */
export type CaptureOperations = Pick<AzureEvidenceSources,
  'estate' | 'startPacketCapture' | 'packetCaptureStatus' | 'stopPacketCapture' | 'deletePacketCapture' | 'listPacketCaptures' | 'openCapture'
  | 'startGatewayPacketCapture' | 'stopGatewayPacketCapture' | 'listCaptureFiles' | 'storageAccounts'>;

/** One estate a job can run in. */
export interface CaptureEstate {
  /** `azure`, or the lab scenario's name. */
  name: string;
  /** True for a lab scenario: its captures change nothing real. */
  lab: boolean;
  azure: CaptureOperations;
  /** The pipeline bound to this estate. */
  diagnose: (request: DiagnoseRequest) => Promise<DiagnoseOutcome>;
  /**
   * The estate's own clock (each lab scenario has its own `now`); without it the engine's clock.
   * A job's times (confirmation deadline, start, stop, polls, lease, audit) are all on its estate's clock.
   */
  now?: () => Date;
}

/** Posts into a stored conversation (the bot implements it with continueConversation). */
export interface CaptureNotifier {
  /**
   * Posts one message. `message.key` is an idempotency key: the engine never posts a key it
   * has recorded as posted, and after a crash between posting and recording it posts that
   * key once more, so an implementation that remembers keys posts each message exactly once.
   */
  post(conversation: Record<string, unknown>, message: OutboxMessage): Promise<void>;
}

/** One audit line: who did what to which capture, when. */
export interface AuditEntry {
  at: string;
  jobId: string;
  /** requested | confirmed | refused | started | stop-requested | stopped | result | failed | expired | cancelled. */
  action: string;
  actor: { aadObjectId: string | null; name: string | null } | 'netproof';
  estate: string;
  target: string;
  detail: Record<string, unknown>;
}

/** Append-only audit log. */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
}

/** The injected clock (the lab scenario's time, or real time). */
export interface Clock {
  now(): Date;
}

/** Timers on the injected clock (tests fire them by advancing time). */
export interface Timers {
  setTimeout(callback: () => void, delayInMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The capture analyser (`analyzeCapture` of src/capture, or its worker). */
export type CaptureAnalyser = (stream: NodeJS.ReadableStream) => Promise<CaptureReport>;
