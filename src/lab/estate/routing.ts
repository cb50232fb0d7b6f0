/**
 * Effective routes as Azure computes them for a subnet: system routes (VNet
 * local, peerings, the reserved None prefixes, Internet), gateway-learned
 * prefixes unless the route table disables propagation, private endpoint /32
 * routes, then user-defined routes overriding same-prefix system routes (which
 * stay listed as Invalid). Also the longest-prefix-match lookup over them.
 */
import { prefixContains, prefixCovers, prefixLength } from './ip.js';
import type { EstateSpec, PeeringSpec, RouteTableSpec, SubnetSpec, VnetSpec } from './model.js';

/** One entry of an effectiveRouteTable answer, field order as Azure sends it. */
export interface EffectiveRoute {
  name: string | null;
  source: 'Default' | 'User' | 'VirtualNetworkGateway';
  state: 'Active' | 'Invalid';
  addressPrefix: string[];
  nextHopIpAddress: string[];
  nextHopType: string;
  disableBgpRoutePropagation: boolean;
}

/** Address ranges Azure routes to None unless a VNet or route claims them. */
export const RESERVED_NONE_PREFIXES = ['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.168.0.0/16'];

/** The VNet and subnet specs for a (vnet, subnet) pair. */
export function findSubnet(estate: EstateSpec, vnetName: string, subnetName: string): { vnet: VnetSpec; subnet: SubnetSpec } {
  const vnet = estate.vnets.find((candidate) => candidate.name === vnetName);
  const subnet = vnet?.subnets.find((candidate) => candidate.name === subnetName);
  if (!vnet || !subnet) throw new Error(`unknown subnet ${vnetName}/${subnetName}`);
  return { vnet, subnet };
}

/** The VNet that holds the VPN gateway (it has a GatewaySubnet). */
export function hubVnet(estate: EstateSpec): VnetSpec {
  const hub = estate.vnets.find((vnet) => vnet.subnets.some((subnet) => subnet.name === 'GatewaySubnet'));
  if (!hub) throw new Error('the estate has no GatewaySubnet');
  return hub;
}

/** Peerings out of a VNet that carry traffic (Connected). */
export function connectedPeerings(estate: EstateSpec, vnetName: string): PeeringSpec[] {
  return estate.peerings.filter((peering) => peering.from === vnetName && (peering.state ?? 'Connected') === 'Connected');
}

/** True when the VNet learns the gateway's routes: it holds the gateway, or uses the hub's through a peering that allows it. */
export function learnsGatewayRoutes(estate: EstateSpec, vnet: VnetSpec): boolean {
  const hub = hubVnet(estate);
  if (vnet.name === hub.name) return true;
  const out = connectedPeerings(estate, vnet.name).find((peering) => peering.to === hub.name && peering.useRemoteGateways);
  const back = estate.peerings.find((peering) => peering.from === hub.name && peering.to === vnet.name);
  return out !== undefined && back !== undefined && back.allowGatewayTransit;
}

/** The prefixes the gateway currently advertises into the VNet (static routes of the local network gateway while connected). */
export function gatewayPrefixes(estate: EstateSpec): string[] {
  return estate.gateway.connectionStatus === 'Connected' ? estate.gateway.onPremPrefixes : [];
}

function routeTableOf(estate: EstateSpec, subnet: SubnetSpec): RouteTableSpec | undefined {
  if (!subnet.routeTable) return undefined;
  const table = estate.routeTables.find((candidate) => candidate.name === subnet.routeTable);
  if (!table) throw new Error(`unknown route table ${subnet.routeTable}`);
  return table;
}

/** Effective routes of any NIC in the subnet (also used, unexposed, for GatewaySubnet and AzureFirewallSubnet). */
export function effectiveRoutes(estate: EstateSpec, vnetName: string, subnetName: string): EffectiveRoute[] {
  const { vnet, subnet } = findSubnet(estate, vnetName, subnetName);
  const table = routeTableOf(estate, subnet);
  const disable = table?.disableBgpRoutePropagation ?? false;
  const userRoutes = table?.routes ?? [];
  const userPrefixes = new Set(userRoutes.map((route) => route.prefix));
  const hasUserDefault = userPrefixes.has('0.0.0.0/0');
  const routes: EffectiveRoute[] = [];
  const system = (prefix: string, nextHopType: string, overridden: boolean, source: EffectiveRoute['source'] = 'Default', nextHopIpAddress: string[] = []): void => {
    routes.push({ name: null, source, state: overridden ? 'Invalid' : 'Active', addressPrefix: [prefix], nextHopIpAddress, nextHopType, disableBgpRoutePropagation: disable });
  };
  for (const prefix of vnet.addressSpace) system(prefix, 'VnetLocal', userPrefixes.has(prefix));
  const peerings = connectedPeerings(estate, vnet.name);
  for (const peering of peerings) {
    const remote = estate.vnets.find((candidate) => candidate.name === peering.to);
    if (!remote) throw new Error(`peering to unknown VNet ${peering.to}`);
    for (const prefix of remote.addressSpace) system(prefix, 'VNetPeering', userPrefixes.has(prefix));
  }
  const gatewayLearned = learnsGatewayRoutes(estate, vnet) && !disable ? gatewayPrefixes(estate) : [];
  for (const prefix of gatewayLearned) system(prefix, 'VirtualNetworkGateway', userPrefixes.has(prefix), 'VirtualNetworkGateway', [...estate.gateway.instanceIps]);
  system('0.0.0.0/0', 'Internet', hasUserDefault);
  for (const prefix of RESERVED_NONE_PREFIXES) system(prefix, 'None', hasUserDefault || userPrefixes.has(prefix) || gatewayLearned.includes(prefix));
  const peered = new Set([vnet.name, ...peerings.map((peering) => peering.to)]);
  for (const endpoint of estate.privateEndpoints) {
    if (!peered.has(endpoint.vnet)) continue;
    const endpointSubnet = findSubnet(estate, endpoint.vnet, endpoint.subnet);
    const policies = endpointSubnet.subnet.privateEndpointNetworkPolicies ?? 'Disabled';
    const routeTablePolicies = policies === 'Enabled' || policies === 'RouteTableEnabled';
    const spaceLength = Math.min(...endpointSubnet.vnet.addressSpace.filter((space) => prefixContains(space, endpoint.privateIp)).map(prefixLength));
    const invalidated = routeTablePolicies && userRoutes.some((route) => route.prefix !== '0.0.0.0/0' && prefixContains(route.prefix, endpoint.privateIp) && prefixLength(route.prefix) >= spaceLength);
    system(`${endpoint.privateIp}/32`, 'InterfaceEndpoint', invalidated);
  }
  for (const route of userRoutes) {
    routes.push({ name: route.name, source: 'User', state: 'Active', addressPrefix: [route.prefix], nextHopIpAddress: route.nextHopIp ? [route.nextHopIp] : [], nextHopType: route.nextHopType, disableBgpRoutePropagation: disable });
  }
  return routes;
}

const SOURCE_RANK: Record<EffectiveRoute['source'], number> = { User: 3, VirtualNetworkGateway: 2, Default: 1 };

/** Network Watcher's next hop: longest prefix over Active routes; equal prefixes User over BGP over Default. */
export function lookupRoute(routes: EffectiveRoute[], destination: string): EffectiveRoute | undefined {
  let best: EffectiveRoute | undefined;
  for (const route of routes) {
    if (route.state !== 'Active') continue;
    const prefix = route.addressPrefix[0];
    if (prefix === undefined || !prefixContains(prefix, destination)) continue;
    if (!best) { best = route; continue; }
    const bestLength = prefixLength(best.addressPrefix[0] ?? '0.0.0.0/0');
    const length = prefixLength(prefix);
    if (length > bestLength || (length === bestLength && SOURCE_RANK[route.source] > SOURCE_RANK[best.source])) best = route;
  }
  return best;
}

/** True when a UDR prefix list (of the subnet's route table) covers a prefix. */
export function routeTableCovers(estate: EstateSpec, routeTableName: string, prefix: string): boolean {
  const table = estate.routeTables.find((candidate) => candidate.name === routeTableName);
  return table?.routes.some((route) => prefixCovers(route.prefix, prefix)) ?? false;
}
