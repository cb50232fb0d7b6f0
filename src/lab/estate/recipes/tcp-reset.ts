/**
 * tcp-reset: the document service on vm-docs01 was upgraded this morning and
 * now aborts large responses; connections from the claims API are established,
 * start to receive a PDF and are reset by the server.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { addNetworkRule, addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function tcpReset(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-12-15T21:19:40Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-docs', prefix: '10.22.4.0/24', nsg: 'wgh-docs-snet-nsg', routeTable: 'wgh-data-spoke-rt' });
  estate.nsgs.push({ name: 'wgh-docs-snet-nsg', resourceGroup: base.names.dataRg, rules: serverRules(base, [{ name: 'Allow-Docs-From-AppTier', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: base.addresses.appTierPrefix, destination: '*', destinationPorts: '8080', description: 'Claim documents service' }]) });
  addVm(base, { name: 'vm-docs01', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-docs', privateIp: '10.22.4.4', os: 'Linux', size: 'Standard_D4s_v5', zone: '2', workload: 'claim-documents', created: '2026-10-02T13:44:03.1187250+00:00' });
  addNetworkRule(base, 'spoke-to-spoke', 1200, 'Allow', { name: 'app-to-docs', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: ['10.22.4.4'], ports: ['8080'], description: 'Claim documents (CHG-2610-019)' });
  const docs = estate.vms.find((vm) => vm.name === 'vm-docs01');
  if (!docs) throw new Error('vm-docs01 missing');
  const upgraded = '2026-12-16T07:42:00Z';
  const fetch = (name: string) => ({ source: { kind: 'vm' as const, name }, destination: { kind: 'vm' as const, name: 'vm-docs01' }, protocol: 'TCP' as const, port: 8080, perHour: 6, packets: [6, 12] as [number, number], responseBytes: [40_000, 900_000] as [number, number], durationInSeconds: [1, 6] as [number, number] });
  const broken = (name: string) => ({ ...fetch(name), from: upgraded, packets: [4, 5] as [number, number], responseBytes: [2_100, 2_400] as [number, number], durationInSeconds: [0, 1] as [number, number], resetByServer: true });
  const now = '2026-12-16T10:00:00Z';
  return {
    name: 'tcp-reset',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium (flow trace on). The claims API on vm-app01 and vm-app02 fetches claim PDFs over HTTP from the document service on vm-docs01 (10.22.4.4:8080, data spoke) through the firewall. The document service was upgraded to version 3.0 at 07:40 UTC today. A packet capture on vm-docs01 (08:58 UTC) is attached, rewritten to these addresses from a lab recording.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { ...fetch('vm-app01'), to: upgraded },
      { ...fetch('vm-app02'), to: upgraded },
      broken('vm-app01'),
      broken('vm-app02'),
      { ...broken('vm-app01'), perHour: 0, at: ['2026-12-16T08:58:31.402Z'], sourcePort: 58998 },
    ],
    packetCaptures: [{ target: ids.vm(docs), file: 'captures/vm-docs01.pcap' }],
    extend: standardExtend(base),
    expect: {
      question: 'why do claim PDF downloads from the document service on vm-docs01 (10.22.4.4:8080) break off halfway since this morning? the claims API on vm-app01 logs "connection reset by peer"',
      status: 'failing', layer: 'transport', cause: 'tcp_reset', contributing: [], blockedAt: { component: 'server' },
      rationale: 'Window: this morning, from about 07:40 UTC on 2026-12-16; now is 10:00 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 09:40. The path works: vm-app01 (10.21.2.4) sends 10.22.4.4 to its 0.0.0.0/0 route, the firewall, where AZFWNetworkRule shows each connection Allow by spoke-to-spoke/app-to-docs; wgh-docs-snet-nsg allows it (Allow-Docs-From-AppTier) and NTANetAnalytics at nic-vm-docs01 shows the flows inbound, allowed and ended. What changed at 07:42 is how they end: before, AZFWFlowTrace shows SYN-ACK, FIN and FIN-ACK per connection and hundreds of kilobytes back; since, SYN-ACK then RST from 10.22.4.4:8080, with only about 2 kB back per connection. The capture on vm-docs01 (captures/vm-docs01.pcap, 08:58:31 UTC, 10.21.2.4:58998 -> 10.22.4.4:8080, also in AZFWNetworkRule) shows the TCP handshake, the request, the response headers announcing Content-Length 100000, about 2 kB of body, then an RST/ACK from the server\'s address 0.3 s later: Zeek state RSTR, an established connection reset by the server (no FIN, no retransmissions, the client still reading). Cause tcp_reset at server, confidence high (capture frames and RST flow-trace rows, nothing contradicts). The firewall is not the resetter: the RST carries the server\'s address and appears at the server\'s own NIC. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Next steps: the document service 3.0 logs around 08:58 (a crash or an abortive close with SO_LINGER 0 while streaming), and a rollback to the previous version if confirmed.',
    },
  };
}
