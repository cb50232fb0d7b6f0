/** The pure deserializers on real-shaped payloads: scenario rows, REST examples, ARM bodies. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EvidenceSchema } from '../../src/domain/index.js';
import { deserializeFirewallTable, deserializeLegacyFirewall } from '../../src/azure/firewall-logs.js';
import { deserializeFlowLogs } from '../../src/azure/flow-logs.js';
import { deserializeGatewayLogs, deserializeKeyVaultLogs } from '../../src/azure/diagnostic-logs.js';
import { freshnessOf } from '../../src/azure/freshness.js';
import { firewallTableQuery, legacyFirewallQuery } from '../../src/azure/kql/firewall.js';
import { validateFlowFilter } from '../../src/azure/kql/flow-filter.js';
import { trafficAnalyticsQuery } from '../../src/azure/kql/flow-logs.js';
import { keyVaultAuditQuery } from '../../src/azure/kql/diagnostics.js';
import { validateInstant, validateResourceId } from '../../src/azure/kql/validate.js';
import { connectivityEvidence, effectiveRoutesEvidence, effectiveSecurityRulesEvidence, nextHopEvidence } from '../../src/azure/network-watcher.js';
import { buildTopology, type ArmResource } from '../../src/azure/topology.js';
import { closestNames, findInEstate } from '../../src/azure/resource-graph.js';

const scenario = JSON.parse(readFileSync(new URL('../fixtures/scenarios/example-rdp-remote-site/scenario.json', import.meta.url), 'utf8')) as {
  tables: Record<string, Record<string, unknown>[]>; resources: ArmResource[]; effectiveRoutes: Record<string, unknown[]>; effectiveSecurityRules: Record<string, unknown[]>;
};
const window = { start: '2026-11-12T14:00:00Z', end: '2026-11-12T14:30:00Z' };
const parse = (item: object) => EvidenceSchema.parse({ id: 'e1', ...item });

describe('firewall rows', () => {
  it('turns AZFWNetworkRule rows into valid evidence, capped with a warning', () => {
    const filter = validateFlowFilter({ window, maxRows: 3 });
    const query = firewallTableQuery('AZFWNetworkRule', validateFlowFilter({ window, destination: '10.201.1.4' }))!;
    const rows = scenario.tables.AZFWNetworkRule!.slice(0, 4);
    const { evidence, warnings } = deserializeFirewallTable('AZFWNetworkRule', { rows, partialError: null }, query, filter.maxRows);
    expect(evidence).toHaveLength(3);
    expect(warnings[0]).toMatch(/more than 3 rows/);
    const first = parse(evidence[0]!);
    expect(first).toMatchObject({ kind: 'firewall-log', source: 'AZFWNetworkRule', data: { sourceIp: '192.168.30.15', destinationPort: 5985, action: 'Allow', rule: 'winrm-monitoring', actionReason: null } });
  });

  it('reads threat intel, IDPS and flow trace columns', () => {
    const query = firewallTableQuery('AZFWFlowTrace', validateFlowFilter({ window, source: '10.0.0.1' }))!;
    const [trace] = deserializeFirewallTable('AZFWFlowTrace', { rows: scenario.tables.AZFWFlowTrace!.slice(0, 1), partialError: null }, query, 10).evidence;
    expect(parse(trace!)).toMatchObject({ data: { kind: 'flow-trace', flag: 'SYN-ACK', actionReason: 'Additional TCP Log' } });
    const [ti] = deserializeFirewallTable('AZFWThreatIntel', { rows: scenario.tables.AZFWThreatIntel!.slice(0, 1), partialError: null }, query, 10).evidence;
    expect(parse(ti!)).toMatchObject({ data: { kind: 'threat-intel', description: 'Malware', fqdn: 'updates.fastmirror-cdn.example' } });
  });

  it('parses legacy rows and keeps exact address matches only', () => {
    const filter = validateFlowFilter({ window, source: '192.168.10.5' });
    const row = (message: string) => ({ TimeGenerated: new Date('2026-11-12T14:05:00Z'), ResourceId: '/SUBSCRIPTIONS/X/AZUREFIREWALLS/FW', Category: 'AzureFirewallNetworkRule', OperationName: 'AzureFirewallNetworkRuleLog', msg_s: message });
    const { evidence, warnings } = deserializeLegacyFirewall({ rows: [
      row('TCP request from 192.168.10.52:50001 to 10.201.1.4:3389. Action: Allow'),
      row('TCP request from 192.168.10.5:50002 to 10.201.1.4:3389. Action: Deny. Reason: No rule matched. Proceeding with default action.'),
      row('garbage'),
    ], partialError: null }, legacyFirewallQuery(filter)!, filter);
    expect(evidence).toHaveLength(1);
    expect(parse(evidence[0]!)).toMatchObject({ source: 'AzureDiagnostics', data: { sourceIp: '192.168.10.5', action: 'Deny', actionReason: 'Default Action', time: '2026-11-12T14:05:00.000Z' } });
    expect(warnings.join(' ')).toMatch(/1 msg_s line/);
  });
});

describe('Traffic Analytics, Key Vault, gateway rows', () => {
  it('flow rows', () => {
    const filter = validateFlowFilter({ window });
    const { evidence } = deserializeFlowLogs({ rows: scenario.tables.NTANetAnalytics!.slice(0, 2), partialError: null }, trafficAnalyticsQuery(filter, 10), 10, false);
    expect(parse(evidence[0]!)).toMatchObject({ kind: 'flow-log', data: { sourceIp: '192.168.30.15', destinationIp: '10.201.2.4', protocol: 'tcp', direction: 'inbound', status: 'allowed', flowType: 'S2S', destinationVm: 'ctd-app-rg/vm-web01', packetsSourceToDestination: 12 } });
  });

  it('Key Vault rows (resource-specific)', () => {
    const vaultId = validateResourceId('/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-prod');
    const query = keyVaultAuditQuery({ vaultId, window: validateFlowFilter({ window }).window, caller: null, maxRows: 5 });
    const { evidence } = deserializeKeyVaultLogs({ rows: [{
      TimeGenerated: '2026-11-12T14:01:00Z', _ResourceId: vaultId, OperationName: 'SecretGet', HttpStatusCode: 403, ResultType: 'Forbidden',
      ResultSignature: 'Forbidden', ResultDescription: 'Client address is not authorized and caller is not a trusted service.', CallerIpAddress: '20.1.2.3',
      IsAddressAuthorized: false, AddressAuthorizationType: 'Public IP', Identity: { claim: { oid: 'x' } },
    }], partialError: null }, query, 5);
    expect(parse(evidence[0]!)).toMatchObject({ data: { httpStatusCode: 403, isAddressAuthorized: false, callerIp: '20.1.2.3', identity: '{"claim":{"oid":"x"}}' } });
  });

  it('gateway rows', () => {
    const { evidence } = deserializeGatewayLogs({ rows: scenario.tables.AzureDiagnostics!.slice(0, 1), partialError: null }, { table: 'AzureDiagnostics', documentation: '', query: 'q', timespan: validateFlowFilter({ window }).window }, 5);
    expect(parse(evidence[0]!)).toMatchObject({ kind: 'gateway-log', data: { category: 'IKEDiagnosticLog', remoteIp: '198.51.100.14', level: 'Warning' } });
  });
});

describe('freshness', () => {
  const now = validateInstant('2026-11-12T17:45:00Z');
  const lookback = validateInstant('2026-11-11T17:45:00Z');
  it.each([
    ['live source: covered up to now minus the expected delay', '2026-11-12T17:30:00Z', '2026-11-12T17:35:00Z', 70, '2026-11-12T17:30:00.000Z'],
    ['live source with sparse events', '2026-11-12T15:00:00Z', '2026-11-12T17:40:00Z', 10, '2026-11-12T15:05:00.000Z'],
    ['stalled source: only up to its newest event', '2026-11-12T12:00:00Z', '2026-11-12T12:05:00Z', 70, '2026-11-12T12:00:00.000Z'],
    ['empty source: nothing covered', null, null, 10, '2026-11-11T17:45:00.000Z'],
  ])('%s', (_name, event, ingestion, delay, coveredUntil) => {
    expect(freshnessOf('T', event, ingestion, now, delay, lookback).coveredUntil).toBe(coveredUntil);
  });
});

describe('Network Watcher answers (REST example shapes)', () => {
  it('next hop, connectivity, effective routes and rules', () => {
    const hop = nextHopEvidence({ targetResourceId: '/vm1', sourceIPAddress: '10.0.0.5', destinationIPAddress: '10.0.0.10', targetNicResourceId: '/nic1' }, { nextHopType: 'VnetLocal', nextHopIpAddress: '10.0.0.1', routeTableId: '/rt1' }, 'POST x');
    expect(parse(hop)).toMatchObject({ data: { nextHopType: 'VnetLocal', networkInterfaceId: '/nic1' } });
    const check = connectivityEvidence({ source: { resourceId: '/vm1', port: 0 }, destination: { address: '192.168.100.4', port: 3389 }, protocol: 'Tcp' },
      { connectionStatus: 'Connected', probesSent: 100, probesFailed: 0, hops: [{ type: 'Source', address: '10.1.1.4', resourceId: '/nic0', issues: [] }, { type: 'VirtualNetwork', address: '192.168.100.4', issues: [{ origin: 'Outbound', severity: 'Error', type: 'NetworkSecurityRule' }] }] }, 'POST y');
    expect(parse(check).data).toMatchObject({ connectionStatus: 'Connected', hops: [{ type: 'Source' }, { issues: [{ type: 'NetworkSecurityRule', origin: 'Outbound' }] }] });
    const nicId = Object.keys(scenario.effectiveRoutes)[1]!;
    const routes = effectiveRoutesEvidence(nicId, scenario.effectiveRoutes[nicId] as never, 'POST z');
    expect(parse(routes).data).toMatchObject({ networkInterfaceId: nicId });
    const rules = effectiveSecurityRulesEvidence(nicId, scenario.effectiveSecurityRules[nicId] as never, 'POST w');
    const parsed = parse(rules);
    if (parsed.kind !== 'effective-security-rules') throw new Error('kind');
    expect(parsed.data.rules[0]?.appliedTo).toBe('subnet');
    expect(parsed.data.rules.at(-1)?.appliedTo).toBe('networkInterface');
  });
});

describe('topology from ARM bodies', () => {
  const topology = buildTopology(scenario.resources);
  it('normalises the example estate', () => {
    const app = topology.virtualNetworks.find((network) => network.name === 'ctd-app-eus2-vnet')!;
    expect(app.addressPrefixes).toEqual(['10.201.0.0/16']);
    expect(app.peerings[0]).toMatchObject({ state: 'Connected' });
    const vm = topology.virtualMachines.find((machine) => machine.name === 'vm-app01')!;
    expect(vm).toMatchObject({ powerState: 'running', extensions: expect.arrayContaining(['NetworkWatcherAgentWindows']) });
    const firewall = topology.firewalls[0]!;
    expect(firewall).toMatchObject({ privateIpAddress: '10.200.1.4', tier: 'Premium' });
    expect(firewall.rules.find((rule) => rule.name === 'rdp-onprem-to-spokes')).toMatchObject({ action: 'Allow', kind: 'network', ruleCollection: 'onprem-to-azure' });
    expect(topology.connections[0]).toMatchObject({ connectionStatus: 'Connected', remotePrefixes: ['192.168.0.0/16'] });
    expect(topology.gateways[0]?.learnedPrefixes).toEqual(['192.168.0.0/16']);
    expect(topology.flowLogs.map((flowLog) => flowLog.trafficAnalytics?.intervalInMinutes)).toEqual([10, 10, 10]);
    expect(topology.diagnosticSettings.find((setting) => setting.name === 'ctd-afw-to-law')).toMatchObject({ destinationType: 'Dedicated' });
    expect(topology.diagnosticSettings.find((setting) => setting.name === 'ctd-vgw-to-law')).toMatchObject({ destinationType: 'AzureDiagnostics' });
  });

  it('is the same whatever the order of the bodies', () => {
    expect(buildTopology([...scenario.resources].reverse())).toEqual(topology);
  });

  it('finds names and addresses, and suggests close names', () => {
    const lookup = findInEstate({ resources: scenario.resources, topology }, ['VM-APP01', 'vm-app1'], ['10.201.1.4', '10.201.9.9']);
    expect(lookup.found[0]?.name).toBe('vm-app01');
    expect(lookup.found[1]?.name).toBe('vm-app01');
    expect(lookup.found[2]).toMatchObject({ resourceId: null, virtualNetworkId: expect.stringMatching(/ctd-app-eus2-vnet$/) });
    expect(lookup.unknown[0]?.candidates[0]).toBe('vm-app01');
    expect(closestNames('kv-prod', ['vm-app01', 'kv-prd'])).toEqual(['kv-prd']);
  });
});
