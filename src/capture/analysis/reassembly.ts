/**
 * In-order delivery of one TCP direction's bytes, for the TLS parser. Out-of-order
 * segments wait in a small bounded queue; retransmitted bytes are delivered once.
 * When the bound is exceeded or a hole never fills, the direction is abandoned:
 * the TLS view of it then stops where the capture lost bytes.
 */
import { sequenceDelta } from './tcp-state.js';

/** Most out-of-order bytes held per direction before giving up on it. */
export const MAX_PENDING_BYTES = 256 * 1024;

interface PendingSegment {
  seq: number;
  bytes: Uint8Array;
  frame: number;
}

/** Receives contiguous stream bytes with the frame that completed them. */
export type StreamConsumer = (bytes: Uint8Array, frame: number) => void;

/** One direction of a TCP byte stream. */
export class DirectionReassembler {
  /** Next expected sequence number, once known. */
  private nextSeq: number | null = null;
  private pending: PendingSegment[] = [];
  private pendingBytes = 0;
  abandoned = false;

  constructor(private readonly consume: StreamConsumer) {}

  /** The stream starts after this SYN's sequence number. */
  synchronize(initialSequence: number): void {
    if (this.nextSeq === null) this.nextSeq = (initialSequence + 1) >>> 0;
  }

  /** Adds one segment's payload. */
  push(seq: number, payload: Uint8Array, frame: number): void {
    if (this.abandoned || payload.length === 0) return;
    if (this.nextSeq === null) this.nextSeq = seq;
    const delta = sequenceDelta(seq, this.nextSeq);
    if (delta > 0) {
      this.pending.push({ seq, bytes: payload.slice(), frame });
      this.pendingBytes += payload.length;
      if (this.pendingBytes > MAX_PENDING_BYTES) this.abandon();
      return;
    }
    this.deliver(seq, payload, frame);
    this.drain();
  }

  private deliver(seq: number, payload: Uint8Array, frame: number): void {
    if (this.nextSeq === null) return;
    const skip = -sequenceDelta(seq, this.nextSeq);
    if (skip >= payload.length) return;
    const fresh = skip > 0 ? payload.subarray(skip) : payload;
    this.nextSeq = (this.nextSeq + fresh.length) >>> 0;
    this.consume(fresh, frame);
  }

  private drain(): void {
    let progressed = true;
    while (progressed && this.pending.length > 0 && this.nextSeq !== null) {
      progressed = false;
      for (let index = 0; index < this.pending.length; index += 1) {
        const segment = this.pending[index];
        if (!segment || this.nextSeq === null) continue;
        if (sequenceDelta(segment.seq, this.nextSeq) <= 0) {
          this.pending.splice(index, 1);
          this.pendingBytes -= segment.bytes.length;
          this.deliver(segment.seq, segment.bytes, segment.frame);
          progressed = true;
          break;
        }
      }
    }
  }

  /** Stops this direction and frees what it held. */
  abandon(): void {
    this.abandoned = true;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
