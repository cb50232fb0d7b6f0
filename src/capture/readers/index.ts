/**
 * Streaming capture readers: one entry point that detects the format from the content
 * (gzip, pcap, pcapng, Wireshark/tshark JSON, tshark EK) and streams DecodedPackets
 * to a sink with bounded memory.
 */
import { UserInputError } from '../../domain/errors.js';
import type { PacketSink } from '../packet.js';
import { readPcap } from './pcap.js';
import { readPcapng } from './pcapng.js';
import { ACCEPTED_FORMATS, type ChunkStream, ReaderContext, gunzipStream, openSource } from './source.js';
import { readTsharkEk } from './tshark-ek.js';
import { readWiresharkJson } from './wireshark-json.js';

/** Limits for one read. */
export interface ReadOptions {
  /** Raw bytes read from the source; over it -> UserInputError('capture.too-large'). */
  maxInputBytes?: number;
  /** Bytes after gunzip; over it -> UserInputError('capture.too-large'). */
  maxDecompressedBytes?: number;
  /** Stop with a warning after this many packets. */
  maxPackets?: number;
}

/** The formats the readers recognise. */
export type CaptureFormat = 'wireshark-json' | 'tshark-ek' | 'pcap' | 'pcapng';

/** What a read found. */
export interface ReadResult {
  format: CaptureFormat;
  /** Packets delivered to the sink. */
  packets: number;
  /** Bytes of the (decompressed) capture read. */
  bytes: number;
  /** One-line warnings: truncation, limits, corruption after some packets. */
  warnings: string[];
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);
const PCAPNG_MAGIC = 0x0a0d0d0a;

/** Well-known magics of things people upload by mistake, to name them in the error. */
const OTHER_MAGICS: { bytes: number[]; name: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], name: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], name: 'a JPEG image' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], name: 'a ZIP archive' },
  { bytes: [0x25, 0x50, 0x44, 0x46], name: 'a PDF document' },
  { bytes: [0x42, 0x5a, 0x68], name: 'a bzip2 archive' },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a], name: 'an xz archive' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'a zstd archive' },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], name: 'an ELF executable' },
];

/** Reads a capture (path, '-' for stdin, or a stream) and sends every packet to `sink`, in capture order. */
export async function readCapture(source: string | NodeJS.ReadableStream, sink: PacketSink, options: ReadOptions = {}): Promise<ReadResult> {
  const limits = {
    maxInputBytes: options.maxInputBytes ?? Number.POSITIVE_INFINITY,
    maxDecompressedBytes: options.maxDecompressedBytes ?? Number.POSITIVE_INFINITY,
  };
  const context = new ReaderContext(sink, options.maxPackets ?? Number.POSITIVE_INFINITY);
  const opened = await openSource(source, limits);
  try {
    let stream: ChunkStream = opened.raw;
    let head = await stream.peek(4);
    if (head.length === 0) throw new UserInputError('capture.empty', `the capture is empty; ${ACCEPTED_FORMATS}`);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      stream = gunzipStream(stream, limits, context);
      head = await stream.peek(4);
      if (head.length === 0) throw new UserInputError('capture.empty', `the gzip file holds no data; ${ACCEPTED_FORMATS}`);
    }
    const format = await detectFormat(stream, head);
    if (format === 'pcap') await readPcap(stream, context);
    else if (format === 'pcapng') await readPcapng(stream, context);
    else if (format === 'wireshark-json') await readWiresharkJson(stream, context);
    else await readTsharkEk(stream, context);
    return { format, packets: context.packets, bytes: stream.bytesRead, warnings: context.warnings };
  } finally {
    opened.close();
  }
}

async function detectFormat(stream: ChunkStream, head: Buffer): Promise<CaptureFormat> {
  if (head.length >= 4) {
    const magic = head.readUInt32LE(0);
    if (PCAP_MAGICS.has(magic)) return 'pcap';
    if (magic === PCAPNG_MAGIC) return 'pcapng';
  }
  // Text formats: the first byte that is not whitespace (or a UTF-8 byte order mark).
  for (let scanned = 0; scanned < 1 << 20; ) {
    const window = await stream.peek(scanned + 4096);
    let position = scanned;
    if (position === 0 && window[0] === 0xef && window[1] === 0xbb && window[2] === 0xbf) position = 3;
    while (position < window.length && (window[position] === 0x20 || window[position] === 0x0a || window[position] === 0x0d || window[position] === 0x09)) position++;
    if (position < window.length) {
      if (window[position] === 0x5b) return 'wireshark-json'; // '['
      if (window[position] === 0x7b) return 'tshark-ek'; // '{'
      break;
    }
    if (window.length < scanned + 4096) throw new UserInputError('capture.empty', `the capture holds only whitespace; ${ACCEPTED_FORMATS}`);
    scanned = window.length;
  }
  const known = OTHER_MAGICS.find((entry) => entry.bytes.every((byte, index) => head[index] === byte));
  if (head[0] === 0x1f && head[1] === 0x8b) throw new UserInputError('capture.unknown-format', `not a capture file: it is gzip inside gzip; ${ACCEPTED_FORMATS}`);
  throw new UserInputError('capture.unknown-format', `not a capture file${known ? ` (it looks like ${known.name})` : ''}: ${ACCEPTED_FORMATS}`);
}
