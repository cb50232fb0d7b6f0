/** The CaptureReport of `netproof capture FILE --json` (CONTRACTS.md section 2). */
import { z } from 'zod';
import { ConnStateSchema, ObservationCodeSchema } from './vocabulary.js';

/** Capture file formats netproof reads. */
export const CaptureFormatSchema = z.enum(['wireshark-json', 'tshark-ek', 'pcap', 'pcapng']);
export type CaptureFormat = z.infer<typeof CaptureFormatSchema>;

/** An endpoint of a conversation. */
export const EndpointSchema = z.object({
  /** IPv4 or IPv6 address, in its canonical text form. */
  ip: z.string(),
  /** Port, or null for ICMP. */
  port: z.number().int().nullable(),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/** The TCP part of a conversation. */
export const TcpSummarySchema = z.object({
  /** Zeek's conn_state. */
  state: ConnStateSchema,
  /** SYN, SYN-ACK and the final ACK all seen. */
  handshake: z.boolean(),
  /** Which side sent the first RST. */
  resetBy: z.enum(['client', 'server']).nullable(),
  /** Retransmitted segments, both directions. */
  retransmissions: z.number().int(),
});

/** A TLS alert with its sender. */
export const TlsAlertSchema = z.object({
  from: z.enum(['client', 'server']),
  level: z.enum(['warning', 'fatal']),
  /** Alert description name as in RFC 8446 (e.g. `unknown_ca`), or `encrypted` when unreadable. */
  description: z.string(),
  /** Frame that carries the alert. */
  frame: z.number().int(),
});
export type TlsAlert = z.infer<typeof TlsAlertSchema>;

/** A certificate as the server sent it. */
export const CertificateSummarySchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  selfSigned: z.boolean(),
  isCA: z.boolean(),
  notBefore: z.string(),
  notAfter: z.string(),
  dnsNames: z.array(z.string()),
});
export type CertificateSummary = z.infer<typeof CertificateSummarySchema>;

/** How the certificates sent form a chain (CONTRACTS.md `tls.chain`). */
export const ChainStatusSchema = z.enum(['complete', 'incomplete', 'self-signed', 'not-visible']);
export type ChainStatus = z.infer<typeof ChainStatusSchema>;

/** The TLS part of a conversation. */
export const TlsSummarySchema = z.object({
  version: z.enum(['1.0', '1.1', '1.2', '1.3']).nullable(),
  serverName: z.string().nullable(),
  handshakeComplete: z.boolean(),
  alerts: z.array(TlsAlertSchema),
  certificates: z.array(CertificateSummarySchema),
  chain: ChainStatusSchema,
});
export type TlsSummary = z.infer<typeof TlsSummarySchema>;

/** A DNS question with its answer. */
export const DnsSummarySchema = z.object({
  name: z.string(),
  type: z.string(),
  rcode: z.enum(['NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED']).nullable(),
  answers: z.array(z.string()),
});
export type DnsSummary = z.infer<typeof DnsSummarySchema>;

/** An ICMP error about a conversation. */
export const IcmpSummarySchema = z.object({
  type: z.number().int(),
  code: z.number().int(),
  meaning: z.string(),
  frame: z.number().int(),
});
export type IcmpSummary = z.infer<typeof IcmpSummarySchema>;

/** One conversation (a Zeek connection). */
export const ConversationSchema = z.object({
  /** Stable within one report, e.g. `tcp-0`. */
  id: z.string(),
  protocol: z.enum(['tcp', 'udp', 'icmp', 'icmpv6']),
  /** The originator, as Zeek decides it. */
  client: EndpointSchema,
  server: EndpointSchema,
  /** ISO 8601, millisecond precision. */
  start: z.string(),
  end: z.string(),
  /** 1-based frame numbers as Wireshark shows them. */
  firstFrame: z.number().int(),
  lastFrame: z.number().int(),
  packets: z.object({ toServer: z.number().int(), toClient: z.number().int() }),
  bytes: z.object({ toServer: z.number().int(), toClient: z.number().int() }),
  tcp: TcpSummarySchema.optional(),
  tls: TlsSummarySchema.optional(),
  dns: z.array(DnsSummarySchema).optional(),
  icmp: z.array(IcmpSummarySchema).optional(),
});
export type Conversation = z.infer<typeof ConversationSchema>;

/** A capture observation, citing the frames that prove it. */
export const CaptureFindingSchema = z.object({
  code: ObservationCodeSchema,
  conversation: z.string(),
  summary: z.string(),
  frames: z.array(z.number().int()),
});
export type CaptureFinding = z.infer<typeof CaptureFindingSchema>;

/** The whole report. */
export const CaptureReportSchema = z.object({
  input: z.object({ format: CaptureFormatSchema, packets: z.number().int(), bytes: z.number().int() }),
  warnings: z.array(z.string()),
  conversations: z.array(ConversationSchema),
  findings: z.array(CaptureFindingSchema),
});
export type CaptureReport = z.infer<typeof CaptureReportSchema>;
