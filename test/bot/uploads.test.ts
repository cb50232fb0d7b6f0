/**
 * Uploads: recognising Teams file attachments, the size-limited download (declared
 * length and counted bytes), the worker-thread analyser, which must give the same
 * report as the in-process analyser on the corpus captures, and the report's lines as
 * the bot stores them: read back a line at a time, refused when damaged or cut short.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCapture, captureReportLines } from '../../src/capture/index.js';
import type { CaptureReport } from '../../src/domain/capture-report.js';
import { isUserInputError } from '../../src/domain/errors.js';
import { captureCard } from '../../src/report/adaptive-card.js';
import {
  FILE_DOWNLOAD_INFO, analyseToLines, captureModuleUrl, createWorkerCaptureAnalyser, fileUploadsOf, formatBytes, mentionsFiles, openDownload, readCaptureReport,
} from '../../src/bot/uploads.js';
import { CAPTURES, startFileServer } from './helpers.js';

let files: Awaited<ReturnType<typeof startFileServer>>;

beforeAll(async () => {
  files = await startFileServer(new Map([
    ['small.bin', { body: Buffer.alloc(1000, 7) }],
    ['declared-big.bin', { body: Buffer.alloc(5000, 7) }],
    ['chunked-big.bin', { body: Buffer.alloc(200_000, 7), contentLength: null }],
    ['moved.bin', { body: Buffer.alloc(0), location: '/files/small.bin' }],
    ['loop.bin', { body: Buffer.alloc(0), location: '/files/loop.bin' }],
  ]));
});

afterAll(async () => {
  await files?.close();
});

async function drain(stream: Readable): Promise<number> {
  let total = 0;
  for await (const chunk of stream) total += (chunk as Buffer).length;
  return total;
}

describe('file attachments', () => {
  it('reads Teams file attachments and ignores the rest', () => {
    const uploads = fileUploadsOf([
      { contentType: FILE_DOWNLOAD_INFO, name: 'trace.PCAPNG', content: { downloadUrl: 'https://download.example/x', uniqueId: 'u', fileType: 'PCAPNG' } },
      { contentType: FILE_DOWNLOAD_INFO, name: 'no-type.cap', content: { downloadUrl: 'https://download.example/y' } },
      { contentType: FILE_DOWNLOAD_INFO, name: 'broken', content: { downloadUrl: 'not a url' } },
      { contentType: 'application/vnd.microsoft.card.adaptive', content: {} },
      { contentType: 'text/html', content: '<p>hi</p>' },
    ]);
    expect(uploads).toEqual([
      { name: 'trace.PCAPNG', fileType: 'pcapng', downloadUrl: 'https://download.example/x' },
      { name: 'no-type.cap', fileType: 'cap', downloadUrl: 'https://download.example/y' },
    ]);
    expect(mentionsFiles([{ contentType: 'reference', contentUrl: 'https://x' }])).toBe(true);
    expect(mentionsFiles([{ contentType: 'text/html' }])).toBe(false);
  });

  it.each([[999, '999 bytes'], [2048, '2 KB'], [200 * 1024 * 1024, '200 MB'], [3 * 1024 ** 3 / 2, '1.5 GB']])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('openDownload', () => {
  it('streams a file under the limit', async () => {
    const stream = await openDownload(`${files.url}/files/small.bin`, { maxBytes: 1000, fetch });
    expect(await drain(stream)).toBe(1000);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const error = await openDownload(`${files.url}/files/declared-big.bin`, { maxBytes: 4096, fetch }).catch((caught: unknown) => caught);
    expect(isUserInputError(error) && error.code).toBe('capture.too-large');
    expect((error as Error).message).toMatch(/\(4.9 KB\) exceeds the upload limit of 4 KB/);
  });

  it('counts the bytes when no length is declared and fails past the limit', async () => {
    const stream = await openDownload(`${files.url}/files/chunked-big.bin`, { maxBytes: 100_000, fetch });
    const error = await drain(stream).catch((caught: unknown) => caught);
    expect(isUserInputError(error) && error.code).toBe('capture.too-large');
  });

  it('follows redirects, checking every hop, a few times at most', async () => {
    expect(await drain(await openDownload(`${files.url}/files/moved.bin`, { maxBytes: 1000, fetch }))).toBe(1000);
    await expect(openDownload(`${files.url}/files/loop.bin`, { maxBytes: 1000, fetch })).rejects.toThrow(/redirects too often/);
  });

  it.each([
    ['an http link', 'http://contoso-my.sharepoint.com/personal/x/file.pcap', /not https/],
    ['an IP address', 'https://169.254.169.254/metadata/instance', /does not point at a file service/],
    ['localhost', 'https://localhost:8443/x', /does not point at a file service/],
    ['a single-label host', 'https://fileserver/x', /does not point at a file service/],
    ['not a URL', 'not a url', /not a URL/],
  ])('refuses %s when https links only are allowed (an authenticated bot)', async (_name, url, message) => {
    let fetched = false;
    const spy = (async () => { fetched = true; throw new Error('must not fetch'); }) as typeof fetch;
    await expect(openDownload(url, { maxBytes: 1000, fetch: spy, httpsOnly: true })).rejects.toThrow(message);
    expect(fetched).toBe(false);
  });

  it('refuses a redirect to an internal address when https links only are allowed', async () => {
    const hops: string[] = [];
    const recordingFetch = (async (input: URL | string, init?: RequestInit) => {
      hops.push(String(input));
      // Stands in for SharePoint answering with a redirect; nothing leaves the process.
      return String(input).startsWith('https://contoso-my.sharepoint.com/')
        ? new Response(null, { status: 302, headers: { location: 'https://169.254.169.254/metadata/instance' } })
        : Promise.reject(new Error(`must not fetch ${String(input)} (${String(init?.method)})`));
    }) as typeof fetch;
    await expect(openDownload('https://contoso-my.sharepoint.com/personal/x/download.aspx', { maxBytes: 1000, fetch: recordingFetch, httpsOnly: true }))
      .rejects.toThrow(/does not point at a file service/);
    expect(hops).toEqual(['https://contoso-my.sharepoint.com/personal/x/download.aspx']);
  });

  it('says the link failed for a 404, and for an unreachable host', async () => {
    await expect(openDownload(`${files.url}/files/gone.bin`, { maxBytes: 10, fetch })).rejects.toThrow(/HTTP 404/);
    await expect(openDownload('http://127.0.0.1:9/files/x', { maxBytes: 10, fetch })).rejects.toThrow(/could not fetch the file/);
  });
});

describe('the worker analyser', () => {
  const analyse = createWorkerCaptureAnalyser({ limits: {} });

  it('loads the built analyser from dist/ when running from source', () => {
    expect(captureModuleUrl().pathname).toMatch(/\/dist\/src\/capture\/index\.js$/);
  });

  it.each(['tcp_refused.pcap', 'tls_self_signed.json', 'dns_nxdomain.ek.json', 'tcp6_refused.pcapng', 'http_ok_large.snap160.pcapng'])('gives the same report as the in-process analyser for %s', async (name) => {
    const path = join(CAPTURES, name);
    const [inWorker, inProcess] = await Promise.all([analyse(createReadStream(path)), analyzeCapture(path)]);
    expect(inWorker).toEqual(inProcess);
  });

  it.each(['tcp_refused.pcap', 'tls_self_signed.json', 'http_ok_large.snap160.pcapng'])('hands over %s as report lines that read back to the in-process report, and the summary its card needs', async (name) => {
    const path = join(CAPTURES, name);
    const [analysed, report] = await Promise.all([analyse.toLines?.(createReadStream(path)), analyzeCapture(path)]);
    if (!analysed) throw new Error('the worker analyser offers its lines');
    expect(await readCaptureReport(analysed.reportLines)).toEqual(report);
    expect(analysed.summary).toEqual({ input: report.input, warnings: report.warnings, findings: report.findings, conversationCount: report.conversations.length });
    expect(captureCard(analysed.summary, name)).toEqual(captureCard(report, name));
  });

  it('makes the lines from the report of an analyser that offers none', async () => {
    const path = join(CAPTURES, 'tcp_refused.pcap');
    const inProcess = (source: Readable) => analyzeCapture(source);
    const analysed = await analyseToLines(inProcess, createReadStream(path));
    expect(analysed.reportLines.toString('utf8')).toBe(captureReportLines(await analyzeCapture(path)).text);
  });

  it('passes the packet limit and the extra CA into the worker', async () => {
    const limited = createWorkerCaptureAnalyser({ limits: { maxPackets: 3 } });
    const report = await limited(createReadStream(join(CAPTURES, 'tcp_ok.pcap')));
    expect(report.input.packets).toBe(3);
    expect(report.warnings.join(' ')).toMatch(/3/);
    // The intermediate as an extra CA completes the chain; without it the chain is incomplete.
    const intermediate = readFileSync(join(CAPTURES, 'int.pem'), 'utf8');
    const withCa = createWorkerCaptureAnalyser({ limits: {}, extraCaPem: intermediate });
    const file = join(CAPTURES, 'tls_incomplete_chain.json');
    expect((await analyse(createReadStream(file))).conversations[0]?.tls?.chain).toBe('incomplete');
    expect((await withCa(createReadStream(file))).conversations[0]?.tls?.chain).toBe('complete');
  });

  it('turns the analyser\'s user errors into UserInputError with its code', async () => {
    const error = await analyse(Readable.from([Buffer.from('hello, this is not a capture\n')])).catch((caught: unknown) => caught);
    expect(isUserInputError(error) && error.code).toBe('capture.unknown-format');
  });

  it('reports the source\'s error, not the worker\'s view of a cut stream', async () => {
    const source = new Readable({ read() {} });
    source.push(readFileSync(join(CAPTURES, 'tcp_ok.pcap')).subarray(0, 100));
    setTimeout(() => source.destroy(new Error('connection reset by Teams')), 50);
    await expect(analyse(source)).rejects.toThrow('connection reset by Teams');
  });

  it('fails clearly when the analyser module cannot be loaded', async () => {
    const broken = createWorkerCaptureAnalyser({ limits: {}, moduleUrl: pathToFileURL('/nonexistent/capture/index.js') });
    await expect(broken(Readable.from([Buffer.from('x')]))).rejects.toThrow(/cannot load the capture analyser/);
  });
});

describe('reading a stored report back', () => {
  let small: CaptureReport;
  /** 2,600 conversations: six lines of them, as the bot stores a large capture's report. */
  let large: CaptureReport;
  let largeLines: Buffer;

  beforeAll(async () => {
    small = await analyzeCapture(join(CAPTURES, 'tcp_refused.pcap'));
    const [conversation] = small.conversations;
    if (!conversation) throw new Error('tcp_refused.pcap has a conversation');
    const conversations = Array.from({ length: 2600 }, (_unused, index) => ({ ...conversation, id: `tcp-${index}`, client: { ...conversation.client, port: 1024 + index } }));
    large = { ...small, conversations, findings: conversations.map((item) => ({ code: 'tcp_refused' as const, conversation: item.id, summary: 'refused', frames: [item.firstFrame] })) };
    largeLines = Buffer.from(captureReportLines(large).text, 'utf8');
  });

  /** Reads a report back, counting the turns of the event loop that other work got meanwhile. */
  async function readCounting(bytes: Buffer): Promise<{ report: CaptureReport; turns: number }> {
    let turns = 0;
    let reading = true;
    const count = () => {
      turns += 1;
      if (reading) setImmediate(count);
    };
    setImmediate(count);
    const report = await readCaptureReport(bytes);
    reading = false;
    return { report, turns };
  }

  it('lets other work run between its lines', async () => {
    const { report, turns } = await readCounting(largeLines);
    expect(report).toEqual(large);
    // One line of conversations (or findings) per turn of the event loop: 6 + 6 lines of items.
    expect(largeLines.toString('utf8').split('\n').filter((line) => line.startsWith('{"conversations":'))).toHaveLength(6);
    expect(turns).toBeGreaterThanOrEqual(12);
  });

  it('reads a report stored whole as one JSON value (by an older bot), checking it in slices', async () => {
    const { report, turns } = await readCounting(Buffer.from(JSON.stringify(large)));
    expect(report).toEqual(large);
    // Checked 500 conversations (or findings) at a time: 6 + 6 slices.
    expect(turns).toBeGreaterThanOrEqual(12);
    expect(await readCaptureReport(Buffer.from(JSON.stringify(small)))).toEqual(small);
  });

  /** The large report's lines, changed. */
  const edited = (edit: (lines: string[]) => string[]) => Buffer.from(edit(largeLines.toString('utf8').split('\n')).join('\n'), 'utf8');

  it.each<[string, () => Buffer, RegExp]>([
    ['an empty file', () => Buffer.alloc(0), /damaged \(line 1\): empty/],
    ['a file cut after a line', () => edited((lines) => lines.slice(0, 5)), /damaged \(after line 5\): cut short: no end line, 2000 conversations and 0 findings read/],
    ['a file cut inside a line', () => largeLines.subarray(0, Math.floor(largeLines.length / 2)), /damaged \(line \d+\): not JSON/],
    ['a line of conversations left out', () => edited((lines) => lines.filter((_line, index) => index !== 3)), /ends with 2600 conversations and 2600 findings, but 2100 and 2600 came before/],
    ['a conversation of the wrong shape', () => edited((lines) => lines.map((line, index) => (index === 2 ? line.replace('"port":1524', '"port":"1524"') : line))), /damaged \(line 3\): .*port/],
    ['another format', () => edited((lines) => lines.map((line, index) => (index === 0 ? line.replace('capture-report-lines.v1', 'capture-report-lines.v9') : line))), /damaged \(line 1\): .*format/],
    ['a line of something else', () => edited((lines) => lines.map((line, index) => (index === 2 ? '{"packets":[]}' : line))), /damaged \(line 3\): .*end/],
    ['more after the end line', () => Buffer.concat([largeLines, Buffer.from('{"conversations":[]}\n')]), /damaged \(line 15\): more after the end line/],
    ['a report stored whole without its conversations', () => Buffer.from(JSON.stringify({ ...small, conversations: undefined })), /damaged \(the report\): .*conversations/],
    ['not JSON at all', () => Buffer.from('hello\n'), /damaged \(line 1\): not JSON/],
  ])('refuses %s, saying where', async (_name, bytes, message) => {
    await expect(readCaptureReport(bytes())).rejects.toThrow(message);
  });
});
