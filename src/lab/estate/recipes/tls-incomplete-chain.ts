/**
 * tls-incomplete-chain: after this morning's certificate renewal the storefront
 * web server sends its leaf without the intermediate; the path is fine and a
 * capture on vm-web01 shows the client's unknown_ca alert.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { standardExtend } from './common.js';

/** The story. */
export function tlsIncompleteChain(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-11-26T23:58:30Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const web = estate.vms.find((vm) => vm.name === 'vm-web01');
  if (!web) throw new Error('vm-web01 missing');
  const now = '2026-11-27T10:05:00Z';
  const user = { kind: 'onprem' as const, ip: '172.21.10.5' };
  return {
    name: 'tls-incomplete-chain',
    description: 'Fabrikam Retail (fictional), West Europe hub and spoke with Azure Firewall Premium and a VPN to the Amsterdam data centre. The storefront on vm-web01 and vm-web02 (nginx, snet-web) serves Amsterdam users over HTTPS through the firewall; vm-web01\'s certificate was renewed at 07:30 UTC today. A packet capture on vm-web01 (Network Watcher, 09:12 UTC) is attached. The capture was made in a lab and rewritten to these addresses: its SNI and certificate names are the lab\'s (localhost).',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: user, destination: { kind: 'vm', name: 'vm-web01' }, protocol: 'TCP', port: 443, perHour: 0, at: ['2026-11-27T09:12:41.207Z'], sourcePort: 38266, packets: [7, 7], responseBytes: [1_600, 1_600] },
      { source: user, destination: { kind: 'vm', name: 'vm-web01' }, protocol: 'TCP', port: 443, perHour: 4, from: '2026-11-27T07:35:00Z', packets: [7, 7], responseBytes: [1_500, 1_700] },
    ],
    packetCaptures: [{ target: ids.vm(web), file: 'captures/vm-web01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why do users get a certificate error on https://vm-web01 (10.41.1.4) since this morning\'s certificate renewal, e.g. 172.21.10.5 between 09:00 and 09:30 UTC?',
      status: 'failing', layer: 'tls', cause: 'tls_incomplete_chain', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window 09:00-09:30 UTC on 2026-11-27; now is 10:05 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it. The path works: 172.21.10.5 -> 10.41.1.4:443 goes from the GatewaySubnet (route app-spoke-to-firewall) through the firewall, where every attempt is Allow by onprem-to-azure/https-onprem-to-web, with SYN-ACK, FIN and FIN-ACK in AZFWFlowTrace; the web subnet NSG allows it (Allow-HTTPS-From-OnPrem) and NTANetAnalytics at nic-vm-web01 shows the flows allowed and completed, with about 1.5 kB back each, far less than a page. The capture on vm-web01 (captures/vm-web01.pcap, 09:12:41 UTC, the connection from 172.21.10.5:38266 that also appears in AZFWNetworkRule) shows the TCP handshake, a TLS 1.2 ClientHello, then the server\'s Certificate message with one certificate: a leaf that is not self-signed and whose issuer (the intermediate CA) is neither sent nor a root; the client answers with a fatal alert unknown_ca (48) and closes with FIN. By the contract\'s precedence the certificates decide: chain incomplete, so tls_incomplete_chain at server, confidence high (capture frames, nothing contradicts). The capture is a lab recording rewritten to these addresses with tcprewrite: its SNI and certificate names are localhost, not vm-web01, and the name check is not the question here. Distractors: default-action denies, threat-intelligence and IDPS alerts (alert mode), other users\' sessions to vm-web02 (its certificate was not renewed). Fix: configure the server to send the intermediate certificate with the leaf (the full chain file).',
    },
  };
}
