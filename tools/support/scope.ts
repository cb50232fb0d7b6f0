/**
 * The user's access scope applied to the estate and to every evidence source:
 * resources of subscriptions outside the scope do not exist for this user, and
 * log rows that name such a resource are left out. Tools and the diagnosis run
 * over these scoped sources, so the model never sees what the user may not.
 */
import type { Gap, Topology } from '../../src/domain/index.js';
import type { EvidenceDraft, EvidenceSources, SourceOutcome, TopologyOutcome } from '../../src/diagnose/ports.js';
import type { AccessScope } from './tool.js';

/** The subscription id of an ARM resource id, lower case, or null when it names none. */
export function subscriptionOf(resourceId: string | null | undefined): string | null {
  if (!resourceId) return null;
  const match = /^\/subscriptions\/([^/]+)/iu.exec(resourceId.trim());
  return match?.[1]?.toLowerCase() ?? null;
}

/** True when the scope allows the resource id (ids naming no subscription are judged elsewhere). */
export function inScope(scope: AccessScope, resourceId: string | null | undefined): boolean {
  const subscription = subscriptionOf(resourceId);
  if (subscription === null) return false;
  return scope.subscriptionIds.some((allowed) => allowed.toLowerCase() === subscription);
}

/** True unless the value names a resource outside the scope (null and non-ARM values pass). */
function allowedReference(scope: AccessScope, value: string | null | undefined): boolean {
  return subscriptionOf(value) === null || inScope(scope, value);
}

/** The topology restricted to the scope. */
export function scopeTopology(topology: Topology, scope: AccessScope): Topology {
  const keep = <T extends { id: string }>(items: readonly T[]) => items.filter((item) => inScope(scope, item.id));
  return {
    virtualNetworks: keep(topology.virtualNetworks),
    routeTables: keep(topology.routeTables),
    networkSecurityGroups: keep(topology.networkSecurityGroups),
    networkInterfaces: keep(topology.networkInterfaces),
    virtualMachines: keep(topology.virtualMachines),
    firewalls: keep(topology.firewalls),
    gateways: keep(topology.gateways),
    connections: keep(topology.connections),
    privateEndpoints: keep(topology.privateEndpoints),
    privateDnsZones: keep(topology.privateDnsZones),
    keyVaults: keep(topology.keyVaults),
    webApps: keep(topology.webApps),
    flowLogs: keep(topology.flowLogs),
    diagnosticSettings: keep(topology.diagnosticSettings),
    networkWatchers: keep(topology.networkWatchers),
  };
}

/** Resource ids an evidence draft names; a draft naming one outside the scope is dropped. */
function referencesOf(draft: EvidenceDraft): Array<string | null> {
  switch (draft.kind) {
    case 'firewall-log': return [draft.data.firewallId];
    case 'flow-log': return [draft.data.targetResourceId];
    case 'keyvault-log': return [draft.data.vaultId];
    case 'gateway-log': return [draft.data.gatewayId];
    case 'next-hop': return [draft.data.networkInterfaceId, draft.data.routeTableId];
    case 'effective-routes':
    case 'effective-security-rules': return [draft.data.networkInterfaceId];
    case 'gateway-connection': return [draft.data.connectionId];
    case 'capture': return [draft.data.targetId];
    case 'resource': return [draft.data.resourceId];
    case 'connectivity-check': return draft.data.hops.map((hop) => hop.resourceId);
    default: return [];
  }
}

function filterOutcome<T extends SourceOutcome>(outcome: T, scope: AccessScope): T {
  return { ...outcome, evidence: outcome.evidence.filter((draft) => referencesOf(draft).every((reference) => allowedReference(scope, reference))) };
}

function outOfScope(source: string, what: string): SourceOutcome {
  return { evidence: [], gaps: [{ source, reason: 'not-found', detail: `${what} is not in the estate you may investigate` } satisfies Gap] };
}

/** Evidence sources that see only the scope: topology filtered, rows about other subscriptions dropped, other ids not found. */
export function scopeSources(sources: EvidenceSources, scope: AccessScope): EvidenceSources {
  const guard = (source: string, ids: ReadonlyArray<string>, call: () => Promise<SourceOutcome>): Promise<SourceOutcome> => {
    const outside = ids.find((id) => !inScope(scope, id));
    if (outside !== undefined) return Promise.resolve(outOfScope(source, 'the resource'));
    return call().then((outcome) => filterOutcome(outcome, scope));
  };
  return {
    async topology(signal): Promise<TopologyOutcome> {
      const outcome = await sources.topology(signal);
      const topology = outcome.topology ? scopeTopology(outcome.topology, scope) : null;
      const evidence = outcome.evidence
        .filter((draft) => referencesOf(draft).every((reference) => allowedReference(scope, reference)))
        .map((draft) => (draft.kind === 'topology' && topology ? { ...draft, data: topology } as EvidenceDraft : draft));
      return { ...outcome, topology, evidence };
    },
    firewallLogs: (flow, signal) => sources.firewallLogs(flow, signal).then((outcome) => filterOutcome(outcome, scope)),
    flowLogs: (flow, signal) => sources.flowLogs(flow, signal).then((outcome) => filterOutcome(outcome, scope)),
    freshness: (tables, signal) => sources.freshness(tables, signal),
    keyVaultLogs: (vaultId, flow, signal) => guard('AZKVAuditLogs', [vaultId], () => sources.keyVaultLogs(vaultId, flow, signal)),
    gateway: (gatewayId, flow, signal) => guard('virtualNetworkGateway', [gatewayId], () => sources.gateway(gatewayId, flow, signal)),
    nextHop: (vmId, nicId, sourceIp, destinationIp, signal) => guard('nextHop', [vmId, nicId], () => sources.nextHop(vmId, nicId, sourceIp, destinationIp, signal)),
    effectiveRoutes: (nicId, signal) => guard('effectiveRoutes', [nicId], () => sources.effectiveRoutes(nicId, signal)),
    effectiveSecurityRules: (nicId, signal) => guard('effectiveSecurityRules', [nicId], () => sources.effectiveSecurityRules(nicId, signal)),
    ipFlowVerify: (request, signal) => guard('ipFlowVerify', [request.vmId], () => sources.ipFlowVerify(request, signal)),
    connectivityCheck: (request, signal) => guard('connectivityCheck', [request.sourceVmId], () => sources.connectivityCheck(request, signal)),
    existingCaptures: (vmId, signal) => guard('packetCapture', [vmId], () => sources.existingCaptures(vmId, signal)),
  };
}

