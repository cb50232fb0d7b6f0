/**
 * Azure Resource Graph: the estate's ARM bodies across the configured subscriptions
 * (paged with skipToken), the Topology built from them, and name/IP resolution with
 * closest matches for names that do not exist.
 */
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { Topology } from '../domain/index.js';
import { ipv4PrefixContains } from '../domain/net.js';
import { gapFromError, withDeadline } from './errors.js';
import { kqlStringList } from './kql/literals.js';
import { idKey } from './resource-ids.js';
import { type EvidenceDraftOf, type SourceResult, failure, success } from './result.js';
import { type ArmResource, TOPOLOGY_TYPES, buildTopology } from './topology.js';

/** The one method the adapters need of a ResourceGraphClient. */
export type ResourceGraphQueryClient = Pick<ResourceGraphClient, 'resources'>;

/** Limits of a Resource Graph read. */
export interface ResourceGraphOptions {
  timeoutInMs: number;
  /** Stop after this many pages (1000 rows each), with a warning. */
  maxPages?: number;
  abortSignal?: AbortSignal;
}

/**
 * The estate query: every resource type the topology reads. Types are constants, not user text.
 * https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources
 */
export function estateQuery(types: readonly string[] = TOPOLOGY_TYPES): string {
  return [
    'Resources',
    `| where type in~ ${kqlStringList(types)}`,
    '| project id, name, type, location, kind, sku, properties',
    '| order by id asc',
  ].join('\n');
}

/** Runs a Resource Graph query over the subscriptions, following skipToken. */
export async function queryResourceGraph(client: ResourceGraphQueryClient, subscriptions: readonly string[], query: string, options: ResourceGraphOptions): Promise<SourceResult<Record<string, unknown>[]>> {
  const rows: Record<string, unknown>[] = [];
  const warnings: string[] = [];
  const maxPages = options.maxPages ?? 50;
  try {
    await withDeadline(options.timeoutInMs, async (abortSignal) => {
      let skipToken: string | undefined;
      for (let page = 0; ; page += 1) {
        if (page >= maxPages) {
          warnings.push(`Resource Graph: stopped after ${maxPages} pages; the estate is larger`);
          break;
        }
        const response = await client.resources(
          { subscriptions: [...subscriptions], query, options: { resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) } },
          { abortSignal },
        );
        const data: unknown = response.data;
        if (Array.isArray(data)) rows.push(...(data as Record<string, unknown>[]));
        skipToken = response.skipToken ?? undefined;
        if (!skipToken) break;
      }
    }, options.abortSignal);
  } catch (error) {
    return failure(gapFromError('Azure Resource Graph', error));
  }
  return success(rows, warnings);
}

/** Resource Graph rows as ARM bodies (pure): rows without an id or a type are dropped. */
export function armResourcesOf(rows: readonly Record<string, unknown>[]): ArmResource[] {
  return rows.filter((row) => typeof row.id === 'string' && typeof row.type === 'string') as ArmResource[];
}

/** The estate: ARM bodies and the Topology built from them. */
export interface Estate {
  resources: ArmResource[];
  topology: Topology;
}

/** Reads the estate through Resource Graph and builds its topology. */
export async function loadEstate(client: ResourceGraphQueryClient, subscriptions: readonly string[], options: ResourceGraphOptions): Promise<SourceResult<Estate>> {
  const result = await queryResourceGraph(client, subscriptions, estateQuery(), options);
  if (!result.ok) return result;
  const resources = armResourcesOf(result.value);
  return success({ resources, topology: buildTopology(resources) }, result.warnings ?? []);
}

/** topology evidence (pure). */
export function topologyEvidence(topology: Topology, subscriptions: readonly string[]): EvidenceDraftOf<'topology'> {
  return {
    kind: 'topology', source: 'Azure Resource Graph',
    query: `POST /providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01 ${JSON.stringify({ subscriptions, query: estateQuery() })}`,
    summary: `topology: ${topology.virtualNetworks.length} VNets, ${topology.networkInterfaces.length} NICs, ${topology.virtualMachines.length} VMs, ${topology.firewalls.length} firewalls, ${topology.gateways.length} gateways, ${topology.flowLogs.length} flow logs`,
    data: topology,
  };
}

/** resource evidence for configuration a rule cites (pure). `fields` picks properties to keep (all when omitted). */
export function resourceEvidence(resource: ArmResource, fields?: readonly string[]): EvidenceDraftOf<'resource'> {
  const properties = resource.properties ?? {};
  const kept = fields === undefined ? properties : Object.fromEntries(fields.filter((field) => field in properties).map((field) => [field, properties[field]]));
  return {
    kind: 'resource', source: 'Azure Resource Manager', query: `GET ${resource.id}`,
    summary: `${resource.type} ${resource.name ?? resource.id.split('/').pop()}${fields ? `: ${fields.join(', ')}` : ''}`,
    data: { resourceId: resource.id, type: resource.type, name: resource.name ?? resource.id.split('/').pop() ?? '', properties: kept },
  };
}

/* ---------------------------------------------------------- resolution */

/** Where a name or an address lives. */
export interface ResolvedEndpoint {
  /** What was asked (a name or an address). */
  query: string;
  resourceId: string | null;
  type: string | null;
  name: string | null;
  networkInterfaceId: string | null;
  subnetId: string | null;
  virtualNetworkId: string | null;
  privateIpAddresses: string[];
  /** For an address outside Azure: the gateway connection whose remote prefixes hold it. */
  remoteConnectionId: string | null;
}

/** The answer of a lookup: what was found, and for each unknown name its closest matches. */
export interface ResourceLookup {
  found: ResolvedEndpoint[];
  unknown: { query: string; candidates: string[] }[];
}

/** True when an IPv4 address is inside an IPv4 prefix. */
function ipv4InPrefix(ip: string, prefix: string): boolean {
  return ipv4PrefixContains(prefix, ip) === true;
}

function levenshtein(left: string, right: string): number {
  const previous = Array.from({ length: right.length + 1 }, (_unused, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= right.length; j += 1) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (left[i - 1] === right[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[right.length] ?? 0;
}

/** The closest names to an unknown one: substring matches first, then by edit distance (pure). */
export function closestNames(query: string, names: readonly string[], limit = 5): string[] {
  const wanted = query.toLowerCase();
  const scored = [...new Set(names)].map((name) => {
    const candidate = name.toLowerCase();
    const contains = candidate.includes(wanted) || wanted.includes(candidate);
    return { name, score: contains ? 0 : levenshtein(wanted, candidate) };
  });
  const threshold = Math.max(3, Math.floor(wanted.length / 3));
  return scored.filter((entry) => entry.score <= threshold)
    .sort((left, right) => left.score - right.score || left.name.localeCompare(right.name))
    .slice(0, limit).map((entry) => entry.name);
}

function endpointForNic(topology: Topology, query: string, nicId: string, resource: ArmResource | null): ResolvedEndpoint | null {
  const nic = topology.networkInterfaces.find((candidate) => idKey(candidate.id) === idKey(nicId));
  if (!nic) return null;
  const subnetId = nic.subnetId || null;
  return {
    query, resourceId: resource?.id ?? nic.attachedToId ?? nic.id, type: resource?.type ?? null, name: resource?.name ?? null,
    networkInterfaceId: nic.id, subnetId, virtualNetworkId: subnetId ? subnetId.split('/').slice(0, -2).join('/') : null,
    privateIpAddresses: nic.privateIpAddresses, remoteConnectionId: null,
  };
}

function bare(query: string, resource: ArmResource | null): ResolvedEndpoint {
  return {
    query, resourceId: resource?.id ?? null, type: resource?.type ?? null, name: resource?.name ?? null,
    networkInterfaceId: null, subnetId: null, virtualNetworkId: null, privateIpAddresses: [], remoteConnectionId: null,
  };
}

function resolveName(estate: Estate, query: string): ResolvedEndpoint | null {
  const wanted = query.toLowerCase().replace(/\.$/, '');
  const { topology } = estate;
  const resource = estate.resources.find((candidate) => (candidate.name ?? '').toLowerCase() === wanted)
    ?? (() => {
      const vault = topology.keyVaults.find((candidate) => candidate.hostName.toLowerCase() === wanted);
      const site = topology.webApps.find((candidate) => candidate.hostNames.some((host) => host.toLowerCase() === wanted));
      const id = vault?.id ?? site?.id;
      return id ? estate.resources.find((candidate) => idKey(candidate.id) === idKey(id)) : undefined;
    })();
  if (!resource) return null;
  const type = resource.type.toLowerCase();
  if (type === 'microsoft.compute/virtualmachines') {
    const vm = topology.virtualMachines.find((candidate) => idKey(candidate.id) === idKey(resource.id));
    const nicId = vm?.networkInterfaceIds[0];
    return (nicId && endpointForNic(topology, query, nicId, resource)) || bare(query, resource);
  }
  if (type === 'microsoft.network/networkinterfaces') return endpointForNic(topology, query, resource.id, resource) ?? bare(query, resource);
  if (type === 'microsoft.network/privateendpoints') {
    const endpoint = topology.privateEndpoints.find((candidate) => idKey(candidate.id) === idKey(resource.id));
    return { ...bare(query, resource), subnetId: endpoint?.subnetId ?? null, virtualNetworkId: endpoint?.subnetId.split('/').slice(0, -2).join('/') ?? null, privateIpAddresses: endpoint?.privateIpAddresses ?? [] };
  }
  if (type === 'microsoft.keyvault/vaults' || type === 'microsoft.web/sites' || type === 'microsoft.storage/storageaccounts') {
    // A PaaS resource is reached through its private endpoint when it has one.
    const endpoint = topology.privateEndpoints.find((candidate) => candidate.targetResourceId !== null && idKey(candidate.targetResourceId) === idKey(resource.id));
    const site = topology.webApps.find((candidate) => idKey(candidate.id) === idKey(resource.id));
    const subnetId = endpoint?.subnetId ?? site?.virtualNetworkSubnetId ?? null;
    return { ...bare(query, resource), subnetId, virtualNetworkId: subnetId ? subnetId.split('/').slice(0, -2).join('/') : null, privateIpAddresses: endpoint?.privateIpAddresses ?? [] };
  }
  if (type === 'microsoft.network/azurefirewalls') {
    const firewall = topology.firewalls.find((candidate) => idKey(candidate.id) === idKey(resource.id));
    return { ...bare(query, resource), subnetId: firewall?.subnetId ?? null, virtualNetworkId: firewall?.subnetId?.split('/').slice(0, -2).join('/') ?? null, privateIpAddresses: firewall?.privateIpAddress ? [firewall.privateIpAddress] : [] };
  }
  return bare(query, resource);
}

function resolveIp(estate: Estate, ip: string): ResolvedEndpoint {
  const { topology } = estate;
  const nic = topology.networkInterfaces.find((candidate) => candidate.privateIpAddresses.includes(ip) || candidate.publicIpAddresses.includes(ip));
  if (nic) {
    const owner = nic.attachedToId ? estate.resources.find((candidate) => idKey(candidate.id) === idKey(nic.attachedToId ?? '')) ?? null : null;
    const resolved = endpointForNic(topology, ip, nic.id, owner);
    if (resolved) return resolved;
  }
  const endpoint = topology.privateEndpoints.find((candidate) => candidate.privateIpAddresses.includes(ip));
  if (endpoint) return resolveName(estate, endpoint.name) ?? bare(ip, null);
  const firewall = topology.firewalls.find((candidate) => candidate.privateIpAddress === ip || candidate.publicIpAddresses.includes(ip));
  if (firewall) return { ...(resolveName(estate, firewall.name) ?? bare(ip, null)), query: ip };
  for (const network of topology.virtualNetworks) {
    const subnet = network.subnets.find((candidate) => candidate.addressPrefixes.some((prefix) => ipv4InPrefix(ip, prefix)));
    if (subnet) return { ...bare(ip, null), subnetId: subnet.id, virtualNetworkId: network.id };
    if (network.addressPrefixes.some((prefix) => ipv4InPrefix(ip, prefix))) return { ...bare(ip, null), virtualNetworkId: network.id };
  }
  const connection = topology.connections.find((candidate) => candidate.remotePrefixes.some((prefix) => ipv4InPrefix(ip, prefix)));
  return { ...bare(ip, null), remoteConnectionId: connection?.id ?? null };
}

/** Resolves names and addresses against the estate (pure); unknown names come back with their closest matches. */
export function findInEstate(estate: Estate, names: readonly string[], ips: readonly string[]): ResourceLookup {
  const found: ResolvedEndpoint[] = [];
  const unknown: ResourceLookup['unknown'] = [];
  const allNames = estate.resources.map((resource) => resource.name ?? '').filter(Boolean);
  for (const name of names) {
    const resolved = resolveName(estate, name);
    if (resolved) found.push(resolved);
    else unknown.push({ query: name, candidates: closestNames(name, allNames) });
  }
  for (const ip of ips) found.push(resolveIp(estate, ip));
  return { found, unknown };
}
