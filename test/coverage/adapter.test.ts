/**
 * The coverage adapter through the real SDK clients against the lab on loopback: policy
 * assignments come from PolicyResources (not Resources), diagnostic settings through ARM; a part
 * that cannot be read becomes a warning and nulls, never a crash. Queries are checked as text.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AzureEvidenceSources, armGetOf, createEmulatorClients, loadCoverageFacts, type CoverageClients, type Estate } from '../../src/azure/index.js';
import { policyQuery, storageQuery } from '../../src/azure/policy.js';
import { computeCoverage } from '../../src/coverage/index.js';
import { ManualClock, startLab, type Lab } from '../../src/lab/index.js';

const scenario = fileURLToPath(new URL('../../src/lab/scenarios/coverage-mixed-estate', import.meta.url));
const subscription = '5460ade7-51a4-47a2-9a10-e392ba4dbd58';
let lab: Lab;
let clients: CoverageClients;
let estate: Estate;

beforeAll(async () => {
  lab = await startLab({ scenarios: [scenario], storage: false, clock: new ManualClock() });
  const sdk = createEmulatorClients(lab.endpoints, { retry: { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 50, perTryTimeoutInMs: 0 } });
  clients = { resourceGraph: sdk.resourceGraph, arm: armGetOf(sdk.network(subscription), lab.endpoints.arm) };
  const facade = new AzureEvidenceSources({ clients: sdk, subscriptionIds: [subscription], workspaceIds: [lab.scenarios[0]?.scenario.workspaceId ?? ''], limits: { sourceTimeoutInMs: 5_000 } });
  const loaded = await facade.estate();
  if (!loaded.ok) throw new Error(loaded.gap.detail);
  estate = loaded.value;
});
afterAll(async () => {
  await lab?.close();
});
afterEach(() => lab.clearFaults());

describe('coverage facts from the lab', () => {
  it('reads the assignment from PolicyResources, accounts and workspaces from Resources, settings through ARM', async () => {
    const facts = await loadCoverageFacts(clients, [subscription], estate, { timeoutInMs: 5_000 });
    expect(facts.ok).toBe(true);
    if (!facts.ok) return;
    expect(facts.value.warnings).toEqual([]);
    expect(facts.value.policyAssignments.map((assignment) => assignment.name)).toEqual(['fab-vnet-flowlogs-weu']);
    expect(facts.value.policyAssignments[0]?.parameters).toMatchObject({ vnetRegion: 'westeurope', timeInterval: '10' });
    expect(facts.value.storageAccounts.map((account) => [account.name, account.location, account.skuTier])).toEqual([
      ['fabflowlogsneu', 'northeurope', 'Standard'], ['fabflowlogsweu', 'westeurope', 'Standard'],
    ]);
    expect(facts.value.workspaces.map((workspace) => workspace.location)).toEqual(['westeurope']);
    expect(Object.keys(facts.value.firewallDiagnosticSettings)).toHaveLength(3);
    expect(facts.value.tcpConnectionLogging).toEqual([expect.stringMatching(/fab-hub-weu-afw$/u)]);
  });

  it('turns a forbidden diagnostic settings read into a warning and null firewall fields', async () => {
    lab.injectFault({ target: 'arm', kind: 'forbidden', match: { path: 'diagnosticSettings' } });
    const facts = await loadCoverageFacts(clients, [subscription], estate, { timeoutInMs: 5_000 });
    expect(facts.ok).toBe(true);
    if (!facts.ok) return;
    expect(facts.value.warnings).toHaveLength(3);
    expect(facts.value.warnings[0]).toMatch(/^diagnostic settings of .* could not be read \(no-permission/u);
    const report = computeCoverage(estate.topology, facts.value);
    expect(report.firewalls.every((firewall) => firewall.resourceSpecificLogs === null && firewall.flowTrace === null)).toBe(true);
    expect(report.vnets.find((vnet) => vnet.name === 'fab-hub-weu-vnet')?.coveredByPolicy).not.toBeNull();
  });

  it('turns a forbidden Resource Graph into warnings and unknowns', async () => {
    lab.injectFault({ target: 'resourceGraph', kind: 'forbidden' });
    const facts = await loadCoverageFacts(clients, [subscription], estate, { timeoutInMs: 5_000 });
    expect(facts.ok).toBe(true);
    if (!facts.ok) return;
    expect(facts.value.warnings.slice(0, 2)).toEqual([
      expect.stringMatching(/^policy assignments could not be read \(no-permission/u), expect.stringMatching(/^storage accounts could not be read \(no-permission/u),
    ]);
    const report = computeCoverage(estate.topology, facts.value);
    expect(report.vnets.every((vnet) => vnet.coveredByPolicy === null && vnet.storageSameRegion === null)).toBe(true);
    expect(report.plan.assignments).toEqual([]);
    expect(report.plan.missing.map((entry) => entry.reason)).toEqual(['the storage accounts could not be read', 'the storage accounts could not be read', 'the storage accounts could not be read']);
  });

  it('queries PolicyResources for assignments and definitions, Resources for accounts and workspaces', () => {
    expect(policyQuery().split('\n')[0]).toBe('PolicyResources');
    expect(policyQuery()).toContain("'microsoft.authorization/policyassignments'");
    expect(policyQuery()).toContain('"3e9965dc-cc13-47ca-8259-a4252fd0cf7b"');
    expect(storageQuery().split('\n')[0]).toBe('Resources');
  });
});
