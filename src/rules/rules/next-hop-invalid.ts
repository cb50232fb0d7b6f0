/**
 * `next_hop_invalid`: a route sends the flow to a virtual appliance address that is no running
 * firewall or NVA, or to an NVA whose NIC has IP forwarding off.
 */
import { firewallByIp, nicByIp, vmOfNic } from '../estate.js';
import { analyse, citeResources, evidenceOf, isDestination, isSource, unique } from '../context.js';
import { blockedAt, pathProblemFinding } from '../findings.js';
import type { Rule, RuleFinding } from '../types.js';

/** Why an appliance address cannot forward, or null when it can. */
function applianceProblem(input: Parameters<Rule['run']>[0], ip: string | null): string | null {
  const firewall = firewallByIp(input.topology, ip);
  if (firewall !== null) {
    const state = firewall.provisioningState.toLowerCase();
    return state === '' || state === 'succeeded' ? null : `firewall ${firewall.name} is ${firewall.provisioningState}`;
  }
  const nic = nicByIp(input.topology, ip);
  if (nic === null) return `no firewall or NIC holds ${ip ?? 'the address'}`;
  if (!nic.enableIpForwarding) return `the NIC ${nic.name} has IP forwarding off`;
  const vm = vmOfNic(input.topology, nic);
  if (vm !== null && !['running', 'unknown'].includes(vm.powerState.toLowerCase())) return `${vm.name} is ${vm.powerState}`;
  return null;
}

/** A VirtualAppliance next hop that cannot forward. */
export const nextHopInvalid: Rule = {
  name: 'next-hop-invalid',
  run(input) {
    const analysis = analyse(input);
    const findings: RuleFinding[] = pathProblemFinding(analysis, 'next_hop_invalid', 'route-table');
    for (const answer of evidenceOf(input, 'next-hop')) {
      const { data } = answer;
      if (!isSource(analysis, data.sourceIp) || !isDestination(analysis, data.destinationIp) || data.nextHopType.toLowerCase() !== 'virtualappliance') continue;
      const problem = applianceProblem(input, data.nextHopIpAddress);
      if (problem === null) continue;
      const fromModel = findings.find((finding) => (finding.position ?? 0) < (analysis.forward?.hops.length ?? 1));
      if (fromModel !== undefined) {
        fromModel.evidence = unique([answer.id, ...fromModel.evidence]);
        fromModel.confidence = 'high';
        continue;
      }
      findings.unshift({
        code: 'next_hop_invalid',
        summary: `Network Watcher's next hop from ${data.sourceIp} to ${data.destinationIp} is the virtual appliance ${data.nextHopIpAddress}, but ${problem}.`,
        evidence: unique([answer.id, ...citeResources(analysis, [data.routeTableId])]),
        confidence: 'high',
        blockedAt: blockedAt('route-table', data.routeTableId, null, null),
        nextSteps: [`Point the route at the running firewall or NVA, or turn on IP forwarding on the appliance's NIC.`],
        position: 0,
      });
    }
    return findings;
  },
};
