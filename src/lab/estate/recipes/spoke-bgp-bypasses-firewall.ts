/**
 * spoke-bgp-bypasses-firewall: a new BI spoke's route table was created with
 * gateway route propagation on (the portal's default); its subnet learns the
 * Manchester prefix from the VPN gateway, which beats its 0.0.0.0/0 to the
 * firewall, so replies to on-premises users go around the firewall that saw the
 * SYN, and the firewall drops the users' next packets.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function spokeBgpBypassesFirewall(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-12-16T22:31:05Z' });
  const { estate } = base;
  const rg = 'nwt-bi-rg';
  const vnet = 'nwt-bi-uks-vnet';
  const onPrem = estate.gateway.onPremPrefixes[0] ?? '';
  estate.vnets.push({ name: vnet, resourceGroup: rg, addressSpace: ['10.63.0.0/16'], dnsServers: [base.addresses.firewall], flowLog: { enabled: true, intervalInMinutes: 10, trafficAnalytics: true }, subnets: [{ name: 'snet-bi', prefix: '10.63.1.0/24', nsg: 'nwt-bi-snet-nsg', routeTable: 'nwt-bi-rt' }] });
  estate.peerings.push({ from: base.names.hub, to: vnet, allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false }, { from: vnet, to: base.names.hub, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true });
  estate.routeTables.push({ name: 'nwt-bi-rt', resourceGroup: rg, disableBgpRoutePropagation: false, routes: [{ name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall }] });
  estate.routeTables.find((table) => table.name === 'nwt-gatewaysubnet-rt')?.routes.push({ name: 'bi-spoke-to-firewall', prefix: '10.63.0.0/16', nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall });
  estate.nsgs.push({ name: 'nwt-bi-snet-nsg', resourceGroup: rg, rules: serverRules(base, [{ name: 'Allow-HTTPS-From-OnPrem', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: onPrem, destination: '*', destinationPorts: '443', description: 'BI portal' }]) });
  addVm(base, { name: 'vm-bi01', resourceGroup: rg, vnet, subnet: 'snet-bi', privateIp: '10.63.1.4', os: 'Windows', size: 'Standard_E4s_v5', zone: '1', workload: 'bi-portal', created: '2026-12-16T15:12:48.0442791+00:00' });
  addNetworkRule(base, 'onprem-to-azure', 1000, 'Allow', { name: 'https-onprem-to-bi', protocols: ['TCP'], sources: [onPrem], destinations: ['10.63.1.0/24'], ports: ['443'], description: 'BI portal (CHG-2612-160)' });
  const user = (ip: string, perHour: number) => ({ source: { kind: 'onprem' as const, ip }, destination: { kind: 'vm' as const, name: 'vm-bi01' }, protocol: 'TCP' as const, port: 443, perHour, from: '2026-12-17T08:05:00Z', packets: [3, 4] as [number, number] });
  const now = '2026-12-17T10:20:00Z';
  const domain = estate.organisation.domain;
  return {
    name: 'spoke-bgp-bypasses-firewall',
    description: 'Northwind Traders (fictional), UK South hub and spoke with Azure Firewall Premium (flow trace on) and a route-based VPN to the Manchester office (10.128.0.0/13). The BI team deployed a new spoke yesterday (nwt-bi-uks-vnet, 10.63.0.0/16) with vm-bi01 serving the BI portal on HTTPS; its route table nwt-bi-rt was created in the portal and sends 0.0.0.0/0 to the firewall. The platform team added the GatewaySubnet route and the firewall rule for it. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      user('10.130.4.21', 5),
      user('10.130.5.7', 3),
    ],
    extend: standardExtend(base, [{ sourceIp: '10.63.1.4', perHour: 3, names: [{ name: `dc01.${domain}` }, { name: 'login.microsoftonline.com' }, { name: 'uksouth.handler.control.monitor.azure.com' }] }]),
    expect: {
      question: 'why can\'t 10.130.4.21 in Manchester open the new BI portal https://vm-bi01 (10.63.1.4) since 08:05 UTC?',
      status: 'failing', layer: 'path', cause: 'asymmetric_routing', contributing: ['spoke_bgp_route_bypasses_firewall'], blockedAt: { component: 'firewall' },
      rationale: 'Window from 08:05 UTC on 2026-12-17; now is 10:20 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 10:00. Forward path: the SYN from 10.130.4.21 enters through the VPN gateway; nwt-gatewaysubnet-rt sends 10.63.0.0/16 to the firewall 10.60.1.4 (bi-spoke-to-firewall), and AZFWNetworkRule logs it Allow by onprem-to-azure/https-onprem-to-bi. Return path: nwt-bi-rt has disableBgpRoutePropagation false, so nic-vm-bi01\'s effective routes include 10.128.0.0/13 with next hop VirtualNetworkGateway (source VirtualNetworkGateway, Active), learned through the hub peering\'s gateway transit; by longest prefix it beats the user route 0.0.0.0/0 to the firewall, and Network Watcher\'s next hop for 10.63.1.4 -> 10.130.4.21 is VirtualNetworkGateway. The SYN-ACK goes straight back through the gateway, around the firewall. The client\'s ACK and request then come in through the firewall again, which saw the SYN but never the SYN-ACK: AZFWFlowTrace shows Flag INVALID (Action Drop) rows from 10.130.4.21 to 10.63.1.4:443, repeated as the client retransmits, and no SYN-ACK, FIN or FIN-ACK rows. NTANetAnalytics at nic-vm-bi01 shows each flow inbound and allowed (Allow-HTTPS-From-OnPrem) with one packet in and several out (the retransmitted SYN-ACKs) and none completed. Cause asymmetric_routing at firewall, contributing spoke_bgp_route_bypasses_firewall; confidence high for the drop (INVALID rows) and the route is read from the NIC\'s effective routes. The other spokes\' route tables disable propagation and reach Manchester symmetrically through the firewall. Distractors: default-action denies, threat-intelligence and IDPS alerts in alert mode. Fix: set "Propagate gateway routes" to No on nwt-bi-rt (disableBgpRoutePropagation true), as on the other spoke route tables.',
    },
  };
}
