/**
 * The traffic simulator: walks each flow from source to destination and back
 * through the estate's effective routes, NSGs and Azure Firewall policy, and
 * writes the rows Azure would log for it (AZFW* tables, flow trace, Traffic
 * Analytics per processed interval). Background and story flows use the same
 * walk, so a firewall row always names the rule that really matches first.
 */
import { isPrivate, prefixContains } from './ip.js';
import { Ids, lowerId } from './ids.js';
import type { EstateSpec, FirewallApplicationRule, FirewallNetworkRule, VmSpec } from './model.js';
import { macFor, Random } from './random.js';
import { connectedPeerings, effectiveRoutes, hubVnet, lookupRoute } from './routing.js';
import { evaluateNsgs, type NsgDecision } from './security.js';

/** A flow endpoint. */
export type Endpoint =
  | { kind: 'vm'; name: string }
  | { kind: 'onprem'; ip: string }
  | { kind: 'public'; ip: string; azure: boolean; country: string }
  | { kind: 'private-endpoint'; name: string }
  | { kind: 'firewall' }
  /** A private address outside the estate and outside the VPN's site (e.g. a partner network behind an NVA). */
  | { kind: 'private'; ip: string };

/** A recurring flow. */
export interface FlowTemplate {
  source: Endpoint;
  destination: Endpoint;
  protocol: 'TCP' | 'UDP' | 'ICMP';
  port: number;
  /** SNI or Host name, for application rules. */
  fqdn?: string;
  /** Full URL for plain HTTP. */
  url?: string;
  /** Average occurrences per hour. */
  perHour: number;
  /** Active window (ISO), default: the scenario's whole history. */
  from?: string;
  to?: string;
  /** Packets from source to destination per connection [min, max]. */
  packets?: [number, number];
  /** Bytes from destination to source per connection [min, max]. */
  responseBytes?: [number, number];
  /** Connection duration in seconds [min, max]. */
  durationInSeconds?: [number, number];
  /** An IDPS signature the flow triggers (alert mode). */
  idps?: { signatureId: string; category: string; description: string; severity: number; probability: number };
  /** A threat-intelligence match. */
  threat?: { description: string; destinationIp: string };
  /** The server answers SYNs with RST (nothing listens). */
  refused?: boolean;
  /** The server never answers. */
  silent?: boolean;
  /** The server resets the established connection (RST instead of FIN). */
  resetByServer?: boolean;
  /** Fixed occurrence times (ISO), instead of random ones. */
  at?: string[];
  /** Fixed source port (to match a capture of the same connection). */
  sourcePort?: number;
}

/** Where and how a walk ended. */
export interface FlowOutcome {
  forwardViaFirewall: boolean;
  returnViaFirewall: boolean;
  firewall?: FirewallDecision;
  sourceNsg?: NsgDecision;
  destinationNsg?: NsgDecision;
  /** The destination (or its NIC) received the packets. */
  delivered: boolean;
  /**
   * Where the packets die: `next-hop-invalid` a VirtualAppliance next hop no running appliance holds;
   * `peering` a peering on the way is not Connected; `peering-transit` the destination VNet's peering
   * refuses traffic the firewall forwards (allowForwardedTraffic off).
   */
  droppedAt: 'source-nsg' | 'route-none' | 'next-hop-invalid' | 'peering' | 'firewall' | 'peering-transit' | 'destination-nsg' | 'asymmetric' | null;
}

/** What Azure Firewall decided. */
export interface FirewallDecision {
  table: 'AZFWNetworkRule' | 'AZFWApplicationRule';
  action: 'Allow' | 'Deny';
  ruleCollectionGroup: string;
  ruleCollection: string;
  rule: string;
  actionReason: string;
}

const WINDOWS_UPDATE = ['*.windowsupdate.com', '*.update.microsoft.com', '*.delivery.mp.microsoft.com', 'ctldl.windowsupdate.com'];

function fqdnMatches(pattern: string, fqdn: string): boolean {
  const name = fqdn.toLowerCase();
  const lower = pattern.toLowerCase();
  if (lower.startsWith('*.')) return name.endsWith(lower.slice(1));
  return lower === name;
}

function addressMatches(prefixes: string[], address: string): boolean {
  return prefixes.some((prefix) => prefix === '*' || prefixContains(prefix, address));
}

function portMatches(ports: string[], port: number): boolean {
  return ports.some((range) => {
    if (range === '*') return true;
    const [low, high] = range.split('-').map(Number);
    return low !== undefined && port >= low && port <= (high ?? low);
  });
}

/** Azure Firewall policy processing: network rules by group then collection priority, then application rules. */
export function firewallDecision(estate: EstateSpec, flow: { protocol: 'TCP' | 'UDP' | 'ICMP'; source: string; destination: string; port: number; fqdn?: string }): FirewallDecision {
  const groups = [...estate.firewall.ruleCollectionGroups].sort((a, b) => a.priority - b.priority);
  const ordered = groups.flatMap((group) => [...group.collections].sort((a, b) => a.priority - b.priority).map((collection) => ({ group, collection })));
  for (const { group, collection } of ordered) {
    if (collection.kind !== 'network') continue;
    const rule = (collection.rules as FirewallNetworkRule[]).find((candidate) =>
      (candidate.protocols.includes('Any') || candidate.protocols.includes(flow.protocol)) &&
      addressMatches(candidate.sources, flow.source) && addressMatches(candidate.destinations, flow.destination) &&
      (flow.protocol === 'ICMP' || portMatches(candidate.ports, flow.port)));
    if (rule) return { table: 'AZFWNetworkRule', action: collection.action, ruleCollectionGroup: group.name, ruleCollection: collection.name, rule: rule.name, actionReason: '' };
  }
  const web = flow.protocol === 'TCP' && flow.fqdn !== undefined && (flow.port === 80 || flow.port === 443);
  if (web) {
    for (const { group, collection } of ordered) {
      if (collection.kind !== 'application') continue;
      const rule = (collection.rules as FirewallApplicationRule[]).find((candidate) =>
        candidate.protocols.some((protocol) => protocol.port === flow.port && protocol.protocolType === (flow.port === 80 ? 'Http' : 'Https')) &&
        addressMatches(candidate.sources, flow.source) &&
        [...candidate.fqdns, ...(candidate.fqdnTags?.includes('WindowsUpdate') ? WINDOWS_UPDATE : [])].some((pattern) => fqdnMatches(pattern, flow.fqdn ?? '')));
      if (rule) return { table: 'AZFWApplicationRule', action: collection.action, ruleCollectionGroup: group.name, ruleCollection: collection.name, rule: rule.name, actionReason: '' };
    }
    return { table: 'AZFWApplicationRule', action: 'Deny', ruleCollectionGroup: '', ruleCollection: '', rule: '', actionReason: 'Default Action' };
  }
  return { table: 'AZFWNetworkRule', action: 'Deny', ruleCollectionGroup: '', ruleCollection: '', rule: '', actionReason: 'Default Action' };
}

/** Resolves an endpoint's IP address. */
export function endpointIp(estate: EstateSpec, endpoint: Endpoint): string {
  switch (endpoint.kind) {
    case 'vm': return vmByName(estate, endpoint.name).privateIp;
    case 'onprem': return endpoint.ip;
    case 'public': return endpoint.ip;
    case 'private': return endpoint.ip;
    case 'firewall': return estate.firewall.privateIp;
    case 'private-endpoint': {
      const found = estate.privateEndpoints.find((candidate) => candidate.name === endpoint.name);
      if (!found) throw new Error(`unknown private endpoint ${endpoint.name}`);
      return found.privateIp;
    }
  }
}

/** A VM by name. */
export function vmByName(estate: EstateSpec, name: string): VmSpec {
  const vm = estate.vms.find((candidate) => candidate.name === name);
  if (!vm) throw new Error(`unknown VM ${name}`);
  return vm;
}

type Hop = 'firewall' | 'direct' | 'gateway' | 'internet' | 'none' | 'invalid-appliance';

function hopFor(estate: EstateSpec, vnet: string, subnet: string, destination: string): Hop {
  const route = lookupRoute(effectiveRoutes(estate, vnet, subnet), destination);
  if (!route || route.nextHopType === 'None') return 'none';
  if (route.nextHopType === 'VirtualAppliance') {
    const applianceIp = route.nextHopIpAddress[0];
    if (applianceIp === estate.firewall.privateIp) return 'firewall';
    const appliance = estate.vms.find((vm) => vm.privateIp === applianceIp);
    if (appliance && (appliance.powerState ?? 'running') === 'running' && appliance.enableIpForwarding) throw new Error(`running NVAs are not modelled (${appliance.name})`);
    // A stopped or deallocated appliance, one with IP forwarding off, or no NIC at all: the host drops the packets.
    return 'invalid-appliance';
  }
  if (route.nextHopType === 'VirtualNetworkGateway') return 'gateway';
  if (route.nextHopType === 'Internet') return 'internet';
  return 'direct';
}

/** True when a VNet reaches the hub (it is the hub, or its peering to the hub is Connected). */
function reachesHub(estate: EstateSpec, vnetName: string): boolean {
  const hub = hubVnet(estate);
  return vnetName === hub.name || connectedPeerings(estate, vnetName).some((peering) => peering.to === hub.name);
}

/** Why the firewall cannot deliver into a VNet: its peering with the hub is down, or refuses forwarded traffic. */
function forwardedInto(estate: EstateSpec, vnetName: string): FlowOutcome['droppedAt'] {
  const hub = hubVnet(estate);
  if (vnetName === hub.name) return null;
  if (!connectedPeerings(estate, hub.name).some((peering) => peering.to === vnetName)) return 'peering';
  const back = estate.peerings.find((peering) => peering.from === vnetName && peering.to === hub.name);
  return back?.allowForwardedTraffic === false ? 'peering-transit' : null;
}

/** Walks one flow through the estate. */
export function walkFlow(estate: EstateSpec, ids: Ids, template: FlowTemplate): FlowOutcome {
  const hub = hubVnet(estate);
  const sourceIp = endpointIp(estate, template.source);
  const destinationIp = endpointIp(estate, template.destination);
  const nsgProtocol = template.protocol === 'TCP' ? 'Tcp' : template.protocol === 'UDP' ? 'Udp' : 'Icmp';
  const packet = { protocol: nsgProtocol as 'Tcp' | 'Udp' | 'Icmp', source: sourceIp, destination: destinationIp, destinationPort: template.port };
  const outcome: FlowOutcome = { forwardViaFirewall: false, returnViaFirewall: false, delivered: false, droppedAt: null };

  let forward: Hop;
  if (template.source.kind === 'vm') {
    const vm = vmByName(estate, template.source.name);
    outcome.sourceNsg = evaluateNsgs(estate, ids, vm, 'Outbound', packet);
    if (outcome.sourceNsg.access === 'Deny') return { ...outcome, droppedAt: 'source-nsg' };
    forward = template.destination.kind === 'firewall' ? 'direct' : hopFor(estate, vm.vnet, vm.subnet, destinationIp);
  } else if (template.source.kind === 'onprem') {
    forward = hopFor(estate, hub.name, 'GatewaySubnet', destinationIp);
  } else {
    throw new Error('flows start at a VM or on premises');
  }
  if (forward === 'none') return { ...outcome, droppedAt: 'route-none' };
  if (forward === 'invalid-appliance') return { ...outcome, droppedAt: 'next-hop-invalid' };
  if (forward === 'firewall' && template.source.kind === 'vm' && !reachesHub(estate, vmByName(estate, template.source.name).vnet)) return { ...outcome, droppedAt: 'peering' };
  if (forward === 'firewall') {
    outcome.forwardViaFirewall = true;
    outcome.firewall = firewallDecision(estate, { protocol: template.protocol, source: sourceIp, destination: destinationIp, port: template.port, ...(template.fqdn ? { fqdn: template.fqdn } : {}) });
    if (outcome.firewall.action === 'Deny') return { ...outcome, droppedAt: 'firewall' };
    const into = template.destination.kind === 'vm' ? forwardedInto(estate, vmByName(estate, template.destination.name).vnet) : null;
    if (into) return { ...outcome, droppedAt: into };
  }

  let back: Hop = 'direct';
  if (template.destination.kind === 'vm') {
    const vm = vmByName(estate, template.destination.name);
    outcome.destinationNsg = evaluateNsgs(estate, ids, vm, 'Inbound', packet);
    if (outcome.destinationNsg.access === 'Deny') return { ...outcome, droppedAt: 'destination-nsg' };
    back = hopFor(estate, vm.vnet, vm.subnet, sourceIp);
  } else if (template.destination.kind === 'onprem') {
    back = hopFor(estate, hub.name, 'GatewaySubnet', sourceIp);
  } else if (template.destination.kind === 'private-endpoint') {
    const name = template.destination.name;
    const endpoint = estate.privateEndpoints.find((candidate) => candidate.name === name);
    back = endpoint?.returnViaSubnetRouteTable && endpoint ? hopFor(estate, endpoint.vnet, endpoint.subnet, sourceIp) : outcome.forwardViaFirewall ? 'firewall' : 'direct';
  } else {
    back = outcome.forwardViaFirewall ? 'firewall' : 'direct';
  }
  outcome.returnViaFirewall = back === 'firewall';
  outcome.delivered = true;
  if (template.protocol !== 'ICMP' && outcome.forwardViaFirewall !== outcome.returnViaFirewall) outcome.droppedAt = 'asymmetric';
  if (template.protocol === 'ICMP' && !outcome.forwardViaFirewall && outcome.returnViaFirewall) {
    // The echo reply reaches the firewall as a new flow: a network rule decides it on its own.
    const reply = firewallDecision(estate, { protocol: 'ICMP', source: destinationIp, destination: sourceIp, port: 0 });
    outcome.firewall = reply;
    if (reply.action === 'Deny') outcome.droppedAt = 'asymmetric';
  }
  return outcome;
}

/** Table rows produced by the simulation, keyed by table name. */
export type Tables = Record<string, Record<string, unknown>[]>;

/** ISO with milliseconds. */
export function isoMs(epochMs: number): string {
  return new Date(Math.round(epochMs)).toISOString();
}

/** ISO with whole seconds and a trailing `.000Z` (Traffic Analytics ingest times). */
function isoSecondsMs(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString();
}

/** ISO with whole seconds, no fraction (Traffic Analytics flow times). */
function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const L7: Record<number, string> = { 22: 'ssh', 53: 'domain', 80: 'http', 88: 'kerberos', 135: 'epmap', 389: 'ldap', 443: 'https', 445: 'microsoft-ds', 636: 'ldaps', 1433: 'ms-sql-s', 3389: 'ms-wbt-server', 5432: 'postgresql', 5985: 'wsman', 5986: 'wsmans', 6379: 'redis', 8080: 'http-alt', 8443: 'pcsync-https', 9093: 'copycat' };

/** The simulation of one scenario's traffic. */
export class TrafficLog {
  readonly tables: Tables = {};
  private readonly ids: Ids;
  private readonly nta = new Map<string, Record<string, unknown>>();
  private readonly ntaOrder: string[] = [];
  /** Rows of legacy Traffic Analytics (NSG flow logs), kept in NTANetAnalytics form until the flush converts them. */
  private readonly legacy = new Map<string, Record<string, unknown>>();
  private readonly legacyOrder: string[] = [];

  constructor(private readonly estate: EstateSpec, private readonly nowMs: number, private readonly random: Random) {
    this.ids = new Ids(estate.organisation.subscriptionId);
  }

  /** Adds a row to a table (creating the table). */
  add(table: string, row: Record<string, unknown>): void {
    (this.tables[table] ??= []).push(row);
  }

  /** Common trailing columns of a firewall row. */
  firewallColumns(type: string, row: Record<string, unknown>): Record<string, unknown> {
    const full: Record<string, unknown> = { TenantId: this.estate.organisation.workspaceId, ...row, SourceSystem: 'Azure', Type: type, _ResourceId: lowerId(this.ids.firewall(this.estate)), _SubscriptionId: this.estate.organisation.subscriptionId };
    full._BilledSize = JSON.stringify(full).length + 60;
    full._IsBillable = 'True';
    return full;
  }

  /** Runs a template over [startMs, endMs], producing every row. Returns the outcome of its walk. */
  run(template: FlowTemplate, startMs: number, endMs: number): FlowOutcome {
    const outcome = walkFlow(this.estate, this.ids, template);
    const from = template.from ? Date.parse(template.from) : startMs;
    const to = template.to ? Date.parse(template.to) : endMs;
    const times: number[] = [];
    if (template.at) {
      times.push(...template.at.map((time) => Date.parse(time)));
    } else {
      const expected = (template.perHour * (to - from)) / 3_600_000;
      const count = Math.max(0, Math.round(expected * (0.8 + this.random.next() * 0.4)));
      for (let index = 0; index < count; index += 1) times.push(from + this.random.next() * (to - from));
      times.sort((a, b) => a - b);
    }
    for (const time of times) this.occurrence(template, outcome, time);
    return outcome;
  }

  private occurrence(template: FlowTemplate, outcome: FlowOutcome, time: number): void {
    const random = this.random;
    const sourceIp = endpointIp(this.estate, template.source);
    const destinationIp = endpointIp(this.estate, template.destination);
    const sourcePort = template.protocol === 'ICMP' ? 0 : template.sourcePort ?? random.ephemeralPort();
    const duration = template.durationInSeconds ? random.int(template.durationInSeconds[0] * 1000, template.durationInSeconds[1] * 1000) : random.int(300, 25_000);
    const fails = outcome.droppedAt !== null || template.refused === true || template.silent === true;
    if (time > this.nowMs) return;
    const policy = this.estate.firewall.policyName;

    if (template.threat) {
      this.add('AZFWThreatIntel', this.firewallColumns('AZFWThreatIntel', { TimeGenerated: isoMs(time - random.int(5, 20)), Protocol: template.protocol, SourceIp: sourceIp, SourcePort: sourcePort, DestinationIp: template.threat.destinationIp, DestinationPort: template.port, Fqdn: template.fqdn ?? '', TargetUrl: '', Action: this.estate.firewall.threatIntelMode === 'Deny' ? 'Deny' : 'Alert', ThreatDescription: template.threat.description, IsTlsInspected: false }));
    }
    // Threat intelligence in Deny mode drops the first packet before any rule is evaluated.
    const threatDenied = template.threat !== undefined && this.estate.firewall.threatIntelMode === 'Deny';
    let idpsDropped = false;
    if (outcome.forwardViaFirewall && outcome.firewall && !threatDenied) {
      const decision = outcome.firewall;
      if (decision.table === 'AZFWNetworkRule') {
        this.add('AZFWNetworkRule', this.firewallColumns('AZFWNetworkRule', { TimeGenerated: isoMs(time), Protocol: template.protocol, SourceIp: sourceIp, SourcePort: sourcePort, DestinationIp: destinationIp, DestinationPort: template.port, Action: decision.action, ActionReason: decision.actionReason, Policy: policy, RuleCollectionGroup: decision.ruleCollectionGroup, RuleCollection: decision.ruleCollection, Rule: decision.rule }));
      } else {
        const http = template.port === 80;
        this.add('AZFWApplicationRule', this.firewallColumns('AZFWApplicationRule', { TimeGenerated: isoMs(time), Protocol: http ? 'HTTP' : 'HTTPS', SourceIp: sourceIp, SourcePort: sourcePort, DestinationPort: template.port, Fqdn: template.fqdn ?? '', TargetUrl: http ? template.url ?? `http://${template.fqdn ?? ''}/` : '', Action: decision.action, ActionReason: decision.actionReason, Policy: policy, RuleCollectionGroup: decision.ruleCollectionGroup, RuleCollection: decision.ruleCollection, Rule: decision.rule, WebCategory: decision.action === 'Allow' ? webCategory(template.fqdn ?? '') : '', IsTlsInspected: false, IsExplicitProxyRequest: false }));
      }
      if (template.idps && random.chance(template.idps.probability)) {
        const signature = template.idps.signatureId;
        const mode = this.estate.firewall.idpsSignatureOverrides?.find((override) => override.id === signature)?.mode ?? this.estate.firewall.idpsMode;
        // In Deny mode the packet that matches (the request after the handshake) and the rest of the flow are dropped.
        idpsDropped = mode === 'Deny' && decision.action === 'Allow' && outcome.droppedAt === null;
        if (mode !== 'Off') this.add('AZFWIdpsSignature', this.firewallColumns('AZFWIdpsSignature', { TimeGenerated: isoMs(time + random.int(200, 9000)), Protocol: template.protocol, SourceIp: sourceIp, SourcePort: sourcePort, DestinationIp: destinationIp, DestinationPort: template.port, Action: mode === 'Deny' ? 'drop' : 'alert', SignatureId: signature, Category: template.idps.category, Description: template.idps.description, Severity: template.idps.severity }));
      }
      if (this.estate.firewall.flowTrace && template.protocol === 'TCP' && decision.table === 'AZFWNetworkRule' && decision.action === 'Allow' && outcome.droppedAt === null && !template.silent) {
        const synAck = time + random.int(1, 40);
        if (template.refused) {
          this.add('AZFWFlowTrace', this.flowTrace(synAck, destinationIp, template.port, sourceIp, sourcePort, 'RST'));
        } else if (idpsDropped) {
          // The handshake completes; the dropped request is retransmitted until the client gives up.
          this.add('AZFWFlowTrace', this.flowTrace(synAck, destinationIp, template.port, sourceIp, sourcePort, 'SYN-ACK'));
        } else if (template.resetByServer) {
          this.add('AZFWFlowTrace', this.flowTrace(synAck, destinationIp, template.port, sourceIp, sourcePort, 'SYN-ACK'));
          this.add('AZFWFlowTrace', this.flowTrace(time + duration, destinationIp, template.port, sourceIp, sourcePort, 'RST'));
        } else {
          this.add('AZFWFlowTrace', this.flowTrace(synAck, destinationIp, template.port, sourceIp, sourcePort, 'SYN-ACK'));
          this.add('AZFWFlowTrace', this.flowTrace(time + duration, sourceIp, sourcePort, destinationIp, template.port, 'FIN'));
          this.add('AZFWFlowTrace', this.flowTrace(time + duration + random.int(5, 40), destinationIp, template.port, sourceIp, sourcePort, 'FIN-ACK'));
        }
      }
    }
    if (template.protocol === 'ICMP' && !outcome.forwardViaFirewall && outcome.returnViaFirewall && outcome.firewall) {
      // Only the echo reply crosses the firewall: it is logged as a flow from the destination back to the source.
      const reply = outcome.firewall;
      this.add('AZFWNetworkRule', this.firewallColumns('AZFWNetworkRule', { TimeGenerated: isoMs(time + random.int(1, 30)), Protocol: 'ICMP', SourceIp: destinationIp, SourcePort: 0, DestinationIp: sourceIp, DestinationPort: 0, Action: reply.action, ActionReason: reply.actionReason, Policy: policy, RuleCollectionGroup: reply.ruleCollectionGroup, RuleCollection: reply.ruleCollection, Rule: reply.rule }));
    }
    if (outcome.droppedAt === 'asymmetric' && this.estate.firewall.flowTrace) {
      // Return via the firewall only: the SYN-ACK reaches it with no SYN in its state. Forward via the
      // firewall only: the SYN-ACK went around it, so the client's ACK and request arrive with no SYN-ACK
      // in its state. Either way: dropped, logged INVALID, retransmitted.
      const clientSide = outcome.forwardViaFirewall && !outcome.returnViaFirewall;
      for (const delay of [random.int(1, 30), 1000 + random.int(0, 60), 3000 + random.int(0, 90)]) {
        this.add('AZFWFlowTrace', clientSide
          ? this.flowTrace(time + delay + 40, sourceIp, sourcePort, destinationIp, template.port, 'INVALID', 'Drop')
          : this.flowTrace(time + delay, destinationIp, template.port, sourceIp, sourcePort, 'INVALID', 'Drop'));
      }
    }
    if (template.protocol === 'ICMP') return;

    const packets = template.packets ? random.int(template.packets[0], template.packets[1]) : random.int(6, 40);
    const requestBytes = packets * random.int(80, 420);
    const responseBytes = template.responseBytes ? random.int(template.responseBytes[0], template.responseBytes[1]) : random.int(800, 60_000);
    let counters: { packetsSrcToDest: number; packetsDestToSrc: number; bytesSrcToDest: number; bytesDestToSrc: number; completed: boolean };
    if (outcome.droppedAt === 'asymmetric' && outcome.forwardViaFirewall) counters = { packetsSrcToDest: 1, packetsDestToSrc: random.int(3, 5), bytesSrcToDest: 0, bytesDestToSrc: 0, completed: false };
    else if (outcome.droppedAt === 'asymmetric') counters = { packetsSrcToDest: random.int(3, 4), packetsDestToSrc: random.int(3, 5), bytesSrcToDest: 0, bytesDestToSrc: 0, completed: false };
    else if (idpsDropped) counters = { packetsSrcToDest: random.int(4, 8), packetsDestToSrc: 1, bytesSrcToDest: 0, bytesDestToSrc: 0, completed: false };
    else if (outcome.droppedAt !== null || template.silent || threatDenied) counters = { packetsSrcToDest: template.protocol === 'TCP' ? random.int(3, 7) : 1, packetsDestToSrc: 0, bytesSrcToDest: 0, bytesDestToSrc: 0, completed: false };
    else if (template.refused) counters = { packetsSrcToDest: 1, packetsDestToSrc: 1, bytesSrcToDest: 66, bytesDestToSrc: 54, completed: true };
    else counters = { packetsSrcToDest: packets, packetsDestToSrc: Math.max(1, Math.round(responseBytes / 1100)), bytesSrcToDest: requestBytes, bytesDestToSrc: responseBytes, completed: true };
    if (counters.bytesSrcToDest === 0) counters.bytesSrcToDest = counters.packetsSrcToDest * 66;
    if (counters.bytesDestToSrc === 0) counters.bytesDestToSrc = counters.packetsDestToSrc * 66;
    void fails;

    if (template.source.kind === 'vm' && outcome.droppedAt !== 'route-none') {
      const vm = vmByName(this.estate, template.source.name);
      const status = outcome.droppedAt === 'source-nsg' ? 'D' : 'A';
      // Return via the firewall only: the replies die there and the source never sees them.
      const seen = outcome.droppedAt === 'asymmetric' && !outcome.forwardViaFirewall ? { ...counters, packetsDestToSrc: 0, bytesDestToSrc: 0 } : counters;
      this.ntaRecord(vm, 'O', status, outcome.sourceNsg, template, time, seen);
    }
    if (threatDenied) return;
    if (template.destination.kind === 'vm' && outcome.delivered || outcome.droppedAt === 'destination-nsg') {
      if (template.destination.kind === 'vm') {
        const vm = vmByName(this.estate, template.destination.name);
        const status = outcome.droppedAt === 'destination-nsg' ? 'D' : 'A';
        // An application rule proxies the connection: the server sees a firewall instance address (SNAT).
        const proxied = outcome.firewall?.table === 'AZFWApplicationRule' && outcome.firewall.action === 'Allow';
        this.ntaRecord(vm, 'I', status, outcome.destinationNsg, template, time, counters, proxied ? random.pick(firewallSnatAddresses(this.estate)) : undefined);
      }
    }
  }

  /** An AZFWFlowTrace row. */
  flowTrace(time: number, sourceIp: string, sourcePort: number, destinationIp: string, destinationPort: number, flag: string, action = 'Log'): Record<string, unknown> {
    return this.firewallColumns('AZFWFlowTrace', { TimeGenerated: isoMs(time), Protocol: 'TCP', SourceIp: sourceIp, SourcePort: sourcePort, DestinationIp: destinationIp, DestinationPort: destinationPort, Flag: flag, Action: action, ActionReason: 'Additional TCP Log' });
  }

  /** Records a flow at a VM's NIC for Traffic Analytics (aggregated per interval when rows are emitted). */
  ntaRecord(vm: VmSpec, direction: 'I' | 'O', status: 'A' | 'D', nsg: NsgDecision | undefined, template: FlowTemplate, time: number, counters: { packetsSrcToDest: number; packetsDestToSrc: number; bytesSrcToDest: number; bytesDestToSrc: number; completed: boolean }, sourceIpOverride?: string): void {
    const vnet = this.estate.vnets.find((candidate) => candidate.name === vm.vnet);
    const current = vnet?.flowLog?.enabled === true && vnet.flowLog.trafficAnalytics;
    // Without a VNet flow log, an NSG flow log (Traffic Analytics every 60 minutes) on the NSG that decided, or on the subnet's NSG, still records it.
    const subnetNsg = vnet?.subnets.find((subnet) => subnet.name === vm.subnet)?.nsg;
    const legacyNsg = current ? undefined : [nsg?.nsgName ?? undefined, subnetNsg].find((name) => name !== undefined && (vnet?.nsgFlowLogs ?? []).includes(name));
    if (!vnet || (!current && legacyNsg === undefined)) return;
    const interval = (current ? vnet.flowLog?.intervalInMinutes ?? 60 : 60) * 60_000;
    const intervalStart = Math.floor(time / interval) * interval;
    const sourceIp = sourceIpOverride ?? endpointIp(this.estate, template.source);
    const destinationIp = endpointIp(this.estate, template.destination);
    const key = [vnet.name, intervalStart, vm.name, direction, status, sourceIp, destinationIp, template.port, template.protocol, nsg?.rule ?? ''].join('|');
    const rows = current ? this.nta : this.legacy;
    let row = rows.get(key);
    if (!row) {
      row = this.ntaRow(vm, direction, status, nsg, template, sourceIp, destinationIp, intervalStart, interval, time);
      if (legacyNsg !== undefined) {
        const nsgSpec = this.estate.nsgs.find((candidate) => candidate.name === legacyNsg);
        row.FlowLogResourceId = `NetworkWatcherRG/NetworkWatcher_${this.estate.organisation.location}/${legacyNsg}-${nsgSpec?.resourceGroup ?? ''}-flowlog`;
        row.NsgListLegacy = `${this.estate.organisation.subscriptionId}/${nsgSpec?.resourceGroup ?? ''}/${legacyNsg}`;
      }
      rows.set(key, row);
      (current ? this.ntaOrder : this.legacyOrder).push(key);
    }
    row.FlowEndTime = isoSeconds(Math.max(Date.parse(String(row.FlowEndTime)), time));
    const flows = direction === 'I' ? (status === 'A' ? 'AllowedInFlows' : 'DeniedInFlows') : status === 'A' ? 'AllowedOutFlows' : 'DeniedOutFlows';
    row[flows] = Number(row[flows]) + 1;
    if (counters.completed && status === 'A') row.CompletedFlows = Number(row.CompletedFlows) + 1;
    row.PacketsSrcToDest = Number(row.PacketsSrcToDest) + counters.packetsSrcToDest;
    row.PacketsDestToSrc = Number(row.PacketsDestToSrc) + (status === 'A' ? counters.packetsDestToSrc : 0);
    row.BytesSrcToDest = Number(row.BytesSrcToDest) + counters.bytesSrcToDest;
    row.BytesDestToSrc = Number(row.BytesDestToSrc) + (status === 'A' ? counters.bytesDestToSrc : 0);
  }

  private placement(endpoint: Endpoint, ip: string): Record<string, string> {
    const org = this.estate.organisation;
    if (endpoint.kind === 'vm') {
      const vm = vmByName(this.estate, endpoint.name);
      const vnet = this.estate.vnets.find((candidate) => candidate.name === vm.vnet);
      return { Subscription: org.subscriptionId, Region: org.location, Nic: `${vm.resourceGroup}/nic-${vm.name}`, Vm: `${vm.resourceGroup}/${vm.name}`, Subnet: `${vnet?.resourceGroup ?? ''}/${vm.vnet}/${vm.subnet}`, LocalNetworkGateway: '', PublicIps: '' };
    }
    if (endpoint.kind === 'private-endpoint' || endpoint.kind === 'firewall') {
      const hub = hubVnet(this.estate);
      const found = endpoint.kind === 'private-endpoint' ? this.estate.privateEndpoints.find((candidate) => candidate.name === endpoint.name) : undefined;
      const vnetName = found?.vnet ?? hub.name;
      const vnet = this.estate.vnets.find((candidate) => candidate.name === vnetName);
      return { Subscription: org.subscriptionId, Region: org.location, Nic: '', Vm: '', Subnet: `${vnet?.resourceGroup ?? ''}/${vnetName}/${found?.subnet ?? 'AzureFirewallSubnet'}`, LocalNetworkGateway: '', PublicIps: '' };
    }
    if (endpoint.kind === 'onprem') {
      return { Subscription: '', Region: '', Nic: '', Vm: '', Subnet: '', LocalNetworkGateway: `${org.subscriptionId}/${this.estate.gateway.resourceGroup}/${this.estate.gateway.localGatewayName}`, PublicIps: '' };
    }
    void ip;
    return { Subscription: '', Region: '', Nic: '', Vm: '', Subnet: '', LocalNetworkGateway: '', PublicIps: '' };
  }

  private ntaRow(vm: VmSpec, direction: 'I' | 'O', status: 'A' | 'D', nsg: NsgDecision | undefined, template: FlowTemplate, sourceIp: string, destinationIp: string, intervalStart: number, interval: number, time: number): Record<string, unknown> {
    const org = this.estate.organisation;
    const hub = hubVnet(this.estate);
    const vnet = this.estate.vnets.find((candidate) => candidate.name === vm.vnet);
    const source = template.source.kind === 'vm' && sourceIp !== endpointIp(this.estate, template.source) ? { kind: 'firewall' as const } : template.source;
    const destination = template.destination;
    const sourcePlacement = this.placement(source, sourceIp);
    const destinationPlacement = this.placement(destination, destinationIp);
    const publicEnd = destination.kind === 'public' ? destination : undefined;
    let flowType = 'IntraVNet';
    let connectionType = '';
    let connectionName = '';
    let connectingVnets = '';
    const vnetOf = (endpoint: Endpoint): string => endpoint.kind === 'vm' ? vmByName(this.estate, endpoint.name).vnet : endpoint.kind === 'private-endpoint' ? this.estate.privateEndpoints.find((candidate) => candidate.name === endpoint.name)?.vnet ?? '' : hub.name;
    if (source.kind === 'onprem' || destination.kind === 'onprem') {
      flowType = 'S2S'; connectionType = 'VpnGateway'; connectionName = `${org.subscriptionId}/${this.estate.gateway.resourceGroup}/${this.estate.gateway.connectionName}`; connectingVnets = hub.name;
    } else if (publicEnd) {
      flowType = publicEnd.azure ? 'AzurePublic' : 'ExternalPublic';
    } else if (destination.kind === 'private') {
      flowType = 'UnknownPrivate';
    } else if (vnetOf(source) !== vnetOf(destination)) {
      // Two spokes peered with each other directly connect through that peering, not through the hub.
      const direct = ![vnetOf(source), vnetOf(destination)].includes(hub.name) && connectedPeerings(this.estate, vnetOf(source)).some((peering) => peering.to === vnetOf(destination));
      flowType = 'InterVNet'; connectionType = 'VNetPeering'; connectingVnets = direct ? `${vnetOf(source)} ${vnetOf(destination)}` : hub.name;
    }
    const endpoint = destination.kind === 'private-endpoint' ? this.estate.privateEndpoints.find((candidate) => candidate.name === destination.name) : undefined;
    const processedDelay = 0;
    void processedDelay;
    const row: Record<string, unknown> = {
      TenantId: org.workspaceId, TimeGenerated: '', SubType: 'FlowLog', FaSchemaVersion: '3', TimeProcessed: '',
      FlowIntervalStartTime: isoSeconds(intervalStart), FlowIntervalEndTime: isoSeconds(intervalStart + interval), FlowStartTime: isoSeconds(time), FlowEndTime: isoSeconds(time),
      FlowType: flowType, SrcIp: sourceIp, DestIp: publicEnd ? '' : destinationIp, DestPort: template.port, L4Protocol: template.protocol === 'UDP' ? 'U' : 'T', L7Protocol: L7[template.port] ?? 'unknown',
      FlowDirection: direction, FlowStatus: status, FlowEncryption: 'Unencrypted', IsFlowCapturedAtUdrHop: false,
      AclGroup: nsg?.nsgName ? `${org.subscriptionId}/${nsg.nsgResourceGroup}/${nsg.nsgName}` : '', AclRule: nsg?.rule ?? '',
      SrcSubscription: sourcePlacement.Subscription, DestSubscription: publicEnd ? '' : destinationPlacement.Subscription, SrcRegion: sourcePlacement.Region, DestRegion: publicEnd?.azure ? org.location : destinationPlacement.Region,
      SrcNic: sourcePlacement.Nic, DestNic: destinationPlacement.Nic, SrcVm: sourcePlacement.Vm, DestVm: destinationPlacement.Vm, SrcSubnet: sourcePlacement.Subnet, DestSubnet: destinationPlacement.Subnet,
      SrcLocalNetworkGateway: sourcePlacement.LocalNetworkGateway, DestLocalNetworkGateway: destinationPlacement.LocalNetworkGateway, SrcPublicIps: '', DestPublicIps: publicEnd ? `${publicEnd.ip}|1|1|0|0|0|0` : '',
      ConnectionType: connectionType, ConnectionName: connectionName, ConnectingVnets: connectingVnets, Country: publicEnd ? publicEnd.country : '', AzureRegion: publicEnd?.azure ? org.location : '',
      PrivateEndpointResourceId: endpoint ? `${org.subscriptionId}/${endpoint.resourceGroup}/${endpoint.name}` : '', PrivateLinkResourceId: endpoint ? endpoint.targetId.split('/').slice(2).filter((_part, index) => index === 0 || index === 2 || index === 6).join('/') : '', PrivateLinkResourceName: endpoint ? endpoint.targetId.split('/').pop() ?? '' : '',
      TargetResourceId: `${vnet?.resourceGroup ?? ''}/${vm.vnet}`, TargetResourceType: 'VNET', FlowLogResourceId: `NetworkWatcherRG/NetworkWatcher_${org.location}/${this.ids.flowLogName(vm.vnet, vnet?.resourceGroup ?? '')}`,
      MacAddress: macFor(this.ids.nic(vm)).replace(/-/g, ''),
      AllowedInFlows: 0, DeniedInFlows: 0, AllowedOutFlows: 0, DeniedOutFlows: 0, CompletedFlows: 0, PacketsSrcToDest: 0, PacketsDestToSrc: 0, BytesSrcToDest: 0, BytesDestToSrc: 0,
      SourceSystem: 'Azure', Type: 'NTANetAnalytics', _ResourceId: lowerId(this.ids.vnet(this.estate, vm.vnet)), _SubscriptionId: org.subscriptionId, _BilledSize: 0, _IsBillable: 'True',
    };
    return row;
  }

  /** Emits the aggregated Traffic Analytics rows of every interval processed by `now` (NTANetAnalytics, then the legacy table). */
  flushTrafficAnalytics(): void {
    const rows = this.processed(this.nta, this.ntaOrder);
    if (rows.length) (this.tables.NTANetAnalytics ??= []).push(...rows);
    const legacy = this.processed(this.legacy, this.legacyOrder).map(legacyRow);
    if (legacy.length) (this.tables.AzureNetworkAnalytics_CL ??= []).push(...legacy);
  }

  private processed(table: Map<string, Record<string, unknown>>, order: string[]): Record<string, unknown>[] {
    const processing = new Map<string, number>();
    const rows: Record<string, unknown>[] = [];
    for (const key of order) {
      const row = table.get(key);
      if (!row) continue;
      const end = Date.parse(String(row.FlowIntervalEndTime));
      const start = Date.parse(String(row.FlowIntervalStartTime));
      const slot = `${String(row.FlowLogResourceId)}|${start}`;
      let processedAt = processing.get(slot);
      if (processedAt === undefined) {
        const long = end - start >= 3_600_000;
        processedAt = end + (long ? this.random.int(900, 2700) : this.random.int(150, 660)) * 1000;
        processing.set(slot, processedAt);
      }
      const timeProcessed = processedAt + this.random.int(0, 90) * 1000;
      const timeGenerated = timeProcessed + this.random.int(40, 95) * 1000;
      if (processedAt + 200_000 > this.nowMs) continue;
      if (row.DestPublicIps) row.DestPublicIps = `${String(row.DestPublicIps).split('|')[0] ?? ''}|${String(row.AllowedOutFlows)}|${String(row.CompletedFlows)}|${String(row.PacketsSrcToDest)}|${String(row.PacketsDestToSrc)}|${String(row.BytesSrcToDest)}|${String(row.BytesDestToSrc)}`;
      row.TimeProcessed = isoSecondsMs(timeProcessed);
      row.TimeGenerated = isoSecondsMs(timeGenerated);
      row._BilledSize = JSON.stringify(row).length + 100;
      rows.push(row);
    }
    return rows;
  }
}

/**
 * An NTANetAnalytics-shaped row in the legacy AzureNetworkAnalytics_CL form (NSG flow logs,
 * FASchemaVersion 2): type-suffixed custom-log columns, NSG instead of ACL, no encryption or
 * private-endpoint columns, no _ResourceId (a custom-log table).
 */
function legacyRow(row: Record<string, unknown>): Record<string, unknown> {
  const inbound = row.FlowDirection === 'I';
  const full: Record<string, unknown> = {
    TenantId: row.TenantId, TimeGenerated: row.TimeGenerated, SubType_s: 'FlowLog', FASchemaVersion_s: '2', TimeProcessed_t: row.TimeProcessed,
    FlowIntervalStartTime_t: row.FlowIntervalStartTime, FlowIntervalEndTime_t: row.FlowIntervalEndTime, FlowStartTime_t: row.FlowStartTime, FlowEndTime_t: row.FlowEndTime,
    FlowType_s: row.FlowType, SrcIP_s: row.SrcIp, DestIP_s: row.DestIp, DestPort_d: row.DestPort, L4Protocol_s: row.L4Protocol, L7Protocol_s: row.L7Protocol,
    FlowDirection_s: row.FlowDirection, FlowStatus_s: row.FlowStatus, NSGList_s: row.NsgListLegacy, NSGRule_s: String(row.AclRule).toLowerCase(), NSGRuleType_s: String(row.AclRule).startsWith('DefaultRule_') ? 'Default' : 'User',
    Subscription1_g: row.SrcSubscription, Subscription2_g: row.DestSubscription, Region1_s: row.SrcRegion, Region2_s: row.DestRegion, NIC1_s: row.SrcNic, NIC2_s: row.DestNic, VM1_s: row.SrcVm, VM2_s: row.DestVm, Subnet1_s: row.SrcSubnet, Subnet2_s: row.DestSubnet,
    ConnectionType_s: row.ConnectionType, ConnectingVNets_s: row.ConnectingVnets, Country_s: row.Country, AzureRegion_s: row.AzureRegion, SrcPublicIPs_s: '', DestPublicIPs_s: row.DestPublicIps, MACAddress_s: row.MacAddress,
    AllowedInFlows_d: row.AllowedInFlows, DeniedInFlows_d: row.DeniedInFlows, AllowedOutFlows_d: row.AllowedOutFlows, DeniedOutFlows_d: row.DeniedOutFlows, CompletedFlows_d: row.CompletedFlows,
    InboundPackets_d: inbound ? row.PacketsSrcToDest : row.PacketsDestToSrc, OutboundPackets_d: inbound ? row.PacketsDestToSrc : row.PacketsSrcToDest,
    InboundBytes_d: inbound ? row.BytesSrcToDest : row.BytesDestToSrc, OutboundBytes_d: inbound ? row.BytesDestToSrc : row.BytesSrcToDest,
    SourceSystem: 'OpsManager', Type: 'AzureNetworkAnalytics_CL', _IsBillable: 'True',
  };
  full._BilledSize = JSON.stringify(full).length + 100;
  return full;
}

/** The AzureFirewallSubnet addresses of the firewall's instances, the source a proxied server sees. */
export function firewallSnatAddresses(estate: EstateSpec): string[] {
  const base = estate.firewall.privateIp.split('.').slice(0, 3).join('.');
  return [`${base}.6`, `${base}.7`];
}

function webCategory(fqdn: string): string {
  if (/microsoft|windows|azure|office|live\.com/.test(fqdn)) return 'ComputersAndTechnology';
  if (/bank|pay/.test(fqdn)) return 'Finance';
  return 'Business';
}

/** True for addresses the estate owns (used to check templates). */
export function isEstateAddress(address: string): boolean {
  return isPrivate(address);
}
