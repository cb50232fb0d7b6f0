/**
 * Observations (CONTRACTS.md section 2) from each conversation's facts, each citing the
 * frames that prove it. TLS follows the contract's precedence: certificates first
 * (chain, name, validity), then the handshake messages, the alert last.
 */
import type { CaptureFinding, Conversation } from '../../domain/capture-report.js';
import type { ObservationCode } from '../../domain/vocabulary.js';
import type { ConversationState } from './analyzer.js';
import { firstOutOfValidity, hostnameMatches } from './certificates.js';
import { isDestinationUnreachable } from './icmp.js';
import { PROOF, type TcpStateTable } from './tcp-state.js';
import type { TlsFacts } from './tls-session.js';
import { alertDescription } from './tls-vocabulary.js';

/** What the findings look at for one conversation. */
export interface ConversationFacts {
  conversation: Conversation;
  state: ConversationState;
  /** The TCP states, where `state.tcp` is this conversation's (when it is TCP). */
  tcp: TcpStateTable;
  tls: TlsFacts | null;
  retransmissions: number;
  zeroWindows: number;
}

/** Alerts that mean "no shared version or cipher suite" when they answer a ClientHello. */
const PROTOCOL_MISMATCH_ALERTS: ReadonlySet<number> = new Set([40, 70, 71]);

function endpointText(endpoint: { ip: string; port: number | null }): string {
  const host = endpoint.ip.includes(':') ? `[${endpoint.ip}]` : endpoint.ip;
  return endpoint.port === null ? endpoint.ip : `${host}:${endpoint.port}`;
}

/** "10.0.0.4:51234 -> 10.1.0.5:443". */
export function flowText(conversation: Conversation): string {
  return `${endpointText(conversation.client)} -> ${endpointText(conversation.server)}`;
}

function uniqueSorted(frames: Iterable<number | null | undefined>): number[] {
  const set = new Set<number>();
  for (const frame of frames) if (typeof frame === 'number') set.add(frame);
  return [...set].sort((a, b) => a - b);
}

const NO_ICMP: NonNullable<Conversation['icmp']> = [];

/** Appends one conversation's findings to `findings`. */
export function addConversationFindings(fact: ConversationFacts, findings: CaptureFinding[]): void {
  const { conversation, state } = fact;
  const add = (code: ObservationCode, summary: string, frames: Iterable<number | null | undefined>) => {
    findings.push({ code, conversation: conversation.id, summary, frames: uniqueSorted(frames) });
  };
  // Most conversations have no finding: the flow text is made for the ones that do.
  let flowTextCache: string | undefined;
  const flow = () => (flowTextCache ??= flowText(conversation));
  const unreachables = (conversation.icmp ?? NO_ICMP).filter((icmp) => isDestinationUnreachable(conversation.protocol === 'icmpv6' || conversation.client.ip.includes(':') ? 6 : 4, icmp.type));

  if (unreachables.length > 0) {
    const first = unreachables[0];
    add('icmp_unreachable', `${flow()}: ICMP destination unreachable (${first?.meaning ?? 'unreachable'}, type ${first?.type} code ${first?.code}) ${unreachables.length === 1 ? 'in frame' : 'in frames'} ${unreachables.map((icmp) => icmp.frame).join(', ')}`, unreachables.map((icmp) => icmp.frame));
  }

  const tcp = conversation.tcp;
  const slot = state.tcp;
  if (tcp && slot >= 0) {
    const states = fact.tcp;
    const firstReset = states.firstProofFrame(slot, PROOF.RESET);
    const tlsFatalBeforeReset = fact.tls?.firstFatalAlert && firstReset !== undefined && fact.tls.firstFatalAlert.frame <= firstReset;
    switch (tcp.state) {
      case 'REJ':
        add('tcp_refused', `${flow()}: SYN answered by RST from ${tcp.resetBy === 'client' ? 'the client' : 'the server'} (connection refused)`, [states.firstProofFrame(slot, PROOF.SYN), states.firstProofFrame(slot, PROOF.SYN_ACK), firstReset]);
        break;
      case 'S0':
      case 'RSTOS0':
      case 'SH':
        if (states.synSeen(slot) && unreachables.length === 0) {
          const syns = states.proofCountOf(slot, PROOF.SYN);
          add('syn_unanswered', `${flow()}: ${syns} SYN${syns === 1 ? '' : 's'} sent, no SYN-ACK came back${tcp.state === 'RSTOS0' ? ' (the client then gave up with a RST)' : ''}`, states.proofFrames(slot, PROOF.SYN));
        }
        break;
      case 'S1':
        if (states.synAckSeen(slot) && !tcp.handshake && states.synSeen(slot) && !states.finalAckSeen(slot)) {
          const synAcks = states.proofFrames(slot, PROOF.SYN_ACK);
          add('synack_unacknowledged', `${flow()}: the server answered with SYN-ACK${synAcks.length > 1 ? ` ${synAcks.length} times` : ''} but the client never acknowledged it: the reply is lost on the way back`, [...states.proofFrames(slot, PROOF.SYN).slice(0, 1), ...synAcks]);
        }
        break;
      case 'RSTRH':
      case 'SHR':
        add('one_sided', `${flow()}: only the server's side is seen (SYN-ACK then ${tcp.state === 'RSTRH' ? 'RST' : 'FIN'}, no SYN from the client), as on one leg of an asymmetric route`, [states.firstProofFrame(slot, PROOF.SYN_ACK), firstReset, states.firstProofFrame(slot, PROOF.FIN)]);
        break;
      case 'OTH':
        if (conversation.packets.toServer === 0 || conversation.packets.toClient === 0) {
          const side = conversation.packets.toClient === 0 ? "client's" : "server's";
          add('one_sided', `${flow()}: only the ${side} side of the conversation is seen (${conversation.packets.toServer + conversation.packets.toClient} packets, no SYN), as on one leg of an asymmetric route`, [conversation.firstFrame, conversation.lastFrame]);
        }
        break;
      case 'RSTO':
      case 'RSTR': {
        const tls = fact.tls;
        const rstFrame = firstReset;
        if (tls && tls.clientHelloFrame !== null && tls.serverHelloFrame === null && !tls.firstFatalAlert && rstFrame !== undefined && rstFrame > tls.clientHelloFrame) {
          add('reset_after_client_hello', `${flow()}: reset by the ${tcp.resetBy ?? 'server'} right after the ClientHello${tls.summary.serverName ? ` for ${tls.summary.serverName}` : ''}: typical of a proxy or firewall refusing the name`, [tls.clientHelloFrame, rstFrame]);
        } else if (!tlsFatalBeforeReset) {
          add('tcp_reset', `${flow()}: established connection reset by the ${tcp.resetBy ?? (tcp.state === 'RSTO' ? 'client' : 'server')} in frame ${rstFrame ?? '?'}`, [rstFrame]);
        }
        break;
      }
      default:
        break;
    }
    if (fact.retransmissions > 0) {
      add('retransmissions', `${flow()}: ${fact.retransmissions} retransmitted segment${fact.retransmissions === 1 ? '' : 's'}`, states.proofFrames(slot, PROOF.RETRANSMISSION));
    }
    if (fact.zeroWindows > 0) {
      add('zero_window', `${flow()}: ${fact.zeroWindows} zero-window advertisement${fact.zeroWindows === 1 ? '' : 's'} (a receiver stopped reading)`, states.proofFrames(slot, PROOF.ZERO_WINDOW));
    }
  }

  if (fact.tls) findings.push(...tlsFindings(conversation, flow(), fact.tls));

  if (state.dns && unreachables.length === 0) {
    for (const question of state.dns) {
      const what = `${question.name} (${conversation.dns?.find((entry) => entry.name === question.name)?.type ?? question.type})`;
      if (question.responseFrame === null) add('dns_no_response', `${flow()}: DNS query for ${what} got no response`, [question.queryFrame]);
      else if (question.rcode === 3) add('dns_nxdomain', `${flow()}: DNS says ${what} does not exist (NXDOMAIN)`, [question.queryFrame, question.responseFrame]);
      else if (question.rcode === 2) add('dns_servfail', `${flow()}: the DNS server failed to resolve ${what} (SERVFAIL)`, [question.queryFrame, question.responseFrame]);
    }
  }
}

function tlsFindings(conversation: Conversation, flow: string, tls: TlsFacts): CaptureFinding[] {
  const findings: CaptureFinding[] = [];
  const add = (code: ObservationCode, summary: string, frames: Iterable<number | null | undefined>) => {
    findings.push({ code, conversation: conversation.id, summary, frames: uniqueSorted(frames) });
  };
  const alert = tls.firstFatalAlert;
  const alertText = alert ? `; the ${alert.from} then sent fatal alert ${alertDescription(alert.code)} (${alert.code}) in frame ${alert.frame}` : '';
  const leaf = tls.certificates[0];
  const certificateFrames = [tls.certificateFrame, alert?.frame];

  if (leaf) {
    const chain = tls.summary.chain;
    if (chain === 'self-signed') {
      add('tls_self_signed', `${flow}: the server sent a self-signed certificate (${leaf.summary.subject}) that is not a known root${alertText}`, certificateFrames);
      return findings;
    }
    if (chain === 'incomplete') {
      const last = tls.certificates[tls.certificates.length - 1];
      add('tls_incomplete_chain', `${flow}: the server sent ${tls.certificates.length} certificate${tls.certificates.length === 1 ? '' : 's'} ending at ${last?.summary.subject ?? '?'}, whose issuer ${last?.summary.issuer ?? '?'} was neither sent nor a known root: the intermediate is missing (if that issuer is a private root your clients trust, configure it as an extra CA)${alertText}`, certificateFrames);
      return findings;
    }
    const matches = hostnameMatches(leaf, tls.summary.serverName);
    if (matches === false) {
      const names = leaf.summary.dnsNames.length > 0 ? leaf.summary.dnsNames.join(', ') : leaf.summary.subject;
      add('tls_hostname_mismatch', `${flow}: the client asked for ${tls.summary.serverName ?? '?'} but the certificate covers ${names}${alertText}`, [tls.clientHelloFrame, ...certificateFrames]);
      return findings;
    }
    if (tls.certificateTimeInMs !== null) {
      const outside = firstOutOfValidity(tls.certificates, tls.certificateTimeInMs);
      const certificate = outside ? tls.certificates[outside.index] : undefined;
      if (outside && certificate) {
        const which = outside.index === 0 ? 'the server certificate' : `certificate ${outside.index + 1} of the chain`;
        const when = outside.expired ? `expired on ${certificate.summary.notAfter}` : `is not valid before ${certificate.summary.notBefore}`;
        add('tls_expired', `${flow}: ${which} (${certificate.summary.subject}) ${when}, before this capture${alertText}`, certificateFrames);
        return findings;
      }
    }
  }

  if (tls.certificateRequestFrame !== null && tls.emptyClientCertificateFrame !== null) {
    add('tls_client_certificate_required', `${flow}: the server asked for a client certificate and the client sent none${alertText}`, [tls.certificateRequestFrame, tls.emptyClientCertificateFrame, alert?.frame]);
    return findings;
  }

  if (alert && !tls.summary.handshakeComplete) {
    const name = alertDescription(alert.code);
    if (alert.code === 70 || (PROTOCOL_MISMATCH_ALERTS.has(alert.code) && !alert.afterServerHello)) {
      add('tls_protocol_mismatch', `${flow}: the ${alert.from} refused the handshake with ${name} (${alert.code}) ${alert.afterServerHello ? '' : 'straight after the ClientHello '}: no shared TLS version or cipher suite`, [tls.clientHelloFrame, alert.frame]);
    } else {
      add('tls_handshake_failure', `${flow}: the handshake failed: the ${alert.from} sent fatal alert ${name} (${alert.code}) in frame ${alert.frame}`, [tls.clientHelloFrame, tls.serverHelloFrame, alert.frame]);
    }
  }
  return findings;
}
