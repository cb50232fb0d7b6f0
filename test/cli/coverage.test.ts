/**
 * `netproof coverage` in process against the lab: the JSON follows section 6 and equals the pure
 * computation over the scenario's resources (so the adapter reads policy assignments from
 * PolicyResources, storage accounts from Resources and diagnostic settings through ARM as Azure
 * serves them), the text report, the template file, and a scenario that cannot be used.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCoverage, type CoverageOptions } from '../../src/cli/coverage.js';
import { CoverageReportSchema } from '../../src/domain/coverage.js';
import { isUserInputError } from '../../src/domain/errors.js';
import { parseConfig } from '../../src/config.js';
import { createRuntime, estateCoverage } from '../../src/main.js';
import { coverageOfResources, scenarioResources, SCENARIOS } from '../coverage/fixtures.js';

async function run(options: CoverageOptions): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await runCoverage(options);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

const mixed = join(SCENARIOS, 'coverage-mixed-estate');

describe('netproof coverage', () => {
  it('prints the section-6 JSON, read through the lab as Azure serves it', async () => {
    const { stdout, stderr } = await run({ scenario: mixed, json: true });
    expect(stderr).toBe('');
    const report = CoverageReportSchema.parse(JSON.parse(stdout));
    expect(report).toEqual(coverageOfResources(scenarioResources('coverage-mixed-estate')));
    expect(report.vnets.find((vnet) => vnet.name === 'fab-hub-weu-vnet')?.coveredByPolicy).toMatch(/policyAssignments\/fab-vnet-flowlogs-weu$/u);
    expect(report.firewalls.map((firewall) => [firewall.name, firewall.resourceSpecificLogs, firewall.flowTrace])).toEqual([
      ['fab-us-hub-eus2-afw', true, false], ['fab-hub-neu-afw', false, false], ['fab-hub-weu-afw', true, true],
    ]);
  });

  it('prints the report, the plan and its commands as text, and writes the template', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'netproof-coverage-')), 'plan.json');
    const { stdout, stderr } = await run({ scenario: mixed, template: file });
    expect(stdout).toContain('## northeurope: 3 VNets (1 VNet flow logs, 1 NSG only, 0 disabled, 1 none)');
    expect(stdout).toContain('fab-sandbox-weu-vnet: VNet flow log disabled');
    expect(stdout).toContain('- eastus2: cannot plan: no storage account in this region.');
    expect(stdout).toContain('- westeurope: already handled by fab-vnet-flowlogs-weu; no new assignment. Still a gap: fab-sandbox-weu-vnet');
    expect(stdout).toMatch(/^az policy assignment create --name 'netproof-vnet-flowlogs-northeurope'/mu);
    expect(stderr).toContain(`deployment template written to ${file}`);
    const template = JSON.parse(readFileSync(file, 'utf8')) as { $schema: string; resources: unknown[] };
    expect(template.$schema).toMatch(/subscriptionDeploymentTemplate\.json#$/u);
    expect(template.resources.length).toBe(3);
  });

  it('reads each estate from its own scenario when two share a subscription', async () => {
    const names = ['coverage-mixed-estate', 'no-flow-logs-enabled'];
    const runtime = await createRuntime(parseConfig({}), { scenarioDirectories: names.map((name) => join(SCENARIOS, name)), frozenClock: true });
    try {
      for (const name of names) {
        const estate = runtime.estates.find((candidate) => candidate.name === name);
        if (!estate) throw new Error(`no estate ${name}`);
        const outcome = await estateCoverage(runtime, estate);
        expect(outcome.ok && outcome.report).toEqual(coverageOfResources(scenarioResources(name)));
      }
    } finally {
      await runtime.close();
    }
  });

  it('refuses a folder that is not a scenario as the user\'s to fix', async () => {
    const error = await run({ scenario: join(SCENARIOS, 'does-not-exist'), json: true }).catch((caught: unknown) => caught);
    expect(isUserInputError(error)).toBe(true);
  });
});
