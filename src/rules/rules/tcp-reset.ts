/** `tcp_reset`: an established connection is reset (by whom, from the capture). */
import { analyse, unique } from '../context.js';
import { blockedAt, captureSightings, framesText } from '../findings.js';
import type { Rule } from '../types.js';

/** An established connection reset. */
export const tcpReset: Rule = {
  name: 'tcp-reset',
  run(input) {
    const analysis = analyse(input);
    const resets = captureSightings(analysis).filter(({ observations }) =>
      observations.some((observation) => observation.code === 'tcp_reset' || observation.code === 'reset_after_client_hello'));
    if (resets.length === 0) return [];
    const first = resets[0]!;
    const observation = first.observations.find((candidate) => candidate.code === 'reset_after_client_hello') ?? first.observations.find((candidate) => candidate.code === 'tcp_reset')!;
    const by = first.conversation.tcp?.resetBy ?? null;
    return [{
      code: 'tcp_reset',
      summary: `The connection from ${first.conversation.client.ip} to ${first.conversation.server.ip}:${first.conversation.server.port ?? ''} is reset${by !== null ? ` by the ${by}` : ''}${observation.code === 'reset_after_client_hello' ? ' right after the ClientHello' : ''}${framesText([observation])}.`,
      evidence: unique(resets.map((sighting) => sighting.evidence.id)),
      confidence: 'high',
      blockedAt: blockedAt('server', analysis.destination.kind === 'azure' ? analysis.destination.resourceId : null, analysis.destination.kind === 'azure' ? analysis.destination.name : null, null),
      nextSteps: observation.code === 'reset_after_client_hello'
        ? ['A reset right after the ClientHello is typical of a proxy or firewall refusing the name (SNI): check the application rules and TLS settings on the path.']
        : ['Check the server application and any proxy on the path for why it aborts the connection.'],
    }];
  },
};
