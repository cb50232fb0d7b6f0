/**
 * TLS causes from capture observations: tls_self_signed, tls_incomplete_chain,
 * tls_hostname_mismatch, tls_expired, tls_protocol_mismatch, tls_handshake_failure (client
 * certificate required and any other fatal alert). A certificate issued by Azure Firewall
 * Premium's TLS-inspection CA is the firewall's, not the server's: the finding then names the firewall.
 * A certificate observation on a handshake that completed stopped nothing (the client accepted it).
 */
import type { CauseCode, ObservationCode } from '../../domain/index.js';
import { analyse, unique } from '../context.js';
import { blockedAt, captureSightings, framesText, observationStops } from '../findings.js';
import type { Rule, RuleFinding } from '../types.js';

/** Observation to cause, in the contract's precedence: certificates first, then handshake messages, the alert last. */
const TLS_CAUSES: readonly [ObservationCode, CauseCode][] = [
  ['tls_self_signed', 'tls_self_signed'],
  ['tls_incomplete_chain', 'tls_incomplete_chain'],
  ['tls_hostname_mismatch', 'tls_hostname_mismatch'],
  ['tls_expired', 'tls_expired'],
  ['tls_client_certificate_required', 'tls_handshake_failure'],
  ['tls_protocol_mismatch', 'tls_protocol_mismatch'],
  ['tls_handshake_failure', 'tls_handshake_failure'],
];

function sameSubject(left: string, right: string): boolean {
  const normalise = (value: string) => value.toLowerCase().split(',').map((part) => part.trim()).sort().join(',');
  return normalise(left) === normalise(right);
}

/** The TLS handshake fails. */
export const tlsFailure: Rule = {
  name: 'tls-failure',
  run(input) {
    const analysis = analyse(input);
    for (const [observationCode, cause] of TLS_CAUSES) {
      const failing = captureSightings(analysis).filter(({ observations, conversation }) => observations.some((observation) => observation.code === observationCode
        && observationStops(observation, conversation)));
      if (failing.length === 0) continue;
      const first = failing[0]!;
      const observation = first.observations.find((candidate) => candidate.code === observationCode)!;
      const leaf = first.conversation.tls?.certificates[0] ?? null;
      const inspecting = leaf === null ? null : input.topology.firewalls.find((firewall) => firewall.tlsInspectionCaSubject !== null
        && (first.conversation.tls?.certificates ?? []).some((certificate) => sameSubject(certificate.issuer, firewall.tlsInspectionCaSubject!)
          || sameSubject(certificate.subject, firewall.tlsInspectionCaSubject!))) ?? null;
      const destination = analysis.destination.kind === 'azure' ? analysis.destination : null;
      const finding: RuleFinding = inspecting !== null
        ? {
            code: cause,
            summary: `${observation.summary}${framesText([observation])}. The certificate is issued by Azure Firewall ${inspecting.name}'s TLS-inspection CA (${inspecting.tlsInspectionCaSubject}): the firewall presents it, not the server.`,
            evidence: unique(failing.map((sighting) => sighting.evidence.id)),
            confidence: 'medium',
            blockedAt: blockedAt('firewall', inspecting.id, inspecting.name, 'TLS inspection'),
            nextSteps: [`Deploy the firewall's TLS-inspection CA (${inspecting.tlsInspectionCaSubject}) to the client's trust store, or exclude ${first.conversation.tls?.serverName ?? 'this destination'} from TLS inspection.`],
          }
        : {
            code: cause,
            summary: `${observation.summary}${framesText([observation])}${leaf !== null ? ` (certificate ${leaf.subject}, issued by ${leaf.issuer})` : ''}.`,
            evidence: unique(failing.map((sighting) => sighting.evidence.id)),
            confidence: 'high',
            blockedAt: blockedAt('server', destination?.resourceId ?? null, destination?.name ?? null, null),
            nextSteps: [nextStepFor(cause, first.conversation.tls?.serverName ?? analysis.flow.destinationName)],
          };
      return [finding];
    }
    return [];
  },
};

function nextStepFor(cause: CauseCode, name: string | null): string {
  switch (cause) {
    case 'tls_self_signed': return 'Install a certificate from a CA the clients trust on the server, or add its CA to the clients\' trust store.';
    case 'tls_incomplete_chain': return 'Configure the server to send its intermediate certificate(s) with the leaf.';
    case 'tls_hostname_mismatch': return `Issue the server a certificate whose names cover ${name ?? 'the name the clients use'}.`;
    case 'tls_expired': return 'Renew the server certificate.';
    case 'tls_protocol_mismatch': return 'Align the TLS versions and cipher suites of client and server.';
    default: return 'Read the alert in the capture: if the server asks for a client certificate, configure the client to send one.';
  }
}
