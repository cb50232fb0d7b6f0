/**
 * Compares the forward and return paths: a firewall or NVA on one of them only sees half of
 * every connection. Explains which route decision took the other direction around it.
 */
import type { ContributingCode, Topology } from '../../domain/index.js';
import { findSubnet, firewallByIp, isGatewaySubnet } from '../estate.js';
import { parsePrefix, prefixCovers, sameIp } from '../net/ip.js';
import type { ModelRoute } from './model.js';
import { statefulDevices, type Hop, type PathResult } from './path.js';

/** The decision that took one direction around a stateful device. */
export interface Bypass {
  /** Firewall or NVA resource id (lower case) seen by one direction only. */
  deviceId: string;
  /** The direction that does NOT pass it. */
  bypassing: 'forward' | 'return';
  /** The hop whose route decision went around it. */
  hop: Hop | null;
  hopIndex: number;
  /** Why, in the contract's contributing vocabulary, when one applies. */
  reason: ContributingCode | null;
  /** The user route meant to send the flow to the device, if one exists. */
  intendedRoute: ModelRoute | null;
  detail: string;
}

/** Asymmetry between two walked paths, or null when both pass the same devices. */
export interface Asymmetry {
  bypasses: Bypass[];
  computed: boolean;
  gatewaySubnetComputed: boolean;
}

function applianceAddress(topology: Topology, deviceId: string): string | null {
  return topology.firewalls.find((firewall) => firewall.id.toLowerCase() === deviceId)?.privateIpAddress
    ?? topology.networkInterfaces.find((nic) => nic.id.toLowerCase() === deviceId || nic.attachedToId?.toLowerCase() === deviceId)?.privateIpAddresses[0]
    ?? null;
}

/** True when the route's prefix lies inside the address space of the VNet that holds the subnet. */
function insideOwnVnet(topology: Topology, subnetId: string | null, route: ModelRoute): boolean {
  const vnet = findSubnet(topology, subnetId)?.vnet;
  return vnet !== undefined && vnet.addressPrefixes.some((space) => prefixCovers(space, route.addressPrefix));
}

function prefixLength(route: ModelRoute): number {
  return parsePrefix(route.addressPrefix)?.prefixLength ?? -1;
}

/** Finds, on the bypassing path, the decision that did not send the packet to the device, and why. */
export function explainBypass(topology: Topology, path: PathResult, deviceId: string, bypassing: 'forward' | 'return'): Bypass {
  const address = applianceAddress(topology, deviceId);
  const towardsDevice = (route: ModelRoute) => route.nextHopType.toLowerCase() === 'virtualappliance' && sameIp(route.nextHopIpAddress, address);
  for (let index = 0; index < path.hops.length; index++) {
    const hop = path.hops[index]!;
    const decision = hop.decision;
    if (decision === null || decision.route === null || towardsDevice(decision.route)) continue;
    const chosen = decision.route;
    const intended = decision.covering.find((route) => route.source === 'User' && towardsDevice(route)) ?? null;
    let reason: ContributingCode | null = null;
    let detail: string;
    if (chosen.nextHopType.toLowerCase() === 'interfaceendpoint' && intended !== null) {
      reason = 'private_endpoint_route_overrides_udr';
      detail = `the private endpoint route ${chosen.addressPrefix} wins by longest-prefix match over user route ${intended.origin.name ?? intended.addressPrefix} (${intended.addressPrefix})`;
    } else if (chosen.source === 'VirtualNetworkGateway' && intended !== null && prefixLength(intended) < prefixLength(chosen)) {
      reason = 'spoke_bgp_route_bypasses_firewall';
      detail = `the gateway-learned route ${chosen.addressPrefix} beats user route ${intended.origin.name ?? intended.addressPrefix} (${intended.addressPrefix})`;
    } else if (hop.subnetId !== null && isGatewaySubnet(topology, hop.subnetId) && intended === null) {
      reason = 'gateway_subnet_missing_udr';
      detail = `the GatewaySubnet has no user route sending ${path.toIp} to ${address ?? 'the firewall'}; it follows ${chosen.nextHopType} (${chosen.addressPrefix})`;
    } else {
      detail = `${hop.name ?? hop.kind} sends ${path.toIp} to ${chosen.nextHopType} (${chosen.addressPrefix}) instead of ${address ?? 'the firewall'}`;
    }
    return { deviceId, bypassing, hop, hopIndex: index, reason, intendedRoute: intended, detail };
  }
  return { deviceId, bypassing, hop: null, hopIndex: -1, reason: null, intendedRoute: null, detail: `the ${bypassing} path does not pass ${address ?? deviceId}` };
}

/** Compares forward and return paths; null when they pass the same stateful devices or a walk is incomplete. */
export function compareDirections(topology: Topology, forward: PathResult | null, reverse: PathResult | null): Asymmetry | null {
  if (forward === null || reverse === null || !forward.reached || !reverse.reached) return null;
  const there = statefulDevices(forward);
  const back = statefulDevices(reverse);
  const bypasses = [
    ...there.filter((device) => !back.includes(device)).map((device) => explainBypass(topology, reverse, device, 'return')),
    ...back.filter((device) => !there.includes(device)).map((device) => explainBypass(topology, forward, device, 'forward')),
  ];
  if (bypasses.length === 0) return null;
  const decisions = [...forward.hops, ...reverse.hops].flatMap((hop) => (hop.decision === null ? [] : [hop.decision]));
  return {
    bypasses,
    computed: decisions.some((decision) => decision.view.computed),
    gatewaySubnetComputed: decisions.some((decision) => decision.view.gatewaySubnet),
  };
}

/**
 * User routes on the walked paths that point at a firewall but lost: policy meant the flow to be
 * inspected. A default route (0.0.0.0/0, ::/0) states egress policy, not an intent for the VNet's
 * own address space: losing there (VnetLocal, a private endpoint's /32 in the same VNet) is how
 * Azure routes inside a VNet, not a bypass. Losing to a peering or to gateway-learned prefixes
 * takes traffic between networks around the firewall, and is one.
 */
export function intendedFirewallRoutes(topology: Topology, paths: readonly (PathResult | null)[]): ModelRoute[] {
  const routes: ModelRoute[] = [];
  for (const path of paths) {
    for (const hop of path?.hops ?? []) {
      const decision = hop.decision;
      if (decision === null) continue;
      for (const route of decision.covering) {
        if (route.source === 'User' && route !== decision.route && route.nextHopType.toLowerCase() === 'virtualappliance'
          && !(prefixLength(route) === 0 && decision.route !== null && insideOwnVnet(topology, hop.subnetId, decision.route))
          && firewallByIp(topology, route.nextHopIpAddress) !== null) routes.push(route);
      }
    }
  }
  return routes;
}
