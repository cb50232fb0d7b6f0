/** Shared helpers for the reader tests: fixture paths, collecting packets, chunked streams. */
import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { DecodedPacket } from '../../../src/capture/packet.js';
import { readCapture, type ReadOptions, type ReadResult } from '../../../src/capture/readers/index.js';

/** The reader fixtures: one folder per corpus case (capture, JSON and EK exports). */
export const FIXTURES = fileURLToPath(new URL('../../fixtures/capture/readers/', import.meta.url));

/** Corpus cases with their files, by kind. */
export interface FixtureCase {
  name: string;
  capture: string;
  json: string;
  ek: string;
}

/** Every fixture case. */
export function fixtureCases(): FixtureCase[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const files = readdirSync(`${FIXTURES}${entry.name}`);
      const capture = files.find((file) => /\.pcap(ng)?$/.test(file))!;
      return { name: entry.name, capture: `${FIXTURES}${entry.name}/${capture}`, json: `${FIXTURES}${entry.name}/${entry.name}.json.gz`, ek: `${FIXTURES}${entry.name}/${entry.name}.ek.json.gz` };
    });
}

/** Reads a capture and returns its packets with the result (copies: a reader lends each packet for the sink call only). */
export async function collect(source: string | NodeJS.ReadableStream, options?: ReadOptions): Promise<{ result: ReadResult; packets: DecodedPacket[] }> {
  const packets: DecodedPacket[] = [];
  const result = await readCapture(source, (packet) => packets.push(keep(packet)), options);
  return { result, packets };
}

/** A copy of a lent packet that outlives the sink call: its own objects, its own payload bytes, no absent layers. */
export function keep(packet: DecodedPacket): DecodedPacket {
  const copy: DecodedPacket = { frame: packet.frame, timeInMs: packet.timeInMs, length: packet.length };
  if (packet.ip) copy.ip = { ...packet.ip };
  if (packet.tcp) {
    const { payload, ...tcp } = packet.tcp;
    copy.tcp = payload ? { ...tcp, payload: payload.slice() } : tcp;
  }
  if (packet.udp) {
    const { payload, ...udp } = packet.udp;
    copy.udp = payload ? { ...udp, payload: payload.slice() } : udp;
  }
  if (packet.icmp) copy.icmp = packet.icmp;
  if (packet.tls) copy.tls = packet.tls;
  if (packet.dns) copy.dns = packet.dns;
  return copy;
}

/** The bytes of a fixture, gunzipped when it is compressed. */
export function fixtureBytes(path: string): Buffer {
  const bytes = readFileSync(path);
  return path.endsWith('.gz') ? gunzipSync(bytes) : bytes;
}

/** A stream that hands `bytes` out in chunks of `chunkSize` bytes. */
export function chunked(bytes: Buffer, chunkSize: number): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) chunks.push(bytes.subarray(offset, offset + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

/** A packet without what only some formats carry (payload bytes; TLS, DNS and Wireshark's analysis flags). */
export function comparable(packet: DecodedPacket): DecodedPacket {
  const { tls: _tls, dns: _dns, ...rest } = packet;
  const copy: DecodedPacket = { ...rest };
  if (copy.tcp) {
    const { payload: _payload, analysis: _analysis, ...tcp } = copy.tcp;
    copy.tcp = tcp;
  }
  if (copy.udp) {
    const { payload: _payload, ...udp } = copy.udp;
    copy.udp = udp;
  }
  return copy;
}
