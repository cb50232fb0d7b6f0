/**
 * `tcp_no_response`: SYNs reach the destination's side, Azure allows them, and nothing answers.
 * A capture on the destination showing unanswered SYNs is direct (high); Traffic Analytics at the
 * destination showing the flow allowed inbound with no packet back is inferred (medium).
 */
import { analyse, flowRowsForFlow, unique } from '../context.js';
import { blockedAt, captureSightings, framesText } from '../findings.js';
import type { Rule } from '../types.js';

/** SYNs that reach the destination and get no answer. */
export const tcpNoResponse: Rule = {
  name: 'tcp-no-response',
  run(input) {
    const analysis = analyse(input);
    if (analysis.flow.protocol !== 'tcp' && analysis.flow.protocol !== 'any') return [];
    const sightings = captureSightings(analysis);
    const unanswered = (sighting: (typeof sightings)[number]) => sighting.conversation.protocol === 'tcp'
      && (sighting.observations.some((observation) => observation.code === 'syn_unanswered') || sighting.conversation.tcp?.state === 'S0')
      && sighting.conversation.packets.toClient === 0;
    const atDestination = sightings.filter((sighting) => sighting.atDestination && unanswered(sighting));
    const allowedNoReply = flowRowsForFlow(analysis).filter(({ data }) => data.direction === 'inbound' && data.status === 'allowed'
      && (data.packetsSourceToDestination ?? 0) > 0 && data.packetsDestinationToSource === 0);
    const answeredElsewhere = sightings.some((sighting) => sighting.conversation.packets.toClient > 0 && sighting.conversation.tcp?.state !== 'S0');
    if (answeredElsewhere || (atDestination.length === 0 && allowedNoReply.length === 0)) return [];
    const destination = analysis.destination.kind === 'azure' ? analysis.destination : null;
    const first = atDestination[0];
    return [{
      code: 'tcp_no_response',
      summary: first !== undefined
        ? `SYNs from ${first.conversation.client.ip} reach ${first.conversation.server.ip}:${first.conversation.server.port ?? ''} (captured on the destination${framesText(first.observations.filter((observation) => observation.code === 'syn_unanswered'))}) and nothing answers.`
        : `Traffic Analytics logs the flow allowed inbound at the destination with packets in and none back: the destination does not answer.`,
      evidence: unique([...atDestination.map((sighting) => sighting.evidence.id), ...allowedNoReply.map((row) => row.id)]),
      confidence: first !== undefined ? 'high' : 'medium',
      blockedAt: blockedAt('server', destination?.resourceId ?? null, destination?.name ?? null, null),
      nextSteps: [`On ${destination?.name ?? 'the destination'}, check that it is up, that the service on port ${analysis.flow.port ?? ''} runs, and that the host firewall does not silently drop it.`],
    }];
  },
};
