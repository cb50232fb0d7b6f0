import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault, Scenario } from '../../src/domain/scenario.js';
import { UserInputError } from '../../src/domain/errors.js';
import { faultMatches, FaultSet, parseFaultHeader } from '../../src/lab/faults.js';
import { createLabClients, FAULT_HEADER, startLab, type Lab, type LabClients } from '../../src/lab/index.js';

const scenarioText = readFileSync('test/fixtures/scenarios/example-rdp-remote-site/scenario.json', 'utf8');
const example = JSON.parse(scenarioText) as Scenario;
const otherSubscription = '0b0b0b0b-0000-4000-8000-000000000002';
const otherWorkspace = '0c0c0c0c-0000-4000-8000-000000000003';
/** The same estate under another subscription and workspace: a second tenant the lab must keep apart. */
const other = JSON.parse(
  scenarioText.replaceAll(example.subscriptionId, otherSubscription).replaceAll(example.workspaceId, otherWorkspace),
) as Scenario;
other.name = 'example-copy';
other.faults = [{ target: 'networkWatcher', kind: 'forbidden', match: { operation: 'nextHop' } }];

describe('fault matching', () => {
  const request = { surface: 'logs' as const, operation: 'query', path: '/v1/workspaces/w/query', query: 'AZFWNetworkRule | where SourceIp == "1.2.3.4"' };
  it.each<[string, Fault, boolean]>([
    ['same surface', { target: 'logs', kind: 'forbidden' }, true],
    ['all surfaces', { target: 'all', kind: 'forbidden' }, true],
    ['another surface', { target: 'arm', kind: 'forbidden' }, false],
    ['the table named in the query', { target: 'logs', kind: 'forbidden', match: { table: 'AZFWNetworkRule' } }, true],
    ['a table only a prefix of a word in the query', { target: 'logs', kind: 'forbidden', match: { table: 'AZFWNetwork' } }, false],
    ['a missing table applies whatever the query names', { target: 'logs', kind: 'missing-table', match: { table: 'NTANetAnalytics' } }, true],
    ['another operation', { target: 'logs', kind: 'forbidden', match: { operation: 'batch' } }, false],
    ['a path fragment, any case', { target: 'logs', kind: 'forbidden', match: { path: '/WORKSPACES/' } }, true],
  ])('%s', (_name, fault, expected) => {
    expect(faultMatches(fault, request)).toBe(expected);
  });

  it('fires a fault with `times` only that often', () => {
    const set = new FaultSet([{ target: 'logs', kind: 'throttle', times: 2 }]);
    expect([1, 2, 3].map(() => set.take(request).length)).toEqual([1, 1, 0]);
  });

  it('names what is wrong with a header fault', () => {
    expect(() => parseFaultHeader('{"target":"logs"}')).toThrow('x-netproof-fault: kind: ');
    expect(() => parseFaultHeader('not json')).toThrow('x-netproof-fault is not JSON');
  });
});

describe('several scenarios and faults on the Network Watcher surface', () => {
  let lab: Lab;
  let clients: LabClients;
  let otherClients: LabClients;
  const watcher = ['NetworkWatcherRG', 'NetworkWatcher_eastus2'] as const;
  const nextHopRequest = (subscription: string) => ({
    targetResourceId: `/subscriptions/${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Compute/virtualMachines/vm-app01`,
    sourceIPAddress: '10.201.1.4',
    destinationIPAddress: '192.168.10.5',
  });

  beforeAll(async () => {
    lab = await startLab({ scenarios: [example, other], storage: false });
    clients = createLabClients(lab, { retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 } });
    otherClients = createLabClients(lab, { subscriptionId: otherSubscription, retryOptions: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await lab?.close();
  });
  afterEach(() => lab.clearFaults());

  it('routes by subscription: each scenario answers for its own, with its own faults', async () => {
    expect((await clients.network.networkWatchers.getNextHop(...watcher, nextHopRequest(example.subscriptionId))).nextHopType).toBe('VirtualAppliance');
    await expect(otherClients.network.networkWatchers.getNextHop(...watcher, nextHopRequest(otherSubscription))).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    expect((await otherClients.network.routeTables.get('ctd-app-rg', 'ctd-app-spoke-rt')).id).toContain(otherSubscription);
  });

  it('routes Log Analytics by workspace, and Resource Graph sees the subscriptions asked for', async () => {
    const result = await clients.logs.queryWorkspace(otherWorkspace, 'AZFWNetworkRule | count', { duration: 'P7D' });
    expect(result.status).toBe('Success');
    const both = await clients.resourceGraph.resources({ subscriptions: [example.subscriptionId, otherSubscription], query: "Resources | where type == 'microsoft.compute/virtualmachines' | count" });
    const one = await clients.resourceGraph.resources({ subscriptions: [otherSubscription], query: "Resources | where type == 'microsoft.compute/virtualmachines' | count" });
    expect((both.data as { Count: number }[])[0]!.Count).toBe(2 * (one.data as { Count: number }[])[0]!.Count);
  });

  it('server error once: the SDK retry policy tries again and gets the answer', async () => {
    lab.injectFault({ target: 'networkWatcher', kind: 'server-error', status: 503, times: 1 });
    expect((await clients.network.networkWatchers.getNextHop(...watcher, nextHopRequest(example.subscriptionId))).nextHopType).toBe('VirtualAppliance');
  });

  it('throttle on Network Watcher: 429 with Retry-After in the ARM shape', async () => {
    lab.injectFault({ target: 'networkWatcher', kind: 'throttle', retryAfterInSeconds: 7 });
    const response = await fetch(`${lab.endpoints.arm}/subscriptions/${example.subscriptionId}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_eastus2/nextHop?api-version=2026-01-01`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(nextHopRequest(example.subscriptionId)),
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toMatchObject({ error: { code: 'SubscriptionRequestsThrottled' } });
  });

  it('a per-request header fault applies to that request only', async () => {
    const header = { requestOptions: { headers: { [FAULT_HEADER]: JSON.stringify({ target: 'arm', kind: 'server-error', status: 500 }) } } };
    const noRetry = createLabClients(lab, { retryOptions: { maxRetries: 0 } });
    await expect(noRetry.network.routeTables.get('ctd-app-rg', 'ctd-app-spoke-rt', header)).rejects.toMatchObject({ statusCode: 500 });
    expect((await noRetry.network.routeTables.get('ctd-app-rg', 'ctd-app-spoke-rt')).name).toBe('ctd-app-spoke-rt');
  });

  it('answers a malformed header fault with 400', async () => {
    const response = await fetch(`${lab.endpoints.arm}/subscriptions/${example.subscriptionId}?api-version=2022-12-01`, { headers: { [FAULT_HEADER]: '{"kind":"nope"}' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'InvalidFault' } });
  });

  it('serves two scenarios that share ids: the first at the root, each alone under /scenarios/{name}', async () => {
    const twin = { ...example, name: 'example-twin', faults: [{ target: 'networkWatcher' as const, kind: 'forbidden' as const }] };
    const shared = await startLab({ scenarios: [example, twin], storage: false });
    try {
      expect(shared.shadowed).toEqual(['example-twin']);
      const root = createLabClients(shared, { retryOptions: { maxRetries: 0 } });
      const twinClients = createLabClients(shared, { scenario: 'example-twin', retryOptions: { maxRetries: 0 } });
      expect((await root.network.networkWatchers.getNextHop(...watcher, nextHopRequest(example.subscriptionId))).nextHopType).toBe('VirtualAppliance');
      await expect(twinClients.network.networkWatchers.getNextHop(...watcher, nextHopRequest(example.subscriptionId))).rejects.toMatchObject({ statusCode: 403 });
      const count = "Resources | where type == 'microsoft.compute/virtualmachines' | count";
      const rootCount = await root.resourceGraph.resources({ subscriptions: [example.subscriptionId], query: count });
      const twinCount = await twinClients.resourceGraph.resources({ subscriptions: [example.subscriptionId], query: count });
      expect(rootCount.data).toEqual(twinCount.data);
      const logs = await twinClients.logs.queryWorkspace(example.workspaceId, 'AZFWNetworkRule | count', { duration: 'P7D' });
      expect(logs.status).toBe('Success');
      expect(() => shared.endpointsFor('nope')).toThrow(UserInputError);
    } finally {
      await shared.close();
    }
  });

  it('refuses two scenarios with the same name', async () => {
    const error = await startLab({ scenarios: [example, { ...other, name: example.name }], storage: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain(`two scenarios are named ${example.name}`);
  });
});
