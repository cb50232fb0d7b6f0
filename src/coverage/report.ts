/**
 * Flow-log coverage (pure): from the Topology and the coverage facts to the section-6 report.
 * Per VNet: VNet flow logs on or off, or only NSG flow logs, with the Traffic Analytics, storage
 * and retention of the flow log that covers it; per firewall: resource-specific logs and flow
 * trace; the existing flow-log policy assignments; and the plan that closes the gaps.
 */
import {
  FLOW_LOG_POLICY_DEFINITIONS, normaliseRegion,
  type CoverageFacts, type CoverageReport, type ExistingAssignment, type FirewallCoverage, type PolicyAssignment, type PolicyDefinition,
  type RegionCoverage, type VnetCoverage,
} from '../domain/coverage.js';
import { sameResourceId, type FlowLog, type Topology } from '../domain/index.js';
import { buildPlan } from './plan.js';

const key = (id: string) => id.toLowerCase();
const subscriptionOf = (id: string) => /^\/subscriptions\/([^/]+)/iu.exec(id)?.[1] ?? '';
const byText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

/** The parameters a copy must declare to count as a copy of the built-in flow-log definitions. */
const COPY_PARAMETERS = ['vnetRegion', 'storageId', 'networkWatcherName', 'workspaceResourceId', 'workspaceRegion', 'timeInterval', 'retentionDays'];
/** Defaults of the built-ins (AZURE.md section 10), used when an assignment leaves a parameter out and the definition is not at hand. */
const BUILT_IN_DEFAULTS: Record<string, string> = { effect: 'DeployIfNotExists', timeInterval: '60', retentionDays: '30', networkWatcherRG: 'NetworkWatcherRG' };

/** True when a custom definition deploys VNet flow logs with the built-ins' parameters (a copy, e.g. with timeInterval defaulting to 10). */
export function isFlowLogDefinitionCopy(definition: PolicyDefinition): boolean {
  const rule = definition.policyRule;
  if (!rule) return false;
  const details = (rule.then as { details?: { type?: unknown } } | undefined)?.details;
  const deploysFlowLogs = typeof details?.type === 'string' && details.type.toLowerCase() === 'microsoft.network/networkwatchers/flowlogs';
  const targetsVnets = JSON.stringify(rule.if ?? {}).toLowerCase().includes('"microsoft.network/virtualnetworks"');
  return deploysFlowLogs && targetsVnets && COPY_PARAMETERS.every((name) => name in definition.parameters);
}

/** The existing assignments of a flow-log definition (built-in or copy), with effective parameters. */
export function flowLogAssignments(facts: CoverageFacts): ExistingAssignment[] {
  const definitions = new Map(facts.policyDefinitions.map((definition) => [key(definition.id), definition]));
  const builtIns = new Set(FLOW_LOG_POLICY_DEFINITIONS.map(key));
  const result: ExistingAssignment[] = [];
  for (const assignment of facts.policyAssignments) {
    const definition = definitions.get(key(assignment.policyDefinitionId));
    const kind = builtIns.has(key(assignment.policyDefinitionId)) ? 'builtin' : definition && isFlowLogDefinitionCopy(definition) ? 'copy' : null;
    if (kind === null) continue;
    const parameters = effectiveParameters(assignment, definition);
    result.push({
      id: assignment.id, name: assignment.name, scope: assignment.scope, policyDefinitionId: assignment.policyDefinitionId, definitionKind: kind, parameters,
      enforced: (parameters.effect ?? 'DeployIfNotExists').toLowerCase() !== 'disabled' && assignment.enforcementMode.toLowerCase() !== 'donotenforce',
    });
  }
  return result.sort((left, right) => byText(key(left.id), key(right.id)));
}

function effectiveParameters(assignment: PolicyAssignment, definition: PolicyDefinition | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  const names = new Set([...Object.keys(definition?.parameters ?? BUILT_IN_DEFAULTS), ...Object.keys(assignment.parameters)]);
  for (const name of [...names].sort()) {
    const given = assignment.parameters[name];
    const fallback = definition ? definition.parameters[name]?.defaultValue : BUILT_IN_DEFAULTS[name];
    const value = given ?? fallback;
    if (value !== undefined && value !== null) values[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return values;
}

function withinScope(resourceId: string, scope: string): boolean {
  const id = key(resourceId);
  const prefix = key(scope).replace(/\/+$/u, '');
  // A management-group scope holds the subscriptions Resource Graph returned it for.
  if (prefix.startsWith('/providers/microsoft.management/managementgroups/')) return true;
  return id === prefix || id.startsWith(`${prefix}/`);
}

/** The enforced flow-log assignment that deploys flow logs to this VNet (its region, its scope), if any. */
export function coveringAssignment(assignments: readonly ExistingAssignment[], vnetId: string, region: string): ExistingAssignment | null {
  return assignments.find((assignment) => assignment.enforced
    && normaliseRegion(assignment.parameters.vnetRegion ?? '') === region
    && withinScope(vnetId, assignment.scope)) ?? null;
}

function notExcluded(facts: CoverageFacts, assignment: ExistingAssignment, vnetId: string): boolean {
  const original = facts.policyAssignments.find((candidate) => sameResourceId(candidate.id, assignment.id));
  return !(original?.notScopes ?? []).some((scope) => withinScope(vnetId, scope));
}

const rank = (log: FlowLog) => [log.targetKind === 'virtualNetwork' ? 0 : 1, log.trafficAnalytics?.enabled ? 0 : 1] as const;
function primaryOf(logs: readonly FlowLog[]): FlowLog | null {
  return [...logs].sort((left, right) => {
    const [a1, a2] = rank(left);
    const [b1, b2] = rank(right);
    return a1 - b1 || a2 - b2 || byText(key(left.id), key(right.id));
  })[0] ?? null;
}

/** One VNet's flow-log state and the flow logs behind it. */
export function vnetFlowLogState(topology: Topology, vnetId: string): { state: VnetCoverage['flowLogs']; logs: FlowLog[] } {
  const vnet = topology.virtualNetworks.find((candidate) => sameResourceId(candidate.id, vnetId));
  if (!vnet) return { state: 'none', logs: [] };
  const subnetIds = new Set(vnet.subnets.map((subnet) => key(subnet.id)));
  const nics = topology.networkInterfaces.filter((nic) => subnetIds.has(key(nic.subnetId)));
  const targets = new Set([key(vnet.id), ...subnetIds, ...nics.map((nic) => key(nic.id))]);
  const vnetLogs = topology.flowLogs.filter((log) => log.targetKind !== 'networkSecurityGroup' && targets.has(key(log.targetResourceId)));
  const enabled = vnetLogs.filter((log) => log.enabled);
  if (enabled.length > 0) return { state: 'vnet', logs: enabled };
  const groups = new Set([...vnet.subnets.map((subnet) => subnet.networkSecurityGroupId), ...nics.map((nic) => nic.networkSecurityGroupId)]
    .filter((id): id is string => id !== null).map(key));
  const nsgLogs = topology.flowLogs.filter((log) => log.enabled && log.targetKind === 'networkSecurityGroup' && groups.has(key(log.targetResourceId)));
  if (nsgLogs.length > 0) return { state: 'nsg-only', logs: nsgLogs };
  if (vnetLogs.length > 0) return { state: 'disabled', logs: vnetLogs };
  return { state: 'none', logs: [] };
}

function vnetCoverageOf(topology: Topology, facts: CoverageFacts, assignments: readonly ExistingAssignment[]): VnetCoverage[] {
  const storage = new Map(facts.storageAccounts.map((account) => [key(account.id), account]));
  return topology.virtualNetworks.map((vnet) => {
    const region = normaliseRegion(vnet.location);
    const { state, logs } = vnetFlowLogState(topology, vnet.id);
    const primary = primaryOf(logs);
    const analytics = state === 'vnet' || state === 'nsg-only' ? primary?.trafficAnalytics ?? null : null;
    const account = primary?.storageId ? storage.get(key(primary.storageId)) : undefined;
    const covering = assignments.filter((assignment) => notExcluded(facts, assignment, vnet.id));
    return {
      id: vnet.id, name: vnet.name, region, flowLogs: state,
      trafficAnalytics: analytics ? { enabled: analytics.enabled, intervalMinutes: analytics.intervalInMinutes, workspaceResourceId: analytics.workspaceResourceId } : null,
      storageSameRegion: account ? normaliseRegion(account.location) === region : null,
      coveredByPolicy: coveringAssignment(covering, vnet.id, region)?.id ?? null,
      subscriptionId: subscriptionOf(vnet.id),
      flowLogIds: logs.map((log) => log.id).sort((left, right) => byText(key(left), key(right))),
      storageId: primary?.storageId ?? null,
      retentionDays: primary?.retentionDays ?? null,
    };
  }).sort((left, right) => byText(left.region, right.region) || byText(key(left.name), key(right.name)) || byText(key(left.id), key(right.id)));
}

const FLOW_TRACE = 'azfwflowtrace';
const sendsResourceSpecific = (category: string) => /^azfw/iu.test(category) || category.toLowerCase() === 'alllogs';

function firewallCoverageOf(topology: Topology, facts: CoverageFacts): FirewallCoverage[] {
  const tcp = new Set(facts.tcpConnectionLogging.map(key));
  return topology.firewalls.map((firewall) => {
    const settings = facts.firewallDiagnosticSettings[key(firewall.id)];
    const toWorkspace = (settings ?? []).filter((setting) => setting.workspaceResourceId !== null);
    const tcpConnectionLogging = tcp.has(key(firewall.id));
    return {
      id: firewall.id, name: firewall.name,
      resourceSpecificLogs: settings === undefined ? null
        : toWorkspace.some((setting) => setting.destinationType === 'Dedicated' && setting.enabledCategories.some(sendsResourceSpecific)),
      flowTrace: settings === undefined ? null
        : tcpConnectionLogging && toWorkspace.some((setting) => setting.enabledCategories.some((category) => category.toLowerCase() === FLOW_TRACE || category.toLowerCase() === 'alllogs')),
      region: normaliseRegion(firewall.location),
      workspaceResourceIds: [...new Set(toWorkspace.map((setting) => setting.workspaceResourceId ?? ''))].sort(),
      tcpConnectionLogging,
    };
  }).sort((left, right) => byText(left.region, right.region) || byText(key(left.name), key(right.name)));
}

function regionsOf(vnets: readonly VnetCoverage[]): RegionCoverage[] {
  const regions = [...new Set(vnets.map((vnet) => vnet.region))].sort();
  return regions.map((region) => {
    const here = vnets.filter((vnet) => vnet.region === region);
    const count = (state: VnetCoverage['flowLogs']) => here.filter((vnet) => vnet.flowLogs === state).length;
    const policies = [...new Set(here.map((vnet) => vnet.coveredByPolicy).filter((id): id is string => id !== null))].sort();
    return {
      region, vnets: here.length, vnet: count('vnet'), nsgOnly: count('nsg-only'), none: count('none'), disabled: count('disabled'),
      trafficAnalytics: here.filter((vnet) => vnet.trafficAnalytics?.enabled && (vnet.flowLogs === 'vnet' || vnet.flowLogs === 'nsg-only')).length,
      coveredByPolicy: policies[0] ?? null,
    };
  });
}

/** The coverage report of an estate (pure: the same inputs give the same report, byte for byte). */
export function computeCoverage(topology: Topology, facts: CoverageFacts): CoverageReport {
  const assignments = flowLogAssignments(facts);
  const vnets = vnetCoverageOf(topology, facts, assignments);
  return {
    vnets,
    firewalls: firewallCoverageOf(topology, facts),
    plan: buildPlan(topology, facts, vnets),
    regions: regionsOf(vnets),
    policyAssignments: assignments,
    warnings: [...facts.warnings],
  };
}
