/**
 * A small typed builder of plain test data for the rules: a hub-and-spoke estate with a VPN to a
 * branch, an Azure Firewall in the hub, and evidence items with ids assigned in order.
 */
import type {
  CaptureReport, Conversation, EffectiveRoute, EffectiveSecurityRule, Evidence, FirewallLogRecord, FirewallRule, FlowLogRecord,
  Gap, KeyVaultAuditRecord, Question, SecurityRule, Topology,
} from '../../src/domain/index.js';
import type { RuleInput } from '../../src/rules/index.js';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups';
const NET = 'providers/Microsoft.Network';

/** Resource ids of the built estate. */
export const ID = {
  hub: `${SUB}/hub-rg/${NET}/virtualNetworks/vnet-hub`,
  spoke: `${SUB}/app-rg/${NET}/virtualNetworks/vnet-app`,
  data: `${SUB}/data-rg/${NET}/virtualNetworks/vnet-data`,
  gatewaySubnet: `${SUB}/hub-rg/${NET}/virtualNetworks/vnet-hub/subnets/GatewaySubnet`,
  firewallSubnet: `${SUB}/hub-rg/${NET}/virtualNetworks/vnet-hub/subnets/AzureFirewallSubnet`,
  sharedSubnet: `${SUB}/hub-rg/${NET}/virtualNetworks/vnet-hub/subnets/snet-shared`,
  appSubnet: `${SUB}/app-rg/${NET}/virtualNetworks/vnet-app/subnets/snet-app`,
  endpointSubnet: `${SUB}/app-rg/${NET}/virtualNetworks/vnet-app/subnets/snet-endpoints`,
  dataSubnet: `${SUB}/data-rg/${NET}/virtualNetworks/vnet-data/subnets/snet-data`,
  hubToSpoke: `${SUB}/hub-rg/${NET}/virtualNetworks/vnet-hub/virtualNetworkPeerings/hub-to-app`,
  spokeToHub: `${SUB}/app-rg/${NET}/virtualNetworks/vnet-app/virtualNetworkPeerings/app-to-hub`,
  hubToData: `${SUB}/hub-rg/${NET}/virtualNetworks/vnet-hub/virtualNetworkPeerings/hub-to-data`,
  dataToHub: `${SUB}/data-rg/${NET}/virtualNetworks/vnet-data/virtualNetworkPeerings/data-to-hub`,
  gatewayRoutes: `${SUB}/hub-rg/${NET}/routeTables/rt-gateway`,
  spokeRoutes: `${SUB}/app-rg/${NET}/routeTables/rt-app`,
  dataRoutes: `${SUB}/data-rg/${NET}/routeTables/rt-data`,
  appNsg: `${SUB}/app-rg/${NET}/networkSecurityGroups/nsg-app`,
  appNicNsg: `${SUB}/app-rg/${NET}/networkSecurityGroups/nsg-vm-app`,
  appNic: `${SUB}/app-rg/${NET}/networkInterfaces/nic-vm-app`,
  appVm: `${SUB}/app-rg/providers/Microsoft.Compute/virtualMachines/vm-app`,
  dataNic: `${SUB}/data-rg/${NET}/networkInterfaces/nic-vm-data`,
  dataVm: `${SUB}/data-rg/providers/Microsoft.Compute/virtualMachines/vm-data`,
  nvaNic: `${SUB}/hub-rg/${NET}/networkInterfaces/nic-nva`,
  nvaVm: `${SUB}/hub-rg/providers/Microsoft.Compute/virtualMachines/vm-nva`,
  firewall: `${SUB}/hub-rg/${NET}/azureFirewalls/fw-hub`,
  gateway: `${SUB}/hub-rg/${NET}/virtualNetworkGateways/vgw-hub`,
  connection: `${SUB}/hub-rg/${NET}/connections/cn-branch`,
  endpoint: `${SUB}/app-rg/${NET}/privateEndpoints/pe-kv`,
  vault: `${SUB}/app-rg/providers/Microsoft.KeyVault/vaults/kv-app`,
  zone: `${SUB}/hub-rg/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`,
  webApp: `${SUB}/app-rg/providers/Microsoft.Web/sites/web-app`,
  flowLog: `${SUB}/NetworkWatcherRG/${NET}/networkWatchers/nw/flowLogs/fl-app`,
} as const;

/** Addresses of the built estate. */
export const IP = {
  branchHost: '192.168.10.5',
  branchNeighbour: '192.168.10.52',
  firewall: '10.200.1.4',
  nva: '10.200.2.10',
  app: '10.201.1.4',
  data: '10.202.1.4',
  endpoint: '10.201.2.5',
  internet: '52.10.20.30',
} as const;

const rule = (overrides: Partial<SecurityRule> & Pick<SecurityRule, 'name' | 'priority' | 'direction' | 'access'>): SecurityRule => ({
  protocol: '*', sourceAddressPrefixes: ['*'], sourcePortRanges: ['*'], destinationAddressPrefixes: ['*'], destinationPortRanges: ['*'], isDefault: false, ...overrides,
});

const firewallRule = (overrides: Partial<FirewallRule> & Pick<FirewallRule, 'name'>): FirewallRule => ({
  ruleCollectionGroup: 'rcg-main', ruleCollection: 'net-allow', groupPriority: 200, collectionPriority: 100, action: 'Allow', kind: 'network',
  sourceAddresses: [], destinationAddresses: [], destinationFqdns: [], destinationPorts: ['*'], protocols: ['TCP'], targetFqdns: [], ...overrides,
});

/** The hub-and-spoke estate; `mutate` edits a fresh copy. */
export function estate(mutate?: (topology: Topology) => void): Topology {
  const topology: Topology = {
    virtualNetworks: [
      {
        id: ID.hub, name: 'vnet-hub', location: 'westeurope', addressPrefixes: ['10.200.0.0/16'], dnsServers: [], virtualHubId: null,
        subnets: [
          { id: ID.gatewaySubnet, name: 'GatewaySubnet', virtualNetworkId: ID.hub, addressPrefixes: ['10.200.0.0/27'], routeTableId: ID.gatewayRoutes, networkSecurityGroupId: null, privateEndpointNetworkPolicies: 'Disabled', delegations: [] },
          { id: ID.firewallSubnet, name: 'AzureFirewallSubnet', virtualNetworkId: ID.hub, addressPrefixes: ['10.200.1.0/26'], routeTableId: null, networkSecurityGroupId: null, privateEndpointNetworkPolicies: 'Disabled', delegations: [] },
          { id: ID.sharedSubnet, name: 'snet-shared', virtualNetworkId: ID.hub, addressPrefixes: ['10.200.2.0/24'], routeTableId: null, networkSecurityGroupId: null, privateEndpointNetworkPolicies: 'Disabled', delegations: [] },
        ],
        peerings: [
          { id: ID.hubToSpoke, name: 'hub-to-app', virtualNetworkId: ID.hub, remoteVirtualNetworkId: ID.spoke, state: 'Connected', allowVirtualNetworkAccess: true, allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false, remoteAddressPrefixes: ['10.201.0.0/16'] },
          { id: ID.hubToData, name: 'hub-to-data', virtualNetworkId: ID.hub, remoteVirtualNetworkId: ID.data, state: 'Connected', allowVirtualNetworkAccess: true, allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false, remoteAddressPrefixes: ['10.202.0.0/16'] },
        ],
      },
      {
        id: ID.spoke, name: 'vnet-app', location: 'westeurope', addressPrefixes: ['10.201.0.0/16'], dnsServers: [], virtualHubId: null,
        subnets: [
          { id: ID.appSubnet, name: 'snet-app', virtualNetworkId: ID.spoke, addressPrefixes: ['10.201.1.0/24'], routeTableId: ID.spokeRoutes, networkSecurityGroupId: ID.appNsg, privateEndpointNetworkPolicies: 'Disabled', delegations: [] },
          { id: ID.endpointSubnet, name: 'snet-endpoints', virtualNetworkId: ID.spoke, addressPrefixes: ['10.201.2.0/24'], routeTableId: null, networkSecurityGroupId: null, privateEndpointNetworkPolicies: 'Disabled', delegations: [] },
        ],
        peerings: [
          { id: ID.spokeToHub, name: 'app-to-hub', virtualNetworkId: ID.spoke, remoteVirtualNetworkId: ID.hub, state: 'Connected', allowVirtualNetworkAccess: true, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true, remoteAddressPrefixes: ['10.200.0.0/16'] },
        ],
      },
      {
        id: ID.data, name: 'vnet-data', location: 'westeurope', addressPrefixes: ['10.202.0.0/16'], dnsServers: [], virtualHubId: null,
        subnets: [
          { id: ID.dataSubnet, name: 'snet-data', virtualNetworkId: ID.data, addressPrefixes: ['10.202.1.0/24'], routeTableId: ID.dataRoutes, networkSecurityGroupId: null, privateEndpointNetworkPolicies: 'Disabled', delegations: [] },
        ],
        peerings: [
          { id: ID.dataToHub, name: 'data-to-hub', virtualNetworkId: ID.data, remoteVirtualNetworkId: ID.hub, state: 'Connected', allowVirtualNetworkAccess: true, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true, remoteAddressPrefixes: ['10.200.0.0/16'] },
        ],
      },
    ],
    routeTables: [
      { id: ID.gatewayRoutes, name: 'rt-gateway', location: 'westeurope', disableBgpRoutePropagation: false, routes: [
        { name: 'app-via-firewall', addressPrefix: '10.201.0.0/16', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall },
        { name: 'data-via-firewall', addressPrefix: '10.202.0.0/16', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall },
      ] },
      { id: ID.spokeRoutes, name: 'rt-app', location: 'westeurope', disableBgpRoutePropagation: true, routes: [
        { name: 'default-via-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall },
      ] },
      { id: ID.dataRoutes, name: 'rt-data', location: 'westeurope', disableBgpRoutePropagation: true, routes: [
        { name: 'default-via-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall },
      ] },
    ],
    networkSecurityGroups: [
      { id: ID.appNsg, name: 'nsg-app', location: 'westeurope', rules: [
        rule({ name: 'Allow-RDP-From-Branch', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefixes: ['192.168.0.0/16'], destinationPortRanges: ['3389'] }),
        rule({ name: 'Allow-HTTPS-From-Data', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourceAddressPrefixes: ['10.202.0.0/16'], destinationPortRanges: ['443'] }),
        rule({ name: 'Deny-All-Inbound', priority: 4000, direction: 'Inbound', access: 'Deny' }),
      ] },
      { id: ID.appNicNsg, name: 'nsg-vm-app', location: 'westeurope', rules: [
        rule({ name: 'RDP', priority: 300, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', destinationPortRanges: ['3389'] }),
        rule({ name: 'HTTPS', priority: 310, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', destinationPortRanges: ['443'] }),
      ] },
    ],
    networkInterfaces: [
      { id: ID.appNic, name: 'nic-vm-app', location: 'westeurope', subnetId: ID.appSubnet, privateIpAddresses: [IP.app], publicIpAddresses: [], enableIpForwarding: false, networkSecurityGroupId: ID.appNicNsg, attachedToId: ID.appVm },
      { id: ID.dataNic, name: 'nic-vm-data', location: 'westeurope', subnetId: ID.dataSubnet, privateIpAddresses: [IP.data], publicIpAddresses: [], enableIpForwarding: false, networkSecurityGroupId: null, attachedToId: ID.dataVm },
      { id: ID.nvaNic, name: 'nic-nva', location: 'westeurope', subnetId: ID.sharedSubnet, privateIpAddresses: [IP.nva], publicIpAddresses: [], enableIpForwarding: true, networkSecurityGroupId: null, attachedToId: ID.nvaVm },
    ],
    virtualMachines: [
      { id: ID.appVm, name: 'vm-app', location: 'westeurope', kind: 'virtualMachine', networkInterfaceIds: [ID.appNic], powerState: 'running', extensions: [] },
      { id: ID.dataVm, name: 'vm-data', location: 'westeurope', kind: 'virtualMachine', networkInterfaceIds: [ID.dataNic], powerState: 'running', extensions: [] },
      { id: ID.nvaVm, name: 'vm-nva', location: 'westeurope', kind: 'virtualMachine', networkInterfaceIds: [ID.nvaNic], powerState: 'running', extensions: [] },
    ],
    firewalls: [
      {
        id: ID.firewall, name: 'fw-hub', location: 'westeurope', privateIpAddress: IP.firewall, subnetId: ID.firewallSubnet, publicIpAddresses: ['20.1.2.3'],
        tier: 'Premium', provisioningState: 'Succeeded', policyId: null, threatIntelMode: 'Alert', intrusionDetectionMode: 'Alert', tlsInspectionCaSubject: null, virtualHubId: null,
        rules: [
          firewallRule({ name: 'rdp-branch-to-spokes', sourceAddresses: ['192.168.0.0/16'], destinationAddresses: ['10.201.0.0/16', '10.202.0.0/16'], destinationPorts: ['3389'] }),
          firewallRule({ name: 'data-to-app-https', sourceAddresses: ['10.202.0.0/16'], destinationAddresses: ['10.201.0.0/16'], destinationPorts: ['443'] }),
          firewallRule({ name: 'web-out', kind: 'application', ruleCollection: 'app-allow', sourceAddresses: ['10.201.0.0/16'], protocols: ['Https:443'], targetFqdns: ['*.contoso.com'] }),
        ],
      },
    ],
    gateways: [
      { id: ID.gateway, name: 'vgw-hub', location: 'westeurope', virtualNetworkId: ID.hub, gatewayType: 'Vpn', learnedPrefixes: ['192.168.0.0/16'] },
    ],
    connections: [
      { id: ID.connection, name: 'cn-branch', location: 'westeurope', gatewayId: ID.gateway, localNetworkGatewayId: null, connectionStatus: 'Connected', connectionType: 'IPsec', remotePrefixes: ['192.168.0.0/16'] },
    ],
    privateEndpoints: [
      { id: ID.endpoint, name: 'pe-kv', location: 'westeurope', subnetId: ID.endpointSubnet, privateIpAddresses: [IP.endpoint], targetResourceId: ID.vault, groupIds: ['vault'] },
    ],
    privateDnsZones: [
      { id: ID.zone, name: 'privatelink.vaultcore.azure.net', records: [{ name: 'kv-app', ipAddresses: [IP.endpoint] }], virtualNetworkLinks: [{ virtualNetworkId: ID.hub, registrationEnabled: false }] },
    ],
    keyVaults: [
      { id: ID.vault, name: 'kv-app', location: 'westeurope', hostName: 'kv-app.vault.azure.net', publicNetworkAccess: 'Disabled', defaultAction: 'Deny', ipRules: [], virtualNetworkSubnetIds: [], enableRbacAuthorization: true },
    ],
    webApps: [],
    flowLogs: [
      { id: ID.flowLog, name: 'fl-app', location: 'westeurope', targetResourceId: ID.spoke, targetKind: 'virtualNetwork', enabled: true, storageId: null, retentionDays: 30, trafficAnalytics: { enabled: true, intervalInMinutes: 10, workspaceResourceId: null } },
    ],
    diagnosticSettings: [],
    networkWatchers: [],
  };
  mutate?.(topology);
  return topology;
}

/** Finds a route table of the estate (for mutation in tests). */
export function routeTable(topology: Topology, id: string) {
  const table = topology.routeTables.find((candidate) => candidate.id === id);
  if (table === undefined) throw new Error(`no route table ${id}`);
  return table;
}

/** Finds a peering of the estate (for mutation in tests). */
export function peering(topology: Topology, id: string) {
  for (const vnet of topology.virtualNetworks) {
    const found = vnet.peerings.find((candidate) => candidate.id === id);
    if (found !== undefined) return found;
  }
  throw new Error(`no peering ${id}`);
}

/** Finds a subnet of the estate (for mutation in tests). */
export function subnet(topology: Topology, id: string) {
  for (const vnet of topology.virtualNetworks) {
    const found = vnet.subnets.find((candidate) => candidate.id === id);
    if (found !== undefined) return found;
  }
  throw new Error(`no subnet ${id}`);
}

/** The window asked about and the clock. */
export const WINDOW = { start: '2026-11-12T14:00:00Z', end: '2026-11-12T14:30:00Z' } as const;
export const NOW = new Date('2026-11-12T17:45:00Z');
export const IN_WINDOW = '2026-11-12T14:10:00Z';

/** A question about one flow. */
export function question(overrides: { source?: string | null; sourceId?: string | null; destination?: string | null; destinationName?: string | null; destinationId?: string | null; port?: number | null; protocol?: Question['protocol'] } = {}): Question {
  return {
    text: 'why does it fail?',
    source: { ip: overrides.source === undefined ? IP.branchHost : overrides.source, name: null, resourceId: overrides.sourceId ?? null },
    destination: { ip: overrides.destination === undefined ? IP.app : overrides.destination, name: overrides.destinationName ?? null, resourceId: overrides.destinationId ?? null },
    protocol: overrides.protocol ?? 'tcp',
    port: overrides.port === undefined ? 3389 : overrides.port,
    window: { ...WINDOW },
  };
}

type Draft = Evidence extends infer E ? E extends Evidence ? Omit<E, 'id' | 'source' | 'query' | 'summary'> & Partial<Pick<E, 'source' | 'query' | 'summary'>> : never : never;

/** Assigns ids e1, e2, ... in order. */
export function withIds(drafts: Draft[]): Evidence[] {
  return drafts.map((draft, index) => ({ source: draft.kind, query: 'test', summary: draft.kind, ...draft, id: `e${index + 1}` }) as Evidence);
}

/** A rule input. */
export function input(parts: { topology?: Topology; question?: Question; evidence?: Draft[]; gaps?: Gap[]; now?: Date } = {}): RuleInput {
  return { topology: parts.topology ?? estate(), question: parts.question ?? question(), evidence: withIds(parts.evidence ?? []), gaps: parts.gaps ?? [], now: parts.now ?? NOW };
}

/** A firewall log row. */
export function firewallLog(overrides: Partial<FirewallLogRecord>): Draft {
  return { kind: 'firewall-log', source: overrides.table ?? 'AZFWNetworkRule', data: {
    time: IN_WINDOW, table: 'AZFWNetworkRule', firewallId: ID.firewall, kind: 'network', action: 'Allow', actionReason: null, protocol: 'TCP',
    sourceIp: IP.branchHost, sourcePort: 50123, destinationIp: IP.app, destinationPort: 3389, fqdn: null, targetUrl: null, policy: null,
    ruleCollectionGroup: 'rcg-main', ruleCollection: 'net-allow', rule: 'rdp-branch-to-spokes', flag: null, translatedIp: null, translatedPort: null,
    description: null, signatureId: null, queryName: null, responseCode: null, ingestedAt: null, ...overrides,
  } };
}

/** A Traffic Analytics row. */
export function flowLog(overrides: Partial<FlowLogRecord>): Draft {
  return { kind: 'flow-log', source: 'NTANetAnalytics', data: {
    table: 'NTANetAnalytics', intervalStart: '2026-11-12T14:00:00Z', intervalEnd: '2026-11-12T14:10:00Z', flowStart: '2026-11-12T14:02:00Z', flowEnd: '2026-11-12T14:03:00Z',
    sourceIp: IP.branchHost, destinationIp: IP.app, destinationPort: 3389, protocol: 'tcp', direction: 'inbound', status: 'allowed', flowType: 'S2S',
    aclGroup: ID.appNsg, aclRule: 'Allow-RDP-From-Branch', sourceNic: null, destinationNic: 'app-rg/nic-vm-app', sourceVm: null, destinationVm: 'app-rg/vm-app',
    sourceSubnet: null, destinationSubnet: 'app-rg/vnet-app/snet-app', targetResourceId: ID.spoke,
    packetsSourceToDestination: 5, packetsDestinationToSource: 4, bytesSourceToDestination: 500, bytesDestinationToSource: 400, ingestedAt: null, ...overrides,
  } };
}

/** Freshness of a log source. */
export function freshness(source: string, coveredUntil: string, expectedDelayInMinutes = 70): Draft {
  return { kind: 'source-freshness', data: { source, newestEventTime: coveredUntil, newestIngestionTime: coveredUntil, measuredLagInMinutes: 5, expectedDelayInMinutes, coveredUntil } };
}

/** A Key Vault audit row. */
export function vaultLog(overrides: Partial<KeyVaultAuditRecord>): Draft {
  return { kind: 'keyvault-log', source: 'AZKVAuditLogs', data: {
    time: IN_WINDOW, table: 'AZKVAuditLogs', vaultId: ID.vault, operation: 'SecretGet', httpStatusCode: 200, resultType: 'Success', resultSignature: 'OK',
    resultDescription: null, callerIp: IP.app, isAddressAuthorized: true, addressAuthorizationType: null, isRbacAuthorized: true, isAccessPolicyMatch: null,
    requestUri: 'https://kv-app.vault.azure.net/secrets/db?api-version=7.4', identity: 'app-identity', ...overrides,
  } };
}

/** A TCP conversation of a capture. */
export function conversation(overrides: Partial<Conversation> & { state?: NonNullable<Conversation['tcp']>['state']; handshake?: boolean; resetBy?: 'client' | 'server' | null }): Conversation {
  const { state = 'SF', handshake = true, resetBy = null, ...rest } = overrides;
  return {
    id: 'tcp-0', protocol: 'tcp', client: { ip: IP.branchHost, port: 50123 }, server: { ip: IP.app, port: 3389 },
    start: '2026-11-12T14:05:00.000Z', end: '2026-11-12T14:05:01.000Z', firstFrame: 1, lastFrame: 10,
    packets: { toServer: 5, toClient: 5 }, bytes: { toServer: 500, toClient: 500 },
    tcp: { state, handshake, resetBy, retransmissions: 0 }, ...rest,
  };
}

/** A capture taken on `targetId`. */
export function capture(targetId: string | null, conversations: Conversation[], findings: CaptureReport['findings'] = []): Draft {
  return { kind: 'capture', data: { targetId, fileName: 'capture.pcap', report: { input: { format: 'pcap', packets: 10, bytes: 1000 }, warnings: [], conversations, findings } } };
}

/** Network Watcher effective routes of a NIC. */
export function effectiveRoutes(networkInterfaceId: string, routes: EffectiveRoute[]): Draft {
  return { kind: 'effective-routes', data: { networkInterfaceId, routes } };
}

/** Network Watcher effective security rules of a NIC. */
export function effectiveRules(networkInterfaceId: string, rules: EffectiveSecurityRule[]): Draft {
  return { kind: 'effective-security-rules', data: { networkInterfaceId, rules } };
}
