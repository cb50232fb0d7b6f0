/**
 * tls-expired: the orders API on vm-app01 has served a certificate that expired
 * in January 2021 for years; today's storefront release stopped skipping
 * certificate validation, so the web tier's calls fail with certificate_expired.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { endFlowsTo, standardExtend } from './common.js';

/** The story. */
export function tlsExpired(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-12-08T19:51:30Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const app01 = estate.vms.find((vm) => vm.name === 'vm-app01');
  if (!app01) throw new Error('vm-app01 missing');
  const release = '2026-12-09T07:16:00Z';
  endFlowsTo(base, 'vm-app01', 8443, release);
  const call = (name: string) => ({ source: { kind: 'vm' as const, name }, destination: { kind: 'vm' as const, name: 'vm-app01' }, protocol: 'TCP' as const, port: 8443, perHour: 3, from: release, packets: [7, 7] as [number, number], responseBytes: [2_200, 2_300] as [number, number] });
  const now = '2026-12-09T09:55:00Z';
  return {
    name: 'tls-expired',
    description: 'Northwind Traders (fictional), UK South hub and spoke with Azure Firewall Premium. The storefront web tier (vm-web01, vm-web02) calls the orders API on vm-app01 and vm-app02 on port 8443 inside the app spoke. Storefront release 4.2 went out at 07:15 UTC today; its change log says "removed the certificate validation override in the orders API client". A packet capture on vm-app01 (09:21 UTC) is attached, rewritten to these addresses from a lab recording: the certificate\'s name is the lab\'s (localhost) and its validity is as recorded.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      call('vm-web01'),
      call('vm-web02'),
      { ...call('vm-web02'), perHour: 0, at: ['2026-12-09T09:21:44.106Z'], sourcePort: 46488 },
    ],
    packetCaptures: [{ target: ids.vm(app01), file: 'captures/vm-app01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why do calls from vm-web02 to the orders API on vm-app01 (10.61.2.4:8443) fail with a TLS error since the 07:15 UTC release?',
      status: 'failing', layer: 'tls', cause: 'tls_expired', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window from 07:15 UTC on 2026-12-09; now is 09:55 UTC and Traffic Analytics runs every 10 minutes, so the window up to about 09:35 is covered. The path works: web tier and vm-app01 share nwt-app-uks-vnet (VnetLocal, no firewall on the path), nwt-app-snet-nsg allows 10.61.1.0/24 to 8443 (Allow-AppApi-From-Web), and NTANetAnalytics at nic-vm-app01 shows the flows allowed and completed, but since 07:16 with only about 2.2 kB back each (a handshake, no API response). The capture on vm-app01 (captures/vm-app01.pcap, 09:21:44 UTC, 10.61.1.5:46488 -> 10.61.2.4:8443) shows the TCP handshake, a TLS 1.2 ClientHello, the server\'s Certificate message with two certificates that link (leaf and intermediate), a leaf valid from 2020-01-01 to 2021-01-01, then the client\'s fatal alert certificate_expired (45) and a FIN. The certificate has been expired for years: the old client skipped validation, release 4.2 removed that override, so the certificate, not the network, now stops the call. vm-app02 serves a valid certificate, and its flows from the same clients keep completing with full responses. Cause tls_expired at server, confidence high (certificate dates and the alert in the capture, nothing contradicts). The capture is a lab recording rewritten to these addresses: the certificate name is localhost and not judged here. Distractors: firewall denies and alerts elsewhere in the estate. Fix: issue a new certificate for the orders API on vm-app01 (and monitor expiry); do not reintroduce the validation override.',
    },
  };
}
