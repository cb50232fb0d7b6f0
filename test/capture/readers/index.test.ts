import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isUserInputError } from '../../../src/domain/errors.js';
import { chunked, collect, comparable, FIXTURES, fixtureBytes, fixtureCases } from './fixtures.js';

const cases = fixtureCases();

describe('readCapture across formats', () => {
  it('has fixtures for every multi-format corpus case', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((fixture) => [fixture.name, fixture] as const))('%s: pcap, Wireshark JSON and EK give the same packets', async (_name, fixture) => {
    const capture = await collect(fixture.capture);
    const json = await collect(fixture.json);
    const ek = await collect(fixture.ek);
    expect(capture.result.format).toBe(fixture.capture.endsWith('.pcapng') ? 'pcapng' : 'pcap');
    expect(json.result.format).toBe('wireshark-json');
    expect(ek.result.format).toBe('tshark-ek');
    for (const read of [capture, json, ek]) expect(read.result.warnings).toEqual([]);
    expect(capture.packets.length).toBeGreaterThan(0);
    expect(json.packets.map(comparable)).toEqual(capture.packets.map(comparable));
    expect(ek.packets.map(comparable)).toEqual(capture.packets.map(comparable));
    // The two exports both carry TLS and DNS: they must agree on them too.
    expect(ek.packets.map((packet) => [packet.tls, packet.dns])).toEqual(json.packets.map((packet) => [packet.tls, packet.dns]));
  });

  it('counts the decompressed bytes of a gzip input', async () => {
    const fixture = cases.find((entry) => entry.name === 'tcp_refused')!;
    const { result } = await collect(fixture.json);
    expect(result.bytes).toBe(fixtureBytes(fixture.json).length);
  });

  it('reads a gzip-compressed pcap and a stream in odd-sized chunks the same as the file', async () => {
    const fixture = cases.find((entry) => entry.name === 'tls_ok')!;
    const plain = await collect(fixture.capture);
    const compressed = await collect(chunked(gzipSync(readFileSync(fixture.capture)), 7));
    const jsonChunked = await collect(chunked(fixtureBytes(fixture.json), 1013));
    const jsonWhole = await collect(`${FIXTURES}tls_ok/tls_ok.json`);
    expect(compressed.packets).toEqual(plain.packets);
    expect(jsonChunked.packets).toEqual(jsonWhole.packets);
    expect(jsonWhole.packets.length).toBe(plain.packets.length);
  });
});

describe('readCapture limits and truncation', () => {
  const tlsOk = cases.find((entry) => entry.name === 'tls_ok')!;

  it('stops with a warning at maxPackets', async () => {
    const { result, packets } = await collect(tlsOk.json, { maxPackets: 3 });
    expect(packets.map((packet) => packet.frame)).toEqual([1, 2, 3]);
    expect(result.warnings).toEqual(['stopped after 3 packets (packet limit); the rest of the capture was not read']);
  });

  it.each([
    ['raw file over maxInputBytes', () => tlsOk.capture, { maxInputBytes: 1000 }],
    ['raw stream over maxInputBytes', () => chunked(readFileSync(tlsOk.capture), 512), { maxInputBytes: 1000 }],
    ['gunzipped bytes over maxDecompressedBytes', () => tlsOk.json, { maxDecompressedBytes: 50_000 }],
  ] as const)('rejects a %s', async (_label, source, options) => {
    const error = await collect(source(), options).catch((caught: unknown) => caught);
    expect(isUserInputError(error) && error.code).toBe('capture.too-large');
    expect((error as Error).message).not.toContain('\n');
  });

  it.each([
    ['pcap', () => readFileSync(tlsOk.capture), 'pcap'],
    ['Wireshark JSON', () => fixtureBytes(tlsOk.json), 'wireshark-json'],
    ['EK', () => fixtureBytes(tlsOk.ek), 'tshark-ek'],
  ] as const)('returns what was read from a %s cut mid-packet, with a warning', async (_label, bytes, format) => {
    const whole = await collect(chunked(bytes(), 4096));
    const cutAt = Math.floor(bytes().length * 0.6);
    const { result, packets } = await collect(chunked(bytes().subarray(0, cutAt), 4096));
    expect(result.format).toBe(format);
    expect(packets.length).toBeGreaterThan(0);
    expect(packets.length).toBeLessThan(whole.packets.length);
    expect(packets).toEqual(whole.packets.slice(0, packets.length));
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(new RegExp(`^capture ends mid-packet at byte \\d+; ${packets.length} packets read$`));
  });

  it('returns what was read from a truncated gzip, with warnings', async () => {
    const compressed = readFileSync(tlsOk.json);
    const { result, packets } = await collect(chunked(compressed.subarray(0, Math.floor(compressed.length / 2)), 4096));
    expect(packets.length).toBeGreaterThan(0);
    expect(result.warnings.some((warning) => warning.startsWith('gzip stream is truncated'))).toBe(true);
    expect(result.warnings.some((warning) => /^capture ends mid-packet at byte \d+; \d+ packets read$/.test(warning))).toBe(true);
  });
});

describe('readCapture on input that is not a capture', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const zip = Buffer.from('504b0304140000000800', 'hex');
  const deep = Buffer.from(`[{"_source":{"layers":{"frame":${'['.repeat(200_000)}${']'.repeat(200_000)}}}}]`);
  it.each([
    ['an empty file', Buffer.alloc(0), 'capture.empty'],
    ['only whitespace', Buffer.from('  \n\t \n'), 'capture.empty'],
    ['binary garbage', Buffer.from('00ff13a7b2c4d5e6f7081920', 'hex'), 'capture.unknown-format'],
    ['a PNG image', png, 'capture.unknown-format'],
    ['a ZIP archive', zip, 'capture.unknown-format'],
    ['gzip of garbage', gzipSync(Buffer.from('hello, this is not a capture')), 'capture.unknown-format'],
    ['corrupt gzip', Buffer.from('1f8b0800000000000003ffffffffffffffffffff', 'hex'), 'capture.bad-gzip'],
    ['a JSON array of numbers', Buffer.from('[1, 2, 3]'), 'capture.unknown-format'],
    ['a JSON array of other objects', Buffer.from('[{"name": "x", "value": 1}]'), 'capture.unknown-format'],
    ['a JSON object that is not EK', Buffer.from('{"hello": "world"}\n'), 'capture.unknown-format'],
    ['malformed JSON', Buffer.from('[{"_index": "x", "_source": {"layers": {"frame": {"frame.number": "1",, }}}}]'), 'capture.malformed'],
    ['malformed EK', Buffer.from('{"index": {"_index": "packets"}}\n{"timestamp": 12, "layers": {oops}}\n'), 'capture.malformed'],
    ['a pcap with an unknown link type', Buffer.from('d4c3b2a1020004000000000000000000ffff0000ff000000', 'hex'), 'capture.unsupported-link-type'],
  ])('rejects %s with one line', async (_label, bytes, code) => {
    const error = await collect(chunked(bytes, 64)).catch((caught: unknown) => caught);
    expect(isUserInputError(error) ? error.code : error).toBe(code);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    if (code === 'capture.unknown-format') expect(message).toMatch(/expected Wireshark\/tshark JSON, tshark EK, pcap or pcapng/);
  });

  it('skips deeply nested JSON without recursion', async () => {
    const { result, packets } = await collect(chunked(deep, 65536));
    expect(result.format).toBe('wireshark-json');
    expect(packets).toHaveLength(1);
  });

  it('names a missing file', async () => {
    const error = await collect(`${FIXTURES}does-not-exist.pcap`).catch((caught: unknown) => caught);
    expect(isUserInputError(error) && error.code).toBe('capture.not-found');
  });
});
