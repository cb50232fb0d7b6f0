/**
 * The closed vocabularies of netproof (CONTRACTS.md sections 2 and 3).
 * Each record maps a code to its one-line meaning; that record is the specification.
 */
import { z } from 'zod';

/** Builds a zod enum from the keys of a documented vocabulary record. */
function vocabulary<const T extends Record<string, string>>(documented: T) {
  return z.enum(Object.keys(documented) as [keyof T & string, ...(keyof T & string)[]]);
}

/** Zeek's conn_state values, as `conn_state()` in base/protocols/conn/main.zeek computes them. */
export const CONN_STATES = {
  S0: 'Connection attempt seen, no reply.',
  S1: 'Connection established, not terminated (a SYN-ACK already establishes both ends).',
  SF: 'Normal establishment and termination.',
  REJ: 'Connection attempt rejected.',
  S2: 'Connection established and close attempt by originator seen (but no reply from responder).',
  S3: 'Connection established and close attempt by responder seen (but no reply from originator).',
  RSTO: 'Connection established, originator aborted (sent a RST).',
  RSTR: 'Responder sent a RST.',
  RSTOS0: 'Originator sent a SYN followed by a RST, never saw a SYN-ACK from the responder.',
  RSTRH: 'Responder sent a SYN-ACK followed by a RST, never saw a SYN from the (purported) originator.',
  SH: 'Originator sent a SYN followed by a FIN, never saw a SYN-ACK from the responder.',
  SHR: 'Responder sent a SYN-ACK followed by a FIN, never saw a SYN from the originator.',
  OTH: 'No SYN seen, just midstream traffic.',
} as const;
export const ConnStateSchema = vocabulary(CONN_STATES);
export type ConnState = z.infer<typeof ConnStateSchema>;

/** What a capture alone shows on the wire (CaptureReport `findings[].code`). */
export const OBSERVATIONS = {
  tcp_refused: 'SYN answered by RST from the server\'s address.',
  syn_unanswered: 'SYNs (and retransmissions) with no SYN-ACK.',
  synack_unacknowledged: 'SYN-ACKs (retransmitted) never ACKed: the reply is lost on the way back.',
  one_sided: 'Only one direction of a conversation is seen, as on one leg of an asymmetric route.',
  tcp_reset: 'An established connection reset.',
  reset_after_client_hello: 'RST right after the ClientHello, typical of a proxy or firewall refusing the SNI.',
  tls_self_signed: 'The server sent a self-signed certificate that is not a known root.',
  tls_incomplete_chain: 'The server sent its leaf without the intermediate(s) a client needs.',
  tls_hostname_mismatch: 'The certificate does not cover the name the client asked for.',
  tls_expired: 'The certificate is outside its validity period.',
  tls_protocol_mismatch: 'No shared TLS version or cipher suite.',
  tls_client_certificate_required: 'The server asked for a client certificate and the client sent none.',
  tls_handshake_failure: 'Another fatal alert during the handshake.',
  dns_nxdomain: 'The name does not exist (NXDOMAIN).',
  dns_servfail: 'The resolver failed (SERVFAIL).',
  dns_no_response: 'A DNS query got no response.',
  icmp_unreachable: 'ICMP/ICMPv6 destination unreachable about a flow.',
  retransmissions: 'Retransmitted segments (a performance signal).',
  zero_window: 'A receiver advertised a zero window (a performance signal).',
} as const;
export const ObservationCodeSchema = vocabulary(OBSERVATIONS);
export type ObservationCode = z.infer<typeof ObservationCodeSchema>;

/** Observations that are performance signals, not failures. */
export const PERFORMANCE_OBSERVATIONS: readonly ObservationCode[] = ['retransmissions', 'zero_window'];

/** Overall state of a verdict. */
export const STATUSES = {
  ok: 'The flow works at the layer examined.',
  failing: 'The flow is stopped or refused.',
  unknown: 'The evidence cannot decide.',
} as const;
export const StatusSchema = vocabulary(STATUSES);
export type Status = z.infer<typeof StatusSchema>;

/** The layer at which a verdict places the problem. */
export const LAYERS = {
  none: 'No layer: the flow works, or the evidence cannot decide.',
  dns: 'Name resolution.',
  path: 'Routing and filtering between the endpoints.',
  transport: 'TCP between the endpoints.',
  tls: 'The TLS handshake.',
  application: 'The service above TLS (a proxy, a PaaS firewall or its authorisation).',
} as const;
export const LayerSchema = vocabulary(LAYERS);
export type Layer = z.infer<typeof LayerSchema>;

/** Where a flow is stopped (`blockedAt.component`). */
export const COMPONENTS = {
  'remote-site': 'Before Azure: the remote site\'s firewall, its routing or the tunnel.',
  nsg: 'A network security group.',
  firewall: 'An Azure Firewall.',
  'route-table': 'A route table or the effective routes.',
  peering: 'A VNet peering.',
  server: 'The destination host or service.',
  paas: 'A PaaS resource\'s own firewall or authorisation.',
  dns: 'Name resolution.',
} as const;
export const ComponentSchema = vocabulary(COMPONENTS);
export type Component = z.infer<typeof ComponentSchema>;

/** Cause codes: exactly one per verdict, with the status, layer and component it implies. */
export const CAUSES = {
  path_ok: { status: 'ok', layer: 'none', component: null, meaning: 'Packets flow both ways and the handshake completes: the problem is higher up the stack.' },
  no_packets_from_source: { status: 'failing', layer: 'path', component: 'remote-site', meaning: 'Nothing from the source reached Azure in a window the logs do cover: blocked before Azure.' },
  nsg_deny: { status: 'failing', layer: 'path', component: 'nsg', meaning: 'A network security group rule denies the flow.' },
  firewall_deny: { status: 'failing', layer: 'path', component: 'firewall', meaning: 'An Azure Firewall network or application rule, or its default action, denies the flow.' },
  firewall_threat_intel_deny: { status: 'failing', layer: 'path', component: 'firewall', meaning: 'Azure Firewall threat intelligence denies the flow.' },
  firewall_idps_deny: { status: 'failing', layer: 'path', component: 'firewall', meaning: 'Azure Firewall IDPS denies the flow.' },
  no_route: { status: 'failing', layer: 'path', component: 'route-table', meaning: 'The effective next hop is None (no route, or a blackhole route).' },
  next_hop_invalid: { status: 'failing', layer: 'path', component: 'route-table', meaning: 'A route sends the flow to a virtual appliance IP that is not a running firewall/NVA, or to an NVA with IP forwarding off.' },
  peering_not_connected: { status: 'failing', layer: 'path', component: 'peering', meaning: 'A VNet peering on the path is not Connected.' },
  peering_blocks_transit: { status: 'failing', layer: 'path', component: 'peering', meaning: 'A peering setting on the path stops the flow: forwarded traffic, gateway transit or remote gateways off.' },
  asymmetric_routing: { status: 'failing', layer: 'path', component: 'firewall', meaning: 'Forward and return traffic take different paths, so a stateful firewall sees one side only and drops it.' },
  tcp_refused: { status: 'failing', layer: 'transport', component: 'server', meaning: 'The destination refuses (RST, or ICMP port unreachable): nothing listens, or its host firewall rejects.' },
  tcp_no_response: { status: 'failing', layer: 'transport', component: 'server', meaning: 'SYNs reach the destination\'s side, Azure allows them, and nothing answers.' },
  tcp_reset: { status: 'failing', layer: 'transport', component: 'server', meaning: 'An established connection is reset.' },
  tls_self_signed: { status: 'failing', layer: 'tls', component: 'server', meaning: 'The server presents a self-signed certificate the client does not trust.' },
  tls_incomplete_chain: { status: 'failing', layer: 'tls', component: 'server', meaning: 'The server sends its leaf without the intermediate(s) a client needs.' },
  tls_hostname_mismatch: { status: 'failing', layer: 'tls', component: 'server', meaning: 'The certificate does not cover the name the client asked for.' },
  tls_expired: { status: 'failing', layer: 'tls', component: 'server', meaning: 'The certificate is outside its validity period.' },
  tls_protocol_mismatch: { status: 'failing', layer: 'tls', component: 'server', meaning: 'Client and server share no TLS version or cipher suite.' },
  tls_handshake_failure: { status: 'failing', layer: 'tls', component: 'server', meaning: 'The handshake fails for another reason (e.g. client certificate required).' },
  snat_source_changed: { status: 'failing', layer: 'application', component: 'firewall', meaning: 'An Azure Firewall application rule proxies the flow, so the server sees an AzureFirewallSubnet address, not the client\'s.' },
  paas_network_deny: { status: 'failing', layer: 'application', component: 'paas', meaning: 'The PaaS resource\'s own firewall rejects the caller.' },
  paas_auth_deny: { status: 'failing', layer: 'application', component: 'paas', meaning: 'The request reaches the PaaS resource and is refused by authentication or authorisation.' },
  dns_failure: { status: 'failing', layer: 'dns', component: 'dns', meaning: 'The name does not resolve, so no connection is attempted.' },
  insufficient_evidence: { status: 'unknown', layer: 'none', component: null, meaning: 'The evidence available cannot decide; the gaps say what is missing.' },
} as const satisfies Record<string, { status: Status; layer: Layer; component: Component | null; meaning: string }>;
export const CauseCodeSchema = z.enum(Object.keys(CAUSES) as [keyof typeof CAUSES & string, ...(keyof typeof CAUSES & string)[]]);
export type CauseCode = z.infer<typeof CauseCodeSchema>;

/** Upstream reasons that led a flow to where it stops (`contributing`). */
export const CONTRIBUTING = {
  gateway_subnet_missing_udr: 'The GatewaySubnet has no UDR sending the spoke prefix to the firewall, so traffic from the gateway bypasses it while the return goes through it.',
  private_endpoint_route_overrides_udr: 'A private endpoint\'s /32 route stays active and wins by longest-prefix match over the UDR meant to send the flow to the firewall.',
  spoke_bgp_route_bypasses_firewall: 'A spoke subnet with gateway route propagation on learns on-prem prefixes that beat its 0.0.0.0/0-to-firewall route.',
  firewall_bypassed: 'Both directions bypass the firewall that policy intends to inspect them.',
  private_dns_zone_not_linked: 'The caller\'s VNet is not linked to the private endpoint\'s private DNS zone, so the name resolves to the public endpoint.',
  logs_not_yet_ingested: 'Part of the window is newer than a source\'s ingestion delay.',
  flow_logs_not_enabled: 'No VNet flow logs cover the resource.',
  nsg_flow_logs_deprecated: 'Only NSG flow logs (retiring 30 September 2027) cover the resource.',
  firewall_probe_misleading: 'A probe through Azure Firewall reported success that the firewall logs contradict.',
} as const;
export const ContributingCodeSchema = vocabulary(CONTRIBUTING);
export type ContributingCode = z.infer<typeof ContributingCodeSchema>;

/** Why a source gave no evidence (`gaps[].reason`); adapter failures map onto these one to one. */
export const GAP_REASONS = {
  'not-enabled': 'The source is not switched on (no diagnostic setting, no flow logs, table missing).',
  'no-permission': 'The identity may not read the source (401/403).',
  throttled: 'The source throttled the request (429) and retries ran out.',
  timeout: 'The source did not answer in time.',
  'not-found': 'The resource or workspace does not exist.',
  'not-yet-ingested': 'The window is newer than the source\'s ingestion delay.',
  unsupported: 'netproof cannot evaluate this (e.g. Virtual WAN hubs).',
  failed: 'The source answered with an error.',
  'no-data': 'The source answered with nothing relevant.',
} as const;
export const GapReasonSchema = vocabulary(GAP_REASONS);
export type GapReason = z.infer<typeof GapReasonSchema>;

/** How sure a verdict is. */
export const CONFIDENCES = {
  high: 'Direct evidence of the block and nothing contradicts it.',
  medium: 'Inferred: from computed configuration, or from absence in a covered window.',
  low: 'Key sources missing or contradicting each other.',
} as const;
export const ConfidenceSchema = vocabulary(CONFIDENCES);
export type Confidence = z.infer<typeof ConfidenceSchema>;

/** Orders confidences so a rule can cap one by another. */
export const CONFIDENCE_RANK: Record<Confidence, number> = { low: 0, medium: 1, high: 2 };

/** Transport protocols a question or a flow can name. */
export const PROTOCOLS = {
  tcp: 'TCP.',
  udp: 'UDP.',
  icmp: 'ICMP (IPv4).',
  icmpv6: 'ICMPv6.',
  any: 'Any protocol.',
} as const;
export const ProtocolSchema = vocabulary(PROTOCOLS);
export type Protocol = z.infer<typeof ProtocolSchema>;
