/**
 * What every rule needs about one question, computed once per input: the flow, where its ends
 * live, the route views (Network Watcher's where a NIC has them, else computed), the forward and
 * return paths, and filters that pick the evidence about this flow (addresses compared whole).
 */
import { sameResourceId, type Evidence, type EvidenceOf, type Protocol } from '../domain/index.js';
import { locateEndpoint, type Location } from './estate.js';
import { anyPrefixContains, parseIp, parsePrefix, sameIp } from './net/ip.js';
import { loggedProtocolMatches } from './net/ports.js';
import { compareRoutes, computeSubnetRoutes, fromEffectiveRoutes } from './routes/model.js';
import { computedRouteViews, walkPath, type PathResult, type RouteView, type RouteViewProvider } from './routes/path.js';
import type { FlowTuple } from './security/flow.js';
import type { RuleInput } from './types.js';

/** The flow asked about, as the rules match it. */
export interface FlowQuery {
  sourceIp: string | null;
  /** Addresses the source may use when it has no single one (an App Service's integration subnet). */
  sourcePrefixes: string[];
  destinationIp: string | null;
  /** The name asked for, when it is a DNS name (SNI, application rules, DNS). */
  destinationName: string | null;
  port: number | null;
  protocol: Protocol;
  windowStartInMs: number;
  windowEndInMs: number;
}

/** One question, analysed. */
export interface Analysis {
  input: RuleInput;
  flow: FlowQuery;
  source: Location;
  destination: Location;
  views: RouteViewProvider;
  forward: PathResult | null;
  reverse: PathResult | null;
  /** Ids of topology evidence (the configuration the route model reads). */
  topologyEvidence: string[];
}

const cache = new WeakMap<RuleInput, Analysis>();

/** Analyses the input once; every rule shares the result. */
export function analyse(input: RuleInput): Analysis {
  const cached = cache.get(input);
  if (cached !== undefined) return cached;
  const { question, topology } = input;
  const source = locateEndpoint(topology, question.source);
  const destination = locateEndpoint(topology, question.destination);
  const sourcePrefixes = source.kind === 'azure' && source.role === 'web-app' && source.ip === null ? source.subnet.addressPrefixes : [];
  const name = input.destinationFqdn ?? question.destination.name;
  const flow: FlowQuery = {
    sourceIp: question.source.ip ?? (source.kind === 'azure' ? source.ip : null),
    sourcePrefixes,
    destinationIp: question.destination.ip ?? (destination.kind === 'azure' ? destination.ip : null),
    destinationName: name !== null && name.includes('.') ? name.toLowerCase().replace(/\.$/, '') : null,
    port: question.port,
    protocol: question.protocol,
    windowStartInMs: Date.parse(question.window.start),
    windowEndInMs: Date.parse(question.window.end),
  };
  const views = routeViews(input);
  const sourceAddress = flow.sourceIp ?? representativeAddress(sourcePrefixes);
  const forward = flow.destinationIp !== null && source.kind !== 'unknown' ? walkPath(topology, source, flow.destinationIp, sourceAddress, views) : null;
  const reverse = sourceAddress !== null && flow.destinationIp !== null && destination.kind !== 'unknown' && destination.kind !== 'internet'
    ? walkPath(topology, destination, sourceAddress, flow.destinationIp, views) : null;
  const analysis: Analysis = {
    input, flow, source, destination, views, forward, reverse,
    topologyEvidence: input.evidence.filter((item) => item.kind === 'topology').map((item) => item.id),
  };
  cache.set(input, analysis);
  return analysis;
}

/** A usable address inside the first prefix (its fifth: Azure reserves the first four). */
function representativeAddress(prefixes: readonly string[]): string | null {
  const block = prefixes.map((prefix) => parsePrefix(prefix)).find((candidate) => candidate !== null && candidate.version === 4);
  if (block === undefined || block === null) return null;
  const value = block.network + 4n;
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 255n).toString()).join('.');
}

/** Route views: Network Watcher's effective routes where a NIC of the subnet has them (high), else computed (medium). */
export function routeViews(input: RuleInput): RouteViewProvider {
  const computed = computedRouteViews(input.topology);
  const memo = new Map<string, RouteView>();
  return (subnetId) => {
    const key = subnetId.toLowerCase();
    const known = memo.get(key);
    if (known !== undefined) return known;
    const base = computed(subnetId);
    const evidence = evidenceOf(input, 'effective-routes').find((item) => {
      const nic = input.topology.networkInterfaces.find((candidate) => sameResourceId(candidate.id, item.data.networkInterfaceId));
      return nic !== undefined && sameResourceId(nic.subnetId, subnetId);
    });
    let view = base;
    if (evidence !== undefined && !base.gatewaySubnet) {
      const effective = fromEffectiveRoutes(evidence.data.routes);
      view = { ...base, routes: effective, evidenceId: evidence.id, computed: false, differences: compareRoutes(computeSubnetRoutes(input.topology, subnetId).routes, effective) };
    }
    memo.set(key, view);
    return view;
  };
}

/** Evidence of one kind. */
export function evidenceOf<K extends Evidence['kind']>(input: RuleInput, kind: K): EvidenceOf<K>[] {
  return input.evidence.filter((item): item is EvidenceOf<K> => item.kind === kind);
}

/** True when the address is the question's source (whole-address comparison). */
export function isSource(analysis: Analysis, ip: string | null): boolean {
  if (parseIp(ip) === null) return false;
  if (analysis.flow.sourceIp !== null) return sameIp(analysis.flow.sourceIp, ip);
  return anyPrefixContains(analysis.flow.sourcePrefixes, ip);
}

/** True when the address is the question's destination. */
export function isDestination(analysis: Analysis, ip: string | null): boolean {
  return analysis.flow.destinationIp !== null && sameIp(analysis.flow.destinationIp, ip);
}

/** True when an instant falls in the question's window. */
export function inWindow(analysis: Analysis, time: string | null): boolean {
  if (time === null) return false;
  const instant = Date.parse(time);
  return !Number.isNaN(instant) && instant >= analysis.flow.windowStartInMs && instant <= analysis.flow.windowEndInMs;
}

/** True when a span overlaps the question's window. */
export function overlapsWindow(analysis: Analysis, start: string | null, end: string | null): boolean {
  const from = start === null ? Number.NaN : Date.parse(start);
  const to = end === null ? from : Date.parse(end);
  if (Number.isNaN(from) || Number.isNaN(to)) return false;
  return from <= analysis.flow.windowEndInMs && to >= analysis.flow.windowStartInMs;
}

/** The name matches the question's destination name (case and trailing dot ignored). */
export function isDestinationName(analysis: Analysis, name: string | null): boolean {
  return name !== null && analysis.flow.destinationName !== null && name.toLowerCase().replace(/\.$/, '') === analysis.flow.destinationName;
}

/**
 * Firewall log rows about the flow in the window, in the direction asked (client to server):
 * source and destination addresses whole, the port, the protocol; application rows (which
 * have no destination address) by FQDN.
 */
export function firewallRowsForFlow(analysis: Analysis, kinds: readonly EvidenceOf<'firewall-log'>['data']['kind'][]): EvidenceOf<'firewall-log'>[] {
  return evidenceOf(analysis.input, 'firewall-log').filter(({ data }) => kinds.includes(data.kind)
    && inWindow(analysis, data.time)
    && isSource(analysis, data.sourceIp)
    && (analysis.flow.port === null || data.destinationPort === null || data.destinationPort === analysis.flow.port)
    && (data.kind === 'application' ? isDestinationName(analysis, data.fqdn) || (data.destinationIp !== null && isDestination(analysis, data.destinationIp))
      : isDestination(analysis, data.destinationIp) || (data.destinationIp === null && isDestinationName(analysis, data.fqdn)))
    && (data.kind === 'application' || loggedProtocolMatches(data.protocol, analysis.flow.protocol)));
}

/** Flow-log (Traffic Analytics) rows about the flow whose interval overlaps the window. */
export function flowRowsForFlow(analysis: Analysis): EvidenceOf<'flow-log'>[] {
  return evidenceOf(analysis.input, 'flow-log').filter(({ data }) => overlapsWindow(analysis, data.flowStart ?? data.intervalStart, data.flowEnd ?? data.intervalEnd)
    && isSource(analysis, data.sourceIp) && isDestination(analysis, data.destinationIp)
    && (analysis.flow.port === null || data.destinationPort === null || data.destinationPort === analysis.flow.port)
    && (analysis.flow.protocol === 'any' || data.protocol === 'other' || data.protocol === analysis.flow.protocol));
}

/** The five-tuple of the question, forward (client to server). */
export function forwardTuple(analysis: Analysis): FlowTuple | null {
  const sourceIp = analysis.flow.sourceIp ?? representativeAddress(analysis.flow.sourcePrefixes);
  if (sourceIp === null || analysis.flow.destinationIp === null) return null;
  return { sourceIp, sourcePort: null, destinationIp: analysis.flow.destinationIp, destinationPort: analysis.flow.port, protocol: analysis.flow.protocol, fqdn: analysis.flow.destinationName };
}

/** Evidence ids of `resource` items about any of these resources (or their sub-resources), plus the topology evidence. */
export function citeResources(analysis: Analysis, resourceIds: readonly (string | null)[]): string[] {
  const wanted = resourceIds.filter((id): id is string => id !== null).map((id) => id.toLowerCase());
  const resources = evidenceOf(analysis.input, 'resource')
    .filter((item) => wanted.some((id) => id === item.data.resourceId.toLowerCase() || id.startsWith(`${item.data.resourceId.toLowerCase()}/`)))
    .map((item) => item.id);
  return unique([...resources, ...analysis.topologyEvidence]);
}

/** Removes duplicates, keeping the first occurrence. */
export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/** What a log source records: firewall decisions, Traffic Analytics flows, Key Vault audit events, or something else. */
export type LogSourceKind = 'firewall' | 'flow' | 'vault' | 'other';

/** The kind of a log source, from its table name. */
export function logSourceKind(name: string): LogSourceKind {
  if (/^azfw|azurefirewall|azurediagnostics/i.test(name)) return 'firewall';
  if (/ntanetanalytics|azurenetworkanalytics|flowlog/i.test(name)) return 'flow';
  if (/^azkv|keyvault/i.test(name)) return 'vault';
  return 'other';
}

/** True when an enabled flow log with Traffic Analytics covers the endpoint (its NIC, subnet, VNet, or for NSG flow logs its NSGs). */
export function flowLoggedWithAnalytics(analysis: Analysis, location: Location): boolean {
  if (location.kind !== 'azure') return false;
  const targets = [location.vnet.id, location.subnet.id, location.nic?.id ?? null, location.subnet.networkSecurityGroupId, location.nic?.networkSecurityGroupId ?? null];
  return analysis.input.topology.flowLogs.some((log) => log.enabled && log.trafficAnalytics?.enabled === true
    && targets.some((id) => id !== null && sameResourceId(log.targetResourceId, id)));
}

/**
 * True when a log source could record this flow at all: firewall logs when a firewall is on the
 * forward or return path (or no path could be walked), Traffic Analytics when flow logs cover an
 * endpoint, Key Vault audit logs when the destination is a vault. A source that could never see
 * the flow says nothing about it, late or not.
 */
export function sourceCouldRecord(analysis: Analysis, name: string): boolean {
  switch (logSourceKind(name)) {
    case 'firewall': {
      if (analysis.forward === null) return analysis.input.topology.firewalls.length > 0;
      return [...analysis.forward.hops, ...analysis.reverse?.hops ?? []].some((hop) => hop.kind === 'firewall');
    }
    case 'flow':
      return flowLoggedWithAnalytics(analysis, analysis.source) || flowLoggedWithAnalytics(analysis, analysis.destination);
    case 'vault': {
      const destinationId = analysis.input.question.destination.resourceId;
      return analysis.input.topology.keyVaults.some((vault) => sameResourceId(vault.id, destinationId) || isDestinationName(analysis, vault.hostName));
    }
    default:
      return true;
  }
}
