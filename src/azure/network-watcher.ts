/**
 * Network Watcher and NIC diagnostics through @azure/arm-network v39 -> next-hop,
 * ip-flow-verify, connectivity-check, effective-routes, effective-security-rules and
 * gateway-connection evidence. Each evidence's `query` is the REST call as a person
 * would rerun it (`az rest --method post --url ... --body ...`).
 */
import type {
  ConnectivityInformation, ConnectivityParameters, EffectiveNetworkSecurityGroup, EffectiveRoute as AzureEffectiveRoute,
  GatewayRoute, NetworkManagementClient, NextHopParameters, NextHopResult, VerificationIPFlowParameters,
  VerificationIPFlowResult, VirtualNetworkGatewayConnection, BgpPeerStatus,
} from '@azure/arm-network';
import type { EffectiveRoute, EffectiveSecurityRule } from '../domain/index.js';
import { gapFromError, withDeadline } from './errors.js';
import { parseResourceId } from './resource-ids.js';
import { type EvidenceDraftOf, type SourceResult, failure, success } from './result.js';

/** The api-version @azure/arm-network 39 sends. */
export const NETWORK_API_VERSION = '2026-01-01';

type Client = NetworkManagementClient;
/** The Network Watcher operations the adapters use. */
export type NetworkWatcherOperations = Pick<Client['networkWatchers'], 'getNextHop' | 'verifyIPFlow' | 'checkConnectivity' | 'getNetworkConfigurationDiagnostic'>;
/** The NIC operations the adapters use. */
export type NetworkInterfaceOperations = Pick<Client['networkInterfaces'], 'getEffectiveRouteTable' | 'listEffectiveNetworkSecurityGroups'>;
/** The gateway operations the adapters use. */
export type GatewayOperations = {
  virtualNetworkGatewayConnections: Pick<Client['virtualNetworkGatewayConnections'], 'get'>;
  virtualNetworkGateways: Pick<Client['virtualNetworkGateways'], 'getBgpPeerStatus' | 'getLearnedRoutes'>;
};

/** Per-call limits. */
export interface CallOptions {
  timeoutInMs: number;
  /** Polling interval of long-running operations (202 + Location). */
  updateIntervalInMs?: number;
  abortSignal?: AbortSignal;
}

/** The REST call behind an SDK operation, rerunnable with `az rest`. */
export function restCall(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): string {
  const url = `${path}?api-version=${NETWORK_API_VERSION}`;
  return body === undefined ? `${method} ${url}` : `${method} ${url} ${JSON.stringify(body)}`;
}

/** A Network Watcher's ARM path parts, or a thrown Error for an id that is not one (a bug of the caller). */
function watcherParts(networkWatcherId: string): { subscriptionId: string; resourceGroup: string; name: string; path: string } {
  const parts = parseResourceId(networkWatcherId);
  if (parts === null || parts.type.toLowerCase() !== 'networkwatchers') throw new Error(`not a Network Watcher id: ${networkWatcherId}`);
  return { subscriptionId: parts.subscriptionId, resourceGroup: parts.resourceGroup, name: parts.name, path: networkWatcherId };
}

async function call<T>(source: string, options: CallOptions, run: (signal: AbortSignal) => Promise<T>): Promise<SourceResult<T>> {
  try {
    return success(await withDeadline(options.timeoutInMs, run, options.abortSignal));
  } catch (error) {
    return failure(gapFromError(source, error));
  }
}

/* ------------------------------------------------------------------ next hop */

/** next-hop evidence from a request and its answer (pure). */
export function nextHopEvidence(request: NextHopParameters, result: NextHopResult, query: string): EvidenceDraftOf<'next-hop'> {
  const data = {
    sourceIp: request.sourceIPAddress, destinationIp: request.destinationIPAddress, networkInterfaceId: request.targetNicResourceId ?? null,
    nextHopType: result.nextHopType ?? 'None', nextHopIpAddress: result.nextHopIpAddress || null,
    routeTableId: result.routeTableId || null,
  };
  const via = data.nextHopIpAddress ? ` ${data.nextHopIpAddress}` : '';
  return { kind: 'next-hop', source: 'nextHop', query, summary: `next hop from ${data.sourceIp} to ${data.destinationIp}: ${data.nextHopType}${via} (${data.routeTableId ?? 'no route table'})`, data };
}

/** Next hop of a flow from a VM (and NIC) as Network Watcher computes it. */
export async function getNextHop(client: { networkWatchers: Pick<NetworkWatcherOperations, 'getNextHop'> }, networkWatcherId: string, request: NextHopParameters, options: CallOptions): Promise<SourceResult<EvidenceDraftOf<'next-hop'>>> {
  const watcher = watcherParts(networkWatcherId);
  const query = restCall('POST', `${watcher.path}/nextHop`, request);
  const result = await call('nextHop', options, (abortSignal) => client.networkWatchers.getNextHop(watcher.resourceGroup, watcher.name, request, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
  return result.ok ? success(nextHopEvidence(request, result.value, query)) : result;
}

/* ------------------------------------------------------------ IP flow verify */

/** ip-flow-verify evidence (pure). */
export function ipFlowVerifyEvidence(request: VerificationIPFlowParameters, result: VerificationIPFlowResult, query: string): EvidenceDraftOf<'ip-flow-verify'> {
  const data = {
    direction: request.direction === 'Outbound' ? 'Outbound' as const : 'Inbound' as const, protocol: request.protocol, localIp: request.localIPAddress, localPort: request.localPort,
    remoteIp: request.remoteIPAddress, remotePort: request.remotePort, access: result.access === 'Allow' ? 'Allow' as const : 'Deny' as const,
    ruleName: result.ruleName || null,
  };
  return { kind: 'ip-flow-verify', source: 'ipFlowVerify', query, summary: `IP flow verify ${data.direction} ${data.protocol} local ${data.localIp}:${data.localPort} remote ${data.remoteIp}:${data.remotePort}: ${data.access} by ${data.ruleName ?? '?'}`, data };
}

/** Whether the NSGs let a packet in or out of a VM (IP flow verify). */
export async function verifyIpFlow(client: { networkWatchers: Pick<NetworkWatcherOperations, 'verifyIPFlow'> }, networkWatcherId: string, request: VerificationIPFlowParameters, options: CallOptions): Promise<SourceResult<EvidenceDraftOf<'ip-flow-verify'>>> {
  const watcher = watcherParts(networkWatcherId);
  const query = restCall('POST', `${watcher.path}/ipFlowVerify`, request);
  const result = await call('ipFlowVerify', options, (abortSignal) => client.networkWatchers.verifyIPFlow(watcher.resourceGroup, watcher.name, request, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
  return result.ok ? success(ipFlowVerifyEvidence(request, result.value, query)) : result;
}

/* -------------------------------------------------------- connectivity check */

/** connectivity-check evidence (pure). */
export function connectivityEvidence(request: ConnectivityParameters, result: ConnectivityInformation, query: string): EvidenceDraftOf<'connectivity-check'> {
  const hops = (result.hops ?? []).map((hop) => ({
    type: hop.type ?? 'Unknown', address: hop.address ?? null, resourceId: hop.resourceId ?? null,
    issues: (hop.issues ?? []).map((issue) => ({ type: issue.type ?? 'Unknown', severity: issue.severity ?? 'Error', origin: issue.origin ?? null })),
  }));
  const data = {
    connectionStatus: result.connectionStatus ?? 'Unknown', protocol: request.protocol ?? 'Tcp',
    probesSent: result.probesSent ?? null, probesFailed: result.probesFailed ?? null, hops,
  };
  const issues = hops.flatMap((hop) => hop.issues.map((issue) => `${issue.type} at ${hop.type}`));
  const destination = request.destination.address ?? request.destination.resourceId ?? '?';
  return {
    kind: 'connectivity-check', source: 'connectivityCheck', query,
    summary: `connectivity check to ${destination}:${request.destination.port ?? ''}: ${data.connectionStatus}, ${data.probesFailed ?? '?'}/${data.probesSent ?? '?'} probes failed, ${hops.length} hops${issues.length ? `; issues: ${issues.join(', ')}` : ''}`,
    data,
  };
}

/** A Network Watcher connection troubleshoot from a VM. */
export async function checkConnectivity(client: { networkWatchers: Pick<NetworkWatcherOperations, 'checkConnectivity'> }, networkWatcherId: string, request: ConnectivityParameters, options: CallOptions): Promise<SourceResult<EvidenceDraftOf<'connectivity-check'>>> {
  const watcher = watcherParts(networkWatcherId);
  const query = restCall('POST', `${watcher.path}/connectivityCheck`, request);
  const result = await call('connectivityCheck', options, (abortSignal) => client.networkWatchers.checkConnectivity(watcher.resourceGroup, watcher.name, request, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
  return result.ok ? success(connectivityEvidence(request, result.value, query)) : result;
}

/* ---------------------------------------------------------- effective routes */

/** The SDK's effective routes as the domain's (pure). */
export function effectiveRoutesOf(routes: readonly AzureEffectiveRoute[]): EffectiveRoute[] {
  return routes.map((route) => ({
    addressPrefixes: route.addressPrefix ?? [], nextHopType: route.nextHopType ?? 'None', nextHopIpAddresses: route.nextHopIpAddress ?? [],
    source: route.source ?? 'Unknown', state: route.state ?? 'Active', name: route.name ?? null,
  }));
}

/** effective-routes evidence (pure). */
export function effectiveRoutesEvidence(networkInterfaceId: string, routes: readonly AzureEffectiveRoute[], query: string): EvidenceDraftOf<'effective-routes'> {
  const data = { networkInterfaceId, routes: effectiveRoutesOf(routes) };
  const active = data.routes.filter((route) => route.state === 'Active');
  const user = active.filter((route) => route.source === 'User').map((route) => `${route.addressPrefixes.join(',')} -> ${route.nextHopType}${route.nextHopIpAddresses.length ? ` ${route.nextHopIpAddresses.join(',')}` : ''}`);
  return {
    kind: 'effective-routes', source: 'effectiveRoutes', query,
    summary: `effective routes of ${networkInterfaceId.split('/').pop()}: ${data.routes.length} routes, ${active.length} active${user.length ? `; user routes ${user.join('; ')}` : ''}`,
    data,
  };
}

function nicParts(networkInterfaceId: string): { resourceGroup: string; name: string } {
  const parts = parseResourceId(networkInterfaceId);
  if (parts === null || parts.type.toLowerCase() !== 'networkinterfaces') throw new Error(`not a network interface id: ${networkInterfaceId}`);
  return { resourceGroup: parts.resourceGroup, name: parts.name };
}

/** The effective route table of a NIC (there is none for a subnet without NICs, e.g. the GatewaySubnet). */
export async function getEffectiveRoutes(client: { networkInterfaces: Pick<NetworkInterfaceOperations, 'getEffectiveRouteTable'> }, networkInterfaceId: string, options: CallOptions): Promise<SourceResult<EvidenceDraftOf<'effective-routes'>>> {
  const nic = nicParts(networkInterfaceId);
  const query = restCall('POST', `${networkInterfaceId}/effectiveRouteTable`);
  const result = await call('effectiveRoutes', options, (abortSignal) => client.networkInterfaces.getEffectiveRouteTable(nic.resourceGroup, nic.name, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
  return result.ok ? success(effectiveRoutesEvidence(networkInterfaceId, result.value.value ?? [], query)) : result;
}

/* ------------------------------------------------- effective security rules */

function nonEmpty(values: readonly string[] | undefined): string[] | null {
  return values !== undefined && values.length > 0 ? [...values] : null;
}

/** The SDK's effective NSGs flattened into rules, subnet NSG first then NIC NSG, each by priority (pure). */
export function effectiveSecurityRulesOf(groups: readonly EffectiveNetworkSecurityGroup[]): EffectiveSecurityRule[] {
  const rules: EffectiveSecurityRule[] = [];
  for (const group of groups) {
    const appliedTo = group.association?.subnet?.id ? 'subnet' as const : 'networkInterface' as const;
    for (const rule of group.effectiveSecurityRules ?? []) {
      rules.push({
        networkSecurityGroupId: group.networkSecurityGroup?.id ?? null,
        appliedTo,
        name: rule.name ?? '',
        priority: rule.priority ?? 65500,
        direction: rule.direction === 'Outbound' ? 'Outbound' : 'Inbound',
        access: rule.access === 'Allow' ? 'Allow' : 'Deny',
        protocol: rule.protocol ?? 'All',
        // Service tags and "VirtualNetwork" come expanded into prefixes; prefer those.
        sourcePrefixes: nonEmpty(rule.expandedSourceAddressPrefix) ?? nonEmpty(rule.sourceAddressPrefixes) ?? (rule.sourceAddressPrefix ? [rule.sourceAddressPrefix] : []),
        sourcePortRanges: nonEmpty(rule.sourcePortRanges) ?? (rule.sourcePortRange ? [rule.sourcePortRange] : []),
        destinationPrefixes: nonEmpty(rule.expandedDestinationAddressPrefix) ?? nonEmpty(rule.destinationAddressPrefixes) ?? (rule.destinationAddressPrefix ? [rule.destinationAddressPrefix] : []),
        destinationPortRanges: nonEmpty(rule.destinationPortRanges) ?? (rule.destinationPortRange ? [rule.destinationPortRange] : []),
      });
    }
  }
  const rank = (rule: EffectiveSecurityRule): number => (rule.appliedTo === 'subnet' ? 0 : 1);
  return rules.sort((left, right) => rank(left) - rank(right) || left.direction.localeCompare(right.direction) || left.priority - right.priority || left.name.localeCompare(right.name));
}

/** effective-security-rules evidence (pure). */
export function effectiveSecurityRulesEvidence(networkInterfaceId: string, groups: readonly EffectiveNetworkSecurityGroup[], query: string): EvidenceDraftOf<'effective-security-rules'> {
  const rules = effectiveSecurityRulesOf(groups);
  const nsgs = [...new Set(rules.map((rule) => `${rule.networkSecurityGroupId?.split('/').pop() ?? '?'} (${rule.appliedTo})`))];
  return {
    kind: 'effective-security-rules', source: 'effectiveSecurityRules', query,
    summary: `effective security rules of ${networkInterfaceId.split('/').pop()}: ${rules.length} rules from ${nsgs.join(', ') || 'no NSG'}`,
    data: { networkInterfaceId, rules },
  };
}

/** The effective NSG rules of a NIC (subnet and NIC NSGs). */
export async function getEffectiveSecurityRules(client: { networkInterfaces: Pick<NetworkInterfaceOperations, 'listEffectiveNetworkSecurityGroups'> }, networkInterfaceId: string, options: CallOptions): Promise<SourceResult<EvidenceDraftOf<'effective-security-rules'>>> {
  const nic = nicParts(networkInterfaceId);
  const query = restCall('POST', `${networkInterfaceId}/effectiveNetworkSecurityGroups`);
  const result = await call('effectiveSecurityRules', options, (abortSignal) => client.networkInterfaces.listEffectiveNetworkSecurityGroups(nic.resourceGroup, nic.name, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
  return result.ok ? success(effectiveSecurityRulesEvidence(networkInterfaceId, result.value.value ?? [], query)) : result;
}

/* ------------------------------------------------------ gateway connections */

/** gateway-connection evidence from the connection and, when read, learned routes and BGP peers (pure). */
export function gatewayConnectionEvidence(
  connection: VirtualNetworkGatewayConnection, learned: readonly GatewayRoute[] | null, peers: readonly BgpPeerStatus[] | null, query: string,
): EvidenceDraftOf<'gateway-connection'> {
  const data = {
    connectionId: connection.id ?? '', name: connection.name ?? '', connectionStatus: connection.connectionStatus ?? 'Unknown',
    ingressBytes: connection.ingressBytesTransferred ?? null, egressBytes: connection.egressBytesTransferred ?? null,
    learnedPrefixes: [...new Set((learned ?? []).map((route) => route.network).filter((network): network is string => Boolean(network)))].sort(),
    bgpPeersConnected: peers === null ? null : peers.filter((peer) => peer.state === 'Connected').length,
  };
  const tunnels = (connection.tunnelConnectionStatus ?? []).map((tunnel) => `${tunnel.tunnel ?? '?'} ${tunnel.connectionStatus ?? '?'}${tunnel.lastConnectionEstablishedUtcTime ? ` since ${tunnel.lastConnectionEstablishedUtcTime}` : ''}`);
  return {
    kind: 'gateway-connection', source: 'virtualNetworkGatewayConnections', query,
    summary: `connection ${data.name}: ${data.connectionStatus}${tunnels.length ? ` (${tunnels.join('; ')})` : ''}, ${data.learnedPrefixes.length} learned prefixes`,
    data,
  };
}

/**
 * A gateway connection, with the gateway's learned routes and BGP peers. Those two are
 * extras: when they fail the evidence still comes, with a warning.
 */
export async function getGatewayConnection(client: GatewayOperations, connectionId: string, options: CallOptions & { withRoutes?: boolean }): Promise<SourceResult<EvidenceDraftOf<'gateway-connection'>>> {
  const parts = parseResourceId(connectionId);
  if (parts === null) throw new Error(`not a connection id: ${connectionId}`);
  const query = restCall('GET', connectionId);
  const connection = await call('virtualNetworkGatewayConnections', options, (abortSignal) => client.virtualNetworkGatewayConnections.get(parts.resourceGroup, parts.name, { abortSignal }));
  if (!connection.ok) return connection;
  const warnings: string[] = [];
  let learned: GatewayRoute[] | null = null;
  let peers: BgpPeerStatus[] | null = null;
  const gatewayId = connection.value.virtualNetworkGateway1?.id;
  const gateway = gatewayId ? parseResourceId(gatewayId) : null;
  if ((options.withRoutes ?? true) && gateway !== null) {
    const routes = await call('getLearnedRoutes', options, (abortSignal) => client.virtualNetworkGateways.getLearnedRoutes(gateway.resourceGroup, gateway.name, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
    if (routes.ok) learned = routes.value.value ?? [];
    else warnings.push(`learned routes of ${gateway.name}: ${routes.gap.reason} (${routes.gap.detail})`);
    if (connection.value.enableBgp) {
      const status = await call('getBgpPeerStatus', options, (abortSignal) => client.virtualNetworkGateways.getBgpPeerStatus(gateway.resourceGroup, gateway.name, { abortSignal, updateIntervalInMs: options.updateIntervalInMs }));
      if (status.ok) peers = status.value.value ?? [];
      else warnings.push(`BGP peers of ${gateway.name}: ${status.gap.reason} (${status.gap.detail})`);
    }
  }
  return success(gatewayConnectionEvidence(connection.value, learned, peers, query), warnings);
}
