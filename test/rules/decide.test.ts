/** decide(): the first stop on the path wins, upstream reasons are contributing, confidence follows the contract. */
import { describe, expect, it } from 'vitest';
import type { Gap } from '../../src/domain/index.js';
import { chooseCause, decide, type RuleFinding } from '../../src/rules/index.js';
import { ID, IP, capture, conversation, estate, firewallLog, freshness, input, question, routeTable, vaultLog } from './builder.js';

const covered = [freshness('AZFWNetworkRule', '2026-11-12T17:00:00Z'), freshness('NTANetAnalytics', '2026-11-12T16:00:00Z')];
const vaultQuestion = question({ source: IP.app, destination: '52.1.1.1', destinationName: 'kv-app.vault.azure.net', destinationId: ID.vault, port: 443 });
const appRuleRow = firewallLog({ kind: 'application', table: 'AZFWApplicationRule', sourceIp: IP.app, destinationIp: null, destinationPort: 443, fqdn: 'kv-app.vault.azure.net', protocol: 'HTTPS', ruleCollection: 'app-allow', rule: 'kv' });
const throttled: Gap = { source: 'NTANetAnalytics', reason: 'throttled', detail: '429 after 3 retries' };

describe('decide chooses the cause', () => {
  it.each([
    ['the firewall deny comes before the destination NSG deny', input({
      topology: estate((t) => { t.networkSecurityGroups[0]!.rules[0]!.access = 'Deny'; }),
      evidence: [firewallLog({ action: 'Deny', actionReason: 'Default Action', rule: null, ruleCollection: null, ruleCollectionGroup: null })],
    }), { cause: 'firewall_deny', status: 'failing', layer: 'path', blockedAt: { component: 'firewall', resourceId: ID.firewall, name: 'fw-hub', rule: 'Default Action' }, confidence: 'high' }],
    ['the source NIC\'s outbound NSG comes before the firewall', input({
      question: question({ source: IP.app, destination: IP.data, port: 443 }),
      topology: estate((t) => { t.networkSecurityGroups[1]!.rules.push({ name: 'Deny-Out', priority: 100, direction: 'Outbound', access: 'Deny', protocol: '*', sourceAddressPrefixes: ['*'], sourcePortRanges: ['*'], destinationAddressPrefixes: ['*'], destinationPortRanges: ['*'], isDefault: false }); }),
      evidence: [firewallLog({ sourceIp: IP.app, destinationIp: IP.data, destinationPort: 443, action: 'Deny' })],
    }), { cause: 'nsg_deny', blockedAt: { component: 'nsg', resourceId: ID.appNicNsg, name: 'nsg-vm-app', rule: 'Deny-Out' }, confidence: 'medium' }],
    ['SNAT wins over a working path', input({
      question: vaultQuestion,
      evidence: [appRuleRow, capture(null, [conversation({ client: { ip: IP.app, port: 50123 }, server: { ip: '52.1.1.1', port: 443 } })]), vaultLog({ callerIp: '10.200.1.6' })],
    }), { cause: 'snat_source_changed', layer: 'application', blockedAt: { component: 'firewall', resourceId: ID.firewall }, confidence: 'high' }],
    ['SNAT before the vault\'s refusal of the firewall address', input({
      question: vaultQuestion,
      evidence: [appRuleRow, vaultLog({ callerIp: '10.200.1.6', httpStatusCode: 403, isAddressAuthorized: false })],
    }), { cause: 'snat_source_changed', contributing: ['private_dns_zone_not_linked'] }],
    ['a name that does not resolve comes first', input({
      question: vaultQuestion,
      evidence: [firewallLog({ kind: 'dns', table: 'AZFWDnsQuery', sourceIp: IP.app, queryName: 'kv-app.vault.azure.net', responseCode: 'NXDOMAIN', destinationIp: null, destinationPort: null }),
        vaultLog({ httpStatusCode: 403, isAddressAuthorized: false })],
    }), { cause: 'dns_failure', layer: 'dns' }],
    ['absence in a covered window: remote site, medium', input({ evidence: [...covered, firewallLog({ sourceIp: IP.branchNeighbour })] }),
      { cause: 'no_packets_from_source', blockedAt: { component: 'remote-site', resourceId: ID.connection }, confidence: 'medium', contributing: [] }],
    ['absence with a key source throttled: low', input({ evidence: [...covered, firewallLog({ sourceIp: IP.branchNeighbour })], gaps: [throttled] }),
      { cause: 'no_packets_from_source', confidence: 'low' }],
    ['a window not ingested yet cannot prove absence', input({ evidence: [freshness('AZFWNetworkRule', '2026-11-12T14:20:00Z')] }),
      { cause: 'insufficient_evidence', status: 'unknown', layer: 'none', blockedAt: null, confidence: 'low', contributing: ['logs_not_yet_ingested'] }],
    ['asymmetric routing carries its reason', input({ topology: estate((t) => { routeTable(t, ID.gatewayRoutes).routes = []; }) }),
      { cause: 'asymmetric_routing', contributing: ['gateway_subnet_missing_udr'], confidence: 'medium', blockedAt: { component: 'firewall', resourceId: ID.firewall } }],
    ['a firewall deny on the way there hides the asymmetry behind it', input({
      topology: estate((t) => { routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }),
      evidence: [firewallLog({ action: 'Deny' })],
    }), { cause: 'firewall_deny', contributing: [] }],
    ['a working path that bypasses the firewall both ways', input({
      topology: estate((t) => { routeTable(t, ID.gatewayRoutes).routes = []; routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }),
      evidence: [capture(ID.appVm, [conversation({})])],
    }), { cause: 'path_ok', status: 'ok', blockedAt: null, contributing: ['firewall_bypassed'], confidence: 'high' }],
    ['a block contradicted by a working handshake: low', input({ evidence: [firewallLog({ action: 'Deny' }), capture(ID.appVm, [conversation({})])] }),
      { cause: 'firewall_deny', confidence: 'low' }],
    // The late tail of an open window explains nothing when direct evidence decides.
    ['a deny row decides; the not-yet-ingested tail of the window is not a reason', input({ evidence: [firewallLog({ action: 'Deny' }), freshness('AZFWNetworkRule', '2026-11-12T14:20:00Z')] }),
      { cause: 'firewall_deny', contributing: [], confidence: 'high' }],
  ])('%s', (_name, ruleInput, expected) => {
    expect(decide(ruleInput)).toMatchObject(expected);
  });

  it('says what is missing when nothing decides', () => {
    const nothing = decide(input({ question: question({ source: IP.data, destination: IP.app, port: 443 }), topology: estate((t) => { t.flowLogs = [{ ...t.flowLogs[0]!, targetResourceId: ID.data }, t.flowLogs[0]!]; }), gaps: [{ source: 'AZFWNetworkRule', reason: 'no-permission', detail: '403' }] }));
    expect(nothing).toMatchObject({ cause: 'insufficient_evidence', status: 'unknown', confidence: 'low', blockedAt: null });
    expect(nothing.summary).toContain('AZFWNetworkRule');
    expect(nothing.nextSteps.join(' ')).toContain('no-permission');
  });

  it('leaves out contributing findings that explain another cause, and says what was late when nothing decides', () => {
    const decided = decide(input({ evidence: [firewallLog({ action: 'Deny' }), freshness('AZFWNetworkRule', '2026-11-12T14:20:00Z')] }));
    expect(decided.findings.map((finding) => finding.code)).toEqual(['firewall_deny']);
    const undecided = decide(input({ evidence: [freshness('AZFWNetworkRule', '2026-11-12T14:20:00Z')] }));
    expect(undecided.findings.map((finding) => finding.code)).toEqual(['logs_not_yet_ingested']);
    expect(undecided.summary).toContain('not ingested yet in AZFWNetworkRule');
    expect(undecided.nextSteps.join(' ')).toContain('packet capture on vm-app filtered on TCP port 3389');
  });

  it('gaps never raise the confidence', () => {
    const base = input({ evidence: [firewallLog({ action: 'Deny' })] });
    const withGaps = { ...base, gaps: [throttled, { source: 'AZFWFlowTrace', reason: 'not-enabled' as const, detail: '' }] };
    const rank = { low: 0, medium: 1, high: 2 };
    expect(rank[decide(withGaps).confidence]).toBeLessThanOrEqual(rank[decide(base).confidence]);
  });
});

describe('chooseCause', () => {
  const finding = (code: RuleFinding['code'], position?: number, confidence: RuleFinding['confidence'] = 'high'): RuleFinding => ({ code, summary: code, evidence: [], confidence, ...(position === undefined ? {} : { position }) });
  it.each([
    [[finding('nsg_deny', 4.5), finding('firewall_deny', 2)], 'firewall_deny'],
    [[finding('firewall_deny', 2), finding('nsg_deny', 0.5)], 'nsg_deny'],
    [[finding('path_ok'), finding('snat_source_changed', 2)], 'snat_source_changed'],
    [[finding('tcp_no_response'), finding('no_packets_from_source', 0, 'medium')], 'no_packets_from_source'],
    [[finding('tls_expired'), finding('tcp_reset')], 'tcp_reset'],
    [[finding('paas_network_deny'), finding('snat_source_changed', 2)], 'snat_source_changed'],
    [[finding('no_route', 3, 'medium'), finding('no_route', 3, 'high')], 'no_route'],
    [[finding('logs_not_yet_ingested')], null],
  ] as const)('%# -> %s', (findings, expected) => {
    expect(chooseCause(findings)?.code ?? null).toBe(expected);
  });

  it('breaks a tie at the same place by the stronger confidence', () => {
    expect(chooseCause([finding('no_route', 3, 'medium'), finding('no_route', 3, 'high')])?.confidence).toBe('high');
  });
});
