/** `firewall_idps_deny`: Azure Firewall Premium IDPS denies the flow (Action Deny or Drop; Alert stops nothing). */
import { analyse, firewallRowsForFlow } from '../context.js';
import { blockedAt, firewallOnPath, isDenyAction } from '../findings.js';
import type { Rule } from '../types.js';

/** IDPS denies of the flow. */
export const firewallIdpsDeny: Rule = {
  name: 'firewall-idps-deny',
  run(input) {
    const analysis = analyse(input);
    const denies = firewallRowsForFlow(analysis, ['idps']).filter(({ data }) => isDenyAction(data.action));
    if (denies.length === 0) return [];
    const first = denies[0]!.data;
    const { firewall, position } = firewallOnPath(analysis, first.firewallId);
    const signature = first.signatureId !== null ? `signature ${first.signatureId}` : 'an IDPS signature';
    return [{
      code: 'firewall_idps_deny',
      summary: `Azure Firewall ${firewall?.name ?? ''} IDPS drops ${first.sourceIp ?? 'the source'} to ${first.destinationIp ?? 'the destination'}${first.destinationPort !== null ? `:${first.destinationPort}` : ''} by ${signature}${first.description ? ` (${first.description})` : ''}.`,
      evidence: denies.map((row) => row.id),
      confidence: 'high',
      blockedAt: blockedAt('firewall', firewall?.id ?? first.firewallId, firewall?.name ?? null, first.signatureId),
      nextSteps: [`Review ${signature}; if it is a false positive, add an IDPS signature override (Alert or Off) or a bypass for this flow in the firewall policy.`],
      position,
    }];
  },
};
