/**
 * Azure Resource Graph: `POST /providers/Microsoft.ResourceGraph/resources` over a `Resources` table built from
 * the scenarios' resources, paged with `$skipToken` as ARG pages.
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/work-with-data
 */
import { createHash } from 'node:crypto';
import { armError, json, type LabResponse } from './http.js';
import { KqlError, runKql, type KqlResult, type KqlRow } from './kql/index.js';
import { RESOURCE_GRAPH_SCHEMAS } from './kql/schemas.js';
import type { LabState, ScenarioState } from './state.js';
import type { StoredResource } from './store.js';

/** The tenant the lab's resources belong to when a resource does not say. */
export const LAB_TENANT_ID = '00000000-0000-0000-0000-00000000a1ab';

/** ARG's largest page. */
const MAX_TOP = 1000;

/** Types that live in other ARG tables (or nowhere in ARG), not in `Resources`. */
function inResourcesTable(resource: StoredResource): boolean {
  const type = resource.type.toLowerCase();
  return (
    !resource.nested &&
    !type.startsWith('microsoft.authorization/') &&
    type !== 'microsoft.insights/diagnosticsettings' &&
    type !== 'microsoft.network/firewallpolicies/rulecollectiongroups'
  );
}

/** One `Resources` row: ARG lowercases `type` and derives `resourceGroup` and `subscriptionId` from the id. */
export function resourceRow(resource: StoredResource): KqlRow {
  const body = resource.body;
  return {
    id: resource.id,
    name: body.name,
    type: resource.type.toLowerCase(),
    tenantId: typeof body.tenantId === 'string' ? body.tenantId : LAB_TENANT_ID,
    kind: body.kind ?? '',
    location: body.location ?? '',
    resourceGroup: resource.resourceGroup?.toLowerCase() ?? '',
    subscriptionId: resource.subscriptionId ?? '',
    managedBy: body.managedBy ?? '',
    sku: body.sku ?? null,
    plan: body.plan ?? null,
    properties: body.properties ?? {},
    tags: body.tags ?? null,
    identity: body.identity ?? null,
    zones: body.zones ?? null,
    extendedLocation: body.extendedLocation ?? null,
  };
}

/** ARG's `ResourceContainers` row for a resource group. */
function groupRow(subscriptionId: string, name: string, location: string | undefined): KqlRow {
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
    name,
    type: 'microsoft.resources/subscriptions/resourcegroups',
    tenantId: LAB_TENANT_ID,
    kind: '',
    location: location ?? '',
    resourceGroup: name.toLowerCase(),
    subscriptionId,
    properties: { provisioningState: 'Succeeded' },
    tags: null,
  };
}

/** The tables an ARG query sees for these subscriptions. */
/**
 * The tables per subscription set, built once and kept: the lab's resources never change while it runs,
 * and the KQL engine caches its column inference, converted rows and analysed queries by the identity
 * of this object (rebuilding it per request made every query start from scratch).
 */
const graphTablesCache = new WeakMap<LabState, Map<string, Record<string, KqlRow[]>>>();

function graphTables(state: LabState, scenarios: readonly ScenarioState[], subscriptions: ReadonlySet<string>): Record<string, KqlRow[]> {
  const key = [...subscriptions].sort().join(',');
  let byKey = graphTablesCache.get(state);
  if (byKey === undefined) {
    byKey = new Map();
    graphTablesCache.set(state, byKey);
  }
  let tables = byKey.get(key);
  if (tables === undefined) {
    tables = buildGraphTables(state, scenarios, subscriptions);
    if (byKey.size >= 64) byKey.clear();
    byKey.set(key, tables);
  }
  return tables;
}

function buildGraphTables(state: LabState, scenarios: readonly ScenarioState[], subscriptions: ReadonlySet<string>): Record<string, KqlRow[]> {
  // A subscription two scenarios share belongs to the one that owns it here (the first given, or the one picked by prefix).
  const owns = (scenario: ScenarioState, subscription: string): boolean => subscriptions.has(subscription) && state.bySubscription.get(subscription) === scenario;
  const resources: KqlRow[] = [];
  const containers: KqlRow[] = [];
  const policies: KqlRow[] = [];
  for (const scenario of scenarios) {
    for (const resource of scenario.index.all()) {
      if (!resource.subscriptionId || !owns(scenario, resource.subscriptionId.toLowerCase())) continue;
      if (inResourcesTable(resource)) resources.push(resourceRow(resource));
      else if (resource.type.toLowerCase().startsWith('microsoft.authorization/policy')) policies.push(resourceRow(resource));
    }
    for (const subscription of scenario.subscriptions) {
      if (!owns(scenario, subscription)) continue;
      for (const group of scenario.index.resourceGroups(subscription)) containers.push(groupRow(group.subscriptionId, group.name, group.location));
    }
  }
  return { Resources: resources, ResourceContainers: containers, PolicyResources: policies };
}

interface SkipToken {
  offset: number;
  digest: string;
}

function digestOf(query: string, subscriptions: readonly string[]): string {
  return createHash('sha256').update(`${query}\n${[...subscriptions].sort().join(',')}`).digest('hex').slice(0, 16);
}

function encodeSkipToken(token: SkipToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeSkipToken(text: string): SkipToken | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<SkipToken>;
    return typeof token.offset === 'number' && typeof token.digest === 'string' ? { offset: token.offset, digest: token.digest } : undefined;
  } catch {
    return undefined;
  }
}

function badRequest(detailCode: string, detailMessage: string): LabResponse {
  return armError(400, 'BadRequest', 'Please provide below info when asking for support: the lab answered this request.', {
    details: [
      { code: 'InvalidQuery', message: 'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.' },
      { code: detailCode, message: detailMessage },
    ],
  });
}

function toObjects(result: KqlResult, rows: unknown[][]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(result.columns.map((column, index) => [column.name, toJson(row[index])])));
}

function toJson(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Answers one ARG query (`{subscriptions, managementGroups, query, options}`). */
export function runGraphQuery(state: LabState, body: Record<string, unknown>): LabResponse {
  if (typeof body.query !== 'string' || body.query.trim() === '') return badRequest('MissingQuery', 'The query is missing.');
  const requested = Array.isArray(body.subscriptions) ? body.subscriptions.map((value) => String(value).toLowerCase()) : undefined;
  const known = new Set(state.bySubscription.keys());
  // Without subscriptions ARG queries every subscription the caller can see: here, all of the lab's.
  const subscriptions = new Set(requested ?? known);
  const scenarios = state.scenarios.filter((scenario) => scenario.subscriptions.some((subscription) => state.bySubscription.get(subscription) === scenario && subscriptions.has(subscription)));
  const options = (typeof body.options === 'object' && body.options !== null ? body.options : {}) as Record<string, unknown>;
  const top = typeof options.$top === 'number' ? Math.min(Math.max(options.$top, 1), MAX_TOP) : Math.min(state.pageSize, MAX_TOP);
  const skip = typeof options.$skip === 'number' ? Math.max(options.$skip, 0) : 0;
  const digest = digestOf(body.query, [...subscriptions]);
  let offset = skip;
  if (typeof options.$skipToken === 'string') {
    const token = decodeSkipToken(options.$skipToken);
    if (!token || token.digest !== digest) return badRequest('InvalidSkipToken', 'The $skipToken is not valid for this query and scope.');
    offset = token.offset;
  }
  const now = scenarios[0]?.now() ?? new Date(0);
  let result: KqlResult;
  try {
    result = runKql(body.query, { tables: graphTables(state, scenarios, subscriptions), now, schemas: RESOURCE_GRAPH_SCHEMAS });
  } catch (error) {
    if (error instanceof KqlError) return badRequest(error.code, error.message);
    throw error;
  }
  const page = result.rows.slice(offset, offset + top);
  const next = offset + page.length;
  const tableFormat = options.resultFormat === 'table';
  const data = tableFormat ? { columns: result.columns, rows: page.map((row) => row.map(toJson)) } : toObjects(result, page);
  const response: Record<string, unknown> = {
    totalRecords: result.rows.length,
    count: page.length,
    data,
    facets: [],
    resultTruncated: 'false',
  };
  if (next < result.rows.length) response.$skipToken = encodeSkipToken({ offset: next, digest });
  return json(200, response);
}
