/**
 * The capture library entry: read a capture (any supported format, gzip or not) and
 * analyse it in one streaming pass. Usable from a worker thread: no global state, no
 * environment; the caller passes the limits and the extra CA as data.
 */
import type { CaptureReport } from '../domain/capture-report.js';
import { CaptureAnalyzer } from './analysis/analyzer.js';
import type { DecodedPacket } from './packet.js';
import { readCapture } from './readers/index.js';

export { renderCaptureSummary } from './analysis/summary.js';
export { CaptureAnalyzer, type AnalysisOptions } from './analysis/analyzer.js';

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
  return analyzer.finish({ format: result.format, packets: result.packets, bytes: result.bytes }, result.warnings);
}
