/**
 * flow-logs-not-yet-ingested: the question is about the last 20 minutes while
 * Traffic Analytics processes hourly intervals; the firewall only shows that
 * it allowed the SYNs (no flow trace), so nothing decides the outcome yet.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { standardExtend } from './common.js';

/** The story. */
export function flowLogsNotYetIngested(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-11-28T22:10:49Z' });
  const { estate } = base;
  for (const vnet of estate.vnets) if (vnet.flowLog) vnet.flowLog.intervalInMinutes = 60;
  estate.flowLogPolicyInterval = 60;
  estate.firewall.flowTrace = false;
  const now = '2026-11-29T14:20:00Z';
  const at = ['14:01:12.402', '14:02:55.019', '14:04:31.733', '14:07:02.118', '14:09:47.560', '14:12:20.905', '14:15:03.371', '14:18:41.648'].map((time) => `2026-11-29T${time}Z`);
  return {
    name: 'flow-logs-not-yet-ingested',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium (resource-specific logs; TCP connection logging, i.e. flow trace, not enabled) and a VPN to the Sydney data centre (192.168.0.0/17). VNet flow logs with Traffic Analytics at the policy default interval of 60 minutes. Sydney users reach the storefront on vm-web01 and vm-web02 over HTTPS through the firewall.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'onprem', ip: '192.168.40.230' }, destination: { kind: 'vm', name: 'vm-web02' }, protocol: 'TCP', port: 443, perHour: 0, at, packets: [3, 4] },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t 192.168.40.230 reach https://vm-web02 (10.81.1.5) between 14:00 and 14:20 UTC?',
      status: 'unknown', layer: 'none', cause: 'insufficient_evidence', contributing: ['logs_not_yet_ingested'], blockedAt: null,
      rationale: 'Window 14:00-14:20 UTC on 2026-11-29 and now is 14:20 UTC: the window is the last 20 minutes. The app VNet\'s flow log runs Traffic Analytics every 60 minutes (trafficAnalyticsInterval 60, the policy default), so the interval 14:00-15:00 ends after now and cannot be processed before about 15:00 plus up to an hour; NTANetAnalytics has no row for it (its newest rows belong to earlier hourly intervals). A window is covered only when it ends more than the interval plus up to an hour before now: this one is not, so the absence of rows says nothing. AZFWNetworkRule shows eight SYNs from 192.168.40.230 to 10.81.1.5:443 in the window, each Allow by onprem-to-azure/https-onprem-to-web: the firewall passed the first packet of each connection, which rules out the firewall and the route to it but not what happens after. Flow trace (AZFWFlowTrace) is not enabled on this firewall, so no SYN-ACK or RST can be seen; the NSGs on the path would allow the flow by configuration (Allow-HTTPS-From-OnPrem), and there is no capture. Earlier today the same client reached vm-web02 without trouble (Allow rows and completed flows in processed intervals), which is not evidence for the last 20 minutes. Cause insufficient_evidence (blockedAt null), contributing logs_not_yet_ingested, confidence low. Next steps: ask again after about 15:30 UTC when the 14:00 interval is processed, or run a packet capture on vm-web02 now, and consider a 10-minute Traffic Analytics interval and enabling flow trace. Distractors: default-action denies, threat-intelligence and IDPS alerts (alert mode).',
    },
  };
}
