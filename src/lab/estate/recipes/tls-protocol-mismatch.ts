/**
 * tls-protocol-mismatch: the new kiosk PCs in the Amsterdam store enforce a
 * TLS 1.3-only baseline; the storefront's nginx on vm-web02 still allows TLS 1.2
 * only, so the server refuses their ClientHello with protocol_version.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { standardExtend } from './common.js';

/** The story. */
export function tlsProtocolMismatch(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-12-10T22:44:09Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const web02 = estate.vms.find((vm) => vm.name === 'vm-web02');
  if (!web02) throw new Error('vm-web02 missing');
  const kiosk = (ip: string, perHour: number) => ({ source: { kind: 'onprem' as const, ip }, destination: { kind: 'vm' as const, name: 'vm-web02' }, protocol: 'TCP' as const, port: 443, perHour, from: '2026-12-11T08:00:00Z', packets: [6, 6] as [number, number], responseBytes: [280, 300] as [number, number] });
  const now = '2026-12-11T10:50:00Z';
  return {
    name: 'tls-protocol-mismatch',
    description: 'Fabrikam Retail (fictional), West Europe hub and spoke with Azure Firewall Premium and a VPN to the Amsterdam data centre (172.20.0.0/14). The storefront runs on vm-web01 and vm-web02 (nginx, snet-web). This morning the Amsterdam store switched on four new self-service kiosks (172.21.12.40-43) built with the retail security baseline, which allows TLS 1.3 only; office PCs are unchanged. vm-web02\'s nginx configuration (ssl_protocols TLSv1.2) dates from 2023. A packet capture on vm-web02 (09:37 UTC) is attached, rewritten to these addresses from a lab recording.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      kiosk('172.21.12.40', 3),
      kiosk('172.21.12.41', 3),
      kiosk('172.21.12.42', 2),
      { ...kiosk('172.21.12.40', 0), at: ['2026-12-11T09:37:26.305Z'], sourcePort: 40788 },
    ],
    packetCaptures: [{ target: ids.vm(web02), file: 'captures/vm-web02.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t the new kiosk 172.21.12.40 in the Amsterdam store open https://vm-web02 (10.41.1.5) since 08:00 UTC? office PCs can',
      status: 'failing', layer: 'tls', cause: 'tls_protocol_mismatch', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 08:00 UTC on 2026-12-11; now is 10:50 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 10:30. The path works: 172.21.12.40 -> 10.41.1.5:443 goes from the GatewaySubnet (app-spoke-to-firewall) through the firewall, Allow by onprem-to-azure/https-onprem-to-web (172.20.0.0/14 covers the kiosks) with SYN-ACK, FIN and FIN-ACK in AZFWFlowTrace; fab-web-snet-nsg allows it and NTANetAnalytics at nic-vm-web02 shows the kiosks\' flows completed with under 300 bytes back each, while office PCs (172.21.10.52, 172.21.11.24) get full pages from the same server. The capture on vm-web02 (captures/vm-web02.pcap, 09:37:26 UTC, 172.21.12.40:40788 -> 10.41.1.5:443, also in AZFWNetworkRule) shows the TCP handshake, a ClientHello whose supported_versions offers TLS 1.3 only, and the server answering at once with a fatal alert protocol_version (70), no ServerHello and no certificate; then both sides close. Client and server share no TLS version. Cause tls_protocol_mismatch at server, confidence high (capture frames, nothing contradicts). The certificate is not involved: none was sent. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: enable TLS 1.3 on vm-web02 (ssl_protocols TLSv1.2 TLSv1.3, with a current OpenSSL), and check vm-web01 the same way.',
    },
  };
}
