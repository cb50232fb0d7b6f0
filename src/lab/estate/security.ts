/**
 * Effective security rules as Azure's effectiveNetworkSecurityGroups answers
 * them (subnet NSG, then NIC NSG; service tags expanded), and their evaluation
 * by priority: inbound subnet then NIC, outbound NIC then subnet, both must allow.
 */
import { isIpv4, prefixContains } from './ip.js';
import type { EstateSpec, NsgRuleSpec, NsgSpec, VmSpec } from './model.js';
import { connectedPeerings, findSubnet, gatewayPrefixes, learnsGatewayRoutes } from './routing.js';
import type { Ids } from './ids.js';

/** The `Internet` service tag as Azure expands it (public IPv4 space). */
export const INTERNET_EXPANSION = ['1.0.0.0/8', '2.0.0.0/7', '4.0.0.0/6', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/3', '96.0.0.0/6', '100.0.0.0/10', '100.128.0.0/9', '101.0.0.0/8', '102.0.0.0/7', '104.0.0.0/5', '112.0.0.0/5', '120.0.0.0/6', '124.0.0.0/7', '126.0.0.0/8', '128.0.0.0/3', '160.0.0.0/5', '168.0.0.0/8', '169.0.0.0/9', '169.128.0.0/10', '169.192.0.0/11', '169.224.0.0/12', '169.240.0.0/13', '169.248.0.0/14', '169.252.0.0/15', '169.255.0.0/16', '170.0.0.0/7', '172.0.0.0/12', '172.32.0.0/11', '172.64.0.0/10', '172.128.0.0/9', '173.0.0.0/8', '174.0.0.0/7', '176.0.0.0/4', '192.0.0.0/9', '192.128.0.0/11', '192.160.0.0/13', '192.169.0.0/16', '192.170.0.0/15', '192.172.0.0/14', '192.176.0.0/12', '192.192.0.0/10', '193.0.0.0/8', '194.0.0.0/7', '196.0.0.0/6', '200.0.0.0/5', '208.0.0.0/4'];

/** The default rules every NSG carries. */
export const DEFAULT_RULES: (NsgRuleSpec & { description: string })[] = [
  { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', protocol: '*', source: 'VirtualNetwork', destination: 'VirtualNetwork', destinationPorts: '*', description: 'Allow inbound traffic from all VMs in VNET' },
  { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', protocol: '*', source: 'AzureLoadBalancer', destination: '*', destinationPorts: '*', description: 'Allow inbound traffic from azure load balancer' },
  { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', protocol: '*', source: '*', destination: '*', destinationPorts: '*', description: 'Deny all inbound traffic' },
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', source: 'VirtualNetwork', destination: 'VirtualNetwork', destinationPorts: '*', description: 'Allow outbound traffic from all VMs to all VMs in VNET' },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', source: '*', destination: 'Internet', destinationPorts: '*', description: 'Allow outbound traffic from all VMs to Internet' },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', source: '*', destination: '*', destinationPorts: '*', description: 'Deny all outbound traffic' },
];

/** One effective rule, field order as Azure sends it. */
export interface EffectiveRule {
  name: string;
  protocol: string;
  sourcePortRange: string;
  destinationPortRange: string;
  sourcePortRanges: string[];
  destinationPortRanges: string[];
  sourceAddressPrefix: string;
  sourceAddressPrefixes: string[];
  destinationAddressPrefix: string;
  destinationAddressPrefixes: string[];
  access: 'Allow' | 'Deny';
  priority: number;
  direction: 'Inbound' | 'Outbound';
  expandedSourceAddressPrefix?: string[];
  expandedDestinationAddressPrefix?: string[];
}

/** One NSG's effective rules on a NIC. */
export interface EffectiveGroup {
  networkSecurityGroup: { id: string };
  association: { subnet?: { id: string }; networkInterface?: { id: string } };
  effectiveSecurityRules: EffectiveRule[];
  tagMap: Record<string, never>;
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** What the VirtualNetwork tag means for a NIC in this VNet and subnet. */
export function virtualNetworkExpansion(estate: EstateSpec, vnetName: string, subnetName: string): string[] {
  const { vnet, subnet } = findSubnet(estate, vnetName, subnetName);
  const prefixes = [...vnet.addressSpace];
  for (const peering of connectedPeerings(estate, vnet.name)) {
    const remote = estate.vnets.find((candidate) => candidate.name === peering.to);
    prefixes.push(...(remote?.addressSpace ?? []));
  }
  if (learnsGatewayRoutes(estate, vnet)) prefixes.push(...gatewayPrefixes(estate));
  prefixes.push('168.63.129.16/32');
  const table = estate.routeTables.find((candidate) => candidate.name === subnet.routeTable);
  prefixes.push(...(table?.routes.map((route) => route.prefix) ?? []));
  return [...new Set(prefixes)];
}

function portRange(port: string): string {
  if (port === '*') return '0-65535';
  return port.includes('-') ? port : `${port}-${port}`;
}

function addressPrefix(address: string): string {
  if (address === '*') return '0.0.0.0/0';
  return isIpv4(address) ? `${address}/32` : address;
}

/** Converts NSG rules to their effective form for one NIC. */
function effectiveRule(rule: NsgRuleSpec, isDefault: boolean, virtualNetwork: string[]): EffectiveRule {
  const ports = list(rule.destinationPorts).map(portRange);
  const sources = list(rule.source).map(addressPrefix);
  const destinations = list(rule.destination).map(addressPrefix);
  const effective: EffectiveRule = {
    name: `${isDefault ? 'defaultSecurityRules' : 'securityRules'}/${rule.name}`,
    protocol: rule.protocol === '*' ? 'All' : rule.protocol,
    sourcePortRange: '0-65535',
    destinationPortRange: ports.join(','),
    sourcePortRanges: ['0-65535'],
    destinationPortRanges: ports,
    sourceAddressPrefix: sources.join(','),
    sourceAddressPrefixes: sources,
    destinationAddressPrefix: destinations.join(','),
    destinationAddressPrefixes: destinations,
    access: rule.access,
    priority: rule.priority,
    direction: rule.direction,
  };
  const expand = (prefixes: string[]): string[] | undefined => {
    if (prefixes.length !== 1) return undefined;
    if (prefixes[0] === 'VirtualNetwork') return virtualNetwork;
    if (prefixes[0] === 'AzureLoadBalancer') return ['168.63.129.16/32'];
    if (prefixes[0] === 'Internet') return INTERNET_EXPANSION;
    return undefined;
  };
  const expandedSource = expand(sources);
  const expandedDestination = expand(destinations);
  if (expandedSource) effective.expandedSourceAddressPrefix = expandedSource;
  if (expandedDestination) effective.expandedDestinationAddressPrefix = expandedDestination;
  return effective;
}

function groupRules(nsg: NsgSpec, virtualNetwork: string[]): EffectiveRule[] {
  return [...nsg.rules.map((rule) => effectiveRule(rule, false, virtualNetwork)), ...DEFAULT_RULES.map((rule) => effectiveRule(rule, true, virtualNetwork))];
}

/** The subnet NSG and NIC NSG (in that order) that apply to a VM's NIC. */
export function nsgsOf(estate: EstateSpec, vm: VmSpec): { subnet?: NsgSpec; nic?: NsgSpec } {
  const { subnet } = findSubnet(estate, vm.vnet, vm.subnet);
  const find = (name: string | undefined): NsgSpec | undefined => (name ? estate.nsgs.find((candidate) => candidate.name === name) : undefined);
  return { subnet: find(subnet.nsg), nic: find(vm.nsg) };
}

/** The effectiveNetworkSecurityGroups answer for a VM's NIC. */
export function effectiveSecurityGroups(estate: EstateSpec, ids: Ids, vm: VmSpec): EffectiveGroup[] {
  const virtualNetwork = virtualNetworkExpansion(estate, vm.vnet, vm.subnet);
  const { subnet, nic } = nsgsOf(estate, vm);
  const groups: EffectiveGroup[] = [];
  if (subnet) groups.push({ networkSecurityGroup: { id: ids.nsg(estate, subnet.name) }, association: { subnet: { id: ids.subnet(estate, vm.vnet, vm.subnet) } }, effectiveSecurityRules: groupRules(subnet, virtualNetwork), tagMap: {} });
  if (nic) groups.push({ networkSecurityGroup: { id: ids.nsg(estate, nic.name) }, association: { networkInterface: { id: ids.nic(vm) } }, effectiveSecurityRules: groupRules(nic, virtualNetwork), tagMap: {} });
  return groups;
}

/** A packet as NSG evaluation sees it. */
export interface PacketView {
  protocol: 'Tcp' | 'Udp' | 'Icmp';
  source: string;
  destination: string;
  destinationPort: number;
}

function addressMatches(prefixes: string[], expanded: string[] | undefined, address: string): boolean {
  return (expanded ?? prefixes).some((prefix) => prefixContains(prefix, address));
}

function portMatches(ranges: string[], port: number): boolean {
  return ranges.some((range) => {
    const [low, high] = range.split('-').map(Number);
    return low !== undefined && high !== undefined && port >= low && port <= high;
  });
}

/** The first rule (by priority) of one NSG that matches the packet in the direction. */
export function firstMatch(rules: EffectiveRule[], direction: 'Inbound' | 'Outbound', packet: PacketView): EffectiveRule {
  const sorted = rules.filter((rule) => rule.direction === direction).sort((a, b) => a.priority - b.priority);
  for (const rule of sorted) {
    if (rule.protocol !== 'All' && rule.protocol !== packet.protocol) continue;
    if (packet.protocol !== 'Icmp' && !portMatches(rule.destinationPortRanges, packet.destinationPort)) continue;
    if (!addressMatches(rule.sourceAddressPrefixes, rule.expandedSourceAddressPrefix, packet.source)) continue;
    if (!addressMatches(rule.destinationAddressPrefixes, rule.expandedDestinationAddressPrefix, packet.destination)) continue;
    return rule;
  }
  throw new Error('no NSG rule matched: the default rules should always match');
}

/** The decision for a VM's NIC: which NSG decided (the last evaluated, or the first that denied) and its rule. */
export interface NsgDecision {
  access: 'Allow' | 'Deny';
  nsgName: string | null;
  nsgResourceGroup: string | null;
  rule: string;
}

/** Evaluates a packet against a VM's NSGs the way Azure does. */
export function evaluateNsgs(estate: EstateSpec, ids: Ids, vm: VmSpec, direction: 'Inbound' | 'Outbound', packet: PacketView): NsgDecision {
  const groups = effectiveSecurityGroups(estate, ids, vm);
  const ordered = direction === 'Inbound' ? groups : [...groups].reverse();
  let decision: NsgDecision = { access: 'Allow', nsgName: null, nsgResourceGroup: null, rule: '' };
  for (const group of ordered) {
    const rule = firstMatch(group.effectiveSecurityRules, direction, packet);
    const name = group.networkSecurityGroup.id.split('/').pop() ?? '';
    const nsg = estate.nsgs.find((candidate) => candidate.name === name);
    const label = rule.name.startsWith('defaultSecurityRules/') ? `DefaultRule_${rule.name.slice('defaultSecurityRules/'.length)}` : `UserRule_${rule.name.slice('securityRules/'.length)}`;
    decision = { access: rule.access, nsgName: name, nsgResourceGroup: nsg?.resourceGroup ?? null, rule: label };
    if (rule.access === 'Deny') return decision;
  }
  return decision;
}
