/**
 * tcp-no-response: a security baseline GPO reapplied the Windows Firewall
 * policy on vm-app02 at 08:00 and dropped its orders-API rule; SYNs from the web
 * tier reach the VM, Azure allows them, and nothing answers.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { endFlowsTo, standardExtend } from './common.js';

/** The story. */
export function tcpNoResponse(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-12-06T21:40:02Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const app02 = estate.vms.find((vm) => vm.name === 'vm-app02');
  if (!app02) throw new Error('vm-app02 missing');
  const since = '2026-12-07T08:01:30Z';
  endFlowsTo(base, 'vm-app02', 8443, since);
  const silent = (name: string) => ({ source: { kind: 'vm' as const, name }, destination: { kind: 'vm' as const, name: 'vm-app02' }, protocol: 'TCP' as const, port: 8443, perHour: 1.5, from: since, silent: true });
  const now = '2026-12-07T10:25:00Z';
  return {
    name: 'tcp-no-response',
    description: 'Fabrikam Retail (fictional), West Europe hub and spoke with Azure Firewall Premium. The storefront web tier (vm-web01, vm-web02 in snet-web) calls the orders API on vm-app01 and vm-app02 (snet-app, Windows Server, port 8443) inside the app spoke, without crossing the firewall. At 08:00 UTC today the server security baseline GPO was reapplied to the orders-API servers; vm-app02 picked it up at 08:01. A packet capture on vm-app02 (Network Watcher, 09:14 UTC, filter TCP 8443) is attached, rewritten to these addresses from a lab recording.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      silent('vm-web01'),
      silent('vm-web02'),
      { ...silent('vm-web01'), perHour: 0, at: ['2026-12-07T09:14:03.781Z'], sourcePort: 51882, packets: [7, 7] },
    ],
    packetCaptures: [{ target: ids.vm(app02), file: 'captures/vm-app02.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why does vm-web01 time out connecting to the orders API on vm-app02 (10.41.2.5:8443) since 08:00 UTC?',
      status: 'failing', layer: 'transport', cause: 'tcp_no_response', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 08:00 UTC on 2026-12-07; now is 10:25 UTC and Traffic Analytics runs every 10 minutes, so the window up to about 10:05 is covered. The web tier and vm-app02 share fab-app-weu-vnet: nic-vm-web01\'s effective routes send 10.41.2.5 to VnetLocal, so the firewall is not on the path and AZFWNetworkRule has nothing for it, as expected. Azure lets the SYNs through: fab-app-snet-nsg allows 10.41.1.0/24 to 8443 (Allow-AppApi-From-Web), and NTANetAnalytics at nic-vm-app02 shows the flows from 10.41.1.4 and 10.41.1.5 arriving (FlowDirection I, FlowStatus A, UserRule_Allow-AppApi-From-Web) since 08:01 with packets in and none back, no flow completed, while before 08:01 the same flows completed with kilobytes back. The capture on vm-app02 (captures/vm-app02.pcap, 09:14:03 UTC, 10.41.1.4:51882 -> 10.41.2.5:8443, the NIC\'s own MAC) shows a SYN and six retransmissions over seven seconds and no SYN-ACK, RST or ICMP: Zeek state S0, the packets reach the VM and nothing answers. vm-app02 itself is up (WinRM from 172.20.30.15 and its LDAP and Azure Monitor traffic continue), and vm-app01 still answers the same callers on 8443: the silence is vm-app02\'s own, most likely the Windows Firewall dropping 8443 since the baseline GPO (had the port been allowed with nothing listening, the VM would have answered RST, which is tcp_refused, not silence). Cause tcp_no_response at server, confidence high: capture frames on the destination, and the flow logs agree. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Next step: on vm-app02 check the Windows Firewall inbound rules (Get-NetFirewallRule for 8443, and whether the GPO sets "Apply local firewall rules: No") and that the service listens (netstat -ano | findstr 8443).',
    },
  };
}
