/**
 * Decodes one captured frame (pcap / pcapng packet data) into a DecodedPacket:
 * link layer (Ethernet with 802.1Q/QinQ, Linux SLL/SLL2, raw IP, BSD loopback),
 * IPv4 (options, fragments), IPv6 (extension headers), TCP, UDP, ICMP and ICMPv6
 * (including the packet an error message quotes). Every read is bounds-checked:
 * a frame cut short by the snap length decodes as far as its bytes go.
 */
import type { DecodedPacket, IcmpMessage, IpHeader, QuotedPacket, TcpHeader, UdpHeader } from '../packet.js';
import { formatIpv4, formatIpv6 } from '../../domain/net.js';

/** Link-layer header types (tcpdump.org/linktypes.html) the decoder understands. */
export const LINK_TYPES = {
  NULL: 0,
  ETHERNET: 1,
  RAW_BSD: 12,
  RAW_OPENBSD: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;

const PROTOCOL_ICMP = 1;
const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;
const PROTOCOL_ICMPV6 = 58;

/** True when the decoder knows this link type. */
export function isSupportedLinkType(linkType: number): boolean {
  return (Object.values(LINK_TYPES) as number[]).includes(linkType);
}

function read16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function read32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) >>> 0) + ((bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!);
}

/** The objects one decode fills in: fresh for decodeFrame, the same frame after frame in a FrameDecoder. */
interface Parts {
  packet: DecodedPacket;
  ip: IpHeader;
  tcp: TcpHeader;
  udp: UdpHeader;
}

function freshParts(): Parts {
  return {
    packet: { frame: 0, timeInMs: 0, length: 0, ip: undefined, tcp: undefined, udp: undefined, icmp: undefined },
    ip: { version: 4, src: '', dst: '', protocol: 0 },
    tcp: { srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, payloadLength: 0, payload: undefined },
    udp: { srcPort: 0, dstPort: 0, payloadLength: 0, payload: undefined },
  };
}

/**
 * Decodes frame after frame into one packet object (and one of each header), so a read
 * allocates almost nothing per frame: the packet a call returns is valid until the next
 * call, which is what a PacketSink is promised.
 */
export class FrameDecoder {
  private readonly parts = freshParts();

  /** Decodes the frame held in `bytes[start, end)`; the payloads are views of `bytes`. */
  decode(linkType: number, bytes: Uint8Array, start: number, end: number, frame: number, timeInMs: number, length: number): DecodedPacket {
    return decodeInto(this.parts, linkType, bytes, start, end, frame, timeInMs, length);
  }
}

/** Decodes a frame into a new packet. `data` holds the captured bytes; the payloads are views of it. */
export function decodeFrame(linkType: number, data: Uint8Array, frame: number, timeInMs: number, length: number): DecodedPacket {
  return decodeInto(freshParts(), linkType, data, 0, data.length, frame, timeInMs, length);
}

/** Decodes the frame held in `bytes[start, end)` into a new packet; the payloads are views of `bytes`. */
export function decodeFrameAt(linkType: number, bytes: Uint8Array, start: number, end: number, frame: number, timeInMs: number, length: number): DecodedPacket {
  return decodeInto(freshParts(), linkType, bytes, start, end, frame, timeInMs, length);
}

function decodeInto(parts: Parts, linkType: number, bytes: Uint8Array, start: number, end: number, frame: number, timeInMs: number, length: number): DecodedPacket {
  const packet = parts.packet;
  packet.frame = frame;
  packet.timeInMs = timeInMs;
  packet.length = length;
  packet.ip = undefined;
  packet.tcp = undefined;
  packet.udp = undefined;
  packet.icmp = undefined;
  const offset = networkLayerStart(linkType, bytes, start, end);
  if (offset < 0) return packet;
  if (networkEtherType === ETHERTYPE_IPV4) decodeIpv4(bytes, offset, end, parts);
  else if (networkEtherType === ETHERTYPE_IPV6) decodeIpv6(bytes, offset, end, parts);
  return packet;
}

/** The EtherType networkLayerStart found (a module variable: no object per frame). */
let networkEtherType = 0;

/** Finds where the IP header starts (-1: not IP) and sets `networkEtherType`. */
function networkLayerStart(linkType: number, data: Uint8Array, start: number, end: number): number {
  const length = end - start;
  switch (linkType) {
    case LINK_TYPES.ETHERNET: {
      if (length < 14) return -1;
      let etherType = read16(data, start + 12);
      let offset = start + 14;
      while ((etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD) && offset + 4 <= end) {
        etherType = read16(data, offset + 2);
        offset += 4;
      }
      networkEtherType = etherType;
      return offset;
    }
    case LINK_TYPES.LINUX_SLL:
      if (length < 16) return -1;
      networkEtherType = read16(data, start + 14);
      return start + 16;
    case LINK_TYPES.LINUX_SLL2:
      if (length < 20) return -1;
      networkEtherType = read16(data, start);
      return start + 20;
    case LINK_TYPES.RAW:
    case LINK_TYPES.RAW_BSD:
    case LINK_TYPES.RAW_OPENBSD:
      return rawIp(data, start, end);
    case LINK_TYPES.IPV4:
      networkEtherType = ETHERTYPE_IPV4;
      return start;
    case LINK_TYPES.IPV6:
      networkEtherType = ETHERTYPE_IPV6;
      return start;
    case LINK_TYPES.NULL:
    case LINK_TYPES.LOOP: {
      if (length < 4) return -1;
      // The BSD loopback header is the address family in the capturing host's byte order
      // (network order for LOOP): accept either order, the values cannot collide.
      const bigEndian = read32(data, start);
      const littleEndian = data[start]! | (data[start + 1]! << 8) | (data[start + 2]! << 16) | (data[start + 3]! << 24);
      const family = bigEndian <= 0xffff ? bigEndian : littleEndian;
      if (family === 2) networkEtherType = ETHERTYPE_IPV4;
      else if (family === 24 || family === 28 || family === 30 || family === 10) networkEtherType = ETHERTYPE_IPV6;
      else return -1;
      return start + 4;
    }
    default:
      return -1;
  }
}

function rawIp(data: Uint8Array, offset: number, end: number): number {
  if (end <= offset) return -1;
  const version = data[offset]! >> 4;
  if (version === 4) networkEtherType = ETHERTYPE_IPV4;
  else if (version === 6) networkEtherType = ETHERTYPE_IPV6;
  else return -1;
  return offset;
}

function decodeIpv4(data: Uint8Array, offset: number, limit: number, parts: Parts): void {
  if (offset + 20 > limit || data[offset]! >> 4 !== 4) return;
  const headerLength = (data[offset]! & 0x0f) * 4;
  const totalLength = read16(data, offset + 2);
  const protocol = data[offset + 9]!;
  const fragmentOffset = read16(data, offset + 6) & 0x1fff;
  const ip = parts.ip;
  ip.version = 4;
  ip.src = cachedIpv4(data, offset + 12);
  ip.dst = cachedIpv4(data, offset + 16);
  ip.protocol = protocol;
  parts.packet.ip = ip;
  if (headerLength < 20 || fragmentOffset !== 0) return; // only the first fragment carries the L4 header
  // Segmentation offload can leave total length 0: then the captured bytes are all we know.
  const ipEnd = totalLength >= headerLength ? offset + totalLength : offset + (limit - offset);
  decodeTransport(data, protocol, offset + headerLength, Math.min(limit, ipEnd), ipEnd, parts);
}

const IPV6_EXTENSION_HEADERS = new Set([0, 43, 60, 135, 139, 140, 253, 254]);

function decodeIpv6(data: Uint8Array, offset: number, limit: number, parts: Parts): void {
  if (offset + 40 > limit || data[offset]! >> 4 !== 6) return;
  const payloadLength = read16(data, offset + 4);
  const walk = walkIpv6Extensions(data, offset, limit);
  const ip = parts.ip;
  ip.version = 6;
  ip.src = formatIpv6(data, offset + 8);
  ip.dst = formatIpv6(data, offset + 24);
  ip.protocol = walk.protocol;
  parts.packet.ip = ip;
  if (walk.transportOffset === undefined) return;
  const ipEnd = payloadLength === 0 ? limit : offset + 40 + payloadLength; // 0: jumbogram or offload
  decodeTransport(data, walk.protocol, walk.transportOffset, Math.min(limit, ipEnd), ipEnd, parts);
}

/** Walks IPv6 extension headers; `transportOffset` is undefined when the L4 header is not in this packet. */
function walkIpv6Extensions(data: Uint8Array, offset: number, limit: number): { protocol: number; transportOffset: number | undefined } {
  let next = data[offset + 6]!;
  let position = offset + 40;
  for (let count = 0; count < 16; count++) {
    if (IPV6_EXTENSION_HEADERS.has(next)) {
      if (position + 2 > limit) return { protocol: next, transportOffset: undefined };
      const following = data[position]!;
      position += (data[position + 1]! + 1) * 8;
      next = following;
    } else if (next === 44) {
      // Fragment header: only the first fragment (offset 0) carries the L4 header.
      if (position + 8 > limit) return { protocol: next, transportOffset: undefined };
      const following = data[position]!;
      const fragmentOffset = read16(data, position + 2) >> 3;
      position += 8;
      next = following;
      if (fragmentOffset !== 0) return { protocol: next, transportOffset: undefined };
    } else if (next === 51) {
      if (position + 2 > limit) return { protocol: next, transportOffset: undefined };
      const following = data[position]!;
      position += (data[position + 1]! + 2) * 4;
      next = following;
    } else {
      return { protocol: next, transportOffset: position <= limit ? position : undefined };
    }
  }
  return { protocol: next, transportOffset: undefined };
}

/**
 * Decodes TCP/UDP/ICMP/ICMPv6 starting at `offset`. `capturedEnd` bounds the bytes we
 * have, `wireEnd` the IP datagram as sent (for lengths on the wire).
 */
function decodeTransport(data: Uint8Array, protocol: number, offset: number, capturedEnd: number, wireEnd: number, parts: Parts): void {
  const packet = parts.packet;
  if (protocol === PROTOCOL_TCP) {
    if (offset + 20 > capturedEnd) return;
    const dataOffset = (data[offset + 12]! >> 4) * 4;
    const payloadStart = offset + Math.max(20, dataOffset);
    const tcp = parts.tcp;
    tcp.srcPort = read16(data, offset);
    tcp.dstPort = read16(data, offset + 2);
    tcp.seq = read32(data, offset + 4);
    tcp.ack = read32(data, offset + 8);
    tcp.flags = ((data[offset + 12]! & 0x0f) << 8) | data[offset + 13]!;
    tcp.window = read16(data, offset + 14);
    tcp.payloadLength = Math.max(0, wireEnd - payloadStart);
    tcp.payload = payloadStart < capturedEnd ? view(data, payloadStart, capturedEnd) : undefined;
    packet.tcp = tcp;
  } else if (protocol === PROTOCOL_UDP) {
    if (offset + 8 > capturedEnd) return;
    const udpLength = read16(data, offset + 4);
    const udp = parts.udp;
    udp.srcPort = read16(data, offset);
    udp.dstPort = read16(data, offset + 2);
    udp.payloadLength = Math.max(0, udpLength - 8);
    const payloadEnd = Math.min(capturedEnd, udpLength >= 8 ? offset + udpLength : capturedEnd);
    udp.payload = offset + 8 < payloadEnd ? view(data, offset + 8, payloadEnd) : undefined;
    packet.udp = udp;
  } else if (protocol === PROTOCOL_ICMP || protocol === PROTOCOL_ICMPV6) {
    if (offset + 4 > capturedEnd) return;
    const version: 4 | 6 = protocol === PROTOCOL_ICMP ? 4 : 6;
    const type = data[offset]!;
    const icmp: IcmpMessage = { version, type, code: data[offset + 1]! };
    if (isEcho(version, type) && offset + 6 <= capturedEnd) icmp.identifier = read16(data, offset + 4);
    if (isError(version, type)) {
      const quoted = decodeQuoted(data, offset + 8, capturedEnd, version);
      if (quoted !== undefined) icmp.quoted = quoted;
    }
    packet.icmp = icmp;
  }
}

/** A view of `data` (a plain Uint8Array: Buffer#subarray is slower and the consumer needs no Buffer). */
function view(data: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset + start, end - start);
}

/**
 * IPv4 text by address, direct-mapped: a capture's packets mostly repeat a few addresses,
 * so most frames reuse a string instead of formatting two (and the analysis then compares
 * identical strings). Bounded: a colliding address replaces the entry.
 */
const IPV4_CACHE_SIZE = 4096;
const ipv4CacheKeys = new Float64Array(IPV4_CACHE_SIZE).fill(-1);
const ipv4CacheTexts: string[] = new Array<string>(IPV4_CACHE_SIZE).fill('');

function cachedIpv4(data: Uint8Array, offset: number): string {
  const address = read32(data, offset);
  const slot = (address ^ (address >>> 12) ^ (address >>> 24)) & (IPV4_CACHE_SIZE - 1);
  if (ipv4CacheKeys[slot] === address) return ipv4CacheTexts[slot]!;
  const text = formatIpv4(data, offset);
  ipv4CacheKeys[slot] = address;
  ipv4CacheTexts[slot] = text;
  return text;
}

function isEcho(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 0 || type === 8 : type === 128 || type === 129;
}

/** ICMP error types that quote the offending packet. */
function isError(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 3 || type === 4 || type === 5 || type === 11 || type === 12 : type >= 1 && type <= 4;
}

/** Reads the IP header (and ports) an ICMP error quotes. */
function decodeQuoted(data: Uint8Array, offset: number, limit: number, version: 4 | 6): QuotedPacket | undefined {
  let quoted: QuotedPacket;
  let transportOffset: number | undefined;
  if (version === 4) {
    if (offset + 20 > limit || data[offset]! >> 4 !== 4) return undefined;
    const headerLength = (data[offset]! & 0x0f) * 4;
    quoted = { src: formatIpv4(data, offset + 12), dst: formatIpv4(data, offset + 16), protocol: data[offset + 9]! };
    const fragmentOffset = read16(data, offset + 6) & 0x1fff;
    transportOffset = headerLength >= 20 && fragmentOffset === 0 ? offset + headerLength : undefined;
  } else {
    if (offset + 40 > limit || data[offset]! >> 4 !== 6) return undefined;
    const walk = walkIpv6Extensions(data, offset, limit);
    quoted = { src: formatIpv6(data, offset + 8), dst: formatIpv6(data, offset + 24), protocol: walk.protocol };
    transportOffset = walk.transportOffset;
  }
  if (transportOffset !== undefined && (quoted.protocol === PROTOCOL_TCP || quoted.protocol === PROTOCOL_UDP) && transportOffset + 4 <= limit) {
    quoted.srcPort = read16(data, transportOffset);
    quoted.dstPort = read16(data, transportOffset + 2);
  }
  return quoted;
}
