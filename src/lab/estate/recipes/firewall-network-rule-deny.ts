/**
 * firewall-network-rule-deny: a ransomware-containment rule collection denies
 * SMB between spokes, above the collection that was meant to allow the new
 * file share: AZFWNetworkRule Deny rows name the rule.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function firewallNetworkRuleDeny(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-11-19T22:40:18Z' });
  const { estate } = base;
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-files', prefix: '10.62.2.0/24', nsg: 'nwt-files-snet-nsg', routeTable: 'nwt-data-spoke-rt' });
  estate.nsgs.push({ name: 'nwt-files-snet-nsg', resourceGroup: base.names.dataRg, rules: serverRules(base, [{ name: 'Allow-SMB-From-Spokes', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: [base.addresses.appPrefix, base.addresses.dataPrefix], destination: '*', destinationPorts: '445', description: 'Orders file drop (CHG-2611-131)' }]) });
  addVm(base, { name: 'vm-fs01', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-files', privateIp: '10.62.2.4', os: 'Windows', size: 'Standard_D4s_v5', zone: '1', workload: 'orders-file-drop', created: '2026-11-19T15:02:44.0871123+00:00' });
  addNetworkRule(base, 'east-west-containment', 1050, 'Deny', { name: 'deny-smb-between-spokes', protocols: ['TCP'], sources: [base.addresses.appPrefix, base.addresses.dataPrefix], destinations: [base.addresses.appPrefix, base.addresses.dataPrefix], ports: ['445', '139'], description: 'Ransomware containment: no SMB east-west (SEC-3110)' });
  addNetworkRule(base, 'spoke-to-spoke', 1200, 'Allow', { name: 'app-to-file-drop', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: ['10.62.2.4'], ports: ['445'], description: 'Orders file drop (CHG-2611-131)' });
  const now = '2026-11-20T11:45:00Z';
  return {
    name: 'firewall-network-rule-deny',
    description: 'Northwind Traders (fictional) landing zone in UK South: hub 10.60.0.0/16 with Azure Firewall Premium and a VPN to the Manchester office (10.128.0.0/13); app spoke 10.61.0.0/16 and data spoke 10.62.0.0/16. vm-fs01, a file server for the orders file drop, was deployed in the data spoke yesterday; CHG-2611-131 added a firewall rule for SMB from the app tier, but the east-west containment collection (priority 1050, Deny SMB between spokes) is evaluated first. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: { kind: 'vm', name: 'vm-fs01' }, protocol: 'TCP', port: 445, perHour: 5, from: '2026-11-20T07:55:00Z', packets: [3, 3] },
      { source: { kind: 'vm', name: 'vm-jump01' }, destination: { kind: 'vm', name: 'vm-fs01' }, protocol: 'TCP', port: 3389, perHour: 0.5, from: '2026-11-20T06:00:00Z', durationInSeconds: [300, 1800], packets: [300, 2000], responseBytes: [400_000, 6_000_000] },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t vm-app01 map the orders share on vm-fs01 (10.62.2.4) over SMB between 08:00 and 09:00 UTC?',
      status: 'failing', layer: 'path', cause: 'firewall_deny', contributing: [], blockedAt: { component: 'firewall' },
      rationale: 'Window 08:00-09:00 UTC on 2026-11-20; now is 11:45 UTC, so firewall logs (minutes) and Traffic Analytics (10-minute interval plus processing) cover it. Path: vm-app01 (10.61.2.4) has no system route to the data spoke (the spokes are peered only with the hub), so 10.62.2.4 takes its 0.0.0.0/0 user route to the firewall 10.60.1.4. AZFWNetworkRule holds the attempts from 10.61.2.4 to 10.62.2.4:445 in the window, each Action Deny, RuleCollectionGroup DefaultNetworkRuleCollectionGroup, RuleCollection east-west-containment, Rule deny-smb-between-spokes: that collection has priority 1050 and is evaluated before spoke-to-spoke (1200), whose app-to-file-drop rule CHG-2611-131 added for this share, so the allow never gets a chance. NTANetAnalytics shows the attempts only at the source (vm-app01, FlowDirection O, allowed by the NSG, no packets back) and nothing at vm-fs01\'s NIC: denied flows never reach the destination. The destination NSG nwt-files-snet-nsg would allow it (Allow-SMB-From-Spokes, priority 100), and vm-fs01 answers: vm-jump01 RDPs to it through the firewall (jump-admin) with SYN-ACK/FIN in AZFWFlowTrace. Cause firewall_deny at firewall (rule deny-smb-between-spokes), confidence high: deny rows naming the rule, nothing contradicts. Distractors: default-action denies of vm-app02 -> 10.128.1.10:135 and 10.129.30.15 -> vm-sql01:1433, threat-intelligence alerts and application-rule denies of vm-jump01 to updates.fastmirror-cdn.example, WinRM IDPS alerts (alert mode). Fix: an SMB exception for 10.61.2.0/24 -> 10.62.2.4 in a collection with a priority below 1050, or narrow the containment rule.',
    },
  };
}
