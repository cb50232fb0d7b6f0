/**
 * Azure Firewall rule matching: DNAT rules for the firewall's public addresses, then network
 * rules, then application rules, each by rule collection group priority and collection priority
 * (lower first); the first matching rule decides; nothing matching is the default deny.
 */
import type { AzureFirewall, FirewallRule } from '../../domain/index.js';
import { anyPrefixContains, parsePrefix, sameIp } from '../net/ip.js';
import { portInRanges, protocolMatches } from '../net/ports.js';
import type { FlowTuple } from './flow.js';

/** What the firewall's configuration does with a flow. */
export interface FirewallDecision {
  action: 'Allow' | 'Deny' | 'DNAT';
  /** The matching rule, or null for the default action. */
  rule: FirewallRule | null;
  /** `group/collection/rule`, or `Default Action`. */
  ruleName: string;
}

const KIND_ORDER: Record<FirewallRule['kind'], number> = { nat: 0, network: 1, application: 2 };

/** `group/collection/rule` as the logs name a rule. */
export function firewallRuleName(rule: FirewallRule): string {
  return `${rule.ruleCollectionGroup}/${rule.ruleCollection}/${rule.name}`;
}

function addressListMatches(list: readonly string[], ip: string): boolean {
  return list.some((entry) => entry.trim() === '*' || (parsePrefix(entry) !== null && anyPrefixContains([entry], ip)));
}

/** True when an FQDN pattern (`api.contoso.com`, `*.contoso.com`, `*`) covers the name. */
export function fqdnMatches(pattern: string, name: string | null): boolean {
  if (name === null) return false;
  const wanted = pattern.trim().toLowerCase().replace(/\.$/, '');
  const actual = name.trim().toLowerCase().replace(/\.$/, '');
  if (wanted === '*') return true;
  if (wanted.startsWith('*.')) return actual.endsWith(wanted.slice(1));
  if (wanted.startsWith('*')) return actual.endsWith(wanted.slice(1));
  return wanted === actual;
}

function networkRuleMatches(rule: FirewallRule, flow: FlowTuple): boolean {
  if (!rule.protocols.some((protocol) => protocolMatches(protocol, flow.protocol))) return false;
  if (!addressListMatches(rule.sourceAddresses, flow.sourceIp)) return false;
  if (!portInRanges(rule.destinationPorts, flow.destinationPort)) return false;
  return addressListMatches(rule.destinationAddresses, flow.destinationIp)
    || rule.destinationFqdns.some((pattern) => fqdnMatches(pattern, flow.fqdn));
}

function applicationRuleMatches(rule: FirewallRule, flow: FlowTuple): boolean {
  if (flow.protocol !== 'tcp' && flow.protocol !== 'any') return false;
  if (!addressListMatches(rule.sourceAddresses, flow.sourceIp)) return false;
  const portOk = rule.protocols.some((protocol) => {
    const port = /:(\d+)$/.exec(protocol.trim());
    return port === null ? portInRanges(['*'], flow.destinationPort) : flow.destinationPort === Number(port[1]);
  });
  return portOk && rule.targetFqdns.some((pattern) => fqdnMatches(pattern, flow.fqdn));
}

function natRuleMatches(rule: FirewallRule, flow: FlowTuple, firewall: AzureFirewall): boolean {
  const toFirewall = firewall.publicIpAddresses.some((address) => sameIp(address, flow.destinationIp));
  return toFirewall && rule.protocols.some((protocol) => protocolMatches(protocol, flow.protocol))
    && addressListMatches(rule.sourceAddresses, flow.sourceIp)
    && (addressListMatches(rule.destinationAddresses, flow.destinationIp) || rule.destinationAddresses.length === 0)
    && portInRanges(rule.destinationPorts, flow.destinationPort);
}

/** The rules of a firewall in processing order. */
export function orderedFirewallRules(firewall: AzureFirewall): FirewallRule[] {
  return [...firewall.rules].sort((left, right) => KIND_ORDER[left.kind] - KIND_ORDER[right.kind]
    || left.groupPriority - right.groupPriority || left.collectionPriority - right.collectionPriority);
}

/** What the firewall's policy does with the flow: the first matching rule, else the default deny. */
export function evaluateFirewall(firewall: AzureFirewall, flow: FlowTuple): FirewallDecision {
  for (const rule of orderedFirewallRules(firewall)) {
    const matches = rule.kind === 'nat' ? natRuleMatches(rule, flow, firewall)
      : rule.kind === 'network' ? networkRuleMatches(rule, flow) : applicationRuleMatches(rule, flow);
    if (!matches) continue;
    const action = rule.action.toLowerCase() === 'deny' ? 'Deny' : rule.kind === 'nat' ? 'DNAT' : 'Allow';
    return { action, rule, ruleName: firewallRuleName(rule) };
  }
  return { action: 'Deny', rule: null, ruleName: 'Default Action' };
}
