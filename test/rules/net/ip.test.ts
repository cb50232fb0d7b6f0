import { describe, expect, it } from 'vitest';
import { isPrivateIp, parseIp, parsePrefix, prefixContains, prefixCovers, sameIp } from '../../../src/rules/net/ip.js';
import { portInRanges, protocolMatches } from '../../../src/rules/net/ports.js';

describe('addresses compared whole', () => {
  it.each([
    ['192.168.10.5', '192.168.10.5', true],
    ['192.168.10.5', '192.168.10.52', false],
    ['192.168.10.52', '192.168.10.5', false],
    ['10.0.0.1', '::ffff:10.0.0.1', true],
    ['2001:db8::1', '2001:0db8:0:0:0:0:0:1', true],
    ['2001:db8::1', '2001:db8::10', false],
    ['10.0.0.1', 'not-an-ip', false],
    ['256.0.0.1', '256.0.0.1', false],
  ])('%s vs %s -> %s', (left, right, expected) => {
    expect(sameIp(left, right)).toBe(expected);
  });
});

describe('prefixes', () => {
  it.each([
    ['10.201.0.0/16', '10.201.1.4', true],
    ['10.201.0.0/16', '10.202.1.4', false],
    ['0.0.0.0/0', '52.10.20.30', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['192.168.10.5/32', '192.168.10.52', false],
    ['192.168.10.5', '192.168.10.5', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['10.1.2.3/8', '10.200.0.1', true],
  ])('%s contains %s -> %s', (prefix, ip, expected) => {
    expect(prefixContains(prefix, ip)).toBe(expected);
  });

  it.each([
    ['10.0.0.0/8', '10.201.0.0/16', true],
    ['10.201.0.0/16', '10.0.0.0/8', false],
    ['10.201.0.0/16', '10.201.0.0/16', true],
    ['10.201.0.0/16', '10.202.0.0/24', false],
  ])('%s covers %s -> %s', (outer, inner, expected) => {
    expect(prefixCovers(outer, inner)).toBe(expected);
  });

  it.each([['10.0.0.0/33'], ['10.0.0.0/x'], ['10.0.0/8'], ['::1::2/64'], ['']])('rejects malformed %s', (text) => {
    expect(parsePrefix(text)).toBeNull();
  });

  it('masks the network address and keeps the family', () => {
    expect(parsePrefix('10.1.2.3/8')).toEqual({ version: 4, network: 10n << 24n, prefixLength: 8 });
    expect(parseIp('::1')).toEqual({ version: 6, value: 1n });
  });

  it.each([['10.1.1.1', true], ['172.31.0.1', true], ['172.32.0.1', false], ['100.64.0.1', true], ['8.8.8.8', false], ['fd00::1', true]])('private %s -> %s', (ip, expected) => {
    expect(isPrivateIp(ip)).toBe(expected);
  });
});

describe('ports and protocols', () => {
  it.each([
    [['*'], 3389, true],
    [['3389'], 3389, true],
    [['3389'], 338, false],
    [['1000-2000'], 1500, true],
    [['1000-2000'], 2001, false],
    [['80,443'], 443, true],
    [['443'], null, false],
    [['Any'], null, true],
  ] as const)('%j contains %s -> %s', (ranges, port, expected) => {
    expect(portInRanges(ranges, port)).toBe(expected);
  });

  it.each([
    ['*', 'tcp', true], ['Tcp', 'tcp', true], ['UDP', 'tcp', false], ['Any', 'udp', true], ['ICMP', 'icmpv6', true], ['Tcp', 'any', true],
  ] as const)('rule %s matches flow %s -> %s', (rule, flow, expected) => {
    expect(protocolMatches(rule, flow)).toBe(expected);
  });
});
