/**
 * no-flow-logs-enabled: a new analytics VNet has no VNet flow log yet (the
 * policy has not remediated it) and the flow stays inside it, so neither the
 * firewall nor Traffic Analytics sees it; Network Watcher only evaluates the
 * configuration, which allows it.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function noFlowLogsEnabled(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-11-29T23:31:06Z' });
  const { estate } = base;
  const rg = 'fab-analytics-rg';
  estate.vnets.push({ name: 'fab-analytics-weu-vnet', resourceGroup: rg, addressSpace: ['10.44.0.0/16'], dnsServers: [base.addresses.firewall], flowLog: null, subnets: [
    { name: 'snet-etl', prefix: '10.44.1.0/24', nsg: 'fab-analytics-etl-nsg', routeTable: 'fab-analytics-rt' },
    { name: 'snet-db', prefix: '10.44.2.0/24', nsg: 'fab-analytics-db-nsg', routeTable: 'fab-analytics-rt' },
  ] });
  estate.peerings.push({ from: base.names.hub, to: 'fab-analytics-weu-vnet', allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false }, { from: 'fab-analytics-weu-vnet', to: base.names.hub, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true });
  estate.routeTables.push({ name: 'fab-analytics-rt', resourceGroup: rg, disableBgpRoutePropagation: true, routes: [{ name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall }] });
  estate.nsgs.push({ name: 'fab-analytics-etl-nsg', resourceGroup: rg, rules: serverRules(base, []) });
  estate.nsgs.push({ name: 'fab-analytics-db-nsg', resourceGroup: rg, rules: serverRules(base, [{ name: 'Allow-PostgreSQL-From-ETL', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '10.44.1.0/24', destination: '*', destinationPorts: '5432' }]) });
  addVm(base, { name: 'vm-etl01', resourceGroup: rg, vnet: 'fab-analytics-weu-vnet', subnet: 'snet-etl', privateIp: '10.44.1.4', os: 'Linux', size: 'Standard_D8s_v5', zone: '1', workload: 'sales-analytics', created: '2026-11-29T15:44:19.2203518+00:00' });
  addVm(base, { name: 'vm-pg01', resourceGroup: rg, vnet: 'fab-analytics-weu-vnet', subnet: 'snet-db', privateIp: '10.44.2.4', os: 'Linux', size: 'Standard_E4s_v5', zone: '1', workload: 'sales-analytics', created: '2026-11-29T15:46:02.9921177+00:00' });
  const now = '2026-11-30T11:30:00Z';
  return {
    name: 'no-flow-logs-enabled',
    description: 'Fabrikam Retail (fictional), West Europe hub and spoke with Azure Firewall Premium. A sales-analytics VNet (10.44.0.0/16: vm-etl01 in snet-etl, PostgreSQL on vm-pg01 in snet-db) was created yesterday at 15:40 UTC and peered with the hub; the flow-log policy (DeployIfNotExists, 10 minutes) has not remediated it yet, so it has no VNet flow log. The other VNets have flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-etl01' }, destination: { kind: 'vm', name: 'vm-pg01' }, protocol: 'TCP', port: 5432, perHour: 6, from: '2026-11-30T10:00:00Z', silent: true },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t vm-etl01 reach PostgreSQL on vm-pg01 (10.44.2.4:5432) since 10:00 UTC?',
      status: 'unknown', layer: 'none', cause: 'insufficient_evidence', contributing: ['flow_logs_not_enabled'], blockedAt: null,
      rationale: 'Window from 10:00 UTC on 2026-11-30; now is 11:30 UTC. Both VMs are in fab-analytics-weu-vnet: vm-etl01\'s effective routes send 10.44.2.4 to VnetLocal (10.44.0.0/16), so the flow never reaches the firewall and AZFWNetworkRule has nothing for it, which is expected and proves nothing. No Microsoft.Network/networkWatchers/flowLogs resource targets fab-analytics-weu-vnet (the policy assignment fab-vnet-flowlogs-weu exists, but DeployIfNotExists remediation lags by hours and the VNet is a day old), so NTANetAnalytics has no rows for either NIC, in the window or ever: a gap of kind not-enabled, not evidence of absence. What is left is configuration: vm-etl01\'s NSG allows outbound by AllowVnetOutBound, vm-pg01\'s subnet NSG allows 10.44.1.0/24 to 5432 (Allow-PostgreSQL-From-ETL), so IP flow verify and a connectivity check computed from the effective rules say Allow / Connected; that says the platform would let the SYN through, not that the server answered, and there is no capture. The remaining explanations (PostgreSQL not listening on the VM address, pg_hba or the host firewall rejecting, the VM not answering) are all on the server and cannot be told apart without evidence. Cause insufficient_evidence (blockedAt null), contributing flow_logs_not_enabled, confidence low. Next steps: enable a VNet flow log on fab-analytics-weu-vnet (or run a remediation task for the policy), and run a packet capture on vm-pg01 filtered on port 5432. Distractors: the hub\'s and spokes\' firewall denies and alerts, unrelated to this VNet.',
    },
  };
}
