/** Streaming reader for classic libpcap files (micro- and nanosecond, both byte orders; Network Watcher `.cap`). */
import { UserInputError } from '../../domain/errors.js';
import { epochMilliseconds } from './time.js';
import { FrameDecoder, isSupportedLinkType } from './frame-decoder.js';
import { BinaryWindow, type ChunkStream, type ReaderContext } from './source.js';

/** Largest record a sane pcap holds; above it the length field is corrupt. */
const MAX_RECORD_BYTES = 256 * 1024 * 1024;

/** Reads a pcap stream (its magic already recognised) and sends every frame to the context. */
export async function readPcap(stream: ChunkStream, context: ReaderContext): Promise<void> {
  const window = new BinaryWindow(stream);
  const decoder = new FrameDecoder();
  if (!(await window.ensure(24))) {
    context.warnTruncated(0);
    return;
  }
  const header = window.bytes;
  const magic = header.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nanosecond = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const read32 = littleEndian ? (bytes: Buffer, at: number) => bytes.readUInt32LE(at) : (bytes: Buffer, at: number) => bytes.readUInt32BE(at);
  // The upper bits of the link type field carry FCS information (pcap-savefile(5)).
  const linkType = read32(header, 20) & 0x0fffffff & 0xffff;
  if (!isSupportedLinkType(linkType)) {
    throw new UserInputError('capture.unsupported-link-type', `pcap link type ${linkType} is not supported; supported: Ethernet, Linux cooked (SLL/SLL2), raw IP, loopback`);
  }
  window.position = 24;
  const subsecondToNanoseconds = nanosecond ? 1 : 1000;
  for (let frame = 1; ; frame++) {
    if (window.available < 16 && !(await window.ensure(16))) {
      if (window.available > 0) context.warnTruncated(window.offset);
      return;
    }
    const at = window.position;
    const bytes = window.bytes;
    const seconds = read32(bytes, at);
    const subseconds = read32(bytes, at + 4);
    const capturedLength = read32(bytes, at + 8);
    const originalLength = read32(bytes, at + 12);
    if (capturedLength > MAX_RECORD_BYTES) {
      context.warn(`capture is corrupt at byte ${window.offset} (record length ${capturedLength}); ${context.packets} packets read`);
      return;
    }
    if (window.available < 16 + capturedLength && !(await window.ensure(16 + capturedLength))) {
      context.warnTruncated(window.offset);
      return;
    }
    const start = window.position + 16;
    window.position = start + capturedLength;
    const timeInMs = epochMilliseconds(seconds, subseconds * subsecondToNanoseconds);
    if (!context.emit(decoder.decode(linkType, window.bytes, start, start + capturedLength, frame, timeInMs, originalLength))) return;
  }
}
