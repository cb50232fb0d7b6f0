/**
 * TLS from a reassembled TCP byte stream (pcap/pcapng): records, then handshake messages
 * spanning records and segments, into the same `TlsMessage` values the JSON readers produce.
 * Bounded: a handshake message larger than MAX_HANDSHAKE_BYTES, or bytes that are not TLS,
 * stop the parser for that direction.
 */
import { bodilessHandshakeMessage, type TlsMessage } from '../packet.js';

/** Largest handshake message buffered (a Certificate chain is a few KB; 64 KB is generous). */
export const MAX_HANDSHAKE_BYTES = 64 * 1024;
/** Largest record TLS allows (2^14 plus expansion). */
const MAX_RECORD_BYTES = 16384 + 2048;

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPLICATION_DATA = 23;
const CONTENT_HEARTBEAT = 24;

/** A cursor over bytes that returns null instead of reading past the end. */
class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  u8(): number | null {
    if (this.remaining < 1) return null;
    return this.bytes[this.offset++] ?? null;
  }
  u16(): number | null {
    if (this.remaining < 2) return null;
    const value = ((this.bytes[this.offset] ?? 0) << 8) | (this.bytes[this.offset + 1] ?? 0);
    this.offset += 2;
    return value;
  }
  u24(): number | null {
    if (this.remaining < 3) return null;
    const value = ((this.bytes[this.offset] ?? 0) << 16) | ((this.bytes[this.offset + 1] ?? 0) << 8) | (this.bytes[this.offset + 2] ?? 0);
    this.offset += 3;
    return value;
  }
  take(length: number): Uint8Array | null {
    if (length < 0 || this.remaining < length) return null;
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

/** Parses the extensions block of a hello; calls `visit` for each (type, body). */
function readExtensions(reader: Reader, visit: (type: number, body: Reader) => void): void {
  const total = reader.u16();
  if (total === null) return;
  const block = reader.take(total);
  if (!block) return;
  const extensions = new Reader(block);
  while (extensions.remaining >= 4) {
    const type = extensions.u16();
    const length = extensions.u16();
    if (type === null || length === null) return;
    const body = extensions.take(length);
    if (!body) return;
    visit(type, new Reader(body));
  }
}

/** ClientHello body -> message (RFC 8446 4.1.2). */
export function parseClientHello(body: Uint8Array): TlsMessage | null {
  const reader = new Reader(body);
  const legacyVersion = reader.u16();
  if (legacyVersion === null || !reader.take(32)) return null;
  const sessionIdLength = reader.u8();
  if (sessionIdLength === null || !reader.take(sessionIdLength)) return null;
  const suitesLength = reader.u16();
  if (suitesLength === null) return null;
  const suites = reader.take(suitesLength);
  if (!suites) return null;
  const cipherSuites: number[] = [];
  const suiteReader = new Reader(suites);
  for (let suite = suiteReader.u16(); suite !== null; suite = suiteReader.u16()) cipherSuites.push(suite);
  const compressionLength = reader.u8();
  if (compressionLength === null || !reader.take(compressionLength)) return null;
  let serverName: string | null = null;
  const supportedVersions: number[] = [];
  readExtensions(reader, (type, extension) => {
    if (type === 0) {
      const listLength = extension.u16();
      if (listLength === null) return;
      while (extension.remaining >= 3) {
        const nameType = extension.u8();
        const nameLength = extension.u16();
        if (nameLength === null) return;
        const name = extension.take(nameLength);
        if (!name) return;
        if (nameType === 0 && serverName === null) serverName = new TextDecoder().decode(name);
      }
    } else if (type === 43) {
      const length = extension.u8();
      if (length === null) return;
      const versions = extension.take(length);
      if (!versions) return;
      const versionReader = new Reader(versions);
      for (let version = versionReader.u16(); version !== null; version = versionReader.u16()) supportedVersions.push(version);
    }
  });
  return { type: 'client_hello', serverName, legacyVersion, supportedVersions, cipherSuites };
}

/** ServerHello body -> message. */
export function parseServerHello(body: Uint8Array): TlsMessage | null {
  const reader = new Reader(body);
  const legacyVersion = reader.u16();
  if (legacyVersion === null || !reader.take(32)) return null;
  const sessionIdLength = reader.u8();
  if (sessionIdLength === null || !reader.take(sessionIdLength)) return null;
  const cipherSuite = reader.u16();
  if (reader.u8() === null) return null;
  let selectedVersion: number | null = null;
  if (reader.remaining >= 2) {
    readExtensions(reader, (type, extension) => {
      if (type === 43) selectedVersion = extension.u16();
    });
  }
  return { type: 'server_hello', legacyVersion, selectedVersion, cipherSuite };
}

/** TLS 1.2 Certificate body -> the DER certificates (RFC 5246 7.4.2). */
export function parseCertificate(body: Uint8Array): TlsMessage | null {
  const reader = new Reader(body);
  const total = reader.u24();
  if (total === null) return null;
  const list = reader.take(total);
  if (!list) return null;
  const certificates: Uint8Array[] = [];
  const listReader = new Reader(list);
  while (listReader.remaining >= 3) {
    const length = listReader.u24();
    if (length === null) break;
    const certificate = listReader.take(length);
    if (!certificate) break;
    certificates.push(new Uint8Array(certificate)); // a plain copy, whatever the input's type
  }
  return { type: 'certificate', certificates };
}

/** One handshake message (type + body) -> message. */
export function parseHandshakeMessage(handshakeType: number, body: Uint8Array): TlsMessage {
  switch (handshakeType) {
    case 1:
      return parseClientHello(body) ?? { type: 'handshake', handshakeType };
    case 2:
      return parseServerHello(body) ?? { type: 'handshake', handshakeType };
    case 11:
      return parseCertificate(body) ?? { type: 'handshake', handshakeType };
    default:
      return bodilessHandshakeMessage(handshakeType);
  }
}

/** True when the bytes start like a TLS record (content type, version 3.x, sane length). */
export function looksLikeTlsRecord(bytes: Uint8Array): boolean {
  if (bytes.length < 5) return false;
  const contentType = bytes[0] ?? 0;
  const major = bytes[1] ?? 0;
  const length = ((bytes[3] ?? 0) << 8) | (bytes[4] ?? 0);
  return contentType >= CONTENT_CHANGE_CIPHER_SPEC && contentType <= CONTENT_HEARTBEAT && major === 3 && length > 0 && length <= MAX_RECORD_BYTES;
}

/**
 * Parses one direction's byte stream into TLS messages. Feed it bytes in stream order;
 * it keeps only the unfinished record header and handshake message (as copies, so the
 * bytes passed in need only live for the call), and skips application data without
 * buffering it.
 */
export class TlsStreamParser {
  /** False once the stream turned out not to be TLS (or overflowed a bound). */
  active = true;
  /** Set after this side's ChangeCipherSpec: its later records are encrypted. */
  encrypted = false;
  /** TLS 1.3: everything after the ServerHello is encrypted; set by the caller. */
  private header = new Uint8Array(5);
  private headerLength = 0;
  private recordType = 0;
  private recordRemaining = 0;
  private recordBody: Uint8Array[] = [];
  private handshakeBuffer: Uint8Array = new Uint8Array(0);
  private started = false;

  /** Feeds bytes; returns the messages completed by them. */
  push(bytes: Uint8Array): TlsMessage[] {
    const messages: TlsMessage[] = [];
    let offset = 0;
    while (this.active && offset < bytes.length) {
      if (this.recordRemaining === 0 && this.headerLength < 5) {
        const needed = Math.min(5 - this.headerLength, bytes.length - offset);
        this.header.set(bytes.subarray(offset, offset + needed), this.headerLength);
        this.headerLength += needed;
        offset += needed;
        if (this.headerLength < 5) break;
        if (!looksLikeTlsRecord(this.header)) {
          this.active = false;
          break;
        }
        this.recordType = this.header[0] ?? 0;
        this.recordRemaining = ((this.header[3] ?? 0) << 8) | (this.header[4] ?? 0);
        if (!this.started && this.recordType !== CONTENT_HANDSHAKE && this.recordType !== CONTENT_ALERT) {
          // A TLS stream opens with a handshake (or an alert refusing one); anything else is not TLS.
          this.active = false;
          break;
        }
        this.started = true;
        this.recordBody = [];
      }
      const take = Math.min(this.recordRemaining, bytes.length - offset);
      if (this.recordType !== CONTENT_APPLICATION_DATA) this.recordBody.push(bytes.subarray(offset, offset + take));
      this.recordRemaining -= take;
      offset += take;
      if (this.recordRemaining === 0) {
        this.headerLength = 0;
        this.completeRecord(messages);
      }
    }
    // A record still open keeps its bytes across calls: copy them, since the caller may
    // hand us views into a buffer it reuses.
    if (this.recordBody.length > 0) this.recordBody = [concat(this.recordBody).slice()];
    return messages;
  }

  private completeRecord(messages: TlsMessage[]): void {
    const body = concat(this.recordBody);
    this.recordBody = [];
    switch (this.recordType) {
      case CONTENT_CHANGE_CIPHER_SPEC:
        messages.push({ type: 'change_cipher_spec' });
        this.encrypted = true;
        break;
      case CONTENT_ALERT:
        if (this.encrypted || body.length !== 2) messages.push({ type: 'encrypted_alert' });
        else messages.push({ type: 'alert', level: body[0] ?? 0, description: body[1] ?? 0 });
        break;
      case CONTENT_HANDSHAKE:
        if (this.encrypted) break;
        this.handshakeBuffer = this.handshakeBuffer.length === 0 ? body.slice() : concat([this.handshakeBuffer, body]);
        this.drainHandshake(messages);
        break;
      case CONTENT_APPLICATION_DATA:
        messages.push({ type: 'application_data' });
        break;
      default:
        break;
    }
  }

  private drainHandshake(messages: TlsMessage[]): void {
    let offset = 0;
    const buffer = this.handshakeBuffer;
    while (buffer.length - offset >= 4) {
      const handshakeType = buffer[offset] ?? 0;
      const length = ((buffer[offset + 1] ?? 0) << 16) | ((buffer[offset + 2] ?? 0) << 8) | (buffer[offset + 3] ?? 0);
      if (length > MAX_HANDSHAKE_BYTES) {
        this.active = false;
        this.handshakeBuffer = new Uint8Array(0);
        return;
      }
      if (buffer.length - offset - 4 < length) break;
      messages.push(parseHandshakeMessage(handshakeType, buffer.subarray(offset + 4, offset + 4 + length)));
      offset += 4 + length;
    }
    this.handshakeBuffer = offset === buffer.length ? new Uint8Array(0) : buffer.slice(offset);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] ?? new Uint8Array(0);
  let total = 0;
  for (const part of parts) total += part.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
