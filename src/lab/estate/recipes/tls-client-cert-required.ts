/**
 * tls-client-cert-required: the orders API on vm-app01 was switched to mutual
 * TLS this morning; the web tier's client was not given a client certificate, so
 * it answers the CertificateRequest with an empty Certificate and the server
 * ends the handshake with handshake_failure.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { endFlowsTo, standardExtend } from './common.js';

/** The story. */
export function tlsClientCertRequired(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-12-11T18:27:36Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const app01 = estate.vms.find((vm) => vm.name === 'vm-app01');
  if (!app01) throw new Error('vm-app01 missing');
  const switched = '2026-12-12T06:32:00Z';
  endFlowsTo(base, 'vm-app01', 8443, switched);
  const call = (name: string) => ({ source: { kind: 'vm' as const, name }, destination: { kind: 'vm' as const, name: 'vm-app01' }, protocol: 'TCP' as const, port: 8443, perHour: 3, from: switched, packets: [6, 6] as [number, number], responseBytes: [2_400, 2_450] as [number, number] });
  const now = '2026-12-12T09:20:00Z';
  return {
    name: 'tls-client-cert-required',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium. The freight portal (vm-web01, vm-web02) calls the booking API on vm-app01 and vm-app02 on port 8443 inside the app spoke. CHG-2612-118 switched vm-app01\'s API to mutual TLS (client certificates from the internal CA) at 06:30 UTC today as a pilot; vm-app02 follows next week. A packet capture on vm-app01 (08:47 UTC) is attached, rewritten to these addresses from a lab recording: its names are the lab\'s (localhost).',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      call('vm-web01'),
      call('vm-web02'),
      { ...call('vm-web01'), perHour: 0, at: ['2026-12-12T08:47:09.512Z'], sourcePort: 51500 },
    ],
    packetCaptures: [{ target: ids.vm(app01), file: 'captures/vm-app01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why do calls from vm-web01 to the booking API on vm-app01 (10.81.2.4:8443) fail with "handshake failure" since 06:30 UTC?',
      status: 'failing', layer: 'tls', cause: 'tls_handshake_failure', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 06:30 UTC on 2026-12-12; now is 09:20 UTC and Traffic Analytics runs every 10 minutes, so the window up to about 09:00 is covered. The path works: vm-web01 (10.81.1.4) and vm-app01 share twl-app-aue-vnet (VnetLocal, no firewall), twl-app-snet-nsg allows 10.81.1.0/24 to 8443 (Allow-AppApi-From-Web), and NTANetAnalytics at nic-vm-app01 shows the flows allowed and completed, but since 06:32 with about 2.4 kB back each and no API response. The capture on vm-app01 (captures/vm-app01.pcap, 08:47:09 UTC, 10.81.1.4:51500 -> 10.81.2.4:8443) shows a TLS 1.2 handshake in which the server sends its certificate chain and a CertificateRequest; the client answers with a Certificate message holding no certificate, and the server sends a fatal alert handshake_failure (40) and closes first. The server\'s certificates are fine (chain complete, valid, the name is the lab\'s localhost), so by the contract\'s precedence the handshake messages decide: the server requires a client certificate and the client has none. The contract has no cause of its own for this: tls_handshake_failure at server, with the summary naming "client certificate required" (capture observation tls_client_certificate_required), confidence high. vm-app02, not yet switched, keeps answering the same clients. Distractors: firewall denies and alerts elsewhere in the estate. Fix: give the portal\'s API client a certificate from the internal CA (and the key to present it), or roll back mutual TLS on vm-app01 until the clients are ready.',
    },
  };
}
