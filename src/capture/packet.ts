/**
 * The decoded packet: what every capture reader produces and the analysis consumes.
 * pcap/pcapng readers fill `payload` and leave TLS and DNS to the analysis (which
 * reassembles TCP streams); Wireshark JSON and EK readers fill `tls` and `dns` from
 * the export's dissection, since those formats carry no payload bytes.
 *
 * A packet is lent, not given: the binary readers fill the same packet object (and header
 * objects) frame after frame, and its payloads are views of the one buffer they read the
 * file into; all of it is valid only during the sink call. A consumer copies what it keeps
 * (the analysis keeps numbers and strings; the TLS parser and the TCP reassembler copy the
 * few bytes they hold over).
 */

/** TCP flag bits as on the wire. */
export const TCP_FLAGS = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

/** The IP header fields the analysis needs. */
export interface IpHeader {
  version: 4 | 6;
  /** Canonical text form (IPv6 compressed as `node:net` would print it). */
  src: string;
  dst: string;
  /** IANA protocol number of the payload (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6). */
  protocol: number;
}

/** The TCP header fields the analysis needs. */
export interface TcpHeader {
  srcPort: number;
  dstPort: number;
  /** Raw (absolute) sequence and acknowledgement numbers, uint32. */
  seq: number;
  ack: number;
  /** Flag bits, see TCP_FLAGS. */
  flags: number;
  window: number;
  /** TCP payload length on the wire (not only the captured part). */
  payloadLength: number;
  /** Captured payload bytes (pcap/pcapng only): a view, valid only during the sink call. */
  payload?: Uint8Array;
  /** Wireshark's own analysis flags, when the export carries them. */
  analysis?: { retransmission?: boolean; zeroWindow?: boolean };
}

/** The UDP header fields the analysis needs. */
export interface UdpHeader {
  srcPort: number;
  dstPort: number;
  payloadLength: number;
  /** Captured payload bytes (pcap/pcapng only): a view, valid only during the sink call. */
  payload?: Uint8Array;
}

/** The header of the packet an ICMP error quotes. */
export interface QuotedPacket {
  src: string;
  dst: string;
  protocol: number;
  srcPort?: number;
  dstPort?: number;
}

/** An ICMP or ICMPv6 message. */
export interface IcmpMessage {
  version: 4 | 6;
  type: number;
  code: number;
  /** Echo identifier, for pairing requests and replies. */
  identifier?: number;
  /** For errors: the quoted original packet. */
  quoted?: QuotedPacket;
}

/** A TLS message as read from a record (handshake, alert, change cipher spec, application data). */
export type TlsMessage =
  | { type: 'client_hello'; serverName: string | null; legacyVersion: number; supportedVersions: number[]; cipherSuites: number[] }
  | { type: 'server_hello'; legacyVersion: number; selectedVersion: number | null; cipherSuite: number | null }
  | { type: 'certificate'; certificates: Uint8Array[] }
  | { type: 'certificate_request' }
  | { type: 'server_hello_done' }
  | { type: 'client_key_exchange' }
  | { type: 'finished' }
  | { type: 'handshake'; handshakeType: number }
  | { type: 'change_cipher_spec' }
  | { type: 'alert'; level: number; description: number }
  | { type: 'encrypted_alert' }
  | { type: 'application_data' };

/** The TlsMessage of a handshake message whose body netproof does not read, by handshake type. */
export function bodilessHandshakeMessage(handshakeType: number): TlsMessage {
  switch (handshakeType) {
    case 13:
      return { type: 'certificate_request' };
    case 14:
      return { type: 'server_hello_done' };
    case 16:
      return { type: 'client_key_exchange' };
    case 20:
      return { type: 'finished' };
    default:
      return { type: 'handshake', handshakeType };
  }
}

/** A DNS message. */
export interface DnsMessage {
  id: number;
  response: boolean;
  /** 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED... */
  rcode: number;
  questions: { name: string; type: number }[];
  /** Answer data as text: addresses for A/AAAA, names for CNAME. */
  answers: { name: string; type: number; data: string }[];
}

/** One frame of a capture. */
export interface DecodedPacket {
  /** 1-based frame number as Wireshark shows it. */
  frame: number;
  /** Capture time, epoch milliseconds (fractional part keeps microseconds). */
  timeInMs: number;
  /** Frame length on the wire, bytes. */
  length: number;
  ip?: IpHeader;
  tcp?: TcpHeader;
  udp?: UdpHeader;
  icmp?: IcmpMessage;
  /** Pre-dissected TLS messages in record order (Wireshark JSON / EK only). */
  tls?: TlsMessage[];
  /** Pre-dissected DNS message (Wireshark JSON / EK only). */
  dns?: DnsMessage;
}

/**
 * Receives packets from a reader, one call per frame, in capture order. The packet, its
 * headers and its payload views are valid only during the call (the binary readers reuse
 * them for the next frame): copy what you keep beyond it.
 */
export type PacketSink = (packet: DecodedPacket) => void;
