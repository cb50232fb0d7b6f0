/**
 * Walks a flow hop by hop over the route model: source, gateway, peerings, firewall, NVA,
 * destination. The same walker runs the forward path and the return path; the rules compare
 * them (a stateful firewall on one of them only sees half a flow).
 */
import { sameResourceId, type Peering, type Topology, type VirtualNetwork } from '../../domain/index.js';
import {
  findVnet, firewallByIp, firewallSubnet, findSubnet, gatewayInVnet, gatewaySubnetOf, nicByIp, reversePeering,
  subnetContaining, vmOfNic, type Location, type SubnetInVnet,
} from '../estate.js';
import { anyPrefixContains, isPrivateIp } from '../net/ip.js';
import { computeSubnetRoutes, longestPrefixMatch, routesCovering, type ModelRoute } from './model.js';

/** The routes the walker uses for one subnet: Network Watcher's where a NIC has them, else computed. */
export interface RouteView {
  subnetId: string;
  routes: ModelRoute[];
  /** Evidence id of the effective routes used, or null when computed from configuration. */
  evidenceId: string | null;
  computed: boolean;
  /** The subnet is a GatewaySubnet: Azure never exposes its routes, so they are always computed. */
  gatewaySubnet: boolean;
  /** Computed versus Network Watcher differences (a detail and a next step, never a cause). */
  differences: string[];
  unsupported: string[];
}

/** Gives the route view of a subnet. */
export type RouteViewProvider = (subnetId: string) => RouteView;

/** The route decision taken when a packet leaves a subnet. */
export interface RouteDecision {
  view: RouteView;
  route: ModelRoute | null;
  /** Every route covering the address, Active or Invalid, most specific first. */
  covering: ModelRoute[];
}

/** Kinds of hop. */
export type HopKind = 'source' | 'on-prem' | 'internet' | 'gateway' | 'peering' | 'firewall' | 'appliance' | 'private-endpoint' | 'destination';

/** One hop of a path. */
export interface Hop {
  kind: HopKind;
  resourceId: string | null;
  name: string | null;
  address: string | null;
  /** The subnet the packet is in at this hop (null off Azure). */
  subnetId: string | null;
  /** The decision taken leaving this hop, if any. */
  decision: RouteDecision | null;
}

/** Why a walk stops before the destination. */
export interface PathProblem {
  code: 'no_route' | 'next_hop_invalid' | 'peering_not_connected' | 'peering_blocks_transit' | 'tunnel_down' | 'unsupported' | 'loop' | 'unknown';
  /** Index of the hop where it stops. */
  hopIndex: number;
  detail: string;
  resourceId: string | null;
  name: string | null;
  /** The route, peering setting or connection that stops it. */
  rule: string | null;
  /** The decision rests on computed routes (no Network Watcher evidence for that subnet). */
  computed: boolean;
  evidenceId: string | null;
  nextSteps: string[];
}

/** A walked path. */
export interface PathResult {
  toIp: string;
  hops: Hop[];
  reached: boolean;
  problem: PathProblem | null;
  unsupported: string[];
}

const MAX_HOPS = 16;

/** Route views computed from configuration only (tests, and subnets without NIC evidence). */
export function computedRouteViews(topology: Topology): RouteViewProvider {
  return (subnetId) => {
    const computed = computeSubnetRoutes(topology, subnetId);
    const found = findSubnet(topology, subnetId);
    const gateway = found !== null && gatewayInVnet(topology, found.vnet.id) !== null
      && sameResourceId(gatewaySubnetOf(topology, found.vnet)?.id, subnetId);
    return { subnetId, routes: computed.routes, evidenceId: null, computed: true, gatewaySubnet: gateway, differences: [], unsupported: computed.unsupported };
  };
}

function peeringTowards(vnet: VirtualNetwork, topology: Topology, ip: string): Peering | null {
  return vnet.peerings.find((peering) => anyPrefixContains(peering.remoteAddressPrefixes, ip)
    || anyPrefixContains(findVnet(topology, peering.remoteVirtualNetworkId)?.addressPrefixes ?? [], ip)) ?? null;
}

/**
 * Walks from `from` towards `toIp`. `packetSourceIp` is the address the packet carries
 * (for "allow forwarded traffic", which applies to packets that did not originate in the peer VNet).
 */
export function walkPath(topology: Topology, from: Location, toIp: string, packetSourceIp: string | null, views: RouteViewProvider): PathResult {
  const hops: Hop[] = [];
  const unsupported: string[] = [];
  const result = (reached: boolean, problem: PathProblem | null): PathResult => ({ toIp, hops, reached, problem, unsupported });
  const problemAt = (code: PathProblem['code'], detail: string, extra: Partial<PathProblem> = {}): PathProblem => ({
    code, hopIndex: hops.length - 1, detail, resourceId: null, name: null, rule: null, computed: false, evidenceId: null, nextSteps: [], ...extra,
  });

  let current: SubnetInVnet | null = null;
  let enteredFromGateway = false;
  if (from.kind === 'on-prem') {
    hops.push({ kind: 'on-prem', resourceId: null, name: null, address: from.ip, subnetId: null, decision: null });
    const connected = from.connections.filter((connection) => connection.connectionStatus.toLowerCase() === 'connected');
    hops.push({ kind: 'gateway', resourceId: from.gateway.id, name: from.gateway.name, address: null, subnetId: null, decision: null });
    if (from.connections.length > 0 && connected.length === 0) {
      const connection = from.connections[0];
      return result(false, problemAt('tunnel_down', `connection ${connection?.name ?? ''} is ${connection?.connectionStatus ?? 'not connected'}`,
        { resourceId: connection?.id ?? null, name: connection?.name ?? null }));
    }
    const vnet = findVnet(topology, from.gateway.virtualNetworkId);
    const subnet = vnet === null ? null : gatewaySubnetOf(topology, vnet);
    if (vnet === null || subnet === null) return result(false, problemAt('unknown', 'the gateway\'s VNet or GatewaySubnet is not in the estate'));
    current = { subnet, vnet };
    hops[hops.length - 1]!.subnetId = subnet.id;
    enteredFromGateway = true;
  } else if (from.kind === 'azure') {
    hops.push({ kind: 'source', resourceId: from.resourceId, name: from.name, address: from.ip, subnetId: from.subnet.id, decision: null });
    // An App Service without route-all sends only private (RFC 1918) traffic into its integration VNet.
    if (from.webApp !== null && !from.webApp.routeAllEnabled && !isPrivateIp(toIp)) {
      hops.push({ kind: 'internet', resourceId: null, name: null, address: null, subnetId: null, decision: null });
      return result(true, null);
    }
    current = { subnet: from.subnet, vnet: from.vnet };
  } else {
    hops.push({ kind: from.kind === 'internet' ? 'internet' : 'source', resourceId: null, name: null, address: from.ip, subnetId: null, decision: null });
    return result(false, null);
  }

  const visitedAppliances = new Set<string>();
  /** Crosses into the appliance's VNet when it lives in a peered one; a problem when that peering stops the packet. */
  const reachAppliance = (location: SubnetInVnet): PathProblem | null => {
    if (current === null || sameResourceId(location.vnet.id, current.vnet.id)) return null;
    const link = current.vnet.peerings.find((candidate) => sameResourceId(candidate.remoteVirtualNetworkId, location.vnet.id));
    if (link === undefined) return problemAt('next_hop_invalid', `the appliance in ${location.vnet.name} is not reachable from ${current.vnet.name}: no peering`);
    const blocked = crossPeering(topology, current.vnet, link, packetSourceIp, false, hops.length);
    hops.push({ kind: 'peering', resourceId: link.id, name: link.name, address: null, subnetId: null, decision: null });
    return blocked;
  };
  for (let step = 0; step < MAX_HOPS && current !== null; step++) {
    const { vnet } = current;
    if (vnet.virtualHubId !== null) unsupported.push(`${vnet.id} is part of a Virtual WAN hub`);
    const view = views(current.subnet.id);
    unsupported.push(...view.unsupported);
    const route = longestPrefixMatch(view.routes, toIp);
    const decision: RouteDecision = { view, route, covering: routesCovering(view.routes, toIp) };
    hops[hops.length - 1]!.decision = decision;
    // Effective routes do not name their route table: a user route of a subnet comes from the subnet's table.
    const routeTableId = route?.origin.resourceId ?? (route?.source === 'User' ? current.subnet.routeTableId : null);
    const routeTable = topology.routeTables.find((table) => sameResourceId(table.id, routeTableId)) ?? null;
    const routeExtra = { computed: view.computed, evidenceId: view.evidenceId, rule: route?.origin.name ?? null, resourceId: routeTableId ?? null, name: routeTable?.name ?? null };
    const type = route?.nextHopType.toLowerCase() ?? 'none';

    if (type === 'none' || type === 'internet') {
      const explained = explainMissingRoute(topology, vnet, toIp, hops.length - 1);
      if (explained !== null) return result(false, { ...explained, computed: view.computed, evidenceId: view.evidenceId });
      if (type === 'internet' && !isPrivateIp(toIp) && subnetContaining(topology, toIp) === null) {
        hops.push({ kind: 'internet', resourceId: null, name: null, address: toIp, subnetId: null, decision: null });
        return result(true, null);
      }
      return result(false, problemAt('no_route', route === null
        ? `no route in ${current.subnet.name} covers ${toIp}`
        : `${current.subnet.name} sends ${toIp} to ${route.nextHopType} (${route.addressPrefix}${route.origin.name ? `, ${route.origin.name}` : ''})`, routeExtra));
    }

    if (type === 'vnetlocal') {
      const target = vnet.subnets.find((subnet) => anyPrefixContains(subnet.addressPrefixes, toIp)) ?? null;
      hops.push(destinationHop(topology, toIp, target?.id ?? null));
      return result(true, null);
    }

    if (type === 'vnetpeering' || type === 'vnetglobalpeering') {
      const peering = peeringTowards(vnet, topology, toIp);
      if (peering === null) return result(false, problemAt('unknown', `no peering of ${vnet.name} covers ${toIp}`, routeExtra));
      const blocked = crossPeering(topology, vnet, peering, packetSourceIp, enteredFromGateway && hops[hops.length - 1]?.kind === 'gateway', hops.length);
      hops.push({ kind: 'peering', resourceId: peering.id, name: peering.name, address: null, subnetId: null, decision: null });
      if (blocked !== null) return result(false, blocked);
      const remote = findVnet(topology, peering.remoteVirtualNetworkId);
      const target = remote?.subnets.find((subnet) => anyPrefixContains(subnet.addressPrefixes, toIp)) ?? null;
      hops.push(destinationHop(topology, toIp, target?.id ?? null));
      return result(true, null);
    }

    if (type === 'interfaceendpoint') {
      const endpointSubnet = subnetContaining(topology, toIp);
      if (endpointSubnet !== null && !sameResourceId(endpointSubnet.vnet.id, vnet.id)) {
        const link = vnet.peerings.find((candidate) => sameResourceId(candidate.remoteVirtualNetworkId, endpointSubnet.vnet.id));
        if (link !== undefined) {
          const blocked = crossPeering(topology, vnet, link, packetSourceIp, hops[hops.length - 1]?.kind === 'gateway', hops.length);
          hops.push({ kind: 'peering', resourceId: link.id, name: link.name, address: null, subnetId: null, decision: null });
          if (blocked !== null) return result(false, blocked);
        }
      }
      hops.push({ ...destinationHop(topology, toIp, subnetContaining(topology, toIp)?.subnet.id ?? null), kind: 'private-endpoint' });
      return result(true, null);
    }

    if (type === 'virtualnetworkgateway') {
      let gateway = gatewayInVnet(topology, vnet.id);
      if (gateway === null) {
        const viaHub = vnet.peerings.find((peering) => peering.useRemoteGateways && gatewayInVnet(topology, peering.remoteVirtualNetworkId) !== null);
        if (viaHub !== undefined) {
          hops.push({ kind: 'peering', resourceId: viaHub.id, name: viaHub.name, address: null, subnetId: null, decision: null });
          gateway = gatewayInVnet(topology, viaHub.remoteVirtualNetworkId);
        }
      }
      if (gateway === null) return result(false, problemAt('no_route', `${current.subnet.name} sends ${toIp} to a gateway that does not exist`, routeExtra));
      hops.push({ kind: 'gateway', resourceId: gateway.id, name: gateway.name, address: null, subnetId: null, decision: null });
      const connections = topology.connections.filter((connection) => sameResourceId(connection.gatewayId, gateway.id)
        && anyPrefixContains(connection.remotePrefixes, toIp));
      if (connections.length > 0 && !connections.some((connection) => connection.connectionStatus.toLowerCase() === 'connected')) {
        const connection = connections[0]!;
        return result(false, problemAt('tunnel_down', `connection ${connection.name} is ${connection.connectionStatus}`, { resourceId: connection.id, name: connection.name }));
      }
      hops.push({ kind: 'on-prem', resourceId: connections[0]?.id ?? null, name: connections[0]?.name ?? null, address: toIp, subnetId: null, decision: null });
      return result(true, null);
    }

    if (type === 'virtualappliance') {
      const applianceIp = route?.nextHopIpAddress ?? null;
      const firewall = firewallByIp(topology, applianceIp);
      if (firewall !== null) {
        if (firewall.virtualHubId !== null) unsupported.push(`${firewall.id} is a Virtual WAN hub firewall`);
        const state = firewall.provisioningState.toLowerCase();
        const location = firewallSubnet(topology, firewall);
        if ((state !== '' && state !== 'succeeded') || location === null) {
          return result(false, problemAt('next_hop_invalid', `route ${route?.origin.name ?? route?.addressPrefix} sends ${toIp} to firewall ${firewall.name} (${applianceIp}), which is ${firewall.provisioningState || 'not placed in a subnet'}`,
            { ...routeExtra, nextSteps: [`Check the firewall ${firewall.name}: provisioning state ${firewall.provisioningState}.`] }));
        }
        if (visitedAppliances.has(firewall.id.toLowerCase())) return result(false, problemAt('loop', `the flow returns to ${firewall.name}: routing loop`, routeExtra));
        visitedAppliances.add(firewall.id.toLowerCase());
        const crossing = reachAppliance(location);
        if (crossing !== null) return result(false, crossing);
        hops.push({ kind: 'firewall', resourceId: firewall.id, name: firewall.name, address: firewall.privateIpAddress, subnetId: location.subnet.id, decision: null });
        current = location;
        enteredFromGateway = false;
        continue;
      }
      const nic = nicByIp(topology, applianceIp);
      const vm = nic === null ? null : vmOfNic(topology, nic);
      const location = nic === null ? null : findSubnet(topology, nic.subnetId);
      const reason = nic === null || location === null ? `no firewall or NIC in the estate holds ${applianceIp ?? 'the next hop address'}`
        : !nic.enableIpForwarding ? `the NIC ${nic.name} of ${applianceIp} has IP forwarding off`
          : vm !== null && vm.powerState.toLowerCase() !== 'running' && vm.powerState.toLowerCase() !== 'unknown' ? `the appliance ${vm.name} at ${applianceIp} is ${vm.powerState}` : null;
      if (reason !== null || nic === null || location === null) {
        return result(false, problemAt('next_hop_invalid', `route ${route?.origin.name ?? route?.addressPrefix} sends ${toIp} to ${applianceIp}: ${reason}`,
          { ...routeExtra, nextSteps: [`Point route ${route?.origin.name ?? route?.addressPrefix} at the running firewall or NVA, or turn on IP forwarding on its NIC.`] }));
      }
      if (visitedAppliances.has(nic.id.toLowerCase())) return result(false, problemAt('loop', `the flow returns to ${applianceIp}: routing loop`, routeExtra));
      visitedAppliances.add(nic.id.toLowerCase());
      const crossing = reachAppliance(location);
      if (crossing !== null) return result(false, crossing);
      hops.push({ kind: 'appliance', resourceId: vm?.id ?? nic.id, name: vm?.name ?? nic.name, address: applianceIp, subnetId: location.subnet.id, decision: null });
      current = location;
      enteredFromGateway = false;
      continue;
    }

    return result(false, problemAt('unsupported', `next hop type ${route?.nextHopType} is not modelled`, routeExtra));
  }
  return result(false, problemAt('loop', 'too many hops'));
}

function destinationHop(topology: Topology, ip: string, subnetId: string | null): Hop {
  const nic = nicByIp(topology, ip);
  const vm = nic === null ? null : vmOfNic(topology, nic);
  return { kind: 'destination', resourceId: vm?.id ?? nic?.id ?? null, name: vm?.name ?? nic?.name ?? null, address: ip, subnetId, decision: null };
}

/** Checks the settings of both sides of a peering a packet is about to cross; a problem when they stop it. */
function crossPeering(topology: Topology, vnet: VirtualNetwork, peering: Peering, packetSourceIp: string | null, fromGateway: boolean, hopIndex: number): PathProblem | null {
  const back = reversePeering(topology, vnet.id, peering.remoteVirtualNetworkId);
  const base = { hopIndex, computed: false, evidenceId: null };
  if (peering.state.toLowerCase() !== 'connected' || (back !== null && back.state.toLowerCase() !== 'connected')) {
    const stuck = peering.state.toLowerCase() !== 'connected' ? peering : back!;
    return { ...base, code: 'peering_not_connected', detail: `peering ${stuck.name} is ${stuck.state}`, resourceId: stuck.id, name: stuck.name, rule: null,
      nextSteps: [`Re-create or re-sync peering ${stuck.name} on both sides until both show Connected.`] };
  }
  if (back !== null && !back.allowVirtualNetworkAccess) {
    return { ...base, code: 'peering_blocks_transit', detail: `peering ${back.name} does not allow virtual network access`, resourceId: back.id, name: back.name, rule: 'allowVirtualNetworkAccess',
      nextSteps: [`Allow virtual network access on peering ${back.name}.`] };
  }
  const forwarded = packetSourceIp !== null && !anyPrefixContains(vnet.addressPrefixes, packetSourceIp);
  if (forwarded && back !== null && !back.allowForwardedTraffic) {
    return { ...base, code: 'peering_blocks_transit', detail: `peering ${back.name} does not allow forwarded traffic, and ${packetSourceIp} does not originate in the peer VNet`, resourceId: back.id, name: back.name, rule: 'allowForwardedTraffic',
      nextSteps: [`Allow forwarded traffic on peering ${back.name}.`] };
  }
  if (fromGateway && (!peering.allowGatewayTransit || (back !== null && !back.useRemoteGateways))) {
    const setting = !peering.allowGatewayTransit ? peering : back!;
    return { ...base, code: 'peering_blocks_transit', detail: `traffic from the gateway crosses peering ${setting.name}, which has ${!peering.allowGatewayTransit ? 'gateway transit' : 'use remote gateways'} off`, resourceId: setting.id, name: setting.name,
      rule: !peering.allowGatewayTransit ? 'allowGatewayTransit' : 'useRemoteGateways',
      nextSteps: [`Turn on gateway transit on the hub side and use remote gateways on the spoke side of peering ${setting.name}.`] };
  }
  return null;
}

/**
 * When no usable route covers a private destination, a peering may be the reason: one that is
 * not Connected (its routes are gone), or a hub gateway the spoke cannot use (transit off).
 */
function explainMissingRoute(topology: Topology, vnet: VirtualNetwork, toIp: string, hopIndex: number): PathProblem | null {
  const base = { hopIndex, computed: false, evidenceId: null };
  // A gateway stops advertising a site's static prefixes while its connection is down.
  const down = topology.connections.find((connection) => anyPrefixContains(connection.remotePrefixes, toIp) && connection.connectionStatus.toLowerCase() !== 'connected');
  if (down !== undefined && !topology.connections.some((connection) => anyPrefixContains(connection.remotePrefixes, toIp) && connection.connectionStatus.toLowerCase() === 'connected')) {
    return { ...base, code: 'tunnel_down', detail: `connection ${down.name} to ${toIp}'s site is ${down.connectionStatus}`, resourceId: down.id, name: down.name, rule: null,
      nextSteps: [`Bring the connection ${down.name} back up.`] };
  }
  const peering = peeringTowards(vnet, topology, toIp);
  if (peering !== null && peering.state.toLowerCase() !== 'connected') {
    return { ...base, code: 'peering_not_connected', detail: `peering ${peering.name} towards ${toIp} is ${peering.state}, so its routes are gone`, resourceId: peering.id, name: peering.name, rule: null,
      nextSteps: [`Re-create or re-sync peering ${peering.name} on both sides until both show Connected.`] };
  }
  for (const candidate of vnet.peerings) {
    const hubGateway = gatewayInVnet(topology, candidate.remoteVirtualNetworkId);
    if (hubGateway === null || candidate.state.toLowerCase() !== 'connected') continue;
    const onPrem = anyPrefixContains(hubGateway.learnedPrefixes, toIp) || topology.connections.some((connection) =>
      sameResourceId(connection.gatewayId, hubGateway.id) && anyPrefixContains(connection.remotePrefixes, toIp));
    if (!onPrem) continue;
    const back = reversePeering(topology, vnet.id, candidate.remoteVirtualNetworkId);
    if (!candidate.useRemoteGateways || (back !== null && !back.allowGatewayTransit)) {
      const setting = !candidate.useRemoteGateways ? candidate : back!;
      return { ...base, code: 'peering_blocks_transit', detail: `${toIp} is behind the hub gateway, but peering ${setting.name} has ${!candidate.useRemoteGateways ? 'use remote gateways' : 'gateway transit'} off`, resourceId: setting.id, name: setting.name,
        rule: !candidate.useRemoteGateways ? 'useRemoteGateways' : 'allowGatewayTransit',
        nextSteps: [`Turn on use remote gateways on the spoke side and gateway transit on the hub side of peering ${setting.name}, or route the prefix to the hub firewall.`] };
    }
  }
  return null;
}

/** Firewalls and NVAs a path traverses, by resource id (lower case). */
export function statefulDevices(path: PathResult): string[] {
  return path.hops.filter((hop) => (hop.kind === 'firewall' || hop.kind === 'appliance') && hop.resourceId !== null).map((hop) => hop.resourceId!.toLowerCase());
}
