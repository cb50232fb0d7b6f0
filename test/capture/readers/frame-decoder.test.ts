import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrameAt, LINK_TYPES } from '../../../src/capture/readers/frame-decoder.js';
import { collect, chunked, FIXTURES } from './fixtures.js';

/** The frames of a little-endian microsecond pcap, as captured (Ethernet). */
function pcapFrames(name: string): Buffer[] {
  const bytes = readFileSync(`${FIXTURES}${name}/${name}.pcap`);
  const frames: Buffer[] = [];
  for (let offset = 24; offset + 16 <= bytes.length; ) {
    const length = bytes.readUInt32LE(offset + 8);
    frames.push(bytes.subarray(offset + 16, offset + 16 + length));
    offset += 16 + length;
  }
  return frames;
}

const ethernetFrames = [...pcapFrames('icmp_ping_tcp_refused'), ...pcapFrames('dns_port_unreachable'), ...pcapFrames('zeek_ipv6_smtp_open')];
const ipOf = (frame: Buffer): Buffer => frame.subarray(14);
const etherTypeOf = (frame: Buffer): Buffer => frame.subarray(12, 14);

const wrappers: [string, number, (frame: Buffer) => Buffer][] = [
  ['Linux cooked (SLL)', LINK_TYPES.LINUX_SLL, (frame) => Buffer.concat([Buffer.from('00000001000600000000000000000000', 'hex').fill(etherTypeOf(frame), 14, 16), ipOf(frame)])],
  ['Linux cooked v2 (SLL2)', LINK_TYPES.LINUX_SLL2, (frame) => Buffer.concat([etherTypeOf(frame), Buffer.alloc(18), ipOf(frame)])],
  ['raw IP', LINK_TYPES.RAW, (frame) => Buffer.from(ipOf(frame))],
  ['802.1Q VLAN', LINK_TYPES.ETHERNET, (frame) => Buffer.concat([frame.subarray(0, 12), Buffer.from('81000064', 'hex'), frame.subarray(12)])],
  ['QinQ', LINK_TYPES.ETHERNET, (frame) => Buffer.concat([frame.subarray(0, 12), Buffer.from('88a8000a81000064', 'hex'), frame.subarray(12)])],
  ['BSD loopback', LINK_TYPES.NULL, (frame) => Buffer.concat([Buffer.from(etherTypeOf(frame).readUInt16BE(0) === 0x0800 ? '02000000' : '1e000000', 'hex'), ipOf(frame)])],
];

describe('decodeFrame link layers', () => {
  it.each(wrappers)('%s decodes like the Ethernet original', (_label, linkType, wrap) => {
    for (const [index, frame] of ethernetFrames.entries()) {
      const original = decodeFrame(LINK_TYPES.ETHERNET, frame, index + 1, 0, frame.length);
      expect(original.ip).toBeDefined();
      expect(decodeFrame(linkType, wrap(frame), index + 1, 0, frame.length)).toEqual(original);
    }
  });

  it('reads raw IPv4 and IPv6 link types 228 and 229', () => {
    const v4 = ethernetFrames.find((frame) => frame.readUInt16BE(12) === 0x0800)!;
    const v6 = ethernetFrames.find((frame) => frame.readUInt16BE(12) === 0x86dd)!;
    expect(decodeFrame(LINK_TYPES.IPV4, ipOf(v4), 1, 0, 0).ip).toEqual(decodeFrame(LINK_TYPES.ETHERNET, v4, 1, 0, 0).ip);
    expect(decodeFrame(LINK_TYPES.IPV6, ipOf(v6), 1, 0, 0).ip?.version).toBe(6);
  });
});

describe('decodeFrame network and transport', () => {
  const udp = pcapFrames('dns_port_unreachable')[0]!;
  const tcp6 = pcapFrames('zeek_ipv6_smtp_open').find((frame) => frame.readUInt16BE(12) === 0x86dd && frame[14 + 6] === 6)!;

  it('reads the L4 header only from the first IPv4 fragment', () => {
    const later = Buffer.from(udp);
    later.writeUInt16BE(0x0010, 14 + 6); // fragment offset 16 * 8 bytes
    const decoded = decodeFrame(LINK_TYPES.ETHERNET, later, 1, 0, later.length);
    expect(decoded.ip?.protocol).toBe(17);
    expect(decoded.udp).toBeUndefined();
    expect(decodeFrame(LINK_TYPES.ETHERNET, udp, 1, 0, udp.length).udp).toBeDefined();
  });

  it('walks IPv6 extension headers to the transport header', () => {
    const original = decodeFrame(LINK_TYPES.ETHERNET, tcp6, 1, 0, tcp6.length);
    const ip = Buffer.from(ipOf(tcp6));
    const hopByHop = Buffer.from([ip[6]!, 0, 1, 4, 0, 0, 0, 0]); // next header, length 0 (8 bytes), PadN
    ip[6] = 0;
    ip.writeUInt16BE(ip.readUInt16BE(4) + 8, 4);
    const withExtension = Buffer.concat([tcp6.subarray(0, 14), ip.subarray(0, 40), hopByHop, ip.subarray(40)]);
    expect(decodeFrame(LINK_TYPES.ETHERNET, withExtension, 1, 0, tcp6.length)).toEqual(original);
  });

  it('reads the packet an ICMPv6 error quotes (IPv6 header and ports)', () => {
    const original = decodeFrame(LINK_TYPES.ETHERNET, tcp6, 1, 0, tcp6.length);
    const quotedIp = ipOf(tcp6);
    const icmp = Buffer.concat([Buffer.from([1, 4, 0, 0, 0, 0, 0, 0]), quotedIp]);
    const header = Buffer.from(quotedIp.subarray(0, 40));
    header[6] = 58;
    header.writeUInt16BE(icmp.length, 4);
    const error = decodeFrame(LINK_TYPES.RAW, Buffer.concat([header, icmp]), 1, 0, 0);
    expect(error.icmp).toEqual({ version: 6, type: 1, code: 4, quoted: { src: original.ip!.src, dst: original.ip!.dst, protocol: 6, srcPort: original.tcp!.srcPort, dstPort: original.tcp!.dstPort } });
  });

  it('decodes a frame cut by the snap length as far as it goes, payload limited to the captured bytes', () => {
    const cut = udp.subarray(0, 14 + 20 + 8 + 5);
    const decoded = decodeFrame(LINK_TYPES.ETHERNET, cut, 1, 0, udp.length);
    expect(decoded.udp?.payloadLength).toBe(decodeFrame(LINK_TYPES.ETHERNET, udp, 1, 0, udp.length).udp?.payloadLength);
    expect(decoded.udp?.payload).toHaveLength(5);
    expect(decodeFrame(LINK_TYPES.ETHERNET, udp.subarray(0, 20), 1, 0, udp.length)).toEqual({ frame: 1, timeInMs: 0, length: udp.length });
  });

  it('lends payload bytes as a view of the frame buffer (no copy per packet)', () => {
    const frame = Buffer.from(udp);
    const decoded = decodeFrame(LINK_TYPES.ETHERNET, frame, 1, 0, frame.length);
    expect(decoded.udp!.payload!.buffer).toBe(frame.buffer);
    frame.fill(0, 14 + 20 + 8);
    expect(decoded.udp!.payload!.every((byte) => byte === 0)).toBe(true);
  });

  it('decodes a frame inside a larger buffer like the frame alone', () => {
    const inside = Buffer.concat([Buffer.alloc(37, 0xaa), udp, Buffer.alloc(11, 0xbb)]);
    const alone = decodeFrame(LINK_TYPES.ETHERNET, udp, 1, 0, udp.length);
    const framed = decodeFrameAt(LINK_TYPES.ETHERNET, inside, 37, 37 + udp.length, 1, 0, udp.length);
    expect({ ...framed, udp: { ...framed.udp, payload: Buffer.from(framed.udp!.payload!) } }).toEqual({ ...alone, udp: { ...alone.udp, payload: Buffer.from(alone.udp!.payload!) } });
  });
});

describe('pcap byte orders', () => {
  it('reads a big-endian pcap like its little-endian original', async () => {
    const little = readFileSync(`${FIXTURES}tls_ok/tls_ok.pcap`);
    const big = Buffer.from(little);
    for (const [at, size] of [[0, 4], [4, 2], [6, 2], [8, 4], [12, 4], [16, 4], [20, 4]] as const) swap(big, at, size);
    for (let offset = 24; offset + 16 <= big.length; ) {
      const length = little.readUInt32LE(offset + 8);
      for (let field = 0; field < 4; field++) swap(big, offset + 4 * field, 4);
      offset += 16 + length;
    }
    const expected = await collect(chunked(little, 1000));
    const actual = await collect(chunked(big, 1000));
    expect(actual.packets).toEqual(expected.packets);
    expect(actual.result.warnings).toEqual([]);
  });
});

function swap(bytes: Buffer, at: number, size: number): void {
  bytes.subarray(at, at + size).reverse();
}
