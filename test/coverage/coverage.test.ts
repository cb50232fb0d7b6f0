/**
 * Flow-log coverage, pure: the mixed estate against its expect-coverage.json, every built-in
 * scenario against the section-6 schema, and table-driven cases for the states, policy
 * assignments (built-in, copies, scope, enforcement), storage choice and firewall logging.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology, type ArmResource } from '../../src/azure/topology.js';
import { coverageFactsOf } from '../../src/azure/policy.js';
import { computeCoverage, coverageNextStep, isFlowLogDefinitionCopy } from '../../src/coverage/index.js';
import { CoverageReportSchema, FLOW_LOG_POLICY_DEFINITIONS, FLOW_LOG_POLICY_DEPLOY, FLOW_LOG_POLICY_UPDATE, type PolicyDefinition } from '../../src/domain/coverage.js';
import {
  SCENARIOS, assignment, coverageOfResources, diagnosticSetting, firewall, flowLog, ids, nsg, scenarioResources, storage, vnet, watcher, workspace,
} from './fixtures.js';

interface Expected {
  vnets: Array<Record<string, unknown> & { id: string }>;
  firewalls: Array<Record<string, unknown> & { id: string }>;
  plan: { assignments: Array<{ region: string; acceptedPolicyDefinitionIds: string[]; parameters: Record<string, string> }>; missing: unknown[]; noNewAssignment: unknown[] };
}

describe('the mixed estate (coverage-mixed-estate/expect-coverage.json)', () => {
  const expected = JSON.parse(readFileSync(join(SCENARIOS, 'coverage-mixed-estate', 'expect-coverage.json'), 'utf8')) as Expected;
  const report = coverageOfResources(scenarioResources('coverage-mixed-estate'));

  it('follows section 6', () => {
    expect(CoverageReportSchema.parse(report)).toEqual(report);
  });

  it.each(expected.vnets.map((vnet) => [vnet.name, vnet] as const))('%s', (_name, vnet) => {
    const actual = report.vnets.find((candidate) => candidate.id === vnet.id);
    expect(actual).toBeDefined();
    const { id, name, region, flowLogs, trafficAnalytics, storageSameRegion, coveredByPolicy } = actual ?? ({} as Record<string, unknown>);
    expect({ id, name, region, flowLogs, trafficAnalytics, storageSameRegion, coveredByPolicy }).toEqual(vnet);
  });

  it('lists every VNet and firewall once', () => {
    expect(report.vnets.map((vnet) => vnet.id).sort()).toEqual(expected.vnets.map((vnet) => vnet.id).sort());
    expect(report.firewalls.map((firewall) => ({ id: firewall.id, name: firewall.name, resourceSpecificLogs: firewall.resourceSpecificLogs, flowTrace: firewall.flowTrace })))
      .toEqual(expect.arrayContaining(expected.firewalls));
    expect(report.firewalls).toHaveLength(expected.firewalls.length);
  });

  it('plans the regions as expected', () => {
    expect(report.plan.assignments.map((entry) => entry.region)).toEqual(expected.plan.assignments.map((entry) => entry.region));
    for (const wanted of expected.plan.assignments) {
      const actual = report.plan.assignments.find((entry) => entry.region === wanted.region);
      expect(wanted.acceptedPolicyDefinitionIds).toContain(actual?.policyDefinitionId);
      expect(actual?.parameters).toEqual(wanted.parameters);
    }
    expect(report.plan.missing).toEqual(expected.plan.missing);
    expect(report.plan.noNewAssignment).toEqual(expected.plan.noNewAssignment);
  });

  it('lists the existing assignment with its parameters', () => {
    expect(report.policyAssignments).toEqual([expect.objectContaining({
      id: ids.assignment('fab-vnet-flowlogs-weu').replace('11111111-2222-3333-4444-555555555555', '5460ade7-51a4-47a2-9a10-e392ba4dbd58'),
      definitionKind: 'builtin', enforced: true,
      parameters: expect.objectContaining({ vnetRegion: 'westeurope', timeInterval: '10', retentionDays: '30' }),
    })]);
  });
});

describe('every built-in scenario', () => {
  it.each(readdirSync(SCENARIOS))('%s gives a section-6 report', (name) => {
    const report = coverageOfResources(scenarioResources(name));
    expect(CoverageReportSchema.parse(report)).toEqual(report);
    expect(report.vnets.length).toBeGreaterThan(0);
    // A region gets an assignment, is handled already, or says why not; never two of these.
    const planned = [...report.plan.assignments.map((entry) => entry.region), ...report.plan.noNewAssignment.map((entry) => entry.region), ...report.plan.missing.map((entry) => entry.region)];
    expect(new Set(planned).size).toBe(planned.length);
  });
});

const base = (): ArmResource[] => [watcher('westeurope'), workspace('westeurope'), storage('stwesteurope', 'westeurope')];

describe('VNet states', () => {
  it.each<[string, ArmResource[], string, Record<string, unknown>]>([
    ['a VNet flow log with Traffic Analytics at 10 minutes', [vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope')], 'vnet',
      { trafficAnalytics: { enabled: true, intervalMinutes: 10, workspaceResourceId: ids.workspace }, storageSameRegion: true, retentionDays: 30 }],
    ['a VNet flow log at 60 minutes', [vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope', { interval: 60 })], 'vnet',
      { trafficAnalytics: { enabled: true, intervalMinutes: 60, workspaceResourceId: ids.workspace } }],
    ['a VNet flow log without Traffic Analytics', [vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope', { interval: null })], 'vnet', { trafficAnalytics: null }],
    ['a subnet flow log', [vnet('a', 'westeurope'), flowLog(`${ids.vnet('a')}/subnets/default`, 'westeurope')], 'vnet', {}],
    ['a disabled VNet flow log', [vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope', { enabled: false })], 'disabled', { trafficAnalytics: null, storageSameRegion: true }],
    ['an NSG flow log on its subnet', [vnet('a', 'westeurope', 'nsg-a'), nsg('nsg-a', 'westeurope'), flowLog(ids.nsg('nsg-a'), 'westeurope', { interval: 60 })], 'nsg-only',
      { trafficAnalytics: { enabled: true, intervalMinutes: 60, workspaceResourceId: ids.workspace } }],
    ['a disabled VNet flow log beside an NSG flow log', [vnet('a', 'westeurope', 'nsg-a'), nsg('nsg-a', 'westeurope'), flowLog(ids.nsg('nsg-a'), 'westeurope'), flowLog(ids.vnet('a'), 'westeurope', { enabled: false })], 'nsg-only', {}],
    ['an NSG flow log on an NSG it does not use', [vnet('a', 'westeurope'), nsg('nsg-b', 'westeurope'), flowLog(ids.nsg('nsg-b'), 'westeurope')], 'none', { storageSameRegion: null }],
    ['storage in another region', [vnet('a', 'westeurope'), storage('stnortheurope', 'northeurope'), flowLog(ids.vnet('a'), 'westeurope', { storageName: 'stnortheurope' })], 'vnet', { storageSameRegion: false }],
    ['a storage account that could not be read', [vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope', { storageName: 'stelsewhere' })], 'vnet', { storageSameRegion: null }],
    ['nothing', [vnet('a', 'westeurope')], 'none', { trafficAnalytics: null, storageSameRegion: null, coveredByPolicy: null, flowLogIds: [] }],
  ])('%s', (_name, resources, state, fields) => {
    const [entry] = coverageOfResources([...base(), ...resources]).vnets;
    expect(entry?.flowLogs).toBe(state);
    expect(entry).toMatchObject(fields);
  });
});

const copyOf = (overrides: Partial<PolicyDefinition> = {}): ArmResource => ({
  id: `/subscriptions/${ids.workspace.split('/')[2]}/providers/Microsoft.Authorization/policyDefinitions/my-copy`, name: 'my-copy', type: 'Microsoft.Authorization/policyDefinitions',
  properties: {
    policyType: 'Custom', mode: 'Indexed',
    parameters: Object.fromEntries(['effect', 'vnetRegion', 'storageId', 'networkWatcherName', 'workspaceResourceId', 'workspaceRegion', 'timeInterval', 'retentionDays']
      .map((name) => [name, { type: 'String', ...(name === 'timeInterval' ? { defaultValue: '10' } : {}) }])),
    policyRule: {
      if: { allOf: [{ field: 'type', equals: 'Microsoft.Network/virtualNetworks' }, { field: 'location', equals: "[parameters('vnetRegion')]" }] },
      then: { effect: "[parameters('effect')]", details: { type: 'Microsoft.Network/networkWatchers/flowLogs' } },
    },
    ...overrides,
  },
});

describe('policy assignments', () => {
  const estate = [...base(), vnet('a', 'westeurope')];
  it.each<[string, ArmResource[], boolean]>([
    ['the built-in that does not overwrite', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'westeurope')], true],
    ['the built-in that overwrites', [assignment('p', FLOW_LOG_POLICY_UPDATE, 'westeurope')], true],
    ['a copy (custom, deploys flow logs for VNets, same parameters)', [copyOf(), assignment('p', copyOf().id, 'westeurope')], true],
    ['a custom definition that deploys something else', [copyOf({ policyRule: { if: { field: 'type', equals: 'Microsoft.Network/virtualNetworks' }, then: { details: { type: 'Microsoft.Insights/diagnosticSettings' } } } } as never), assignment('p', copyOf().id, 'westeurope')], false],
    ['an assignment for another region', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'northeurope')], false],
    ['an assignment whose region is written with a space and capitals', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'West Europe')], true],
    ['effect Disabled', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'westeurope', { parameters: { vnetRegion: { value: 'westeurope' }, effect: { value: 'Disabled' } } })], false],
    ['enforcement DoNotEnforce', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'westeurope', { enforcementMode: 'DoNotEnforce' })], false],
    ['the VNet\'s resource group excluded', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'westeurope', { notScopes: [ids.vnet('a').split('/providers/')[0]] })], false],
    ['a scope on another resource group', [assignment('p', FLOW_LOG_POLICY_DEPLOY, 'westeurope', { scope: `/subscriptions/${ids.vnet('a').split('/')[2]}/resourceGroups/other-rg` })], false],
    ['an unrelated assignment', [assignment('p', '/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c', 'westeurope')], false],
  ])('%s', (_name, resources, covered) => {
    const report = coverageOfResources([...estate, ...resources]);
    expect(report.vnets[0]?.coveredByPolicy).toBe(covered ? ids.assignment('p') : null);
    expect(report.plan.assignments.length).toBe(covered ? 0 : 1);
    expect(report.plan.noNewAssignment.length).toBe(covered ? 1 : 0);
  });

  it('reads a copy\'s defaults where the assignment leaves a parameter out', () => {
    const report = coverageOfResources([...estate, copyOf(), assignment('p', copyOf().id, 'westeurope')]);
    expect(report.policyAssignments[0]).toMatchObject({ definitionKind: 'copy', parameters: { timeInterval: '10', vnetRegion: 'westeurope' } });
  });

  it('recognises a copy by its rule and parameters only', () => {
    const definition = (properties: Record<string, unknown>): PolicyDefinition => ({ id: 'x', name: 'x', policyType: 'Custom', mode: 'Indexed', parameters: {}, policyRule: null, ...properties });
    const copy = copyOf().properties as { parameters: PolicyDefinition['parameters']; policyRule: PolicyDefinition['policyRule'] };
    expect(isFlowLogDefinitionCopy(definition({ parameters: copy.parameters, policyRule: copy.policyRule }))).toBe(true);
    expect(isFlowLogDefinitionCopy(definition({ parameters: { vnetRegion: {} }, policyRule: copy.policyRule }))).toBe(false);
    expect(isFlowLogDefinitionCopy(definition({ parameters: copy.parameters, policyRule: null }))).toBe(false);
  });
});

describe('the plan', () => {
  it('uses a same-region standard account, the region\'s watcher, the estate\'s workspace, interval 10 and the estate\'s retention', () => {
    const report = coverageOfResources([
      watcher('westeurope'), watcher('northeurope', 'watchers-rg'), workspace('westeurope'),
      storage('stwesteurope', 'westeurope'), storage('stnortheurope', 'northeurope'), storage('apremium', 'northeurope', 'Premium'),
      vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope', { retention: 90 }), vnet('b', 'northeurope'),
    ]);
    expect(report.plan.assignments).toEqual([expect.objectContaining({
      region: 'northeurope', policyDefinitionId: FLOW_LOG_POLICY_DEPLOY, scope: `/subscriptions/${ids.vnet('a').split('/')[2]}`, vnets: ['b'],
      parameters: {
        vnetRegion: 'northeurope', storageId: ids.storage('stnortheurope'), networkWatcherName: ids.watcher('northeurope', 'watchers-rg'), networkWatcherRG: 'watchers-rg',
        workspaceResourceId: ids.workspace, workspaceRegion: 'westeurope', timeInterval: '10', retentionDays: '90',
      },
      identity: { type: 'SystemAssigned', location: 'northeurope' },
      roleAssignments: [expect.objectContaining({ roleDefinitionId: expect.stringMatching(/\/roleDefinitions\/b24988ac-6180-42a0-ab88-20f7382dd24c$/u) })],
    })]);
    expect(FLOW_LOG_POLICY_DEFINITIONS).toContain(report.plan.assignments[0]?.policyDefinitionId);
  });

  it.each<[string, ArmResource[], string]>([
    ['no storage account', [watcher('westeurope'), workspace('westeurope'), vnet('a', 'westeurope')], 'no storage account in this region'],
    ['only a premium account', [watcher('westeurope'), workspace('westeurope'), storage('p', 'westeurope', 'Premium'), vnet('a', 'westeurope')], 'no storage account in this region'],
    ['no Network Watcher', [workspace('westeurope'), storage('s', 'westeurope'), vnet('a', 'westeurope')], 'no Network Watcher in this region'],
    ['no workspace', [watcher('westeurope'), storage('s', 'westeurope'), vnet('a', 'westeurope')], 'no Log Analytics workspace for Traffic Analytics'],
  ])('says why it cannot plan a region: %s', (_name, resources, reason) => {
    const report = coverageOfResources(resources);
    expect(report.plan.assignments).toEqual([]);
    expect(report.plan.missing).toEqual([{ region: 'westeurope', reason }]);
  });

  it('plans nothing for a region whose VNets all have VNet flow logs with Traffic Analytics', () => {
    const report = coverageOfResources([...base(), vnet('a', 'westeurope'), flowLog(ids.vnet('a'), 'westeurope')]);
    expect(report.plan).toMatchObject({ assignments: [], missing: [], noNewAssignment: [], customDefinition: null, templates: [], commands: [] });
  });
});

describe('firewalls', () => {
  it.each<[string, ArmResource[], boolean | null, boolean | null]>([
    ['resource-specific with flow trace', [firewall('fw', 'westeurope', true), diagnosticSetting('fw', 'Dedicated', ['AZFWNetworkRule', 'AZFWFlowTrace'])], true, true],
    ['flow trace category without TCP connection logging', [firewall('fw', 'westeurope', false), diagnosticSetting('fw', 'Dedicated', ['AZFWNetworkRule', 'AZFWFlowTrace'])], true, false],
    ['TCP connection logging without the category', [firewall('fw', 'westeurope', true), diagnosticSetting('fw', 'Dedicated', ['AZFWNetworkRule'])], true, false],
    ['legacy AzureDiagnostics', [firewall('fw', 'westeurope', false), diagnosticSetting('fw', null, ['AzureFirewallNetworkRule'])], false, false],
    ['allLogs to resource-specific tables', [firewall('fw', 'westeurope', true), diagnosticSetting('fw', 'Dedicated', ['allLogs'])], true, true],
    ['no diagnostic setting', [firewall('fw', 'westeurope', true)], false, false],
  ])('%s', (_name, resources, resourceSpecificLogs, flowTrace) => {
    const [entry] = coverageOfResources([...base(), vnet('a', 'westeurope'), ...resources]).firewalls;
    expect(entry).toMatchObject({ resourceSpecificLogs, flowTrace });
  });

  it('says null when the diagnostic settings could not be read', () => {
    const resources = [...base(), vnet('a', 'westeurope'), firewall('fw', 'westeurope', true)];
    const facts = { ...coverageFactsOf(resources), firewallDiagnosticSettings: {}, warnings: ['diagnostic settings of fw could not be read (no-permission: 403)'] };
    const report = computeCoverage(buildTopology(resources), facts);
    expect(report.firewalls[0]).toMatchObject({ resourceSpecificLogs: null, flowTrace: null });
    expect(report.warnings).toEqual(facts.warnings);
  });
});

describe('the next step a verdict gives', () => {
  it.each([
    ['none', 'Enable VNet flow logs with Traffic Analytics on vnet-a, vnet-b: the coverage plan for northeurope, westeurope'],
    ['nsg-only', 'Replace the NSG flow logs (retiring 30 September 2027) with VNet flow logs on vnet-a, vnet-b: the coverage plan for northeurope, westeurope'],
    ['disabled', 'Enable the disabled VNet flow log of vnet-a, vnet-b: the coverage plan for northeurope, westeurope'],
  ] as const)('%s', (state, start) => {
    const sentence = coverageNextStep([{ name: 'vnet-a', region: 'West Europe' }, { name: 'vnet-b', region: 'northeurope' }], state);
    expect(sentence.startsWith(start)).toBe(true);
    expect(sentence).toContain('netproof coverage');
  });
});
