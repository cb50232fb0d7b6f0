/**
 * `nsg_deny`: a network security group denies the flow. Direct evidence first: Traffic Analytics
 * rows with FlowStatus denied naming the rule, IP flow verify, the NIC's effective rules; the
 * configured NSGs otherwise (medium). Outbound at the source (NIC, then subnet), inbound at the
 * destination (subnet, then NIC).
 */
import { sameResourceId, type NetworkInterface, type Subnet } from '../../domain/index.js';
import { analyse, citeResources, evidenceOf, flowRowsForFlow, forwardTuple, isDestination, isSource, unique, type Analysis } from '../context.js';
import { blockedAt } from '../findings.js';
import { evaluateSecurityRules, fromEffectiveSecurityRule, fromSecurityRule, type NsgDecision } from '../security/nsg.js';
import { tagContextFor } from '../security/tags.js';
import type { FlowTuple } from '../security/flow.js';
import type { Rule, RuleFinding } from '../types.js';

interface Place {
  direction: 'Inbound' | 'Outbound';
  subnet: Subnet;
  nic: NetworkInterface | null;
  position: number;
}

function placesOf(analysis: Analysis): Place[] {
  const places: Place[] = [];
  const { source, destination, forward } = analysis;
  if (source.kind === 'azure' && source.role !== 'firewall') places.push({ direction: 'Outbound', subnet: source.subnet, nic: source.nic, position: 0.5 });
  if (destination.kind === 'azure' && destination.role !== 'firewall') {
    const reach = forward?.hops.length ?? 1;
    places.push({ direction: 'Inbound', subnet: destination.subnet, nic: destination.nic, position: reach - 0.5 });
  }
  return places;
}

/**
 * The NSG rule name as the NSG holds it: Traffic Analytics prefixes it with the rule's kind
 * (`UserRule_Deny-Web`, `DefaultRule_DenyAllInBound`).
 */
function securityRuleName(logged: string | null): string | null {
  if (logged === null || logged === '') return null;
  return logged.replace(/^(UserRule|DefaultRule)_/i, '');
}

/** Evaluates the NSGs of one place in Azure's order; the first Deny, or null. */
function configuredDeny(analysis: Analysis, place: Place, tuple: FlowTuple): { decision: NsgDecision; nsgId: string } | null {
  const { topology } = analysis.input;
  const nsgIds = [place.subnet.networkSecurityGroupId, place.nic?.networkSecurityGroupId ?? null];
  const ordered = place.direction === 'Inbound' ? nsgIds : [...nsgIds].reverse();
  const tags = tagContextFor(topology, place.subnet.id);
  for (const nsgId of ordered) {
    const nsg = topology.networkSecurityGroups.find((candidate) => sameResourceId(candidate.id, nsgId));
    if (nsg === undefined) continue;
    const decision = evaluateSecurityRules(nsg.rules.map(fromSecurityRule), place.direction, tuple, tags);
    if (decision.access === 'Deny') return { decision, nsgId: nsg.id };
  }
  return null;
}

/** NSG denies of the flow, one finding per place. */
export const nsgDeny: Rule = {
  name: 'nsg-deny',
  run(input) {
    const analysis = analyse(input);
    const tuple = forwardTuple(analysis);
    const findings: RuleFinding[] = [];
    const deniedRows = flowRowsForFlow(analysis).filter(({ data }) => data.status === 'denied');
    for (const place of placesOf(analysis)) {
      const direction = place.direction === 'Inbound' ? 'inbound' : 'outbound';
      const rows = deniedRows.filter(({ data }) => data.direction === direction);
      const verify = evidenceOf(input, 'ip-flow-verify').filter(({ data }) => data.direction === place.direction && data.access === 'Deny'
        && (place.direction === 'Inbound' ? isDestination(analysis, data.localIp) && isSource(analysis, data.remoteIp)
          : isSource(analysis, data.localIp) && isDestination(analysis, data.remoteIp))
        && (analysis.flow.port === null || data.localPort === '*' || Number(place.direction === 'Inbound' ? data.localPort : data.remotePort) === analysis.flow.port));
      let effectiveDeny: { id: string; decision: NsgDecision; nsgId: string | null } | null = null;
      const effective = place.nic === null ? undefined : evidenceOf(input, 'effective-security-rules').find(({ data }) => sameResourceId(data.networkInterfaceId, place.nic?.id));
      if (effective !== undefined && tuple !== null) {
        const tags = tagContextFor(input.topology, place.subnet.id);
        const groups: ('subnet' | 'networkInterface')[] = place.direction === 'Inbound' ? ['subnet', 'networkInterface'] : ['networkInterface', 'subnet'];
        for (const appliedTo of groups) {
          const rules = effective.data.rules.filter((rule) => rule.appliedTo === appliedTo);
          if (rules.length === 0) continue;
          const decision = evaluateSecurityRules(rules.map(fromEffectiveSecurityRule), place.direction, tuple, tags);
          if (decision.access === 'Deny') {
            effectiveDeny = { id: effective.id, decision, nsgId: rules[0]?.networkSecurityGroupId ?? null };
            break;
          }
        }
      }
      const configured = rows.length === 0 && verify.length === 0 && effective === undefined && tuple !== null ? configuredDeny(analysis, place, tuple) : null;
      if (rows.length === 0 && verify.length === 0 && effectiveDeny === null && configured === null) continue;

      const firstRow = rows[0]?.data;
      const loggedRule = securityRuleName(firstRow?.aclRule ?? null) ?? effectiveDeny?.decision.rule ?? verify[0]?.data.ruleName?.replace(/^(default)?securityRules\//i, '') ?? configured?.decision.rule ?? null;
      const nsgId = effectiveDeny?.nsgId ?? configured?.nsgId
        ?? input.topology.networkSecurityGroups.find((nsg) => firstRow?.aclGroup != null && (sameResourceId(nsg.id, firstRow.aclGroup) || firstRow.aclGroup.toLowerCase().endsWith(`/${nsg.id.split('/').pop()?.toLowerCase()}`)))?.id
        ?? null;
      const nsg = input.topology.networkSecurityGroups.find((candidate) => sameResourceId(candidate.id, nsgId));
      // Legacy flow logs write rule names in lower case: name the rule as the NSG holds it.
      const ruleName = nsg?.rules.find((candidate) => candidate.name.toLowerCase() === loggedRule?.toLowerCase())?.name ?? loggedRule;
      const direct = rows.length > 0 || verify.length > 0 || effectiveDeny !== null;
      const where = place.direction === 'Inbound' ? 'at the destination' : 'at the source';
      findings.push({
        code: 'nsg_deny',
        summary: `NSG ${nsg?.name ?? firstRow?.aclGroup ?? ''} denies the flow ${place.direction.toLowerCase()} ${where}${ruleName !== null ? ` by rule ${ruleName}` : ''}${direct ? '' : ' (from its configuration)'}.`,
        evidence: unique([...rows.map((row) => row.id), ...verify.map((item) => item.id), ...(effectiveDeny !== null ? [effectiveDeny.id] : []),
          ...(direct ? [] : citeResources(analysis, [nsgId]))]),
        confidence: direct && !(effectiveDeny?.decision.undecidable ?? false) ? 'high' : 'medium',
        blockedAt: blockedAt('nsg', nsg?.id ?? firstRow?.aclGroup ?? null, nsg?.name ?? null, ruleName),
        nextSteps: [`Add an allow rule for ${analysis.flow.sourceIp ?? 'the source'} to ${analysis.flow.destinationIp ?? 'the destination'}${analysis.flow.port !== null ? `:${analysis.flow.port}` : ''} in ${nsg?.name ?? 'the NSG'} with a priority before ${ruleName ?? 'the deny rule'}.`],
        position: place.position,
      });
    }
    return findings;
  },
};
