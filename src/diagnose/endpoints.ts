/**
 * Places an endpoint of the question in the estate: which NIC, VM, subnet and VNet
 * an address belongs to, whether it is a Key Vault, an App Service, a private
 * endpoint, or an address of a remote site behind a gateway connection.
 */
import { isIP } from 'node:net';
import { sameResourceId, type FlowEndpoint, type Topology } from '../domain/index.js';
import { prefixContains } from '../domain/net.js';

/** What an endpoint is. */
export type EndpointKind = 'virtualMachine' | 'privateEndpoint' | 'keyVault' | 'webApp' | 'remoteSite' | 'azureFirewall' | 'external' | 'unknown';

/** An endpoint placed in the estate. */
export interface PlacedEndpoint {
  kind: EndpointKind;
  ip: string | null;
  name: string | null;
  resourceId: string | null;
  virtualMachineId: string | null;
  networkInterfaceId: string | null;
  subnetId: string | null;
  virtualNetworkId: string | null;
  /** For a remote site: the gateway and connection that reach it. */
  gatewayId: string | null;
  connectionId: string | null;
  /** For a Key Vault or App Service: its host name. */
  hostName: string | null;
}

const empty: PlacedEndpoint = {
  kind: 'unknown', ip: null, name: null, resourceId: null, virtualMachineId: null, networkInterfaceId: null,
  subnetId: null, virtualNetworkId: null, gatewayId: null, connectionId: null, hostName: null,
};

/** The VNet that holds a subnet id. */
export function virtualNetworkOfSubnet(topology: Topology, subnetId: string | null): string | null {
  if (!subnetId) return null;
  const network = topology.virtualNetworks.find((candidate) => candidate.subnets.some((subnet) => sameResourceId(subnet.id, subnetId)));
  return network?.id ?? null;
}

/** Places one endpoint of a question. */
export function placeEndpoint(topology: Topology, endpoint: FlowEndpoint): PlacedEndpoint {
  const resourceId = endpoint.resourceId;
  if (resourceId) {
    const vault = topology.keyVaults.find((candidate) => sameResourceId(candidate.id, resourceId));
    if (vault) return { ...empty, kind: 'keyVault', ip: endpoint.ip, name: vault.name, resourceId: vault.id, hostName: vault.hostName };
    const app = topology.webApps.find((candidate) => sameResourceId(candidate.id, resourceId));
    if (app) {
      return {
        ...empty, kind: 'webApp', ip: endpoint.ip, name: app.name, resourceId: app.id, hostName: app.hostNames[0] ?? null,
        subnetId: app.virtualNetworkSubnetId, virtualNetworkId: virtualNetworkOfSubnet(topology, app.virtualNetworkSubnetId),
      };
    }
    const machine = topology.virtualMachines.find((candidate) => sameResourceId(candidate.id, resourceId));
    if (machine) {
      const nic = topology.networkInterfaces.find((candidate) => machine.networkInterfaceIds.some((nicId) => sameResourceId(nicId, candidate.id)));
      const ip = endpoint.ip ?? nic?.privateIpAddresses[0] ?? null;
      return placeAddress(topology, ip, { name: machine.name, resourceId: machine.id });
    }
  }
  return placeAddress(topology, endpoint.ip, { name: endpoint.name, resourceId });
}

function placeAddress(topology: Topology, ip: string | null, known: { name: string | null; resourceId: string | null }): PlacedEndpoint {
  if (!ip || isIP(ip) === 0) return { ...empty, ...known, ip };
  const nic = topology.networkInterfaces.find((candidate) => candidate.privateIpAddresses.includes(ip));
  if (nic) {
    const endpoint = topology.privateEndpoints.find((candidate) => candidate.privateIpAddresses.includes(ip));
    const machine = topology.virtualMachines.find((candidate) => candidate.networkInterfaceIds.some((nicId) => sameResourceId(nicId, nic.id)));
    return {
      ...empty,
      kind: endpoint ? 'privateEndpoint' : 'virtualMachine',
      ip,
      name: known.name ?? machine?.name ?? endpoint?.name ?? null,
      resourceId: known.resourceId ?? machine?.id ?? endpoint?.id ?? null,
      virtualMachineId: machine?.id ?? null,
      networkInterfaceId: nic.id,
      subnetId: nic.subnetId,
      virtualNetworkId: virtualNetworkOfSubnet(topology, nic.subnetId),
    };
  }
  const firewall = topology.firewalls.find((candidate) => candidate.privateIpAddress === ip);
  if (firewall) {
    return { ...empty, kind: 'azureFirewall', ip, name: firewall.name, resourceId: firewall.id, subnetId: firewall.subnetId, virtualNetworkId: virtualNetworkOfSubnet(topology, firewall.subnetId) };
  }
  const connection = topology.connections.find((candidate) => candidate.remotePrefixes.some((prefix) => prefixContains(prefix, ip)));
  if (connection) {
    const gateway = topology.gateways.find((candidate) => sameResourceId(candidate.id, connection.gatewayId));
    return { ...empty, ...known, kind: 'remoteSite', ip, gatewayId: connection.gatewayId, connectionId: connection.id, virtualNetworkId: gateway?.virtualNetworkId ?? null };
  }
  const network = topology.virtualNetworks.find((candidate) => candidate.addressPrefixes.some((prefix) => prefixContains(prefix, ip)));
  if (network) {
    const subnet = network.subnets.find((candidate) => candidate.addressPrefixes.some((prefix) => prefixContains(prefix, ip)));
    return { ...empty, ...known, kind: 'unknown', ip, subnetId: subnet?.id ?? null, virtualNetworkId: network.id };
  }
  return { ...empty, ...known, kind: 'external', ip };
}
