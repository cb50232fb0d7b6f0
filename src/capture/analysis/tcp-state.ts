/**
 * Zeek's TCP endpoint state machine and `conn_state()` (base/protocols/conn/main.zeek),
 * plus Wireshark-style retransmission and zero-window detection, per conversation.
 * State is a handful of numbers per direction, so memory stays flat however long the capture.
 */
import { TCP_FLAGS } from '../packet.js';
import type { ConnState } from '../../domain/vocabulary.js';

/** Zeek's TCP endpoint states (TCP_Endpoint.h). */
export enum EndpointState {
  Inactive = 0,
  SynSent = 1,
  SynAckSent = 2,
  Partial = 3,
  Established = 4,
  Closed = 5,
  Reset = 6,
}

/** Zeek's endpoint names, for tests and debugging. */
export const ENDPOINT_STATE_NAMES = ['INACTIVE', 'SYN_SENT', 'SYN_ACK_SENT', 'PARTIAL', 'ESTABLISHED', 'CLOSED', 'RESET'] as const;

/** One direction of a TCP conversation. */
export class TcpEndpoint {
  state: EndpointState = EndpointState.Inactive;
  previousState: EndpointState = EndpointState.Inactive;
  /** Payload bytes that advanced the sequence space (Zeek's endpoint size, approximately). */
  size = 0;
  /** Initial sequence number when a SYN was seen from this side. */
  initialSequence: number | null = null;
  /** Highest sequence number sent + 1 (Wireshark's nextseq), or null before the first segment. */
  nextSequence: number | null = null;
  /** Capture time of the segment that last advanced nextSequence. */
  nextSequenceTimeInMs = 0;
  /** Highest acknowledgement number this side sent, and when. */
  lastAck: number | null = null;
  lastAckTimeInMs = 0;
  /** Duplicate ACKs this side sent in a row (for fast retransmissions). */
  duplicateAcks = 0;
  lastWindow = -1;
  retransmissions = 0;
  zeroWindows = 0;
  /** History letters already recorded for this side (Zeek's CheckHistory mask). */
  historyMask = 0;

  setState(state: EndpointState): void {
    this.previousState = this.state;
    this.state = state;
  }
}

/** Signed difference of two uint32 sequence numbers, as Zeek's seq_delta. */
export function sequenceDelta(a: number, b: number): number {
  return ((a - b) | 0);
}

const HISTORY_LETTERS: Record<string, number> = { S: 1, H: 2, A: 4, D: 8, F: 16, R: 32, I: 64, Q: 128 };

/** The TCP state of one conversation, fed one segment at a time. */
export class TcpConversationState {
  readonly originator = new TcpEndpoint();
  readonly responder = new TcpEndpoint();
  /** Zeek's history string (first occurrence of each letter per side; uppercase = originator). */
  history = '';
  /** Which side sent the first RST. */
  firstResetBy: 'client' | 'server' | null = null;
  synSeen = false;
  synAckSeen = false;
  /** The originator ACKed the SYN-ACK (the third packet of the handshake). */
  finalAckSeen = false;
  /** Time from the first SYN to the handshake's final ACK (Wireshark's ts_first_rtt). */
  private firstSynTimeInMs: number | null = null;
  private firstRoundTripInMs: number | null = null;

  /** Processes one segment; `fromOriginator` says its direction. */
  process(fromOriginator: boolean, seq: number, ack: number, flags: number, window: number, payloadLength: number, timeInMs: number): void {
    const endpoint = fromOriginator ? this.originator : this.responder;
    const peer = fromOriginator ? this.responder : this.originator;
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const hasAck = (flags & TCP_FLAGS.ACK) !== 0;

    if (syn && !hasAck && fromOriginator) {
      this.synSeen = true;
      if (this.firstSynTimeInMs === null) this.firstSynTimeInMs = timeInMs;
    }
    if (syn && hasAck && !fromOriginator) this.synAckSeen = true;
    if (!syn && hasAck && !rst && !fin && fromOriginator && this.synAckSeen && this.synSeen && !this.finalAckSeen) {
      this.finalAckSeen = true;
      if (this.firstSynTimeInMs !== null) this.firstRoundTripInMs = timeInMs - this.firstSynTimeInMs;
    }
    if (rst && this.firstResetBy === null) this.firstResetBy = fromOriginator ? 'client' : 'server';
    if (syn) endpoint.initialSequence ??= seq;

    this.updateHistory(fromOriginator, endpoint, flags, payloadLength);
    this.analyzeSequence(endpoint, peer, seq, ack, flags, window, payloadLength, timeInMs);
    this.updateStateMachine(fromOriginator, endpoint, peer, seq, flags, payloadLength);
  }

  /** Zeek's update_history, first-occurrence letters only. */
  private updateHistory(fromOriginator: boolean, endpoint: TcpEndpoint, flags: number, payloadLength: number): void {
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const bitsSet = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bitsSet > 1) this.mark(fromOriginator, endpoint, fin && rst ? 'I' : 'Q');
    else if (bitsSet === 1) {
      if (syn) this.mark(fromOriginator, endpoint, (flags & TCP_FLAGS.ACK) !== 0 ? 'H' : 'S');
      if (fin) this.mark(fromOriginator, endpoint, 'F');
      if (rst) this.mark(fromOriginator, endpoint, 'R');
    } else if (payloadLength > 0) this.mark(fromOriginator, endpoint, 'D');
    else if ((flags & TCP_FLAGS.ACK) !== 0) this.mark(fromOriginator, endpoint, 'A');
  }

  private mark(fromOriginator: boolean, endpoint: TcpEndpoint, letter: string): void {
    const bit = HISTORY_LETTERS[letter] ?? 0;
    if ((endpoint.historyMask & bit) !== 0) return;
    endpoint.historyMask |= bit;
    this.history += fromOriginator ? letter : letter.toLowerCase();
  }

  /**
   * Wireshark's tcp_analyze_sequence_number, reduced to what the report needs: a segment
   * that does not advance the sequence space is a retransmission (plain, fast or spurious),
   * unless it is a keep-alive, a zero-window probe or out of order.
   */
  private analyzeSequence(endpoint: TcpEndpoint, peer: TcpEndpoint, seq: number, ack: number, flags: number, window: number, payloadLength: number, timeInMs: number): void {
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const segmentLength = payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
    const next = endpoint.nextSequence;

    if (window === 0 && !syn && !fin && !rst) endpoint.zeroWindows += 1;

    let zeroWindowProbe = false;
    if (next !== null && payloadLength === 1 && seq === next && peer.lastWindow === 0) zeroWindowProbe = true;
    const keepAlive = next !== null && payloadLength <= 1 && !syn && !fin && !rst && sequenceDelta(seq, next) === -1;

    if (!rst && next !== null && (segmentLength > 0) && sequenceDelta(seq, next) < 0 && !keepAlive && !zeroWindowProbe) {
      const sinceDupAcks = timeInMs - peer.lastAckTimeInMs;
      const fast = peer.duplicateAcks >= 2 && peer.lastAck === seq && sinceDupAcks < 20;
      const outOfOrderThresholdInMs = this.firstRoundTripInMs !== null && this.firstRoundTripInMs > 0 ? this.firstRoundTripInMs : 3;
      const outOfOrder = !fast && timeInMs - endpoint.nextSequenceTimeInMs < outOfOrderThresholdInMs && next !== ((seq + segmentLength) >>> 0);
      if (!outOfOrder) endpoint.retransmissions += 1;
    }

    const end = (seq + segmentLength) >>> 0;
    if (!rst && !zeroWindowProbe) {
      if (next === null) {
        endpoint.size += payloadLength;
        endpoint.nextSequence = end;
        endpoint.nextSequenceTimeInMs = timeInMs;
      } else if (sequenceDelta(end, next) > 0) {
        endpoint.size += Math.min(payloadLength, sequenceDelta(end, next));
        endpoint.nextSequence = end;
        endpoint.nextSequenceTimeInMs = timeInMs;
      }
    }

    if ((flags & TCP_FLAGS.ACK) !== 0 && !rst) {
      const pureAck = payloadLength === 0 && !syn && !fin;
      if (pureAck && endpoint.lastAck === ack && window === endpoint.lastWindow) endpoint.duplicateAcks += 1;
      else if (endpoint.lastAck === null || sequenceDelta(ack, endpoint.lastAck) !== 0) endpoint.duplicateAcks = 0;
      if (endpoint.lastAck === null || sequenceDelta(ack, endpoint.lastAck) >= 0) {
        endpoint.lastAck = ack;
        endpoint.lastAckTimeInMs = timeInMs;
      }
    }
    endpoint.lastWindow = window;
  }

  /** Zeek's TCPSessionAdapter::UpdateStateMachine. */
  private updateStateMachine(fromOriginator: boolean, endpoint: TcpEndpoint, peer: TcpEndpoint, seq: number, flags: number, payloadLength: number): void {
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const hasAck = (flags & TCP_FLAGS.ACK) !== 0;
    switch (endpoint.state) {
      case EndpointState.Inactive: {
        if (syn) {
          if (fromOriginator) endpoint.setState(hasAck ? EndpointState.SynAckSent : EndpointState.SynSent);
          else {
            if (!hasAck && peer.state === EndpointState.SynAckSent && seq === endpoint.initialSequence) {
              peer.setState(EndpointState.Established);
            }
            if (peer.state === EndpointState.SynSent) peer.setState(EndpointState.Established);
            endpoint.setState(EndpointState.Established);
          }
        }
        if (fin) endpoint.setState(EndpointState.Closed);
        if (rst) endpoint.setState(EndpointState.Reset);
        if (endpoint.state === EndpointState.Inactive) {
          if (!fromOriginator && payloadLength === 0 && this.originator.state === EndpointState.SynSent) {
            // An early ACK of the SYN before the SYN-ACK does not make a partial connection.
          } else if (hasAck && peer.state === EndpointState.Established) {
            endpoint.setState(EndpointState.Established);
          } else {
            endpoint.setState(EndpointState.Partial);
          }
        }
        break;
      }
      case EndpointState.SynSent:
      case EndpointState.SynAckSent:
        if (fin) endpoint.setState(EndpointState.Closed);
        if (rst) endpoint.setState(EndpointState.Reset);
        break;
      case EndpointState.Established:
      case EndpointState.Partial:
        if (syn && endpoint.state === EndpointState.Partial && peer.state === EndpointState.Inactive && !hasAck) {
          endpoint.setState(EndpointState.SynSent);
        }
        if (fin && !rst) {
          endpoint.setState(EndpointState.Closed);
          if (peer.state === EndpointState.Reset && peer.previousState === EndpointState.Closed) peer.setState(EndpointState.Closed);
        }
        if (rst) endpoint.setState(EndpointState.Reset);
        break;
      case EndpointState.Closed:
        if (rst && peer.state !== EndpointState.Closed) endpoint.setState(EndpointState.Reset);
        break;
      case EndpointState.Reset:
        break;
    }
  }

  /** True when a SYN without ACK from the originator should start a new conversation (port reuse). */
  isReuse(fromOriginator: boolean, seq: number, flags: number): boolean {
    if ((flags & TCP_FLAGS.SYN) === 0 || (flags & TCP_FLAGS.ACK) !== 0) return false;
    const endpoint = fromOriginator ? this.originator : this.responder;
    const closed = (state: EndpointState) => state === EndpointState.Closed || state === EndpointState.Reset;
    if (!closed(this.originator.state) && !closed(this.responder.state)) return false;
    return endpoint.initialSequence === null || endpoint.initialSequence !== seq;
  }

  /** Zeek's conn_state() over the two endpoint states. */
  connState(): ConnState {
    return connState(this.originator.state, this.responder.state, this.originator.size, this.responder.size, this.history);
  }

  /** SYN, SYN-ACK and the final ACK all seen. */
  get handshake(): boolean {
    return this.synSeen && this.synAckSeen && this.finalAckSeen;
  }

  get retransmissions(): number {
    return this.originator.retransmissions + this.responder.retransmissions;
  }

  get zeroWindows(): number {
    return this.originator.zeroWindows + this.responder.zeroWindows;
  }
}

/** Zeek's conn_state() for TCP (base/protocols/conn/main.zeek), given the endpoint states. */
export function connState(os: EndpointState, rs: EndpointState, originatorSize: number, responderSize: number, history: string): ConnState {
  const originatorInactive = os === EndpointState.Inactive || os === EndpointState.Partial;
  const responderInactive = rs === EndpointState.Inactive || rs === EndpointState.Partial;
  if (rs === EndpointState.Reset) {
    if (os === EndpointState.SynSent || os === EndpointState.SynAckSent || (os === EndpointState.Reset && originatorSize === 0 && responderSize === 0)) return 'REJ';
    if (originatorInactive) return 'RSTRH';
    return 'RSTR';
  }
  if (os === EndpointState.Reset) {
    if (responderInactive) return /^\^?S[^HAFGIQ]*R/.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === EndpointState.Closed && os === EndpointState.Closed) return 'SF';
  if (os === EndpointState.Closed) return responderInactive ? 'SH' : 'S2';
  if (rs === EndpointState.Closed) return originatorInactive ? 'SHR' : 'S3';
  if (os === EndpointState.SynSent && rs === EndpointState.Inactive) return 'S0';
  if (os === EndpointState.Established && rs === EndpointState.Established) return 'S1';
  return 'OTH';
}
