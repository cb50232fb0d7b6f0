/**
 * no-route: the app spoke's route table still blackholes the old DMZ range
 * (next hop None), which now contains the data spoke's new reporting subnet.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function noRoute(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-11-30T20:02:17Z' });
  const { estate } = base;
  const table = estate.routeTables.find((candidate) => candidate.name === 'twl-app-spoke-rt');
  table?.routes.push({ name: 'blackhole-legacy-dmz', prefix: '10.82.4.0/22', nextHopType: 'None' });
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-reporting', prefix: '10.82.5.0/24', nsg: 'twl-reporting-snet-nsg', routeTable: 'twl-data-spoke-rt' });
  estate.nsgs.push({ name: 'twl-reporting-snet-nsg', resourceGroup: base.names.dataRg, rules: serverRules(base, [{ name: 'Allow-HTTPS-From-AppTier', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: base.addresses.appTierPrefix, destination: '*', destinationPorts: '443' }]) });
  addVm(base, { name: 'vm-rpt01', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-reporting', privateIp: '10.82.5.4', os: 'Linux', size: 'Standard_D4s_v5', zone: '2', workload: 'freight-reporting', created: '2026-11-30T22:15:48.6610938+00:00' });
  addNetworkRule(base, 'spoke-to-spoke', 1200, 'Allow', { name: 'app-to-reporting', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: ['10.82.5.0/24'], ports: ['443'], description: 'Freight reporting API (CHG-2612-007)' });
  const now = '2026-12-01T09:50:00Z';
  return {
    name: 'no-route',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium. The app spoke\'s route table twl-app-spoke-rt still carries blackhole-legacy-dmz (10.82.4.0/22, next hop None), left from the old DMZ that lived in that range; last night a reporting subnet 10.82.5.0/24 with vm-rpt01 was created in the data spoke inside it. Firewall rule and NSG for app tier -> vm-rpt01:443 are in place (CHG-2612-007). VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: { kind: 'vm', name: 'vm-rpt01' }, protocol: 'TCP', port: 443, perHour: 6, from: '2026-12-01T07:05:00Z' },
      { source: { kind: 'vm', name: 'vm-jump01' }, destination: { kind: 'vm', name: 'vm-rpt01' }, protocol: 'TCP', port: 22, perHour: 1, from: '2026-12-01T06:30:00Z', durationInSeconds: [120, 900] },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t vm-app01 reach the reporting API on vm-rpt01 (10.82.5.4:443) since 07:00 UTC?',
      status: 'failing', layer: 'path', cause: 'no_route', contributing: [], blockedAt: { component: 'route-table' },
      rationale: 'Window from 07:00 UTC on 2026-12-01; now is 09:50 UTC and Traffic Analytics runs every 10 minutes, so the window up to about 09:30 is covered. nic-vm-app01\'s effective routes hold the user route blackhole-legacy-dmz, 10.82.4.0/22, next hop None, Active; 10.82.5.4 lies inside it and the /22 beats the 0.0.0.0/0 route to the firewall by longest prefix, so the packets are dropped at the source host: Network Watcher next hop for 10.81.2.4 -> 10.82.5.4 is None with twl-app-spoke-rt as the route table. Consistent with that, AZFWNetworkRule has no row from 10.81.2.4 to 10.82.5.4 although app-to-reporting would allow it, and NTANetAnalytics has nothing at vm-rpt01\'s NIC from the app tier; vm-rpt01 itself is reachable: vm-jump01 (hub, its route table sends the data spoke to the firewall) connects on 22 through jump-admin with SYN-ACK/FIN in AZFWFlowTrace. The reporting NSG would allow 10.81.2.0/24 on 443. Cause no_route at route-table (twl-app-spoke-rt, route blackhole-legacy-dmz), confidence high: an Active effective route read from Azure, nothing contradicts. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: delete blackhole-legacy-dmz (or narrow it to the ranges still retired).',
    },
  };
}
