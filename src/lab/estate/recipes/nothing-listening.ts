/**
 * nothing-listening: after the 08:40 patch reboot SQL Server did not start on
 * vm-sql01; the path is open end to end and the server's TCP stack answers the
 * SYNs with RST.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { standardExtend } from './common.js';

/** The story. */
export function nothingListening(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-11-27T19:20:33Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const sql = estate.vms.find((vm) => vm.name === 'vm-sql01');
  if (!sql) throw new Error('vm-sql01 missing');
  for (const flow of base.flows) {
    if (flow.destination.kind === 'vm' && flow.destination.name === 'vm-sql01' && flow.port === 1433 && flow.source.kind === 'vm') flow.to = '2026-11-28T08:39:00Z';
  }
  const now = '2026-11-28T10:20:00Z';
  const refused = (name: string, perHour: number) => ({ source: { kind: 'vm' as const, name }, destination: { kind: 'vm' as const, name: 'vm-sql01' }, protocol: 'TCP' as const, port: 1433, perHour, from: '2026-11-28T08:45:00Z', refused: true });
  return {
    name: 'nothing-listening',
    description: 'Northwind Traders (fictional), UK South hub and spoke with Azure Firewall Premium (flow trace on). The orders API on vm-app01 and vm-app02 uses SQL Server on vm-sql01 (10.62.1.4, data spoke) through the firewall. vm-sql01 was patched and rebooted at 08:40 UTC today (maintenance window). A packet capture on vm-sql01 (09:03 UTC) is attached, rewritten to these addresses from a lab recording.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      refused('vm-app01', 6),
      refused('vm-app02', 6),
      { ...refused('vm-app02', 0), at: ['2026-11-28T09:03:12.554Z'], sourcePort: 53312 },
    ],
    packetCaptures: [{ target: ids.vm(sql), file: 'captures/vm-sql01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t vm-app02 connect to SQL on vm-sql01 (10.62.1.4:1433) since 08:45 UTC?',
      status: 'failing', layer: 'transport', cause: 'tcp_refused', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 08:45 UTC on 2026-11-28; now is 10:20 UTC and Traffic Analytics runs every 10 minutes, so the window up to about 10:00 is covered. Path: vm-app02 (10.61.2.5) sends 10.62.1.4 to its 0.0.0.0/0 route, the firewall 10.60.1.4; AZFWNetworkRule shows every attempt Allow by spoke-to-spoke/app-to-sql, and the SQL subnet NSG allows it (Allow-SQL-From-App, 10.61.2.0/24). NTANetAnalytics at nic-vm-sql01 shows the flows arriving (FlowDirection I, FlowStatus A, UserRule_Allow-SQL-From-App) with exactly one packet back per flow, and AZFWFlowTrace shows Flag RST from 10.62.1.4:1433 to the client instead of the SYN-ACK/FIN/FIN-ACK pattern the same flows had before 08:39. The capture on vm-sql01 (captures/vm-sql01.pcap, 09:03:12 UTC, 10.61.2.5:53312 -> 10.62.1.4:1433, also in AZFWNetworkRule) shows a SYN answered at once by RST/ACK from the server\'s address: Zeek state REJ, nothing listens on 1433. The VM itself is up: WinRM from 10.129.30.15 still completes. Cause tcp_refused at server, confidence high (capture frames and RST flow-trace rows, nothing contradicts). Distractors: the default-action deny of 10.129.30.15 -> 10.62.1.4:1433 (monitoring host, not allowed by design), threat-intelligence and IDPS alerts in alert mode. Next step: start the SQL Server service on vm-sql01 and check why it failed after the reboot (service account, disk, or a changed TCP port).',
    },
  };
}
