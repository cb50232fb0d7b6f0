/** ARM bodies for coverage tests: a small estate built from plain data, and the built-in scenarios. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverageFactsOf } from '../../src/azure/policy.js';
import { buildTopology, type ArmResource } from '../../src/azure/topology.js';
import { computeCoverage } from '../../src/coverage/index.js';
import type { CoverageReport } from '../../src/domain/coverage.js';

export const SCENARIOS = join(import.meta.dirname, '..', '..', 'src', 'lab', 'scenarios');
export const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const rg = (group: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/${group}`;

/** A scenario's resources. */
export function scenarioResources(name: string): ArmResource[] {
  return (JSON.parse(readFileSync(join(SCENARIOS, name, 'scenario.json'), 'utf8')) as { resources: ArmResource[] }).resources;
}

/** The coverage of ARM bodies, through the same pure steps the adapter uses. */
export function coverageOfResources(resources: readonly ArmResource[]): CoverageReport {
  return computeCoverage(buildTopology(resources), coverageFactsOf(resources));
}

export const ids = {
  watcher: (region: string, group = 'NetworkWatcherRG') => `${rg(group)}/providers/Microsoft.Network/networkWatchers/NetworkWatcher_${region}`,
  vnet: (name: string) => `${rg('net-rg')}/providers/Microsoft.Network/virtualNetworks/${name}`,
  nsg: (name: string) => `${rg('net-rg')}/providers/Microsoft.Network/networkSecurityGroups/${name}`,
  storage: (name: string) => `${rg('monitor-rg')}/providers/Microsoft.Storage/storageAccounts/${name}`,
  workspace: `${rg('monitor-rg')}/providers/Microsoft.OperationalInsights/workspaces/law-central`,
  firewall: (name: string) => `${rg('net-rg')}/providers/Microsoft.Network/azureFirewalls/${name}`,
  assignment: (name: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/policyAssignments/${name}`,
};

export const watcher = (region: string, group?: string): ArmResource => ({ id: ids.watcher(region, group), name: `NetworkWatcher_${region}`, type: 'Microsoft.Network/networkWatchers', location: region, properties: {} });
export const nsg = (name: string, region: string): ArmResource => ({ id: ids.nsg(name), name, type: 'Microsoft.Network/networkSecurityGroups', location: region, properties: { securityRules: [] } });
export const vnet = (name: string, region: string, subnetNsg: string | null = null): ArmResource => ({
  id: ids.vnet(name), name, type: 'Microsoft.Network/virtualNetworks', location: region,
  properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ id: `${ids.vnet(name)}/subnets/default`, name: 'default', properties: { addressPrefix: '10.0.0.0/24', ...(subnetNsg ? { networkSecurityGroup: { id: ids.nsg(subnetNsg) } } : {}) } }] },
});
export const storage = (name: string, region: string, tier = 'Standard'): ArmResource => ({ id: ids.storage(name), name, type: 'Microsoft.Storage/storageAccounts', location: region, kind: 'StorageV2', sku: { name: `${tier}_LRS`, tier } });
export const workspace = (region: string): ArmResource => ({ id: ids.workspace, name: 'law-central', type: 'Microsoft.OperationalInsights/workspaces', location: region, properties: {} });

/** A flow log on a VNet or an NSG. */
export function flowLog(target: string, region: string, options: { enabled?: boolean; interval?: number | null; storageName?: string; retention?: number } = {}): ArmResource {
  const name = `${target.split('/').pop() ?? ''}-flowlog`;
  const interval = options.interval === undefined ? 10 : options.interval;
  return {
    id: `${ids.watcher(region)}/flowLogs/${name}`, name, type: 'Microsoft.Network/networkWatchers/flowLogs', location: region,
    properties: {
      targetResourceId: target, storageId: ids.storage(options.storageName ?? `st${region}`), enabled: options.enabled ?? true,
      retentionPolicy: { days: options.retention ?? 30, enabled: true },
      ...(interval === null ? {} : { flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceResourceId: ids.workspace, workspaceRegion: 'westeurope', trafficAnalyticsInterval: interval } } }),
    },
  };
}

/** A policy assignment of a definition in a region. */
export function assignment(name: string, definitionId: string, region: string, extra: Record<string, unknown> = {}): ArmResource {
  return {
    id: ids.assignment(name), name, type: 'Microsoft.Authorization/policyAssignments', location: region, identity: { type: 'SystemAssigned', principalId: 'p' },
    properties: { policyDefinitionId: definitionId, scope: `/subscriptions/${SUBSCRIPTION}`, notScopes: [], enforcementMode: 'Default', parameters: { vnetRegion: { value: region } }, ...extra },
  };
}

/** A firewall with optional TCP connection logging, and its diagnostic setting. */
export function firewall(name: string, region: string, tcpLogging: boolean): ArmResource {
  return {
    id: ids.firewall(name), name, type: 'Microsoft.Network/azureFirewalls', location: region,
    properties: { sku: { tier: 'Standard' }, ipConfigurations: [], additionalProperties: tcpLogging ? { 'Network.AdditionalLogs.EnableTcpConnectionLogging': 'True' } : {} },
  };
}
export function diagnosticSetting(firewallName: string, destination: 'Dedicated' | null, categories: string[]): ArmResource {
  return {
    id: `${ids.firewall(firewallName)}/providers/Microsoft.Insights/diagnosticSettings/to-law`, name: 'to-law', type: 'Microsoft.Insights/diagnosticSettings',
    properties: { workspaceId: ids.workspace, logAnalyticsDestinationType: destination, logs: categories.map((category) => ({ category, enabled: true })) },
  };
}
