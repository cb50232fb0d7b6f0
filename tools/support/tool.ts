/**
 * What every LLM tool is: a plain object `{ name, description, input, run }` whose
 * input is a zod schema (the OpenAI tool schema is generated from it) and whose run
 * returns data or an error the model can act on. A failure goes back to the model;
 * it never ends the turn.
 */
import type { z } from 'zod';
import type { CaptureReport, Topology } from '../../src/domain/index.js';
import type { AnalyzeCaptureOptions } from '../../src/capture/index.js';
import type { DiagnoseOutcome, Diagnoser } from '../../src/diagnose/diagnose.js';
import type { EvidenceSources } from '../../src/diagnose/ports.js';
import type { ParsedQuestion } from '../../src/diagnose/question.js';

/** A tool's error: a stable code, what happened in words, and whether trying again may help. */
export interface ToolError {
  code: string;
  message: string;
  retryable: boolean;
}

/** The outcome of one tool call. */
export type ToolResult = { ok: true; data: unknown } | { ok: false; error: ToolError };

/** What the user may investigate: the subscriptions they are allowed to see. Anything outside is "not found". */
export interface AccessScope {
  subscriptionIds: readonly string[];
}

/** A file uploaded in this conversation (a packet capture). */
export interface ConversationUpload {
  /** Stable id within the conversation (the bot's attachment id). */
  id: string;
  fileName: string;
  /** The VM the capture was taken on, when known. */
  targetId?: string | null;
  /** A report the bot already computed, if any. */
  report?: CaptureReport;
  /** Opens the bytes: a file path, or a readable stream. */
  open?: () => Promise<string | NodeJS.ReadableStream> | string | NodeJS.ReadableStream;
}

/** A packet capture the model asked for: it waits for an authorised user's confirmation; nothing has started. */
export interface PacketCaptureRequest {
  id: string;
  virtualMachineId: string;
  virtualMachineName: string;
  durationInSeconds: number;
  maxBytes: number;
  filters: Array<{ protocol: 'TCP' | 'UDP' | 'Any'; localIp: string | null; remoteIp: string | null; localPort: number | null; remotePort: number | null }>;
}

/** What one turn accumulates while tools run; the loop reads it to ground the answer. */
export interface TurnRecord {
  /** Every diagnosis run in this turn, oldest first. */
  diagnoses: DiagnoseOutcome[];
  /** Diagnoses by request key, so paging through evidence does not run the pipeline again. */
  diagnosisCache: Map<string, DiagnoseOutcome>;
  /** Capture reports of uploads analysed in this turn, by upload id. */
  captureReports: Map<string, CaptureReport>;
  /** Packet captures awaiting confirmation. */
  captureRequests: PacketCaptureRequest[];
  /** The estate in the user's scope, read once per turn. */
  estate: Promise<Topology | null> | null;
}

/** A new, empty turn record. */
export function newTurnRecord(): TurnRecord {
  return { diagnoses: [], diagnosisCache: new Map(), captureReports: new Map(), captureRequests: [], estate: null };
}

/** Limits the tools honour (NETPROOF_LIMITS_*). */
export interface ToolLimits {
  /** Longest packet capture, seconds. */
  captureSeconds: number;
  /** Most bytes one packet capture may write. */
  captureBytes: number;
  /** Longest window a log query may span, minutes. */
  windowInMinutes: number;
}

/** Everything a tool may use; built once per turn by the loop. */
export interface ToolContext {
  /** The deterministic pipeline, bound to the scoped sources. */
  diagnose: Diagnoser;
  /** Evidence sources, already restricted to the user's scope. */
  sources: EvidenceSources;
  scope: AccessScope;
  /** The injected clock. */
  now: Date;
  signal: AbortSignal;
  /** The conversation's previous question, which follow-ups continue. */
  previous: ParsedQuestion | undefined;
  /** The user's time zone (the Teams client's). */
  timeZone: string | undefined;
  uploads: readonly ConversationUpload[];
  /** Options for analysing an upload (limits, extra CA). */
  captureOptions: AnalyzeCaptureOptions;
  limits: ToolLimits;
  turn: TurnRecord;
}

/** One LLM tool. The name matches its file: `query_firewall_logs` <-> `tools/query-firewall-logs.ts`. */
export interface Tool<Input extends z.ZodType = z.ZodType> {
  name: string;
  /** Written for the model: when to use it, what it returns. */
  description: string;
  input: Input;
  run(input: z.output<Input>, context: ToolContext): Promise<ToolResult>;
}

/** Declares a tool with its input type inferred from the schema. */
export function defineTool<Input extends z.ZodType>(tool: Tool<Input>): Tool<Input> {
  return tool;
}

/** A successful result. */
export function success(data: unknown): ToolResult {
  return { ok: true, data };
}

/** A failed result. */
export function failure(code: string, message: string, retryable = false): ToolResult {
  return { ok: false, error: { code, message, retryable } };
}

/** The "not found" every tool gives for a resource that does not exist or lies outside the user's scope. */
export function notFound(what: string, candidates: readonly string[] = []): ToolResult {
  const hint = candidates.length > 0 ? ` Closest names you may investigate: ${candidates.join(', ')}.` : ' Use find_resource to look it up.';
  return failure('not_found', `${what} was not found in the estate you may investigate.${hint}`);
}
