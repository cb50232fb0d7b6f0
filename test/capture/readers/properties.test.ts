import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUserInputError } from '../../../src/domain/errors.js';
import { chunked, collect, FIXTURES, fixtureBytes } from './fixtures.js';

/** Real corpus files, one per reader, small enough to mutate many times. */
const originals: [string, Buffer][] = [
  ['pcap', readFileSync(`${FIXTURES}tls_client_cert_required/tls_client_cert_required.pcap`)],
  ['pcapng', readFileSync(`${FIXTURES}zeek_dns_pcapng_multi_interface/zeek_dns_pcapng_multi_interface.pcapng`)],
  ['Wireshark JSON', fixtureBytes(`${FIXTURES}dns_port_unreachable/dns_port_unreachable.json.gz`)],
  ['tshark EK', fixtureBytes(`${FIXTURES}tcp_refused/tcp_refused.ek.json.gz`)],
];

type Mutation = { kind: 'flip'; at: number; bit: number } | { kind: 'truncate'; at: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'overwrite'; at: number; bytes: Uint8Array };

const mutation = (size: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(size - 1), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(size) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(size), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(size - 1), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  );

function apply(bytes: Buffer, mutations: Mutation[]): Buffer {
  let result = Buffer.from(bytes);
  for (const change of mutations) {
    const at = Math.min(change.at, result.length);
    if (change.kind === 'flip' && at < result.length) result[at] = result[at]! ^ (1 << change.bit);
    else if (change.kind === 'truncate') result = result.subarray(0, at);
    else if (change.kind === 'insert') result = Buffer.concat([result.subarray(0, at), change.bytes, result.subarray(at)]);
    else if (change.kind === 'overwrite') result = Buffer.concat([result.subarray(0, at), change.bytes, result.subarray(at + change.bytes.length)]);
  }
  return result;
}

/** Reads mutated bytes: it must either succeed or fail with a one-line UserInputError. */
async function readsCleanly(bytes: Buffer, chunkSize: number): Promise<void> {
  try {
    const { result, packets } = await collect(chunked(bytes, chunkSize), { maxDecompressedBytes: 64 * 1024 * 1024 });
    expect(result.packets).toBe(packets.length);
    for (const packet of packets) {
      expect(Number.isFinite(packet.timeInMs)).toBe(true);
      expect(typeof packet.frame).toBe('number');
    }
  } catch (error) {
    if (!isUserInputError(error)) throw error;
    expect(error.code).toMatch(/^capture\./);
    expect(error.message).not.toContain('\n');
  }
}

describe('readers on mutated real captures', () => {
  it.each(originals)('%s: bit flips, truncation, inserted garbage never crash or hang', async (_label, original) => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(original.length), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 5000 }), async (mutations, chunkSize) => {
        await readsCleanly(apply(original, mutations), chunkSize);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it.each(originals)('%s: gzip of mutated bytes, and mutated gzip, never crash or hang', async (_label, original) => {
    const compressed = gzipSync(original);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(original.length), { minLength: 1, maxLength: 3 }), fc.array(mutation(compressed.length), { maxLength: 2 }), async (inner, outer) => {
        await readsCleanly(apply(gzipSync(apply(original, inner)), outer), 997);
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it.each(originals)('%s: a prefix gives a prefix of the packets', async (_label, original) => {
    const whole = (await collect(chunked(original, 4096))).packets;
    await fc.assert(
      fc.asyncProperty(fc.nat(original.length), async (cut) => {
        try {
          const { packets } = await collect(chunked(original.subarray(0, cut), 512));
          expect(packets).toEqual(whole.slice(0, packets.length));
        } catch (error) {
          // Too short to recognise (empty, or not yet a format) is the only acceptable failure.
          if (!isUserInputError(error)) throw error;
          expect(cut).toBeLessThan(64);
        }
      }),
      { seed: 3, numRuns: 80 },
    );
  });
});
