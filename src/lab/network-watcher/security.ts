/**
 * NSG evaluation as IP flow verify and NSG diagnostics do it: each NSG by priority over its effective
 * rules; inbound the subnet NSG then the NIC NSG, outbound the NIC NSG then the subnet NSG; both must allow.
 */
import { contains, portRangeContains, serviceTagContains } from './addresses.js';

/** One rule of an effectiveNetworkSecurityGroups answer. */
export interface EffectiveSecurityRule {
  name?: string;
  protocol?: string;
  sourcePortRange?: string;
  destinationPortRange?: string;
  sourcePortRanges?: string[];
  destinationPortRanges?: string[];
  sourceAddressPrefix?: string;
  sourceAddressPrefixes?: string[];
  destinationAddressPrefix?: string;
  destinationAddressPrefixes?: string[];
  expandedSourceAddressPrefix?: string[];
  expandedDestinationAddressPrefix?: string[];
  access?: string;
  priority?: number;
  direction?: string;
}

/** One item of an effectiveNetworkSecurityGroups answer: an NSG, where it applies, and its rules. */
export interface EffectiveSecurityGroup {
  networkSecurityGroup?: { id?: string };
  association?: { subnet?: { id?: string } | null; networkInterface?: { id?: string } | null };
  effectiveSecurityRules?: EffectiveSecurityRule[];
}

/** The flow to check, from the rules' point of view. */
export interface Flow {
  direction: 'Inbound' | 'Outbound';
  /** TCP, UDP, ICMP, or `*` for any. */
  protocol: string;
  sourceAddress: string;
  sourcePort: number | undefined;
  destinationAddress: string;
  destinationPort: number | undefined;
}

/** How one rule compared with the flow (the NSG diagnostics `rulesEvaluationResult` item). */
export interface RuleEvaluation {
  rule: EffectiveSecurityRule;
  protocolMatched: boolean;
  sourceMatched: boolean;
  sourcePortMatched: boolean;
  destinationMatched: boolean;
  destinationPortMatched: boolean;
}

/** One NSG's answer. */
export interface GroupVerdict {
  group: EffectiveSecurityGroup;
  /** The subnet or NIC id the NSG is associated with. */
  appliedTo: string;
  access: 'Allow' | 'Deny';
  /** The deciding rule's name, as the effective rules spell it (`securityRules/...`, `defaultSecurityRules/...`). */
  ruleName: string;
  /** Rules evaluated in priority order, up to and including the deciding one. */
  evaluations: RuleEvaluation[];
}

/** The whole answer: both must allow. */
export interface FlowVerdict {
  access: 'Allow' | 'Deny';
  /** The rule that decided: the first deny, else the allow of the last NSG evaluated. */
  ruleName: string;
  verdicts: GroupVerdict[];
}

function listOf(many: string[] | undefined, one: string | undefined): string[] {
  if (many && many.length > 0) return many;
  return one === undefined ? [] : [one];
}

function addressMatches(prefixes: string[], address: string, virtualNetworkPrefixes: readonly string[]): boolean {
  // A flow address of `*` (NSG diagnostics profiles allow it) stands for any address.
  if (address.trim() === '*') return true;
  return prefixes.some((prefix) => {
    const text = prefix.trim();
    if (text === '*' || text.toLowerCase() === 'any') return true;
    if (/^[\d.]+(\/\d+)?$/.test(text)) return contains(text, address);
    return serviceTagContains(text, address, virtualNetworkPrefixes);
  });
}

function protocolMatches(ruleProtocol: string | undefined, flowProtocol: string): boolean {
  const rule = (ruleProtocol ?? '*').toLowerCase();
  const flow = flowProtocol.toLowerCase();
  return rule === '*' || rule === 'all' || flow === '*' || rule === flow;
}

/** Compares one rule with the flow, field by field. */
export function evaluateRule(rule: EffectiveSecurityRule, flow: Flow, virtualNetworkPrefixes: readonly string[] = []): RuleEvaluation {
  const sources = rule.expandedSourceAddressPrefix?.length ? rule.expandedSourceAddressPrefix : listOf(rule.sourceAddressPrefixes, rule.sourceAddressPrefix);
  const destinations = rule.expandedDestinationAddressPrefix?.length
    ? rule.expandedDestinationAddressPrefix
    : listOf(rule.destinationAddressPrefixes, rule.destinationAddressPrefix);
  return {
    rule,
    protocolMatched: protocolMatches(rule.protocol, flow.protocol),
    sourceMatched: addressMatches(sources, flow.sourceAddress, virtualNetworkPrefixes),
    sourcePortMatched: listOf(rule.sourcePortRanges, rule.sourcePortRange ?? '*').some((range) => portRangeContains(range, flow.sourcePort)),
    destinationMatched: addressMatches(destinations, flow.destinationAddress, virtualNetworkPrefixes),
    destinationPortMatched: listOf(rule.destinationPortRanges, rule.destinationPortRange ?? '*').some((range) =>
      portRangeContains(range, flow.destinationPort),
    ),
  };
}

/** True when every field of the evaluation matched. */
export function ruleMatched(evaluation: RuleEvaluation): boolean {
  return (
    evaluation.protocolMatched && evaluation.sourceMatched && evaluation.sourcePortMatched && evaluation.destinationMatched && evaluation.destinationPortMatched
  );
}

/** Evaluates one NSG by priority; with no matching rule the default DenyAll rule applies, as in Azure. */
export function evaluateGroup(group: EffectiveSecurityGroup, flow: Flow, virtualNetworkPrefixes: readonly string[] = []): GroupVerdict {
  const rules = (group.effectiveSecurityRules ?? [])
    .filter((rule) => (rule.direction ?? '').toLowerCase() === flow.direction.toLowerCase())
    .sort((left, right) => (left.priority ?? 65535) - (right.priority ?? 65535));
  const appliedTo = group.association?.subnet?.id ?? group.association?.networkInterface?.id ?? '';
  const evaluations: RuleEvaluation[] = [];
  for (const rule of rules) {
    const evaluation = evaluateRule(rule, flow, virtualNetworkPrefixes);
    evaluations.push(evaluation);
    if (ruleMatched(evaluation)) {
      const access = (rule.access ?? '').toLowerCase() === 'allow' ? 'Allow' : 'Deny';
      return { group, appliedTo, access, ruleName: rule.name ?? '', evaluations };
    }
  }
  const fallback = flow.direction === 'Inbound' ? 'defaultSecurityRules/DenyAllInBound' : 'defaultSecurityRules/DenyAllOutBound';
  return { group, appliedTo, access: 'Deny', ruleName: fallback, evaluations };
}

/** Inbound: subnet NSG then NIC NSG; outbound: NIC NSG then subnet NSG. */
export function orderGroups(groups: readonly EffectiveSecurityGroup[], direction: Flow['direction']): EffectiveSecurityGroup[] {
  const subnet = groups.filter((group) => group.association?.subnet?.id);
  const nic = groups.filter((group) => !group.association?.subnet?.id);
  return direction === 'Inbound' ? [...subnet, ...nic] : [...nic, ...subnet];
}

/** Evaluates every NSG on the path; the flow is allowed only when each allows it. No NSG at all allows. */
export function evaluateFlow(groups: readonly EffectiveSecurityGroup[], flow: Flow, virtualNetworkPrefixes: readonly string[] = []): FlowVerdict {
  const verdicts = orderGroups(groups, flow.direction).map((group) => evaluateGroup(group, flow, virtualNetworkPrefixes));
  const denied = verdicts.find((verdict) => verdict.access === 'Deny');
  if (denied) return { access: 'Deny', ruleName: denied.ruleName, verdicts };
  return { access: 'Allow', ruleName: verdicts[verdicts.length - 1]?.ruleName ?? '', verdicts };
}
