/**
 * NSG evaluation as Azure does it: rules by priority, first match decides. Inbound: the
 * subnet's NSG, then the NIC's; outbound: the NIC's, then the subnet's; both must allow.
 * Service tags VirtualNetwork, Internet and AzureLoadBalancer are understood; other tags are
 * skipped and make the result undecidable rather than guessed.
 */
import type { EffectiveSecurityRule, SecurityRule } from '../../domain/index.js';
import { anyPrefixContains, isPrivateIp, parsePrefix, prefixContains } from '../net/ip.js';
import { portInRanges, protocolMatches } from '../net/ports.js';
import type { FlowTuple } from './flow.js';

/** A security rule in the one shape both configured and effective rules share. */
export interface EvaluatedRule {
  name: string;
  priority: number;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  protocol: string;
  sourcePrefixes: string[];
  sourcePortRanges: string[];
  destinationPrefixes: string[];
  destinationPortRanges: string[];
}

/** What the VirtualNetwork tag means where the NSG applies (address space, peers, on-prem, UDR prefixes, host IP). */
export interface TagContext {
  virtualNetworkPrefixes: string[];
}

/** The outcome of one NSG for one direction. */
export interface NsgDecision {
  access: 'Allow' | 'Deny';
  rule: string;
  priority: number;
  /** A rule with a service tag netproof cannot expand came first: the decision may be wrong. */
  undecidable: boolean;
}

/** Azure's platform address (DNS, health probes), part of VirtualNetwork and AzureLoadBalancer. */
export const AZURE_PLATFORM_IP = '168.63.129.16';

/** Azure's default security rules, used when an NSG's own list omits them. */
export const DEFAULT_SECURITY_RULES: readonly EvaluatedRule[] = [
  { name: 'AllowVnetInBound', priority: 65000, direction: 'Inbound', access: 'Allow', protocol: '*', sourcePrefixes: ['VirtualNetwork'], sourcePortRanges: ['*'], destinationPrefixes: ['VirtualNetwork'], destinationPortRanges: ['*'] },
  { name: 'AllowAzureLoadBalancerInBound', priority: 65001, direction: 'Inbound', access: 'Allow', protocol: '*', sourcePrefixes: ['AzureLoadBalancer'], sourcePortRanges: ['*'], destinationPrefixes: ['*'], destinationPortRanges: ['*'] },
  { name: 'DenyAllInBound', priority: 65500, direction: 'Inbound', access: 'Deny', protocol: '*', sourcePrefixes: ['*'], sourcePortRanges: ['*'], destinationPrefixes: ['*'], destinationPortRanges: ['*'] },
  { name: 'AllowVnetOutBound', priority: 65000, direction: 'Outbound', access: 'Allow', protocol: '*', sourcePrefixes: ['VirtualNetwork'], sourcePortRanges: ['*'], destinationPrefixes: ['VirtualNetwork'], destinationPortRanges: ['*'] },
  { name: 'AllowInternetOutBound', priority: 65001, direction: 'Outbound', access: 'Allow', protocol: '*', sourcePrefixes: ['*'], sourcePortRanges: ['*'], destinationPrefixes: ['Internet'], destinationPortRanges: ['*'] },
  { name: 'DenyAllOutBound', priority: 65500, direction: 'Outbound', access: 'Deny', protocol: '*', sourcePrefixes: ['*'], sourcePortRanges: ['*'], destinationPrefixes: ['*'], destinationPortRanges: ['*'] },
];

/** A configured NSG rule in the evaluated shape. */
export function fromSecurityRule(rule: SecurityRule): EvaluatedRule {
  return {
    name: rule.name, priority: rule.priority, direction: rule.direction, access: rule.access, protocol: rule.protocol,
    sourcePrefixes: rule.sourceAddressPrefixes, sourcePortRanges: rule.sourcePortRanges,
    destinationPrefixes: rule.destinationAddressPrefixes, destinationPortRanges: rule.destinationPortRanges,
  };
}

/** An effective rule (Network Watcher) in the evaluated shape; its name loses the `securityRules/` prefix. */
export function fromEffectiveSecurityRule(rule: EffectiveSecurityRule): EvaluatedRule {
  return {
    name: rule.name.replace(/^(default)?securityRules\//i, ''), priority: rule.priority, direction: rule.direction, access: rule.access,
    protocol: rule.protocol, sourcePrefixes: rule.sourcePrefixes, sourcePortRanges: rule.sourcePortRanges,
    destinationPrefixes: rule.destinationPrefixes, destinationPortRanges: rule.destinationPortRanges,
  };
}

type AddressMatch = 'match' | 'no-match' | 'unknown';

function addressMatches(prefixes: readonly string[], ip: string, tags: TagContext): AddressMatch {
  let unknown = false;
  for (const prefix of prefixes) {
    const value = prefix.trim();
    const lower = value.toLowerCase();
    if (lower === '*' || lower === 'any' || lower === 'internet' && !isPrivateIp(ip) && !anyPrefixContains(tags.virtualNetworkPrefixes, ip)) return 'match';
    if (lower === 'virtualnetwork') {
      if (anyPrefixContains(tags.virtualNetworkPrefixes, ip) || prefixContains(`${AZURE_PLATFORM_IP}/32`, ip)) return 'match';
      continue;
    }
    if (lower === 'azureloadbalancer') {
      if (prefixContains(`${AZURE_PLATFORM_IP}/32`, ip)) return 'match';
      continue;
    }
    if (lower === 'internet') continue;
    if (parsePrefix(value) !== null) {
      if (prefixContains(value, ip)) return 'match';
      continue;
    }
    unknown = true;
  }
  return unknown ? 'unknown' : 'no-match';
}

/**
 * Evaluates one NSG's rules for one direction: lowest priority number first, first match decides.
 * Without default rules in the list, Azure's are appended.
 */
export function evaluateSecurityRules(rules: readonly EvaluatedRule[], direction: 'Inbound' | 'Outbound', flow: FlowTuple, tags: TagContext): NsgDecision {
  const own = rules.filter((rule) => rule.direction === direction);
  const hasDefaults = own.some((rule) => rule.priority >= 65000);
  const ordered = [...own, ...(hasDefaults ? [] : DEFAULT_SECURITY_RULES.filter((rule) => rule.direction === direction))]
    .sort((left, right) => left.priority - right.priority);
  let undecidable = false;
  for (const rule of ordered) {
    if (!protocolMatches(rule.protocol, flow.protocol)) continue;
    if (!portInRanges(rule.destinationPortRanges, flow.destinationPort)) continue;
    if (flow.sourcePort !== null && !portInRanges(rule.sourcePortRanges, flow.sourcePort)) continue;
    const source = addressMatches(rule.sourcePrefixes, flow.sourceIp, tags);
    const destination = addressMatches(rule.destinationPrefixes, flow.destinationIp, tags);
    if (source === 'no-match' || destination === 'no-match') continue;
    if (source === 'unknown' || destination === 'unknown') {
      undecidable = true;
      continue;
    }
    return { access: rule.access, rule: rule.name, priority: rule.priority, undecidable };
  }
  return { access: 'Deny', rule: 'DenyAll', priority: 65500, undecidable };
}
