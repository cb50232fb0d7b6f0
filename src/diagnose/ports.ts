/**
 * What the investigation needs from the outside world, as narrow interfaces.
 * The composition root wires the Azure adapters (or the lab, through the same
 * adapters) into these; tests pass plain objects.
 */
import type { Evidence, Gap, Protocol, Topology } from '../domain/index.js';

/** An evidence item before the investigation numbers it. */
export type EvidenceDraft = Evidence extends infer Item ? (Item extends Evidence ? Omit<Item, 'id'> : never) : never;

/** What one source returned: evidence, and gaps for what it could not give. A failure is gaps only. */
export interface SourceOutcome {
  evidence: EvidenceDraft[];
  gaps: Gap[];
}

/** The flow asked about, with validated values only. */
export interface FlowSelector {
  sourceIp: string | null;
  destinationIp: string | null;
  /** The destination's host name, when the question names a PaaS endpoint. */
  destinationFqdn: string | null;
  protocol: Protocol;
  port: number | null;
  window: { start: Date; end: Date };
}

/** The estate: its normalised topology plus `resource` evidence items the rules may cite. */
export interface TopologyOutcome extends SourceOutcome {
  topology: Topology | null;
}

/** Every evidence source the investigation can call; each honours the abort signal. */
export interface EvidenceSources {
  /** Reads the estate (Resource Graph) and normalises it. */
  topology(signal: AbortSignal): Promise<TopologyOutcome>;
  /** Azure Firewall decisions for the flow (all AZFW* tables, legacy AzureDiagnostics). */
  firewallLogs(flow: FlowSelector, signal: AbortSignal): Promise<SourceOutcome>;
  /** VNet flow logs through Traffic Analytics for the flow. */
  flowLogs(flow: FlowSelector, signal: AbortSignal): Promise<SourceOutcome>;
  /** How fresh each log source is (source-freshness evidence). */
  freshness(tables: string[], signal: AbortSignal): Promise<SourceOutcome>;
  /** Key Vault audit rows for one vault in the window. */
  keyVaultLogs(vaultId: string, flow: FlowSelector, signal: AbortSignal): Promise<SourceOutcome>;
  /** Gateway connection state, learned routes and tunnel logs for a gateway. */
  gateway(gatewayId: string, flow: FlowSelector, signal: AbortSignal): Promise<SourceOutcome>;
  /** Network Watcher next hop from a VM's NIC. */
  nextHop(vmId: string, networkInterfaceId: string, sourceIp: string, destinationIp: string, signal: AbortSignal): Promise<SourceOutcome>;
  /** Effective routes of a NIC. */
  effectiveRoutes(networkInterfaceId: string, signal: AbortSignal): Promise<SourceOutcome>;
  /** Effective security rules of a NIC. */
  effectiveSecurityRules(networkInterfaceId: string, signal: AbortSignal): Promise<SourceOutcome>;
  /** IP flow verify for one direction at a VM. */
  ipFlowVerify(request: { vmId: string; direction: 'Inbound' | 'Outbound'; protocol: 'TCP' | 'UDP'; localIp: string; localPort: string; remoteIp: string; remotePort: string }, signal: AbortSignal): Promise<SourceOutcome>;
  /** Network Watcher connection troubleshoot from a VM. */
  connectivityCheck(request: { sourceVmId: string; destinationAddress: string; port: number | null; protocol: 'Tcp' | 'Icmp' | 'Http' | 'Https' }, signal: AbortSignal): Promise<SourceOutcome>;
  /** Packet captures that already exist for a VM (finished ones downloaded and analysed). */
  existingCaptures(vmId: string, signal: AbortSignal): Promise<SourceOutcome>;
}

/** Per-source timing, reported outside the verdict. */
export interface SourceTiming {
  step: string;
  durationInMs: number;
  outcome: 'ok' | 'gap' | 'timeout';
}
