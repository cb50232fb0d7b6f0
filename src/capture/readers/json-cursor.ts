/**
 * A byte-level JSON cursor over a growable window of the input, for the Wireshark JSON
 * reader. It never builds objects: callers walk members one at a time, match keys by a
 * hash computed while scanning, decode only the values they keep and skip the rest
 * (iteratively, with a depth counter, so deep nesting cannot blow the stack).
 *
 * Running off the end of the buffered bytes throws NEED_MORE: the caller rewinds to the
 * start of the packet, appends the next chunk and parses that packet again. A NUL byte
 * is kept just past the buffered data as a sentinel, so hot loops need no bounds check
 * (a raw NUL is never valid JSON text).
 */

/** Thrown when the parse reaches the end of the buffered bytes. */
export const NEED_MORE: unique symbol = Symbol('need more input');

/** Thrown on bytes that are not JSON (or not the shape a caller requires). */
export class JsonShapeError extends Error {
  constructor(
    message: string,
    /** Position in the cursor's buffer. */
    readonly position: number,
  ) {
    super(message);
  }
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Byte classes for skipping a container: 0 plain, 1 quote, 2 open, 3 close, 4 NUL (end sentinel). */
const SKIP_CLASS = new Uint8Array(256);
SKIP_CLASS[QUOTE] = 1;
SKIP_CLASS[OPEN_BRACE] = 2;
SKIP_CLASS[OPEN_BRACKET] = 2;
SKIP_CLASS[CLOSE_BRACE] = 3;
SKIP_CLASS[CLOSE_BRACKET] = 3;
SKIP_CLASS[0] = 4;

/** Byte classes inside a string: 0 plain, 1 quote, 2 backslash, 3 NUL. */
const STRING_CLASS = new Uint8Array(256);
STRING_CLASS[QUOTE] = 1;
STRING_CLASS[BACKSLASH] = 2;
STRING_CLASS[0] = 3;

/** Bytes a bare scalar (number, true, false, null) may contain. */
const SCALAR_BYTE = new Uint8Array(256);
for (const character of '0123456789+-.eEtruefalsnTRUEFALSN') SCALAR_BYTE[character.charCodeAt(0)] = 1;

/** Longest string scanned byte by byte before switching to a native search for the closing quote. */
const SHORT_STRING_BYTES = 24;

/** Hash of a key's bytes, the same function the cursor computes while scanning. */
export function hashKey(key: string): number {
  let hash = 0;
  const bytes = Buffer.from(key, 'utf8');
  for (const byte of bytes) hash = (Math.imul(hash, 31) + byte) | 0;
  return hash;
}

interface KeyEntry {
  code: number;
  bytes: Uint8Array;
  next: KeyEntry | undefined;
}

/** A set of keys a caller cares about, each mapped to a small positive code; 0 means "not wanted". */
export class KeyTable {
  private readonly entries = new Map<number, KeyEntry>();

  constructor(keys: Record<string, number>) {
    for (const [key, code] of Object.entries(keys)) {
      const hash = hashKey(key);
      this.entries.set(hash, { code, bytes: Buffer.from(key, 'utf8'), next: this.entries.get(hash) });
    }
  }

  /** The code of the key the cursor just read, or 0. */
  lookup(cursor: JsonCursor): number {
    if (cursor.keyEscaped) return 0;
    let entry = this.entries.get(cursor.keyHash);
    const start = cursor.keyStart;
    const length = cursor.keyEnd - start;
    const bytes = cursor.bytes;
    while (entry !== undefined) {
      const expected = entry.bytes;
      if (expected.length === length) {
        let index = 0;
        while (index < length && bytes[start + index] === expected[index]) index++;
        if (index === length) return entry.code;
      }
      entry = entry.next;
    }
    return 0;
  }
}

/** The cursor: a window of input bytes plus the primitives to walk JSON in it. */
export class JsonCursor {
  /** Buffered input; valid bytes are [0, end), with a NUL sentinel at `end`. */
  bytes: Buffer = Buffer.alloc(1 << 16);
  /** End of the buffered bytes. */
  end = 0;
  /** Current parse position. */
  position = 0;
  /** Absolute input offset of `bytes[0]`. */
  base = 0;

  /** The key read by the last `nextKey()`: raw bytes [keyStart, keyEnd), its hash, and whether it had escapes. */
  keyStart = 0;
  keyEnd = 0;
  keyHash = 0;
  keyEscaped = false;

  /** The value read by the last `readScalar()`: raw bytes [valueStart, valueEnd), whether it was a string and had escapes. */
  valueStart = 0;
  valueEnd = 0;
  valueIsString = false;
  valueEscaped = false;

  constructor(private readonly maxWindowBytes: number) {}

  /** Drops bytes before `keepFrom` and appends `chunk`; throws JsonShapeError if a single item outgrows the window limit. */
  append(chunk: Buffer, keepFrom: number): void {
    const kept = this.end - keepFrom;
    if (kept + chunk.length > this.maxWindowBytes) {
      throw new JsonShapeError(`a single packet object is larger than ${this.maxWindowBytes} bytes`, keepFrom);
    }
    if (kept + chunk.length + 1 > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, kept + chunk.length + 1));
      this.bytes.copy(grown, 0, keepFrom, this.end);
      this.bytes = grown;
    } else if (keepFrom > 0) {
      this.bytes.copyWithin(0, keepFrom, this.end);
    }
    this.base += keepFrom;
    this.position -= keepFrom;
    chunk.copy(this.bytes, kept);
    this.end = kept + chunk.length;
    this.bytes[this.end] = 0;
  }

  /** Called when a NUL is met: the end of the buffered input, or a byte that is not JSON. */
  protected stopAt(position: number): never {
    if (position >= this.end) throw NEED_MORE;
    throw new JsonShapeError('unexpected NUL byte', position);
  }

  /** Skips whitespace and returns the next byte (without consuming it). */
  peek(): number {
    const bytes = this.bytes;
    let position = this.position;
    let byte = bytes[position]!;
    while (byte === SPACE || byte === NEWLINE || byte === RETURN || byte === TAB) byte = bytes[++position]!;
    this.position = position;
    if (byte === 0) this.stopAt(position);
    return byte;
  }

  /** Consumes `{`. */
  openObject(): void {
    if (this.peek() !== OPEN_BRACE) throw new JsonShapeError('expected an object', this.position);
    this.position++;
  }

  /** Consumes `[`. */
  openArray(): void {
    if (this.peek() !== OPEN_BRACKET) throw new JsonShapeError('expected an array', this.position);
    this.position++;
  }

  /**
   * Reads the next member's key and its colon; false (and `}` consumed) at the end of the object.
   * Separating commas are optional, so this is lenient about what it accepts.
   */
  nextKey(): boolean {
    let byte = this.peek();
    if (byte === CLOSE_BRACE) {
      this.position++;
      return false;
    }
    if (byte === COMMA) {
      this.position++;
      byte = this.peek();
    }
    if (byte !== QUOTE) throw new JsonShapeError('expected a key', this.position);
    const bytes = this.bytes;
    let position = this.position + 1;
    const start = position;
    let hash = 0;
    let escaped = false;
    for (;;) {
      const current = bytes[position]!;
      if (current === QUOTE) break;
      if (current === BACKSLASH) {
        escaped = true;
        position += 2;
        if (position > this.end) throw NEED_MORE;
        continue;
      }
      if (current === 0) this.stopAt(position);
      hash = (Math.imul(hash, 31) + current) | 0;
      position++;
    }
    this.keyStart = start;
    this.keyEnd = position;
    this.keyHash = hash;
    this.keyEscaped = escaped;
    this.position = position + 1;
    if (this.peek() !== COLON) throw new JsonShapeError('expected a colon', this.position);
    this.position++;
    return true;
  }

  /** True when the last key ends with `suffix` (ASCII). */
  keyEndsWith(suffix: Uint8Array): boolean {
    const length = suffix.length;
    if (this.keyEnd - this.keyStart < length) return false;
    const offset = this.keyEnd - length;
    for (let index = 0; index < length; index++) if (this.bytes[offset + index] !== suffix[index]) return false;
    return true;
  }

  /** True when the last key starts with `prefix` (ASCII). */
  keyStartsWith(prefix: Uint8Array): boolean {
    const length = prefix.length;
    if (this.keyEnd - this.keyStart < length) return false;
    for (let index = 0; index < length; index++) if (this.bytes[this.keyStart + index] !== prefix[index]) return false;
    return true;
  }

  /** In an array: true (positioned at the next element) or false (`]` consumed). */
  nextElement(): boolean {
    let byte = this.peek();
    if (byte === CLOSE_BRACKET) {
      this.position++;
      return false;
    }
    if (byte === COMMA) {
      this.position++;
      byte = this.peek();
      if (byte === CLOSE_BRACKET) throw new JsonShapeError('unexpected ]', this.position);
    }
    return true;
  }

  /** Skips one value of any kind. */
  skipValue(): void {
    const byte = this.peek();
    if (byte === QUOTE) this.position = this.skipString(this.position + 1);
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.skipContainer();
    else this.skipScalar();
  }

  /** Reads a string or bare scalar into valueStart/valueEnd; false (value skipped) for an object or array. */
  readScalar(): boolean {
    const byte = this.peek();
    if (byte === QUOTE) {
      const start = this.position + 1;
      const bytes = this.bytes;
      let position = start;
      let escaped = false;
      for (;;) {
        const kind = STRING_CLASS[bytes[position]!]!;
        if (kind === 0) {
          position++;
          if (position - start > SHORT_STRING_BYTES) {
            position = this.findStringEnd(start, position);
            escaped = bytes.subarray(start, position).includes(BACKSLASH);
            break;
          }
        } else if (kind === 1) break;
        else if (kind === 2) {
          escaped = true;
          position += 2;
          if (position > this.end) throw NEED_MORE;
        } else this.stopAt(position);
      }
      this.valueStart = start;
      this.valueEnd = position;
      this.valueIsString = true;
      this.valueEscaped = escaped;
      this.position = position + 1;
      return true;
    }
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      this.skipContainer();
      return false;
    }
    const start = this.position;
    this.skipScalar();
    this.valueStart = start;
    this.valueEnd = this.position;
    this.valueIsString = false;
    this.valueEscaped = false;
    return true;
  }

  /** Position of the closing quote of a string whose body starts at `start`, scanning from `from`. */
  private findStringEnd(start: number, from: number): number {
    const bytes = this.bytes;
    let search = from;
    for (;;) {
      const quote = bytes.indexOf(QUOTE, search);
      if (quote < 0 || quote >= this.end) throw NEED_MORE;
      let backslashes = 0;
      while (quote - backslashes - 1 >= start && bytes[quote - backslashes - 1] === BACKSLASH) backslashes++;
      if ((backslashes & 1) === 0) return quote;
      search = quote + 1;
    }
  }

  /** Skips a string whose body starts at `start`; returns the position after its closing quote. */
  private skipString(start: number): number {
    const bytes = this.bytes;
    let position = start;
    for (;;) {
      const kind = STRING_CLASS[bytes[position]!]!;
      if (kind === 0) {
        position++;
        if (position - start > SHORT_STRING_BYTES) return this.findStringEnd(start, position) + 1;
      } else if (kind === 1) return position + 1;
      else if (kind === 2) {
        position += 2;
        if (position > this.end) throw NEED_MORE;
      } else this.stopAt(position);
    }
  }

  private skipScalar(): void {
    const bytes = this.bytes;
    const start = this.position;
    let position = start;
    while (SCALAR_BYTE[bytes[position]!] === 1) position++;
    if (position === start) {
      if (bytes[position] === 0) this.stopAt(position);
      throw new JsonShapeError('unexpected character', position);
    }
    if (bytes[position] === 0) this.stopAt(position); // a number may continue in the next chunk
    this.position = position;
  }

  /** Skips an object or array, however deep, with a depth counter instead of recursion. */
  private skipContainer(): void {
    const bytes = this.bytes;
    let position = this.position;
    let depth = 0;
    for (;;) {
      let kind = SKIP_CLASS[bytes[position]!]!;
      while (kind === 0) kind = SKIP_CLASS[bytes[++position]!]!;
      if (kind === 1) position = this.skipString(position + 1);
      else if (kind === 2) {
        depth++;
        position++;
      } else if (kind === 3) {
        position++;
        if (--depth === 0) break;
      } else this.stopAt(position);
    }
    this.position = position;
  }

  /** The last scalar value as text (JSON escapes decoded). */
  valueText(): string {
    if (!this.valueEscaped) return this.bytes.toString('utf8', this.valueStart, this.valueEnd);
    return JSON.parse(this.bytes.toString('utf8', this.valueStart - 1, this.valueEnd + 1)) as string;
  }

  /** The last scalar value as a number: decimal or 0x-hex digits (quoted or bare), true/false as 1/0; NaN otherwise. */
  valueNumber(): number {
    const bytes = this.bytes;
    let position = this.valueStart;
    const end = this.valueEnd;
    if (position === end) return Number.NaN;
    if (end - position >= 3 && bytes[position] === 0x30 && (bytes[position + 1] === 0x78 || bytes[position + 1] === 0x58)) {
      let value = 0;
      for (position += 2; position < end; position++) {
        const byte = bytes[position]!;
        let digit: number;
        if (byte >= 0x30 && byte <= 0x39) digit = byte - 0x30;
        else if (byte >= 0x61 && byte <= 0x66) digit = byte - 0x57;
        else if (byte >= 0x41 && byte <= 0x46) digit = byte - 0x37;
        else return Number.NaN;
        value = value * 16 + digit;
      }
      return value;
    }
    let value = 0;
    for (; position < end; position++) {
      const byte = bytes[position]!;
      if (byte < 0x30 || byte > 0x39) {
        if (!this.valueIsString && position === this.valueStart) {
          if (bytes[position] === 0x74) return 1; // true
          if (bytes[position] === 0x66) return 0; // false
        }
        return Number.NaN;
      }
      value = value * 10 + (byte - 0x30);
    }
    return value;
  }

  /** The last scalar value parsed as "seconds.fraction" into [seconds, nanoseconds]; undefined if malformed. */
  valueSecondsAndNanoseconds(): [number, number] | undefined {
    const bytes = this.bytes;
    let position = this.valueStart;
    const end = this.valueEnd;
    let seconds = 0;
    let digits = 0;
    for (; position < end && bytes[position] !== 0x2e; position++) {
      const byte = bytes[position]!;
      if (byte < 0x30 || byte > 0x39) return undefined;
      seconds = seconds * 10 + (byte - 0x30);
      digits++;
    }
    if (digits === 0) return undefined;
    let nanoseconds = 0;
    let scale = 100_000_000;
    for (position++; position < end; position++) {
      const byte = bytes[position]!;
      if (byte < 0x30 || byte > 0x39) return undefined;
      nanoseconds += (byte - 0x30) * scale;
      scale /= 10;
      if (scale < 1) break;
    }
    return [seconds, Math.round(nanoseconds)];
  }

  /** The last scalar value as bytes from colon-separated hex ("30:82:03"); undefined if malformed. */
  valueHexBytes(): Uint8Array | undefined {
    const bytes = this.bytes;
    const start = this.valueStart;
    const end = this.valueEnd;
    if (end === start) return new Uint8Array(0);
    if ((end - start + 1) % 3 !== 0) return undefined;
    const result = new Uint8Array((end - start + 1) / 3);
    for (let position = start, index = 0; position < end; position += 3, index++) {
      const high = hexDigit(bytes[position]!);
      const low = hexDigit(bytes[position + 1]!);
      if (high < 0 || low < 0) return undefined;
      result[index] = (high << 4) | low;
    }
    return result;
  }

  /** Absolute input offset of a buffer position. */
  offsetOf(position: number): number {
    return this.base + position;
  }
}

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}
