/**
 * nsg-deny-between-spokes: a new reporting VM in the web tier needs SQL, the
 * firewall allows it (rule added for the change), but the data spoke's subnet
 * NSG still denies the web subnet: Traffic Analytics shows FlowStatus D at
 * vm-sql01's NIC naming the rule.
 */
import { dnsQueries, gatewayDiagnostics } from '../logs.js';
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';

/** The story. */
export function nsgDenyBetweenSpokes(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-11-16T02:11:09Z' });
  const { estate } = base;
  const sqlNsg = estate.nsgs.find((nsg) => nsg.name === 'fab-sql-snet-nsg');
  sqlNsg?.rules.push({ name: 'Deny-Web-Tier-To-Data', priority: 105, direction: 'Inbound', access: 'Deny', protocol: '*', source: base.addresses.webPrefix, destination: '*', destinationPorts: '*', description: 'Web tier never talks to the database directly (SEC-2207)' });
  sqlNsg?.rules.sort((a, b) => a.priority - b.priority);
  const network = estate.firewall.ruleCollectionGroups[0];
  const spokeToSpoke = network?.collections.find((collection) => collection.name === 'spoke-to-spoke');
  if (spokeToSpoke?.kind === 'network') spokeToSpoke.rules.push({ name: 'reporting-to-sql', protocols: ['TCP'], sources: ['10.41.1.6'], destinations: ['10.42.1.4'], ports: ['1433'], description: 'Sales reporting on vm-web03 (CHG-2611-088)' });
  estate.vms.push({ name: 'vm-web03', resourceGroup: base.names.appRg, vnet: base.names.app, subnet: 'snet-web', privateIp: '10.41.1.6', os: 'Linux', size: 'Standard_D2s_v5', zone: '3', workload: 'sales-reporting', created: '2026-11-17T16:48:02.1184410+00:00' });
  const now = '2026-11-18T13:20:00Z';
  const story: Story = {
    name: 'nsg-deny-between-spokes',
    description: 'Fabrikam Retail (fictional) landing zone in West Europe: hub 10.40.0.0/16 with Azure Firewall Premium and a VPN to the Amsterdam data centre (172.20.0.0/14); app spoke 10.41.0.0/16 (web and app tiers) and data spoke 10.42.0.0/16 (vm-sql01). vm-web03, a sales-reporting VM deployed in the web subnet yesterday, must reach SQL on vm-sql01; the firewall change CHG-2611-088 allows it, the data subnet NSG still carries SEC-2207\'s deny of the web tier. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-web03' }, destination: { kind: 'vm', name: 'vm-sql01' }, protocol: 'TCP', port: 1433, perHour: 4, from: '2026-11-18T08:55:00Z', packets: [3, 3] },
      { source: { kind: 'vm', name: 'vm-web03' }, destination: { kind: 'public', ip: '91.189.91.83', azure: false, country: 'gb' }, protocol: 'TCP', port: 80, fqdn: 'azure.archive.ubuntu.com', url: 'http://azure.archive.ubuntu.com/ubuntu/dists/noble-updates/InRelease', perHour: 0.5 },
    ],
    extend: (log, random, window) => {
      dnsQueries(log, random, [...base.dns, { sourceIp: '10.41.1.6', perHour: 2, from: '2026-11-18T08:54:00Z', names: [{ name: 'vm-sql01.corp.fabrikam-retail.example' }] }], window.startMs, window.endMs);
      gatewayDiagnostics(log, estate, random, window.startMs, window.endMs);
    },
    expect: {
      question: 'why can\'t vm-web03 connect to SQL on 10.42.1.4 port 1433 since 09:00 UTC today?',
      status: 'failing', layer: 'path', cause: 'nsg_deny', contributing: [], blockedAt: { component: 'nsg' },
      rationale: "Window: since 09:00 UTC on 2026-11-18; now is 13:20 UTC, and the app and data VNets' flow logs run Traffic Analytics every 10 minutes, so every interval up to 13:00 is processed (the last rows were ingested at about 13:17) and the window from 09:00 to 13:00 is covered. Path: vm-web03 (10.41.1.6, snet-web) sends 10.42.1.4 to its 0.0.0.0/0 user route, next hop the firewall 10.40.1.4 (the data spoke is not peered with the app spoke, so no more specific system route exists). AZFWNetworkRule: every attempt from 10.41.1.6 to 10.42.1.4:1433 is Allow by DefaultNetworkRuleCollectionGroup/spoke-to-spoke/reporting-to-sql, the rule CHG-2611-088 added; the firewall forwards them. NTANetAnalytics at vm-sql01's NIC (TargetResourceId fab-data-rg/fab-data-weu-vnet, FlowDirection I) shows FlowStatus D, DeniedInFlows, AclGroup fab-sql-snet-nsg, AclRule UserRule_Deny-Web-Tier-To-Data for SrcIp 10.41.1.6, DestPort 1433, in every processed interval since 09:00; the source NIC's O rows are allowed with no packets back. Effective security rules of nic-vm-sql01: the subnet NSG fab-sql-snet-nsg evaluates inbound first; securityRules/Deny-Web-Tier-To-Data (priority 105, source 10.41.1.0/24, Deny) matches before Allow-SQL-From-App (priority 100 covers only the app tier 10.41.2.0/24) and before DenyAllInboundCustom. AZFWFlowTrace has no SYN-ACK for these connections, as expected when the server never receives the SYN. Cause nsg_deny at nsg (fab-sql-snet-nsg, rule Deny-Web-Tier-To-Data), confidence high: a deny row naming the rule, an Active effective rule, and nothing contradicts it. Distractors: the firewall's Allow rows (the firewall is not where it stops), default-action denies of vm-app02 -> 172.20.1.10:135 and 172.20.30.15 -> vm-sql01:1433, the jump host's threat-intelligence alerts and application-rule denies to updates.fastmirror-cdn.example, IDPS WinRM alerts (alert mode), and the app tier's own SQL traffic (10.41.2.4 and 10.41.2.5), allowed by Allow-SQL-From-App. Fix: allow 10.41.1.6/32 to 1433 above priority 105 (or move the reporting VM to the app tier).",
    },
  };
  return story;
}
