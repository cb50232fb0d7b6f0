/** The coverage card, parsed and validated with the Adaptive Cards SDK under the size cap, as test/bot/cards.test.ts does. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { coverageCard } from '../../src/report/coverage-card.js';
import type { ArmResource } from '../../src/azure/topology.js';
import { expectValidCard, textOf } from '../bot/helpers.js';
import { SCENARIOS, coverageOfResources, scenarioResources, vnet, watcher, workspace } from './fixtures.js';

describe('the coverage card', () => {
  it('shows counts per region, the top gaps, the firewalls and the plan of the mixed estate', () => {
    const card = coverageCard(coverageOfResources(scenarioResources('coverage-mixed-estate')), { estateName: 'coverage-mixed-estate', reportUrl: 'https://netproof.example/coverage' });
    expectValidCard(card);
    const text = textOf(card);
    expect(text).toContain('9 VNets in 3 regions: 4 with VNet flow logs, 1 NSG only, 1 disabled, 3 none.');
    expect(text).toContain('4 VNets: 3 VNet flow logs, 0 NSG only, 1 disabled, 0 none · policy fab-vnet-flowlogs-weu');
    expect(text).toContain('fab-dr-data-neu-vnet');
    expect(text).toContain('northeurope: assign the built-in flow-log policy (Traffic Analytics every 10 minutes, storage fabflowlogsneu)');
    expect(text).toContain('eastus2: cannot plan yet, no storage account in this region');
    expect(text).toContain('resource-specific tables no, flow trace no');
  });

  it.each(readdirSync(SCENARIOS))('is valid for %s', (name) => {
    expectValidCard(coverageCard(coverageOfResources(scenarioResources(name))));
  });

  it('stays under the cap for a large estate', () => {
    const resources: ArmResource[] = [workspace('westeurope')];
    for (let region = 0; region < 40; region += 1) {
      resources.push(watcher(`region${region}`));
      for (let index = 0; index < 10; index += 1) resources.push(vnet(`vnet-${region}-${index}-${'x'.repeat(40)}`, `region${region}`));
    }
    const card = coverageCard(coverageOfResources(resources));
    expectValidCard(card);
    expect(textOf(card)).toContain('more');
  });
});
