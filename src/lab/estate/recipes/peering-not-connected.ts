/**
 * peering-not-connected: last night's hub deployment deleted and re-created the
 * hub side of the data spoke's peering; the spoke side went Disconnected and the
 * new hub side waits Initiated, so the firewall has no route into the data spoke.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { standardExtend } from './common.js';

/** The story. */
export function peeringNotConnected(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-12-04T20:48:12Z' });
  const { estate } = base;
  for (const peering of estate.peerings) {
    if (peering.from === base.names.hub && peering.to === base.names.data) peering.state = 'Initiated';
    if (peering.from === base.names.data && peering.to === base.names.hub) peering.state = 'Disconnected';
  }
  const now = '2026-12-05T09:30:00Z';
  return {
    name: 'peering-not-connected',
    description: 'Northwind Traders (fictional), UK South hub and spoke with Azure Firewall Premium and a VPN to the Manchester office. The orders database vm-sql01 lives in the data spoke (10.62.0.0/16). Yesterday at 18:20 UTC the platform team\'s hub deployment (Bicep, complete mode on the peering module) deleted and re-created the hub\'s peering to the data spoke; nobody re-created the spoke side. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: { kind: 'vm', name: 'vm-sql01' }, protocol: 'TCP', port: 1433, perHour: 4, packets: [3, 6] },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t the orders API on vm-app01 connect to SQL on vm-sql01 (10.62.1.4:1433) since last night?',
      status: 'failing', layer: 'path', cause: 'peering_not_connected', contributing: [], blockedAt: { component: 'peering' },
      rationale: 'Window: since about 18:20 UTC on 2026-12-04; now is 09:30 UTC on 2026-12-05, the history starts at 21:30 and Traffic Analytics (10 minutes) covers it up to about 09:10. The hub VNet\'s peering peer-nwt-hub-uks-vnet-to-nwt-data-uks-vnet has peeringState Initiated and the data spoke\'s peer-nwt-data-uks-vnet-to-nwt-hub-uks-vnet has peeringState Disconnected (peeringSyncLevel RemoteNotInSync): the hub side was deleted and re-created, which leaves the old spoke side Disconnected until it is deleted and re-created too. A peering that is not Connected carries no traffic and programs no routes: nic-vm-sql01\'s effective routes have no VNetPeering route to 10.60.0.0/16 and no gateway routes, and the hub has no route to 10.62.0.0/16 (it falls into the 10.0.0.0/8 None route). vm-app01 (10.61.2.4) sends 10.62.1.4 to its 0.0.0.0/0 route, the firewall 10.60.1.4, which still logs each SYN Allow by spoke-to-spoke/app-to-sql in AZFWNetworkRule, but AZFWFlowTrace has no SYN-ACK, FIN or RST for them since, and NTANetAnalytics has no inbound row at nic-vm-sql01: nothing arrives. vm-sql01\'s own outbound flows (LDAP and Kerberos to 10.128.1.10/11, Azure Monitor) appear at its NIC with no packets back and never in the firewall logs: its 0.0.0.0/0 route points at an address it can no longer reach. The app spoke, still Connected, works (vm-app01 to the domain controllers completes). Cause peering_not_connected at peering, confidence high: both peering states read from Azure, consistent with the logs. Not firewall_deny: the rule allows the flow. Fix: delete and re-create the data spoke\'s peering to the hub (or re-sync both sides), then make the hub deployment incremental for peerings.',
    },
  };
}
