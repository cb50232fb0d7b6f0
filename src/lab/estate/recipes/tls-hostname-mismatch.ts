/**
 * tls-hostname-mismatch: yesterday's certificate rotation put another site's
 * certificate on vm-web01; the chain is valid, the name is not the one the
 * clients ask for, and they close with bad_certificate.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { endFlowsTo, standardExtend } from './common.js';

/** The story. */
export function tlsHostnameMismatch(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-12-09T23:03:18Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const web01 = estate.vms.find((vm) => vm.name === 'vm-web01');
  if (!web01) throw new Error('vm-web01 missing');
  const rotated = '2026-12-10T07:05:00Z';
  endFlowsTo(base, 'vm-web01', 443, rotated);
  const user = (ip: string, perHour: number) => ({ source: { kind: 'onprem' as const, ip }, destination: { kind: 'vm' as const, name: 'vm-web01' }, protocol: 'TCP' as const, port: 443, perHour, from: rotated, packets: [7, 7] as [number, number], responseBytes: [2_200, 2_350] as [number, number] });
  const now = '2026-12-10T11:05:00Z';
  return {
    name: 'tls-hostname-mismatch',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium and a VPN to the Des Moines campus (172.24.0.0/16). The patient-services portal runs on vm-web01 and vm-web02 (snet-web). At 07:00 UTC today an automation runbook rotated the web certificates from the internal CA; vm-web02 got its own, vm-web01 got the certificate of another site from the same batch. A packet capture on vm-web01 (Network Watcher, 10:12 UTC) is attached, rewritten to these addresses from a lab recording: the SNI the client sends is the lab\'s (localhost) and the certificate carries the lab\'s wrong name (wrong.example.test).',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      user('172.24.50.12', 4),
      user('172.24.51.3', 4),
      { ...user('172.24.50.12', 0), at: ['2026-12-10T10:12:55.018Z'], sourcePort: 47404 },
    ],
    packetCaptures: [{ target: ids.vm(web01), file: 'captures/vm-web01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why do users in Des Moines (e.g. 172.24.50.12) get a certificate name error on https://vm-web01 (10.21.1.4) since 07:00 UTC?',
      status: 'failing', layer: 'tls', cause: 'tls_hostname_mismatch', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 07:00 UTC on 2026-12-10; now is 11:05 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 10:45. The path works: 172.24.50.12 -> 10.21.1.4:443 goes from the GatewaySubnet through the firewall (Allow by onprem-to-azure/https-onprem-to-web, SYN-ACK, FIN and FIN-ACK in AZFWFlowTrace), wgh-web-snet-nsg allows it, and NTANetAnalytics at nic-vm-web01 shows the flows completed, but since 07:05 with only about 2.2 kB back each. The capture on vm-web01 (captures/vm-web01.pcap, 10:12:55 UTC, 172.24.50.12:47404 -> 10.21.1.4:443, also in AZFWNetworkRule) shows a TLS 1.2 ClientHello with SNI localhost, the server\'s Certificate message with two certificates that link (leaf and intermediate, issued by the test root), a leaf within its validity whose only subject alternative name is DNS:wrong.example.test, then the client\'s fatal alert bad_certificate (42) and a FIN. The chain is complete and the dates are valid, so by the contract\'s precedence the name decides: the certificate does not cover the name the client asked for (checked with Node\'s checkHost against the SNI). Cause tls_hostname_mismatch at server, confidence high (capture frames, nothing contradicts). The capture is a lab recording rewritten with tcprewrite: in production the SNI would be the portal\'s name; the mismatch between the name asked for and the certificate\'s names is the recorded fact. vm-web02 got its correct certificate and serves the same users normally. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: bind vm-web01\'s own certificate (the one whose SAN lists the portal\'s name) and add a name check to the rotation runbook.',
    },
  };
}
