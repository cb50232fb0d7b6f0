import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLabClients, startLab, type Lab, type LabClients } from '../../src/lab/index.js';

const scenarioDirectory = 'test/fixtures/scenarios/example-rdp-remote-site';
const scenario = JSON.parse(readFileSync(`${scenarioDirectory}/scenario.json`, 'utf8')) as {
  subscriptionId: string;
  resources: { id: string; type: string; name: string; properties?: Record<string, unknown> }[];
};
const subscription = `/subscriptions/${scenario.subscriptionId}`;
const ofType = (type: string) => scenario.resources.filter((resource) => resource.type.toLowerCase() === type.toLowerCase());

let lab: Lab;
let clients: LabClients;

beforeAll(async () => {
  lab = await startLab({ scenarios: [scenarioDirectory], storage: false, pageSize: 2 });
  clients = createLabClients(lab, { retryOptions: { maxRetries: 0 } });
});
afterAll(async () => {
  await lab?.close();
});
afterEach(() => lab.clearFaults());

async function armFetch(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${lab.endpoints.arm}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

describe('ARM GET and lists through NetworkManagementClient', () => {
  it('gets a resource whatever the case of its id', async () => {
    const vnet = await clients.network.virtualNetworks.get('CTD-APP-RG', 'CTD-APP-EUS2-VNET');
    expect(vnet.id).toBe(ofType('Microsoft.Network/virtualNetworks').find((resource) => resource.name === 'ctd-app-eus2-vnet')!.id);
    expect(vnet.subnets?.map((subnet) => subnet.name)).toContain('snet-app');
  });

  it('lists every virtual network of the subscription, following nextLink across pages of two', async () => {
    const vnets = await collect(clients.network.virtualNetworks.listAll());
    expect(vnets.map((vnet) => vnet.name).sort()).toEqual(ofType('Microsoft.Network/virtualNetworks').map((resource) => resource.name).sort());
  });

  it('lists child collections kept inside the parent: subnets and peerings', async () => {
    const vnet = ofType('Microsoft.Network/virtualNetworks').find((resource) => resource.name === 'ctd-hub-eus2-vnet')!;
    const subnets = await collect(clients.network.subnets.list('ctd-connectivity-rg', 'ctd-hub-eus2-vnet'));
    expect(subnets.map((subnet) => subnet.name)).toEqual((vnet.properties!.subnets as { name: string }[]).map((subnet) => subnet.name));
    const gatewaySubnet = await clients.network.subnets.get('ctd-connectivity-rg', 'ctd-hub-eus2-vnet', 'gatewaysubnet');
    expect(gatewaySubnet.routeTable?.id).toContain('ctd-gatewaysubnet-rt');
    const peerings = await collect(clients.network.virtualNetworkPeerings.list('ctd-connectivity-rg', 'ctd-hub-eus2-vnet'));
    expect(peerings.length).toBe((vnet.properties!.virtualNetworkPeerings as unknown[]).length);
  });

  it('lists child resources given on their own: rule collection groups and flow logs', async () => {
    const groups = await collect(clients.network.firewallPolicyRuleCollectionGroups.list('ctd-connectivity-rg', 'ctd-hub-eus2-afwp'));
    expect(groups.map((group) => group.name).sort()).toEqual(['DefaultApplicationRuleCollectionGroup', 'DefaultNetworkRuleCollectionGroup']);
    const flowLogs = await collect(clients.network.flowLogs.list('NetworkWatcherRG', 'NetworkWatcher_eastus2'));
    expect(flowLogs.length).toBe(ofType('Microsoft.Network/networkWatchers/flowLogs').length);
  });

  it('serves the gateway connection with its status', async () => {
    const connection = await clients.network.virtualNetworkGatewayConnections.get('ctd-connectivity-rg', 'ctd-hub-eus2-to-branch-phl-cn');
    expect(connection.connectionStatus).toBe('Connected');
    expect(connection.virtualNetworkGateway1?.id).toContain('/virtualNetworkGateways/ctd-hub-eus2-vgw');
    expect(connection.localNetworkGateway2?.localNetworkAddressSpace?.addressPrefixes).toContain('192.168.0.0/16');
  });

  it('answers the gateway BGP reads (long-running POSTs): no BGP in this scenario, so no peers', async () => {
    const peers = await clients.network.virtualNetworkGateways.getBgpPeerStatus('ctd-connectivity-rg', 'ctd-hub-eus2-vgw');
    expect(peers.value).toEqual([]);
  });

  it('answers 404 ResourceNotFound as ARM does', async () => {
    await expect(clients.network.virtualNetworks.get('ctd-app-rg', 'no-such-vnet')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await expect(clients.network.subnets.get('ctd-app-rg', 'ctd-app-eus2-vnet', 'no-such-subnet')).rejects.toMatchObject({ statusCode: 404, code: 'NotFound' });
  });

  it('forbidden: 403 AuthorizationFailed naming the action', async () => {
    lab.injectFault({ target: 'arm', kind: 'forbidden', match: { path: 'virtualNetworks' } });
    const error = await clients.network.virtualNetworks.get('ctd-app-rg', 'ctd-app-eus2-vnet').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect((error as Error).message).toContain("'Microsoft.Network/virtualNetworks/read'");
    const routeTable = await clients.network.routeTables.get('ctd-app-rg', 'ctd-app-spoke-rt');
    expect(routeTable.name).toBe('ctd-app-spoke-rt');
  });

  it('timeout: the request is held until the client aborts', async () => {
    lab.injectFault({ target: 'arm', kind: 'timeout', latencyInMs: 60_000 });
    const controller = new AbortController();
    const pending = clients.network.routeTables.get('ctd-app-rg', 'ctd-app-spoke-rt', { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('ARM reads outside the network provider (plain REST)', () => {
  it('lists the VM extensions, diagnostic settings of a resource, and policy assignments', async () => {
    const vm = `${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Compute/virtualMachines/vm-app01`;
    const extensions = await armFetch(`${vm}/extensions?api-version=2024-07-01`);
    expect((extensions.body.value as { name: string }[]).map((item) => item.name).sort()).toEqual(['AzureMonitorWindowsAgent', 'AzureNetworkWatcherExtension']);
    const firewall = `${subscription}/resourceGroups/ctd-connectivity-rg/providers/Microsoft.Network/azureFirewalls/ctd-hub-eus2-afw`;
    const settings = await armFetch(`${firewall}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview`);
    expect((settings.body.value as { name: string }[]).map((item) => item.name)).toEqual(['ctd-afw-to-law']);
    const assignments = await armFetch(`${subscription}/providers/Microsoft.Authorization/policyAssignments?api-version=2023-04-01`);
    expect((assignments.body.value as { name: string }[]).map((item) => item.name)).toEqual(['ctd-vnet-flowlogs-eus2']);
  });

  it('pages a resource-group list with nextLink', async () => {
    const first = await armFetch(`${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Network/networkSecurityGroups?api-version=2026-01-01`);
    expect((first.body.value as unknown[]).length).toBe(2);
    expect(new URL(String(first.body.nextLink)).searchParams.get('$skiptoken')).toBe('2');
    const second = await fetch(String(first.body.nextLink));
    const names = [...(first.body.value as { name: string }[]), ...((await second.json()) as { value: { name: string }[] }).value].map((item) => item.name);
    expect(names.sort()).toEqual(ofType('Microsoft.Network/networkSecurityGroups').filter((resource) => resource.id.includes('/ctd-app-rg/')).map((resource) => resource.name).sort());
  });

  it('answers an unknown subscription and resource group as ARM does', async () => {
    expect((await armFetch('/subscriptions/00000000-0000-0000-0000-000000000099/resourceGroups/x?api-version=2021-04-01')).body).toMatchObject({ error: { code: 'SubscriptionNotFound' } });
    expect((await armFetch(`${subscription}/resourceGroups/nope/providers/Microsoft.Network/virtualNetworks?api-version=2026-01-01`)).body).toMatchObject({
      error: { code: 'ResourceGroupNotFound' },
    });
  });
});
