/**
 * `no_packets_from_source` and the site's other hosts: the finding counts them, names one row and
 * cites them; says so when none appears (the whole site may be cut off); says the site could not be
 * checked when its query failed; and keeps medium confidence in every case (see the rule's doc).
 */
import { describe, expect, it } from 'vitest';
import type { Gap } from '../../src/domain/index.js';
import { decide, RULES, SITE_ACTIVITY_SOURCE, SITE_HOSTS_PER_SOURCE, ownBlock, sitePrefix, type RuleInput } from '../../src/rules/index.js';
import { IP, estate, firewallLog, flowLog, freshness, input } from './builder.js';

const covered = [freshness('AZFWNetworkRule', '2026-11-12T17:00:00Z'), freshness('NTANetAnalytics', '2026-11-12T16:00:00Z')];
const rule = RULES.find((candidate) => candidate.name === 'no-packets-from-source')!;
const siteGap: Gap = { source: SITE_ACTIVITY_SOURCE, reason: 'timeout', detail: 'no answer within 10000 ms' };
const neighbours = Array.from({ length: SITE_HOSTS_PER_SOURCE }, (_unused, index) => firewallLog({ sourceIp: `192.168.20.${index + 10}`, destinationPort: 443, rule: 'https-branch' }));

interface Expected {
  /** Text the finding's summary contains. */
  says: string[];
  /** Text it must not contain. */
  never?: string[];
  /** Evidence ids cited beside the freshness items e1 and e2. */
  cites: string[];
  /** Text the first next step contains. */
  next: string;
}

const cases: [description: string, ruleInput: RuleInput, expected: Expected][] = [
  ['other hosts of the site in both logs: counted once each, one row named, all cited', input({ evidence: [
    ...covered,
    firewallLog({ sourceIp: IP.branchNeighbour, destinationPort: 443, rule: 'https-branch', time: '2026-11-12T14:05:00Z' }),
    firewallLog({ sourceIp: '192.168.20.11', destinationPort: 3389, rule: 'rdp-it', time: '2026-11-12T14:07:00Z' }),
    flowLog({ sourceIp: IP.branchNeighbour, destinationPort: 443 }),
  ] }), {
    says: ['2 other hosts of the same site (192.168.0.0/16, 1 of them in the source\'s own 192.168.10.0/24) reached 10.201.1.4',
      'e.g. 192.168.20.11 -> 10.201.1.4:3389 Allow at 2026-11-12 14:07:00 UTC in AZFWNetworkRule by rule rcg-main/net-allow/rdp-it'],
    never: ['No other host'],
    cites: ['e3', 'e4', 'e5'],
    next: 'check the firewall policy and routing for 192.168.10.5',
  }],
  ['only the VNet of the destination: says so', input({ evidence: [...covered, firewallLog({ sourceIp: IP.branchNeighbour, destinationIp: IP.endpoint, destinationPort: 443 })] }), {
    says: ['1 other host of the same site', 'reached the destination\'s VNet vnet-app (10.201.0.0/16)', '192.168.10.52 -> 10.201.2.5:443'],
    cites: ['e3'],
    next: 'check the firewall policy and routing for 192.168.10.5',
  }],
  ['as many hosts as are kept: a lower bound', input({ evidence: [...covered, ...neighbours] }), {
    says: [`at least ${SITE_HOSTS_PER_SOURCE} other hosts of the same site`],
    cites: neighbours.map((_unused, index) => `e${index + 3}`),
    next: 'check the firewall policy and routing',
  }],
  ['no other host of the site either: the whole site may be cut off', input({ evidence: covered }), {
    says: ['No other host of the site (192.168.0.0/16) appears in the firewall logs and Traffic Analytics at the destination either', 'the tunnel or the site\'s routing towards Azure may be down'],
    cites: [],
    next: 'check that traffic from 192.168.0.0/16 towards 10.201.1.4 enters the tunnel of cn-branch at all',
  }],
  ['rows that are not the site reaching the destination do not count', input({ evidence: [
    ...covered,
    firewallLog({ sourceIp: IP.branchNeighbour, time: '2026-11-12T13:10:00Z' }),
    firewallLog({ sourceIp: '172.16.0.9' }),
    firewallLog({ sourceIp: IP.branchNeighbour, destinationIp: IP.data }),
    firewallLog({ kind: 'flow-trace', table: 'AZFWFlowTrace', sourceIp: IP.branchNeighbour, flag: 'SYN-ACK', action: 'Log' }),
    firewallLog({ kind: 'dns', table: 'AZFWDnsQuery', sourceIp: IP.branchNeighbour, destinationIp: IP.firewall, queryName: 'vm-app.contoso.com' }),
  ] }), {
    says: ['No other host of the site'],
    cites: [],
    next: 'enters the tunnel',
  }],
  ['the site query failed: no claim about the site either way', input({ evidence: covered, gaps: [siteGap] }), {
    says: ['Whether other hosts of the site (192.168.0.0/16) reached Azure could not be checked (timeout: no answer within 10000 ms)'],
    never: ['No other host', 'other hosts of the same site'],
    cites: [],
    next: 'check the firewall policy and routing for 192.168.10.5',
  }],
  ['a row of the source on another port: the site was not looked at, so nothing is said of it', input({ evidence: [...covered, firewallLog({ destinationPort: 443 })] }), {
    says: ['Not one packet from 192.168.10.5 to 10.201.1.4:3389'],
    never: ['No other host', 'other hosts of the same site', 'could not be checked'],
    cites: [],
    next: 'check the firewall policy and routing for 192.168.10.5',
  }],
];

describe('no_packets_from_source cites the other hosts of the source\'s site', () => {
  it.each(cases)('%s', (_description, ruleInput, expected) => {
    const [finding, ...rest] = rule.run(ruleInput);
    expect(rest).toEqual([]);
    expect(finding?.code).toBe('no_packets_from_source');
    for (const text of expected.says) expect(finding?.summary).toContain(text);
    for (const text of expected.never ?? []) expect(finding?.summary).not.toContain(text);
    expect(finding?.evidence).toEqual(['e1', 'e2', ...expected.cites]);
    expect(finding?.nextSteps?.[0]).toContain(expected.next);
    // Absence in a covered window stays medium, with or without the site's rows (the rule's documented decision).
    expect(finding?.confidence).toBe('medium');
    expect(decide(ruleInput)).toMatchObject({ cause: 'no_packets_from_source', confidence: 'medium', blockedAt: { component: 'remote-site' } });
  });

  it('a tunnel that is down says so and cites no site rows', () => {
    const ruleInput = input({ topology: estate((topology) => { topology.connections[0]!.connectionStatus = 'NotConnected'; }), evidence: [...covered, firewallLog({ sourceIp: IP.branchNeighbour })] });
    const [finding] = rule.run(ruleInput);
    expect(finding?.summary).toContain('is not connected');
    expect(finding?.evidence).not.toContain('e3');
  });

  it('a failed query of the flow\'s own logs still lowers the confidence; the site query\'s does not', () => {
    const own: Gap = { source: 'Azure Firewall logs', reason: 'timeout', detail: 'no answer' };
    expect(decide(input({ evidence: covered, gaps: [siteGap] })).confidence).toBe('medium');
    expect(decide(input({ evidence: covered, gaps: [own] })).confidence).toBe('low');
  });
});

describe('the site of a source', () => {
  it.each([
    ['the connection\'s prefix that holds it', ['10.0.0.0/8', '192.168.0.0/16'], '192.168.10.5', '192.168.0.0/16'],
    ['the most specific one', ['192.168.0.0/16', '192.168.10.0/24'], '192.168.10.5', '192.168.10.0/24'],
    ['a host route has no other hosts: its /24', ['192.168.10.5/32'], '192.168.10.5', '192.168.10.0/24'],
    ['no prefix holds it: its /24', ['10.0.0.0/8'], '192.168.10.5', '192.168.10.0/24'],
    ['IPv6: its /64', [], '2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ['not an address', ['192.168.0.0/16'], 'branch-pc', null],
  ] as const)('%s', (_description, prefixes, ip, expected) => {
    expect(sitePrefix(prefixes, ip)).toBe(expected);
  });

  it('the own block of a source', () => {
    expect(ownBlock('10.1.2.3')).toBe('10.1.2.0/24');
    expect(ownBlock(null)).toBeNull();
  });
});
