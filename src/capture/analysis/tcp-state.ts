/**
 * Zeek's TCP endpoint state machine and `conn_state()` (base/protocols/conn/main.zeek),
 * plus Wireshark-style retransmission and zero-window detection, per conversation.
 * State is a handful of numbers per direction, held in typed arrays indexed by conversation,
 * so memory stays flat however long the capture and the garbage collector has nothing to copy.
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

/** Signed difference of two uint32 sequence numbers, as Zeek's seq_delta. */
export function sequenceDelta(a: number, b: number): number {
  return ((a - b) | 0);
}

/** History letters in the order of Zeek's CheckHistory mask bits (bit = 1 << code). */
const HISTORY_LETTERS = 'SHADFRIQ';
const HISTORY_S = 0;
const HISTORY_H = 1;
const HISTORY_A = 2;
const HISTORY_D = 3;
const HISTORY_F = 4;
const HISTORY_R = 5;
const HISTORY_I = 6;
const HISTORY_Q = 7;

/** What `process` reports about the segment it was given. */
export const SEGMENT = { RETRANSMISSION: 1, ZERO_WINDOW: 2 } as const;

/** Kinds of proof frames a TCP conversation keeps: the first 8 of each, the first only of RESET and FIN (the findings cite no other). */
export const PROOF = { SYN: 0, SYN_ACK: 1, RETRANSMISSION: 2, ZERO_WINDOW: 3, RESET: 4, FIN: 5 } as const;
/** A kind of proof frame, see PROOF. */
export type ProofKind = (typeof PROOF)[keyof typeof PROOF];
const PROOF_KINDS = 6;
/** Proof frames kept per kind and conversation. */
const MAX_PROOF_FRAMES = 8;
/** Kinds from this one on keep their first frame only. */
const FIRST_ONLY_PROOF = 4;

/** Per-conversation flag bits. */
const SYN_SEEN = 1;
const SYN_ACK_SEEN = 2;
const FINAL_ACK_SEEN = 4;
const FIRST_SYN_TIME = 8;
const FIRST_ROUND_TRIP = 16;
const RESET_BY_CLIENT = 32;
const RESET_BY_SERVER = 64;
/** Per-endpoint flag bits: which nullable numbers are set. */
const HAS_INITIAL_SEQUENCE = 1;
const HAS_NEXT_SEQUENCE = 2;
const HAS_LAST_ACK = 4;

function grow<T extends Float64Array | Uint32Array | Uint8Array>(array: T, length: number): T {
  const grown = new (array.constructor as new (length: number) => T)(length);
  grown.set(array);
  return grown;
}

/**
 * The TCP state of every conversation of a capture, fed one segment at a time: Zeek's
 * TCP endpoint state machine and `conn_state()`, plus Wireshark-style retransmission and
 * zero-window detection, and the first frames of each kind as proof.
 *
 * Held as a struct of arrays indexed by conversation number (`open()` hands one out),
 * endpoint fields at `2 * conversation` (originator) and `2 * conversation + 1`
 * (responder): a long capture's tens of thousands of conversations are a few typed
 * arrays, not objects the garbage collector copies from generation to generation.
 */
export class TcpStateTable {
  private capacity = 0;
  private count = 0;
  // Per conversation.
  private flags = new Uint8Array(0);
  private firstSynTimeInMs = new Float64Array(0);
  /** Time from the first SYN to the handshake's final ACK (Wireshark's ts_first_rtt). */
  private firstRoundTripInMs = new Float64Array(0);
  /** Zeek's history: letter codes (code + 8 for the responder), 4 bits each, in order; two words. */
  private historyLow = new Uint32Array(0);
  private historyHigh = new Uint32Array(0);
  private historyLength = new Uint8Array(0);
  /** Proof frames: how many of each kind (at most 8), the first one, and the rest in `moreProof`. */
  private proofCount = new Uint8Array(0);
  private firstProof = new Float64Array(0);
  private readonly moreProof = new Map<number, number[]>();
  // Per endpoint.
  private state = new Uint8Array(0);
  private previousState = new Uint8Array(0);
  private endpointFlags = new Uint8Array(0);
  /** Payload bytes that advanced the sequence space (Zeek's endpoint size, approximately). */
  private size = new Float64Array(0);
  /** Initial sequence number when a SYN was seen from this side. */
  private initialSequence = new Float64Array(0);
  /** Highest sequence number sent + 1 (Wireshark's nextseq), and when it last advanced. */
  private nextSequence = new Float64Array(0);
  private nextSequenceTimeInMs = new Float64Array(0);
  /** Highest acknowledgement number this side sent, and when. */
  private lastAck = new Float64Array(0);
  private lastAckTimeInMs = new Float64Array(0);
  /** Duplicate ACKs this side sent in a row (for fast retransmissions). */
  private duplicateAcks = new Uint32Array(0);
  private lastWindow = new Float64Array(0);
  private retransmissionCount = new Float64Array(0);
  private zeroWindowCount = new Float64Array(0);
  /** History letters already recorded for this side (Zeek's CheckHistory mask). */
  private historyMask = new Uint8Array(0);

  /** A new conversation in its initial state; returns its number. */
  open(): number {
    if (this.count === this.capacity) this.resize(Math.max(1024, this.capacity * 2));
    return this.count++;
  }

  private resize(capacity: number): void {
    const endpoints = capacity * 2;
    this.flags = grow(this.flags, capacity);
    this.firstSynTimeInMs = grow(this.firstSynTimeInMs, capacity);
    this.firstRoundTripInMs = grow(this.firstRoundTripInMs, capacity);
    this.historyLow = grow(this.historyLow, capacity);
    this.historyHigh = grow(this.historyHigh, capacity);
    this.historyLength = grow(this.historyLength, capacity);
    this.proofCount = grow(this.proofCount, capacity * PROOF_KINDS);
    this.firstProof = grow(this.firstProof, capacity * PROOF_KINDS);
    this.state = grow(this.state, endpoints);
    this.previousState = grow(this.previousState, endpoints);
    this.endpointFlags = grow(this.endpointFlags, endpoints);
    this.size = grow(this.size, endpoints);
    this.initialSequence = grow(this.initialSequence, endpoints);
    this.nextSequence = grow(this.nextSequence, endpoints);
    this.nextSequenceTimeInMs = grow(this.nextSequenceTimeInMs, endpoints);
    this.lastAck = grow(this.lastAck, endpoints);
    this.lastAckTimeInMs = grow(this.lastAckTimeInMs, endpoints);
    this.duplicateAcks = grow(this.duplicateAcks, endpoints);
    const lastWindow = grow(this.lastWindow, endpoints);
    lastWindow.fill(-1, this.capacity * 2);
    this.lastWindow = lastWindow;
    this.retransmissionCount = grow(this.retransmissionCount, endpoints);
    this.zeroWindowCount = grow(this.zeroWindowCount, endpoints);
    this.historyMask = grow(this.historyMask, endpoints);
    this.capacity = capacity;
  }

  private setState(endpoint: number, state: EndpointState): void {
    this.previousState[endpoint] = this.state[endpoint]!;
    this.state[endpoint] = state;
  }

  /**
   * Processes one segment of conversation `conversation`; `fromOriginator` says its direction.
   * Returns SEGMENT bits: whether it is a retransmission, a zero-window advertisement.
   */
  process(conversation: number, fromOriginator: boolean, seq: number, ack: number, flags: number, window: number, payloadLength: number, timeInMs: number): number {
    const endpoint = conversation * 2 + (fromOriginator ? 0 : 1);
    const peer = conversation * 2 + (fromOriginator ? 1 : 0);
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const hasAck = (flags & TCP_FLAGS.ACK) !== 0;
    let bits = this.flags[conversation]!;

    if (syn && !hasAck && fromOriginator) {
      bits |= SYN_SEEN;
      if ((bits & FIRST_SYN_TIME) === 0) {
        bits |= FIRST_SYN_TIME;
        this.firstSynTimeInMs[conversation] = timeInMs;
      }
    }
    if (syn && hasAck && !fromOriginator) bits |= SYN_ACK_SEEN;
    if (!syn && hasAck && !rst && !fin && fromOriginator && (bits & SYN_ACK_SEEN) !== 0 && (bits & SYN_SEEN) !== 0 && (bits & FINAL_ACK_SEEN) === 0) {
      bits |= FINAL_ACK_SEEN;
      if ((bits & FIRST_SYN_TIME) !== 0) {
        bits |= FIRST_ROUND_TRIP;
        this.firstRoundTripInMs[conversation] = timeInMs - this.firstSynTimeInMs[conversation]!;
      }
    }
    if (rst && (bits & (RESET_BY_CLIENT | RESET_BY_SERVER)) === 0) bits |= fromOriginator ? RESET_BY_CLIENT : RESET_BY_SERVER;
    this.flags[conversation] = bits;
    if (syn && (this.endpointFlags[endpoint]! & HAS_INITIAL_SEQUENCE) === 0) {
      this.endpointFlags[endpoint]! |= HAS_INITIAL_SEQUENCE;
      this.initialSequence[endpoint] = seq;
    }

    this.updateHistory(conversation, endpoint, fromOriginator, flags, payloadLength);
    const result = this.analyzeSequence(conversation, endpoint, peer, seq, ack, flags, window, payloadLength, timeInMs);
    this.updateStateMachine(conversation, endpoint, peer, fromOriginator, seq, flags, payloadLength);
    return result;
  }

  /** Zeek's update_history, first-occurrence letters only. */
  private updateHistory(conversation: number, endpoint: number, fromOriginator: boolean, flags: number, payloadLength: number): void {
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const bitsSet = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bitsSet > 1) this.mark(conversation, endpoint, fromOriginator, fin && rst ? HISTORY_I : HISTORY_Q);
    else if (bitsSet === 1) {
      if (syn) this.mark(conversation, endpoint, fromOriginator, (flags & TCP_FLAGS.ACK) !== 0 ? HISTORY_H : HISTORY_S);
      if (fin) this.mark(conversation, endpoint, fromOriginator, HISTORY_F);
      if (rst) this.mark(conversation, endpoint, fromOriginator, HISTORY_R);
    } else if (payloadLength > 0) this.mark(conversation, endpoint, fromOriginator, HISTORY_D);
    else if ((flags & TCP_FLAGS.ACK) !== 0) this.mark(conversation, endpoint, fromOriginator, HISTORY_A);
  }

  private mark(conversation: number, endpoint: number, fromOriginator: boolean, letter: number): void {
    const bit = 1 << letter;
    if ((this.historyMask[endpoint]! & bit) !== 0) return;
    this.historyMask[endpoint]! |= bit;
    // Each side records each of 8 letters once: at most 16 codes, 8 per word.
    const position = this.historyLength[conversation]!;
    const code = fromOriginator ? letter : letter + 8;
    if (position < 8) this.historyLow[conversation]! |= code << (position * 4);
    else this.historyHigh[conversation]! |= code << ((position - 8) * 4);
    this.historyLength[conversation] = position + 1;
  }

  /** Zeek's history string (first occurrence of each letter per side; uppercase = originator). */
  history(conversation: number): string {
    let text = '';
    const length = this.historyLength[conversation]!;
    for (let position = 0; position < length; position += 1) {
      const word = position < 8 ? this.historyLow[conversation]! : this.historyHigh[conversation]!;
      const code = (word >>> ((position & 7) * 4)) & 15;
      const letter = HISTORY_LETTERS[code & 7]!;
      text += code < 8 ? letter : letter.toLowerCase();
    }
    return text;
  }

  /**
   * Wireshark's tcp_analyze_sequence_number, reduced to what the report needs: a segment
   * that does not advance the sequence space is a retransmission (plain, fast or spurious),
   * unless it is a keep-alive, a zero-window probe or out of order.
   */
  private analyzeSequence(conversation: number, endpoint: number, peer: number, seq: number, ack: number, flags: number, window: number, payloadLength: number, timeInMs: number): number {
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const segmentLength = payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
    const endpointFlags = this.endpointFlags[endpoint]!;
    const hasNext = (endpointFlags & HAS_NEXT_SEQUENCE) !== 0;
    const next = this.nextSequence[endpoint]!;
    let result = 0;

    if (window === 0 && !syn && !fin && !rst) {
      this.zeroWindowCount[endpoint]! += 1;
      result |= SEGMENT.ZERO_WINDOW;
    }

    let zeroWindowProbe = false;
    if (hasNext && payloadLength === 1 && seq === next && this.lastWindow[peer] === 0) zeroWindowProbe = true;
    const keepAlive = hasNext && payloadLength <= 1 && !syn && !fin && !rst && sequenceDelta(seq, next) === -1;

    if (!rst && hasNext && (segmentLength > 0) && sequenceDelta(seq, next) < 0 && !keepAlive && !zeroWindowProbe) {
      const peerHasLastAck = (this.endpointFlags[peer]! & HAS_LAST_ACK) !== 0;
      const sinceDupAcks = timeInMs - this.lastAckTimeInMs[peer]!;
      const fast = this.duplicateAcks[peer]! >= 2 && peerHasLastAck && this.lastAck[peer] === seq && sinceDupAcks < 20;
      const firstRoundTripInMs = this.firstRoundTripInMs[conversation]!;
      const outOfOrderThresholdInMs = (this.flags[conversation]! & FIRST_ROUND_TRIP) !== 0 && firstRoundTripInMs > 0 ? firstRoundTripInMs : 3;
      const outOfOrder = !fast && timeInMs - this.nextSequenceTimeInMs[endpoint]! < outOfOrderThresholdInMs && next !== ((seq + segmentLength) >>> 0);
      if (!outOfOrder) {
        this.retransmissionCount[endpoint]! += 1;
        result |= SEGMENT.RETRANSMISSION;
      }
    }

    const end = (seq + segmentLength) >>> 0;
    if (!rst && !zeroWindowProbe) {
      if (!hasNext) {
        this.size[endpoint]! += payloadLength;
        this.nextSequence[endpoint] = end;
        this.endpointFlags[endpoint]! |= HAS_NEXT_SEQUENCE;
        this.nextSequenceTimeInMs[endpoint] = timeInMs;
      } else if (sequenceDelta(end, next) > 0) {
        this.size[endpoint]! += Math.min(payloadLength, sequenceDelta(end, next));
        this.nextSequence[endpoint] = end;
        this.nextSequenceTimeInMs[endpoint] = timeInMs;
      }
    }

    if ((flags & TCP_FLAGS.ACK) !== 0 && !rst) {
      const pureAck = payloadLength === 0 && !syn && !fin;
      const hasLastAck = (this.endpointFlags[endpoint]! & HAS_LAST_ACK) !== 0;
      const lastAck = this.lastAck[endpoint]!;
      if (pureAck && hasLastAck && lastAck === ack && window === this.lastWindow[endpoint]) this.duplicateAcks[endpoint]! += 1;
      else if (!hasLastAck || sequenceDelta(ack, lastAck) !== 0) this.duplicateAcks[endpoint] = 0;
      if (!hasLastAck || sequenceDelta(ack, lastAck) >= 0) {
        this.lastAck[endpoint] = ack;
        this.endpointFlags[endpoint]! |= HAS_LAST_ACK;
        this.lastAckTimeInMs[endpoint] = timeInMs;
      }
    }
    this.lastWindow[endpoint] = window;
    return result;
  }

  /** Zeek's TCPSessionAdapter::UpdateStateMachine. */
  private updateStateMachine(conversation: number, endpoint: number, peer: number, fromOriginator: boolean, seq: number, flags: number, payloadLength: number): void {
    const syn = (flags & TCP_FLAGS.SYN) !== 0;
    const fin = (flags & TCP_FLAGS.FIN) !== 0;
    const rst = (flags & TCP_FLAGS.RST) !== 0;
    const hasAck = (flags & TCP_FLAGS.ACK) !== 0;
    const state = this.state;
    switch (state[endpoint]) {
      case EndpointState.Inactive: {
        if (syn) {
          if (fromOriginator) this.setState(endpoint, hasAck ? EndpointState.SynAckSent : EndpointState.SynSent);
          else {
            // A SYN always sets the initial sequence number first (process), so it is set here.
            if (!hasAck && state[peer] === EndpointState.SynAckSent && seq === this.initialSequence[endpoint]) {
              this.setState(peer, EndpointState.Established);
            }
            if (state[peer] === EndpointState.SynSent) this.setState(peer, EndpointState.Established);
            this.setState(endpoint, EndpointState.Established);
          }
        }
        if (fin) this.setState(endpoint, EndpointState.Closed);
        if (rst) this.setState(endpoint, EndpointState.Reset);
        if (state[endpoint] === EndpointState.Inactive) {
          if (!fromOriginator && payloadLength === 0 && state[conversation * 2] === EndpointState.SynSent) {
            // An early ACK of the SYN before the SYN-ACK does not make a partial connection.
          } else if (hasAck && state[peer] === EndpointState.Established) {
            this.setState(endpoint, EndpointState.Established);
          } else {
            this.setState(endpoint, EndpointState.Partial);
          }
        }
        break;
      }
      case EndpointState.SynSent:
      case EndpointState.SynAckSent:
        if (fin) this.setState(endpoint, EndpointState.Closed);
        if (rst) this.setState(endpoint, EndpointState.Reset);
        break;
      case EndpointState.Established:
      case EndpointState.Partial:
        if (syn && state[endpoint] === EndpointState.Partial && state[peer] === EndpointState.Inactive && !hasAck) {
          this.setState(endpoint, EndpointState.SynSent);
        }
        if (fin && !rst) {
          this.setState(endpoint, EndpointState.Closed);
          if (state[peer] === EndpointState.Reset && this.previousState[peer] === EndpointState.Closed) this.setState(peer, EndpointState.Closed);
        }
        if (rst) this.setState(endpoint, EndpointState.Reset);
        break;
      case EndpointState.Closed:
        if (rst && state[peer] !== EndpointState.Closed) this.setState(endpoint, EndpointState.Reset);
        break;
      default:
        break;
    }
  }

  /** True when a SYN without ACK should start a new conversation in place of `conversation` (port reuse). */
  isReuse(conversation: number, fromOriginator: boolean, seq: number, flags: number): boolean {
    if ((flags & TCP_FLAGS.SYN) === 0 || (flags & TCP_FLAGS.ACK) !== 0) return false;
    const originatorState = this.state[conversation * 2]!;
    const responderState = this.state[conversation * 2 + 1]!;
    const originatorClosed = originatorState === EndpointState.Closed || originatorState === EndpointState.Reset;
    const responderClosed = responderState === EndpointState.Closed || responderState === EndpointState.Reset;
    if (!originatorClosed && !responderClosed) return false;
    const endpoint = conversation * 2 + (fromOriginator ? 0 : 1);
    return (this.endpointFlags[endpoint]! & HAS_INITIAL_SEQUENCE) === 0 || this.initialSequence[endpoint] !== seq;
  }

  /** The initial sequence number one side sent in its SYN, or null. */
  initialSequenceOf(conversation: number, fromOriginator: boolean): number | null {
    const endpoint = conversation * 2 + (fromOriginator ? 0 : 1);
    return (this.endpointFlags[endpoint]! & HAS_INITIAL_SEQUENCE) === 0 ? null : this.initialSequence[endpoint]!;
  }

  /** Zeek's conn_state() over the two endpoint states. */
  connState(conversation: number): ConnState {
    const originatorState = this.state[conversation * 2]! as EndpointState;
    const responderState = this.state[conversation * 2 + 1]! as EndpointState;
    // connState reads the history only for an originator reset with an inactive responder.
    const needsHistory = originatorState === EndpointState.Reset && (responderState === EndpointState.Inactive || responderState === EndpointState.Partial);
    return connState(originatorState, responderState, this.size[conversation * 2]!, this.size[conversation * 2 + 1]!, needsHistory ? this.history(conversation) : '');
  }

  /** The endpoint state of one side (tests and debugging). */
  endpointState(conversation: number, fromOriginator: boolean): EndpointState {
    return this.state[conversation * 2 + (fromOriginator ? 0 : 1)]! as EndpointState;
  }

  /** The originator sent a SYN (without ACK). */
  synSeen(conversation: number): boolean {
    return (this.flags[conversation]! & SYN_SEEN) !== 0;
  }

  /** The responder sent a SYN-ACK. */
  synAckSeen(conversation: number): boolean {
    return (this.flags[conversation]! & SYN_ACK_SEEN) !== 0;
  }

  /** The originator ACKed the SYN-ACK (the third packet of the handshake). */
  finalAckSeen(conversation: number): boolean {
    return (this.flags[conversation]! & FINAL_ACK_SEEN) !== 0;
  }

  /** SYN, SYN-ACK and the final ACK all seen. */
  handshake(conversation: number): boolean {
    const all = SYN_SEEN | SYN_ACK_SEEN | FINAL_ACK_SEEN;
    return (this.flags[conversation]! & all) === all;
  }

  /** Which side sent the first RST. */
  firstResetBy(conversation: number): 'client' | 'server' | null {
    const bits = this.flags[conversation]!;
    return (bits & RESET_BY_CLIENT) !== 0 ? 'client' : (bits & RESET_BY_SERVER) !== 0 ? 'server' : null;
  }

  /** Retransmitted segments, both directions. */
  retransmissions(conversation: number): number {
    return this.retransmissionCount[conversation * 2]! + this.retransmissionCount[conversation * 2 + 1]!;
  }

  /** Zero-window advertisements, both directions. */
  zeroWindows(conversation: number): number {
    return this.zeroWindowCount[conversation * 2]! + this.zeroWindowCount[conversation * 2 + 1]!;
  }

  /** Keeps `frame` as proof of `kind` (see PROOF for how many of each kind). */
  remember(conversation: number, kind: ProofKind, frame: number): void {
    const index = conversation * PROOF_KINDS + kind;
    const count = this.proofCount[index]!;
    if (count >= (kind >= FIRST_ONLY_PROOF ? 1 : MAX_PROOF_FRAMES)) return;
    if (count === 0) this.firstProof[index] = frame;
    else {
      const more = this.moreProof.get(index);
      if (more) more.push(frame);
      else this.moreProof.set(index, [frame]);
    }
    this.proofCount[index] = count + 1;
  }

  /** The proof frames of `kind` kept, in capture order (a new array). */
  proofFrames(conversation: number, kind: ProofKind): number[] {
    const index = conversation * PROOF_KINDS + kind;
    const count = this.proofCount[index]!;
    if (count === 0) return [];
    const more = count > 1 ? this.moreProof.get(index) : undefined;
    return more ? [this.firstProof[index]!, ...more] : [this.firstProof[index]!];
  }

  /** The first proof frame of `kind`, or undefined. */
  firstProofFrame(conversation: number, kind: ProofKind): number | undefined {
    const index = conversation * PROOF_KINDS + kind;
    return this.proofCount[index] === 0 ? undefined : this.firstProof[index];
  }

  /** How many proof frames of `kind` are kept (at most 8). */
  proofCountOf(conversation: number, kind: ProofKind): number {
    return this.proofCount[conversation * PROOF_KINDS + kind]!;
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
