import { describe, expect, it } from 'vitest';
import { portInRanges, protocolMatches } from '../../../src/rules/net/ports.js';

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
