/**
 * path-ok: a Sydney user reports errors in the freight portal and the service
 * desk suspects the network; every source agrees that the connection to vm-web01
 * works both ways, and a capture shows a complete TCP and TLS handshake.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { standardExtend } from './common.js';

/** The story. */
export function pathOk(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-12-14T19:08:13Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const web01 = estate.vms.find((vm) => vm.name === 'vm-web01');
  if (!web01) throw new Error('vm-web01 missing');
  const user = { kind: 'onprem' as const, ip: '192.168.41.8' };
  const now = '2026-12-15T10:30:00Z';
  return {
    name: 'path-ok',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium and a VPN to the Sydney data centre (192.168.0.0/17). The freight portal runs on vm-web01 and vm-web02 (snet-web). A dispatcher at 192.168.41.8 reports "the portal keeps giving me errors" since 09:00 UTC and the service desk raised it as a network incident. A packet capture on vm-web01 (09:23 UTC) is attached, rewritten to these addresses from a lab recording.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: user, destination: { kind: 'vm', name: 'vm-web01' }, protocol: 'TCP', port: 443, perHour: 6, from: '2026-12-15T08:55:00Z', packets: [10, 24], responseBytes: [6_000, 90_000] },
      { source: user, destination: { kind: 'vm', name: 'vm-web01' }, protocol: 'TCP', port: 443, perHour: 0, at: ['2026-12-15T09:23:10.118Z'], sourcePort: 49384, packets: [9, 9], responseBytes: [2_600, 2_600] },
    ],
    packetCaptures: [{ target: ids.vm(web01), file: 'captures/vm-web01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'is the network blocking 192.168.41.8 from the freight portal on vm-web01 (10.81.1.4:443) between 09:00 and 10:00 UTC? the user keeps getting errors',
      status: 'ok', layer: 'none', cause: 'path_ok', contributing: [], blockedAt: null,
      rationale: 'Window 09:00-10:00 UTC on 2026-12-15; now is 10:30 UTC, so firewall logs cover it and Traffic Analytics (10 minutes) covers it up to about 10:10. Forward path: from the GatewaySubnet, twl-gatewaysubnet-rt sends 10.81.0.0/16 to the firewall 10.80.1.4, where AZFWNetworkRule shows every connection from 192.168.41.8 to 10.81.1.4:443 Allow by onprem-to-azure/https-onprem-to-web; return path: nic-vm-web01\'s effective routes send 192.168.0.0/17 to the firewall too (0.0.0.0/0 user route, propagation off), so both directions cross the same firewall and AZFWFlowTrace shows SYN-ACK, FIN and FIN-ACK for them. twl-web-snet-nsg allows it (Allow-HTTPS-From-OnPrem) and NTANetAnalytics at nic-vm-web01 shows the flows inbound, allowed and completed with packets and kilobytes in both directions. The capture on vm-web01 (captures/vm-web01.pcap, 09:23:10 UTC, 192.168.41.8:49384 -> 10.81.1.4:443, also in AZFWNetworkRule) shows the TCP handshake, a complete TLS 1.2 handshake (the server sends leaf and intermediate, the chain links), encrypted application data both ways and an orderly close: Zeek state SF, no alert in clear text. Packets flow both ways and the handshakes complete: the network is not what fails, the errors come from higher up (the portal application, the browser, or the user\'s session). Cause path_ok (status ok, layer none, blockedAt null), confidence high: capture frames and logs from both sides agree. The capture is a lab recording rewritten to these addresses; its names (localhost) are not judged. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode, none about this flow. Next step: the portal\'s application logs for the user\'s requests between 09:00 and 10:00.',
    },
  };
}
