/**
 * Golden coverage reports of the built-in scenarios with mixed coverage (several regions, VNet and
 * NSG-only flow logs, a disabled one, none, an existing assignment, firewalls with and without
 * resource-specific logs and flow trace): `test/golden/coverage-<scenario>/coverage.json`. A change
 * to one is reviewed like code.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CoverageReportSchema } from '../../src/domain/coverage.js';
import { coverageOfResources, scenarioResources } from './fixtures.js';

const GOLDEN = join(import.meta.dirname, '..', 'golden');
const CASES = ['coverage-mixed-estate', 'nsg-flow-logs-only', 'no-flow-logs-enabled', 'flow-logs-not-yet-ingested', 'rdp-remote-site'];

describe('golden coverage reports', () => {
  it.each(CASES)('%s', async (name) => {
    const report = CoverageReportSchema.parse(coverageOfResources(scenarioResources(name)));
    await expect(`${JSON.stringify(report, null, 2)}\n`).toMatchFileSnapshot(join(GOLDEN, name.startsWith('coverage-') ? name : `coverage-${name}`, 'coverage.json'));
  });
});
