/**
 * Streaming reader for Wireshark/tshark JSON (`tshark -T json`, the GUI's "Export Packet
 * Dissections > As JSON", and the `--no-duplicate-keys` form). Duplicate keys are the
 * norm in this format (`tls.record` once per record, one `tls.handshake.certificate`
 * per certificate), so it walks the bytes itself and keeps every one; it builds only
 * the fields a DecodedPacket needs and skips every other subtree without decoding it.
 */
import { UserInputError } from '../../domain/errors.js';
import { bodilessHandshakeMessage, type DecodedPacket, type DnsMessage, type IcmpMessage, type QuotedPacket, type TlsMessage } from '../packet.js';
import { epochMilliseconds } from './time.js';
import { JsonCursor, JsonShapeError, KeyTable, NEED_MORE } from './json-cursor.js';
import { ACCEPTED_FORMATS, type ChunkStream, type ReaderContext } from './source.js';

/** Largest single packet object the reader buffers (bounds memory on hostile input). */
const MAX_PACKET_OBJECT_BYTES = 32 * 1024 * 1024;
/** Deepest nesting the reader descends into (everything deeper is skipped iteratively). */
const MAX_DESCENT_DEPTH = 64;

const TOP = new KeyTable({ _source: 1 });
const SOURCE = new KeyTable({ layers: 1 });
const LAYER = { frame: 1, ip: 2, ipv6: 3, tcp: 4, udp: 5, icmp: 6, icmpv6: 7, dns: 8, tls: 9 } as const;
const LAYERS = new KeyTable(LAYER);
const FRAME = new KeyTable({ 'frame.number': 1, 'frame.time_epoch': 2, 'frame.len': 3 });
const IP = new KeyTable({ 'ip.src': 1, 'ip.dst': 2, 'ip.proto': 3 });
const IPV6 = new KeyTable({ 'ipv6.src': 1, 'ipv6.dst': 2, 'ipv6.nxt': 3 });
const TCP = new KeyTable({
  'tcp.srcport': 1, 'tcp.dstport': 2, 'tcp.seq_raw': 3, 'tcp.ack_raw': 4, 'tcp.flags': 5,
  'tcp.window_size_value': 6, 'tcp.window_size': 7, 'tcp.len': 8, 'tcp.analysis': 9, 'tcp.seq': 10, 'tcp.ack': 11,
});
const TCP_ANALYSIS = new KeyTable({
  'tcp.analysis.retransmission': 1, 'tcp.analysis.fast_retransmission': 1, 'tcp.analysis.spurious_retransmission': 1, 'tcp.analysis.zero_window': 2,
});
const UDP = new KeyTable({ 'udp.srcport': 1, 'udp.dstport': 2, 'udp.length': 3 });
const ICMP = new KeyTable({
  'icmp.type': 1, 'icmp.code': 2, 'icmp.ident': 3, 'icmpv6.type': 1, 'icmpv6.code': 2, 'icmpv6.echo.identifier': 3,
  ip: 4, ipv6: 5, tcp: 6, udp: 7,
});
const QUOTED_TRANSPORT = new KeyTable({ 'tcp.srcport': 1, 'tcp.dstport': 2, 'udp.srcport': 1, 'udp.dstport': 2 });
const DNS = new KeyTable({ 'dns.id': 1, 'dns.flags': 2, Queries: 3, Answers: 4 });
const DNS_RECORD = new KeyTable({ 'dns.qry.name': 1, 'dns.qry.type': 2, 'dns.resp.name': 3, 'dns.resp.type': 4, 'dns.a': 5, 'dns.aaaa': 5, 'dns.cname': 5 });
const TLS = new KeyTable({ 'tls.record': 1 });
const TLS_RECORD = new KeyTable({ 'tls.record.content_type': 1, 'tls.record.opaque_type': 1, 'tls.handshake': 2, 'tls.alert_message': 3 });
const TLS_ALERT = new KeyTable({ 'tls.alert_message.level': 1, 'tls.alert_message.desc': 2 });
const TLS_HANDSHAKE = new KeyTable({
  'tls.handshake.type': 1, 'tls.handshake.version': 2, 'tls.handshake.ciphersuite': 3, 'tls.handshake.extensions_server_name': 4,
  'tls.handshake.extensions.supported_version': 5, 'tls.handshake.certificate': 6,
});
const TREE_SUFFIX = Buffer.from('_tree');
const IPV6_EXTENSION_HEADERS = new Set([0, 43, 44, 51, 60, 135, 139, 140, 253, 254]);

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** The fields of one TLS handshake message, gathered before the message is built. */
interface HandshakeFields {
  type: number;
  version: number;
  cipherSuites: number[];
  serverName: string | null;
  supportedVersions: number[];
  certificates: Uint8Array[];
}

/** Parses one packet object at a time out of the buffered window. */
class WiresharkJsonParser extends JsonCursor {
  /** Reads the packet object at the cursor; undefined when it has no `_source.layers`. */
  parsePacket(): DecodedPacket | undefined {
    const packet: DecodedPacket = { frame: 0, timeInMs: Number.NaN, length: 0 };
    let sawLayers = false;
    this.openObject();
    while (this.nextKey()) {
      if (TOP.lookup(this) !== 1 || this.peek() !== OPEN_BRACE) {
        this.skipValue();
        continue;
      }
      this.openObject();
      while (this.nextKey()) {
        if (SOURCE.lookup(this) === 1 && this.peek() === OPEN_BRACE) {
          this.parseLayers(packet);
          sawLayers = true;
        } else this.skipValue();
      }
    }
    return sawLayers ? packet : undefined;
  }

  private parseLayers(packet: DecodedPacket): void {
    this.openObject();
    let dns: DnsMessage | undefined;
    let tls: TlsMessage[] | undefined;
    while (this.nextKey()) {
      const layer = LAYERS.lookup(this);
      if (layer === 0 || this.peek() !== OPEN_BRACE) {
        // `--no-duplicate-keys` turns a repeated layer into an array of layers.
        if (layer === LAYER.tls && this.peek() === OPEN_BRACKET) {
          tls ??= [];
          this.openArray();
          while (this.nextElement()) {
            if (this.peek() === OPEN_BRACE) this.parseTls(tls);
            else this.skipValue();
          }
        } else this.skipValue();
        continue;
      }
      switch (layer) {
        case LAYER.frame:
          this.parseFrame(packet);
          break;
        case LAYER.ip:
          if (packet.ip === undefined) this.parseIp(packet);
          else this.skipValue();
          break;
        case LAYER.ipv6:
          if (packet.ip === undefined) this.parseIp(packet, 6);
          else this.skipValue();
          break;
        case LAYER.tcp:
          if (packet.tcp === undefined && packet.udp === undefined && packet.icmp === undefined) this.parseTcp(packet);
          else this.skipValue();
          break;
        case LAYER.udp:
          if (packet.tcp === undefined && packet.udp === undefined && packet.icmp === undefined) this.parseUdp(packet);
          else this.skipValue();
          break;
        case LAYER.icmp:
        case LAYER.icmpv6:
          if (packet.icmp === undefined) this.parseIcmp(packet, layer === LAYER.icmp ? 4 : 6);
          else this.skipValue();
          break;
        case LAYER.dns:
          if (dns === undefined) dns = this.parseDns();
          else this.skipValue();
          break;
        case LAYER.tls:
          tls ??= [];
          this.parseTls(tls);
          break;
        default:
          this.skipValue();
      }
    }
    // An ICMP error's quoted payload is dissected again at the top level: it is not this packet's DNS/TLS.
    const quotesAnotherPacket = packet.icmp?.quoted !== undefined;
    if (dns !== undefined && !quotesAnotherPacket) packet.dns = dns;
    if (tls !== undefined && tls.length > 0 && !quotesAnotherPacket) packet.tls = tls;
    if (packet.ip?.version === 6 && IPV6_EXTENSION_HEADERS.has(packet.ip.protocol)) {
      // ipv6.nxt names the first extension header; the transport layer says what follows them.
      if (packet.tcp !== undefined) packet.ip.protocol = 6;
      else if (packet.udp !== undefined) packet.ip.protocol = 17;
      else if (packet.icmp !== undefined) packet.ip.protocol = 58;
    }
  }

  /** Reads a scalar, taking the first element when the value is an array (the `--no-duplicate-keys` form). */
  private readFirstScalar(): boolean {
    if (this.peek() !== OPEN_BRACKET) return this.readScalar();
    this.openArray();
    let found = false;
    while (this.nextElement()) {
      if (!found) found = this.readScalar();
      else this.skipValue();
    }
    return found;
  }

  private readNumber(): number {
    return this.readFirstScalar() ? this.valueNumber() : Number.NaN;
  }

  private readText(): string | undefined {
    return this.readFirstScalar() ? this.valueText() : undefined;
  }

  /** Calls `handle` for each scalar of a value that is a scalar or an array of scalars. */
  private forEachScalar(handle: () => void): void {
    if (this.peek() !== OPEN_BRACKET) {
      if (this.readScalar()) handle();
      return;
    }
    this.openArray();
    while (this.nextElement()) if (this.readScalar()) handle();
  }

  /** Calls `handle` at each object of a value that is an object or an array of objects; other values go to `other`. */
  private forEachObject(handle: () => void, other: () => void): void {
    const byte = this.peek();
    if (byte === OPEN_BRACE) {
      handle();
      return;
    }
    if (byte !== OPEN_BRACKET) {
      other();
      return;
    }
    this.openArray();
    while (this.nextElement()) {
      if (this.peek() === OPEN_BRACE) handle();
      else other();
    }
  }

  private parseFrame(packet: DecodedPacket): void {
    this.openObject();
    while (this.nextKey()) {
      switch (FRAME.lookup(this)) {
        case 1:
          packet.frame = this.readNumber();
          break;
        case 2:
          if (this.readFirstScalar()) {
            const time = this.valueSecondsAndNanoseconds();
            if (time !== undefined) packet.timeInMs = epochMilliseconds(time[0], time[1]);
          }
          break;
        case 3:
          packet.length = this.readNumber();
          break;
        default:
          this.skipValue();
      }
    }
  }

  /** Reads an `ip` or `ipv6` layer: the same three fields under their own keys. */
  private parseIp(packet: DecodedPacket, version: 4 | 6 = 4): void {
    const keys = version === 4 ? IP : IPV6;
    const ip = { version, src: '', dst: '', protocol: -1 };
    this.openObject();
    while (this.nextKey()) {
      switch (keys.lookup(this)) {
        case 1:
          ip.src = this.readText() ?? '';
          break;
        case 2:
          ip.dst = this.readText() ?? '';
          break;
        case 3:
          ip.protocol = this.readNumber();
          break;
        default:
          this.skipValue();
      }
    }
    packet.ip = ip;
  }

  private parseTcp(packet: DecodedPacket): void {
    let seqRaw = Number.NaN;
    let ackRaw = Number.NaN;
    let seqRelative = Number.NaN;
    let ackRelative = Number.NaN;
    let windowValue = Number.NaN;
    let windowScaled = Number.NaN;
    let retransmission = false;
    let zeroWindow = false;
    const tcp = { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, payloadLength: 0 };
    this.openObject();
    while (this.nextKey()) {
      switch (TCP.lookup(this)) {
        case 1:
          tcp.srcPort = this.readNumber();
          break;
        case 2:
          tcp.dstPort = this.readNumber();
          break;
        case 3:
          seqRaw = this.readNumber();
          break;
        case 4:
          ackRaw = this.readNumber();
          break;
        case 5:
          tcp.flags = this.readNumber();
          break;
        case 6:
          windowValue = this.readNumber();
          break;
        case 7:
          windowScaled = this.readNumber();
          break;
        case 8:
          tcp.payloadLength = this.readNumber();
          break;
        case 9:
          if (this.peek() === OPEN_BRACE) {
            this.collect(TCP_ANALYSIS, (code) => {
              if (code === 1) retransmission = true;
              else zeroWindow = true;
              this.skipValue();
            }, 0);
          } else this.skipValue();
          break;
        case 10:
          seqRelative = this.readNumber();
          break;
        case 11:
          ackRelative = this.readNumber();
          break;
        default:
          this.skipValue();
      }
    }
    tcp.seq = Number.isNaN(seqRaw) ? seqRelative : seqRaw;
    tcp.ack = Number.isNaN(ackRaw) ? ackRelative : ackRaw;
    tcp.window = Number.isNaN(windowValue) ? windowScaled : windowValue;
    packet.tcp = retransmission || zeroWindow ? { ...tcp, analysis: { retransmission, zeroWindow } } : tcp;
  }

  private parseUdp(packet: DecodedPacket): void {
    const udp = { srcPort: 0, dstPort: 0, payloadLength: 0 };
    this.openObject();
    while (this.nextKey()) {
      switch (UDP.lookup(this)) {
        case 1:
          udp.srcPort = this.readNumber();
          break;
        case 2:
          udp.dstPort = this.readNumber();
          break;
        case 3:
          udp.payloadLength = Math.max(0, this.readNumber() - 8);
          break;
        default:
          this.skipValue();
      }
    }
    packet.udp = udp;
  }

  private parseIcmp(packet: DecodedPacket, version: 4 | 6): void {
    const icmp: IcmpMessage = { version, type: -1, code: -1 };
    let quoted: QuotedPacket | undefined;
    this.openObject();
    while (this.nextKey()) {
      const code = ICMP.lookup(this);
      if (code === 1) icmp.type = this.readNumber();
      else if (code === 2) icmp.code = this.readNumber();
      else if (code === 3) icmp.identifier = this.readNumber();
      else if ((code === 4 || code === 5) && quoted === undefined && this.peek() === OPEN_BRACE) {
        quoted = { src: '', dst: '', protocol: -1 };
        const inner = new DecodedPacketHolder();
        if (code === 4) this.parseIp(inner);
        else this.parseIp(inner, 6);
        if (inner.ip !== undefined) {
          quoted.src = inner.ip.src;
          quoted.dst = inner.ip.dst;
          quoted.protocol = inner.ip.protocol;
        }
      } else if ((code === 6 || code === 7) && quoted !== undefined && quoted.srcPort === undefined && this.peek() === OPEN_BRACE) {
        const ports = quoted;
        this.openObject();
        while (this.nextKey()) {
          const field = QUOTED_TRANSPORT.lookup(this);
          if (field === 1) ports.srcPort = this.readNumber();
          else if (field === 2) ports.dstPort = this.readNumber();
          else this.skipValue();
        }
        if (ports.protocol !== 6 && ports.protocol !== 17) ports.protocol = code === 6 ? 6 : 17;
      } else this.skipValue();
    }
    if (quoted !== undefined) icmp.quoted = quoted;
    packet.icmp = icmp;
  }

  private parseDns(): DnsMessage {
    const dns: DnsMessage = { id: 0, response: false, rcode: 0, questions: [], answers: [] };
    this.openObject();
    while (this.nextKey()) {
      const code = DNS.lookup(this);
      if (code === 1) dns.id = this.readNumber();
      else if (code === 2) {
        const flags = this.readNumber();
        dns.response = (flags & 0x8000) !== 0;
        dns.rcode = flags & 0x000f;
      } else if ((code === 3 || code === 4) && this.peek() === OPEN_BRACE) {
        const section = code;
        this.openObject();
        while (this.nextKey()) this.forEachObject(() => this.parseDnsRecord(dns, section), () => this.skipValue());
      } else this.skipValue();
    }
    return dns;
  }

  private parseDnsRecord(dns: DnsMessage, section: number): void {
    let name = '';
    let type = -1;
    let data: string | undefined;
    this.openObject();
    while (this.nextKey()) {
      const code = DNS_RECORD.lookup(this);
      if ((code === 1 && section === 3) || (code === 3 && section === 4)) name = this.readText() ?? '';
      else if ((code === 2 && section === 3) || (code === 4 && section === 4)) type = this.readNumber();
      else if (code === 5 && section === 4) data = this.readText();
      else this.skipValue();
    }
    if (section === 3) dns.questions.push({ name, type });
    else if (data !== undefined) dns.answers.push({ name, type, data });
  }

  private parseTls(messages: TlsMessage[]): void {
    this.openObject();
    while (this.nextKey()) {
      if (TLS.lookup(this) === 1) this.forEachObject(() => this.parseTlsRecord(messages), () => this.skipValue());
      else this.skipValue();
    }
  }

  private parseTlsRecord(messages: TlsMessage[]): void {
    let contentType = -1;
    const handshakes: TlsMessage[] = [];
    let alert: TlsMessage | undefined;
    this.openObject();
    while (this.nextKey()) {
      const code = TLS_RECORD.lookup(this);
      if (code === 1) contentType = this.readNumber();
      else if (code === 2) {
        // An encrypted handshake message is the empty string: nothing can be said about it.
        this.forEachObject(() => {
          const message = this.parseHandshake();
          if (message !== undefined) handshakes.push(message);
        }, () => this.skipValue());
      } else if (code === 3) {
        let level = -1;
        let description = -1;
        this.forEachObject(() => {
          this.openObject();
          while (this.nextKey()) {
            const field = TLS_ALERT.lookup(this);
            if (field === 1) level = this.readNumber();
            else if (field === 2) description = this.readNumber();
            else this.skipValue();
          }
        }, () => this.skipValue());
        alert = level >= 0 && description >= 0 ? { type: 'alert', level, description } : { type: 'encrypted_alert' };
      } else this.skipValue();
    }
    if (contentType === 20) messages.push({ type: 'change_cipher_spec' });
    else if (contentType === 21) messages.push(alert ?? { type: 'encrypted_alert' });
    else if (contentType === 23) messages.push({ type: 'application_data' });
    else for (const message of handshakes) messages.push(message);
  }

  private parseHandshake(): TlsMessage | undefined {
    const fields: HandshakeFields = { type: -1, version: -1, cipherSuites: [], serverName: null, supportedVersions: [], certificates: [] };
    this.collect(TLS_HANDSHAKE, (code) => {
      switch (code) {
        case 1:
          fields.type = this.readNumber();
          break;
        case 2:
          fields.version = this.readNumber();
          break;
        case 3:
          this.forEachScalar(() => fields.cipherSuites.push(this.valueNumber()));
          break;
        case 4:
          fields.serverName = this.readText() ?? null;
          break;
        case 5:
          this.forEachScalar(() => fields.supportedVersions.push(this.valueNumber()));
          break;
        default:
          this.forEachScalar(() => {
            const der = this.valueHexBytes();
            if (der !== undefined) fields.certificates.push(der);
          });
      }
    }, 0);
    return handshakeMessage(fields);
  }

  /**
   * Walks an object and its nested objects (not `*_tree` subtrees, which hold decoded
   * certificates and the like), calling `handle` on every wanted key; `handle` consumes the value.
   */
  private collect(table: KeyTable, handle: (code: number) => void, depth: number): void {
    if (depth > MAX_DESCENT_DEPTH) throw new JsonShapeError(`nesting deeper than ${MAX_DESCENT_DEPTH} levels`, this.position);
    this.openObject();
    while (this.nextKey()) {
      const code = table.lookup(this);
      if (code !== 0) {
        handle(code);
        continue;
      }
      const byte = this.peek();
      if ((byte === OPEN_BRACE || byte === OPEN_BRACKET) && !this.keyEndsWith(TREE_SUFFIX)) {
        this.forEachObject(() => this.collect(table, handle, depth + 1), () => this.skipValue());
      } else this.skipValue();
    }
  }
}

/** A bare holder so the quoted IP header can reuse the layer parsers. */
class DecodedPacketHolder implements DecodedPacket {
  frame = 0;
  timeInMs = 0;
  length = 0;
  ip?: DecodedPacket['ip'];
}

function handshakeMessage(fields: HandshakeFields): TlsMessage | undefined {
  switch (fields.type) {
    case -1:
      return undefined;
    case 1:
      return { type: 'client_hello', serverName: fields.serverName, legacyVersion: fields.version, supportedVersions: fields.supportedVersions, cipherSuites: fields.cipherSuites };
    case 2:
      return { type: 'server_hello', legacyVersion: fields.version, selectedVersion: fields.supportedVersions[0] ?? null, cipherSuite: fields.cipherSuites[0] ?? null };
    case 11:
      return { type: 'certificate', certificates: fields.certificates };
    default:
      return bodilessHandshakeMessage(fields.type);
  }
}

/** Top-level positions in the JSON array of packets. */
const EXPECT_ARRAY = 0;
const EXPECT_FIRST = 1;
const EXPECT_SEPARATOR = 2;
const EXPECT_PACKET = 3;
const DONE = 4;

/** Reads a Wireshark/tshark JSON stream and sends every packet to the context. */
export async function readWiresharkJson(stream: ChunkStream, context: ReaderContext): Promise<void> {
  const parser = new WiresharkJsonParser(MAX_PACKET_OBJECT_BYTES);
  let state = EXPECT_ARRAY;
  let mark = 0; // start of the token being parsed; bytes before it are no longer needed
  let retryWhenBuffered = 0; // bytes the window must hold (from `mark`) before the next attempt
  let ended = false;
  let warnedMissingTime = false;
  const fail = (message: string, position: number): void => {
    if (context.packets === 0) {
      throw new UserInputError('capture.malformed', `not a usable Wireshark/tshark JSON export: ${message} at byte ${parser.offsetOf(position)}; ${ACCEPTED_FORMATS}`);
    }
    context.warn(`capture is malformed at byte ${parser.offsetOf(position)} (${message}); ${context.packets} packets read`);
  };
  for (;;) {
    const chunk = ended ? null : await stream.next();
    if (chunk === null) ended = true;
    else {
      try {
        parser.append(chunk, mark);
      } catch (error) {
        if (!(error instanceof JsonShapeError)) throw error;
        fail(error.message, mark);
        return;
      }
      mark = 0;
      if (parser.end < retryWhenBuffered) continue;
    }
    parser.position = mark;
    try {
      for (;;) {
        mark = parser.position;
        if (state === DONE) {
          if (parser.end === mark) break;
          if (parser.peek() !== 0) context.warn(`ignored data after the end of the JSON array at byte ${parser.offsetOf(parser.position)}`);
          parser.position = parser.end;
          mark = parser.end;
          break;
        }
        const byte = parser.peek();
        mark = parser.position;
        if (state === EXPECT_ARRAY) {
          if (byte !== OPEN_BRACKET) throw new JsonShapeError('expected a JSON array of packets', mark);
          parser.position++;
          state = EXPECT_FIRST;
        } else if ((state === EXPECT_FIRST || state === EXPECT_SEPARATOR) && byte === CLOSE_BRACKET) {
          parser.position++;
          state = DONE;
        } else if (state === EXPECT_SEPARATOR) {
          if (byte !== COMMA) throw new JsonShapeError('expected , or ] between packets', mark);
          parser.position++;
          state = EXPECT_PACKET;
        } else {
          if (byte !== OPEN_BRACE) {
            if (context.packets === 0) throw new UserInputError('capture.unknown-format', `not a capture file: a JSON array whose elements are not packet objects; ${ACCEPTED_FORMATS}`);
            throw new JsonShapeError('expected a packet object', mark);
          }
          const packet = parser.parsePacket();
          state = EXPECT_SEPARATOR;
          if (packet === undefined) {
            if (context.packets === 0) throw new UserInputError('capture.unknown-format', `not a capture file: JSON without _source.layers (not a Wireshark/tshark export); ${ACCEPTED_FORMATS}`);
            context.warn(`skipped a JSON element without _source.layers at byte ${parser.offsetOf(mark)}`);
            continue;
          }
          if (packet.frame === 0 || Number.isNaN(packet.frame)) packet.frame = context.packets + 1;
          if (Number.isNaN(packet.timeInMs)) {
            packet.timeInMs = 0;
            if (!warnedMissingTime) context.warn('some packets carry no frame.time_epoch; their time is reported as 0');
            warnedMissingTime = true;
          }
          if (!context.emit(packet)) return;
        }
      }
      retryWhenBuffered = 0;
    } catch (error) {
      if (error === NEED_MORE) {
        parser.position = mark;
        // Parse a large packet again only once the window has doubled, so work stays linear.
        retryWhenBuffered = 2 * (parser.end - mark);
        if (ended) {
          if (state !== DONE) warnEnd(parser, mark, context);
          return;
        }
        continue;
      }
      if (error instanceof JsonShapeError) {
        fail(error.message, error.position);
        return;
      }
      throw error;
    }
    if (ended) {
      if (state !== DONE) warnEnd(parser, mark, context);
      return;
    }
  }
}

/** The warning for an export that stops early: inside a packet object, or between packets. */
function warnEnd(parser: JsonCursor, mark: number, context: ReaderContext): void {
  let position = mark;
  const bytes = parser.bytes;
  while (position < parser.end && (bytes[position] === 0x20 || bytes[position] === 0x0a || bytes[position] === 0x0d || bytes[position] === 0x09)) position++;
  if (position < parser.end && bytes[position] === OPEN_BRACE) context.warnTruncated(parser.offsetOf(position));
  else context.warn(`capture ends at byte ${parser.offsetOf(parser.end)} before the JSON array is closed; ${context.packets} packets read`);
}
