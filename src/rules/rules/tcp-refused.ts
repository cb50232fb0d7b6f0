/**
 * `tcp_refused`: the destination refuses: SYN answered by RST (REJ), or ICMP port unreachable (how
 * Linux REJECT refuses). From a capture (frames), or from Azure Firewall's flow trace: the firewall
 * passed the SYN and logged a RST from the server's address for that connection, with no SYN-ACK
 * before it. Both are direct; the flow trace is high when every traced attempt was refused.
 */
import { analyse, firewallRowsForFlow, unique } from '../context.js';
import { blockedAt, captureSightings, framesText, tracedConnections } from '../findings.js';
import type { Rule, RuleFinding } from '../types.js';

/** ICMP destination unreachable, port unreachable (IPv4 3/3, IPv6 1/4). */
function isPortUnreachable(type: number, code: number, protocol: string): boolean {
  return protocol === 'icmpv6' || type === 1 ? type === 1 && code === 4 : type === 3 && code === 3;
}

/** The server refuses the connection. */
export const tcpRefused: Rule = {
  name: 'tcp-refused',
  run(input) {
    const analysis = analyse(input);
    if (analysis.flow.protocol !== 'tcp' && analysis.flow.protocol !== 'any') return [];
    const destination = analysis.destination.kind === 'azure' ? analysis.destination : null;
    const where = blockedAt('server', destination?.resourceId ?? null, destination?.name ?? null, null);
    const nextStep = (port: number | null) => `On ${destination?.name ?? 'the destination'}, check that the service listens on port ${analysis.flow.port ?? port ?? ''} and that the host firewall allows it.`;

    const refused = captureSightings(analysis).filter(({ conversation, observations }) =>
      observations.some((observation) => observation.code === 'tcp_refused'
        || (observation.code === 'icmp_unreachable' && (conversation.icmp ?? []).some((icmp) => isPortUnreachable(icmp.type, icmp.code, conversation.protocol))))
      || conversation.tcp?.state === 'REJ'
      || (conversation.icmp ?? []).some((icmp) => isPortUnreachable(icmp.type, icmp.code, conversation.protocol)));

    // Connections the firewall saw refused: a RST from the server, no SYN-ACK before it.
    const traced = tracedConnections(analysis);
    const rejected = traced.filter((connection) => connection.resetByServer && !connection.synAck);
    const passed = firewallRowsForFlow(analysis, ['network']).filter(({ data }) => data.action?.toLowerCase() === 'allow'
      && rejected.some((connection) => connection.clientPort !== null && connection.clientPort === data.sourcePort));
    const traceEvidence = unique([...passed.map((row) => row.id), ...rejected.flatMap((connection) => connection.rows.map((row) => row.id))]);

    if (refused.length > 0) {
      const first = refused[0]!;
      const how = (first.conversation.icmp ?? []).some((icmp) => isPortUnreachable(icmp.type, icmp.code, first.conversation.protocol))
        ? 'ICMP port unreachable' : 'a RST to the SYN';
      const relevant = first.observations.filter((observation) => observation.code === 'tcp_refused' || observation.code === 'icmp_unreachable');
      const alsoTraced = rejected.length > 0 ? `; Azure Firewall's flow trace logs the same for ${rejected.length} connection(s) it passed` : '';
      return [{
        code: 'tcp_refused',
        summary: `${first.conversation.server.ip}:${first.conversation.server.port ?? ''} answers the connection from ${first.conversation.client.ip} with ${how}${framesText(relevant)}${alsoTraced}: nothing listens on the port, or the host firewall rejects it.`,
        evidence: unique([...refused.map((sighting) => sighting.evidence.id), ...traceEvidence]),
        confidence: 'high',
        blockedAt: where,
        nextSteps: [nextStep(first.conversation.server.port)],
      }];
    }
    if (rejected.length === 0) return [];
    const answered = traced.filter((connection) => connection.synAck).length;
    const finding: RuleFinding = {
      code: 'tcp_refused',
      summary: `Azure Firewall passes the SYNs from ${analysis.flow.sourceIp ?? 'the source'} to ${analysis.flow.destinationIp ?? 'the destination'}${analysis.flow.port !== null ? `:${analysis.flow.port}` : ''} and its flow trace logs a RST from the server for ${rejected.length} connection(s) with no SYN-ACK${answered > 0 ? ` (${answered} other connection(s) were answered)` : ''}: nothing listens on the port, or the host firewall rejects it.`,
      evidence: traceEvidence,
      // Answered connections in the same window mean the refusal is intermittent, not the whole story.
      confidence: answered > 0 ? 'medium' : 'high',
      blockedAt: where,
      nextSteps: [nextStep(null)],
    };
    return [finding];
  },
};
