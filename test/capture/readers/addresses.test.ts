import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochMilliseconds, formatIpv4, formatIpv6 } from '../../../src/capture/readers/addresses.js';

describe('formatIpv6', () => {
  it('prints what node:net prints, for any address', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(16);
        groups.forEach((value, index) => {
          bytes[2 * index] = value >> 8;
          bytes[2 * index + 1] = value & 0xff;
        });
        const text = groups.map((value) => value.toString(16)).join(':');
        expect(formatIpv6(bytes, 0)).toBe(new SocketAddress({ address: text, family: 'ipv6' }).address);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it.each([
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000000000000000', '::'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['00000000000000000000ffff0a000004', '::ffff:10.0.0.4'],
  ])('%s -> %s', (hex, text) => {
    expect(formatIpv6(Buffer.from(hex, 'hex'), 0)).toBe(text);
  });
});

describe('formatIpv4 and epochMilliseconds', () => {
  it('formats dotted quads', () => {
    expect(formatIpv4(Buffer.from([10, 0, 0, 255]), 0)).toBe('10.0.0.255');
  });

  it.each([
    [1795700010, 746_870_000, 1795700010746.87],
    [1700000000, 0, 1700000000000],
    [1700000000, 999_999_999, 1700000000999 + 0.999999],
  ])('%i s + %i ns -> %d ms', (seconds, nanoseconds, expected) => {
    expect(epochMilliseconds(seconds, nanoseconds)).toBe(expected);
  });
});
