/** `netproof capture FILE [--json] [--extra-ca FILE]`: analyse a capture and print the summary or the CaptureReport. */
import { readFile } from 'node:fs/promises';
import { analyzeCapture, analyzeCaptureStreamed, captureReportJson, renderCaptureSummary } from '../capture/index.js';
import { loadConfig } from '../config.js';
import { UserInputError } from '../domain/errors.js';

/** Options of the command. */
export interface CaptureCommandOptions {
  json?: boolean | undefined;
  extraCa?: string | undefined;
}

async function readExtraCa(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserInputError('capture.extra-ca-unreadable', `cannot read the extra CA file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserInputError('capture.extra-ca-invalid', `the extra CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return text;
}

/** Runs `netproof capture`. */
export async function runCapture(file: string, options: CaptureCommandOptions = {}): Promise<void> {
  const config = loadConfig();
  const extraCaPath = options.extraCa ?? config.NETPROOF_EXTRA_CA_FILE;
  const extraCaPem = extraCaPath ? await readExtraCa(extraCaPath) : undefined;
  const analysis = {
    ...(extraCaPem !== undefined ? { extraCaPem } : {}),
    limits: {
      maxInputBytes: config.NETPROOF_LIMITS_CAPTURE_FILE_BYTES,
      maxDecompressedBytes: config.NETPROOF_LIMITS_DECOMPRESSED_BYTES,
      maxPackets: config.NETPROOF_LIMITS_PACKETS,
      maxConversations: config.NETPROOF_LIMITS_CONVERSATIONS,
    },
  };
  let output: string;
  if (options.json) {
    // The conversations are made and stringified a batch at a time, so the report never lives whole (GC time on large captures).
    const report = await analyzeCaptureStreamed(file, analysis);
    for (const warning of report.warnings) process.stderr.write(`netproof: warning: ${warning}\n`);
    const pieces = [...captureReportJson(report)];
    pieces.push('\n');
    output = pieces.join('');
  } else {
    const report = await analyzeCapture(file, analysis);
    for (const warning of report.warnings) process.stderr.write(`netproof: warning: ${warning}\n`);
    output = renderCaptureSummary(report);
  }
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(output, (error) => (error ? reject(error) : resolve()));
  });
}
