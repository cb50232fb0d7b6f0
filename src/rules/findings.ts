/** Helpers the rules share to build findings: blocked-at places, path problems, capture conversations. */
import { sameResourceId, type AzureFirewall, type BlockedAt, type CaptureFinding, type Component, type Confidence, type Conversation, type EvidenceOf } from '../domain/index.js';
import { firewallSubnet, nicByIp, vmOfNic } from './estate.js';
import { anyPrefixContains, sameIp } from './net/ip.js';
import { conversationsToDestination, observationsOf } from './capture.js';
import { citeResources, evidenceOf, inWindow, isDestination, isSource, unique, type Analysis } from './context.js';
import type { PathProblem, PathResult } from './routes/path.js';
import type { RuleFinding } from './types.js';

/** A blocked-at place. */
export function blockedAt(component: Component, resourceId: string | null = null, name: string | null = null, rule: string | null = null): BlockedAt {
  return { component, resourceId, name, rule };
}

/** A path problem of one code on the forward or return path, with its position on the round trip. */
export function pathProblems(analysis: Analysis, code: PathProblem['code']): { problem: PathProblem; path: PathResult; direction: 'forward' | 'return'; position: number }[] {
  const found: { problem: PathProblem; path: PathResult; direction: 'forward' | 'return'; position: number }[] = [];
  const { forward, reverse } = analysis;
  if (forward?.problem?.code === code) found.push({ problem: forward.problem, path: forward, direction: 'forward', position: forward.problem.hopIndex });
  // The return path matters only once the forward path gets through.
  if (forward?.reached === true && reverse?.problem?.code === code) {
    found.push({ problem: reverse.problem, path: reverse, direction: 'return', position: forward.hops.length + reverse.problem.hopIndex });
  }
  return found;
}

/** Confidence of a conclusion drawn from routes: Network Watcher's are read (high), computed ones are inferred (medium). */
export function routeConfidence(problem: PathProblem): Confidence {
  return problem.computed ? 'medium' : 'high';
}

/** A finding for a path problem (no route, invalid next hop, peering). */
export function pathProblemFinding(analysis: Analysis, code: 'no_route' | 'next_hop_invalid' | 'peering_not_connected' | 'peering_blocks_transit', component: Component): RuleFinding[] {
  return pathProblems(analysis, code).map(({ problem, path, direction, position }) => {
    const decisionHop = path.hops[problem.hopIndex];
    const differences = decisionHop?.decision?.view.differences ?? [];
    return {
      code,
      summary: `On the ${direction} path ${problem.detail}.`,
      evidence: unique([...(problem.evidenceId !== null ? [problem.evidenceId] : []), ...citeResources(analysis, [problem.resourceId])]),
      // A peering's state and settings are read from the peering itself, whatever the route views.
      confidence: code === 'peering_not_connected' || code === 'peering_blocks_transit' ? 'high' : routeConfidence(problem),
      blockedAt: blockedAt(component, problem.resourceId, problem.name, problem.rule),
      nextSteps: [...(problem.nextSteps.length > 0 ? problem.nextSteps : defaultFix(analysis, code, problem)), ...differences.map((difference) => `Routes differ from the configuration: ${difference}.`)],
      position,
    };
  });
}

/** The fix of a path problem that names none itself. */
function defaultFix(analysis: Analysis, code: PathProblem['code'], problem: PathProblem): string[] {
  if (code !== 'no_route') return [];
  const destination = analysis.flow.destinationIp ?? 'the destination';
  const table = problem.name ?? 'the route table';
  return [problem.rule !== null
    ? `Delete route ${problem.rule} from ${table}, or narrow its prefix to the ranges that must stay unreachable, so ${destination} follows a route again.`
    : `Add a route for ${destination} to ${table}.`];
}

/** Where a capture was taken, relative to the flow. */
export interface CaptureSighting {
  evidence: EvidenceOf<'capture'>;
  conversation: Conversation;
  observations: CaptureFinding[];
  /** The capture ran on the destination (or the server address is the capture target's). */
  atDestination: boolean;
  /** The client address is the question's source (not a firewall's SNAT address). */
  fromSource: boolean;
}

/** True when a capture's target is the VM or NIC that holds the address. */
function captureTargetHolds(analysis: Analysis, targetId: string | null, ip: string | null): boolean {
  if (targetId === null || ip === null) return false;
  const nic = nicByIp(analysis.input.topology, ip);
  if (nic === null) return false;
  const vm = vmOfNic(analysis.input.topology, nic);
  return sameResourceId(targetId, nic.id) || sameResourceId(targetId, vm?.id);
}

/** Addresses of the AzureFirewallSubnet prefixes (what a server sees behind an application rule). */
export function firewallSubnetPrefixes(analysis: Analysis): { firewall: AzureFirewall; prefixes: string[] }[] {
  return analysis.input.topology.firewalls.map((firewall) => ({ firewall, prefixes: firewallSubnet(analysis.input.topology, firewall)?.subnet.addressPrefixes ?? [] }));
}

/** The firewall whose subnet holds the address (a SNAT source), or null. */
export function firewallBehind(analysis: Analysis, ip: string | null): AzureFirewall | null {
  return firewallSubnetPrefixes(analysis).find(({ prefixes }) => anyPrefixContains(prefixes, ip))?.firewall ?? null;
}

/** Capture conversations about the flow: to the destination (and port), from the source or from a firewall's SNAT address. */
export function captureSightings(analysis: Analysis): CaptureSighting[] {
  const sightings: CaptureSighting[] = [];
  for (const evidence of evidenceOf(analysis.input, 'capture')) {
    const atDestinationCapture = captureTargetHolds(analysis, evidence.data.targetId, analysis.flow.destinationIp);
    const { report } = evidence.data;
    for (const conversation of conversationsToDestination(analysis, report)) {
      const fromSource = isSource(analysis, conversation.client.ip);
      if (!fromSource && firewallBehind(analysis, conversation.client.ip) === null) continue;
      sightings.push({
        evidence, conversation, fromSource,
        observations: observationsOf(report, conversation.id),
        atDestination: atDestinationCapture || sameIp(conversation.server.ip, analysis.flow.destinationIp) && captureTargetHolds(analysis, evidence.data.targetId, conversation.server.ip),
      });
    }
  }
  return sightings;
}

/** The frames an observation cites, as text. */
export function framesText(observations: readonly CaptureFinding[]): string {
  const frames = unique(observations.flatMap((observation) => observation.frames)).slice(0, 8);
  return frames.length === 0 ? '' : ` (frames ${frames.join(', ')})`;
}

/** The firewall named by a log row (or the first firewall on the forward path), and its position there. */
export function firewallOnPath(analysis: Analysis, firewallId: string | null): { firewall: AzureFirewall | null; position: number } {
  const { topology } = analysis.input;
  const hops = analysis.forward?.hops ?? [];
  const index = hops.findIndex((hop) => hop.kind === 'firewall' && (firewallId === null || sameResourceId(hop.resourceId, firewallId)));
  const anyIndex = index >= 0 ? index : hops.findIndex((hop) => hop.kind === 'firewall');
  const firewall = topology.firewalls.find((candidate) => sameResourceId(candidate.id, firewallId))
    ?? topology.firewalls.find((candidate) => sameResourceId(candidate.id, hops[anyIndex]?.resourceId)) ?? null;
  return { firewall, position: anyIndex >= 0 ? anyIndex : 1 };
}

/** `group/collection/rule` of a log row, or its action reason (e.g. "Default Action"). */
export function loggedRuleName(row: EvidenceOf<'firewall-log'>['data']): string | null {
  const parts = [row.ruleCollectionGroup, row.ruleCollection, row.rule].filter((part): part is string => part !== null && part !== '');
  if (parts.length > 0) return parts.join('/');
  return row.actionReason;
}

/** True for a logged action that stops traffic (Deny, Drop), not Alert or Allow. */
export function isDenyAction(action: string | null): boolean {
  const value = action?.trim().toLowerCase() ?? '';
  return value === 'deny' || value === 'drop' || value === 'block' || value === 'reject';
}

/** One connection of the flow as Azure Firewall's flow trace (AZFWFlowTrace) saw it, keyed by the client's port. */
export interface TracedConnection {
  clientPort: number | null;
  /** Flow-trace rows of this connection, either orientation. */
  rows: EvidenceOf<'firewall-log'>[];
  /** The server answered the SYN (SYN-ACK from the destination). */
  synAck: boolean;
  /** A RST from the destination's address. */
  resetByServer: boolean;
  /** A packet the firewall had no state for (INVALID). */
  invalid: boolean;
}

/** Flow-trace rows of the flow in the window, grouped per connection (client port), in row order. */
export function tracedConnections(analysis: Analysis): TracedConnection[] {
  const port = analysis.flow.port;
  const connections = new Map<string, TracedConnection>();
  for (const row of evidenceOf(analysis.input, 'firewall-log')) {
    const { data } = row;
    if (data.kind !== 'flow-trace' || !inWindow(analysis, data.time)) continue;
    const fromClient = isSource(analysis, data.sourceIp) && isDestination(analysis, data.destinationIp) && (port === null || data.destinationPort === port);
    const fromServer = isDestination(analysis, data.sourceIp) && isSource(analysis, data.destinationIp) && (port === null || data.sourcePort === port);
    if (!fromClient && !fromServer) continue;
    const clientPort = fromClient ? data.sourcePort : data.destinationPort;
    const key = `${clientPort ?? '?'}`;
    const connection = connections.get(key) ?? { clientPort, rows: [], synAck: false, resetByServer: false, invalid: false };
    const flag = (data.flag ?? '').trim().toLowerCase();
    connection.rows.push(row);
    if (fromServer && flag === 'syn-ack') connection.synAck = true;
    if (fromServer && flag === 'rst') connection.resetByServer = true;
    if (flag === 'invalid') connection.invalid = true;
    connections.set(key, connection);
  }
  return [...connections.values()];
}

/** Observations about the certificates sent: they stop a connection only if the client then gives up. */
const CERTIFICATE_OBSERVATIONS: ReadonlySet<string> = new Set(['tls_self_signed', 'tls_incomplete_chain', 'tls_hostname_mismatch', 'tls_expired']);

/**
 * True when an observation shows the conversation actually stopped there. A certificate finding on
 * a handshake that completed did not stop anything: the client accepted the certificate (it trusts
 * the issuer, or does not check), so it is a remark about the certificate, not the failure.
 */
export function observationStops(observation: CaptureFinding, conversation: Conversation): boolean {
  if (CERTIFICATE_OBSERVATIONS.has(observation.code)) return conversation.tls?.handshakeComplete !== true;
  return true;
}
