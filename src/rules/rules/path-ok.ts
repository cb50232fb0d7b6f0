/**
 * `path_ok`: packets flow both ways and the handshake completes, so the network path is not the
 * problem. From a capture (the TCP handshake seen, no failure on the conversation: high) or
 * Traffic Analytics (the flow allowed with packets both ways: medium; logged so at both ends: high). Traffic Analytics counts
 * packets, not flags: a RST back is a packet back too, so when the firewall's flow trace shows the
 * server refusing or a packet without state for this flow, those counts prove nothing.
 */
import { analyse, flowRowsForFlow, unique } from '../context.js';
import { captureSightings, observationStops, tracedConnections } from '../findings.js';
import type { Rule } from '../types.js';

const FAILURES = new Set(['tcp_refused', 'syn_unanswered', 'synack_unacknowledged', 'one_sided', 'tcp_reset', 'reset_after_client_hello',
  'tls_self_signed', 'tls_incomplete_chain', 'tls_hostname_mismatch', 'tls_expired', 'tls_protocol_mismatch', 'tls_client_certificate_required',
  'tls_handshake_failure', 'icmp_unreachable']);

/** The path works both ways. */
export const pathOk: Rule = {
  name: 'path-ok',
  run(input) {
    const analysis = analyse(input);
    const sightings = captureSightings(analysis);
    const stops = (sighting: (typeof sightings)[number]) => sighting.observations.some((observation) => FAILURES.has(observation.code)
      && observationStops(observation, sighting.conversation));
    const failing = sightings.some(stops);
    const complete = sightings.filter((sighting) => sighting.conversation.tcp?.handshake === true && !stops(sighting));
    const traceFailures = tracedConnections(analysis).some((connection) => (connection.resetByServer && !connection.synAck) || connection.invalid);
    const bothWays = traceFailures ? [] : flowRowsForFlow(analysis).filter(({ data }) => data.status === 'allowed'
      && (data.packetsSourceToDestination ?? 0) > 0 && (data.packetsDestinationToSource ?? 0) > 0);
    if (failing || (complete.length === 0 && bothWays.length === 0)) return [];
    return [{
      code: 'path_ok',
      summary: complete.length > 0
        ? `The capture shows the TCP handshake from ${complete[0]!.conversation.client.ip} to ${complete[0]!.conversation.server.ip}:${complete[0]!.conversation.server.port ?? ''} complete: the network path works, the problem is higher up the stack.`
        : 'Traffic Analytics logs the flow allowed with packets in both directions: the network path works.',
      evidence: unique([...complete.map((sighting) => sighting.evidence.id), ...bothWays.map((row) => row.id)]),
      // Both ends logging the flow with packets back (outbound at the source, inbound at the destination) agree: direct.
      confidence: complete.length > 0 || (bothWays.some(({ data }) => data.direction === 'outbound') && bothWays.some(({ data }) => data.direction === 'inbound')) ? 'high' : 'medium',
      nextSteps: ['Look at the application: its logs, authentication and responses.'],
    }];
  },
};
