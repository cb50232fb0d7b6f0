/** `no_route`: the effective next hop is None (no route, or a blackhole route), from Network Watcher's next hop or the route model. */
import { analyse, citeResources, evidenceOf, isDestination, isSource, unique } from '../context.js';
import { blockedAt, pathProblemFinding } from '../findings.js';
import type { Rule, RuleFinding } from '../types.js';

/** Next hop None on the forward or return path. */
export const noRoute: Rule = {
  name: 'no-route',
  run(input) {
    const analysis = analyse(input);
    const findings: RuleFinding[] = pathProblemFinding(analysis, 'no_route', 'route-table');
    const answers = evidenceOf(input, 'next-hop').filter(({ data }) => isSource(analysis, data.sourceIp) && isDestination(analysis, data.destinationIp)
      && data.nextHopType.toLowerCase() === 'none');
    if (answers.length > 0) {
      const first = answers[0]!;
      // Network Watcher read the NIC's routes: the model's forward finding, if any, becomes direct evidence.
      const fromModel = findings.find((finding) => (finding.position ?? 0) < (analysis.forward?.hops.length ?? 1));
      if (fromModel !== undefined) {
        fromModel.evidence = unique([...answers.map((answer) => answer.id), ...fromModel.evidence]);
        fromModel.confidence = 'high';
      } else {
        findings.unshift({
          code: 'no_route',
          summary: `Network Watcher's next hop from ${first.data.sourceIp} to ${first.data.destinationIp} is None${first.data.routeTableId ? ` (route table ${first.data.routeTableId})` : ''}: the flow is dropped at the source subnet.`,
          evidence: unique([...answers.map((answer) => answer.id), ...citeResources(analysis, [first.data.routeTableId])]),
          confidence: 'high',
          blockedAt: blockedAt('route-table', first.data.routeTableId, null, null),
          nextSteps: [`Add a route for ${first.data.destinationIp} to the route table of the source subnet, or remove the blackhole route.`],
          position: 0,
        });
      }
    }
    return findings;
  },
};
