/**
 * app-rule-snat: the claims API is published to the app tier through an
 * application rule (FQDN filtering), so Azure Firewall proxies the connection
 * and the API sees an AzureFirewallSubnet address, which its allow-list of the
 * app tier rejects with 403.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { addApplicationRule, addVm, standardExtend } from './common.js';

/** The story. */
export function appRuleSnat(): Story {
  // The day of the story. The capture's certificates (the tls_ok corpus case) are valid from
  // 2026-11-26T13:32:49Z: the story is dated after that, so the handshake that succeeded is valid then.
  const day = '2026-11-27';
  const dayBefore = '2026-11-26';
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: `${dayBefore}T21:47:10Z` });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-api', prefix: '10.22.2.0/24', nsg: 'wgh-api-snet-nsg', routeTable: 'wgh-data-spoke-rt' });
  estate.nsgs.push({ name: 'wgh-api-snet-nsg', resourceGroup: base.names.dataRg, rules: [
    { name: 'Allow-HTTPS-From-VirtualNetwork', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: 'VirtualNetwork', destination: '*', destinationPorts: '443', description: 'Claims API' },
    { name: 'Allow-Admin-From-HubMgmt', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: base.addresses.mgmtPrefix, destination: '*', destinationPorts: ['3389', '22'] },
  ] });
  addVm(base, { name: 'vm-claimsapi01', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-api', privateIp: '10.22.2.4', os: 'Linux', size: 'Standard_D4s_v5', zone: '1', workload: 'claims-api', created: `${dayBefore}T16:12:30.4471902+00:00` });
  addApplicationRule(base, 'internal-apis', 900, { name: 'claims-api', protocols: [{ protocolType: 'Https', port: 443 }], sources: [base.addresses.appTierPrefix], fqdns: ['claims-api.corp.woodgrove-health.example'], description: 'Claims API, FQDN-filtered (CHG-2611-240)' });
  const api = estate.vms.find((vm) => vm.name === 'vm-claimsapi01');
  if (!api) throw new Error('vm-claimsapi01 missing');
  const now = `${day}T11:30:00Z`;
  const fqdn = 'claims-api.corp.woodgrove-health.example';
  return {
    name: 'app-rule-snat',
    description: 'Woodgrove Health (fictional), Central US hub and spoke with Azure Firewall Premium. The claims API (vm-claimsapi01, 10.22.2.4, data spoke) went live at 09:00 UTC today; CHG-2611-240 publishes it to the app tier (10.21.2.0/24) through the application rule internal-apis/claims-api (FQDN filtering), and the API\'s own allow-list admits 10.21.2.0/24 only. A packet capture on vm-claimsapi01 at 09:41 UTC is attached.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: { kind: 'vm', name: 'vm-claimsapi01' }, protocol: 'TCP', port: 443, fqdn, perHour: 8, from: `${day}T09:02:00Z`, packets: [8, 12], responseBytes: [3_800, 4_600] },
      { source: { kind: 'vm', name: 'vm-app02' }, destination: { kind: 'vm', name: 'vm-claimsapi01' }, protocol: 'TCP', port: 443, fqdn, perHour: 8, from: `${day}T09:02:00Z`, packets: [8, 12], responseBytes: [3_800, 4_600] },
    ],
    packetCaptures: [{ target: ids.vm(api), file: 'captures/vm-claimsapi01.pcap' }],
    extend: standardExtend(base, [{ sourceIp: '10.21.2.4', perHour: 6, from: `${day}T09:01:00Z`, names: [{ name: fqdn }] }, { sourceIp: '10.21.2.5', perHour: 6, from: `${day}T09:01:00Z`, names: [{ name: fqdn }] }]),
    expect: {
      question: 'why does vm-app01 get HTTP 403 "client address not allowed" from https://claims-api.corp.woodgrove-health.example (vm-claimsapi01, 10.22.2.4) between 09:30 and 10:00 UTC?',
      status: 'failing', layer: 'application', cause: 'snat_source_changed', contributing: [], blockedAt: { component: 'firewall' },
      rationale: `Window 09:30-10:00 UTC on ${day}; now is 11:30 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it. vm-app01 (10.21.2.4) resolves the API name through the firewall's DNS proxy and sends 10.22.2.4 to its 0.0.0.0/0 route, the firewall 10.20.1.4. No network rule matches TCP 443 to 10.22.2.4 (app-to-sql covers 1433 only), so the application rules decide: AZFWApplicationRule rows from SourceIp 10.21.2.4 (and 10.21.2.5) with Fqdn claims-api.corp.woodgrove-health.example, Protocol HTTPS, Action Allow, DefaultApplicationRuleCollectionGroup/internal-apis/claims-api. Application rules always SNAT (the firewall is a transparent proxy), so the server receives the connection from a firewall instance address in AzureFirewallSubnet 10.20.1.0/26: NTANetAnalytics at nic-vm-claimsapi01 (FlowDirection I) shows SrcIp 10.20.1.6 and 10.20.1.7, completed flows with a few kilobytes back (the 403 page), and no row at all with SrcIp 10.21.2.4; the capture on vm-claimsapi01 (captures/vm-claimsapi01.pcap, 09:41 UTC) shows a complete TCP and TLS handshake from 10.20.1.6, then an encrypted exchange and a normal close: the path works and the refusal happens above TLS, by the API's allow-list of 10.21.2.0/24. The NSG wgh-api-snet-nsg allows 443 from VirtualNetwork, which covers both addresses. Cause snat_source_changed at firewall (application rule internal-apis/claims-api), confidence high: rows on both sides of the proxy agree. Distractors: the capture and flow logs show success at the transport and TLS layers (not path_ok: the question is about the 403), default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: allow the AzureFirewallSubnet range 10.20.1.0/26 in the API's allow-list and authenticate clients another way, or publish the API with a network rule (no SNAT to private ranges) if the client address must be preserved.`,
    },
  };
}
