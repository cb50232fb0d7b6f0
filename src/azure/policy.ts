/**
 * What flow-log coverage reads beyond the estate: policy assignments and definitions from
 * Resource Graph's `PolicyResources` table (where Azure keeps them, not in `Resources`), storage
 * accounts and Log Analytics workspaces from `Resources`, and each Azure Firewall's diagnostic
 * settings through ARM (Resource Graph has no table for diagnostic settings).
 * https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources#policyresources
 * https://learn.microsoft.com/rest/api/monitor/diagnostic-settings/list
 */
import { createDefaultHttpClient, createPipelineRequest, RestError, type Pipeline } from '@azure/core-rest-pipeline';
import {
  FLOW_LOG_POLICY_DEFINITIONS, type CoverageFacts, type PolicyAssignment, type PolicyDefinition, type StorageAccount, type Workspace,
} from '../domain/coverage.js';
import type { DiagnosticSetting } from '../domain/index.js';
import { gapFromError, withDeadline } from './errors.js';
import { kqlStringList } from './kql/literals.js';
import { type Estate, type ResourceGraphQueryClient, armResourcesOf, queryResourceGraph } from './resource-graph.js';
import { idKey, nameOf } from './resource-ids.js';
import { type SourceResult, failure, success } from './result.js';
import { type ArmResource, buildTopology } from './topology.js';

/** GETs an ARM path (`/subscriptions/...`) at an api-version and returns the JSON body; throws a RestError on a non-2xx answer. */
export type ArmGet = (path: string, apiVersion: string, abortSignal: AbortSignal) => Promise<unknown>;

/** The clients coverage needs. */
export interface CoverageClients {
  resourceGraph: ResourceGraphQueryClient;
  arm: ArmGet;
}

/** Limits of the coverage reads. */
export interface CoverageReadOptions {
  timeoutInMs: number;
  abortSignal?: AbortSignal;
}

/** The api-version of the diagnostic settings list. */
export const DIAGNOSTIC_SETTINGS_API_VERSION = '2021-05-01-preview';

const nameOfDefinition = (id: string) => nameOf(id).toLowerCase();

/**
 * Flow-log policy assignments and definitions: every assignment (filtered to flow-log definitions
 * in code, since copies are found by their rule), custom definitions, and the two built-ins when
 * the table holds them. The names are constants, not user text.
 */
export function policyQuery(): string {
  return [
    'PolicyResources',
    "| where type =~ 'microsoft.authorization/policyassignments'",
    "    or (type =~ 'microsoft.authorization/policydefinitions'",
    `        and (tostring(properties.policyType) !~ 'BuiltIn' or name in~ ${kqlStringList(FLOW_LOG_POLICY_DEFINITIONS.map(nameOfDefinition))}))`,
    '| project id, name, type, location, identity, properties',
    '| order by id asc',
  ].join('\n');
}

/** Storage accounts and Log Analytics workspaces (location and tier only). */
export function storageQuery(): string {
  return [
    'Resources',
    "| where type in~ ('microsoft.storage/storageaccounts', 'microsoft.operationalinsights/workspaces')",
    '| project id, name, type, location, kind, sku',
    '| order by id asc',
  ].join('\n');
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** Policy rows as assignments and definitions (pure). */
export function policiesOf(rows: readonly Json[]): { assignments: PolicyAssignment[]; definitions: PolicyDefinition[] } {
  const assignments: PolicyAssignment[] = [];
  const definitions: PolicyDefinition[] = [];
  for (const row of rows) {
    const id = text(row.id);
    const type = text(row.type)?.toLowerCase();
    if (!id || !type) continue;
    const properties = record(row.properties);
    if (type === 'microsoft.authorization/policyassignments') {
      const parameters = Object.fromEntries(Object.entries(record(properties.parameters)).map(([name, value]) => [name, record(value).value]));
      assignments.push({
        id, name: text(row.name) ?? nameOf(id), location: text(row.location),
        scope: text(properties.scope) ?? id.replace(/\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/iu, ''),
        notScopes: Array.isArray(properties.notScopes) ? properties.notScopes.filter((scope): scope is string => typeof scope === 'string') : [],
        policyDefinitionId: text(properties.policyDefinitionId) ?? '',
        parameters, enforcementMode: text(properties.enforcementMode) ?? 'Default',
        identityPrincipalId: text(record(row.identity).principalId),
      });
    } else if (type === 'microsoft.authorization/policydefinitions') {
      definitions.push({
        id, name: text(row.name) ?? nameOf(id), policyType: text(properties.policyType) ?? 'Custom', mode: text(properties.mode),
        parameters: Object.fromEntries(Object.entries(record(properties.parameters)).map(([name, value]) => [name, record(value)])),
        policyRule: properties.policyRule === undefined ? null : record(properties.policyRule),
      });
    }
  }
  return { assignments, definitions };
}

/** Storage and workspace rows (pure); workspaces also come from the flow logs' Traffic Analytics settings. */
export function storageOf(rows: readonly Json[], estateResources: readonly ArmResource[]): { storageAccounts: StorageAccount[]; workspaces: Workspace[] } {
  const storageAccounts: StorageAccount[] = [];
  const workspaces = new Map<string, Workspace>();
  for (const row of rows) {
    const id = text(row.id);
    const type = text(row.type)?.toLowerCase();
    if (!id) continue;
    if (type === 'microsoft.storage/storageaccounts') {
      storageAccounts.push({ id, name: text(row.name) ?? nameOf(id), location: text(row.location) ?? '', skuTier: text(record(row.sku).tier), kind: text(row.kind) });
    } else if (type === 'microsoft.operationalinsights/workspaces') {
      workspaces.set(idKey(id), { id, location: text(row.location) ?? '' });
    }
  }
  for (const resource of estateResources) {
    if (resource.type.toLowerCase() !== 'microsoft.network/networkwatchers/flowlogs') continue;
    const analytics = record(record(record(resource.properties).flowAnalyticsConfiguration).networkWatcherFlowAnalyticsConfiguration);
    const id = text(analytics.workspaceResourceId);
    const location = text(analytics.workspaceRegion);
    if (id && location && !workspaces.has(idKey(id))) workspaces.set(idKey(id), { id, location });
  }
  return { storageAccounts, workspaces: [...workspaces.values()].sort((left, right) => idKey(left.id).localeCompare(idKey(right.id))) };
}

/** Firewall ids (lower case) with TCP connection logging (the flow trace switch) on, from their ARM bodies (pure). */
export function tcpConnectionLoggingOf(estateResources: readonly ArmResource[]): string[] {
  return estateResources
    .filter((resource) => resource.type.toLowerCase() === 'microsoft.network/azurefirewalls')
    .filter((resource) => {
      const additional = record(record(resource.properties).additionalProperties);
      const value = Object.entries(additional).find(([key]) => key.toLowerCase() === 'network.additionallogs.enabletcpconnectionlogging')?.[1];
      return String(value).toLowerCase() === 'true';
    })
    .map((resource) => idKey(resource.id)).sort();
}

/** A diagnostic settings list body as settings (pure). */
export function diagnosticSettingsOf(body: unknown, resourceId: string): DiagnosticSetting[] {
  const values = Array.isArray(record(body).value) ? (record(body).value as unknown[]) : [];
  const resources = values.map(record).filter((value) => typeof value.id === 'string')
    .map((value) => ({ ...value, type: 'Microsoft.Insights/diagnosticSettings' }) as ArmResource);
  return buildTopology(resources).diagnosticSettings.map((setting) => ({ ...setting, resourceId }));
}

/** An ArmGet over an SDK client's pipeline (its credential, retries and timeouts) at an ARM endpoint. */
export function armGetOf(client: { pipeline: Pipeline }, endpoint: string): ArmGet {
  const httpClient = createDefaultHttpClient();
  const base = endpoint.replace(/\/+$/u, '');
  // Plain http only reaches an emulator on loopback (the lab); Azure is https.
  const allowInsecureConnection = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/u.test(base);
  return async (path, apiVersion, abortSignal) => {
    const url = `${base}${path}?api-version=${encodeURIComponent(apiVersion)}`;
    const response = await client.pipeline.sendRequest(httpClient, createPipelineRequest({ url, method: 'GET', abortSignal, allowInsecureConnection }));
    if (response.status < 200 || response.status >= 300) {
      throw new RestError(`GET ${path} answered ${response.status}: ${response.bodyAsText?.slice(0, 300) ?? ''}`, { statusCode: response.status, response });
    }
    return response.bodyAsText ? JSON.parse(response.bodyAsText) as unknown : {};
  };
}

/**
 * Reads the coverage facts. A part that cannot be read is a warning, not a failure: the report
 * then says null (unknown) where it depends on it. Only the estate itself is required.
 */
export async function loadCoverageFacts(clients: CoverageClients, subscriptions: readonly string[], estate: Estate, options: CoverageReadOptions): Promise<SourceResult<CoverageFacts>> {
  const warnings: string[] = [];
  const graphOptions = { timeoutInMs: options.timeoutInMs, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) };
  const [policyRows, storageRows] = await Promise.all([
    queryResourceGraph(clients.resourceGraph, subscriptions, policyQuery(), graphOptions),
    queryResourceGraph(clients.resourceGraph, subscriptions, storageQuery(), graphOptions),
  ]);
  if (!policyRows.ok) warnings.push(`policy assignments could not be read (${policyRows.gap.reason}: ${policyRows.gap.detail}); coveredByPolicy is unknown`);
  if (!storageRows.ok) warnings.push(`storage accounts could not be read (${storageRows.gap.reason}: ${storageRows.gap.detail}); storageSameRegion is unknown`);
  const policies = policiesOf(policyRows.ok ? armResourcesOf(policyRows.value) : []);
  const storage = storageOf(storageRows.ok ? storageRows.value : [], estate.resources);
  const firewallDiagnosticSettings: Record<string, DiagnosticSetting[]> = {};
  for (const firewall of estate.topology.firewalls) {
    try {
      const body = await withDeadline(options.timeoutInMs, (signal) => clients.arm(`${firewall.id}/providers/Microsoft.Insights/diagnosticSettings`, DIAGNOSTIC_SETTINGS_API_VERSION, signal), options.abortSignal);
      firewallDiagnosticSettings[idKey(firewall.id)] = diagnosticSettingsOf(body, firewall.id);
    } catch (error) {
      const gap = gapFromError('diagnosticSettings', error);
      warnings.push(`diagnostic settings of ${firewall.name} could not be read (${gap.reason}: ${gap.detail})`);
    }
  }
  if (!policyRows.ok && !storageRows.ok && estate.topology.firewalls.length > 0 && Object.keys(firewallDiagnosticSettings).length === 0) {
    return failure(policyRows.gap);
  }
  return success({
    storageAccounts: storage.storageAccounts, workspaces: storage.workspaces,
    policyAssignments: policies.assignments, policyDefinitions: policies.definitions,
    firewallDiagnosticSettings, tcpConnectionLogging: tcpConnectionLoggingOf(estate.resources),
    policyAssignmentsRead: policyRows.ok, storageAccountsRead: storageRows.ok, warnings,
  });
}

/**
 * The coverage facts of ARM bodies at hand (pure): a scenario's resources, or an estate whose
 * policy resources, storage accounts and diagnostic settings were read with it. A firewall
 * without a diagnostic setting among them counts as read and empty.
 */
export function coverageFactsOf(resources: readonly ArmResource[]): CoverageFacts {
  const policies = policiesOf(resources.filter((resource) => resource.type.toLowerCase().startsWith('microsoft.authorization/policy')));
  const storage = storageOf(resources, resources);
  const topology = buildTopology(resources);
  const firewallDiagnosticSettings: Record<string, DiagnosticSetting[]> = {};
  for (const firewall of topology.firewalls) {
    firewallDiagnosticSettings[idKey(firewall.id)] = topology.diagnosticSettings.filter((setting) => idKey(setting.resourceId) === idKey(firewall.id));
  }
  return {
    storageAccounts: storage.storageAccounts, workspaces: storage.workspaces,
    policyAssignments: policies.assignments, policyDefinitions: policies.definitions,
    firewallDiagnosticSettings, tcpConnectionLogging: tcpConnectionLoggingOf(resources), policyAssignmentsRead: true, storageAccountsRead: true, warnings: [],
  };
}
