/**
 * Lookups over the normalised estate (Topology): where an address lives, which subnet,
 * VNet, gateway, firewall or NIC it belongs to. Structure and values only: no rule
 * decides anything from a resource's name.
 */
import {
  sameResourceId,
  type AzureFirewall, type FlowEndpoint, type GatewayConnection, type NetworkInterface, type PrivateEndpoint,
  type Subnet, type Topology, type VirtualMachine, type VirtualNetwork, type VirtualNetworkGateway, type WebApp,
} from '../domain/index.js';
import { anyPrefixContains, parseIp, parsePrefix, prefixContains, sameIp } from './net/ip.js';

/** A subnet with the VNet that holds it. */
export interface SubnetInVnet {
  subnet: Subnet;
  vnet: VirtualNetwork;
}

/** What an address (or a named resource) is, for path walking. */
export type Location =
  | {
      kind: 'azure';
      /** The endpoint's own address when known (an App Service has none of its own). */
      ip: string | null;
      subnet: Subnet;
      vnet: VirtualNetwork;
      nic: NetworkInterface | null;
      role: 'virtual-machine' | 'firewall' | 'private-endpoint' | 'web-app' | 'appliance' | 'address';
      resourceId: string | null;
      name: string | null;
      webApp: WebApp | null;
    }
  | { kind: 'on-prem'; ip: string; gateway: VirtualNetworkGateway; connections: GatewayConnection[] }
  | { kind: 'internet'; ip: string | null; webApp: WebApp | null }
  | { kind: 'unknown'; ip: string | null };

/** The subnet with this id, and its VNet. */
export function findSubnet(topology: Topology, subnetId: string | null | undefined): SubnetInVnet | null {
  if (subnetId == null) return null;
  for (const vnet of topology.virtualNetworks) {
    const subnet = vnet.subnets.find((candidate) => sameResourceId(candidate.id, subnetId));
    if (subnet !== undefined) return { subnet, vnet };
  }
  return null;
}

/** The VNet with this id. */
export function findVnet(topology: Topology, vnetId: string | null | undefined): VirtualNetwork | null {
  return topology.virtualNetworks.find((vnet) => sameResourceId(vnet.id, vnetId)) ?? null;
}

/** The subnet whose prefix holds the address (the most specific one). */
export function subnetContaining(topology: Topology, ip: string | null): SubnetInVnet | null {
  const address = parseIp(ip);
  if (address === null) return null;
  let best: SubnetInVnet | null = null;
  let bestLength = -1;
  for (const vnet of topology.virtualNetworks) {
    for (const subnet of vnet.subnets) {
      for (const prefix of subnet.addressPrefixes) {
        const block = parsePrefix(prefix);
        if (block !== null && prefixContains(block, address) && block.prefixLength > bestLength) {
          best = { subnet, vnet };
          bestLength = block.prefixLength;
        }
      }
    }
  }
  return best;
}

/** The VNet whose address space holds the address. */
export function vnetContaining(topology: Topology, ip: string | null): VirtualNetwork | null {
  return topology.virtualNetworks.find((vnet) => anyPrefixContains(vnet.addressPrefixes, ip)) ?? null;
}

/** The virtual network gateway deployed in a VNet. */
export function gatewayInVnet(topology: Topology, vnetId: string): VirtualNetworkGateway | null {
  return topology.gateways.find((gateway) => sameResourceId(gateway.virtualNetworkId, vnetId)) ?? null;
}

/**
 * The GatewaySubnet of a VNet. Azure requires that exact subnet name, so it is structure, not a
 * label; a subnet holding no NIC, firewall or endpoint is the fallback when the name is absent.
 */
export function gatewaySubnetOf(topology: Topology, vnet: VirtualNetwork): Subnet | null {
  const byName = vnet.subnets.find((subnet) => subnet.name.toLowerCase() === 'gatewaysubnet');
  if (byName !== undefined) return byName;
  const empty = vnet.subnets.filter((subnet) =>
    !topology.networkInterfaces.some((nic) => sameResourceId(nic.subnetId, subnet.id))
    && !topology.firewalls.some((firewall) => sameResourceId(firewall.subnetId, subnet.id))
    && !topology.privateEndpoints.some((endpoint) => sameResourceId(endpoint.subnetId, subnet.id)));
  return empty.length === 1 ? empty[0] ?? null : null;
}

/** True when the subnet is a GatewaySubnet (its routes are never exposed by Azure). */
export function isGatewaySubnet(topology: Topology, subnetId: string): boolean {
  const found = findSubnet(topology, subnetId);
  if (found === null) return false;
  if (gatewayInVnet(topology, found.vnet.id) === null) return false;
  return sameResourceId(gatewaySubnetOf(topology, found.vnet)?.id, subnetId);
}

/** The peering of the remote VNet that points back at `vnetId`. */
export function reversePeering(topology: Topology, vnetId: string, remoteVnetId: string) {
  return findVnet(topology, remoteVnetId)?.peerings.find((peering) => sameResourceId(peering.remoteVirtualNetworkId, vnetId)) ?? null;
}

/** The Azure Firewall whose private address this is. */
export function firewallByIp(topology: Topology, ip: string | null): AzureFirewall | null {
  return topology.firewalls.find((firewall) => sameIp(firewall.privateIpAddress, ip)) ?? null;
}

/** The NIC that holds this private address. */
export function nicByIp(topology: Topology, ip: string | null): NetworkInterface | null {
  return topology.networkInterfaces.find((nic) => nic.privateIpAddresses.some((address) => sameIp(address, ip))) ?? null;
}

/** The private endpoint that holds this address. */
export function privateEndpointByIp(topology: Topology, ip: string | null): PrivateEndpoint | null {
  return topology.privateEndpoints.find((endpoint) => endpoint.privateIpAddresses.some((address) => sameIp(address, ip))) ?? null;
}

/** The VM (or scale set) that owns a NIC. */
export function vmOfNic(topology: Topology, nic: NetworkInterface): VirtualMachine | null {
  return topology.virtualMachines.find((vm) => sameResourceId(vm.id, nic.attachedToId)
    || vm.networkInterfaceIds.some((nicId) => sameResourceId(nicId, nic.id))) ?? null;
}

/** The subnet of a firewall: its own subnetId, else the subnet holding its private address. */
export function firewallSubnet(topology: Topology, firewall: AzureFirewall): SubnetInVnet | null {
  return findSubnet(topology, firewall.subnetId) ?? subnetContaining(topology, firewall.privateIpAddress);
}

/** The gateway (with its connections) whose remote site holds the address. */
export function onPremGatewayFor(topology: Topology, ip: string | null): { gateway: VirtualNetworkGateway; connections: GatewayConnection[] } | null {
  if (parseIp(ip) === null) return null;
  for (const gateway of topology.gateways) {
    const connections = topology.connections.filter((connection) => sameResourceId(connection.gatewayId, gateway.id)
      && anyPrefixContains(connection.remotePrefixes, ip));
    if (connections.length > 0 || anyPrefixContains(gateway.learnedPrefixes, ip)) return { gateway, connections };
  }
  return null;
}

/** Where an address lives: an Azure subnet (with its NIC, firewall or endpoint), a remote site, or the internet. */
export function locateIp(topology: Topology, ip: string | null): Location {
  if (parseIp(ip) === null || ip === null) return { kind: 'unknown', ip };
  const firewall = firewallByIp(topology, ip);
  if (firewall !== null) {
    const found = firewallSubnet(topology, firewall);
    if (found !== null) {
      return { kind: 'azure', ip, ...found, nic: null, role: 'firewall', resourceId: firewall.id, name: firewall.name, webApp: null };
    }
  }
  const endpoint = privateEndpointByIp(topology, ip);
  if (endpoint !== null) {
    const found = findSubnet(topology, endpoint.subnetId) ?? subnetContaining(topology, ip);
    if (found !== null) {
      return { kind: 'azure', ip, ...found, nic: null, role: 'private-endpoint', resourceId: endpoint.id, name: endpoint.name, webApp: null };
    }
  }
  const nic = nicByIp(topology, ip);
  if (nic !== null) {
    const found = findSubnet(topology, nic.subnetId) ?? subnetContaining(topology, ip);
    if (found !== null) {
      const vm = vmOfNic(topology, nic);
      return {
        kind: 'azure', ip, ...found, nic, role: vm !== null ? 'virtual-machine' : 'appliance',
        resourceId: vm?.id ?? nic.id, name: vm?.name ?? nic.name, webApp: null,
      };
    }
  }
  const subnet = subnetContaining(topology, ip);
  if (subnet !== null) return { kind: 'azure', ip, ...subnet, nic: null, role: 'address', resourceId: null, name: null, webApp: null };
  const site = onPremGatewayFor(topology, ip);
  if (site !== null) return { kind: 'on-prem', ip, ...site };
  return { kind: 'internet', ip, webApp: null };
}

/** Resolves a question endpoint: a resource id (VM, NIC, web app, private endpoint) first, else its address. */
export function locateEndpoint(topology: Topology, endpoint: FlowEndpoint): Location {
  const resourceId = endpoint.resourceId;
  if (resourceId !== null) {
    const webApp = topology.webApps.find((app) => sameResourceId(app.id, resourceId));
    if (webApp !== undefined) {
      const found = findSubnet(topology, webApp.virtualNetworkSubnetId);
      if (found !== null) {
        return { kind: 'azure', ip: endpoint.ip, ...found, nic: null, role: 'web-app', resourceId: webApp.id, name: webApp.name, webApp };
      }
      return { kind: 'internet', ip: endpoint.ip, webApp };
    }
    const vm = topology.virtualMachines.find((machine) => sameResourceId(machine.id, resourceId));
    const nic = topology.networkInterfaces.find((candidate) => sameResourceId(candidate.id, resourceId))
      ?? (vm !== undefined ? topology.networkInterfaces.find((candidate) => vm.networkInterfaceIds.some((id) => sameResourceId(id, candidate.id))) : undefined);
    if (nic !== undefined && endpoint.ip === null) return locateIp(topology, nic.privateIpAddresses[0] ?? null);
  }
  return locateIp(topology, endpoint.ip);
}

/** Virtual WAN pieces on or near a VNet: netproof reports them as unsupported rather than guessing. */
export function virtualWanReasons(topology: Topology, vnet: VirtualNetwork): string[] {
  const reasons: string[] = [];
  if (vnet.virtualHubId !== null) reasons.push(`${vnet.id} belongs to Virtual WAN hub ${vnet.virtualHubId}`);
  for (const peering of vnet.peerings) {
    if (/\/virtualhubs\//i.test(peering.remoteVirtualNetworkId)) reasons.push(`${vnet.id} is connected to Virtual WAN hub ${peering.remoteVirtualNetworkId}`);
  }
  return reasons;
}
