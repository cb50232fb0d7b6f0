/**
 * The plan that closes the gaps (pure): per region with a gap and no flow-log assignment, one
 * assignment of the built-in "Configure virtual network to enable Flow Log and Traffic Analytics"
 * per subscription holding such VNets, with a same-region storage account, the region's Network
 * Watcher, the estate's Traffic Analytics workspace, `timeInterval` "10", a system-assigned
 * identity and its Contributor role; plus the custom copy of the definition whose interval
 * default is 10. A region it cannot close says why (`missing`) instead of inventing a resource.
 */
import {
  CONTRIBUTOR_ROLE_ID, FLOW_LOG_POLICY_DEPLOY, normaliseRegion,
  type CoverageFacts, type CoveragePlan, type PlanAssignment, type PlanParameters, type PlanRoleAssignment, type StorageAccount, type VnetCoverage,
} from '../domain/coverage.js';
import type { Topology } from '../domain/index.js';
import { azCommands } from './commands.js';
import { CUSTOM_DEFINITION, deploymentTemplate } from './template.js';

/** The role definition id of Contributor at a subscription. */
export const contributorAt = (subscriptionId: string) => `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR_ROLE_ID}`;

const key = (id: string) => id.toLowerCase();
const subscriptionOf = (id: string) => /^\/subscriptions\/([^/]+)/iu.exec(id)?.[1] ?? '';
const resourceGroupOf = (id: string) => /\/resourceGroups\/([^/]+)/iu.exec(id)?.[1] ?? '';
const byText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);

/** True when a VNet is a gap the plan should close: no enabled VNet flow log, or no Traffic Analytics on it. */
export function isGap(vnet: VnetCoverage): boolean {
  return vnet.flowLogs !== 'vnet' || !vnet.trafficAnalytics?.enabled;
}

/** The most frequent value (ties: the smallest), or null. */
function mostCommon(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((left, right) => right[1] - left[1] || byText(left[0], right[0]))[0]?.[0] ?? null;
}

/** Flow logs need a standard-tier account in the VNet's region; prefer the one its flow logs already use, then the assignment's subscription. */
function storageFor(region: string, subscriptionId: string, facts: CoverageFacts, topology: Topology): StorageAccount | null {
  const used = new Set(topology.flowLogs.filter((log) => normaliseRegion(log.location) === region && log.storageId).map((log) => key(log.storageId ?? '')));
  const candidates = facts.storageAccounts
    .filter((account) => normaliseRegion(account.location) === region && (account.skuTier === null || account.skuTier.toLowerCase() === 'standard'))
    .sort((left, right) => Number(!used.has(key(left.id))) - Number(!used.has(key(right.id)))
      || Number(subscriptionOf(left.id) !== subscriptionId) - Number(subscriptionOf(right.id) !== subscriptionId)
      || byText(key(left.id), key(right.id)));
  return candidates[0] ?? null;
}

/** The estate's Traffic Analytics workspace: the one most enabled flow logs send to, else the first workspace known. */
function workspaceOf(topology: Topology, facts: CoverageFacts): { id: string; region: string | null } | null {
  const used = mostCommon(topology.flowLogs.filter((log) => log.enabled && log.trafficAnalytics?.enabled && log.trafficAnalytics.workspaceResourceId)
    .map((log) => log.trafficAnalytics?.workspaceResourceId ?? ''));
  const id = used ?? facts.workspaces[0]?.id ?? null;
  if (id === null) return null;
  const workspace = facts.workspaces.find((candidate) => key(candidate.id) === key(id));
  return { id, region: workspace ? normaliseRegion(workspace.location) : null };
}

/** Retention of the estate's enabled flow logs (most common), else the built-ins' default "30". */
function retentionOf(topology: Topology): string {
  return mostCommon(topology.flowLogs.filter((log) => log.enabled && log.retentionDays !== null).map((log) => String(log.retentionDays))) ?? '30';
}

function notesFor(vnets: readonly VnetCoverage[]): string[] {
  const notes: string[] = [];
  for (const vnet of vnets) {
    if (vnet.flowLogs === 'vnet' && vnet.trafficAnalytics?.enabled && vnet.trafficAnalytics.intervalMinutes !== 10) {
      notes.push(`${vnet.name} keeps its existing flow log (Traffic Analytics every ${vnet.trafficAnalytics.intervalMinutes} minutes): this definition does not overwrite it; change it by hand or assign ${'052c180e-287d-44c3-86ef-01aeae2d9774'} instead, which does.`);
    }
    if (vnet.flowLogs === 'vnet' && !vnet.trafficAnalytics?.enabled) {
      notes.push(`${vnet.name} has a VNet flow log without Traffic Analytics; this definition treats it as compliant only once Traffic Analytics is on.`);
    }
    if (vnet.flowLogs === 'nsg-only') notes.push(`${vnet.name} gets a VNet flow log beside its NSG flow logs; delete those once Traffic Analytics shows the VNet (they retire on 30 September 2027).`);
    if (vnet.flowLogs === 'disabled') notes.push(`${vnet.name} has a disabled VNet flow log, which this definition counts as compliant: enable it by hand.`);
  }
  return notes;
}

function roleAssignmentsFor(scope: string, storageId: string, workspaceId: string): PlanRoleAssignment[] {
  const subscriptionId = subscriptionOf(scope);
  const roles: PlanRoleAssignment[] = [{ roleDefinitionId: contributorAt(subscriptionId), scope, reason: 'the role in the definition\'s roleDefinitionIds: deploy flow logs into the Network Watcher\'s resource group, and read the VNets' }];
  if (key(subscriptionOf(storageId)) !== key(subscriptionId)) roles.push({ roleDefinitionId: contributorAt(subscriptionOf(storageId)), scope: storageId, reason: 'the storage account is in another subscription (assignPermissions: true)' });
  if (key(subscriptionOf(workspaceId)) !== key(subscriptionId)) roles.push({ roleDefinitionId: contributorAt(subscriptionOf(workspaceId)), scope: workspaceId, reason: 'the workspace is in another subscription (assignPermissions: true)' });
  return roles;
}

/** The plan for the gaps of a report's VNets. */
export function buildPlan(topology: Topology, facts: CoverageFacts, vnets: readonly VnetCoverage[]): CoveragePlan {
  const assignments: PlanAssignment[] = [];
  const missing: CoveragePlan['missing'] = [];
  const noNewAssignment: CoveragePlan['noNewAssignment'] = [];
  const workspace = workspaceOf(topology, facts);
  const retentionDays = retentionOf(topology);
  for (const region of [...new Set(vnets.map((vnet) => vnet.region))].sort()) {
    const here = vnets.filter((vnet) => vnet.region === region);
    const coveredBy = [...new Set(here.map((vnet) => vnet.coveredByPolicy).filter((id): id is string => id !== null))].sort()[0];
    const open = here.filter((vnet) => vnet.coveredByPolicy === null);
    if (coveredBy !== undefined && open.length === 0) {
      noNewAssignment.push({ region, coveredBy });
      continue;
    }
    if (!open.some(isGap)) continue;
    for (const subscriptionId of [...new Set(open.map((vnet) => vnet.subscriptionId))].sort()) {
      const storage = storageFor(region, subscriptionId, facts, topology);
      const watcher = topology.networkWatchers
        .filter((candidate) => normaliseRegion(candidate.location) === region)
        .sort((left, right) => Number(key(subscriptionOf(left.id)) !== key(subscriptionId)) - Number(key(subscriptionOf(right.id)) !== key(subscriptionId)) || byText(key(left.id), key(right.id)))[0];
      const reason = !storage ? (facts.storageAccountsRead ? 'no storage account in this region' : 'the storage accounts could not be read')
        : !watcher ? 'no Network Watcher in this region'
          : !workspace ? 'no Log Analytics workspace for Traffic Analytics'
            : !workspace.region ? `the region of workspace ${workspace.id} is unknown` : null;
      if (reason !== null || !storage || !watcher || !workspace?.region) {
        if (!missing.some((entry) => entry.region === region)) missing.push({ region, reason: reason ?? 'incomplete' });
        continue;
      }
      const scope = `/subscriptions/${subscriptionId}`;
      const watcherGroup = resourceGroupOf(watcher.id);
      const parameters: PlanParameters = {
        vnetRegion: region, storageId: storage.id, networkWatcherName: watcher.id,
        workspaceResourceId: workspace.id, workspaceRegion: workspace.region, timeInterval: '10', retentionDays,
        ...(watcherGroup.toLowerCase() === 'networkwatcherrg' ? {} : { networkWatcherRG: watcherGroup }),
      };
      const remediated = open.filter((vnet) => vnet.subscriptionId === subscriptionId);
      assignments.push({
        region, policyDefinitionId: FLOW_LOG_POLICY_DEPLOY, parameters,
        name: `netproof-vnet-flowlogs-${region}`.slice(0, 64), scope,
        identity: { type: 'SystemAssigned', location: region },
        roleAssignments: roleAssignmentsFor(scope, storage.id, workspace.id),
        vnets: remediated.map((vnet) => vnet.name),
        notes: [
          ...(facts.policyAssignmentsRead ? [] : ['The policy assignments could not be read: check that none already deploys flow logs in this region before assigning.']),
          ...notesFor(remediated),
          'Policy evaluation lags by hours: the remediation task below deploys to the existing VNets now; new VNets follow at the next evaluation.',
        ],
      });
    }
  }
  const builtIn = facts.policyDefinitions.find((definition) => key(definition.id) === key(FLOW_LOG_POLICY_DEPLOY)) ?? null;
  const customDefinition = assignments.length === 0 ? null : { name: CUSTOM_DEFINITION, basedOn: FLOW_LOG_POLICY_DEPLOY, policyRuleKnown: builtIn?.policyRule != null };
  const subscriptions = [...new Set(assignments.map((assignment) => subscriptionOf(assignment.scope)))].sort();
  return {
    assignments, missing, noNewAssignment, customDefinition,
    templates: subscriptions.map((subscriptionId) => ({
      subscriptionId,
      template: deploymentTemplate(assignments.filter((assignment) => subscriptionOf(assignment.scope) === subscriptionId), builtIn),
    })),
    commands: azCommands(assignments, customDefinition ? subscriptions : []),
  };
}
