/**
 * Streaming reader for tshark EK (`tshark -T ek`): newline-delimited JSON, an index line
 * then a document line per packet, keys flattened to `<proto>_<proto>_<field>`, repeated
 * fields as arrays. Lines are parsed one at a time. EK flattens a frame's TLS records
 * into parallel arrays, so records and handshake messages are re-paired here by order
 * (and by length, for several handshake messages in one record).
 */
import { UserInputError } from '../../domain/errors.js';
import { bodilessHandshakeMessage, type DecodedPacket, type DnsMessage, type IcmpMessage, type IpHeader, type TlsMessage } from '../packet.js';
import { epochMilliseconds } from './time.js';
import { ACCEPTED_FORMATS, type ChunkStream, type ReaderContext } from './source.js';

/** Longest line the reader buffers (bounds memory on hostile input). */
const MAX_LINE_BYTES = 32 * 1024 * 1024;
const NEWLINE = 0x0a;
const IPV6_EXTENSION_HEADERS = new Set([0, 43, 44, 51, 60, 135, 139, 140, 253, 254]);

type Layer = Record<string, unknown>;

/** Reads a tshark EK stream and sends every packet to the context. */
export async function readTsharkEk(stream: ChunkStream, context: ReaderContext): Promise<void> {
  let carry: Buffer = Buffer.alloc(0);
  let carryOffset = 0; // absolute offset of carry[0]
  let lineNumber = 0;
  let sawDocument = false;
  for (;;) {
    const chunk = await stream.next();
    if (chunk === null) break;
    let buffer = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    for (let newline = buffer.indexOf(NEWLINE, carry.length); newline >= 0; newline = buffer.indexOf(NEWLINE, start)) {
      lineNumber++;
      const outcome = handleLine(buffer.toString('utf8', start, newline), carryOffset + start, context, sawDocument);
      if (outcome === 'stop') return;
      if (outcome === 'document') sawDocument = true;
      start = newline + 1;
    }
    carryOffset += start;
    buffer = buffer.subarray(start);
    if (buffer.length > MAX_LINE_BYTES) {
      malformed(context, sawDocument, `a line longer than ${MAX_LINE_BYTES} bytes`, carryOffset);
      return;
    }
    // Copy so the carried tail does not pin the whole chunk.
    carry = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
  }
  const rest = carry.toString('utf8').trim();
  if (rest.length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    // The last line stops mid-object: the export was cut off.
    if (!sawDocument && context.packets === 0 && lineNumber === 0) {
      throw new UserInputError('capture.malformed', `not a usable tshark EK export: the first line is not JSON; ${ACCEPTED_FORMATS}`);
    }
    context.warnTruncated(carryOffset);
    return;
  }
  handleParsed(parsed, carryOffset, context, sawDocument);
}

type LineOutcome = 'index' | 'document' | 'blank' | 'stop';

function handleLine(text: string, offset: number, context: ReaderContext, sawDocument: boolean): LineOutcome {
  if (text.trim().length === 0) return 'blank';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    malformed(context, sawDocument, `invalid JSON (${(error as Error).message})`, offset);
    return 'stop';
  }
  return handleParsed(parsed, offset, context, sawDocument);
}

function handleParsed(parsed: unknown, offset: number, context: ReaderContext, sawDocument: boolean): LineOutcome {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    malformed(context, sawDocument, 'a line that is not a JSON object', offset);
    return 'stop';
  }
  const record = parsed as Record<string, unknown>;
  if ('index' in record && !('layers' in record)) return 'index';
  const layers = record['layers'];
  if (typeof layers !== 'object' || layers === null || Array.isArray(layers)) {
    if (!sawDocument && context.packets === 0) {
      throw new UserInputError('capture.unknown-format', `not a capture file: JSON objects without "layers" (not a tshark EK export); ${ACCEPTED_FORMATS}`);
    }
    context.warn(`skipped an EK line without layers at byte ${offset}`);
    return 'blank';
  }
  const packet = ekPacket(layers as Record<string, unknown>, record['timestamp'], context.packets + 1);
  if (!context.emit(packet)) return 'stop';
  return 'document';
}

function malformed(context: ReaderContext, sawDocument: boolean, what: string, offset: number): void {
  if (!sawDocument && context.packets === 0) {
    throw new UserInputError('capture.malformed', `not a usable tshark EK export: ${what} at byte ${offset}; ${ACCEPTED_FORMATS}`);
  }
  context.warn(`capture is malformed at byte ${offset} (${what}); ${context.packets} packets read`);
}

/** All values of a field: EK writes one value bare and repeated values as an array. */
function all(layer: Layer | undefined, key: string): unknown[] {
  if (layer === undefined || !(key in layer)) return [];
  const value = layer[key];
  return Array.isArray(value) ? value : [value];
}

function first(layer: Layer | undefined, key: string): unknown {
  return all(layer, key)[0];
}

/** A field as a number: decimal or 0x-hex strings, numbers, booleans. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string' || value.length === 0) return Number.NaN;
  if (/^0[xX][0-9a-fA-F]+$/.test(value)) return Number.parseInt(value.slice(2), 16);
  if (/^[0-9]+$/.test(value)) return Number(value);
  return Number.NaN;
}

function numberField(layer: Layer | undefined, key: string): number {
  return toNumber(first(layer, key));
}

function textField(layer: Layer | undefined, key: string): string | undefined {
  const value = first(layer, key);
  return typeof value === 'string' ? value : undefined;
}

function layerObject(value: unknown): Layer | undefined {
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'object' && value !== null ? (value as Layer) : undefined;
}

/** "seconds.fraction" as exact epoch milliseconds, the same arithmetic as the other readers. */
function epochText(text: string): number | undefined {
  const match = /^(\d+)(?:\.(\d{1,9})\d*)?$/.exec(text);
  if (match === null) return undefined;
  const nanoseconds = match[2] === undefined ? 0 : Number(match[2].padEnd(9, '0'));
  return epochMilliseconds(Number(match[1]), nanoseconds);
}

function ekPacket(layers: Record<string, unknown>, timestamp: unknown, fallbackFrame: number): DecodedPacket {
  const frameLayer = layerObject(layers['frame']);
  const frameNumber = numberField(frameLayer, 'frame_frame_number');
  const epoch = textField(frameLayer, 'frame_frame_time_epoch');
  let timeInMs = epoch === undefined ? undefined : epochText(epoch);
  if (timeInMs === undefined) {
    const milliseconds = toNumber(timestamp);
    timeInMs = Number.isNaN(milliseconds) ? 0 : milliseconds;
  }
  const packet: DecodedPacket = {
    frame: Number.isNaN(frameNumber) ? fallbackFrame : frameNumber,
    timeInMs,
    length: numberField(frameLayer, 'frame_frame_len'),
  };
  const ip = ipHeader(layerObject(layers['ip']), layerObject(layers['ipv6']));
  if (ip !== undefined) packet.ip = ip;
  const tcp = layerObject(layers['tcp']);
  const udp = layerObject(layers['udp']);
  const icmpLayer = layerObject(layers['icmp']) ?? layerObject(layers['icmpv6']);
  if (tcp !== undefined) {
    const seqRaw = numberField(tcp, 'tcp_tcp_seq_raw');
    const ackRaw = numberField(tcp, 'tcp_tcp_ack_raw');
    const windowValue = numberField(tcp, 'tcp_tcp_window_size_value');
    packet.tcp = {
      srcPort: numberField(tcp, 'tcp_tcp_srcport'),
      dstPort: numberField(tcp, 'tcp_tcp_dstport'),
      seq: Number.isNaN(seqRaw) ? numberField(tcp, 'tcp_tcp_seq') : seqRaw,
      ack: Number.isNaN(ackRaw) ? numberField(tcp, 'tcp_tcp_ack') : ackRaw,
      flags: numberField(tcp, 'tcp_tcp_flags'),
      window: Number.isNaN(windowValue) ? numberField(tcp, 'tcp_tcp_window_size') : windowValue,
      payloadLength: numberField(tcp, 'tcp_tcp_len'),
    };
    // Expert markers sit in `_ws_expert` objects, which may repeat as keys: look at the raw layer text.
    const text = JSON.stringify(tcp);
    const retransmission = /"tcp_tcp_analysis_(?:fast_|spurious_)?retransmission"/.test(text);
    const zeroWindow = text.includes('"tcp_tcp_analysis_zero_window"');
    if (retransmission || zeroWindow) packet.tcp.analysis = { retransmission, zeroWindow };
  } else if (udp !== undefined) {
    packet.udp = {
      srcPort: numberField(udp, 'udp_udp_srcport'),
      dstPort: numberField(udp, 'udp_udp_dstport'),
      payloadLength: Math.max(0, numberField(udp, 'udp_udp_length') - 8),
    };
  } else if (icmpLayer !== undefined) {
    packet.icmp = icmpMessage(icmpLayer, layers['icmp'] !== undefined ? 4 : 6);
  }
  if (packet.ip?.version === 6 && IPV6_EXTENSION_HEADERS.has(packet.ip.protocol)) {
    if (packet.tcp !== undefined) packet.ip.protocol = 6;
    else if (packet.udp !== undefined) packet.ip.protocol = 17;
    else if (packet.icmp !== undefined) packet.ip.protocol = 58;
  }
  const quotesAnotherPacket = packet.icmp?.quoted !== undefined;
  const dnsLayer = layerObject(layers['dns']);
  if (dnsLayer !== undefined && !quotesAnotherPacket) packet.dns = dnsMessage(dnsLayer);
  const tlsLayers = all(layers, 'tls').filter((value): value is Layer => typeof value === 'object' && value !== null);
  if (tlsLayers.length > 0 && !quotesAnotherPacket) {
    const messages = tlsLayers.flatMap(tlsMessages);
    if (messages.length > 0) packet.tls = messages;
  }
  return packet;
}

function ipHeader(ip: Layer | undefined, ipv6: Layer | undefined): IpHeader | undefined {
  if (ip !== undefined) {
    return { version: 4, src: textField(ip, 'ip_ip_src') ?? '', dst: textField(ip, 'ip_ip_dst') ?? '', protocol: numberField(ip, 'ip_ip_proto') };
  }
  if (ipv6 !== undefined) {
    return { version: 6, src: textField(ipv6, 'ipv6_ipv6_src') ?? '', dst: textField(ipv6, 'ipv6_ipv6_dst') ?? '', protocol: numberField(ipv6, 'ipv6_ipv6_nxt') };
  }
  return undefined;
}

function icmpMessage(layer: Layer, version: 4 | 6): IcmpMessage {
  const prefix = version === 4 ? 'icmp_icmp_' : 'icmpv6_icmpv6_';
  const icmp: IcmpMessage = { version, type: numberField(layer, `${prefix}type`), code: numberField(layer, `${prefix}code`) };
  const identifier = numberField(layer, version === 4 ? 'icmp_icmp_ident' : 'icmpv6_icmpv6_echo_identifier');
  if (!Number.isNaN(identifier)) icmp.identifier = identifier;
  const inner = ipHeader(layerObject(layer['ip']), layerObject(layer['ipv6']));
  if (inner !== undefined) {
    const quoted: IcmpMessage['quoted'] = { src: inner.src, dst: inner.dst, protocol: inner.protocol };
    const tcp = layerObject(layer['tcp']);
    const udp = layerObject(layer['udp']);
    if (tcp !== undefined) {
      quoted.srcPort = numberField(tcp, 'tcp_tcp_srcport');
      quoted.dstPort = numberField(tcp, 'tcp_tcp_dstport');
    } else if (udp !== undefined) {
      quoted.srcPort = numberField(udp, 'udp_udp_srcport');
      quoted.dstPort = numberField(udp, 'udp_udp_dstport');
    }
    icmp.quoted = quoted;
  }
  return icmp;
}

function dnsMessage(layer: Layer): DnsMessage {
  const flags = numberField(layer, 'dns_dns_flags');
  const names = all(layer, 'dns_dns_qry_name');
  const types = all(layer, 'dns_dns_qry_type');
  const questions = names.map((name, index) => ({ name: String(name), type: toNumber(types[index]) }));
  // Answer data fields are listed per kind; resource names and types cover every section in order.
  const answerCount = numberField(layer, 'dns_dns_count_answers');
  const responseNames = all(layer, 'dns_dns_resp_name');
  const responseTypes = all(layer, 'dns_dns_resp_type').map(toNumber);
  const data = { 1: all(layer, 'dns_dns_a'), 28: all(layer, 'dns_dns_aaaa'), 5: all(layer, 'dns_dns_cname') } as Record<number, unknown[]>;
  const used: Record<number, number> = { 1: 0, 28: 0, 5: 0 };
  const answers: DnsMessage['answers'] = [];
  for (let index = 0; index < Math.min(Number.isNaN(answerCount) ? responseNames.length : answerCount, responseNames.length); index++) {
    const type = responseTypes[index]!;
    const values = data[type];
    if (values === undefined) continue;
    const value = values[used[type]!++];
    if (value !== undefined) answers.push({ name: String(responseNames[index]), type, data: String(value) });
  }
  return { id: Number.isNaN(flags) ? 0 : numberField(layer, 'dns_dns_id'), response: (flags & 0x8000) !== 0, rcode: flags & 0x000f, questions, answers };
}

/**
 * Rebuilds the TLS messages of one tls layer. Records are the `tls_tls_record_*` arrays;
 * handshake messages (`tls_tls_handshake` markers) are assigned to handshake records in
 * order, several to one record while their lengths (+4 header bytes) fit in it. A marker
 * without a type is an encrypted handshake message: it takes a record and yields nothing.
 */
function tlsMessages(layer: Layer): TlsMessage[] {
  const contentTypes = all(layer, 'tls_tls_record_content_type').map(toNumber);
  const opaqueTypes = all(layer, 'tls_tls_record_opaque_type').map(toNumber);
  const recordLengths = all(layer, 'tls_tls_record_length').map(toNumber);
  const recordCount = all(layer, 'tls_tls_record').length;
  const handshakeMarkers = all(layer, 'tls_tls_handshake').length;
  const handshakeTypes = all(layer, 'tls_tls_handshake_type').map(toNumber);
  const handshakeLengths = all(layer, 'tls_tls_handshake_length').map(toNumber);
  const versions = all(layer, 'tls_tls_handshake_version').map(toNumber);
  const cipherSuites = all(layer, 'tls_tls_handshake_ciphersuite').map(toNumber);
  const supportedVersions = all(layer, 'tls_tls_handshake_extensions_supported_version').map(toNumber);
  const certificates = all(layer, 'tls_tls_handshake_certificate').map((value) => hexBytes(String(value)));
  const certificateListLengths = all(layer, 'tls_tls_handshake_certificates_length').map(toNumber);
  const certificateLengths = all(layer, 'tls_tls_handshake_certificate_length').map(toNumber);
  const alertLevels = all(layer, 'tls_tls_alert_message_level').map(toNumber);
  const alertDescriptions = all(layer, 'tls_tls_alert_message_desc').map(toNumber);
  const serverName = textField(layer, 'tls_tls_handshake_extensions_server_name') ?? null;
  const messages: TlsMessage[] = [];
  let contentIndex = 0;
  let handshakeIndex = 0; // next typed handshake message
  let markerIndex = 0; // next handshake marker (typed or encrypted)
  let versionIndex = 0;
  let certificateIndex = 0;
  let certificateListIndex = 0;
  let alertIndex = 0;
  let helloSeen = false;
  for (let record = 0; record < Math.max(recordCount, contentTypes.length + opaqueTypes.length); record++) {
    // TLS 1.3 protected records carry only an opaque type (23), after the plaintext ones.
    const contentType = contentIndex < contentTypes.length ? contentTypes[contentIndex++]! : 23;
    if (contentType === 20) messages.push({ type: 'change_cipher_spec' });
    else if (contentType === 23) messages.push({ type: 'application_data' });
    else if (contentType === 21) {
      if (alertIndex < alertDescriptions.length) {
        messages.push({ type: 'alert', level: alertLevels[alertIndex] ?? -1, description: alertDescriptions[alertIndex]! });
        alertIndex++;
      } else messages.push({ type: 'encrypted_alert' });
    } else if (contentType === 22) {
      let room = recordLengths[record] ?? Number.POSITIVE_INFINITY;
      const typedLeft = handshakeTypes.length - handshakeIndex;
      const markersLeft = handshakeMarkers - markerIndex;
      if (typedLeft <= 0 || markersLeft > typedLeft && isEncryptedSlot(contentTypes, record, contentIndex)) {
        markerIndex++;
        continue;
      }
      do {
        const type = handshakeTypes[handshakeIndex]!;
        const length = handshakeLengths[handshakeIndex] ?? 0;
        handshakeIndex++;
        markerIndex++;
        room -= length + 4;
        if (type === 1 || type === 2) {
          const version = versions[versionIndex++] ?? -1;
          if (type === 1) {
            messages.push({ type: 'client_hello', serverName, legacyVersion: version, supportedVersions: helloSeen ? [] : supportedVersions, cipherSuites: helloSeen ? [] : cipherSuites });
          } else {
            messages.push({ type: 'server_hello', legacyVersion: version, selectedVersion: supportedVersions[0] ?? null, cipherSuite: cipherSuites[0] ?? null });
          }
          helloSeen = true;
        } else if (type === 11) {
          const listLength = certificateListLengths[certificateListIndex++] ?? 0;
          const chain: Uint8Array[] = [];
          for (let consumed = 0; consumed < listLength && certificateIndex < certificates.length; certificateIndex++) {
            chain.push(certificates[certificateIndex]!);
            consumed += (certificateLengths[certificateIndex] ?? listLength) + 3;
          }
          messages.push({ type: 'certificate', certificates: chain });
        } else messages.push(bodilessHandshakeMessage(type));
      } while (room > 0 && handshakeIndex < handshakeTypes.length);
    }
  }
  return messages;
}

/** A handshake record after a ChangeCipherSpec in the same layer is the encrypted Finished. */
function isEncryptedSlot(contentTypes: number[], record: number, _contentIndex: number): boolean {
  return contentTypes.slice(0, record).includes(20);
}


function hexBytes(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  const bytes = new Uint8Array((text.length + 1) / 3);
  for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(text.slice(index * 3, index * 3 + 2), 16);
  return bytes;
}
