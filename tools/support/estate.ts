/**
 * Resolving what the model names (a VM, a NIC, a vault) against the estate in the
 * user's scope. A name that is not there, or is outside the scope, is "not found"
 * with the closest names; nothing unresolved reaches a source.
 */
import { closestNames } from '../../src/diagnose/question/names.js';
import { sameResourceId, type KeyVault, type NetworkInterface, type Topology, type VirtualMachine } from '../../src/domain/index.js';
import type { EvidenceDraft, SourceOutcome } from '../../src/diagnose/ports.js';
import { callSource, gapError, isToolResult } from './outcome.js';
import { failure, notFound, type ToolContext, type ToolResult } from './tool.js';

/** An evidence draft of one kind. */
type EvidenceDraftOf<K extends EvidenceDraft['kind']> = Extract<EvidenceDraft, { kind: K }>;

/** One resource of the estate as find_resource lists it. */
export interface EstateResource {
  name: string;
  kind: string;
  resourceId: string;
  location: string | null;
  ips: string[];
  /** Short facts the model may need (subnet, VNet, prefixes, power state). */
  details: Record<string, unknown>;
}

/** The scoped estate, read once per turn. */
export function estateOf(context: ToolContext): Promise<Topology | null> {
  context.turn.estate ??= context.sources.topology(context.signal).then((outcome) => outcome.topology);
  return context.turn.estate;
}

const nameOfId = (id: string | null) => (id ? id.split('/').pop() ?? id : null);

/** Every resource of the estate, flattened. */
export function listResources(topology: Topology): EstateResource[] {
  const nicIps = (ids: readonly string[]) => topology.networkInterfaces
    .filter((nic) => ids.some((id) => sameResourceId(id, nic.id))).flatMap((nic) => nic.privateIpAddresses);
  const resources: EstateResource[] = [];
  for (const machine of topology.virtualMachines) {
    resources.push({ name: machine.name, kind: machine.kind, resourceId: machine.id, location: machine.location, ips: nicIps(machine.networkInterfaceIds),
      details: { powerState: machine.powerState, networkInterfaces: machine.networkInterfaceIds.map(nameOfId) } });
  }
  for (const nic of topology.networkInterfaces) {
    resources.push({ name: nic.name, kind: 'networkInterface', resourceId: nic.id, location: nic.location, ips: [...nic.privateIpAddresses, ...nic.publicIpAddresses],
      details: { subnet: nameOfId(nic.subnetId), ipForwarding: nic.enableIpForwarding, networkSecurityGroup: nameOfId(nic.networkSecurityGroupId), attachedTo: nameOfId(nic.attachedToId) } });
  }
  for (const network of topology.virtualNetworks) {
    resources.push({ name: network.name, kind: 'virtualNetwork', resourceId: network.id, location: network.location, ips: [],
      details: { addressPrefixes: network.addressPrefixes, peerings: network.peerings.map((peering) => ({ name: peering.name, remote: nameOfId(peering.remoteVirtualNetworkId), state: peering.state })) } });
    for (const subnet of network.subnets) {
      resources.push({ name: subnet.name, kind: 'subnet', resourceId: subnet.id, location: network.location, ips: [],
        details: { virtualNetwork: network.name, addressPrefixes: subnet.addressPrefixes, routeTable: nameOfId(subnet.routeTableId), networkSecurityGroup: nameOfId(subnet.networkSecurityGroupId) } });
    }
  }
  for (const firewall of topology.firewalls) {
    resources.push({ name: firewall.name, kind: 'azureFirewall', resourceId: firewall.id, location: firewall.location,
      ips: [firewall.privateIpAddress, ...firewall.publicIpAddresses].filter((ip): ip is string => ip !== null),
      details: { tier: firewall.tier, policy: nameOfId(firewall.policyId), threatIntelMode: firewall.threatIntelMode } });
  }
  for (const table of topology.routeTables) {
    resources.push({ name: table.name, kind: 'routeTable', resourceId: table.id, location: table.location, ips: [], details: { routes: table.routes.length, propagateGatewayRoutes: !table.disableBgpRoutePropagation } });
  }
  for (const group of topology.networkSecurityGroups) {
    resources.push({ name: group.name, kind: 'networkSecurityGroup', resourceId: group.id, location: group.location, ips: [], details: { rules: group.rules.filter((rule) => !rule.isDefault).length } });
  }
  for (const gateway of topology.gateways) {
    resources.push({ name: gateway.name, kind: 'virtualNetworkGateway', resourceId: gateway.id, location: gateway.location, ips: [], details: { gatewayType: gateway.gatewayType } });
  }
  for (const connection of topology.connections) {
    resources.push({ name: connection.name, kind: 'connection', resourceId: connection.id, location: connection.location, ips: [],
      details: { status: connection.connectionStatus, remotePrefixes: connection.remotePrefixes } });
  }
  for (const endpoint of topology.privateEndpoints) {
    resources.push({ name: endpoint.name, kind: 'privateEndpoint', resourceId: endpoint.id, location: endpoint.location, ips: endpoint.privateIpAddresses,
      details: { target: nameOfId(endpoint.targetResourceId), groupIds: endpoint.groupIds } });
  }
  for (const zone of topology.privateDnsZones) {
    resources.push({ name: zone.name, kind: 'privateDnsZone', resourceId: zone.id, location: null, ips: [], details: { linkedVirtualNetworks: zone.virtualNetworkLinks.map((link) => nameOfId(link.virtualNetworkId)) } });
  }
  for (const vault of topology.keyVaults) {
    resources.push({ name: vault.name, kind: 'keyVault', resourceId: vault.id, location: vault.location, ips: [], details: { hostName: vault.hostName, publicNetworkAccess: vault.publicNetworkAccess, defaultAction: vault.defaultAction } });
  }
  for (const app of topology.webApps) {
    resources.push({ name: app.name, kind: 'webApp', resourceId: app.id, location: app.location, ips: app.outboundIpAddresses, details: { hostNames: app.hostNames, integrationSubnet: nameOfId(app.virtualNetworkSubnetId) } });
  }
  return resources;
}

/** Closest names of the estate to a query (for "not found" hints). */
export function closestResourceNames(topology: Topology | null, query: string, kinds?: readonly string[]): string[] {
  if (!topology) return [];
  const known = listResources(topology)
    .filter((resource) => !kinds || kinds.includes(resource.kind))
    .map((resource) => ({ name: resource.name, kind: resource.kind, resourceId: resource.resourceId, ips: resource.ips }));
  return closestNames(query, known, 5, false);
}

const same = (left: string, right: string) => left.toLowerCase() === right.toLowerCase();

/** A VM and its NIC, by VM name (or by one of its NICs' names). */
export function findVirtualMachine(topology: Topology, name: string): { machine: VirtualMachine; nic: NetworkInterface | null } | null {
  const machine = topology.virtualMachines.find((candidate) => same(candidate.name, name))
    ?? topology.virtualMachines.find((candidate) => topology.networkInterfaces.some((nic) => same(nic.name, name) && candidate.networkInterfaceIds.some((id) => sameResourceId(id, nic.id))));
  if (!machine) return null;
  const nics = topology.networkInterfaces.filter((nic) => machine.networkInterfaceIds.some((id) => sameResourceId(id, nic.id)));
  const nic = nics.find((candidate) => same(candidate.name, name)) ?? nics[0] ?? null;
  return { machine, nic };
}

/** A NIC by its own name or its VM's name. */
export function findNetworkInterface(topology: Topology, name: string): NetworkInterface | null {
  return topology.networkInterfaces.find((nic) => same(nic.name, name)) ?? findVirtualMachine(topology, name)?.nic ?? null;
}

/** A Key Vault by name (or host name). */
export function findKeyVault(topology: Topology, name: string): KeyVault | null {
  return topology.keyVaults.find((vault) => same(vault.name, name) || same(vault.hostName, name)) ?? null;
}

/**
 * One Network Watcher answer about a VM's NIC (effective routes or security rules): the VM
 * or NIC name resolved in the user's estate (closest names when unknown), the source called,
 * and the evidence of the kind asked for, or the tool error that says why there is none.
 */
export async function nicAnswer<K extends 'effective-routes' | 'effective-security-rules'>(
  vm: string,
  context: ToolContext,
  kind: K,
  fetch: (networkInterfaceId: string, signal: AbortSignal) => Promise<SourceOutcome>,
): Promise<{ networkInterface: NetworkInterface; answer: EvidenceDraftOf<K> } | ToolResult> {
  const topology = await estateOf(context);
  const nic = topology ? findNetworkInterface(topology, vm) : null;
  if (!nic) return notFound(`VM or network interface "${vm}"`, closestResourceNames(topology, vm, ['virtualMachine', 'networkInterface']));
  const outcome = await callSource(() => fetch(nic.id, context.signal));
  if (isToolResult(outcome)) return outcome;
  const answer = outcome.evidence.find((draft): draft is EvidenceDraftOf<K> => draft.kind === kind);
  if (answer) return { networkInterface: nic, answer };
  return gapError(outcome.gaps) ?? failure('no_answer', `no ${kind.replace(/-/gu, ' ')} returned`);
}
