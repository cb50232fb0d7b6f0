/**
 * coverage-mixed-estate: Fabrikam's estate in three regions with every shade of
 * flow-log coverage, for `netproof coverage`: VNet flow logs at 10 and 60
 * minutes, a disabled VNet flow log, NSG flow logs only, nothing at all, a region
 * without a storage account, three firewalls with different diagnostics, and the
 * existing policy assignment that covers West Europe only. Its flow question is
 * an ordinary default-action deny in West Europe.
 */
import type { ArmBody } from '../arm.js';
import { securityRule } from '../arm.js';
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import type { NsgRuleSpec } from '../model.js';
import { etagFor, guidFor } from '../random.js';
import { DEFAULT_RULES } from '../security.js';
import { standardExtend } from './common.js';

const BUILT_IN_DEFINITIONS = ['/providers/Microsoft.Authorization/policyDefinitions/3e9965dc-cc13-47ca-8259-a4252fd0cf7b', '/providers/Microsoft.Authorization/policyDefinitions/052c180e-287d-44c3-86ef-01aeae2d9774'];

/** A VNet outside the estate model (another region), with its subnets and peerings. */
interface ExtraVnet {
  name: string;
  resourceGroup: string;
  region: string;
  space: string;
  subnets: { name: string; prefix: string; nsg?: string }[];
  peers: string[];
}

/** The story. */
export function coverageMixedEstate(): Story {
  const base = baseFor('fabrikam', { deployed: '2026-09-14T10:12:41.5531204+00:00', connectedSince: '2026-12-19T23:12:40Z' });
  const { estate } = base;
  const org = estate.organisation;
  const ids = new Ids(org.subscriptionId);
  const workspace = ids.workspace(estate);
  estate.vnets.push({ name: 'fab-sandbox-weu-vnet', resourceGroup: 'fab-sandbox-rg', addressSpace: ['10.49.0.0/16'], dnsServers: [], flowLog: { enabled: false, intervalInMinutes: 10, trafficAnalytics: true }, subnets: [{ name: 'snet-lab', prefix: '10.49.1.0/24' }] });

  const resources: ArmBody[] = [];
  const watcher = (region: string): string => ids.network('NetworkWatcherRG', `networkWatchers/NetworkWatcher_${region}`);
  for (const region of ['northeurope', 'eastus2']) resources.push({ id: watcher(region), name: `NetworkWatcher_${region}`, type: 'Microsoft.Network/networkWatchers', location: region, etag: etagFor(watcher(region)), properties: { provisioningState: 'Succeeded' } });
  const neuStorage = ids.storage(estate.monitorResourceGroup, 'fabflowlogsneu');
  resources.push({
    id: neuStorage, name: 'fabflowlogsneu', type: 'Microsoft.Storage/storageAccounts', location: 'northeurope', kind: 'StorageV2', sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: { provisioningState: 'Succeeded', publicNetworkAccess: 'Enabled', primaryEndpoints: Object.fromEntries(['blob', 'file', 'queue', 'table'].map((service) => [service, `https://fabflowlogsneu.${service}.core.windows.net/`])), networkAcls: { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] }, minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true, allowBlobPublicAccess: false, privateEndpointConnections: [] },
  });

  const nsgRules: Record<string, { resourceGroup: string; region: string; rules: NsgRuleSpec[] }> = {
    'fab-dr-web-neu-nsg': { resourceGroup: 'fab-dr-app-rg', region: 'northeurope', rules: [{ name: 'Allow-HTTPS-From-OnPrem', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '172.20.0.0/14', destination: '*', destinationPorts: '443' }] },
    'fab-dr-app-neu-nsg': { resourceGroup: 'fab-dr-app-rg', region: 'northeurope', rules: [{ name: 'Allow-AppApi-From-Web', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '10.141.1.0/24', destination: '*', destinationPorts: '8443' }] },
    'fab-dr-sql-neu-nsg': { resourceGroup: 'fab-dr-data-rg', region: 'northeurope', rules: [{ name: 'Allow-SQL-From-App', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '10.141.2.0/24', destination: '*', destinationPorts: '1433' }] },
    'fab-us-app-eus2-nsg': { resourceGroup: 'fab-us-app-rg', region: 'eastus2', rules: [{ name: 'Allow-HTTPS-From-OnPrem', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: '172.20.0.0/14', destination: '*', destinationPorts: '443' }] },
  };
  const nsgId = (name: string): string => ids.network(nsgRules[name]?.resourceGroup ?? '', `networkSecurityGroups/${name}`);
  const vnets: ExtraVnet[] = [
    { name: 'fab-hub-neu-vnet', resourceGroup: 'fab-dr-connectivity-rg', region: 'northeurope', space: '10.140.0.0/16', subnets: [{ name: 'AzureFirewallSubnet', prefix: '10.140.1.0/26' }, { name: 'snet-shared', prefix: '10.140.2.0/24' }], peers: ['fab-dr-app-neu-vnet', 'fab-dr-data-neu-vnet'] },
    { name: 'fab-dr-app-neu-vnet', resourceGroup: 'fab-dr-app-rg', region: 'northeurope', space: '10.141.0.0/16', subnets: [{ name: 'snet-web', prefix: '10.141.1.0/24', nsg: 'fab-dr-web-neu-nsg' }, { name: 'snet-app', prefix: '10.141.2.0/24', nsg: 'fab-dr-app-neu-nsg' }], peers: ['fab-hub-neu-vnet'] },
    { name: 'fab-dr-data-neu-vnet', resourceGroup: 'fab-dr-data-rg', region: 'northeurope', space: '10.142.0.0/16', subnets: [{ name: 'snet-sql', prefix: '10.142.1.0/24', nsg: 'fab-dr-sql-neu-nsg' }], peers: ['fab-hub-neu-vnet'] },
    { name: 'fab-us-hub-eus2-vnet', resourceGroup: 'fab-us-connectivity-rg', region: 'eastus2', space: '10.150.0.0/16', subnets: [{ name: 'AzureFirewallSubnet', prefix: '10.150.1.0/26' }], peers: ['fab-us-app-eus2-vnet'] },
    { name: 'fab-us-app-eus2-vnet', resourceGroup: 'fab-us-app-rg', region: 'eastus2', space: '10.151.0.0/16', subnets: [{ name: 'snet-app', prefix: '10.151.1.0/24', nsg: 'fab-us-app-eus2-nsg' }], peers: ['fab-us-hub-eus2-vnet'] },
  ];
  const vnetId = (name: string): string => ids.network(vnets.find((vnet) => vnet.name === name)?.resourceGroup ?? '', `virtualNetworks/${name}`);
  const subnetId = (vnet: string, subnet: string): string => `${vnetId(vnet)}/subnets/${subnet}`;
  const firewalls = [
    { name: 'fab-hub-neu-afw', resourceGroup: 'fab-dr-connectivity-rg', region: 'northeurope', vnet: 'fab-hub-neu-vnet', privateIp: '10.140.1.4', publicIp: '20.166.41.93', tier: 'Standard' },
    { name: 'fab-us-hub-eus2-afw', resourceGroup: 'fab-us-connectivity-rg', region: 'eastus2', vnet: 'fab-us-hub-eus2-vnet', privateIp: '10.150.1.4', publicIp: '20.96.117.205', tier: 'Premium' },
  ];
  const firewallId = (name: string): string => ids.network(firewalls.find((firewall) => firewall.name === name)?.resourceGroup ?? '', `azureFirewalls/${name}`);

  for (const [name, nsg] of Object.entries(nsgRules)) {
    const id = nsgId(name);
    const users = vnets.flatMap((vnet) => vnet.subnets.filter((subnet) => subnet.nsg === name).map((subnet) => ({ id: subnetId(vnet.name, subnet.name) })));
    resources.push({ id, name, type: 'Microsoft.Network/networkSecurityGroups', location: nsg.region, etag: etagFor(id), properties: { securityRules: nsg.rules.map((rule) => securityRule(id, rule, false)), defaultSecurityRules: DEFAULT_RULES.map((rule) => securityRule(id, rule, true)), subnets: users, networkInterfaces: [], provisioningState: 'Succeeded', resourceGuid: guidFor(id) } });
  }
  for (const vnet of vnets) {
    const id = vnetId(vnet.name);
    resources.push({
      id, name: vnet.name, type: 'Microsoft.Network/virtualNetworks', location: vnet.region, etag: etagFor(id),
      properties: {
        addressSpace: { addressPrefixes: [vnet.space] }, dhcpOptions: { dnsServers: [] },
        subnets: vnet.subnets.map((subnet) => {
          const sid = subnetId(vnet.name, subnet.name);
          const firewall = subnet.name === 'AzureFirewallSubnet' ? firewalls.find((candidate) => candidate.vnet === vnet.name) : undefined;
          return { name: subnet.name, id: sid, etag: etagFor(sid), type: 'Microsoft.Network/virtualNetworks/subnets', properties: { addressPrefix: subnet.prefix, provisioningState: 'Succeeded', privateEndpointNetworkPolicies: 'Disabled', privateLinkServiceNetworkPolicies: 'Enabled', delegations: [], ...(subnet.nsg ? { networkSecurityGroup: { id: nsgId(subnet.nsg) } } : {}), ...(firewall ? { ipConfigurations: [{ id: `${firewallId(firewall.name)}/azureFirewallIpConfigurations/ipconfig-${firewall.name}` }] } : {}) } };
        }),
        virtualNetworkPeerings: vnet.peers.map((peer) => {
          const pid = `${id}/virtualNetworkPeerings/peer-${vnet.name}-to-${peer}`;
          const remote = vnets.find((candidate) => candidate.name === peer);
          const fromHub = vnet.subnets.some((subnet) => subnet.name === 'AzureFirewallSubnet');
          return { name: `peer-${vnet.name}-to-${peer}`, id: pid, etag: etagFor(pid), type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings', properties: { peeringState: 'Connected', peeringSyncLevel: 'FullyInSync', remoteVirtualNetwork: { id: vnetId(peer) }, allowVirtualNetworkAccess: true, allowForwardedTraffic: true, allowGatewayTransit: fromHub, useRemoteGateways: false, doNotVerifyRemoteGateways: false, remoteAddressSpace: { addressPrefixes: [remote?.space ?? ''] }, remoteVirtualNetworkAddressSpace: { addressPrefixes: [remote?.space ?? ''] }, provisioningState: 'Succeeded', resourceGuid: guidFor(pid) } };
        }),
        enableDdosProtection: false, provisioningState: 'Succeeded', resourceGuid: guidFor(id),
      },
    });
  }

  const flowLog = (region: string, name: string, target: string, storage: string, intervalInMinutes: 10 | 60, version: 2): ArmBody => {
    const id = `${watcher(region)}/flowLogs/${name}`;
    return {
      id, name, type: 'Microsoft.Network/networkWatchers/flowLogs', location: region, etag: etagFor(id),
      properties: { targetResourceId: target, targetResourceGuid: guidFor(target), storageId: storage, enabled: true, retentionPolicy: { days: 30, enabled: true }, format: { type: 'JSON', version }, flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceId: org.workspaceId, workspaceRegion: org.location, workspaceResourceId: workspace, trafficAnalyticsInterval: intervalInMinutes } }, provisioningState: 'Succeeded' },
    };
  };
  resources.push(flowLog('northeurope', 'fab-hub-neu-vnet-fab-dr-connectivity-rg-flowlog', vnetId('fab-hub-neu-vnet'), neuStorage, 60, 2));
  resources.push(flowLog('northeurope', 'fab-dr-web-neu-nsg-fab-dr-app-rg-flowlog', nsgId('fab-dr-web-neu-nsg'), neuStorage, 60, 2));
  resources.push(flowLog('northeurope', 'fab-dr-app-neu-nsg-fab-dr-app-rg-flowlog', nsgId('fab-dr-app-neu-nsg'), neuStorage, 60, 2));

  for (const firewall of firewalls) {
    const id = firewallId(firewall.name);
    const policyId = ids.network(firewall.resourceGroup, `firewallPolicies/${firewall.name}p`);
    const pipId = ids.network(firewall.resourceGroup, `publicIPAddresses/${firewall.name}-pip`);
    const ipConfigId = `${id}/azureFirewallIpConfigurations/ipconfig-${firewall.name}`;
    resources.push({ id: pipId, name: `${firewall.name}-pip`, type: 'Microsoft.Network/publicIPAddresses', location: firewall.region, etag: etagFor(pipId), zones: ['1', '2', '3'], sku: { name: 'Standard', tier: 'Regional' }, properties: { ipAddress: firewall.publicIp, publicIPAddressVersion: 'IPv4', publicIPAllocationMethod: 'Static', idleTimeoutInMinutes: 4, provisioningState: 'Succeeded', resourceGuid: guidFor(pipId), ipConfiguration: { id: ipConfigId } } });
    resources.push({ id: policyId, name: `${firewall.name}p`, type: 'Microsoft.Network/firewallPolicies', location: firewall.region, etag: guidFor(`etag:${policyId}`), properties: { sku: { tier: firewall.tier }, threatIntelMode: 'Alert', threatIntelWhitelist: { ipAddresses: [], fqdns: [] }, dnsSettings: { enableProxy: false, servers: [] }, ruleCollectionGroups: [], firewalls: [{ id }], childPolicies: [], provisioningState: 'Succeeded' } });
    resources.push({
      id, name: firewall.name, type: 'Microsoft.Network/azureFirewalls', location: firewall.region, etag: etagFor(id), zones: ['1', '2', '3'],
      properties: { sku: { name: 'AZFW_VNet', tier: firewall.tier }, threatIntelMode: 'Alert', firewallPolicy: { id: policyId }, ipConfigurations: [{ name: `ipconfig-${firewall.name}`, id: ipConfigId, etag: etagFor(ipConfigId), type: 'Microsoft.Network/azureFirewalls/azureFirewallIpConfigurations', properties: { privateIPAddress: firewall.privateIp, privateIPAllocationMethod: 'Dynamic', publicIPAddress: { id: pipId }, subnet: { id: subnetId(firewall.vnet, 'AzureFirewallSubnet') }, provisioningState: 'Succeeded' } }], hubIPAddresses: { privateIPAddress: firewall.privateIp }, applicationRuleCollections: [], natRuleCollections: [], networkRuleCollections: [], additionalProperties: {}, provisioningState: 'Succeeded' },
    });
  }
  const diagnostic = (resourceId: string, name: string, categories: [string, boolean][], dedicated: boolean): ArmBody => ({
    id: `${resourceId}/providers/Microsoft.Insights/diagnosticSettings/${name}`, name, type: 'Microsoft.Insights/diagnosticSettings',
    properties: { workspaceId: workspace, logAnalyticsDestinationType: dedicated ? 'Dedicated' : null, logs: categories.map(([category, enabled]) => ({ category, categoryGroup: null, enabled, retentionPolicy: { days: 0, enabled: false } })), metrics: [{ category: 'AllMetrics', enabled: true, retentionPolicy: { days: 0, enabled: false } }] },
  });
  resources.push(diagnostic(firewallId('fab-hub-neu-afw'), 'fab-neu-afw-to-law', [['AzureFirewallApplicationRule', true], ['AzureFirewallNetworkRule', true], ['AzureFirewallDnsProxy', true], ['AZFWNetworkRule', false], ['AZFWApplicationRule', false], ['AZFWFlowTrace', false]], false));
  resources.push(diagnostic(firewallId('fab-us-hub-eus2-afw'), 'fab-eus2-afw-to-law', [['AZFWNetworkRule', true], ['AZFWApplicationRule', true], ['AZFWNatRule', true], ['AZFWThreatIntel', true], ['AZFWIdpsSignature', true], ['AZFWDnsQuery', true], ['AZFWFlowTrace', false], ['AzureFirewallApplicationRule', false], ['AzureFirewallNetworkRule', false]], true));

  const assignmentId = `/subscriptions/${org.subscriptionId}/providers/Microsoft.Authorization/policyAssignments/${org.prefix}-vnet-flowlogs-${org.region}`;
  const coverage = {
    notes: 'Expected `netproof coverage --json` for this scenario (CONTRACTS.md section 6). vnets and firewalls are listed in any order; the fields given are the expected values. trafficAnalytics is the Traffic Analytics of the flow log that covers the VNet (for nsg-only, the NSG flow logs\'), null when none covers it or its flow log is disabled. storageSameRegion says whether the covering flow log\'s storage account is in the VNet\'s region, null without one. resourceSpecificLogs: the firewall sends AZFW* categories to a Dedicated (resource-specific) destination; flowTrace: TCP connection logging on and the AZFWFlowTrace category sent. In plan.assignments, policyDefinitionId may be either built-in flow-log definition (acceptedPolicyDefinitionIds); timeInterval "10" follows the existing assignment and retentionDays "30" likewise, both are choices the plan may make differently.',
    vnets: [
      ...[base.names.hub, base.names.app, base.names.data].map((name) => ({ id: ids.vnet(estate, name), name, region: 'westeurope', flowLogs: 'vnet', trafficAnalytics: { enabled: true, intervalMinutes: 10, workspaceResourceId: workspace }, storageSameRegion: true, coveredByPolicy: assignmentId })),
      { id: ids.vnet(estate, 'fab-sandbox-weu-vnet'), name: 'fab-sandbox-weu-vnet', region: 'westeurope', flowLogs: 'disabled', trafficAnalytics: null, storageSameRegion: true, coveredByPolicy: assignmentId },
      { id: vnetId('fab-hub-neu-vnet'), name: 'fab-hub-neu-vnet', region: 'northeurope', flowLogs: 'vnet', trafficAnalytics: { enabled: true, intervalMinutes: 60, workspaceResourceId: workspace }, storageSameRegion: true, coveredByPolicy: null },
      { id: vnetId('fab-dr-app-neu-vnet'), name: 'fab-dr-app-neu-vnet', region: 'northeurope', flowLogs: 'nsg-only', trafficAnalytics: { enabled: true, intervalMinutes: 60, workspaceResourceId: workspace }, storageSameRegion: true, coveredByPolicy: null },
      { id: vnetId('fab-dr-data-neu-vnet'), name: 'fab-dr-data-neu-vnet', region: 'northeurope', flowLogs: 'none', trafficAnalytics: null, storageSameRegion: null, coveredByPolicy: null },
      { id: vnetId('fab-us-hub-eus2-vnet'), name: 'fab-us-hub-eus2-vnet', region: 'eastus2', flowLogs: 'none', trafficAnalytics: null, storageSameRegion: null, coveredByPolicy: null },
      { id: vnetId('fab-us-app-eus2-vnet'), name: 'fab-us-app-eus2-vnet', region: 'eastus2', flowLogs: 'none', trafficAnalytics: null, storageSameRegion: null, coveredByPolicy: null },
    ],
    firewalls: [
      { id: ids.firewall(estate), name: estate.firewall.name, resourceSpecificLogs: true, flowTrace: true },
      { id: firewallId('fab-hub-neu-afw'), name: 'fab-hub-neu-afw', resourceSpecificLogs: false, flowTrace: false },
      { id: firewallId('fab-us-hub-eus2-afw'), name: 'fab-us-hub-eus2-afw', resourceSpecificLogs: true, flowTrace: false },
    ],
    plan: {
      assignments: [{ region: 'northeurope', policyDefinitionId: BUILT_IN_DEFINITIONS[0], acceptedPolicyDefinitionIds: BUILT_IN_DEFINITIONS, parameters: { vnetRegion: 'northeurope', storageId: neuStorage, networkWatcherName: watcher('northeurope'), workspaceResourceId: workspace, workspaceRegion: 'westeurope', timeInterval: '10', retentionDays: '30' } }],
      missing: [{ region: 'eastus2', reason: 'no storage account in this region' }],
      noNewAssignment: [{ region: 'westeurope', coveredBy: assignmentId }],
    },
  };

  const rpc = ['2026-12-20T09:12:05.318Z', '2026-12-20T09:12:08.402Z', '2026-12-20T09:12:14.551Z', '2026-12-20T09:41:37.090Z'];
  const now = '2026-12-20T10:30:00Z';
  return {
    name: 'coverage-mixed-estate',
    description: 'Fabrikam Retail (fictional) in three regions. West Europe (the production landing zone): hub, app and data VNets with VNet flow logs and Traffic Analytics every 10 minutes (storage fabflowlogsweu), deployed by the policy assignment fab-vnet-flowlogs-weu (built-in "Configure virtual networks to use specific workspace, storage account and retention interval for Flow logs and Traffic Analytics", vnetRegion westeurope, timeInterval 10); a sandbox VNet whose VNet flow log was disabled to save cost; Azure Firewall Premium with resource-specific logs and flow trace. North Europe (disaster recovery, pilot light, no workloads yet): a hub with a hand-made VNet flow log at 60 minutes, a DR app VNet still on the NSG flow logs of 2023, a DR data VNet with nothing, storage fabflowlogsneu, and Azure Firewall Standard sending legacy AzureDiagnostics categories without flow trace. East US 2 (new US subsidiary): a hub and an app VNet with no flow logs and no storage account in the region, Azure Firewall Premium with resource-specific logs but no flow trace. One Log Analytics workspace (West Europe); a Network Watcher in each region.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app02' }, destination: { kind: 'onprem', ip: '172.20.1.10' }, protocol: 'TCP', port: 135, perHour: 0, at: rpc, packets: [3, 3] },
    ],
    extraResources: resources,
    extraExpectations: { 'expect-coverage.json': coverage },
    extend: standardExtend(base),
    expect: {
      question: 'why can\'t vm-app02 (10.41.2.5) reach the domain controller 172.20.1.10 on TCP 135 between 09:00 and 10:00 UTC?',
      status: 'failing', layer: 'path', cause: 'firewall_deny', contributing: [], blockedAt: { component: 'firewall' },
      rationale: 'This scenario exists for the coverage report (expect-coverage.json beside this file); its flow question is an ordinary one in the covered West Europe region. Window 09:00-10:00 UTC on 2026-12-20; now is 10:30 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it. vm-app02 (10.41.2.5) sends 172.20.1.10 to its 0.0.0.0/0 user route, the firewall 10.40.1.4 (the app spoke\'s route table disables gateway propagation). AZFWNetworkRule shows the attempts at 09:12 (a SYN and two retries) and 09:41 from 10.41.2.5 to 172.20.1.10:135, each Action Deny with ActionReason Default Action and no rule: azure-to-onprem/ad-ds-to-dcs allows 53, 88, 389, 445, 464 and 3268 to the domain controllers, not the RPC endpoint mapper. NTANetAnalytics at nic-vm-app02 shows them outbound, allowed by the NSG, with no packets back, and the same VM\'s LDAP and Kerberos to 172.20.1.10 complete. Cause firewall_deny at firewall (default action), confidence high: deny rows for the very flow, nothing contradicts. The estate\'s coverage gaps (North Europe and East US 2) do not touch this flow: both endpoints are in West Europe VNets with VNet flow logs. Fix: if RPC to the domain controllers is needed (it usually is for AD replication and some management tools), add 135 plus the dynamic RPC range or a fixed RPC port to ad-ds-to-dcs.',
    },
  };
}
