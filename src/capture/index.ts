/**
 * The capture library entry: read a capture (any supported format, gzip or not) and
 * analyse it in one streaming pass. Usable from a worker thread: no global state, no
 * environment; the caller passes the limits and the extra CA as data.
 */
import type { CaptureReport, Conversation } from '../domain/capture-report.js';
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
