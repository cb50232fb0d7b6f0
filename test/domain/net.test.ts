import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyPrefixContains, compareIp, formatIpv4, formatIpv6, formatPrefix, ipv4PrefixContains, ipVersionOf, isPrivateIp, parseIp, parseIpv4, parseIpv4Prefix, parseIpv6,
  parsePrefix, prefixContains, prefixCovers, prefixOf, sameIp,
} from '../../src/domain/net.js';

describe('parseIp', () => {
  it.each([
    ['10.0.0.1', { version: 4, value: 0x0a000001n }],
    ['0.0.0.0', { version: 4, value: 0n }],
    ['255.255.255.255', { version: 4, value: 0xffffffffn }],
    [' 192.168.10.5 ', { version: 4, value: 0xc0a80a05n }],
    ['010.0.0.1', { version: 4, value: 0x0a000001n }],
    ['::', { version: 6, value: 0n }],
    ['::1', { version: 6, value: 1n }],
    ['2001:db8::1', { version: 6, value: 0x20010db8000000000000000000000001n }],
    ['2001:DB8:0:0:0:0:0:1', { version: 6, value: 0x20010db8000000000000000000000001n }],
    ['fe80::1%eth0', { version: 6, value: 0xfe800000000000000000000000000001n }],
    ['64:ff9b::10.0.0.1', { version: 6, value: 0x0064ff9b00000000000000000a000001n }],
    // IPv4-mapped IPv6 is the IPv4 address, in either writing.
    ['::ffff:10.0.0.1', { version: 4, value: 0x0a000001n }],
    ['::ffff:a00:1', { version: 4, value: 0x0a000001n }],
  ])('%s', (text, expected) => {
    expect(parseIp(text)).toEqual(expected);
  });

  it.each([
    ['256.0.0.1'], ['10.0.0'], ['10.0.0.1.2'], ['10.0.0.-1'], ['10.0.0.1000'], ['1e1.0.0.1'], ['0x0a.0.0.1'], ['10. 0.0.1'], [''], ['not-an-ip'],
    ['1::2::3'], [':::'], ['1:2:3:4:5:6:7:8:9'], ['1:2:3:4:5:6:7'], ['12345::'], ['g::1'], ['::ffff:256.0.0.1'], ['10.0.0.0/8'],
  ])('refuses %j', (text) => {
    expect(parseIp(text)).toBeNull();
  });

  it('refuses nothing at all', () => {
    expect(parseIp(null)).toBeNull();
    expect(parseIp(undefined)).toBeNull();
  });

  it('reads dotted quads and IPv6 text on their own', () => {
    expect(parseIpv4('192.168.10.52')).toBe(0xc0a80a34n);
    expect(parseIpv4(' 192.168.10.52')).toBeNull();
    expect(parseIpv4('::ffff:10.0.0.1')).toBeNull();
    expect(parseIpv6('::ffff:10.0.0.1')).toBe(0xffff0a000001n);
    expect(parseIpv6('10.0.0.1')).toBeNull();
  });
});

describe('addresses compared whole', () => {
  it.each([
    ['192.168.10.5', '192.168.10.5', true],
    ['192.168.10.5', '192.168.10.52', false],
    ['192.168.10.52', '192.168.10.5', false],
    ['10.0.0.1', '::ffff:10.0.0.1', true],
    ['2001:db8::1', '2001:0db8:0:0:0:0:0:1', true],
    ['2001:db8::1', '2001:db8::10', false],
    ['::1', '0.0.0.1', false],
    ['10.0.0.1', 'not-an-ip', false],
    ['256.0.0.1', '256.0.0.1', false],
    [null, null, false],
  ])('%s vs %s -> %s', (left, right, expected) => {
    expect(sameIp(left, right)).toBe(expected);
  });

  it('orders IPv4 before IPv6, then by value', () => {
    const sorted = ['2001:db8::1', '192.168.10.52', '::1', '192.168.10.5', '10.0.0.1'].map((text) => parseIp(text)!).sort(compareIp);
    expect(sorted).toEqual(['10.0.0.1', '192.168.10.5', '192.168.10.52', '::1', '2001:db8::1'].map((text) => parseIp(text)));
    expect(compareIp(parseIp('10.0.0.1')!, parseIp('::ffff:10.0.0.1')!)).toBe(0);
  });
});

describe('prefixes', () => {
  it.each([
    ['10.1.2.3/8', { version: 4, network: 0x0a000000n, prefixLength: 8 }],
    ['0.0.0.0/0', { version: 4, network: 0n, prefixLength: 0 }],
    ['52.10.20.30/0', { version: 4, network: 0n, prefixLength: 0 }],
    ['192.168.10.5/32', { version: 4, network: 0xc0a80a05n, prefixLength: 32 }],
    ['192.168.10.5', { version: 4, network: 0xc0a80a05n, prefixLength: 32 }],
    ['::/0', { version: 6, network: 0n, prefixLength: 0 }],
    ['2001:db8::1/128', { version: 6, network: 0x20010db8000000000000000000000001n, prefixLength: 128 }],
    ['2001:db8::1', { version: 6, network: 0x20010db8000000000000000000000001n, prefixLength: 128 }],
    ['2001:db8:ffff::/32', { version: 6, network: 0x20010db8000000000000000000000000n, prefixLength: 32 }],
    // An IPv4-mapped prefix keeps its IPv4 meaning.
    ['::ffff:10.0.0.0/104', { version: 4, network: 0x0a000000n, prefixLength: 8 }],
  ])('%s', (text, expected) => {
    expect(parsePrefix(text)).toEqual(expected);
  });

  it.each([['10.0.0.0/33'], ['10.0.0.0/x'], ['10.0.0.0/'], ['10.0.0.0/8/9'], ['10.0.0/8'], ['::1::2/64'], ['::/129'], ['::ffff:10.0.0.0/95'], ['VirtualNetwork'], [''], [null]])(
    'refuses %j',
    (text) => {
      expect(parsePrefix(text)).toBeNull();
    },
  );

  it.each([
    ['10.201.0.0/16', '10.201.1.4', true],
    ['10.201.0.0/16', '10.202.1.4', false],
    ['0.0.0.0/0', '52.10.20.30', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['::/0', '2001:db8::1', true],
    ['::/0', '10.0.0.1', false],
    ['192.168.10.5/32', '192.168.10.5', true],
    ['192.168.10.5/32', '192.168.10.52', false],
    ['192.168.10.52/32', '192.168.10.5', false],
    ['192.168.10.5', '192.168.10.5', true],
    ['192.168.10.0/24', '192.168.10.52', true],
    ['192.168.10.0/28', '192.168.10.52', false],
    ['2001:db8::1/128', '2001:db8::1', true],
    ['2001:db8::1/128', '2001:db8::10', false],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.1.2.3/8', '10.200.0.1', true],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['10.0.0.0/8', 'not-an-ip', false],
    ['nonsense', '10.0.0.1', false],
  ])('%s contains %s -> %s', (prefix, ip, expected) => {
    expect(prefixContains(prefix, ip)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/8', '10.201.0.0/16', true],
    ['10.201.0.0/16', '10.0.0.0/8', false],
    ['10.201.0.0/16', '10.201.0.0/16', true],
    ['10.201.0.0/16', '10.202.0.0/24', false],
    ['0.0.0.0/0', '192.168.10.52/32', true],
    ['192.168.10.5/32', '192.168.10.52/32', false],
    ['::/0', '2001:db8::/32', true],
    ['::/0', '10.0.0.0/8', false],
    ['2001:db8::/32', '2001:db8::1/128', true],
  ])('%s covers %s -> %s', (outer, inner, expected) => {
    expect(prefixCovers(outer, inner)).toBe(expected);
  });

  it('builds a prefix around an address, masked, only when the length fits the family', () => {
    expect(prefixOf({ version: 4, value: 0xc0a80a34n }, 24)).toEqual({ version: 4, network: 0xc0a80a00n, prefixLength: 24 });
    expect(prefixOf({ version: 4, value: 1n }, 33)).toBeNull();
    expect(prefixOf({ version: 6, value: 1n }, 128)).toEqual({ version: 6, network: 1n, prefixLength: 128 });
    expect(prefixOf({ version: 6, value: 1n }, 8.5)).toBeNull();
  });

  it.each([
    [['10.0.0.0/8', '192.168.0.0/16'], '192.168.10.52', true],
    [['10.0.0.0/8', 'Internet'], '192.168.10.52', false],
    [[], '10.0.0.1', false],
    [['0.0.0.0/0'], null, false],
  ])('any of %j contains %s -> %s', (prefixes, ip, expected) => {
    expect(anyPrefixContains(prefixes, ip)).toBe(expected);
  });

  it.each([['10.1.1.1', true], ['172.31.0.1', true], ['172.32.0.1', false], ['100.64.0.1', true], ['8.8.8.8', false], ['fd00::1', true], ['2001:db8::1', false], ['nope', false]])(
    'private %s -> %s',
    (ip, expected) => {
      expect(isPrivateIp(ip)).toBe(expected);
    },
  );

  it.each([['10.0.0.0/8', 4], ['10.0.0.1', 4], ['::/0', 6], ['::ffff:10.0.0.1', 4], ['AzureCloud', null]])('family of %s -> %s', (text, expected) => {
    expect(ipVersionOf(text)).toBe(expected);
  });
});

describe('IPv4 alone (Network Watcher, KQL ipv4_*)', () => {
  it.each([
    ['10.0.0.0/8', { version: 4, network: 0x0a000000n, prefixLength: 8 }],
    [' 10.1.2.3 / 16 ', { version: 4, network: 0x0a010000n, prefixLength: 16 }],
    ['192.168.10.5', { version: 4, network: 0xc0a80a05n, prefixLength: 32 }],
    ['0.0.0.0/0', { version: 4, network: 0n, prefixLength: 0 }],
    ['10.0.0.0/33', null], ['10.0.0.0/', null], ['10.0.0.0/8/9', null], ['::/0', null], ['::ffff:10.0.0.0/104', null], ['Internet', null],
  ])('%j', (text, expected) => {
    expect(parseIpv4Prefix(text)).toEqual(expected);
  });

  it.each([
    ['10.0.0.0/8', '10.1.2.3', true],
    ['192.168.10.5', '192.168.10.52', false],
    ['192.168.10.5/32', ' 192.168.10.5 ', true],
    ['0.0.0.0/0', '203.0.113.7', true],
    ['10.0.0.0/8', '::ffff:10.1.2.3', null],
    ['10.0.0.0/8', '2001:db8::1', null],
    ['VirtualNetwork', '10.1.2.3', null],
    ['10.0.0.0/8', '', null],
  ])('%s contains %s -> %s', (prefix, address, expected) => {
    expect(ipv4PrefixContains(prefix, address)).toBe(expected);
  });
});

describe('address text of raw bytes', () => {
  it('formats dotted quads', () => {
    expect(formatIpv4(Buffer.from([10, 0, 0, 255]))).toBe('10.0.0.255');
    expect(formatIpv4(Buffer.from([0, 0, 192, 168, 10, 52]), 2)).toBe('192.168.10.52');
  });

  it('prints IPv6 as node:net prints it, for any address', () => {
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
    expect(formatIpv6(Buffer.from(hex, 'hex'))).toBe(text);
    // The text reads back as the same address.
    expect(sameIp(formatIpv6(Buffer.from(hex, 'hex')), text)).toBe(true);
  });
});

describe('formatPrefix', () => {
  it.each([
    ['192.168.10.0/24', '192.168.10.0/24'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fd00:0:0:0::/64', 'fd00::/64'],
    ['2001:db8::/32', '2001:db8::/32'],
  ])('%s prints as %s', (text, expected) => {
    const prefix = parsePrefix(text);
    expect(prefix).not.toBeNull();
    expect(formatPrefix(prefix!)).toBe(expected);
  });

  it('prints the network of an address cut to a length', () => {
    expect(formatPrefix(prefixOf(parseIp('192.168.10.57')!, 24)!)).toBe('192.168.10.0/24');
    expect(formatPrefix(prefixOf(parseIp('fd00::1:2:3:4')!, 64)!)).toBe('fd00::/64');
  });
});
