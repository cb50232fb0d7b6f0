/** `firewall_threat_intel_deny`: Azure Firewall threat intelligence denies the flow (Action Deny; Alert stops nothing). */
import { analyse, firewallRowsForFlow } from '../context.js';
import { blockedAt, firewallOnPath, isDenyAction } from '../findings.js';
import type { Rule } from '../types.js';

/** Threat-intelligence denies of the flow. */
export const firewallThreatIntelDeny: Rule = {
  name: 'firewall-threat-intel-deny',
  run(input) {
    const analysis = analyse(input);
    const denies = firewallRowsForFlow(analysis, ['threat-intel']).filter(({ data }) => isDenyAction(data.action));
    if (denies.length === 0) return [];
    const first = denies[0]!.data;
    const { firewall, position } = firewallOnPath(analysis, first.firewallId);
    return [{
      code: 'firewall_threat_intel_deny',
      summary: `Azure Firewall ${firewall?.name ?? ''} threat intelligence denies ${first.sourceIp ?? 'the source'} to ${first.fqdn ?? first.destinationIp ?? 'the destination'}${first.description ? `: ${first.description}` : ''}.`,
      evidence: denies.map((row) => row.id),
      confidence: 'high',
      blockedAt: blockedAt('firewall', firewall?.id ?? first.firewallId, firewall?.name ?? null, first.description ?? 'Threat intelligence'),
      nextSteps: ['Check whether the destination is really malicious; if it is a false positive, add it to the threat-intelligence allow list of the firewall policy.'],
      position,
    }];
  },
};
