/**
 * get_flow_log_coverage on the lab (coverage-mixed-estate): with the full coverage source the
 * composition root gives, filtered by region and state, paged, restricted to the user's scope;
 * and without one, from the scoped estate alone, saying what it could not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estateCoverage } from '../../src/main.js';
import { newTurnRecord, runTool, scopeSources, TOOLS, type AccessScope, type CoverageToolContext } from '../../tools/index.js';
import { startLabEstate, type LabEstate } from '../llm/harness.js';

let lab: LabEstate;
beforeAll(async () => { lab = await startLabEstate('coverage-mixed-estate'); });
afterAll(async () => { await lab?.close(); });

function contextFor(scope: AccessScope, withSource: boolean): CoverageToolContext {
  const sources = scopeSources(lab.dependencies.sources, scope);
  const estate = lab.runtime.estates[0];
  return {
    diagnose: lab.dependencies.createDiagnoser(sources), sources, scope, now: lab.dependencies.now(), signal: new AbortController().signal,
    previous: undefined, timeZone: undefined, uploads: [], captureOptions: {}, turn: newTurnRecord(),
    limits: { captureSeconds: 600, captureBytes: 1024, windowInMinutes: 7 * 24 * 60 },
    ...(withSource && estate ? { coverage: (signal: AbortSignal) => estateCoverage(lab.runtime, estate, signal) } : {}),
  };
}
const tool = TOOLS.find((candidate) => candidate.name === 'get_flow_log_coverage');
const call = (input: unknown, options: { scope?: AccessScope; withSource?: boolean } = {}) => {
  if (!tool) throw new Error('get_flow_log_coverage is not in the catalogue');
  return runTool(tool, JSON.stringify(input), contextFor(options.scope ?? { subscriptionIds: [lab.subscriptionId] }, options.withSource ?? true));
};

interface Data {
  regions: Array<{ region: string }>;
  vnets: Array<{ name: string; flowLogs: string; coveredByPolicy: string | null; storageSameRegion: boolean | null }>;
  firewalls: Array<{ name: string; resourceSpecificLogs: boolean | null; flowTrace: boolean | null }>;
  plan: { assignments: Array<{ region: string; parameters: Record<string, string> }>; missing: Array<{ region: string; reason: string }>; noNewAssignment: unknown[] };
  paging: { total: number };
  warnings: string[];
}

describe('get_flow_log_coverage', () => {
  it('answers "which VNets have no flow logs?"', async () => {
    const result = await call({ state: 'none' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const data = result.data as Data;
    expect(data.vnets.map((vnet) => vnet.name)).toEqual(['fab-us-app-eus2-vnet', 'fab-us-hub-eus2-vnet', 'fab-dr-data-neu-vnet']);
    expect(data.plan.assignments.map((assignment) => [assignment.region, assignment.parameters.timeInterval])).toEqual([['northeurope', '10']]);
    expect(data.plan.missing).toEqual([{ region: 'eastus2', reason: 'no storage account in this region' }]);
    expect(data.warnings).toEqual([]);
  });

  it('narrows to a region written as the portal writes it', async () => {
    const result = await call({ region: 'West Europe' });
    if (!result.ok) throw new Error(result.error.message);
    const data = result.data as Data;
    expect(data.regions.map((region) => region.region)).toEqual(['westeurope']);
    expect(data.vnets.every((vnet) => vnet.coveredByPolicy === 'fab-vnet-flowlogs-weu')).toBe(true);
    expect(data.firewalls.map((firewall) => [firewall.name, firewall.resourceSpecificLogs, firewall.flowTrace])).toEqual([['fab-hub-weu-afw', true, true]]);
    expect(data.plan.assignments).toEqual([]);
  });

  it('shows nothing outside the user\'s scope', async () => {
    const result = await call({}, { scope: { subscriptionIds: ['00000000-0000-0000-0000-000000000999'] } });
    if (!result.ok) throw new Error(result.error.message);
    const data = result.data as Data;
    expect(data).toMatchObject({ regions: [], vnets: [], firewalls: [], plan: { assignments: [], missing: [], noNewAssignment: [] } });
  });

  it('without a coverage source, computes from the scoped estate and says what it did not read', async () => {
    const result = await call({}, { withSource: false });
    if (!result.ok) throw new Error(result.error.message);
    const data = result.data as Data;
    expect(data.paging.total).toBe(9);
    expect(data.vnets.find((vnet) => vnet.name === 'fab-dr-app-neu-vnet')?.flowLogs).toBe('nsg-only');
    expect(data.vnets.every((vnet) => vnet.coveredByPolicy === null && vnet.storageSameRegion === null)).toBe(true);
    expect(data.firewalls.every((firewall) => firewall.resourceSpecificLogs === null)).toBe(true);
    expect(data.warnings[0]).toContain('run netproof coverage');
  });

  it('rejects arguments that are not a region or a state', async () => {
    expect(await call({ region: "westeurope' or 1==1" })).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    expect(await call({ state: 'off' })).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
  });
});
