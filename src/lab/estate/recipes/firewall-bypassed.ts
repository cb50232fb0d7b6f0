/**
 * firewall-bypassed: the app and data spokes were peered directly "for
 * latency" on Tuesday; the peering's /16 routes beat the spokes' 0.0.0.0/0 to
 * the firewall both ways, so the orders API's SQL traffic works but is no longer
 * inspected or logged by the firewall.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { standardExtend } from './common.js';

/** The story. */
export function firewallBypassed(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-12-17T20:44:16Z' });
  const { estate } = base;
  estate.peerings.push(
    { from: base.names.app, to: base.names.data, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: false },
    { from: base.names.data, to: base.names.app, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: false },
  );
  const now = '2026-12-18T09:40:00Z';
  return {
    name: 'firewall-bypassed',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium. Policy: all traffic between spokes goes through the firewall (spoke route tables send 0.0.0.0/0 to it; rule spoke-to-spoke/app-to-sql allows the orders API to SQL). On Tuesday (2026-12-15) a database engineer peered the app spoke and the data spoke directly to cut latency for the orders API. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [...base.flows],
    extend: standardExtend(base),
    expect: {
      question: 'security says the firewall has logged nothing for vm-app01 to vm-sql01 (10.82.1.4) on 1433 since Tuesday. Does that traffic still go through the firewall? between 08:00 and 09:00 UTC today',
      status: 'ok', layer: 'none', cause: 'path_ok', contributing: ['firewall_bypassed'], blockedAt: null,
      rationale: 'Window 08:00-09:00 UTC on 2026-12-18; now is 09:40 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it. The flow works: NTANetAnalytics shows vm-app01 (10.81.2.4) to 10.82.1.4:1433 outbound at nic-vm-app01 and inbound at nic-vm-sql01, allowed (UserRule_Allow-SQL-From-App at the SQL subnet), completed, with hundreds of kilobytes back, FlowType InterVNet. But AZFWNetworkRule has no row for it at all, although spoke-to-spoke/app-to-sql would allow it, while the firewall logs the same VMs\' other traffic (LDAP and Kerberos to the domain controllers, Azure Monitor). The reason is in the effective routes: twl-app-aue-vnet and twl-data-aue-vnet are now peered directly (peer-twl-app-aue-vnet-to-twl-data-aue-vnet and back, Connected), so nic-vm-app01 has 10.82.0.0/16 next hop VNetPeering and nic-vm-sql01 has 10.81.0.0/16 next hop VNetPeering; each /16 beats the user route default-route-to-firewall (0.0.0.0/0 -> 10.80.1.4) by longest prefix, in both directions. Symmetric, so nothing breaks: the flow simply goes around the firewall the route tables intend. Cause path_ok (status ok, blockedAt null) with contributing firewall_bypassed; confidence high: effective routes read from both NICs and flow logs on both sides agree. The NSGs now decide alone (twl-sql-snet-nsg allows 10.81.2.0/24 on 1433 only). Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix if inspection is required: remove the direct peering, or add user routes for 10.82.0.0/16 on the app spoke and 10.81.0.0/16 on the data spoke to the firewall (a UDR with the same prefix overrides the peering route).',
    },
  };
}
