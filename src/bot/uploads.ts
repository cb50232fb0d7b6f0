/**
 * Captures sent to the bot as Teams files: recognise the attachment, stream the
 * pre-authorised download with the size limit (Content-Length first, then every byte
 * counted), and analyse it in a worker thread so a large capture never stalls the
 * event loop that answers Teams. The worker hands back the report as capture report lines
 * (`captureReportLines`), which the bot stores as they are and reads back a line at a time,
 * yielding to the event loop in between, plus the small summary the capture card shows.
 *
 * The worker loads the built capture analyser (`dist/src/capture/index.js`): next to
 * this file when running from `dist/`, else from the package's `dist/` (under vitest,
 * where this file is TypeScript source). The download URL is a bearer secret
 * (pre-authorised): it is never logged.
 */
import { isIP } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { builtModuleUrl } from '../built-module.js';
import { CAPTURE_REPORT_LINES_FORMAT, CaptureSummarySchema, captureReportLines, type CaptureLimits, type CaptureSummary } from '../capture/index.js';
import { CaptureReportSchema, type CaptureReport } from '../domain/capture-report.js';
import { UserInputError } from '../domain/errors.js';

/** The attachment type of a file sent to the bot in personal chat. */
export const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** File extensions (Teams' `fileType`) the bot accepts as captures. */
export const ACCEPTED_FILE_TYPES: ReadonlySet<string> = new Set(['pcap', 'pcapng', 'cap', 'json', 'ndjson', 'jsonl', 'gz', 'gzip']);

/** What a user may send, in words. */
export function acceptedUploadsText(maxBytes: number): string {
  return `I read pcap and pcapng files (Network Watcher .cap included) and Wireshark/tshark JSON (-T json) or EK (-T ek) exports, optionally gzip-compressed, up to ${formatBytes(maxBytes)}.`;
}

/** Bytes as a short human figure. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024 * 1024)).toFixed(1).replace(/\.0$/, '')} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}

const FileDownloadInfoSchema = z.object({
  contentType: z.literal(FILE_DOWNLOAD_INFO),
  name: z.string().min(1),
  content: z.object({
    downloadUrl: z.url(),
    uniqueId: z.string().optional(),
    fileType: z.string().optional(),
  }),
});

/** A file the user sent. */
export interface FileUpload {
  name: string;
  /** Lower-case extension (Teams' `fileType`, else from the name). */
  fileType: string;
  /** Pre-authorised, short-lived: a secret. */
  downloadUrl: string;
}

/** The file attachments of an activity (other attachments are ignored). */
export function fileUploadsOf(attachments: readonly unknown[] | undefined): FileUpload[] {
  const uploads: FileUpload[] = [];
  for (const attachment of attachments ?? []) {
    const parsed = FileDownloadInfoSchema.safeParse(attachment);
    if (!parsed.success) continue;
    const fromName = /\.([A-Za-z0-9]+)$/.exec(parsed.data.name)?.[1] ?? '';
    uploads.push({
      name: parsed.data.name,
      fileType: (parsed.data.content.fileType ?? fromName).toLowerCase().replace(/^\./, ''),
      downloadUrl: parsed.data.content.downloadUrl,
    });
  }
  return uploads;
}

/** True when an activity carries a Teams file attachment of any kind (delivered or not). */
export function mentionsFiles(attachments: readonly unknown[] | undefined): boolean {
  return (attachments ?? []).some((attachment) => {
    // Attachments come from the wire: a null or non-object entry is no file.
    const type = typeof attachment === 'object' && attachment !== null ? (attachment as { contentType?: unknown }).contentType : undefined;
    return typeof type === 'string' && (type === FILE_DOWNLOAD_INFO || type === 'application/vnd.microsoft.teams.file.info' || type === 'reference');
  });
}

function tooLarge(maxBytes: number, what: string): UserInputError {
  return new UserInputError('capture.too-large', `capture is too large: ${what} exceeds the upload limit of ${formatBytes(maxBytes)}`);
}

/** A transform that fails once more than `maxBytes` pass through it. */
export function countBytes(maxBytes: number, onBytes?: (total: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      onBytes?.(seen);
      if (seen > maxBytes) callback(tooLarge(maxBytes, `the file (more than ${seen} bytes)`));
      else callback(null, chunk);
    },
  });
}

/** Options of a download. */
export interface DownloadOptions {
  maxBytes: number;
  fetch: typeof fetch;
  signal?: AbortSignal;
  /**
   * Only https links to host names, at every redirect (an authenticated bot: Teams links
   * are SharePoint/OneDrive https URLs; this keeps a forged attachment from making the
   * bot fetch internal addresses such as the instance metadata service).
   */
  httpsOnly?: boolean;
}

/** Redirects followed at most. */
const MAX_REDIRECTS = 5;

/** Throws when a link is not one the bot fetches. */
export function checkDownloadUrl(url: string, httpsOnly: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserInputError('upload.bad-link', 'The file link Teams sent is not a URL; please send the file again.');
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && !httpsOnly)) {
    throw new UserInputError('upload.bad-link', `The file link is not ${httpsOnly ? 'https' : 'http(s)'}; please send the file again.`);
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (httpsOnly && (isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost') || !host.includes('.'))) {
    throw new UserInputError('upload.bad-link', 'The file link does not point at a file service; please send the file again.');
  }
  return parsed;
}

/**
 * Opens the download as a stream limited to `maxBytes`: refused up front when the
 * declared Content-Length is over the limit, cut off when the bytes counted exceed it.
 * Redirects are followed by hand so each hop's link is checked.
 */
export async function openDownload(url: string, options: DownloadOptions): Promise<Readable> {
  let response: Response;
  let current = checkDownloadUrl(url, options.httpsOnly ?? false);
  for (let hop = 0; ; hop += 1) {
    try {
      response = await options.fetch(current, { redirect: 'manual', ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      throw new UserInputError('upload.download-failed', `I could not fetch the file from Teams (${(error as Error).name}); please send it again.`);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) break;
    await response.body?.cancel().catch(() => undefined);
    if (hop >= MAX_REDIRECTS) throw new UserInputError('upload.download-failed', 'The file link redirects too often; please send the file again.');
    current = checkDownloadUrl(new URL(location, current).href, options.httpsOnly ?? false);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new UserInputError('upload.download-failed', `Teams did not hand over the file (HTTP ${response.status}); the link may have expired, please send it again.`);
  }
  const declared = Number.parseInt(response.headers.get('content-length') ?? '', 10);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw tooLarge(options.maxBytes, `the file (${formatBytes(declared)})`);
  }
  const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
  const limited = countBytes(options.maxBytes);
  body.on('error', (error) => limited.destroy(error));
  return body.pipe(limited);
}

/** A capture analysed, as the bot keeps it. */
export interface AnalysedCapture {
  /** What the capture card and the answer's line show. */
  summary: CaptureSummary;
  /** The whole report as capture report lines (UTF-8), stored as they are; `readCaptureReport` reads them back. */
  reportLines: Buffer;
}

/** Options of an analysis. */
export interface AnalyseOptions {
  signal?: AbortSignal;
}

/**
 * Analyses a capture stream into its report; the bot's default runs it in a worker thread.
 * An analyser may also offer `toLines`: the report's lines and summary, which is all the bot
 * keeps of an upload, without making the report's objects on the calling thread.
 */
export type CaptureAnalyser = ((source: Readable, options?: AnalyseOptions) => Promise<CaptureReport>) & {
  toLines?: (source: Readable, options?: AnalyseOptions) => Promise<AnalysedCapture>;
};

/** A capture analysed as the bot keeps it: by the analyser's `toLines` when it has one, else from its report. */
export async function analyseToLines(analyser: CaptureAnalyser, source: Readable, options: AnalyseOptions = {}): Promise<AnalysedCapture> {
  if (analyser.toLines) return analyser.toLines(source, options);
  const { text, summary } = captureReportLines(await analyser(source, options));
  return { summary, reportLines: Buffer.from(text, 'utf8') };
}

const HeaderLineSchema = z.object({ format: z.literal(CAPTURE_REPORT_LINES_FORMAT), input: CaptureReportSchema.shape.input, warnings: CaptureReportSchema.shape.warnings });
const ConversationsLineSchema = z.object({ conversations: CaptureReportSchema.shape.conversations });
const FindingsLineSchema = z.object({ findings: CaptureReportSchema.shape.findings });
const EndLineSchema = z.object({ end: z.object({ conversations: z.number().int().nonnegative(), findings: z.number().int().nonnegative() }) });
/** Items checked between two yields when reading a report stored whole (before capture report lines). */
const ITEMS_PER_CHECK = 500;

function damaged(where: string, detail: string): Error {
  return new Error(`the stored capture report is damaged (${where}): ${detail}`);
}

function parsedJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw damaged(where, `not JSON (${(error as Error).message})`);
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw damaged(where, z.prettifyError(parsed.error).replace(/\s+/g, ' ').slice(0, 300));
  return parsed.data;
}

/** The lines of a buffer, without their line feeds (a UTF-8 sequence never holds byte 0x0a). */
function* linesOf(bytes: Buffer): Generator<string> {
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0x0a, start);
    yield bytes.toString('utf8', start, end === -1 ? bytes.length : end);
    if (end === -1) return;
    start = end + 1;
  }
}

/**
 * Reads a stored report back and checks it against CaptureReportSchema a line at a time,
 * yielding to the event loop before each line, so a report of tens of thousands of
 * conversations never blocks the bot for long. Also reads a report stored whole as one
 * JSON value (before capture report lines): one parse, then the check in slices.
 * Throws, saying where, when the report is damaged or cut short.
 */
export async function readCaptureReport(bytes: Buffer): Promise<CaptureReport> {
  const lines = linesOf(bytes);
  const first = lines.next();
  if (first.done) throw damaged('line 1', 'empty');
  const head = parsedJson(first.value, 'line 1');
  if (typeof head !== 'object' || head === null || !('format' in head)) return checkWholeReport(head, lines);
  const header = checked(HeaderLineSchema, head, 'line 1');
  const report: CaptureReport = { input: header.input, warnings: header.warnings, conversations: [], findings: [] };
  let lineNumber = 1;
  for (const line of lines) {
    lineNumber += 1;
    await nextTurn();
    const where = `line ${lineNumber}`;
    // The writer starts each line with its key (`captureReportLines`).
    if (line.startsWith('{"conversations":')) {
      report.conversations.push(...checked(ConversationsLineSchema, parsedJson(line, where), where).conversations);
    } else if (line.startsWith('{"findings":')) {
      report.findings.push(...checked(FindingsLineSchema, parsedJson(line, where), where).findings);
    } else {
      const { end } = checked(EndLineSchema, parsedJson(line, where), where);
      if (end.conversations !== report.conversations.length || end.findings !== report.findings.length) {
        throw damaged(where, `it ends with ${end.conversations} conversations and ${end.findings} findings, but ${report.conversations.length} and ${report.findings.length} came before`);
      }
      if (!lines.next().done) throw damaged(`line ${lineNumber + 1}`, 'more after the end line');
      return report;
    }
  }
  throw damaged(`after line ${lineNumber}`, `cut short: no end line, ${report.conversations.length} conversations and ${report.findings.length} findings read`);
}

/** A report stored whole: its top checked at once, its conversations and findings in slices. */
async function checkWholeReport(value: unknown, rest: Iterator<string>): Promise<CaptureReport> {
  if (rest.next().done !== true) throw damaged('line 2', 'more after a report stored whole');
  const top = checked(z.object({
    input: CaptureReportSchema.shape.input, warnings: CaptureReportSchema.shape.warnings,
    conversations: z.array(z.unknown()), findings: z.array(z.unknown()),
  }), value, 'the report');
  const report: CaptureReport = { input: top.input, warnings: top.warnings, conversations: [], findings: [] };
  for (let start = 0; start < top.conversations.length; start += ITEMS_PER_CHECK) {
    await nextTurn();
    report.conversations.push(...checked(CaptureReportSchema.shape.conversations, top.conversations.slice(start, start + ITEMS_PER_CHECK), `conversations from ${start}`));
  }
  for (let start = 0; start < top.findings.length; start += ITEMS_PER_CHECK) {
    await nextTurn();
    report.findings.push(...checked(CaptureReportSchema.shape.findings, top.findings.slice(start, start + ITEMS_PER_CHECK), `findings from ${start}`));
  }
  return report;
}

/** Where the built capture analyser is (the worker cannot load TypeScript source). */
export function captureModuleUrl(): URL {
  return builtModuleUrl('capture/index.js', 'the capture analyser');
}

/**
 * The worker's code. It reads the capture from its stdin (fed by the main thread with
 * backpressure) and posts the report's lines and summary, or the error's name, code and message.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.moduleUrl).then(async ({ analyzeCaptureStreamed, captureReportLines }) => {
  try {
    const report = await analyzeCaptureStreamed(process.stdin, { limits: workerData.limits, ...(workerData.extraCaPem ? { extraCaPem: workerData.extraCaPem } : {}) });
    const { text, summary } = captureReportLines(report);
    // The lines as UTF-8 bytes, transferred (not copied): the main thread stores them as they are and
    // deserialises only the small summary, where a large report parsed or cloned whole would stall its event loop.
    const lines = new TextEncoder().encode(text);
    parentPort.postMessage({ ok: true, lines, summary }, [lines.buffer]);
  } catch (error) {
    parentPort.postMessage({ ok: false, error: { name: String(error && error.name), code: error && error.code, message: String(error && error.message || error) } });
  }
}, (error) => {
  parentPort.postMessage({ ok: false, error: { name: 'Error', code: undefined, message: 'cannot load the capture analyser: ' + String(error && error.message || error) } });
});
`;

const WorkerAnswerSchema = z.union([
  z.object({ ok: z.literal(true), lines: z.instanceof(Uint8Array), summary: CaptureSummarySchema }),
  z.object({ ok: z.literal(false), error: z.object({ name: z.string(), code: z.unknown(), message: z.string() }) }),
]);

/** Options of the worker analyser. */
export interface WorkerAnalyserOptions {
  limits: CaptureLimits;
  extraCaPem?: string;
  /** Override of the analyser module (tests of a broken build). */
  moduleUrl?: URL;
}

/**
 * A CaptureAnalyser that runs `analyzeCapture` in a fresh worker thread per capture. The report,
 * when asked for, is read back from the worker's lines by `readCaptureReport`.
 */
export function createWorkerCaptureAnalyser(options: WorkerAnalyserOptions): CaptureAnalyser {
  const toLines = async (source: Readable, analyseOptions: AnalyseOptions = {}): Promise<AnalysedCapture> => {
    const moduleUrl = (options.moduleUrl ?? captureModuleUrl()).href;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      stdin: true,
      stdout: true,
      workerData: { moduleUrl, limits: options.limits, extraCaPem: options.extraCaPem ?? null },
    });
    const stdin = worker.stdin;
    try {
      return await new Promise<AnalysedCapture>((resolve, reject) => {
        let settled = false;
        const settle = (action: () => void) => {
          if (settled) return;
          settled = true;
          action();
        };
        // A failing source (too large, connection lost) wins over whatever the worker says about the cut stream.
        source.once('error', (error) => settle(() => reject(error)));
        analyseOptions.signal?.addEventListener('abort', () => settle(() => reject(analyseOptions.signal?.reason ?? new Error('aborted'))), { once: true });
        worker.once('message', (message: unknown) => settle(() => {
          const answer = WorkerAnswerSchema.safeParse(message);
          if (!answer.success) return reject(new Error('the capture worker sent an unreadable answer'));
          if (answer.data.ok) {
            const { lines, summary } = answer.data;
            return resolve({ summary, reportLines: Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength) });
          }
          const { name, code, message: text } = answer.data.error;
          if (name === 'UserInputError' && typeof code === 'string') return reject(new UserInputError(code, text));
          return reject(new Error(`capture analysis failed: ${text}`));
        }));
        worker.once('error', (error) => settle(() => reject(error)));
        worker.once('exit', (code) => settle(() => reject(new Error(`the capture worker stopped (exit ${code}) before answering`))));
        if (!stdin) return settle(() => reject(new Error('the capture worker has no stdin')));
        stdin.on('error', () => undefined); // the worker may stop reading early (packet limit); its answer decides.
        source.pipe(stdin);
      });
    } finally {
      if (stdin) source.unpipe(stdin);
      source.destroy();
      await worker.terminate();
    }
  };
  const analyse = async (source: Readable, analyseOptions: AnalyseOptions = {}) => readCaptureReport((await toLines(source, analyseOptions)).reportLines);
  return Object.assign(analyse, { toLines });
}
