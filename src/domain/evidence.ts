/**
 * Typed evidence: what the adapters produce (one item per log row, route table,
 * Network Watcher answer, capture...) and the rules read. Every item carries the
 * exact query that produced it. Ids (`e1`, `e2`, ...) are assigned by the
 * investigation in plan order and each source's row order, so the same inputs
 * give the same ids. `toEvidenceItem` turns one into the Verdict's JSON shape.
 */
import { z } from 'zod';
import { CaptureReportSchema } from './capture-report.js';
import { TopologySchema } from './topology.js';
import type { EvidenceItem } from './verdict.js';

/** A row of an Azure Firewall log table (AZFW* or the legacy AzureDiagnostics msg_s), normalised. */
export const FirewallLogRecordSchema = z.object({
  time: z.string(),
  /** The table it came from. */
  table: z.string(),
  firewallId: z.string().nullable(),
  kind: z.enum(['network', 'application', 'nat', 'threat-intel', 'idps', 'flow-trace', 'dns']),
  /** Allow | Deny | Alert | Drop | Log (as logged; IDPS "drop" normalised to Deny is NOT done here). */
  action: z.string().nullable(),
  actionReason: z.string().nullable(),
  /** TCP | UDP | ICMP | HTTP | HTTPS ... */
  protocol: z.string().nullable(),
  sourceIp: z.string().nullable(),
  sourcePort: z.number().int().nullable(),
  destinationIp: z.string().nullable(),
  destinationPort: z.number().int().nullable(),
  fqdn: z.string().nullable(),
  targetUrl: z.string().nullable(),
  policy: z.string().nullable(),
  ruleCollectionGroup: z.string().nullable(),
  ruleCollection: z.string().nullable(),
  rule: z.string().nullable(),
  /** Flow trace: SYN-ACK | FIN | FIN-ACK | RST | INVALID. */
  flag: z.string().nullable(),
  /** NAT rules: the translated address. */
  translatedIp: z.string().nullable(),
  translatedPort: z.number().int().nullable(),
  /** Threat intelligence description, or the IDPS signature description. */
  description: z.string().nullable(),
  signatureId: z.string().nullable(),
  /** DNS proxy: the name asked and the response code. */
  queryName: z.string().nullable(),
  responseCode: z.string().nullable(),
  /** When the row reached the workspace, if known. */
  ingestedAt: z.string().nullable(),
});
export type FirewallLogRecord = z.infer<typeof FirewallLogRecordSchema>;

/** A Traffic Analytics flow (NTANetAnalytics, or legacy AzureNetworkAnalytics_CL), normalised. */
export const FlowLogRecordSchema = z.object({
  table: z.string(),
  intervalStart: z.string(),
  intervalEnd: z.string(),
  flowStart: z.string().nullable(),
  flowEnd: z.string().nullable(),
  sourceIp: z.string(),
  destinationIp: z.string(),
  destinationPort: z.number().int().nullable(),
  protocol: z.enum(['tcp', 'udp', 'other']),
  direction: z.enum(['inbound', 'outbound']),
  status: z.enum(['allowed', 'denied']),
  /** IntraVNet, InterVNet, S2S, P2S, AzurePublic, ExternalPublic, MaliciousFlow, ... */
  flowType: z.string().nullable(),
  /** The NSG (or AVNM group) and rule that decided. */
  aclGroup: z.string().nullable(),
  aclRule: z.string().nullable(),
  /** Where it was logged: `rg/name` placements as Traffic Analytics writes them. */
  sourceNic: z.string().nullable(),
  destinationNic: z.string().nullable(),
  sourceVm: z.string().nullable(),
  destinationVm: z.string().nullable(),
  sourceSubnet: z.string().nullable(),
  destinationSubnet: z.string().nullable(),
  targetResourceId: z.string().nullable(),
  packetsSourceToDestination: z.number().nullable(),
  packetsDestinationToSource: z.number().nullable(),
  bytesSourceToDestination: z.number().nullable(),
  bytesDestinationToSource: z.number().nullable(),
  ingestedAt: z.string().nullable(),
});
export type FlowLogRecord = z.infer<typeof FlowLogRecordSchema>;

/** A Key Vault audit row (AZKVAuditLogs, or AzureDiagnostics AuditEvent), normalised. */
export const KeyVaultAuditRecordSchema = z.object({
  time: z.string(),
  table: z.string(),
  vaultId: z.string().nullable(),
  operation: z.string().nullable(),
  httpStatusCode: z.number().int().nullable(),
  resultType: z.string().nullable(),
  resultSignature: z.string().nullable(),
  resultDescription: z.string().nullable(),
  callerIp: z.string().nullable(),
  isAddressAuthorized: z.boolean().nullable(),
  addressAuthorizationType: z.string().nullable(),
  isRbacAuthorized: z.boolean().nullable(),
  isAccessPolicyMatch: z.boolean().nullable(),
  requestUri: z.string().nullable(),
  identity: z.string().nullable(),
});
export type KeyVaultAuditRecord = z.infer<typeof KeyVaultAuditRecordSchema>;

/** A gateway diagnostic log line (AzureDiagnostics: IKE, tunnel, route diagnostics). */
export const GatewayLogRecordSchema = z.object({
  time: z.string(),
  gatewayId: z.string().nullable(),
  category: z.string().nullable(),
  level: z.string().nullable(),
  message: z.string(),
  remoteIp: z.string().nullable(),
});
export type GatewayLogRecord = z.infer<typeof GatewayLogRecordSchema>;

/** One effective route of a NIC (Network Watcher / NIC effectiveRouteTable). */
export const EffectiveRouteSchema = z.object({
  addressPrefixes: z.array(z.string()),
  nextHopType: z.string(),
  nextHopIpAddresses: z.array(z.string()),
  /** Default | User | VirtualNetworkGateway | Unknown. */
  source: z.string(),
  /** Active | Invalid. */
  state: z.string(),
  name: z.string().nullable(),
});
export type EffectiveRoute = z.infer<typeof EffectiveRouteSchema>;

/** One effective security rule of a NIC, with the NSG and association it comes from. */
export const EffectiveSecurityRuleSchema = z.object({
  networkSecurityGroupId: z.string().nullable(),
  /** subnet or networkInterface. */
  appliedTo: z.enum(['subnet', 'networkInterface']),
  name: z.string(),
  priority: z.number().int(),
  direction: z.enum(['Inbound', 'Outbound']),
  access: z.enum(['Allow', 'Deny']),
  protocol: z.string(),
  sourcePrefixes: z.array(z.string()),
  sourcePortRanges: z.array(z.string()),
  destinationPrefixes: z.array(z.string()),
  destinationPortRanges: z.array(z.string()),
});
export type EffectiveSecurityRule = z.infer<typeof EffectiveSecurityRuleSchema>;

/** How fresh a log source is at the time of the question. */
export const SourceFreshnessSchema = z.object({
  source: z.string(),
  /** Newest event time seen in the source (any row), and when it was ingested. */
  newestEventTime: z.string().nullable(),
  newestIngestionTime: z.string().nullable(),
  /** Measured ingestion lag of the newest rows, minutes. */
  measuredLagInMinutes: z.number().nullable(),
  /** Expected worst-case delay (e.g. Traffic Analytics interval + 60 minutes). */
  expectedDelayInMinutes: z.number(),
  /** Events before this instant can be expected to be in the workspace. */
  coveredUntil: z.string(),
});
export type SourceFreshness = z.infer<typeof SourceFreshnessSchema>;

const base = { id: z.string(), source: z.string(), query: z.string(), summary: z.string() };

/** Every kind of evidence netproof gathers. */
export const EvidenceSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('firewall-log'), data: FirewallLogRecordSchema }),
  z.object({ ...base, kind: z.literal('flow-log'), data: FlowLogRecordSchema }),
  z.object({ ...base, kind: z.literal('keyvault-log'), data: KeyVaultAuditRecordSchema }),
  z.object({ ...base, kind: z.literal('gateway-log'), data: GatewayLogRecordSchema }),
  z.object({ ...base, kind: z.literal('source-freshness'), data: SourceFreshnessSchema }),
  z.object({ ...base, kind: z.literal('next-hop'), data: z.object({
    sourceIp: z.string(), destinationIp: z.string(), networkInterfaceId: z.string().nullable(),
    nextHopType: z.string(), nextHopIpAddress: z.string().nullable(), routeTableId: z.string().nullable() }) }),
  z.object({ ...base, kind: z.literal('ip-flow-verify'), data: z.object({
    direction: z.enum(['Inbound', 'Outbound']), protocol: z.string(), localIp: z.string(), localPort: z.string(),
    remoteIp: z.string(), remotePort: z.string(), access: z.enum(['Allow', 'Deny']), ruleName: z.string().nullable() }) }),
  z.object({ ...base, kind: z.literal('connectivity-check'), data: z.object({
    connectionStatus: z.string(), protocol: z.string(), probesSent: z.number().nullable(), probesFailed: z.number().nullable(),
    hops: z.array(z.object({ type: z.string(), address: z.string().nullable(), resourceId: z.string().nullable(),
      issues: z.array(z.object({ type: z.string(), severity: z.string(), origin: z.string().nullable() })) })) }) }),
  z.object({ ...base, kind: z.literal('effective-routes'), data: z.object({ networkInterfaceId: z.string(), routes: z.array(EffectiveRouteSchema) }) }),
  z.object({ ...base, kind: z.literal('effective-security-rules'), data: z.object({ networkInterfaceId: z.string(), rules: z.array(EffectiveSecurityRuleSchema) }) }),
  z.object({ ...base, kind: z.literal('gateway-connection'), data: z.object({
    connectionId: z.string(), name: z.string(), connectionStatus: z.string(), ingressBytes: z.number().nullable(), egressBytes: z.number().nullable(),
    learnedPrefixes: z.array(z.string()), bgpPeersConnected: z.number().nullable() }) }),
  z.object({ ...base, kind: z.literal('capture'), data: z.object({
    targetId: z.string().nullable(), fileName: z.string(), report: CaptureReportSchema }) }),
  z.object({ ...base, kind: z.literal('resource'), data: z.object({
    resourceId: z.string(), type: z.string(), name: z.string(), properties: z.record(z.string(), z.unknown()) }) }),
  z.object({ ...base, kind: z.literal('topology'), data: TopologySchema }),
]);
export type Evidence = z.infer<typeof EvidenceSchema>;
export type EvidenceKind = Evidence['kind'];
/** Narrows Evidence to one kind. */
export type EvidenceOf<K extends EvidenceKind> = Extract<Evidence, { kind: K }>;

/** The Verdict's JSON shape of an evidence item (the topology kind is summarised, not dumped). */
export function toEvidenceItem(evidence: Evidence): EvidenceItem {
  const data = evidence.kind === 'topology'
    ? { virtualNetworks: evidence.data.virtualNetworks.map((network) => network.id), resources: countTopology(evidence.data) }
    : (evidence.data as Record<string, unknown>);
  return { id: evidence.id, source: evidence.source, query: evidence.query, summary: evidence.summary, data };
}

function countTopology(topology: z.infer<typeof TopologySchema>): Record<string, number> {
  return Object.fromEntries(Object.entries(topology).map(([key, value]) => [key, (value as unknown[]).length]));
}
