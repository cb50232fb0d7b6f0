/** `tcp_refused`: the destination refuses: SYN answered by RST (REJ), or ICMP port unreachable (how Linux REJECT refuses). */
import { analyse, unique } from '../context.js';
import { blockedAt, captureSightings, framesText } from '../findings.js';
import type { Rule } from '../types.js';

/** ICMP destination unreachable, port unreachable (IPv4 3/3, IPv6 1/4). */
function isPortUnreachable(type: number, code: number, protocol: string): boolean {
  return protocol === 'icmpv6' || type === 1 ? type === 1 && code === 4 : type === 3 && code === 3;
}

/** The server refuses the connection. */
export const tcpRefused: Rule = {
  name: 'tcp-refused',
  run(input) {
    const analysis = analyse(input);
    const refused = captureSightings(analysis).filter(({ conversation, observations }) =>
      observations.some((observation) => observation.code === 'tcp_refused'
        || (observation.code === 'icmp_unreachable' && (conversation.icmp ?? []).some((icmp) => isPortUnreachable(icmp.type, icmp.code, conversation.protocol))))
      || conversation.tcp?.state === 'REJ'
      || (conversation.icmp ?? []).some((icmp) => isPortUnreachable(icmp.type, icmp.code, conversation.protocol)));
    if (refused.length === 0) return [];
    const first = refused[0]!;
    const how = (first.conversation.icmp ?? []).some((icmp) => isPortUnreachable(icmp.type, icmp.code, first.conversation.protocol))
      ? 'ICMP port unreachable' : 'a RST to the SYN';
    const relevant = first.observations.filter((observation) => observation.code === 'tcp_refused' || observation.code === 'icmp_unreachable');
    return [{
      code: 'tcp_refused',
      summary: `${first.conversation.server.ip}:${first.conversation.server.port ?? ''} answers the connection from ${first.conversation.client.ip} with ${how}${framesText(relevant)}: nothing listens on the port, or the host firewall rejects it.`,
      evidence: unique(refused.map((sighting) => sighting.evidence.id)),
      confidence: 'high',
      blockedAt: blockedAt('server', analysis.destination.kind === 'azure' ? analysis.destination.resourceId : null, analysis.destination.kind === 'azure' ? analysis.destination.name : null, null),
      nextSteps: [`On ${analysis.destination.kind === 'azure' && analysis.destination.name !== null ? analysis.destination.name : 'the destination'}, check that the service listens on port ${analysis.flow.port ?? first.conversation.server.port ?? ''} and that the host firewall allows it.`],
    }];
  },
};
