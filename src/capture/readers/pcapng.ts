/**
 * Streaming reader for pcapng: section header blocks in either byte order, several
 * interfaces each with its own link type, `if_tsresol` and `if_tsoffset`, enhanced,
 * simple and (obsolete) packet blocks; every other block is skipped.
 */
import { epochMilliseconds } from './addresses.js';
import { decodeFrameAt, isSupportedLinkType } from './frame-decoder.js';
import { BinaryWindow, type ChunkStream, type ReaderContext } from './source.js';

const BLOCK_SECTION_HEADER = 0x0a0d0d0a;
const BLOCK_INTERFACE_DESCRIPTION = 1;
const BLOCK_PACKET_OBSOLETE = 2;
const BLOCK_SIMPLE_PACKET = 3;
const BLOCK_ENHANCED_PACKET = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;

/** Largest block a sane pcapng holds; above it the length field is corrupt. */
const MAX_BLOCK_BYTES = 256 * 1024 * 1024;

interface CaptureInterface {
  linkType: number;
  snapLength: number;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: number;
  /** if_tsoffset, seconds added to every timestamp. */
  offsetInSeconds: number;
}

/** Reads a pcapng stream (its magic already recognised) and sends every packet to the context. */
export async function readPcapng(stream: ChunkStream, context: ReaderContext): Promise<void> {
  const window = new BinaryWindow(stream);
  let littleEndian = true;
  let interfaces: CaptureInterface[] = [];
  let frame = 0;
  let warnedSimple = false;
  const read16 = (bytes: Buffer, at: number): number => (littleEndian ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const read32 = (bytes: Buffer, at: number): number => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  for (;;) {
    if (window.available < 12 && !(await window.ensure(12))) {
      if (window.available > 0) context.warnTruncated(window.offset);
      return;
    }
    let bytes = window.bytes;
    let at = window.position;
    const blockType = bytes.readUInt32LE(at); // the SHB type is a palindrome; others are read below
    if (blockType === BLOCK_SECTION_HEADER) {
      const magic = bytes.readUInt32LE(at + 8);
      if (magic === BYTE_ORDER_MAGIC) littleEndian = true;
      else if (bytes.readUInt32BE(at + 8) === BYTE_ORDER_MAGIC) littleEndian = false;
      else {
        context.warn(`capture is corrupt at byte ${window.offset} (bad pcapng byte-order magic); ${context.packets} packets read`);
        return;
      }
      interfaces = [];
    }
    const type = read32(bytes, at);
    const totalLength = read32(bytes, at + 4);
    if (totalLength < 12 || totalLength % 4 !== 0 || totalLength > MAX_BLOCK_BYTES) {
      context.warn(`capture is corrupt at byte ${window.offset} (block length ${totalLength}); ${context.packets} packets read`);
      return;
    }
    if (window.available < totalLength && !(await window.ensure(totalLength))) {
      context.warnTruncated(window.offset);
      return;
    }
    bytes = window.bytes;
    at = window.position;
    const bodyEnd = at + totalLength - 4;
    window.position = at + totalLength;
    if (type === BLOCK_INTERFACE_DESCRIPTION) {
      if (totalLength < 20) continue;
      const captureInterface: CaptureInterface = { linkType: read16(bytes, at + 8), snapLength: read32(bytes, at + 12), unitsPerSecond: 1e6, offsetInSeconds: 0 };
      for (let option = at + 16; option + 4 <= bodyEnd; ) {
        const code = read16(bytes, option);
        const length = read16(bytes, option + 2);
        if (code === 0) break;
        if (option + 4 + length > bodyEnd) break;
        if (code === OPTION_IF_TSRESOL && length >= 1) {
          const resolution = bytes[option + 4]!;
          const exponent = resolution & 0x7f;
          captureInterface.unitsPerSecond = resolution & 0x80 ? 2 ** exponent : 10 ** exponent;
        } else if (code === OPTION_IF_TSOFFSET && length >= 8) {
          captureInterface.offsetInSeconds = read32(bytes, option + 4 + (littleEndian ? 4 : 0)) * 2 ** 32 + read32(bytes, option + 4 + (littleEndian ? 0 : 4));
        }
        option += 4 + ((length + 3) & ~3);
      }
      if (!isSupportedLinkType(captureInterface.linkType)) context.warn(`pcapng interface ${interfaces.length} has unsupported link type ${captureInterface.linkType}; its packets carry no addresses`);
      interfaces.push(captureInterface);
      continue;
    }
    let dataStart: number;
    let dataEnd: number;
    let originalLength: number;
    let timeInMs = 0;
    let captureInterface: CaptureInterface | undefined;
    if (type === BLOCK_ENHANCED_PACKET || type === BLOCK_PACKET_OBSOLETE) {
      if (totalLength < 32) continue;
      const interfaceId = type === BLOCK_ENHANCED_PACKET ? read32(bytes, at + 8) : read16(bytes, at + 8);
      captureInterface = interfaces[interfaceId];
      const capturedLength = read32(bytes, at + 20);
      originalLength = read32(bytes, at + 24);
      dataStart = at + 28;
      dataEnd = Math.min(bodyEnd, at + 28 + capturedLength);
      if (captureInterface !== undefined) timeInMs = timestampToMilliseconds(read32(bytes, at + 12), read32(bytes, at + 16), captureInterface);
    } else if (type === BLOCK_SIMPLE_PACKET) {
      if (totalLength < 16) continue;
      captureInterface = interfaces[0];
      originalLength = read32(bytes, at + 8);
      const capturedLength = Math.min(originalLength, bodyEnd - (at + 12), captureInterface && captureInterface.snapLength > 0 ? captureInterface.snapLength : Infinity);
      dataStart = at + 12;
      dataEnd = at + 12 + capturedLength;
      if (!warnedSimple) {
        context.warn('pcapng simple packet blocks carry no timestamp; their time is reported as 0');
        warnedSimple = true;
      }
    } else {
      continue;
    }
    frame++;
    if (captureInterface === undefined) {
      context.warn(`pcapng packet at byte ${window.offset - totalLength} names an interface that was not described; decoded without addresses`);
    }
    const linkType = captureInterface?.linkType ?? -1;
    if (!context.emit(decodeFrameAt(linkType, bytes, dataStart, dataEnd, frame, timeInMs, originalLength))) return;
  }
}

/** Converts an interface timestamp to epoch milliseconds without losing precision above 2^53 units. */
function timestampToMilliseconds(high: number, low: number, captureInterface: CaptureInterface): number {
  const units = high * 2 ** 32 + low;
  const perSecond = captureInterface.unitsPerSecond;
  let seconds: number;
  let nanoseconds: number;
  if (units <= Number.MAX_SAFE_INTEGER) {
    seconds = Math.floor(units / perSecond);
    nanoseconds = ((units - seconds * perSecond) * 1e9) / perSecond;
  } else if (Number.isInteger(perSecond)) {
    const big = (BigInt(high) << 32n) | BigInt(low);
    const bigPerSecond = BigInt(perSecond);
    seconds = Number(big / bigPerSecond);
    nanoseconds = (Number(big % bigPerSecond) * 1e9) / perSecond;
  } else {
    seconds = Math.floor(units / perSecond);
    nanoseconds = 0;
  }
  return epochMilliseconds(seconds + captureInterface.offsetInSeconds, nanoseconds);
}
