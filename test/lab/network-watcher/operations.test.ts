import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLabClients, startLab, type Lab, type LabClients } from '../../../src/lab/index.js';

const scenarioDirectory = 'test/fixtures/scenarios/example-rdp-remote-site';
const subscription = '/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4';
const watcherGroup = 'NetworkWatcherRG';
const watcher = 'NetworkWatcher_eastus2';
const vmApp01 = `${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Compute/virtualMachines/vm-app01`;
const vmJump01 = `${subscription}/resourceGroups/ctd-connectivity-rg/providers/Microsoft.Compute/virtualMachines/vm-jump01`;
const vmSql01 = `${subscription}/resourceGroups/ctd-data-rg/providers/Microsoft.Compute/virtualMachines/vm-sql01`;

let lab: Lab;
let clients: LabClients;

beforeAll(async () => {
  lab = await startLab({ scenarios: [scenarioDirectory], storage: false });
  clients = createLabClients(lab);
});
afterAll(async () => {
  await lab?.close();
});

describe('next hop, computed from the NIC effective routes', () => {
  it('sends vm-app01 traffic for the branch to the firewall: only the 0.0.0.0/0 UDR covers 192.168.10.5 (the /16 system route is Invalid)', async () => {
    const result = await clients.network.networkWatchers.getNextHop(watcherGroup, watcher, {
      targetResourceId: vmApp01,
      sourceIPAddress: '10.201.1.4',
      destinationIPAddress: '192.168.10.5',
    });
    expect(result).toEqual({
      nextHopType: 'VirtualAppliance',
      nextHopIpAddress: '10.200.1.4',
      routeTableId: `${subscription}/resourceGroups/ctd-app-rg/providers/Microsoft.Network/routeTables/ctd-app-spoke-rt`,
    });
  });

  it('prefers the longer gateway /16 over the 0.0.0.0/0 UDR from vm-jump01', async () => {
    const result = await clients.network.networkWatchers.getNextHop(watcherGroup, watcher, {
      targetResourceId: vmJump01,
      sourceIPAddress: '10.200.10.4',
      destinationIPAddress: '192.168.10.5',
    });
    expect(result.nextHopType).toBe('VirtualNetworkGateway');
    expect(result.nextHopIpAddress).toBe('10.200.0.4');
    expect(result.routeTableId).toBe('System Route');
  });

  it('uses the User route over the Invalid peering route for the same prefix', async () => {
    const result = await clients.network.networkWatchers.getNextHop(watcherGroup, watcher, {
      targetResourceId: vmJump01,
      sourceIPAddress: '10.200.10.4',
      destinationIPAddress: '10.201.1.4',
    });
    expect(result.nextHopType).toBe('VirtualAppliance');
    expect(result.nextHopIpAddress).toBe('10.200.1.4');
  });

  it('answers VnetLocal inside the VNet', async () => {
    const result = await clients.network.networkWatchers.getNextHop(watcherGroup, watcher, {
      targetResourceId: vmApp01,
      sourceIPAddress: '10.201.1.4',
      destinationIPAddress: '10.201.2.4',
    });
    expect(result.nextHopType).toBe('VnetLocal');
  });

  it('refuses a source address the VM does not have', async () => {
    await expect(
      clients.network.networkWatchers.getNextHop(watcherGroup, watcher, { targetResourceId: vmApp01, sourceIPAddress: '10.201.1.5', destinationIPAddress: '192.168.10.5' }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('IP flow verify over the subnet NSG and the NIC NSG', () => {
  it('allows RDP from the branch to vm-app01: the subnet NSG, then the NIC NSG, allow', async () => {
    const result = await clients.network.networkWatchers.verifyIPFlow(watcherGroup, watcher, {
      targetResourceId: vmApp01,
      direction: 'Inbound',
      protocol: 'TCP',
      localIPAddress: '10.201.1.4',
      localPort: '3389',
      remoteIPAddress: '192.168.10.5',
      remotePort: '50123',
    });
    expect(result).toEqual({ access: 'Allow', ruleName: 'securityRules/RDP' });
  });

  it('denies SQL from the branch to vm-app01 at the subnet NSG', async () => {
    const result = await clients.network.networkWatchers.verifyIPFlow(watcherGroup, watcher, {
      targetResourceId: vmApp01,
      direction: 'Inbound',
      protocol: 'TCP',
      localIPAddress: '10.201.1.4',
      localPort: '1433',
      remoteIPAddress: '192.168.10.5',
      remotePort: '50123',
    });
    expect(result).toEqual({ access: 'Deny', ruleName: 'securityRules/DenyAllInboundCustom' });
  });

  it('allows outbound to the internet by the default rule', async () => {
    const result = await clients.network.networkWatchers.verifyIPFlow(watcherGroup, watcher, {
      targetResourceId: vmApp01,
      direction: 'Outbound',
      protocol: 'TCP',
      localIPAddress: '10.201.1.4',
      localPort: '50000',
      remoteIPAddress: '13.107.42.14',
      remotePort: '443',
    });
    expect(result.access).toBe('Allow');
  });
});

describe('connectivity check', () => {
  it('is Connected from vm-jump01 to vm-app01 on 3389, through the firewall', async () => {
    const result = await clients.network.networkWatchers.checkConnectivity(watcherGroup, watcher, {
      source: { resourceId: vmJump01 },
      destination: { resourceId: vmApp01, port: 3389 },
      protocol: 'Tcp',
    });
    expect(result.connectionStatus).toBe('Connected');
    expect(result.hops?.map((hop) => [hop.type, hop.address])).toEqual([
      ['Source', '10.200.10.4'],
      ['VirtualAppliance', '10.200.1.4'],
      ['VirtualMachine', '10.201.1.4'],
    ]);
    expect(result.hops?.[1]?.resourceId).toContain('/azureFirewalls/ctd-hub-eus2-afw/');
  });

  it('is Disconnected when the destination NSG denies, and names the rule', async () => {
    const result = await clients.network.networkWatchers.checkConnectivity(watcherGroup, watcher, {
      source: { resourceId: vmJump01 },
      destination: { resourceId: vmApp01, port: 1433 },
      protocol: 'Tcp',
    });
    expect(result.connectionStatus).toBe('Disconnected');
    const issues = result.hops?.at(-1)?.issues ?? [];
    expect(issues[0]).toMatchObject({ origin: 'Inbound', type: 'NetworkSecurityRule' });
  });
});

describe('NSG diagnostics', () => {
  it('evaluates the subnet NSG then the NIC NSG for an inbound profile', async () => {
    const result = await clients.network.networkWatchers.getNetworkConfigurationDiagnostic(watcherGroup, watcher, {
      targetResourceId: vmApp01,
      profiles: [{ direction: 'Inbound', protocol: 'TCP', source: '192.168.10.5', destination: '10.201.1.4', destinationPort: '3389' }],
    });
    const groupResult = result.results?.[0]?.networkSecurityGroupResult;
    expect(groupResult?.securityRuleAccessResult).toBe('Allow');
    expect(groupResult?.evaluatedNetworkSecurityGroups?.map((group) => [group.networkSecurityGroupId?.split('/').at(-1), group.matchedRule?.ruleName])).toEqual([
      ['ctd-app-snet-nsg', 'UserRule_Allow-RDP-From-OnPrem'],
      ['vm-app01-nsg', 'UserRule_RDP'],
    ]);
  });
});

describe('effective routes and security groups (long-running POSTs)', () => {
  it('returns the NIC effective route table', async () => {
    const routes = await clients.network.networkInterfaces.getEffectiveRouteTable('ctd-app-rg', 'nic-vm-app01');
    expect(routes.value?.length).toBe(9);
    expect(routes.value?.find((route) => route.name === 'default-route-to-firewall')?.nextHopIpAddress).toEqual(['10.200.1.4']);
  });

  it('returns the NIC effective NSGs, subnet and NIC', async () => {
    const groups = await clients.network.networkInterfaces.listEffectiveNetworkSecurityGroups('ctd-app-rg', 'nic-vm-app01');
    expect(groups.value?.map((group) => group.networkSecurityGroup?.id?.split('/').at(-1))).toEqual(['ctd-app-snet-nsg', 'vm-app01-nsg']);
  });

  it('answers 404 for a NIC the scenario lacks', async () => {
    await expect(clients.network.networkInterfaces.getEffectiveRouteTable('ctd-app-rg', 'nic-nope')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('computes for vm-sql01 in another resource group too', async () => {
    const result = await clients.network.networkWatchers.getNextHop(watcherGroup, watcher, {
      targetResourceId: vmSql01,
      sourceIPAddress: '10.202.1.4',
      destinationIPAddress: '10.201.1.4',
    });
    expect(result.nextHopType).toBe('VirtualAppliance');
  });
});
