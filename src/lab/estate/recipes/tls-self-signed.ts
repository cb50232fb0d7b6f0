/**
 * tls-self-signed: vm-web02 was rebuilt from the base image this morning and
 * came up with the image's self-signed placeholder certificate; the path is fine
 * and a capture on vm-web02 shows the single self-signed certificate and the
 * client's unknown_ca alert.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { endFlowsTo, standardExtend } from './common.js';

/** The story. */
export function tlsSelfSigned(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-12-07T20:12:44Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const web02 = estate.vms.find((vm) => vm.name === 'vm-web02');
  if (!web02) throw new Error('vm-web02 missing');
  web02.created = '2026-12-08T06:22:19.5510832+00:00';
  const rebuilt = '2026-12-08T06:41:00Z';
  endFlowsTo(base, 'vm-web02', 443, rebuilt);
  const user = (ip: string, perHour: number) => ({ source: { kind: 'onprem' as const, ip }, destination: { kind: 'vm' as const, name: 'vm-web02' }, protocol: 'TCP' as const, port: 443, perHour, from: rebuilt, packets: [7, 7] as [number, number], responseBytes: [1_300, 1_450] as [number, number] });
  const now = '2026-12-08T10:15:00Z';
  return {
    name: 'tls-self-signed',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium and a VPN to the Sydney data centre (192.168.0.0/17). The freight portal runs on vm-web01 and vm-web02 (nginx, snet-web) behind no load balancer; Sydney users are spread over both by DNS. vm-web02 was rebuilt from the base image at 06:22 UTC today after a failed kernel update. A packet capture on vm-web02 (Network Watcher, 09:02 UTC) is attached, rewritten to these addresses from a lab recording: its SNI and certificate names are the lab\'s (localhost).',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      user('192.168.40.230', 4),
      user('192.168.41.80', 4),
      { ...user('192.168.40.230', 0), at: ['2026-12-08T09:02:17.640Z'], sourcePort: 46760 },
    ],
    packetCaptures: [{ target: ids.vm(web02), file: 'captures/vm-web02.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why does 192.168.40.230 get "your connection is not private" from the freight portal https://vm-web02 (10.81.1.5) since 06:40 UTC?',
      status: 'failing', layer: 'tls', cause: 'tls_self_signed', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 06:40 UTC on 2026-12-08 (the rebuild); now is 10:15 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 09:55. The path works: 192.168.40.230 -> 10.81.1.5:443 goes from the GatewaySubnet (app-spoke-to-firewall) through the firewall, Allow by onprem-to-azure/https-onprem-to-web with SYN-ACK, FIN and FIN-ACK in AZFWFlowTrace; twl-web-snet-nsg allows it and NTANetAnalytics at nic-vm-web02 shows the flows allowed and completed, but since 06:41 with only about 1.3 kB back each, where before the rebuild each session returned tens of kilobytes. The capture on vm-web02 (captures/vm-web02.pcap, 09:02:17 UTC, the connection from 192.168.40.230:46760 that also appears in AZFWNetworkRule) shows the TCP handshake, a TLS 1.2 ClientHello, and a Certificate message with a single certificate whose subject equals its issuer and which is not a known root: self-signed. The client answers with a fatal alert unknown_ca (48) and closes. By the contract\'s precedence the certificates decide (the alert alone would also fit an incomplete chain): tls_self_signed at server, confidence high (capture frames, nothing contradicts). vm-web01, not rebuilt, keeps serving the same users normally. The capture is a lab recording rewritten with tcprewrite: SNI and certificate name are localhost, which is not what is being judged here. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: install the portal\'s CA-issued certificate and chain on vm-web02 (and add the certificate step to the rebuild runbook or image).',
    },
  };
}
