/**
 * The TLS view of one TCP conversation: the messages each side sent (from the JSON
 * readers' dissection, or from our own reassembly of pcap payload), reduced to what
 * the report and the findings need. Bounded: a few numbers, the server's certificates
 * and at most MAX_ALERTS alerts.
 */
import type { TlsMessage } from '../packet.js';
import type { TlsAlert, TlsSummary } from '../../domain/capture-report.js';
import { chainStatus, parseCertificates, type ParsedCertificate, type TrustStore } from './certificates.js';
import { DirectionReassembler } from './reassembly.js';
import { TlsStreamParser, looksLikeTlsRecord } from './tls-parser.js';
import { alertDescription, isKnownVersion, versionName } from './tls-vocabulary.js';

/** Alerts kept per conversation (a misbehaving peer can send many). */
export const MAX_ALERTS = 16;

/** A plaintext fatal alert with its code, for the findings. */
export interface FatalAlert {
  from: 'client' | 'server';
  code: number;
  frame: number;
  /** The server had sent its ServerHello before this alert. */
  afterServerHello: boolean;
}

/** Everything the findings need to know about one conversation's TLS. */
export interface TlsFacts {
  summary: TlsSummary;
  certificates: ParsedCertificate[];
  certificateFrame: number | null;
  certificateTimeInMs: number | null;
  clientHelloFrame: number | null;
  serverHelloFrame: number | null;
  certificateRequestFrame: number | null;
  /** Frame of the client's Certificate message when it carried no certificate. */
  emptyClientCertificateFrame: number | null;
  firstFatalAlert: FatalAlert | null;
}

/** Accumulates one conversation's TLS messages. */
export class TlsSession {
  private clientHello: Extract<TlsMessage, { type: 'client_hello' }> | null = null;
  private serverHello: Extract<TlsMessage, { type: 'server_hello' }> | null = null;
  private clientHelloFrame: number | null = null;
  private serverHelloFrame: number | null = null;
  private serverCertificates: Uint8Array[] | null = null;
  private certificateFrame: number | null = null;
  private certificateTimeInMs: number | null = null;
  private certificateRequestFrame: number | null = null;
  private emptyClientCertificateFrame: number | null = null;
  private changeCipherSpec = { client: false, server: false };
  private applicationDataAfterServerHello = { client: false, server: false };
  private alerts: TlsAlert[] = [];
  private firstFatalAlert: FatalAlert | null = null;
  /** Reassembly state for pcap payloads, per direction (null until that side sends TLS). */
  private streams: { client: PayloadStream | null; server: PayloadStream | null } = { client: null, server: null };
  /** Set when the first payload was not TLS: the conversation is not TLS. */
  notTls = false;

  /** True once any TLS message was seen. */
  get seen(): boolean {
    return this.clientHello !== null || this.serverHello !== null || this.alerts.length > 0 || this.serverCertificates !== null;
  }

  /** Takes one message a side sent, in the frame that completed it. */
  add(message: TlsMessage, from: 'client' | 'server', frame: number, timeInMs: number): void {
    switch (message.type) {
      case 'client_hello':
        if (from === 'client' && !this.clientHello) {
          this.clientHello = message;
          this.clientHelloFrame = frame;
        }
        break;
      case 'server_hello':
        if (from === 'server' && !this.serverHello) {
          this.serverHello = message;
          this.serverHelloFrame = frame;
        }
        break;
      case 'certificate':
        if (from === 'server' && this.serverCertificates === null) {
          this.serverCertificates = message.certificates;
          this.certificateFrame = frame;
          this.certificateTimeInMs = timeInMs;
        } else if (from === 'client' && message.certificates.length === 0 && this.emptyClientCertificateFrame === null) {
          this.emptyClientCertificateFrame = frame;
        }
        break;
      case 'certificate_request':
        if (from === 'server') this.certificateRequestFrame ??= frame;
        break;
      case 'change_cipher_spec':
        this.changeCipherSpec[from] = true;
        break;
      case 'application_data':
        if (this.serverHello) this.applicationDataAfterServerHello[from] = true;
        break;
      case 'alert': {
        const level = message.level === 2 ? 'fatal' : 'warning';
        if (this.alerts.length < MAX_ALERTS) this.alerts.push({ from, level, description: alertDescription(message.description), frame });
        if (level === 'fatal' && !this.firstFatalAlert) {
          this.firstFatalAlert = { from, code: message.description, frame, afterServerHello: this.serverHello !== null };
        }
        break;
      }
      case 'encrypted_alert':
        // The level is encrypted too: after a completed handshake it is almost always
        // close_notify (a warning); before, it ends the handshake (fatal).
        if (this.alerts.length < MAX_ALERTS) this.alerts.push({ from, level: this.handshakeComplete() ? 'warning' : 'fatal', description: 'encrypted', frame });
        break;
      default:
        break;
    }
  }

  /**
   * Takes a pcap segment's payload. The first payload of a direction decides whether the
   * conversation is TLS at all, so plain-text conversations cost one check and no memory.
   */
  addPayload(from: 'client' | 'server', seq: number, initialSequence: number | null, payload: Uint8Array, frame: number, timeInMs: number): void {
    if (this.notTls || payload.length === 0) return;
    let stream = this.streams[from];
    if (!stream) {
      if (!looksLikeTlsRecord(payload)) {
        if (!this.seen) this.notTls = true;
        return;
      }
      stream = new PayloadStream((message, messageFrame) => this.add(message, from, messageFrame, stream?.timeInMs ?? timeInMs));
      if (initialSequence !== null) stream.reassembler.synchronize(initialSequence);
      this.streams[from] = stream;
    }
    stream.timeInMs = timeInMs;
    stream.reassembler.push(seq, payload, frame);
    if (!stream.parser.active && !this.seen) this.notTls = true;
  }

  private handshakeComplete(): boolean {
    if (this.firstFatalAlert || !this.serverHello) return false;
    if (versionName(this.serverHello.selectedVersion) === '1.3') {
      // Without keys, TLS 1.3's Finished messages are unreadable: application data from
      // both sides after the ServerHello is the best sign the handshake went through.
      return this.applicationDataAfterServerHello.client && this.applicationDataAfterServerHello.server;
    }
    return this.changeCipherSpec.client && this.changeCipherSpec.server;
  }

  private version(): TlsSummary['version'] {
    if (this.serverHello) return versionName(this.serverHello.selectedVersion ?? this.serverHello.legacyVersion);
    if (!this.clientHello) return null;
    const offered = this.clientHello.supportedVersions.filter(isKnownVersion);
    if (offered.length > 0) return versionName(Math.max(...offered));
    return versionName(this.clientHello.legacyVersion);
  }

  /** The summary and the facts behind it. */
  facts(trust: TrustStore): TlsFacts {
    const certificates = parseCertificates(this.serverCertificates ?? []);
    const summary: TlsSummary = {
      version: this.version(),
      serverName: this.clientHello?.serverName ?? null,
      handshakeComplete: this.handshakeComplete(),
      alerts: this.alerts,
      certificates: certificates.map((certificate) => certificate.summary),
      chain: chainStatus(certificates, trust),
    };
    return {
      summary,
      certificates,
      certificateFrame: this.certificateFrame,
      certificateTimeInMs: this.certificateTimeInMs,
      clientHelloFrame: this.clientHelloFrame,
      serverHelloFrame: this.serverHelloFrame,
      certificateRequestFrame: this.certificateRequestFrame,
      emptyClientCertificateFrame: this.emptyClientCertificateFrame,
      firstFatalAlert: this.firstFatalAlert,
    };
  }
}

/** One direction's reassembler feeding its TLS parser. */
class PayloadStream {
  readonly parser = new TlsStreamParser();
  readonly reassembler: DirectionReassembler;
  timeInMs = 0;

  constructor(onMessage: (message: TlsMessage, frame: number) => void) {
    this.reassembler = new DirectionReassembler((bytes, frame) => {
      if (!this.parser.active) {
        this.reassembler.abandon();
        return;
      }
      for (const message of this.parser.push(bytes)) onMessage(message, frame);
    });
  }
}
