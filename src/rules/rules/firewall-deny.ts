/**
 * `firewall_deny`: an Azure Firewall network or application rule, or its default action, denies
 * the flow. Direct: rule-log rows with Action Deny (high). Without any rule-log row for the flow,
 * the firewall's policy evaluated against the flow (medium).
 */
import { sameResourceId } from '../../domain/index.js';
import { analyse, citeResources, firewallRowsForFlow, forwardTuple, unique } from '../context.js';
import { blockedAt, firewallOnPath, isDenyAction, loggedRuleName } from '../findings.js';
import { evaluateFirewall } from '../security/firewall-policy.js';
import type { Rule, RuleFinding } from '../types.js';

/** Firewall rule or default-action denies of the flow. */
export const firewallDeny: Rule = {
  name: 'firewall-deny',
  run(input) {
    const analysis = analyse(input);
    const rows = firewallRowsForFlow(analysis, ['network', 'application', 'nat']);
    const denies = rows.filter(({ data }) => isDenyAction(data.action));
    const findings: RuleFinding[] = [];
    if (denies.length > 0) {
      const first = denies[0]!.data;
      const { firewall, position } = firewallOnPath(analysis, first.firewallId);
      const rule = loggedRuleName(first);
      const allows = rows.filter(({ data }) => data.action?.toLowerCase() === 'allow');
      findings.push({
        code: 'firewall_deny',
        summary: `Azure Firewall ${firewall?.name ?? ''} denies ${first.sourceIp ?? 'the source'} to ${first.fqdn ?? first.destinationIp ?? 'the destination'}${first.destinationPort !== null ? `:${first.destinationPort}` : ''} (${first.kind} rule${rule !== null ? ` ${rule}` : ''}), ${denies.length} row(s) in the window.`,
        evidence: denies.map((row) => row.id),
        // Allowed rows of the same flow in the same window contradict a steady deny.
        confidence: allows.length > 0 ? 'medium' : 'high',
        blockedAt: blockedAt('firewall', firewall?.id ?? first.firewallId, firewall?.name ?? null, rule),
        nextSteps: [`Add an allow rule for this flow to the firewall policy before ${rule ?? 'the denying rule'}, or correct the rule that denies it.`],
        position,
      });
      return findings;
    }
    if (rows.length > 0) return findings;
    // No row at all: judge from the policy of each firewall the route model puts on the forward path.
    const tuple = forwardTuple(analysis);
    if (tuple === null || analysis.forward === null) return findings;
    analysis.forward.hops.forEach((hop, index) => {
      if (hop.kind !== 'firewall') return;
      const firewall = input.topology.firewalls.find((candidate) => sameResourceId(candidate.id, hop.resourceId));
      if (firewall === undefined || firewall.rules.length === 0) return;
      const decision = evaluateFirewall(firewall, tuple);
      if (decision.action !== 'Deny') return;
      findings.push({
        code: 'firewall_deny',
        summary: `The policy of Azure Firewall ${firewall.name} denies the flow (${decision.rule === null ? 'no rule matches: default action' : `rule ${decision.ruleName}`}); no firewall log row confirms it.`,
        evidence: unique(citeResources(analysis, [firewall.id, firewall.policyId])),
        confidence: 'medium',
        blockedAt: blockedAt('firewall', firewall.id, firewall.name, decision.ruleName),
        nextSteps: [`Add an allow rule for this flow to the firewall policy, and check the firewall's rule logs to confirm.`],
        position: index,
      });
    });
    return findings;
  },
};
