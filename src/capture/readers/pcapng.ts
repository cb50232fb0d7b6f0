/**
 * Streaming reader for pcapng: section header blocks in either byte order, several
 * interfaces each with its own link type, `if_tsresol` and `if_tsoffset`, enhanced,
 * simple and (obsolete) packet blocks; every other block is skipped.
 */
import { epochMilliseconds } from './time.js';
import { FrameDecoder, isSupportedLinkType } from './frame-decoder.js';
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
  const parser = new PcapngBlocks(context);
  for (;;) {
    // The parser takes every whole block the window holds, without awaiting: the hot loop
    // stays one plain synchronous function. It says how many bytes it needs next, or 0 to stop.
    const needed = parser.take(window);
    if (needed === 0) return;
    if (!(await window.ensure(needed))) {
      if (window.available > 0) context.warnTruncated(window.offset);
      return;
    }
  }
}

/** The pcapng block parser: section and interface state, frame numbering. */
class PcapngBlocks {
  private littleEndian = true;
  private interfaces: CaptureInterface[] = [];
  private frame = 0;
  private warnedSimple = false;
  private readonly decoder = new FrameDecoder();

  constructor(private readonly context: ReaderContext) {}

  private read16(bytes: Buffer, at: number): number {
    return this.littleEndian ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
  }

  private read32(bytes: Buffer, at: number): number {
    return this.littleEndian
      ? (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
      : ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  }

  /** Handles every whole block in the window; returns the bytes needed from `position` to go on, or 0 to stop. */
  take(window: BinaryWindow): number {
    const context = this.context;
    const bytes = window.bytes;
    for (;;) {
      const at = window.position;
      if (window.end - at < 12) return 12;
      const blockType = bytes.readUInt32LE(at); // the SHB type is a palindrome; others are read below
      if (blockType === BLOCK_SECTION_HEADER) {
        const magic = bytes.readUInt32LE(at + 8);
        if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
        else if (bytes.readUInt32BE(at + 8) === BYTE_ORDER_MAGIC) this.littleEndian = false;
        else {
          context.warn(`capture is corrupt at byte ${window.offset} (bad pcapng byte-order magic); ${context.packets} packets read`);
          return 0;
        }
        this.interfaces = [];
      }
      const type = this.read32(bytes, at);
      const totalLength = this.read32(bytes, at + 4);
      if (totalLength < 12 || totalLength % 4 !== 0 || totalLength > MAX_BLOCK_BYTES) {
        context.warn(`capture is corrupt at byte ${window.offset} (block length ${totalLength}); ${context.packets} packets read`);
        return 0;
      }
      if (window.end - at < totalLength) return totalLength;
      window.position = at + totalLength;
      if (!this.block(bytes, at, type, totalLength, window.offset - totalLength)) return 0;
    }
  }

  /**
   * Handles one whole block at `at`; false when reading must stop. A function per block, not
   * inlined in take's loop, so it is optimised after a few hundred blocks (take's loop runs
   * only once per buffer refill, and would spend whole buffers in unoptimised code).
   */
  private block(bytes: Buffer, at: number, type: number, totalLength: number, blockOffset: number): boolean {
    const context = this.context;
    const bodyEnd = at + totalLength - 4;
    if (type === BLOCK_INTERFACE_DESCRIPTION) {
      if (totalLength >= 20) this.describeInterface(bytes, at, bodyEnd);
      return true;
    }
    let dataStart: number;
    let dataEnd: number;
    let originalLength: number;
    let timeInMs = 0;
    let captureInterface: CaptureInterface | undefined;
    if (type === BLOCK_ENHANCED_PACKET || type === BLOCK_PACKET_OBSOLETE) {
      if (totalLength < 32) return true;
      const interfaceId = type === BLOCK_ENHANCED_PACKET ? this.read32(bytes, at + 8) : this.read16(bytes, at + 8);
      captureInterface = this.interfaces[interfaceId];
      const capturedLength = this.read32(bytes, at + 20);
      originalLength = this.read32(bytes, at + 24);
      dataStart = at + 28;
      dataEnd = Math.min(bodyEnd, at + 28 + capturedLength);
      if (captureInterface !== undefined) timeInMs = timestampToMilliseconds(this.read32(bytes, at + 12), this.read32(bytes, at + 16), captureInterface);
    } else if (type === BLOCK_SIMPLE_PACKET) {
      if (totalLength < 16) return true;
      captureInterface = this.interfaces[0];
      originalLength = this.read32(bytes, at + 8);
      const capturedLength = Math.min(originalLength, bodyEnd - (at + 12), captureInterface && captureInterface.snapLength > 0 ? captureInterface.snapLength : Infinity);
      dataStart = at + 12;
      dataEnd = at + 12 + capturedLength;
      if (!this.warnedSimple) {
        context.warn('pcapng simple packet blocks carry no timestamp; their time is reported as 0');
        this.warnedSimple = true;
      }
    } else {
      return true;
    }
    this.frame++;
    if (captureInterface === undefined) {
      context.warn(`pcapng packet at byte ${blockOffset} names an interface that was not described; decoded without addresses`);
    }
    const linkType = captureInterface?.linkType ?? -1;
    return context.emit(this.decoder.decode(linkType, bytes, dataStart, dataEnd, this.frame, timeInMs, originalLength));
  }

  private describeInterface(bytes: Buffer, at: number, bodyEnd: number): void {
    const captureInterface: CaptureInterface = { linkType: this.read16(bytes, at + 8), snapLength: this.read32(bytes, at + 12), unitsPerSecond: 1e6, offsetInSeconds: 0 };
    for (let option = at + 16; option + 4 <= bodyEnd; ) {
      const code = this.read16(bytes, option);
      const length = this.read16(bytes, option + 2);
      if (code === 0) break;
      if (option + 4 + length > bodyEnd) break;
      if (code === OPTION_IF_TSRESOL && length >= 1) {
        const resolution = bytes[option + 4]!;
        const exponent = resolution & 0x7f;
        captureInterface.unitsPerSecond = resolution & 0x80 ? 2 ** exponent : 10 ** exponent;
      } else if (code === OPTION_IF_TSOFFSET && length >= 8) {
        captureInterface.offsetInSeconds = this.read32(bytes, option + 4 + (this.littleEndian ? 4 : 0)) * 2 ** 32 + this.read32(bytes, option + 4 + (this.littleEndian ? 0 : 4));
      }
      option += 4 + ((length + 3) & ~3);
    }
    if (!isSupportedLinkType(captureInterface.linkType)) this.context.warn(`pcapng interface ${this.interfaces.length} has unsupported link type ${captureInterface.linkType}; its packets carry no addresses`);
    this.interfaces.push(captureInterface);
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
