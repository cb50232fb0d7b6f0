/**
 * `firewall_bypassed` (contributing): both directions go around the firewall that policy means
 * to inspect them (user routes point at it, but more specific routes win both ways). The flow
 * may well work, uninspected.
 */
import { analyse, citeResources, unique } from '../context.js';
import { firewallByIp } from '../estate.js';
import { intendedFirewallRoutes } from '../routes/asymmetry.js';
import { statefulDevices } from '../routes/path.js';
import type { Rule } from '../types.js';

/** Both directions bypass the intended firewall. */
export const firewallBypassed: Rule = {
  name: 'firewall-bypassed',
  run(input) {
    const analysis = analyse(input);
    const { forward, reverse } = analysis;
    if (forward === null || reverse === null || !forward.reached || !reverse.reached) return [];
    if (statefulDevices(forward).length > 0 || statefulDevices(reverse).length > 0) return [];
    const intended = intendedFirewallRoutes(input.topology, [forward, reverse]);
    if (intended.length === 0) return [];
    const route = intended[0]!;
    const firewall = firewallByIp(input.topology, route.nextHopIpAddress);
    const decisions = [...forward.hops, ...reverse.hops].flatMap((hop) => (hop.decision === null ? [] : [hop.decision]));
    const winner = decisions.find((decision) => decision.covering.includes(route))?.route ?? null;
    return [{
      code: 'firewall_bypassed',
      summary: `Both directions bypass Azure Firewall ${firewall?.name ?? route.nextHopIpAddress ?? ''}: user route ${route.origin.name ?? ''} (${route.addressPrefix}) points at it, but ${winner !== null ? `${winner.nextHopType} ${winner.addressPrefix}` : 'a more specific route'} wins, so the flow is not inspected.`,
      evidence: unique([...decisions.flatMap((decision) => (decision.view.evidenceId !== null ? [decision.view.evidenceId] : [])), ...citeResources(analysis, [route.origin.resourceId, firewall?.id ?? null])]),
      confidence: decisions.some((decision) => decision.view.computed) ? 'medium' : 'high',
      nextSteps: [`Make the route to ${firewall?.privateIpAddress ?? 'the firewall'} win in both directions (a user route at least as specific as ${winner?.addressPrefix ?? 'the winning route'}), if the flow must be inspected.`],
    }];
  },
};
