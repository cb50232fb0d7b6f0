/**
 * The byte plumbing under every reader: opening a path, stdin or a stream, counting
 * bytes against the limits, gunzip as a stream, and handing chunks to the readers.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { UserInputError } from '../../domain/errors.js';
import type { DecodedPacket, PacketSink } from '../packet.js';

/** What the readers accept, named in every "not a capture" message. */
export const ACCEPTED_FORMATS = 'expected Wireshark/tshark JSON, tshark EK, pcap or pcapng (optionally gzip-compressed)';

/** Chunk size for file reads: large enough that per-chunk work is negligible. */
const FILE_CHUNK_BYTES = 1 << 20;
/** Initial size of a BinaryWindow's buffer (grown for larger blocks). */
const WINDOW_BYTES = 4 << 20;

/** Counts packets, collects warnings and enforces the packet limit for one read. */
export class ReaderContext {
  /** Packets delivered to the sink so far. */
  packets = 0;
  /** One-line warnings for the report (truncation, limits, oddities). */
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();

  constructor(
    private readonly sink: PacketSink,
    private readonly maxPackets: number,
  ) {}

  /** Delivers one packet; returns false once the packet limit is reached and reading must stop. */
  emit(packet: DecodedPacket): boolean {
    this.sink(packet);
    this.packets++;
    if (this.packets >= this.maxPackets) {
      this.warn(`stopped after ${this.maxPackets} packets (packet limit); the rest of the capture was not read`);
      return false;
    }
    return true;
  }

  /** Adds a warning once (repeats of the same text are dropped). */
  warn(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warnings.push(message);
  }

  /** The standard warning for a capture that stops in the middle of a packet. */
  warnTruncated(atByte: number): void {
    this.warn(`capture ends mid-packet at byte ${atByte}; ${this.packets} packets read`);
  }
}

/** The limits the plumbing enforces. */
export interface SourceLimits {
  maxInputBytes: number;
  maxDecompressedBytes: number;
}

function tooLarge(what: string, limitInBytes: number): UserInputError {
  return new UserInputError('capture.too-large', `capture is too large: ${what} exceeds the limit of ${limitInBytes} bytes`);
}

/**
 * A pull-based stream of capture bytes (after gunzip, when the input is compressed).
 * `bytesRead` counts the bytes handed out; `unread` gives back bytes a reader peeked at.
 */
export class ChunkStream {
  /** Bytes of the (decompressed) capture handed out so far. */
  bytesRead = 0;
  protected readonly pending: Buffer[] = [];
  private finished = false;

  constructor(
    private readonly iterator: AsyncIterator<Buffer>,
    private readonly onEnd: (error: unknown) => boolean,
  ) {}

  /** The next chunk, or null at the end. */
  async next(): Promise<Buffer | null> {
    const pending = this.pending.pop();
    if (pending !== undefined) {
      this.bytesRead += pending.length;
      return pending;
    }
    if (this.finished) return null;
    let result: IteratorResult<Buffer>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      this.finished = true;
      if (this.onEnd(error)) return null;
      throw error;
    }
    if (result.done === true) {
      this.finished = true;
      return null;
    }
    const chunk = typeof result.value === 'string' ? Buffer.from(result.value) : result.value;
    this.bytesRead += chunk.length;
    return chunk;
  }

  /**
   * Copies up to `length` next bytes into `target` at `offset`; 0 at the end. Lets a
   * BinaryWindow fill one reused buffer (a file source reads straight into it).
   */
  async readInto(target: Buffer, offset: number, length: number): Promise<number> {
    const chunk = await this.next();
    if (chunk === null) return 0;
    const count = Math.min(length, chunk.length);
    chunk.copy(target, offset, 0, count);
    if (count < chunk.length) this.unread(chunk.subarray(count));
    return count;
  }

  /** Gives bytes back; the next `next()` returns them first. */
  unread(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.bytesRead -= chunk.length;
    this.pending.push(chunk);
  }

  /** Reads until at least `count` bytes are buffered (or the end), returns them and gives them back. */
  async peek(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let total = 0;
    while (total < count) {
      const chunk = await this.next();
      if (chunk === null) break;
      parts.push(chunk);
      total += chunk.length;
    }
    const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.unread(joined);
    return joined;
  }
}

/** An opened capture source: its chunks, and a way to release it early. */
export interface OpenedSource {
  raw: ChunkStream;
  close: () => void;
}

/**
 * A capture file read through one file handle: `next()` hands out fresh chunks (for the
 * text readers), `readInto` reads straight into the caller's buffer (for the binary ones),
 * so a pcap or pcapng is read without a copy or an allocation per chunk.
 */
class FileChunkStream extends ChunkStream {
  private readonly readFromFile: (target: Buffer, offset: number, length: number) => Promise<number>;

  constructor(handle: FileHandle, path: string, maxInputBytes: number) {
    let total = 0;
    /** Reads from the file at its current position, counting against the input limit. */
    const readFromFile = async (target: Buffer, offset: number, length: number): Promise<number> => {
      let count: number;
      try {
        ({ bytesRead: count } = await handle.read(target, offset, length, null));
      } catch (error) {
        throw fileError(path, error);
      }
      total += count;
      if (total > maxInputBytes) throw tooLarge('the input', maxInputBytes);
      return count;
    };
    async function* chunks(): AsyncGenerator<Buffer> {
      for (;;) {
        const buffer = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
        const count = await readFromFile(buffer, 0, buffer.length);
        if (count === 0) return;
        yield count === buffer.length ? buffer : buffer.subarray(0, count);
      }
    }
    super(chunks(), (error) => {
      throw fileError(path, error);
    });
    this.readFromFile = readFromFile;
  }

  override async readInto(target: Buffer, offset: number, length: number): Promise<number> {
    if (this.pending.length > 0) return super.readInto(target, offset, length);
    const count = await this.readFromFile(target, offset, length);
    this.bytesRead += count;
    return count;
  }
}

/** Opens a path ('-' is stdin) or takes a stream, counting raw bytes against `maxInputBytes`. */
export async function openSource(source: string | NodeJS.ReadableStream, limits: SourceLimits): Promise<OpenedSource> {
  if (typeof source === 'string' && source !== '-') {
    const handle = await open(source, 'r').catch((error: unknown) => {
      throw fileError(source, error);
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new UserInputError('capture.not-a-file', `cannot read ${source}: not a regular file; ${ACCEPTED_FORMATS}`);
      if (info.size > limits.maxInputBytes) throw tooLarge(`the file (${info.size} bytes)`, limits.maxInputBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return { raw: new FileChunkStream(handle, source, limits.maxInputBytes), close: () => void handle.close().catch(() => undefined) };
  }
  const stream = typeof source === 'string' ? process.stdin : source;
  const path = typeof source === 'string' ? source : 'the input stream';
  async function* counted(): AsyncGenerator<Buffer> {
    let total = 0;
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += buffer.length;
      if (total > limits.maxInputBytes) throw tooLarge('the input', limits.maxInputBytes);
      yield buffer;
    }
  }
  const raw = new ChunkStream(counted(), (error) => {
    throw fileError(path, error);
  });
  return { raw, close: () => undefined };
}

function fileError(path: string, error: unknown): unknown {
  if (error instanceof UserInputError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return new UserInputError('capture.not-found', `cannot read ${path}: no such file`);
  if (code === 'EISDIR') return new UserInputError('capture.not-a-file', `cannot read ${path}: it is a directory; ${ACCEPTED_FORMATS}`);
  if (code === 'EACCES' || code === 'EPERM') return new UserInputError('capture.unreadable', `cannot read ${path}: permission denied`);
  return error;
}

/**
 * Wraps a gzip-compressed stream in a streaming gunzip. A truncated gzip ends the
 * stream with a warning (the reader then reports the packet it was in); corrupt data
 * after some output does the same; corrupt data before any output is the user's error.
 */
export function gunzipStream(raw: ChunkStream, limits: SourceLimits, context: ReaderContext): ChunkStream {
  // node:zlib is loaded on first use: most captures are not compressed.
  const gunzip = process.getBuiltinModule('node:zlib').createGunzip({ chunkSize: 256 * 1024 });
  async function* rawChunks(): AsyncGenerator<Buffer> {
    for (let chunk = await raw.next(); chunk !== null; chunk = await raw.next()) yield chunk;
  }
  pipeline(Readable.from(rawChunks()), gunzip, () => undefined);
  let decompressed = 0;
  async function* output(): AsyncGenerator<Buffer> {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      decompressed += chunk.length;
      if (decompressed > limits.maxDecompressedBytes) {
        gunzip.destroy();
        throw tooLarge('the decompressed capture', limits.maxDecompressedBytes);
      }
      yield chunk;
    }
  }
  return new ChunkStream(output(), (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('Z_')) return false;
    if (code === 'Z_BUF_ERROR') {
      context.warn(`gzip stream is truncated after ${raw.bytesRead} compressed bytes`);
      return true;
    }
    if (decompressed === 0) throw new UserInputError('capture.bad-gzip', `gzip data is corrupt (${(error as Error).message}); ${ACCEPTED_FORMATS}`);
    context.warn(`gzip data is corrupt after ${decompressed} decompressed bytes (${(error as Error).message}); reading stopped there`);
    return true;
  });
}

/**
 * A byte window over a ChunkStream for the binary readers: `ensure(n)` makes `n` bytes
 * available from `position` (false at the end), `offset` is the absolute position in the
 * capture for messages. One buffer is reused for the whole read (grown for a larger
 * block), so views of `bytes` are valid only until the next `ensure`.
 */
export class BinaryWindow {
  /** The buffer; valid from `position` to `end`. */
  bytes: Buffer = Buffer.allocUnsafe(WINDOW_BYTES);
  /** Read position inside `bytes`. */
  position = 0;
  /** End of the valid bytes inside `bytes`. */
  end = 0;
  private base = 0;
  private finished = false;

  constructor(private readonly stream: ChunkStream) {}

  /** Absolute capture offset of `position`. */
  get offset(): number {
    return this.base + this.position;
  }

  /** Bytes buffered after `position`. */
  get available(): number {
    return this.end - this.position;
  }

  /** Makes at least `count` bytes available after `position`; false if the capture ends first. */
  async ensure(count: number): Promise<boolean> {
    if (this.end - this.position >= count) return true;
    if (this.finished) return false;
    const rest = this.end - this.position;
    if (count > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(count, this.bytes.length * 2));
      this.bytes.copy(grown, 0, this.position, this.end);
      this.bytes = grown;
    } else if (this.position > 0) {
      this.bytes.copyWithin(0, this.position, this.end);
    }
    this.base += this.position;
    this.position = 0;
    this.end = rest;
    while (this.end < count) {
      const read = await this.stream.readInto(this.bytes, this.end, this.bytes.length - this.end);
      if (read === 0) {
        this.finished = true;
        return false;
      }
      this.end += read;
    }
    return true;
  }
}
