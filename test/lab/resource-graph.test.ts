import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLabClients, startLab, type Lab, type LabClients } from '../../src/lab/index.js';

const scenarioDirectory = 'test/fixtures/scenarios/example-rdp-remote-site';
const scenario = JSON.parse(readFileSync(`${scenarioDirectory}/scenario.json`, 'utf8')) as {
  subscriptionId: string;
  resources: { id: string; type: string; name: string }[];
};

let lab: Lab;
let clients: LabClients;

beforeAll(async () => {
  lab = await startLab({ scenarios: [scenarioDirectory], storage: false, pageSize: 4 });
  clients = createLabClients(lab, { retryOptions: { maxRetries: 0 } });
});
afterAll(async () => {
  await lab?.close();
});
afterEach(() => lab.clearFaults());

describe('Resource Graph through ResourceGraphClient', () => {
  it('lowercases type, derives resourceGroup and subscriptionId from the id', async () => {
    const result = await clients.resourceGraph.resources({
      subscriptions: [scenario.subscriptionId],
      query: "Resources | where type == 'microsoft.compute/virtualmachines' and name == 'vm-app01' | project id, name, type, resourceGroup, subscriptionId",
    });
    const vm = scenario.resources.find((resource) => resource.name === 'vm-app01')!;
    expect(result.totalRecords).toBe(1);
    expect(result.count).toBe(1);
    expect(result.resultTruncated).toBe('false');
    expect(result.data).toEqual([{ id: vm.id, name: 'vm-app01', type: 'microsoft.compute/virtualmachines', resourceGroup: 'ctd-app-rg', subscriptionId: scenario.subscriptionId }]);
  });

  it('pages with $skipToken until every record is read, the same set as the scenario holds', async () => {
    const query = "Resources | where type =~ 'Microsoft.Network/networkSecurityGroups' or type =~ 'Microsoft.Compute/virtualMachines' | project name | order by name asc";
    const expected = scenario.resources
      .filter((resource) => ['microsoft.network/networksecuritygroups', 'microsoft.compute/virtualmachines'].includes(resource.type.toLowerCase()))
      .map((resource) => resource.name)
      .sort();
    const names: string[] = [];
    let skipToken: string | undefined;
    let pages = 0;
    do {
      const page = await clients.resourceGraph.resources({ subscriptions: [scenario.subscriptionId], query, options: { top: 3, skipToken } });
      expect(page.totalRecords).toBe(expected.length);
      names.push(...(page.data as { name: string }[]).map((row) => row.name));
      skipToken = page.skipToken;
      pages += 1;
    } while (skipToken);
    expect(names).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 3));
  });

  it('returns the table format when asked', async () => {
    const result = await clients.resourceGraph.resources({
      subscriptions: [scenario.subscriptionId],
      query: "Resources | where name == 'vm-app01' | project name, location",
      options: { resultFormat: 'table' },
    });
    expect(result.data).toEqual({ columns: [{ name: 'name', type: 'string' }, { name: 'location', type: 'string' }], rows: [['vm-app01', 'eastus2']] });
  });

  it('sees nothing of a subscription the lab does not hold', async () => {
    const result = await clients.resourceGraph.resources({ subscriptions: ['00000000-0000-0000-0000-000000000099'], query: 'Resources | count' });
    expect(result.data).toEqual([{ Count: 0 }]);
  });

  it('answers a bad query with 400 and the details ARG gives', async () => {
    await expect(clients.resourceGraph.resources({ subscriptions: [scenario.subscriptionId], query: 'Resources | where' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('throttle: 429 RateLimiting with Retry-After', async () => {
    lab.injectFault({ target: 'resourceGraph', kind: 'throttle', retryAfterInSeconds: 0 });
    const error = await clients.resourceGraph.resources({ subscriptions: [scenario.subscriptionId], query: 'Resources | count' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 429, code: 'RateLimiting' });
  });
});
