/**
 * The adapters through the real SDK clients (built by src/azure/clients.ts for an
 * emulator) against the lab on loopback, on the example scenario.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ManualClock, startLab, type Lab } from '../../src/lab/index.js';
import { AzureEvidenceSources, createEmulatorClients } from '../../src/azure/index.js';

const scenarioDirectory = fileURLToPath(new URL('../fixtures/scenarios/example-rdp-remote-site', import.meta.url));
const subscription = '72e01a46-36d0-4b16-9f69-2e936641b9b4';
const rg = (group: string) => `/subscriptions/${subscription}/resourceGroups/${group}`;
const appNic = `${rg('ctd-app-rg')}/providers/Microsoft.Network/networkInterfaces/nic-vm-app01`;
const appVm = `${rg('ctd-app-rg')}/providers/Microsoft.Compute/virtualMachines/vm-app01`;
const watcher = `${rg('NetworkWatcherRG')}/providers/Microsoft.Network/networkWatchers/NetworkWatcher_eastus2`;
const window = { start: '2026-11-12T14:00:00Z', end: '2026-11-12T14:30:00Z' };

let lab: Lab;
let sources: AzureEvidenceSources;
let workspaceId: string;

beforeAll(async () => {
  lab = await startLab({ scenarios: [scenarioDirectory], storage: false, clock: new ManualClock() });
  workspaceId = lab.scenarios[0]?.scenario.workspaceId ?? '';
  const clients = createEmulatorClients(lab.endpoints, { retry: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50, perTryTimeoutInMs: 0 } });
  sources = new AzureEvidenceSources({
    clients, subscriptionIds: [subscription], workspaceIds: [workspaceId],
    limits: { sourceTimeoutInMs: 4_000, pollIntervalInMs: 10, maxRows: 200 },
  });
});

afterAll(async () => {
  await lab?.close();
});

afterEach(() => lab.clearFaults());

describe('firewall logs', () => {
  it('finds no row for 192.168.10.5 -> vm-app01:3389 in the window, while other branch hosts have rows', async () => {
    const none = await sources.firewallLogs({ source: '192.168.10.5', destination: '10.201.1.4', port: 3389, protocol: 'tcp', window });
    expect(none.ok).toBe(true);
    if (!none.ok) return;
    expect(none.value).toEqual([]);
    // No gap for the tables that exist; the legacy form is not expected when AZFW* tables answer.
    expect((none.gaps ?? []).filter((gap) => gap.reason !== 'not-enabled' || gap.source !== 'AZFWNatRule')).toEqual([]);

    const toApp01 = await sources.firewallLogs({ destination: '10.201.1.4', window });
    expect(toApp01.ok).toBe(true);
    if (!toApp01.ok) return;
    const sourcesSeen = new Set(toApp01.value.map((item) => (item.kind === 'firewall-log' ? item.data.sourceIp : null)));
    expect(sourcesSeen.size).toBeGreaterThan(1);
    expect(sourcesSeen.has('192.168.10.5')).toBe(false);
    const times = toApp01.value.map((item) => (item.kind === 'firewall-log' ? item.data.time : ''));
    expect(times).toEqual([...times].sort());
    for (const item of toApp01.value) {
      expect(item.kind).toBe('firewall-log');
      if (item.kind === 'firewall-log') {
        expect(Date.parse(item.data.time)).toBeGreaterThanOrEqual(Date.parse(window.start));
        expect(Date.parse(item.data.time)).toBeLessThanOrEqual(Date.parse(window.end));
      }
    }
  });

  it('compares addresses whole: rows of 192.168.10.52 never match 192.168.10.5', async () => {
    const wide = { start: '2026-11-12T00:00:00Z', end: '2026-11-12T17:45:00Z' };
    const near = await sources.firewallLogs({ source: '192.168.10.52', window: wide });
    const exact = await sources.firewallLogs({ source: '192.168.10.5', window: wide });
    expect(near.ok && exact.ok).toBe(true);
    if (!near.ok || !exact.ok) return;
    expect(near.value.length).toBeGreaterThan(0);
    expect(exact.value).toEqual([]);
  });

  it('caps rows and says so', async () => {
    const capped = await sources.firewallLogs({ window: { start: '2026-11-12T00:00:00Z', end: '2026-11-12T17:45:00Z' }, destination: '10.201.1.4', maxRows: 2, tables: ['AZFWNetworkRule'] });
    expect(capped.ok).toBe(true);
    if (!capped.ok) return;
    expect(capped.value).toHaveLength(2);
    expect(capped.warnings?.join(' ')).toMatch(/more than 2 rows/);
  });
});

describe('Traffic Analytics', () => {
  it('returns the app VNet flows of the 14:00, 14:10 and 14:20 intervals', async () => {
    const flows = await sources.flowLogs({ destination: '10.201.1.4', window }, 10);
    expect(flows.ok).toBe(true);
    if (!flows.ok) return;
    const intervals = new Set(flows.value.map((item) => (item.kind === 'flow-log' ? item.data.intervalStart : '')));
    expect([...intervals].sort()).toEqual(['2026-11-12T14:00:00.000Z', '2026-11-12T14:10:00.000Z', '2026-11-12T14:20:00.000Z']);
    expect(flows.value.every((item) => item.kind === 'flow-log' && item.data.destinationIp === '10.201.1.4')).toBe(true);
    const fromUser = await sources.flowLogs({ source: '192.168.10.5', window }, 10);
    expect(fromUser.ok && fromUser.value.length).toBe(0);
  });

  it('measures freshness: both sources cover the window at the scenario clock', async () => {
    const now = lab.scenarios[0]?.scenario.now ?? '';
    const result = await sources.freshness([
      { table: 'NTANetAnalytics', expectedDelayInMinutes: 70 },
      { table: 'AZFWNetworkRule', expectedDelayInMinutes: 10 },
      { table: 'AZFWNatRule', expectedDelayInMinutes: 10 },
    ], now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.map((item) => item.source)).toEqual(['NTANetAnalytics', 'AZFWNetworkRule']);
    for (const item of result.value) {
      if (item.kind !== 'source-freshness') throw new Error('wrong kind');
      expect(Date.parse(item.data.coveredUntil)).toBeGreaterThan(Date.parse(window.end));
      expect(item.data.measuredLagInMinutes).not.toBeNull();
    }
    expect(result.gaps).toEqual([expect.objectContaining({ source: 'AZFWNatRule', reason: 'not-enabled' })]);
  });
});

describe('gateway logs', () => {
  it('reads the tunnel and IKE events of the VPN gateway', async () => {
    const gatewayId = `${rg('ctd-connectivity-rg')}/providers/Microsoft.Network/virtualNetworkGateways/ctd-hub-eus2-vgw`;
    const result = await sources.gatewayLogs({ gatewayId, window: { start: '2026-11-12T08:00:00Z', end: '2026-11-12T08:10:00Z' } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.some((item) => item.kind === 'gateway-log' && item.data.category === 'TunnelDiagnosticLog')).toBe(true);
  });
});

describe('Network Watcher and NICs', () => {
  it('computes the next hop from vm-app01 back to the branch: the firewall', async () => {
    const result = await sources.nextHop({ networkWatcherId: watcher, vmId: appVm, nicId: appNic, sourceIp: '10.201.1.4', destinationIp: '192.168.10.5' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.data).toMatchObject({ nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.200.1.4' });
    expect(result.value.query).toMatch(/^POST \/subscriptions\/.*\/networkWatchers\/NetworkWatcher_eastus2\/nextHop\?api-version=2026-01-01 \{/);
  });

  it('reads the effective routes and security rules of vm-app01\'s NIC', async () => {
    const routes = await sources.effectiveRoutes(appNic);
    expect(routes.ok).toBe(true);
    if (!routes.ok) return;
    expect(routes.value.data.routes.some((route) => route.addressPrefixes.includes('0.0.0.0/0') && route.state === 'Active' && route.nextHopType === 'VirtualAppliance')).toBe(true);
    const rules = await sources.effectiveSecurityRules(appNic);
    expect(rules.ok).toBe(true);
    if (!rules.ok) return;
    expect(new Set(rules.value.data.rules.map((rule) => rule.appliedTo))).toEqual(new Set(['subnet', 'networkInterface']));
  });

  it('reads the branch connection', async () => {
    const result = await sources.gatewayConnection(`${rg('ctd-connectivity-rg')}/providers/Microsoft.Network/connections/ctd-hub-eus2-to-branch-phl-cn`);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.data.connectionStatus).toBe('Connected');
  });
});

describe('Resource Graph', () => {
  it('builds the topology and resolves names and addresses', async () => {
    const topology = await sources.topology();
    expect(topology.ok).toBe(true);
    if (!topology.ok) return;
    expect(topology.value.data.virtualNetworks.map((network) => network.name)).toEqual(['ctd-app-eus2-vnet', 'ctd-hub-eus2-vnet', 'ctd-data-eus2-vnet']);
    expect(topology.value.data.firewalls[0]?.privateIpAddress).toBe('10.200.1.4');
    const lookup = await sources.findResources(['vm-app01', 'vm-ap01'], ['192.168.10.5']);
    expect(lookup.ok).toBe(true);
    if (!lookup.ok) return;
    expect(lookup.value.found[0]).toMatchObject({ networkInterfaceId: appNic, privateIpAddresses: ['10.201.1.4'] });
    expect(lookup.value.found[1]?.remoteConnectionId).toMatch(/ctd-hub-eus2-to-branch-phl-cn$/);
    expect(lookup.value.unknown[0]?.candidates).toContain('vm-app01');
  });
});

describe('lab faults become gaps', () => {
  const flow = { source: '192.168.10.5', destination: '10.201.1.4', port: 3389, window };

  it.each([
    ['forbidden', { target: 'logs', kind: 'forbidden' } as const, 'no-permission'],
    ['throttle after retries', { target: 'logs', kind: 'throttle', retryAfterInSeconds: 0 } as const, 'throttled'],
    ['server error', { target: 'logs', kind: 'server-error', status: 500 } as const, 'failed'],
  ])('%s', async (_name, fault, reason) => {
    lab.injectFault(fault);
    const result = await sources.flowLogs(flow, 10);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.gap).toMatchObject({ source: 'NTANetAnalytics', reason });
  });

  it('timeout', async () => {
    lab.injectFault({ target: 'logs', kind: 'timeout', latencyInMs: 20_000 });
    const result = await sources.flowLogs(flow, 10);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.gap.reason).toBe('timeout');
  });

  it('a throttle that clears before retries run out is not a gap', async () => {
    lab.injectFault({ target: 'logs', kind: 'throttle', retryAfterInSeconds: 0, times: 1 });
    const result = await sources.flowLogs({ destination: '10.201.1.4', window }, 10);
    expect(result.ok).toBe(true);
  });

  it('partial answer: rows kept, gap reported', async () => {
    lab.injectFault({ target: 'logs', kind: 'partial', match: { table: 'NTANetAnalytics' } });
    const result = await sources.flowLogs({ destination: '10.201.1.4', window }, 10);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.gaps).toEqual([expect.objectContaining({ source: 'NTANetAnalytics', reason: 'failed', detail: expect.stringMatching(/partial/) })]);
  });

  it('missing table: not-enabled for that table only', async () => {
    lab.injectFault({ target: 'logs', kind: 'missing-table', match: { table: 'AZFWFlowTrace' } });
    const result = await sources.firewallLogs({ destination: '10.201.1.4', window });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.length).toBeGreaterThan(0);
    expect(result.gaps).toContainEqual(expect.objectContaining({ source: 'AZFWFlowTrace', reason: 'not-enabled' }));
  });

  it('forbidden Network Watcher call', async () => {
    lab.injectFault({ target: 'networkWatcher', kind: 'forbidden' });
    const result = await sources.nextHop({ networkWatcherId: watcher, vmId: appVm, nicId: appNic, sourceIp: '10.201.1.4', destinationIp: '192.168.10.5' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.gap).toMatchObject({ source: 'nextHop', reason: 'no-permission' });
  });

  it('forbidden Resource Graph', async () => {
    const fresh = new AzureEvidenceSources({ clients: createEmulatorClients(lab.endpoints, { retry: { maxRetries: 0 } }), subscriptionIds: [subscription], workspaceIds: [workspaceId] });
    lab.injectFault({ target: 'resourceGraph', kind: 'forbidden' });
    const result = await fresh.topology();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.gap).toMatchObject({ source: 'Azure Resource Graph', reason: 'no-permission' });
  });
});

describe('the estate read from Resource Graph, reused for a while', () => {
  /** A facade whose Resource Graph calls are counted, and whose monotonic clock the test moves. */
  function countedFacade() {
    const clients = createEmulatorClients(lab.endpoints, { retry: { maxRetries: 0 } });
    const counter = { calls: 0, at: 0 };
    const resourceGraph = {
      resources: (...args: Parameters<typeof clients.resourceGraph.resources>) => {
        counter.calls += 1;
        return clients.resourceGraph.resources(...args);
      },
    };
    const facade = new AzureEvidenceSources({
      clients: { ...clients, resourceGraph }, subscriptionIds: [subscription], workspaceIds: [workspaceId],
      limits: { sourceTimeoutInMs: 4_000, estateMaxAgeInMs: 300_000, estateFailureMaxAgeInMs: 15_000 },
      monotonicNow: () => counter.at,
    });
    return { facade, counter };
  }

  it('serves the callers of one read together, reuses it for five minutes, then reads again', async () => {
    const { facade, counter } = countedFacade();
    const [first, second] = await Promise.all([facade.topology(), facade.findResources(['vm-app01'])]);
    expect(first.ok && second.ok).toBe(true);
    const perRead = counter.calls;
    expect(perRead).toBeGreaterThan(0);
    counter.at += 299_000;
    expect((await facade.topology()).ok).toBe(true);
    expect(counter.calls).toBe(perRead);
    counter.at += 2_000;
    expect((await facade.topology()).ok).toBe(true);
    expect(counter.calls).toBe(2 * perRead);
  });

  it('answers a failed read from memory for 15 s (one question does not read a forbidden estate twice), then tries again', async () => {
    const { facade, counter } = countedFacade();
    lab.injectFault({ target: 'resourceGraph', kind: 'forbidden' });
    const failed = await facade.topology();
    expect(failed.ok).toBe(false);
    const calls = counter.calls;
    expect((await facade.findResources(['vm-app01'])).ok).toBe(false);
    expect(counter.calls).toBe(calls);
    lab.clearFaults();
    counter.at += 16_000;
    expect((await facade.topology()).ok).toBe(true);
    expect(counter.calls).toBeGreaterThan(calls);
  });

  it('ends a caller\'s wait at its own deadline without failing the read the others wait for', async () => {
    const { facade } = countedFacade();
    lab.injectFault({ target: 'resourceGraph', kind: 'latency', latencyInMs: 300 });
    const impatient = new AbortController();
    const waiting = facade.topology(impatient.signal);
    const patient = facade.topology();
    impatient.abort();
    const cut = await waiting;
    expect(cut.ok).toBe(false);
    if (!cut.ok) expect(cut.gap).toMatchObject({ source: 'Azure Resource Graph', reason: 'timeout' });
    expect((await patient).ok).toBe(true);
  });
});
