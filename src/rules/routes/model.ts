/**
 * The route model: the effective routes of ANY subnet computed from the Topology, as Azure
 * builds them, including subnets without NICs (the GatewaySubnet, whose routes Azure never
 * exposes). Longest-prefix match over Active routes; equal prefixes: User over BGP
 * (VirtualNetworkGateway) over Default.
 */
import { sameResourceId, type EffectiveRoute, type Topology, type UserRoute } from '../../domain/index.js';
import { findSubnet, findVnet, gatewayInVnet, reversePeering, virtualWanReasons } from '../estate.js';
import { ipVersionOf, parseIp, parsePrefix, prefixContains, prefixCovers } from '../net/ip.js';

/** Who put a route there. */
export type RouteSource = 'Default' | 'User' | 'VirtualNetworkGateway';

/** One route of a subnet, computed or read from Network Watcher. */
export interface ModelRoute {
  addressPrefix: string;
  /** VnetLocal | VNetPeering | VirtualNetworkGateway | Internet | None | VirtualAppliance | InterfaceEndpoint (open, as Azure writes it). */
  nextHopType: string;
  nextHopIpAddress: string | null;
  source: RouteSource;
  state: 'Active' | 'Invalid';
  /** What produced it: the VNet, a peering, a gateway, a private endpoint, a route table, or a system default. */
  origin: { kind: 'vnet' | 'peering' | 'gateway' | 'private-endpoint' | 'system' | 'user' | 'effective-route'; resourceId: string | null; name: string | null };
  /** Why an Invalid route is invalid. */
  invalidReason: string | null;
}

/** The routes of one subnet. */
export interface SubnetRoutes {
  subnetId: string;
  vnetId: string | null;
  routeTableId: string | null;
  routes: ModelRoute[];
  /** Parts of the estate netproof does not model (Virtual WAN): the routes may be incomplete. */
  unsupported: string[];
}

/** Private endpoint network policies that let a UDR invalidate the endpoint's /32 route. */
const ROUTE_POLICIES = new Set(['enabled', 'routetableenabled']);

/** Azure's system default routes (besides the VNet's own space). */
const SYSTEM_DEFAULTS: readonly [string, string][] = [
  ['0.0.0.0/0', 'Internet'],
  ['10.0.0.0/8', 'None'],
  ['172.16.0.0/12', 'None'],
  ['192.168.0.0/16', 'None'],
  ['100.64.0.0/10', 'None'],
];

const SOURCE_RANK: Record<RouteSource, number> = { User: 3, VirtualNetworkGateway: 2, Default: 1 };

/** Computes the effective routes of a subnet from the configuration alone. */
export function computeSubnetRoutes(topology: Topology, subnetId: string): SubnetRoutes {
  const found = findSubnet(topology, subnetId);
  if (found === null) return { subnetId, vnetId: null, routeTableId: null, routes: [], unsupported: [] };
  const { subnet, vnet } = found;
  const routeTable = topology.routeTables.find((table) => sameResourceId(table.id, subnet.routeTableId)) ?? null;
  const routes: ModelRoute[] = [];
  const add = (addressPrefix: string, nextHopType: string, nextHopIpAddress: string | null, source: RouteSource, origin: ModelRoute['origin']) =>
    routes.push({ addressPrefix, nextHopType, nextHopIpAddress, source, state: 'Active', origin, invalidReason: null });

  for (const prefix of vnet.addressPrefixes) add(prefix, 'VnetLocal', null, 'Default', { kind: 'vnet', resourceId: vnet.id, name: vnet.name });

  const peeredVnetIds: string[] = [];
  for (const peering of vnet.peerings) {
    if (peering.state.toLowerCase() !== 'connected') continue;
    const remote = findVnet(topology, peering.remoteVirtualNetworkId);
    const prefixes = peering.remoteAddressPrefixes.length > 0 ? peering.remoteAddressPrefixes : remote?.addressPrefixes ?? [];
    peeredVnetIds.push(peering.remoteVirtualNetworkId);
    for (const prefix of prefixes) add(prefix, 'VNetPeering', null, 'Default', { kind: 'peering', resourceId: peering.id, name: peering.name });
  }

  // Gateway routes reach the subnet from the VNet's own gateway, or a hub's through "use remote gateways".
  const propagate = routeTable === null || !routeTable.disableBgpRoutePropagation;
  if (propagate) {
    const gateways = [gatewayInVnet(topology, vnet.id)];
    for (const peering of vnet.peerings) {
      if (!peering.useRemoteGateways || peering.state.toLowerCase() !== 'connected') continue;
      const back = reversePeering(topology, vnet.id, peering.remoteVirtualNetworkId);
      if (back !== null && !back.allowGatewayTransit) continue;
      gateways.push(gatewayInVnet(topology, peering.remoteVirtualNetworkId));
    }
    for (const gateway of gateways) {
      if (gateway === null) continue;
      const prefixes = new Set<string>(gateway.learnedPrefixes);
      // Static prefixes of a local network gateway are advertised only while its connection is up.
      for (const connection of topology.connections) {
        if (sameResourceId(connection.gatewayId, gateway.id) && connection.connectionStatus.toLowerCase() === 'connected') {
          for (const prefix of connection.remotePrefixes) prefixes.add(prefix);
        }
      }
      for (const prefix of prefixes) {
        // The gateway also learns the VNets it serves; those are not on-prem routes.
        if (routes.some((route) => route.origin.kind !== 'gateway' && route.addressPrefix === prefix)) continue;
        add(prefix, 'VirtualNetworkGateway', null, 'VirtualNetworkGateway', { kind: 'gateway', resourceId: gateway.id, name: gateway.name });
      }
    }
  }

  // Private endpoints publish a /32 (InterfaceEndpoint) into their VNet and every directly peered VNet.
  const endpointVnetIds = [vnet.id, ...peeredVnetIds];
  const userRoutes = routeTable?.routes ?? [];
  for (const endpoint of topology.privateEndpoints) {
    const endpointSubnet = findSubnet(topology, endpoint.subnetId);
    if (endpointSubnet === null || !endpointVnetIds.some((id) => sameResourceId(id, endpointSubnet.vnet.id))) continue;
    for (const ip of endpoint.privateIpAddresses) {
      const hostPrefix = `${ip}/${ipVersionOf(ip) === 6 ? 128 : 32}`;
      routes.push({
        addressPrefix: hostPrefix, nextHopType: 'InterfaceEndpoint', nextHopIpAddress: null, source: 'Default', state: 'Active',
        origin: { kind: 'private-endpoint', resourceId: endpoint.id, name: endpoint.name },
        invalidReason: endpointRouteInvalidation(endpointSubnet.subnet.privateEndpointNetworkPolicies, endpointSubnet.vnet.addressPrefixes, ip, userRoutes),
      });
    }
  }

  for (const [prefix, nextHopType] of SYSTEM_DEFAULTS) add(prefix, nextHopType, null, 'Default', { kind: 'system', resourceId: null, name: null });
  if (vnet.addressPrefixes.some((prefix) => ipVersionOf(prefix) === 6)) add('::/0', 'Internet', null, 'Default', { kind: 'system', resourceId: null, name: null });

  for (const route of userRoutes) {
    add(route.addressPrefix, route.nextHopType, route.nextHopIpAddress, 'User', { kind: 'user', resourceId: routeTable?.id ?? null, name: route.name });
  }

  for (const route of routes) if (route.invalidReason !== null) route.state = 'Invalid';
  invalidateOverridden(routes);
  // A user default route takes over the reserved ranges too: their None routes become Invalid
  // (else spoke-to-spoke traffic through a hub firewall would be dropped).
  const userDefault = userRoutes.find((route) => parsePrefix(route.addressPrefix)?.prefixLength === 0 && ipVersionOf(route.addressPrefix) === 4);
  if (userDefault !== undefined) {
    for (const route of routes) {
      if (route.origin.kind === 'system' && route.nextHopType === 'None' && route.state === 'Active') {
        route.state = 'Invalid';
        route.invalidReason = `overridden by user route ${userDefault.name} (0.0.0.0/0)`;
      }
    }
  }
  return { subnetId: subnet.id, vnetId: vnet.id, routeTableId: routeTable?.id ?? null, routes, unsupported: virtualWanReasons(topology, vnet) };
}

/**
 * Why a private endpoint's /32 route is invalid, or null while it stays active. Both conditions
 * are needed: the endpoint subnet's network policies are Enabled or RouteTableEnabled, AND a UDR
 * covering the endpoint is at least as specific as the endpoint VNet's address space.
 */
export function endpointRouteInvalidation(policies: string, endpointVnetPrefixes: readonly string[], endpointIp: string, userRoutes: readonly UserRoute[]): string | null {
  if (!ROUTE_POLICIES.has(policies.toLowerCase())) return null;
  const space = endpointVnetPrefixes.map((prefix) => parsePrefix(prefix)).find((block) => block !== null && prefixContains(block, endpointIp));
  if (space === undefined || space === null) return null;
  const udr = userRoutes.find((route) => {
    const block = parsePrefix(route.addressPrefix);
    return block !== null && prefixContains(block, endpointIp) && block.prefixLength >= space.prefixLength;
  });
  return udr === undefined ? null : `invalidated by user route ${udr.name} (${udr.addressPrefix}), endpoint subnet policies ${policies}`;
}

/** A route with the same prefix and a stronger source wins; the others become Invalid. */
function invalidateOverridden(routes: ModelRoute[]): void {
  for (const route of routes) {
    if (route.state !== 'Active') continue;
    const stronger = routes.find((other) => other !== route && other.state === 'Active' && SOURCE_RANK[other.source] > SOURCE_RANK[route.source]
      && samePrefixText(other.addressPrefix, route.addressPrefix));
    if (stronger !== undefined) {
      route.state = 'Invalid';
      route.invalidReason = `overridden by ${stronger.source === 'User' ? `user route ${stronger.origin.name ?? ''}` : 'a gateway route'} with the same prefix`;
    }
  }
}

function samePrefixText(left: string, right: string): boolean {
  return prefixCovers(left, right) && prefixCovers(right, left);
}

/** Longest-prefix match over Active routes; equal prefixes: User over BGP over Default. Null when nothing covers it. */
export function longestPrefixMatch(routes: readonly ModelRoute[], ip: string | null): ModelRoute | null {
  const address = parseIp(ip);
  if (address === null) return null;
  let best: ModelRoute | null = null;
  let bestLength = -1;
  for (const route of routes) {
    if (route.state !== 'Active') continue;
    const block = parsePrefix(route.addressPrefix);
    if (block === null || !prefixContains(block, address)) continue;
    if (block.prefixLength > bestLength || (block.prefixLength === bestLength && best !== null && SOURCE_RANK[route.source] > SOURCE_RANK[best.source])) {
      best = route;
      bestLength = block.prefixLength;
    }
  }
  return best;
}

/** Every route (Active or Invalid) whose prefix covers the address, most specific first. */
export function routesCovering(routes: readonly ModelRoute[], ip: string | null): ModelRoute[] {
  return routes
    .filter((route) => prefixContains(route.addressPrefix, ip))
    .sort((left, right) => (parsePrefix(right.addressPrefix)?.prefixLength ?? 0) - (parsePrefix(left.addressPrefix)?.prefixLength ?? 0));
}

function normaliseSource(source: string): RouteSource {
  const value = source.toLowerCase();
  if (value === 'user') return 'User';
  if (value === 'virtualnetworkgateway') return 'VirtualNetworkGateway';
  return 'Default';
}

/** Network Watcher's effective routes of a NIC, in the model's shape (one route per prefix). */
export function fromEffectiveRoutes(routes: readonly EffectiveRoute[]): ModelRoute[] {
  return routes.flatMap((route) => route.addressPrefixes.map((addressPrefix): ModelRoute => ({
    addressPrefix,
    nextHopType: route.nextHopType,
    nextHopIpAddress: route.nextHopIpAddresses[0] ?? null,
    source: normaliseSource(route.source),
    state: route.state.toLowerCase() === 'active' ? 'Active' : 'Invalid',
    origin: { kind: 'effective-route', resourceId: null, name: route.name },
    invalidReason: route.state.toLowerCase() === 'active' ? null : 'Invalid in Network Watcher',
  })));
}

function hopKey(route: ModelRoute): string {
  const type = route.nextHopType.toLowerCase() === 'vnetglobalpeering' ? 'vnetpeering' : route.nextHopType.toLowerCase();
  const address = route.nextHopType.toLowerCase() === 'virtualappliance' ? parseIp(route.nextHopIpAddress)?.value.toString() ?? '' : '';
  return `${type}|${address}`;
}

/**
 * Differences between the computed routes and Network Watcher's for the same subnet: a prefix
 * active in one only, or with another next hop. A difference is a detail and a next step, never a cause.
 */
export function compareRoutes(computed: readonly ModelRoute[], effective: readonly ModelRoute[]): string[] {
  const differences: string[] = [];
  const active = (routes: readonly ModelRoute[]) => routes.filter((route) => route.state === 'Active');
  for (const route of active(effective)) {
    const twins = active(computed).filter((other) => samePrefixText(other.addressPrefix, route.addressPrefix));
    if (twins.length === 0) differences.push(`Network Watcher has ${route.addressPrefix} -> ${route.nextHopType} that the configuration does not explain`);
    else if (!twins.some((twin) => hopKey(twin) === hopKey(route))) {
      differences.push(`${route.addressPrefix}: Network Watcher says ${route.nextHopType}${route.nextHopIpAddress ? ` ${route.nextHopIpAddress}` : ''}, the configuration gives ${twins.map((twin) => twin.nextHopType).join('/')}`);
    }
  }
  for (const route of active(computed)) {
    if (!active(effective).some((other) => samePrefixText(other.addressPrefix, route.addressPrefix))) {
      differences.push(`the configuration gives ${route.addressPrefix} -> ${route.nextHopType} that Network Watcher does not list`);
    }
  }
  return differences;
}
