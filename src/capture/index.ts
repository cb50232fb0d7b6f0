/**
 * The capture library entry: read a capture (any supported format, gzip or not) and
 * analyse it in one streaming pass. Usable from a worker thread: no global state, no
 * environment; the caller passes the limits and the extra CA as data.
 */
import { z } from 'zod';
import { CaptureReportSchema, type CaptureReport, type Conversation } from '../domain/capture-report.js';
import { CaptureAnalyzer, type StreamedCaptureReport } from './analysis/analyzer.js';
import type { DecodedPacket } from './packet.js';
import { readCapture } from './readers/index.js';

export { renderCaptureSummary } from './analysis/summary.js';
export { CaptureAnalyzer, type AnalysisOptions, type StreamedCaptureReport } from './analysis/analyzer.js';

/** Limits of one analysis (NETPROOF_LIMITS_* in the CLI and the bot). */
export interface CaptureLimits {
  /** Raw bytes read from the source. */
  maxInputBytes?: number;
  /** Bytes after gunzip. */
  maxDecompressedBytes?: number;
  /** Packets read before the capture is cut short with a warning. */
  maxPackets?: number;
  /** Conversations tracked before new ones are only counted. */
  maxConversations?: number;
}

/** Progress of a running analysis. */
export interface CaptureProgress {
  packets: number;
}

/** Options of `analyzeCapture`. */
export interface AnalyzeCaptureOptions {
  /** Extra trusted roots for the chain check, as PEM text (not a path: the caller reads the file). */
  extraCaPem?: string;
  limits?: CaptureLimits;
  /** Called every `progressEveryPackets` packets (default 50,000). */
  onProgress?: (progress: CaptureProgress) => void;
  progressEveryPackets?: number;
}

/** Reads and analyses a capture: a file path, '-' for standard input, or a readable stream. */
export async function analyzeCapture(source: string | NodeJS.ReadableStream, options: AnalyzeCaptureOptions = {}): Promise<CaptureReport> {
  const { analyzer, input, warnings } = await read(source, options);
  return analyzer.finish(input, warnings);
}

/**
 * Reads and analyses a capture like `analyzeCapture`, but hands the report back with its
 * conversations made one at a time (for `captureReportJson`, so a report of many
 * conversations never lives whole).
 */
export async function analyzeCaptureStreamed(source: string | NodeJS.ReadableStream, options: AnalyzeCaptureOptions = {}): Promise<StreamedCaptureReport> {
  const { analyzer, input, warnings } = await read(source, options);
  return analyzer.finishStreamed(input, warnings);
}

async function read(source: string | NodeJS.ReadableStream, options: AnalyzeCaptureOptions): Promise<{ analyzer: CaptureAnalyzer; input: CaptureReport['input']; warnings: string[] }> {
  const limits = options.limits ?? {};
  const analyzer = new CaptureAnalyzer({
    ...(options.extraCaPem !== undefined ? { extraCaPem: options.extraCaPem } : {}),
    ...(limits.maxConversations !== undefined ? { maxConversations: limits.maxConversations } : {}),
  });
  const onProgress = options.onProgress;
  const every = options.progressEveryPackets ?? 50_000;
  let sink = analyzer.add;
  if (onProgress) {
    let count = 0;
    sink = (packet: DecodedPacket) => {
      analyzer.add(packet);
      count += 1;
      if (count % every === 0) onProgress({ packets: count });
    };
  }
  const result = await readCapture(source, sink, {
    ...(limits.maxInputBytes !== undefined ? { maxInputBytes: limits.maxInputBytes } : {}),
    ...(limits.maxDecompressedBytes !== undefined ? { maxDecompressedBytes: limits.maxDecompressedBytes } : {}),
    ...(limits.maxPackets !== undefined ? { maxPackets: limits.maxPackets } : {}),
  });
  return { analyzer, input: { format: result.format, packets: result.packets, bytes: result.bytes }, warnings: result.warnings };
}

/** Conversations stringified together: enough that a batch is one large string, few enough that its objects die young. */
const JSON_BATCH_CONVERSATIONS = 1024;
const CONVERSATIONS_OPEN = '{\n  "conversations": [';
const CONVERSATIONS_CLOSE = '\n  ]\n}';

/**
 * The report as `JSON.stringify(report, null, 2)` writes it (without a final newline), in
 * pieces: the conversations are made and stringified a batch at a time, as the elements of
 * `{ conversations: batch }`, which puts them at the depth they have in the report.
 * Iterates the report's conversations; its findings are written after them.
 */
export function* captureReportJson(report: StreamedCaptureReport): Generator<string> {
  const head = JSON.stringify({ input: report.input, warnings: report.warnings }, null, 2);
  yield `${head.slice(0, -2)},\n  "conversations": `;
  let batch: Conversation[] = [];
  let first = true;
  const flush = (): string => {
    const text = JSON.stringify({ conversations: batch }, null, 2);
    const elements = text.slice(CONVERSATIONS_OPEN.length, -CONVERSATIONS_CLOSE.length);
    const piece = first ? `[${elements}` : `,${elements}`;
    first = false;
    batch = [];
    return piece;
  };
  for (const conversation of report.conversations()) {
    batch.push(conversation);
    if (batch.length === JSON_BATCH_CONVERSATIONS) yield flush();
  }
  if (batch.length > 0) yield flush();
  yield first ? '[]' : '\n  ]';
  yield `,${JSON.stringify({ findings: report.findings }, null, 2).slice(1)}`;
}

/** What a capture card and the bot's one-line answer show of a report: all of it but the conversations, which are counted. */
export const CaptureSummarySchema = CaptureReportSchema.omit({ conversations: true }).extend({ conversationCount: z.number().int().nonnegative() });
export type CaptureSummary = z.infer<typeof CaptureSummarySchema>;

/** The `format` of the first of the capture report lines (`captureReportLines`). */
export const CAPTURE_REPORT_LINES_FORMAT = 'netproof.capture-report-lines.v1';

/** Conversations (or findings) per line: few enough that one line parses and checks in a few milliseconds. */
const ITEMS_PER_LINE = 500;

/**
 * The report as lines of JSON, so that a reader can parse and check it a line at a time
 * (yielding in between) instead of in one long synchronous step. In order:
 * - `{"format":"netproof.capture-report-lines.v1","input":{...},"warnings":[...]}`
 * - `{"conversations":[...]}`, as many lines as needed, at most ITEMS_PER_LINE each;
 * - `{"findings":[...]}`, likewise;
 * - `{"end":{"conversations":COUNT,"findings":COUNT}}`: a reader tells a whole report from a cut one by it.
 * Every line ends with a line feed; JSON.stringify escapes line breaks inside strings, so a line is one JSON value.
 * Iterates a streamed report's conversations (its findings are complete afterwards); also
 * hands back the summary, so whoever writes the lines need not keep the report.
 */
export function captureReportLines(report: StreamedCaptureReport | CaptureReport): { text: string; summary: CaptureSummary } {
  const lines = [JSON.stringify({ format: CAPTURE_REPORT_LINES_FORMAT, input: report.input, warnings: report.warnings })];
  let conversationCount = 0;
  let batch: Conversation[] = [];
  const conversations = typeof report.conversations === 'function' ? report.conversations() : report.conversations;
  for (const conversation of conversations) {
    batch.push(conversation);
    conversationCount += 1;
    if (batch.length === ITEMS_PER_LINE) {
      lines.push(JSON.stringify({ conversations: batch }));
      batch = [];
    }
  }
  if (batch.length > 0) lines.push(JSON.stringify({ conversations: batch }));
  for (let start = 0; start < report.findings.length; start += ITEMS_PER_LINE) {
    lines.push(JSON.stringify({ findings: report.findings.slice(start, start + ITEMS_PER_LINE) }));
  }
  lines.push(JSON.stringify({ end: { conversations: conversationCount, findings: report.findings.length } }));
  return {
    text: `${lines.join('\n')}\n`,
    summary: { input: report.input, warnings: report.warnings, findings: report.findings, conversationCount },
  };
}
