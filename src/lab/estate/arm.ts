/**
 * ARM GET bodies for the estate, in the shapes Azure returns (api-version
 * 2024-05-01 era network resources), with every cross-reference built from the
 * same ids so that each one resolves.
 */
import { etagFor, guidFor, macFor } from './random.js';
import { Ids } from './ids.js';
import type { EstateSpec, NsgRuleSpec, VmSpec } from './model.js';
import { DEFAULT_RULES } from './security.js';
import { hubVnet } from './routing.js';

/** An ARM resource body. */
export type ArmBody = { id: string; name: string; type: string; location?: string } & Record<string, unknown>;

function tags(estate: EstateSpec, workload: string): Record<string, string> {
  return { environment: 'production', workload, owner: `cloud-platform@${estate.organisation.mailDomain}` };
}

/** One NSG security rule as ARM returns it (custom or default). */
export function securityRule(nsgId: string, rule: NsgRuleSpec, isDefault: boolean): Record<string, unknown> {
  const kind = isDefault ? 'defaultSecurityRules' : 'securityRules';
  const id = `${nsgId}/${kind}/${rule.name}`;
  const many = (value: string | string[]): [string, string[]] => (Array.isArray(value) && value.length > 1 ? ['', value] : [Array.isArray(value) ? value[0] ?? '*' : value, []]);
  const [source, sources] = many(rule.source);
  const [destination, destinations] = many(rule.destination);
  const [port, ports] = many(rule.destinationPorts);
  const properties: Record<string, unknown> = {
    description: rule.description ?? '',
    protocol: rule.protocol,
    sourcePortRange: '*',
    ...(port ? { destinationPortRange: port } : {}),
    ...(source ? { sourceAddressPrefix: source } : {}),
    ...(destination ? { destinationAddressPrefix: destination } : {}),
    access: rule.access,
    priority: rule.priority,
    direction: rule.direction,
    sourcePortRanges: [],
    destinationPortRanges: ports,
    sourceAddressPrefixes: sources,
    destinationAddressPrefixes: destinations,
    provisioningState: 'Succeeded',
  };
  return { name: rule.name, id, etag: etagFor(id), type: `Microsoft.Network/networkSecurityGroups/${kind}`, properties };
}

/** Builds every ARM resource of the estate, in a stable order. */
export function buildResources(estate: EstateSpec): ArmBody[] {
  const org = estate.organisation;
  const ids = new Ids(org.subscriptionId);
  const location = org.location;
  const resources: ArmBody[] = [];
  const hub = hubVnet(estate);
  const workspaceId = ids.workspace(estate);

  resources.push({ id: workspaceId, name: estate.workspaceName, type: 'Microsoft.OperationalInsights/workspaces', location, properties: { customerId: org.workspaceId, provisioningState: 'Succeeded', sku: { name: 'PerGB2018' }, retentionInDays: 90, publicNetworkAccessForIngestion: 'Enabled', publicNetworkAccessForQuery: 'Enabled' } });
  for (const storage of [estate.flowLogStorage, ...estate.storageAccounts]) {
    resources.push({
      id: ids.storage(storage.resourceGroup, storage.name), name: storage.name, type: 'Microsoft.Storage/storageAccounts', location, kind: 'StorageV2', sku: { name: 'Standard_LRS', tier: 'Standard' },
      properties: {
        provisioningState: 'Succeeded', publicNetworkAccess: storage.publicNetworkAccess,
        primaryEndpoints: Object.fromEntries(['blob', 'file', 'queue', 'table'].map((service) => [service, `https://${storage.name}.${service}.core.windows.net/`])),
        networkAcls: { bypass: 'AzureServices', defaultAction: storage.publicNetworkAccess === 'Enabled' ? 'Allow' : 'Deny', ipRules: [], virtualNetworkRules: [] },
        minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true, allowBlobPublicAccess: false,
        privateEndpointConnections: estate.privateEndpoints.filter((endpoint) => endpoint.targetId === ids.storage(storage.resourceGroup, storage.name)).map((endpoint) => ({ id: `${endpoint.targetId}/privateEndpointConnections/${endpoint.name}.${guidFor(endpoint.name)}`, properties: { provisioningState: 'Succeeded', privateEndpoint: { id: ids.network(endpoint.resourceGroup, `privateEndpoints/${endpoint.name}`) }, privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionRequired: 'None' } } })),
      },
    });
  }
  resources.push({ id: ids.networkWatcher(estate), name: `NetworkWatcher_${location}`, type: 'Microsoft.Network/networkWatchers', location, etag: etagFor(ids.networkWatcher(estate)), properties: { provisioningState: 'Succeeded' } });

  const subnetsUsing = (predicate: (subnet: { routeTable?: string; nsg?: string }) => boolean): { id: string }[] =>
    estate.vnets.flatMap((vnet) => vnet.subnets.filter(predicate).map((subnet) => ({ id: ids.subnet(estate, vnet.name, subnet.name) })));

  for (const table of estate.routeTables) {
    const id = ids.routeTable(estate, table.name);
    resources.push({
      id, name: table.name, type: 'Microsoft.Network/routeTables', location, etag: etagFor(id),
      properties: {
        disableBgpRoutePropagation: table.disableBgpRoutePropagation,
        routes: table.routes.map((route) => {
          const routeId = `${id}/routes/${route.name}`;
          return { name: route.name, id: routeId, etag: etagFor(routeId), type: 'Microsoft.Network/routeTables/routes', properties: { addressPrefix: route.prefix, nextHopType: route.nextHopType, provisioningState: 'Succeeded', hasBgpOverride: false, ...(route.nextHopIp ? { nextHopIpAddress: route.nextHopIp } : {}) } };
        }),
        subnets: subnetsUsing((subnet) => subnet.routeTable === table.name),
        provisioningState: 'Succeeded', resourceGuid: guidFor(id),
      },
    });
  }

  for (const nsg of estate.nsgs) {
    const id = ids.nsg(estate, nsg.name);
    resources.push({
      id, name: nsg.name, type: 'Microsoft.Network/networkSecurityGroups', location, etag: etagFor(id),
      properties: {
        securityRules: nsg.rules.map((rule) => securityRule(id, rule, false)),
        defaultSecurityRules: DEFAULT_RULES.map((rule) => securityRule(id, rule, true)),
        subnets: subnetsUsing((subnet) => subnet.nsg === nsg.name),
        networkInterfaces: estate.vms.filter((vm) => vm.nsg === nsg.name).map((vm) => ({ id: ids.nic(vm) })),
        provisioningState: 'Succeeded', resourceGuid: guidFor(id),
      },
    });
  }

  for (const vnet of estate.vnets) {
    const id = ids.vnet(estate, vnet.name);
    resources.push({
      id, name: vnet.name, type: 'Microsoft.Network/virtualNetworks', location, etag: etagFor(id),
      properties: {
        addressSpace: { addressPrefixes: vnet.addressSpace },
        dhcpOptions: { dnsServers: vnet.dnsServers },
        subnets: vnet.subnets.map((subnet) => {
          const subnetId = ids.subnet(estate, vnet.name, subnet.name);
          const ipConfigurations: { id: string }[] = [];
          if (subnet.name === 'GatewaySubnet') ipConfigurations.push({ id: `${ids.gateway(estate)}/ipConfigurations/default` });
          if (subnet.name === 'AzureFirewallSubnet') ipConfigurations.push({ id: `${ids.firewall(estate)}/azureFirewallIpConfigurations/ipconfig-${estate.firewall.name}` });
          for (const vm of estate.vms.filter((candidate) => candidate.vnet === vnet.name && candidate.subnet === subnet.name)) ipConfigurations.push({ id: `${ids.nic(vm)}/ipConfigurations/ipconfig1` });
          const endpoints = estate.privateEndpoints.filter((endpoint) => endpoint.vnet === vnet.name && endpoint.subnet === subnet.name);
          const apps = estate.webApps.filter((app) => app.vnet === vnet.name && app.subnet === subnet.name);
          return {
            name: subnet.name, id: subnetId, etag: etagFor(subnetId), type: 'Microsoft.Network/virtualNetworks/subnets',
            properties: {
              addressPrefix: subnet.prefix, provisioningState: 'Succeeded',
              privateEndpointNetworkPolicies: subnet.privateEndpointNetworkPolicies ?? 'Disabled', privateLinkServiceNetworkPolicies: 'Enabled',
              delegations: subnet.delegation ? [{ name: 'delegation', id: `${subnetId}/delegations/delegation`, type: 'Microsoft.Network/virtualNetworks/subnets/delegations', properties: { serviceName: subnet.delegation, actions: ['Microsoft.Network/virtualNetworks/subnets/action'], provisioningState: 'Succeeded' } }] : [],
              ...(subnet.nsg ? { networkSecurityGroup: { id: ids.nsg(estate, subnet.nsg) } } : {}),
              ...(subnet.routeTable ? { routeTable: { id: ids.routeTable(estate, subnet.routeTable) } } : {}),
              ...(ipConfigurations.length ? { ipConfigurations } : {}),
              ...(endpoints.length ? { privateEndpoints: endpoints.map((endpoint) => ({ id: ids.network(endpoint.resourceGroup, `privateEndpoints/${endpoint.name}`) })) } : {}),
              ...(apps.length ? { serviceAssociationLinks: apps.map((app) => ({ name: `AppServiceLink`, id: `${subnetId}/serviceAssociationLinks/AppServiceLink`, properties: { linkedResourceType: 'Microsoft.Web/serverfarms', link: ids.resource(app.resourceGroup, 'Microsoft.Web', `serverfarms/${app.planName}`) } })) } : {}),
            },
          };
        }),
        virtualNetworkPeerings: estate.peerings.filter((peering) => peering.from === vnet.name).map((peering) => {
          const peeringId = `${id}/virtualNetworkPeerings/peer-${peering.from}-to-${peering.to}`;
          const remote = estate.vnets.find((candidate) => candidate.name === peering.to);
          const state = peering.state ?? 'Connected';
          return {
            name: `peer-${peering.from}-to-${peering.to}`, id: peeringId, etag: etagFor(peeringId), type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
            properties: {
              peeringState: state, peeringSyncLevel: state === 'Connected' ? 'FullyInSync' : 'RemoteNotInSync',
              remoteVirtualNetwork: { id: ids.vnet(estate, peering.to) },
              allowVirtualNetworkAccess: true, allowForwardedTraffic: peering.allowForwardedTraffic, allowGatewayTransit: peering.allowGatewayTransit, useRemoteGateways: peering.useRemoteGateways, doNotVerifyRemoteGateways: false,
              remoteAddressSpace: { addressPrefixes: remote?.addressSpace ?? [] }, remoteVirtualNetworkAddressSpace: { addressPrefixes: remote?.addressSpace ?? [] },
              provisioningState: 'Succeeded', resourceGuid: guidFor(peeringId),
            },
          };
        }),
        enableDdosProtection: false, provisioningState: 'Succeeded', resourceGuid: guidFor(id),
      },
    });
  }

  const firewall = estate.firewall;
  const firewallId = ids.firewall(estate);
  const policyId = ids.firewallPolicy(estate);
  const firewallPipId = ids.network(firewall.resourceGroup, `publicIPAddresses/${firewall.name}-pip`);
  const firewallIpConfigId = `${firewallId}/azureFirewallIpConfigurations/ipconfig-${firewall.name}`;
  resources.push({ id: firewallPipId, name: `${firewall.name}-pip`, type: 'Microsoft.Network/publicIPAddresses', location, etag: etagFor(firewallPipId), zones: ['1', '2', '3'], sku: { name: 'Standard', tier: 'Regional' }, properties: { ipAddress: firewall.publicIp, publicIPAddressVersion: 'IPv4', publicIPAllocationMethod: 'Static', idleTimeoutInMinutes: 4, provisioningState: 'Succeeded', resourceGuid: guidFor(firewallPipId), ipConfiguration: { id: firewallIpConfigId } } });
  for (const group of firewall.ruleCollectionGroups) {
    const groupId = `${policyId}/ruleCollectionGroups/${group.name}`;
    resources.push({
      id: groupId, name: group.name, etag: guidFor(`etag:${groupId}`), type: 'Microsoft.Network/firewallPolicies/ruleCollectionGroups',
      properties: {
        priority: group.priority,
        ruleCollections: group.collections.map((collection) => ({
          ruleCollectionType: 'FirewallPolicyFilterRuleCollection', name: collection.name, priority: collection.priority, action: { type: collection.action },
          rules: collection.kind === 'network'
            ? collection.rules.map((rule) => ({ ruleType: 'NetworkRule', name: rule.name, description: rule.description ?? '', ipProtocols: rule.protocols, sourceAddresses: rule.sources, sourceIpGroups: [], destinationAddresses: rule.destinations, destinationIpGroups: [], destinationFqdns: [], destinationPorts: rule.ports }))
            : collection.rules.map((rule) => ({ ruleType: 'ApplicationRule', name: rule.name, description: rule.description ?? '', protocols: rule.protocols, sourceAddresses: rule.sources, sourceIpGroups: [], targetFqdns: rule.fqdns, targetUrls: [], fqdnTags: rule.fqdnTags ?? [], webCategories: [], destinationAddresses: [], terminateTLS: false })),
        })),
        provisioningState: 'Succeeded',
      },
    });
  }
  resources.push({
    id: policyId, name: firewall.policyName, type: 'Microsoft.Network/firewallPolicies', location, etag: guidFor(`etag:${policyId}`),
    properties: {
      sku: { tier: firewall.tier }, threatIntelMode: firewall.threatIntelMode, threatIntelWhitelist: { ipAddresses: [], fqdns: [] },
      dnsSettings: { enableProxy: firewall.dnsProxy, servers: firewall.dnsServers },
      ruleCollectionGroups: firewall.ruleCollectionGroups.map((group) => ({ id: `${policyId}/ruleCollectionGroups/${group.name}` })),
      firewalls: [{ id: firewallId }], childPolicies: [], provisioningState: 'Succeeded',
      ...(firewall.tier === 'Premium' ? { intrusionDetection: { mode: firewall.idpsMode, configuration: { signatureOverrides: (firewall.idpsSignatureOverrides ?? []).map((override) => ({ id: override.id, mode: override.mode })), bypassTrafficSettings: [], privateRanges: [] } } } : {}),
    },
  });
  resources.push({
    id: firewallId, name: firewall.name, type: 'Microsoft.Network/azureFirewalls', location, etag: etagFor(firewallId), zones: ['1', '2', '3'],
    properties: {
      sku: { name: 'AZFW_VNet', tier: firewall.tier }, threatIntelMode: firewall.threatIntelMode, firewallPolicy: { id: policyId },
      ipConfigurations: [{ name: `ipconfig-${firewall.name}`, id: firewallIpConfigId, etag: etagFor(firewallIpConfigId), type: 'Microsoft.Network/azureFirewalls/azureFirewallIpConfigurations', properties: { privateIPAddress: firewall.privateIp, privateIPAllocationMethod: 'Dynamic', publicIPAddress: { id: firewallPipId }, subnet: { id: ids.subnet(estate, hub.name, 'AzureFirewallSubnet') }, provisioningState: 'Succeeded' } }],
      hubIPAddresses: { privateIPAddress: firewall.privateIp }, applicationRuleCollections: [], natRuleCollections: [], networkRuleCollections: [],
      additionalProperties: firewall.flowTrace ? { 'Network.AdditionalLogs.EnableTcpConnectionLogging': 'True' } : {}, provisioningState: 'Succeeded',
    },
  });

  const gateway = estate.gateway;
  const gatewayId = ids.gateway(estate);
  const gatewayPipId = ids.network(gateway.resourceGroup, `publicIPAddresses/${gateway.name}-pip`);
  resources.push({ id: gatewayPipId, name: `${gateway.name}-pip`, type: 'Microsoft.Network/publicIPAddresses', location, etag: etagFor(gatewayPipId), zones: ['1', '2', '3'], sku: { name: 'Standard', tier: 'Regional' }, properties: { ipAddress: gateway.publicIp, publicIPAddressVersion: 'IPv4', publicIPAllocationMethod: 'Static', idleTimeoutInMinutes: 4, provisioningState: 'Succeeded', resourceGuid: guidFor(gatewayPipId), ipConfiguration: { id: `${gatewayId}/ipConfigurations/default` } } });
  resources.push({
    id: gatewayId, name: gateway.name, type: 'Microsoft.Network/virtualNetworkGateways', location, etag: etagFor(gatewayId),
    properties: {
      gatewayType: 'Vpn', vpnType: 'RouteBased', vpnGatewayGeneration: 'Generation2', sku: { name: gateway.sku, tier: gateway.sku, capacity: 2 }, activeActive: false, enableBgp: false, enablePrivateIpAddress: false,
      disableIPSecReplayProtection: false, allowRemoteVnetTraffic: false, allowVirtualWanTraffic: false, enableBgpRouteTranslationForNat: false,
      bgpSettings: { asn: 65515, bgpPeeringAddress: gateway.instanceIps[1].replace(/\.\d+$/, '.30'), peerWeight: 0, bgpPeeringAddresses: [{ ipconfigurationId: `${gatewayId}/ipConfigurations/default`, defaultBgpIpAddresses: [gateway.instanceIps[1].replace(/\.\d+$/, '.30')], customBgpIpAddresses: [], tunnelIpAddresses: [gateway.publicIp] }] },
      ipConfigurations: [{ name: 'default', id: `${gatewayId}/ipConfigurations/default`, etag: etagFor(`${gatewayId}/ipConfigurations/default`), type: 'Microsoft.Network/virtualNetworkGateways/ipConfigurations', properties: { privateIPAllocationMethod: 'Dynamic', publicIPAddress: { id: gatewayPipId }, subnet: { id: ids.subnet(estate, hub.name, 'GatewaySubnet') }, provisioningState: 'Succeeded' } }],
      natRules: [], provisioningState: 'Succeeded', resourceGuid: guidFor(gatewayId),
    },
  });
  const siteTags = { environment: 'production', site: gateway.siteName };
  resources.push({ id: ids.localGateway(estate), name: gateway.localGatewayName, type: 'Microsoft.Network/localNetworkGateways', location, etag: etagFor(ids.localGateway(estate)), properties: { gatewayIpAddress: gateway.onPremGatewayIp, localNetworkAddressSpace: { addressPrefixes: gateway.onPremPrefixes }, provisioningState: 'Succeeded', resourceGuid: guidFor(ids.localGateway(estate)) }, tags: siteTags });
  const since = new Date(gateway.connectedSince);
  const dotnetTime = `${since.getUTCMonth() + 1}/${since.getUTCDate()}/${since.getUTCFullYear()} ${since.toISOString().slice(11, 19)}`;
  resources.push({
    id: ids.connection(estate), name: gateway.connectionName, type: 'Microsoft.Network/connections', location, etag: etagFor(ids.connection(estate)),
    properties: {
      connectionType: 'IPsec', connectionProtocol: 'IKEv2', connectionMode: 'Default', connectionStatus: gateway.connectionStatus,
      virtualNetworkGateway1: { id: gatewayId }, localNetworkGateway2: { id: ids.localGateway(estate) }, routingWeight: 0, dpdTimeoutSeconds: 45, enableBgp: false,
      usePolicyBasedTrafficSelectors: false, useLocalAzureIpAddress: false, ipsecPolicies: [], trafficSelectorPolicies: [],
      ingressBytesTransferred: 4_118_902_331, egressBytesTransferred: 19_447_120_085, provisioningState: 'Succeeded', resourceGuid: guidFor(ids.connection(estate)),
      tunnelConnectionStatus: [{ tunnel: `${gateway.connectionName}_${gateway.onPremGatewayIp}`, connectionStatus: gateway.connectionStatus, ingressBytesTransferred: 803_114_260, egressBytesTransferred: 3_902_556_118, lastConnectionEstablishedUtcTime: dotnetTime }],
    },
    tags: siteTags,
  });

  for (const vm of estate.vms) resources.push(...vmResources(estate, ids, vm));
  for (const vm of estate.vms) resources.push(...extensionResources(ids, vm, location));

  for (const endpoint of estate.privateEndpoints) {
    const id = ids.network(endpoint.resourceGroup, `privateEndpoints/${endpoint.name}`);
    const nicId = ids.network(endpoint.resourceGroup, `networkInterfaces/${endpoint.name}.nic.${guidFor(`penic:${endpoint.name}`)}`);
    resources.push({
      id, name: endpoint.name, type: 'Microsoft.Network/privateEndpoints', location, etag: etagFor(id),
      properties: {
        provisioningState: 'Succeeded', resourceGuid: guidFor(id),
        privateLinkServiceConnections: [{ name: endpoint.name, id: `${id}/privateLinkServiceConnections/${endpoint.name}`, etag: etagFor(`${id}/plsc`), properties: { provisioningState: 'Succeeded', privateLinkServiceId: endpoint.targetId, groupIds: [endpoint.groupId], privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' } }, type: 'Microsoft.Network/privateEndpoints/privateLinkServiceConnections' }],
        manualPrivateLinkServiceConnections: [], customNetworkInterfaceName: '',
        subnet: { id: ids.subnet(estate, endpoint.vnet, endpoint.subnet) }, ipConfigurations: [],
        networkInterfaces: [{ id: nicId }],
        customDnsConfigs: [{ fqdn: endpoint.fqdn, ipAddresses: [endpoint.privateIp] }],
      },
    });
    resources.push({
      id: nicId, name: nicId.split('/').pop() ?? '', type: 'Microsoft.Network/networkInterfaces', location, etag: etagFor(nicId), kind: 'Regular',
      properties: {
        ipConfigurations: [{ name: `privateEndpointIpConfig.${guidFor(`peip:${endpoint.name}`)}`, id: `${nicId}/ipConfigurations/privateEndpointIpConfig.${guidFor(`peip:${endpoint.name}`)}`, etag: etagFor(`${nicId}/ipc`), type: 'Microsoft.Network/networkInterfaces/ipConfigurations', properties: { privateIPAddress: endpoint.privateIp, privateIPAllocationMethod: 'Dynamic', privateIPAddressVersion: 'IPv4', subnet: { id: ids.subnet(estate, endpoint.vnet, endpoint.subnet) }, primary: true, privateLinkConnectionProperties: { groupId: endpoint.groupId, requiredMemberName: endpoint.groupId, fqdns: [endpoint.fqdn] }, provisioningState: 'Succeeded' } }],
        dnsSettings: { dnsServers: [], appliedDnsServers: [] }, enableAcceleratedNetworking: false, enableIPForwarding: false, privateEndpoint: { id }, nicType: 'Standard', provisioningState: 'Succeeded', resourceGuid: guidFor(nicId),
      },
    });
  }

  for (const zone of estate.privateDnsZones) {
    const id = ids.network(zone.resourceGroup, `privateDnsZones/${zone.name}`);
    resources.push({
      id, name: zone.name, type: 'Microsoft.Network/privateDnsZones', location: 'global', etag: guidFor(`etag:${id}`),
      properties: { maxNumberOfRecordSets: 25000, numberOfRecordSets: zone.records.length + 1, maxNumberOfVirtualNetworkLinks: 1000, numberOfVirtualNetworkLinks: zone.links.length, maxNumberOfVirtualNetworkLinksWithRegistration: 100, numberOfVirtualNetworkLinksWithRegistration: 0, provisioningState: 'Succeeded' },
    });
    for (const link of zone.links) {
      const linkId = `${id}/virtualNetworkLinks/${link}-link`;
      resources.push({ id: linkId, name: `${link}-link`, type: 'Microsoft.Network/privateDnsZones/virtualNetworkLinks', location: 'global', etag: guidFor(`etag:${linkId}`), properties: { virtualNetwork: { id: ids.vnet(estate, link) }, registrationEnabled: false, resolutionPolicy: 'Default', virtualNetworkLinkState: 'Completed', provisioningState: 'Succeeded' } });
    }
    for (const record of zone.records) {
      const recordId = `${id}/A/${record.name}`;
      resources.push({ id: recordId, name: record.name, type: 'Microsoft.Network/privateDnsZones/A', etag: guidFor(`etag:${recordId}`), properties: { metadata: { creator: 'created by private endpoint' }, ttl: 10, fqdn: `${record.name}.${zone.name}.`, isAutoRegistered: false, aRecords: [{ ipv4Address: record.ip }] } });
    }
  }

  for (const vault of estate.keyVaults) {
    const id = ids.resource(vault.resourceGroup, 'Microsoft.KeyVault', `vaults/${vault.name}`);
    resources.push({
      id, name: vault.name, type: 'Microsoft.KeyVault/vaults', location, tags: tags(estate, 'shared-secrets'),
      properties: {
        sku: { family: 'A', name: 'standard' }, tenantId: org.tenantId, accessPolicies: [], enabledForDeployment: false, enabledForDiskEncryption: false, enabledForTemplateDeployment: false,
        enableSoftDelete: true, softDeleteRetentionInDays: 90, enableRbacAuthorization: vault.enableRbacAuthorization, enablePurgeProtection: true, vaultUri: `https://${vault.name}.vault.azure.net/`, provisioningState: 'Succeeded', publicNetworkAccess: vault.publicNetworkAccess,
        networkAcls: { bypass: 'AzureServices', defaultAction: vault.defaultAction, ipRules: vault.ipRules.map((value) => ({ value })), virtualNetworkRules: [] },
        privateEndpointConnections: estate.privateEndpoints.filter((endpoint) => endpoint.targetId === id).map((endpoint) => ({ id: `${id}/privateEndpointConnections/${endpoint.name}`, properties: { provisioningState: 'Succeeded', privateEndpoint: { id: ids.network(endpoint.resourceGroup, `privateEndpoints/${endpoint.name}`) }, privateLinkServiceConnectionState: { status: 'Approved', actionsRequired: 'None' } } })),
      },
    });
  }

  for (const app of estate.webApps) {
    const planId = ids.resource(app.resourceGroup, 'Microsoft.Web', `serverfarms/${app.planName}`);
    resources.push({ id: planId, name: app.planName, type: 'Microsoft.Web/serverfarms', location, kind: 'linux', sku: { name: 'P1v3', tier: 'PremiumV3', size: 'P1v3', family: 'Pv3', capacity: 2 }, properties: { status: 'Ready', reserved: true, numberOfSites: 1, provisioningState: 'Succeeded' } });
    const id = ids.resource(app.resourceGroup, 'Microsoft.Web', `sites/${app.name}`);
    resources.push({
      id, name: app.name, type: 'Microsoft.Web/sites', location, kind: 'app,linux', identity: { type: 'SystemAssigned', tenantId: org.tenantId, principalId: app.principalId }, tags: tags(estate, app.name),
      properties: {
        state: 'Running', hostNames: [`${app.name}.azurewebsites.net`], enabledHostNames: [`${app.name}.azurewebsites.net`, `${app.name}.scm.azurewebsites.net`], serverFarmId: planId, reserved: true, httpsOnly: true,
        siteConfig: { linuxFxVersion: 'DOTNETCORE|8.0', vnetRouteAllEnabled: app.vnetRouteAllEnabled, minTlsVersion: '1.2', alwaysOn: true },
        virtualNetworkSubnetId: ids.subnet(estate, app.vnet, app.subnet), vnetRouteAllEnabled: app.vnetRouteAllEnabled, publicNetworkAccess: 'Enabled',
        outboundIpAddresses: app.outboundIps.join(','), possibleOutboundIpAddresses: app.outboundIps.join(','), defaultHostName: `${app.name}.azurewebsites.net`,
      },
    });
  }

  for (const vnet of estate.vnets) {
    if (!vnet.flowLog) continue;
    const id = ids.flowLog(estate, vnet.name);
    resources.push({
      id, name: id.split('/').pop() ?? '', type: 'Microsoft.Network/networkWatchers/flowLogs', location, etag: etagFor(id),
      properties: {
        targetResourceId: ids.vnet(estate, vnet.name), targetResourceGuid: guidFor(ids.vnet(estate, vnet.name)), storageId: ids.storage(estate.flowLogStorage.resourceGroup, estate.flowLogStorage.name), enabled: vnet.flowLog.enabled,
        retentionPolicy: { days: 30, enabled: true }, format: { type: 'JSON', version: 2 },
        flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: vnet.flowLog.trafficAnalytics, workspaceId: org.workspaceId, workspaceRegion: location, workspaceResourceId: workspaceId, trafficAnalyticsInterval: vnet.flowLog.intervalInMinutes } },
        provisioningState: 'Succeeded',
      },
    });
  }
  for (const vnet of estate.vnets) {
    for (const nsgName of vnet.nsgFlowLogs ?? []) {
      const nsg = estate.nsgs.find((candidate) => candidate.name === nsgName);
      if (!nsg) throw new Error(`unknown NSG ${nsgName}`);
      const id = `${ids.networkWatcher(estate)}/flowLogs/${nsgName}-${nsg.resourceGroup}-flowlog`;
      resources.push({
        id, name: `${nsgName}-${nsg.resourceGroup}-flowlog`, type: 'Microsoft.Network/networkWatchers/flowLogs', location, etag: etagFor(id),
        properties: {
          targetResourceId: ids.nsg(estate, nsgName), targetResourceGuid: guidFor(ids.nsg(estate, nsgName)), storageId: ids.storage(estate.flowLogStorage.resourceGroup, estate.flowLogStorage.name), enabled: true,
          retentionPolicy: { days: 30, enabled: true }, format: { type: 'JSON', version: 2 },
          flowAnalyticsConfiguration: { networkWatcherFlowAnalyticsConfiguration: { enabled: true, workspaceId: org.workspaceId, workspaceRegion: location, workspaceResourceId: workspaceId, trafficAnalyticsInterval: 60 } },
          provisioningState: 'Succeeded',
        },
      });
    }
  }

  if (estate.flowLogPolicyInterval !== null) {
    const id = `/subscriptions/${org.subscriptionId}/providers/Microsoft.Authorization/policyAssignments/${org.prefix}-vnet-flowlogs-${org.region}`;
    resources.push({
      id, name: id.split('/').pop() ?? '', type: 'Microsoft.Authorization/policyAssignments', location, identity: { type: 'SystemAssigned', principalId: guidFor(`principal:${id}`), tenantId: org.tenantId },
      properties: {
        displayName: `VNet flow logs + Traffic Analytics (${estate.flowLogPolicyInterval} min) - ${location}`, policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/052c180e-287d-44c3-86ef-01aeae2d9774', definitionVersion: '1.*.*',
        scope: `/subscriptions/${org.subscriptionId}`, notScopes: [], enforcementMode: 'Default',
        parameters: { vnetRegion: { value: location }, storageId: { value: ids.storage(estate.flowLogStorage.resourceGroup, estate.flowLogStorage.name) }, networkWatcherName: { value: ids.networkWatcher(estate) }, workspaceResourceId: { value: workspaceId }, workspaceRegion: { value: location }, timeInterval: { value: String(estate.flowLogPolicyInterval) }, retentionDays: { value: '30' } },
        metadata: { assignedBy: 'Cloud Platform Team', createdOn: '2026-07-02T09:14:51.0000000Z' },
      },
    });
  }

  const diagnostic = (resourceId: string, name: string, categories: [string, boolean][], dedicated: boolean): ArmBody => ({
    id: `${resourceId}/providers/Microsoft.Insights/diagnosticSettings/${name}`, name, type: 'Microsoft.Insights/diagnosticSettings',
    properties: { workspaceId, logAnalyticsDestinationType: dedicated ? 'Dedicated' : null, logs: categories.map(([category, enabled]) => ({ category, categoryGroup: null, enabled, retentionPolicy: { days: 0, enabled: false } })), metrics: [{ category: 'AllMetrics', enabled: true, retentionPolicy: { days: 0, enabled: false } }] },
  });
  resources.push(diagnostic(firewallId, `${org.prefix}-afw-to-law`, [['AZFWNetworkRule', true], ['AZFWApplicationRule', true], ['AZFWNatRule', true], ['AZFWThreatIntel', true], ['AZFWIdpsSignature', true], ['AZFWDnsQuery', firewall.dnsProxy], ['AZFWFlowTrace', firewall.flowTrace], ['AZFWFqdnResolveFailure', true], ['AZFWFatFlow', false], ['AzureFirewallApplicationRule', false], ['AzureFirewallNetworkRule', false], ['AzureFirewallDnsProxy', false]], true));
  resources.push(diagnostic(gatewayId, `${org.prefix}-vgw-to-law`, [['GatewayDiagnosticLog', true], ['TunnelDiagnosticLog', true], ['RouteDiagnosticLog', true], ['IKEDiagnosticLog', true], ['P2SDiagnosticLog', false]], false));
  for (const vault of estate.keyVaults) {
    resources.push(diagnostic(ids.resource(vault.resourceGroup, 'Microsoft.KeyVault', `vaults/${vault.name}`), `${vault.name}-to-law`, [['AuditEvent', true], ['AzurePolicyEvaluationDetails', false]], true));
  }
  return resources;
}

function vmResources(estate: EstateSpec, ids: Ids, vm: VmSpec): ArmBody[] {
  const location = estate.organisation.location;
  const nicId = ids.nic(vm);
  const vmId = ids.vm(vm);
  const nicGuid = guidFor(nicId);
  const nic: ArmBody = {
    id: nicId, name: `nic-${vm.name}`, type: 'Microsoft.Network/networkInterfaces', location, etag: etagFor(nicId), kind: 'Regular',
    properties: {
      ipConfigurations: [{ name: 'ipconfig1', id: `${nicId}/ipConfigurations/ipconfig1`, etag: etagFor(`${nicId}/ipConfigurations/ipconfig1`), type: 'Microsoft.Network/networkInterfaces/ipConfigurations', properties: { privateIPAddress: vm.privateIp, privateIPAddressVersion: 'IPv4', privateIPAllocationMethod: 'Static', primary: true, subnet: { id: ids.subnet(estate, vm.vnet, vm.subnet) }, provisioningState: 'Succeeded' } }],
      dnsSettings: { dnsServers: [], appliedDnsServers: [], internalDomainNameSuffix: `${nicGuid.slice(0, 12)}.ax.internal.cloudapp.net` },
      macAddress: macFor(nicId), enableAcceleratedNetworking: true, enableIPForwarding: vm.enableIpForwarding ?? false, primary: true, vnetEncryptionSupported: false, nicType: 'Standard',
      virtualMachine: { id: vmId }, provisioningState: 'Succeeded', resourceGuid: nicGuid,
      ...(vm.nsg ? { networkSecurityGroup: { id: ids.nsg(estate, vm.nsg) } } : {}),
    },
  };
  const power = vm.powerState ?? 'running';
  const windows = vm.os === 'Windows';
  const machine: ArmBody = {
    id: vmId, name: vm.name, type: 'Microsoft.Compute/virtualMachines', location, zones: [vm.zone],
    properties: {
      vmId: guidFor(`vmid:${vmId}`), hardwareProfile: { vmSize: vm.size },
      storageProfile: {
        imageReference: windows ? { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-azure-edition', version: 'latest' } : { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' },
        osDisk: { osType: vm.os, name: `osdisk-${vm.name}`, createOption: 'FromImage', caching: 'ReadWrite', managedDisk: { storageAccountType: 'Premium_LRS' }, diskSizeGB: windows ? 128 : 64 }, dataDisks: [],
      },
      osProfile: { computerName: vm.name, adminUsername: estate.organisation.adminUsername, allowExtensionOperations: true, ...(windows ? { windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true } } : { linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true } }) },
      networkProfile: { networkInterfaces: [{ id: nicId, properties: { primary: true } }] }, diagnosticsProfile: { bootDiagnostics: { enabled: true } }, provisioningState: 'Succeeded', timeCreated: vm.created,
      instanceView: {
        computerName: vm.name, osName: windows ? 'Windows Server 2022 Datacenter Azure Edition' : 'ubuntu', osVersion: windows ? '10.0.20348.2849' : '24.04',
        vmAgent: { vmAgentVersion: windows ? '2.7.41491.1149' : '2.11.1.12', statuses: [power === 'running' ? { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Ready', message: 'GuestAgent is running and processing the extensions.' } : { code: 'ProvisioningState/Unavailable', level: 'Warning', displayStatus: 'Not Ready', message: 'VM status blob is found but not yet populated.' }] },
        statuses: [{ code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: vm.created }, { code: `PowerState/${power}`, level: 'Info', displayStatus: power === 'running' ? 'VM running' : power === 'deallocated' ? 'VM deallocated' : 'VM stopped' }],
      },
    },
    tags: tags(estate, vm.workload),
    resources: extensionNames(vm).map((name) => ({ id: `${vmId}/extensions/${name}` })),
  };
  return [nic, machine];
}

function extensionNames(vm: VmSpec): string[] {
  const names: string[] = [];
  if (vm.networkWatcherExtension ?? true) names.push('AzureNetworkWatcherExtension');
  names.push(vm.os === 'Windows' ? 'AzureMonitorWindowsAgent' : 'AzureMonitorLinuxAgent');
  return names;
}

function extensionResources(ids: Ids, vm: VmSpec, location: string): ArmBody[] {
  const windows = vm.os === 'Windows';
  return extensionNames(vm).map((name) => {
    const isWatcher = name === 'AzureNetworkWatcherExtension';
    return {
      id: `${ids.vm(vm)}/extensions/${name}`, name, type: 'Microsoft.Compute/virtualMachines/extensions', location,
      properties: {
        publisher: isWatcher ? 'Microsoft.Azure.NetworkWatcher' : 'Microsoft.Azure.Monitor',
        type: isWatcher ? (windows ? 'NetworkWatcherAgentWindows' : 'NetworkWatcherAgentLinux') : name,
        typeHandlerVersion: isWatcher ? '1.4' : windows ? '1.30' : '1.33', autoUpgradeMinorVersion: true, enableAutomaticUpgrade: !isWatcher, settings: {}, provisioningState: 'Succeeded',
      },
    };
  });
}
