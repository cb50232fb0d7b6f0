/**
 * nsg-flow-logs-only: an estate that never moved to VNet flow logs (NSG flow
 * logs with Traffic Analytics, AzureNetworkAnalytics_CL) and a new on-premises
 * reporting server whose SQL connections the firewall allows and the SQL subnet's
 * NSG denies.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, standardExtend } from './common.js';

/** The story. */
export function nsgFlowLogsOnly(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-12-18T21:02:33Z' });
  const { estate } = base;
  for (const vnet of estate.vnets) {
    vnet.flowLog = null;
    vnet.nsgFlowLogs = [...new Set(vnet.subnets.flatMap((subnet) => (subnet.nsg ? [subnet.nsg] : [])))];
  }
  estate.flowLogPolicyInterval = null;
  const reporting = '172.24.30.40';
  addNetworkRule(base, 'onprem-to-azure', 1000, 'Allow', { name: 'reporting-to-sql', protocols: ['TCP'], sources: [reporting], destinations: ['10.22.1.4'], ports: ['1433'], description: 'SSRS reporting server (CHG-2612-172)' });
  const now = '2026-12-19T11:50:00Z';
  return {
    name: 'nsg-flow-logs-only',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium and a VPN to the Des Moines campus (172.24.0.0/16). Flow logging was set up in 2023 as NSG flow logs (version 2) on every subnet NSG, with Traffic Analytics every 60 minutes into the legacy AzureNetworkAnalytics_CL table; there are no VNet flow logs and no flow-log policy. A new SSRS reporting server on premises (172.24.30.40) went live at 08:00 UTC today; CHG-2612-172 added its firewall rule to vm-sql01.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'onprem', ip: reporting }, destination: { kind: 'vm', name: 'vm-sql01' }, protocol: 'TCP', port: 1433, perHour: 6, from: '2026-12-19T08:00:00Z', packets: [3, 4] },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t the new reporting server 172.24.30.40 connect to SQL on vm-sql01 (10.22.1.4:1433) between 08:00 and 10:00 UTC?',
      status: 'failing', layer: 'path', cause: 'nsg_deny', contributing: ['nsg_flow_logs_deprecated'], blockedAt: { component: 'nsg' },
      rationale: 'Window 08:00-10:00 UTC on 2026-12-19; now is 11:50 UTC. The NSG flow logs\' Traffic Analytics runs every 60 minutes, so the intervals 08:00-09:00 and 09:00-10:00 are processed by about 10:45 at the latest: covered. Forward path: from the GatewaySubnet, wgh-gatewaysubnet-rt sends 10.22.0.0/16 to the firewall 10.20.1.4, where AZFWNetworkRule shows each attempt from 172.24.30.40 Allow by onprem-to-azure/reporting-to-sql, with no SYN-ACK, FIN or RST in AZFWFlowTrace. Then the SQL subnet\'s NSG: nic-vm-sql01\'s effective rules (wgh-sql-snet-nsg) allow 1433 only from 10.21.2.0/24 (Allow-SQL-From-App, priority 100); 172.24.30.40 matches neither that nor the admin and monitoring rules, and DenyAllInboundCustom (priority 4096) denies it. The flow logs agree: this estate has no VNet flow logs (no NTANetAnalytics table), only NSG flow logs on the subnet NSGs, and AzureNetworkAnalytics_CL has rows for 172.24.30.40 -> 10.22.1.4:1433 with FlowDirection_s I, FlowStatus_s D, NSGList_s .../wgh-sql-snet-nsg, NSGRule_s userrule_denyallinboundcustom, in the 08:00 and 09:00 intervals. Cause nsg_deny at nsg (wgh-sql-snet-nsg, rule DenyAllInboundCustom), confidence high: an effective rule read from Azure and deny rows of the flow logs. Contributing nsg_flow_logs_deprecated: the only flow logs covering vm-sql01 are NSG flow logs (no new ones since 30 June 2025, retired on 30 September 2027). The change added the firewall rule but not the NSG rule. Distractors: the firewall\'s default-action deny of the monitoring host 172.24.30.15 to 10.22.1.4:1433 (a different address), threat-intelligence and IDPS alerts in alert mode. Fix: add an inbound rule for 172.24.30.40 on 1433 to wgh-sql-snet-nsg above 4096; and migrate to VNet flow logs (see netproof coverage).',
    },
  };
}
