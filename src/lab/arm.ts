/** ARM reads: GET a resource by id (any case), and list collections with `nextLink` paging, as ARM answers. */
import { armError, json, type LabRequest, type LabResponse } from './http.js';
import { parseResourceId, segments } from './ids.js';
import { LAB_TENANT_ID } from './resource-graph.js';
import type { LabState, ScenarioState } from './state.js';
import type { StoredResource } from './store.js';

/** 404 as ARM words it: ResourceNotFound for a top-level resource, NotFound for a sub-resource. */
export function notFound(path: string): LabResponse {
  const parsed = parseResourceId(path);
  const typeParts = parsed.type.split('/');
  if (typeParts.length > 2) return armError(404, 'NotFound', `Resource ${parsed.id} not found.`);
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${parsed.type}/${parsed.name}' under resource group '${parsed.resourceGroup ?? ''}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

function page(request: LabRequest, state: LabState, items: unknown[]): LabResponse {
  const offset = Number(request.query.get('$skiptoken') ?? '0') || 0;
  const slice = items.slice(offset, offset + state.pageSize);
  const body: Record<string, unknown> = { value: slice };
  if (offset + slice.length < items.length) {
    const query = new URLSearchParams(request.query);
    query.set('$skiptoken', String(offset + slice.length));
    body.nextLink = `${request.origin}${request.path}?${query.toString()}`;
  }
  return json(200, body);
}

function bodies(resources: readonly StoredResource[]): unknown[] {
  return resources.map((resource) => resource.body);
}

/** Serves a GET under `/subscriptions/{s}` for the scenario that owns the subscription. */
export function armGet(request: LabRequest, state: LabState, scenario: ScenarioState): LabResponse {
  const path = request.path.replace(/\/+$/, '');
  const parts = segments(path);
  const subscriptionId = parts[1] ?? '';
  const lower = parts.map((part) => part.toLowerCase());
  // /subscriptions/{s}
  if (parts.length === 2) {
    return json(200, {
      id: `/subscriptions/${subscriptionId}`,
      subscriptionId,
      tenantId: LAB_TENANT_ID,
      displayName: `${scenario.scenario.name} (lab)`,
      state: 'Enabled',
    });
  }
  // /subscriptions/{s}/resources and /subscriptions/{s}/resourceGroups/{g}/resources
  if (parts.length === 3 && lower[2] === 'resources') return page(request, state, bodies(scenario.index.topLevel(subscriptionId)));
  if (parts.length === 5 && lower[2] === 'resourcegroups' && lower[4] === 'resources') {
    const group = parts[3] ?? '';
    if (!scenario.index.resourceGroup(subscriptionId, group)) return resourceGroupNotFound(group);
    return page(request, state, bodies(scenario.index.topLevel(subscriptionId, group)));
  }
  // /subscriptions/{s}/resourceGroups and /subscriptions/{s}/resourceGroups/{g}
  if (lower[2] === 'resourcegroups' && parts.length <= 4) {
    const groups = scenario.index.resourceGroups(subscriptionId).map((group) => ({
      id: `/subscriptions/${group.subscriptionId}/resourceGroups/${group.name}`,
      name: group.name,
      type: 'Microsoft.Resources/resourceGroups',
      location: group.location,
      properties: { provisioningState: 'Succeeded' },
    }));
    if (parts.length === 3) return page(request, state, groups);
    const group = groups.find((candidate) => candidate.name.toLowerCase() === lower[3]);
    return group ? json(200, group) : resourceGroupNotFound(parts[3] ?? '');
  }
  // A resource by id.
  const resource = scenario.index.get(path);
  if (resource) return json(200, resource.body);
  // A collection: /subscriptions/{s}/providers/{ns}/{type} lists the type across the subscription.
  if (parts.length === 5 && lower[2] === 'providers') {
    return page(request, state, bodies(scenario.index.ofType(subscriptionId, `${parts[3]}/${parts[4]}`)));
  }
  // Any other collection: the resources directly under the path (resource group lists, child collections,
  // extension resources such as `.../providers/Microsoft.Insights/diagnosticSettings`).
  const providersAt = lower.lastIndexOf('providers');
  const afterProviders = providersAt >= 0 ? parts.length - providersAt - 1 : 0;
  const isCollection = providersAt >= 0 && afterProviders >= 2 && afterProviders % 2 === 0;
  if (isCollection) {
    if (lower[2] === 'resourcegroups' && !scenario.index.resourceGroup(subscriptionId, parts[3] ?? '')) return resourceGroupNotFound(parts[3] ?? '');
    const parentPath = `/${parts.slice(0, providersAt).join('/')}`;
    const ownerIsResource = lower[providersAt - 2] !== 'resourcegroups' && providersAt > 4;
    const holder = afterProviders > 2 ? `/${parts.slice(0, -1).join('/')}` : parentPath;
    // A child collection of a resource that does not exist is a 404 for the parent.
    if (afterProviders > 2 && !scenario.index.get(holder)) return notFound(holder);
    if (ownerIsResource && afterProviders === 2 && !scenario.index.get(parentPath)) return notFound(parentPath);
    return page(request, state, bodies(scenario.index.children(path)));
  }
  return notFound(path);
}

function resourceGroupNotFound(name: string): LabResponse {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}
