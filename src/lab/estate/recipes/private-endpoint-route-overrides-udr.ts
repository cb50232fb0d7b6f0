/**
 * private-endpoint-route-overrides-udr: the jump host's route table sends the
 * data spoke to the firewall, but the blob private endpoint's /32 system route
 * (endpoint subnet policies Disabled) wins, so the request goes direct while
 * the endpoint's replies follow the data spoke's route to the firewall, which
 * drops them.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { addNetworkRule, standardExtend } from './common.js';

/** The story. */
export function privateEndpointRouteOverridesUdr(): Story {
  const base = baseFor('woodgrove', { deployed: '2026-06-30T14:20:05.9917334+00:00', connectedSince: '2026-11-23T21:03:44Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const data = estate.vnets.find((vnet) => vnet.name === base.names.data);
  data?.subnets.push({ name: 'snet-privateendpoints', prefix: '10.22.3.0/24', routeTable: 'wgh-data-spoke-rt', privateEndpointNetworkPolicies: 'Disabled' });
  estate.storageAccounts.push({ name: 'wghclaimsdocs', resourceGroup: base.names.dataRg, publicNetworkAccess: 'Disabled' });
  estate.privateEndpoints.push({ name: 'pe-wghclaimsdocs-blob', resourceGroup: base.names.dataRg, vnet: base.names.data, subnet: 'snet-privateendpoints', privateIp: '10.22.3.5', targetId: ids.storage(base.names.dataRg, 'wghclaimsdocs'), groupId: 'blob', fqdn: 'wghclaimsdocs.blob.core.windows.net', zone: 'privatelink.blob.core.windows.net', returnViaSubnetRouteTable: true });
  estate.privateDnsZones.push({ name: 'privatelink.blob.core.windows.net', resourceGroup: base.names.connectivityRg, links: [base.names.hub], records: [{ name: 'wghclaimsdocs', ip: '10.22.3.5' }] });
  addNetworkRule(base, 'mgmt-to-spokes', 1300, 'Allow', { name: 'jump-to-claims-docs', protocols: ['TCP'], sources: [base.addresses.mgmtPrefix], destinations: ['10.22.3.5'], ports: ['443'], description: 'Storage Explorer from the jump host (CHG-2611-219)' });
  addNetworkRule(base, 'spoke-to-spoke', 1200, 'Allow', { name: 'app-to-claims-docs', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: ['10.22.3.5'], ports: ['443'] });
  const now = '2026-11-24T12:40:00Z';
  const endpoint = { kind: 'private-endpoint' as const, name: 'pe-wghclaimsdocs-blob' };
  return {
    name: 'private-endpoint-route-overrides-udr',
    description: 'Woodgrove Health (fictional) landing zone in Central US: hub 10.20.0.0/16 with Azure Firewall Premium (DNS proxy) and a VPN to the Des Moines data centre (172.24.0.0/16); app spoke 10.21.0.0/16, data spoke 10.22.0.0/16 with the blob private endpoint of storage account wghclaimsdocs (10.22.3.5, subnet snet-privateendpoints, private endpoint network policies Disabled, route table wgh-data-spoke-rt). The claims app tier reaches it through the firewall; since this morning administrators use Storage Explorer on vm-jump01 in the hub. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app01' }, destination: endpoint, protocol: 'TCP', port: 443, perHour: 3, packets: [10, 60], responseBytes: [20_000, 2_000_000] },
      { source: { kind: 'vm', name: 'vm-app02' }, destination: endpoint, protocol: 'TCP', port: 443, perHour: 3, packets: [10, 60], responseBytes: [20_000, 2_000_000] },
      { source: { kind: 'vm', name: 'vm-jump01' }, destination: endpoint, protocol: 'TCP', port: 443, perHour: 6, from: '2026-11-24T08:31:00Z', packets: [3, 4] },
    ],
    extend: standardExtend(base, [{ sourceIp: '10.20.10.4', perHour: 4, from: '2026-11-24T08:30:00Z', names: [{ name: 'wghclaimsdocs.blob.core.windows.net' }] }]),
    expect: {
      question: 'why can\'t vm-jump01 open wghclaimsdocs.blob.core.windows.net (10.22.3.5) over HTTPS since 08:30 UTC?',
      status: 'failing', layer: 'path', cause: 'asymmetric_routing', contributing: ['private_endpoint_route_overrides_udr'], blockedAt: { component: 'firewall' },
      rationale: 'Window from 08:30 UTC on 2026-11-24; now is 12:40 UTC and Traffic Analytics runs every 10 minutes, so the window up to about 12:20 is covered. The name resolves to the private endpoint (privatelink.blob.core.windows.net is linked to the hub; AZFWDnsQuery from 10.20.10.4 answers NOERROR). Forward path: nic-vm-jump01\'s effective routes carry the user route data-spoke-to-firewall 10.22.0.0/16 -> 10.20.1.4, but also the endpoint\'s system route 10.22.3.5/32, next hop InterfaceEndpoint, Active: the hub is peered with the data spoke and the endpoint subnet has privateEndpointNetworkPolicies Disabled, so the /32 wins by longest prefix and the SYN goes straight to the endpoint. AZFWNetworkRule has no row from 10.20.10.4 to 10.22.3.5 (jump-to-claims-docs would allow it). Return path: the endpoint\'s replies to 10.20.10.4 meet wgh-data-spoke-rt\'s hub-mgmt-to-firewall route (10.20.10.0/24 -> 10.20.1.4) and reach the firewall without a SYN: AZFWFlowTrace shows Flag INVALID rows from 10.22.3.5:443 to 10.20.10.4 (retransmitted SYN-ACKs). NTANetAnalytics at nic-vm-jump01 shows the outbound attempts (PrivateEndpointResourceId pe-wghclaimsdocs-blob) with nothing back. The app tier is the control: vm-app01 and vm-app02 are not peered with the data spoke, reach 10.22.3.5 through the firewall both ways (app-to-claims-docs Allow rows) and work. Cause asymmetric_routing at firewall, contributing private_endpoint_route_overrides_udr. Confidence medium: the INVALID rows are direct evidence of the drop, but whether a private endpoint\'s replies follow its subnet\'s route table is not stated plainly by Microsoft; the INVALID rows are what show it here (the same pattern is reported publicly for hub-to-spoke private endpoint access), and if they did not, the flow would instead work uninspected. Next step: set privateEndpointNetworkPolicies to RouteTableEnabled on snet-privateendpoints (a UDR at least as specific as the data spoke\'s 10.22.0.0/16, e.g. the existing 10.22.0.0/16 route, then invalidates the /32), or add a /32 route for 10.22.3.5 to the firewall in the hub management route table.',
    },
  };
}
