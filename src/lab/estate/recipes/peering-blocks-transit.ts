/**
 * peering-blocks-transit: a payments spoke built with another team's Terraform
 * module peers to the hub with allowForwardedTraffic false, so everything the hub
 * firewall forwards into it is dropped at the peering, while what originates in
 * the hub (the firewall's own DNS proxy answers) still gets through.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function peeringBlocksTransit(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-12-05T22:17:55Z' });
  const { estate } = base;
  const rg = 'fab-payments-rg';
  const vnet = 'fab-payments-weu-vnet';
  const onPrem = estate.gateway.onPremPrefixes[0] ?? '';
  estate.vnets.push({ name: vnet, resourceGroup: rg, addressSpace: ['10.45.0.0/16'], dnsServers: [base.addresses.firewall], flowLog: { enabled: true, intervalInMinutes: 10, trafficAnalytics: true }, subnets: [{ name: 'snet-pay', prefix: '10.45.1.0/24', nsg: 'fab-pay-snet-nsg', routeTable: 'fab-payments-rt' }] });
  estate.peerings.push({ from: base.names.hub, to: vnet, allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false }, { from: vnet, to: base.names.hub, allowForwardedTraffic: false, allowGatewayTransit: false, useRemoteGateways: true });
  estate.routeTables.push({ name: 'fab-payments-rt', resourceGroup: rg, disableBgpRoutePropagation: true, routes: [{ name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall }] });
  estate.routeTables.find((table) => table.name === 'fab-gatewaysubnet-rt')?.routes.push({ name: 'payments-spoke-to-firewall', prefix: '10.45.0.0/16', nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall });
  estate.nsgs.push({ name: 'fab-pay-snet-nsg', resourceGroup: rg, rules: serverRules(base, [{ name: 'Allow-HTTPS-From-OnPrem', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: onPrem, destination: '*', destinationPorts: '443', description: 'Payments back office' }]) });
  addVm(base, { name: 'vm-pay01', resourceGroup: rg, vnet, subnet: 'snet-pay', privateIp: '10.45.1.4', os: 'Linux', size: 'Standard_D4s_v5', zone: '1', workload: 'payments-backoffice', created: '2026-12-05T14:31:09.8812276+00:00' });
  addNetworkRule(base, 'onprem-to-azure', 1000, 'Allow', { name: 'https-onprem-to-payments', protocols: ['TCP'], sources: [onPrem], destinations: ['10.45.1.0/24'], ports: ['443'], description: 'Payments back office (CHG-2612-044)' });
  const now = '2026-12-06T10:40:00Z';
  const office = (ip: string, perHour: number) => ({ source: { kind: 'onprem' as const, ip }, destination: { kind: 'vm' as const, name: 'vm-pay01' }, protocol: 'TCP' as const, port: 443, perHour, from: '2026-12-06T07:50:00Z', packets: [3, 4] as [number, number] });
  const domain = estate.organisation.domain;
  return {
    name: 'peering-blocks-transit',
    description: 'Fabrikam Retail (fictional), West Europe hub and spoke with Azure Firewall Premium and a VPN to the Amsterdam data centre (172.20.0.0/14). The payments team built its own spoke yesterday (fab-payments-weu-vnet, 10.45.0.0/16, vm-pay01 serving the back office on HTTPS) with their Terraform module; the platform team added the GatewaySubnet route, the firewall rule and the hub side of the peering. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      office('172.21.10.118', 4),
      office('172.21.11.9', 3),
    ],
    extend: standardExtend(base, [{ sourceIp: '10.45.1.4', perHour: 3, names: [{ name: `dc01.${domain}` }, { name: 'login.microsoftonline.com' }, { name: 'westeurope.handler.control.monitor.azure.com' }, { name: 'packages.microsoft.com' }] }]),
    expect: {
      question: 'why can\'t 172.21.10.118 in the Amsterdam back office open https://vm-pay01 (10.45.1.4) since 07:50 UTC?',
      status: 'failing', layer: 'path', cause: 'peering_blocks_transit', contributing: [], blockedAt: { component: 'peering' },
      rationale: 'Window from 07:50 UTC on 2026-12-06; now is 10:40 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 10:20. Forward path: 172.21.10.118 enters through the VPN gateway; fab-gatewaysubnet-rt sends 10.45.0.0/16 to the firewall 10.40.1.4 (payments-spoke-to-firewall), and AZFWNetworkRule logs every SYN Allow by onprem-to-azure/https-onprem-to-payments. But AZFWFlowTrace has no SYN-ACK, FIN or RST for them, and NTANetAnalytics has no inbound row at nic-vm-pay01 although fab-pay-snet-nsg would allow it (Allow-HTTPS-From-OnPrem): the packets leave the firewall and never arrive. The reason is the spoke side of the peering, peer-fab-payments-weu-vnet-to-fab-hub-weu-vnet: Connected, but allowForwardedTraffic false. That setting on the receiving side decides whether traffic an appliance in the remote VNet forwards (traffic that did not originate in the hub, here from 172.21.x.x via the firewall) may enter; it may not, so it is dropped at the peering. Traffic that originates in the hub still works: vm-pay01\'s DNS queries to the firewall\'s DNS proxy are answered (AZFWDnsQuery, NOERROR), which also shows the VM is up and the peering Connected. Cause peering_blocks_transit at peering, confidence high: the peering setting is read from Azure and the logs agree (allowed at the firewall, nothing at the NIC). Medium would be defensible for the drop itself, which is inferred from absence in a covered window; the configuration makes it certain. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode, the other spokes whose peerings allow forwarded traffic. Fix: set allowForwardedTraffic (allow_forwarded_traffic in Terraform) to true on the payments spoke\'s peering to the hub.',
    },
  };
}
