/**
 * The Topology built from ARM resource bodies (ARM GET, or Resource Graph rows with
 * the same `id, name, type, location, properties`), as a pure function. Types compare
 * case-insensitively (Resource Graph writes them in lower case); every list is sorted by
 * id so the same estate gives the same topology.
 */
import type {
  AzureFirewall, DiagnosticSetting, FirewallRule, FlowLog, GatewayConnection, KeyVault, NetworkInterface, NetworkSecurityGroup,
  NetworkWatcher, Peering, PrivateDnsZone, PrivateEndpoint, RouteTable, SecurityRule, Subnet, Topology, VirtualMachine,
  VirtualNetwork, VirtualNetworkGateway, WebApp,
} from '../domain/index.js';
import { idKey, nameOf, parentId } from './resource-ids.js';

/** An ARM resource body as ARM GET or Resource Graph returns it. */
export interface ArmResource {
  id: string;
  name?: string;
  type: string;
  location?: string;
  kind?: string;
  sku?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  /** Child resources ARM inlines (e.g. VM extensions with $expand). */
  resources?: ArmResource[];
  [key: string]: unknown;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}
function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}
function int(value: unknown, fallback: number): number {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : fallback;
}
function idOf(value: unknown): string | null {
  return str(record(value).id);
}
function props(resource: { properties?: unknown }): Json {
  return record(resource.properties);
}
const byId = <T extends { id: string }>(items: T[]): T[] => items.sort((left, right) => (idKey(left.id) < idKey(right.id) ? -1 : idKey(left.id) > idKey(right.id) ? 1 : 0));

/** The resource types the topology reads, in lower case. */
export const TOPOLOGY_TYPES = [
  'microsoft.network/virtualnetworks', 'microsoft.network/virtualnetworks/subnets', 'microsoft.network/virtualnetworks/virtualnetworkpeerings',
  'microsoft.network/routetables', 'microsoft.network/networksecuritygroups', 'microsoft.network/networkinterfaces',
  'microsoft.compute/virtualmachines', 'microsoft.compute/virtualmachines/extensions', 'microsoft.compute/virtualmachinescalesets',
  'microsoft.network/azurefirewalls', 'microsoft.network/firewallpolicies', 'microsoft.network/firewallpolicies/rulecollectiongroups',
  'microsoft.network/publicipaddresses', 'microsoft.network/privateendpoints', 'microsoft.network/virtualnetworkgateways',
  'microsoft.network/localnetworkgateways', 'microsoft.network/connections', 'microsoft.network/networkwatchers',
  'microsoft.network/networkwatchers/flowlogs', 'microsoft.keyvault/vaults', 'microsoft.network/privatednszones',
  'microsoft.network/privatednszones/virtualnetworklinks', 'microsoft.network/privatednszones/a', 'microsoft.web/sites',
  'microsoft.insights/diagnosticsettings',
] as const;

class Index {
  readonly byType = new Map<string, ArmResource[]>();
  readonly byId = new Map<string, ArmResource>();

  constructor(resources: readonly ArmResource[]) {
    const add = (resource: ArmResource): void => {
      if (typeof resource.id !== 'string' || typeof resource.type !== 'string') return;
      const type = resource.type.toLowerCase();
      if (this.byId.has(idKey(resource.id))) return;
      this.byId.set(idKey(resource.id), resource);
      this.byType.set(type, [...(this.byType.get(type) ?? []), resource]);
      for (const child of resource.resources ?? []) add(child);
    };
    resources.forEach(add);
  }

  of(type: string): ArmResource[] {
    return this.byType.get(type) ?? [];
  }

  get(id: string | null): ArmResource | undefined {
    return id === null ? undefined : this.byId.get(idKey(id));
  }
}

function publicIpsOf(index: Index, ipConfigurations: Json[]): string[] {
  return ipConfigurations
    .map((configuration) => {
      const publicIp = record(props(configuration).publicIPAddress);
      const inline = str(record(publicIp.properties).ipAddress);
      return inline ?? str(props(index.get(str(publicIp.id)) ?? {}).ipAddress);
    })
    .filter((ip): ip is string => ip !== null);
}

function subnetOf(subnet: Json, virtualNetworkId: string): Subnet {
  const properties = props(subnet);
  const prefixes = strings(properties.addressPrefixes);
  const single = str(properties.addressPrefix);
  return {
    id: str(subnet.id) ?? `${virtualNetworkId}/subnets/${str(subnet.name) ?? ''}`,
    name: str(subnet.name) ?? nameOf(str(subnet.id) ?? ''),
    virtualNetworkId,
    addressPrefixes: prefixes.length > 0 ? prefixes : single ? [single] : [],
    routeTableId: idOf(properties.routeTable),
    networkSecurityGroupId: idOf(properties.networkSecurityGroup),
    privateEndpointNetworkPolicies: str(properties.privateEndpointNetworkPolicies) ?? 'Disabled',
    delegations: list(properties.delegations).map((delegation) => str(props(delegation).serviceName) ?? str(delegation.name) ?? '').filter(Boolean).sort(),
  };
}

function peeringOf(peering: Json, virtualNetworkId: string): Peering {
  const properties = props(peering);
  const remoteSpace = record(properties.remoteAddressSpace ?? properties.remoteVirtualNetworkAddressSpace);
  return {
    id: str(peering.id) ?? `${virtualNetworkId}/virtualNetworkPeerings/${str(peering.name) ?? ''}`,
    name: str(peering.name) ?? '',
    virtualNetworkId,
    remoteVirtualNetworkId: idOf(properties.remoteVirtualNetwork) ?? '',
    state: str(properties.peeringState) ?? 'Unknown',
    allowVirtualNetworkAccess: bool(properties.allowVirtualNetworkAccess, true),
    allowForwardedTraffic: bool(properties.allowForwardedTraffic, false),
    allowGatewayTransit: bool(properties.allowGatewayTransit, false),
    useRemoteGateways: bool(properties.useRemoteGateways, false),
    remoteAddressPrefixes: strings(remoteSpace.addressPrefixes),
  };
}

function virtualNetworksOf(index: Index): VirtualNetwork[] {
  const childSubnets = index.of('microsoft.network/virtualnetworks/subnets');
  const childPeerings = index.of('microsoft.network/virtualnetworks/virtualnetworkpeerings');
  return byId(index.of('microsoft.network/virtualnetworks').map((network) => {
    const properties = props(network);
    const subnets = new Map<string, Subnet>();
    for (const subnet of [...list(properties.subnets), ...childSubnets.filter((child) => idKey(parentId(child.id)) === idKey(network.id))]) {
      const parsed = subnetOf(subnet, network.id);
      subnets.set(idKey(parsed.id), parsed);
    }
    const peerings = new Map<string, Peering>();
    for (const peering of [...list(properties.virtualNetworkPeerings), ...childPeerings.filter((child) => idKey(parentId(child.id)) === idKey(network.id))]) {
      const parsed = peeringOf(peering, network.id);
      peerings.set(idKey(parsed.id), parsed);
    }
    return {
      id: network.id, name: network.name ?? nameOf(network.id), location: network.location ?? '',
      addressPrefixes: strings(record(properties.addressSpace).addressPrefixes),
      subnets: byId([...subnets.values()]), peerings: byId([...peerings.values()]),
      dnsServers: strings(record(properties.dhcpOptions).dnsServers),
      virtualHubId: idOf(properties.virtualHub),
    };
  }));
}

function routeTablesOf(index: Index): RouteTable[] {
  return byId(index.of('microsoft.network/routetables').map((table) => {
    const properties = props(table);
    return {
      id: table.id, name: table.name ?? nameOf(table.id), location: table.location ?? '',
      disableBgpRoutePropagation: bool(properties.disableBgpRoutePropagation, false),
      routes: list(properties.routes).map((route) => {
        const routeProperties = props(route);
        return {
          name: str(route.name) ?? '', addressPrefix: str(routeProperties.addressPrefix) ?? '',
          nextHopType: str(routeProperties.nextHopType) ?? 'None', nextHopIpAddress: str(routeProperties.nextHopIpAddress),
        };
      }),
    };
  }));
}

function rangesOf(properties: Json, plural: string, singular: string): string[] {
  const many = strings(properties[plural]);
  if (many.length > 0) return many;
  const one = str(properties[singular]);
  return one ? [one] : [];
}

function securityRuleOf(rule: Json, isDefault: boolean): SecurityRule {
  const properties = props(rule);
  return {
    name: str(rule.name) ?? '', priority: int(properties.priority, 65000),
    direction: properties.direction === 'Outbound' ? 'Outbound' : 'Inbound',
    access: properties.access === 'Deny' ? 'Deny' : 'Allow',
    protocol: str(properties.protocol) ?? '*',
    sourceAddressPrefixes: rangesOf(properties, 'sourceAddressPrefixes', 'sourceAddressPrefix'),
    sourcePortRanges: rangesOf(properties, 'sourcePortRanges', 'sourcePortRange'),
    destinationAddressPrefixes: rangesOf(properties, 'destinationAddressPrefixes', 'destinationAddressPrefix'),
    destinationPortRanges: rangesOf(properties, 'destinationPortRanges', 'destinationPortRange'),
    isDefault,
  };
}

function securityGroupsOf(index: Index): NetworkSecurityGroup[] {
  return byId(index.of('microsoft.network/networksecuritygroups').map((group) => {
    const properties = props(group);
    const rules = [...list(properties.securityRules).map((rule) => securityRuleOf(rule, false)), ...list(properties.defaultSecurityRules).map((rule) => securityRuleOf(rule, true))];
    rules.sort((left, right) => left.direction.localeCompare(right.direction) || left.priority - right.priority || left.name.localeCompare(right.name));
    return { id: group.id, name: group.name ?? nameOf(group.id), location: group.location ?? '', rules };
  }));
}

function networkInterfacesOf(index: Index): NetworkInterface[] {
  return byId(index.of('microsoft.network/networkinterfaces').map((nic) => {
    const properties = props(nic);
    const configurations = list(properties.ipConfigurations);
    const primary = configurations.find((configuration) => props(configuration).primary === true) ?? configurations[0] ?? {};
    return {
      id: nic.id, name: nic.name ?? nameOf(nic.id), location: nic.location ?? '',
      subnetId: idOf(props(primary).subnet) ?? '',
      privateIpAddresses: configurations.map((configuration) => str(props(configuration).privateIPAddress)).filter((ip): ip is string => ip !== null),
      publicIpAddresses: publicIpsOf(index, configurations),
      enableIpForwarding: bool(properties.enableIPForwarding, false),
      networkSecurityGroupId: idOf(properties.networkSecurityGroup),
      attachedToId: idOf(properties.virtualMachine) ?? idOf(properties.privateEndpoint),
    };
  }));
}

function powerStateOf(properties: Json): string {
  const views = [record(properties.instanceView), record(record(properties.extended).instanceView)];
  for (const view of views) {
    const direct = str(record(view.powerState).code);
    const status = list(view.statuses).map((entry) => str(entry.code)).find((code) => code?.startsWith('PowerState/'));
    const code = direct ?? status;
    if (code) return code.replace(/^PowerState\//, '').toLowerCase();
  }
  return 'unknown';
}

function virtualMachinesOf(index: Index): VirtualMachine[] {
  const extensions = index.of('microsoft.compute/virtualmachines/extensions');
  const machines = index.of('microsoft.compute/virtualmachines').map((machine): VirtualMachine => {
    const properties = props(machine);
    const own = extensions.filter((extension) => idKey(parentId(extension.id)) === idKey(machine.id));
    return {
      id: machine.id, name: machine.name ?? nameOf(machine.id), location: machine.location ?? '', kind: 'virtualMachine',
      networkInterfaceIds: list(record(properties.networkProfile).networkInterfaces).map((nic) => str(nic.id)).filter((id): id is string => id !== null),
      powerState: powerStateOf(properties),
      extensions: [...new Set(own.map((extension) => str(props(extension).type) ?? extension.name ?? nameOf(extension.id)))].sort(),
    };
  });
  const scaleSets = index.of('microsoft.compute/virtualmachinescalesets').map((scaleSet): VirtualMachine => {
    const profile = record(props(scaleSet).virtualMachineProfile);
    const extensionNames = list(record(profile.extensionProfile).extensions).map((extension) => str(props(extension).type) ?? str(extension.name) ?? '').filter(Boolean);
    return {
      id: scaleSet.id, name: scaleSet.name ?? nameOf(scaleSet.id), location: scaleSet.location ?? '', kind: 'virtualMachineScaleSet',
      networkInterfaceIds: [], powerState: 'unknown', extensions: [...new Set(extensionNames)].sort(),
    };
  });
  return byId([...machines, ...scaleSets]);
}

function addresses(rule: Json, ...keys: string[]): string[] {
  return keys.flatMap((key) => strings(rule[key]));
}

function firewallRulesOf(index: Index, policyId: string | null): FirewallRule[] {
  if (policyId === null) return [];
  const policy = index.get(policyId);
  const referenced = list(props(policy ?? {}).ruleCollectionGroups).map((group) => str(group.id)).filter((id): id is string => id !== null);
  const groups = index.of('microsoft.network/firewallpolicies/rulecollectiongroups')
    .filter((group) => idKey(parentId(group.id)) === idKey(policyId) || referenced.some((id) => idKey(id) === idKey(group.id)));
  const rules: FirewallRule[] = [];
  for (const group of groups) {
    const groupProperties = props(group);
    for (const collection of list(groupProperties.ruleCollections)) {
      const nat = collection.ruleCollectionType === 'FirewallPolicyNatRuleCollection';
      const action = str(record(collection.action).type) ?? (nat ? 'DNAT' : 'Allow');
      for (const rule of list(collection.rules)) {
        const ruleType = str(rule.ruleType) ?? '';
        const kind: FirewallRule['kind'] = nat || ruleType === 'NatRule' ? 'nat' : ruleType === 'ApplicationRule' ? 'application' : 'network';
        rules.push({
          ruleCollectionGroup: group.name ?? nameOf(group.id), ruleCollection: str(collection.name) ?? '',
          groupPriority: int(groupProperties.priority, 65000), collectionPriority: int(collection.priority, 65000),
          action: action === 'Dnat' ? 'DNAT' : action, kind, name: str(rule.name) ?? '',
          sourceAddresses: addresses(rule, 'sourceAddresses', 'sourceIpGroups'),
          destinationAddresses: addresses(rule, 'destinationAddresses', 'destinationIpGroups'),
          destinationFqdns: addresses(rule, 'destinationFqdns'),
          destinationPorts: kind === 'application' ? list(rule.protocols).map((protocol) => String(protocol.port ?? '')).filter(Boolean) : addresses(rule, 'destinationPorts'),
          protocols: kind === 'application' ? list(rule.protocols).map((protocol) => `${str(protocol.protocolType) ?? '?'}:${String(protocol.port ?? '')}`) : addresses(rule, 'ipProtocols'),
          targetFqdns: addresses(rule, 'targetFqdns', 'fqdnTags', 'webCategories'),
        });
      }
    }
  }
  return rules.sort((left, right) => left.groupPriority - right.groupPriority || left.collectionPriority - right.collectionPriority
    || left.ruleCollectionGroup.localeCompare(right.ruleCollectionGroup) || left.ruleCollection.localeCompare(right.ruleCollection));
}

/** Classic rules configured on the firewall itself (no policy). */
function classicRulesOf(properties: Json): FirewallRule[] {
  const collections: [string, FirewallRule['kind']][] = [['networkRuleCollections', 'network'], ['applicationRuleCollections', 'application'], ['natRuleCollections', 'nat']];
  return collections.flatMap(([key, kind]) => list(properties[key]).flatMap((collection) => {
    const collectionProperties = props(collection);
    return list(collectionProperties.rules).map((rule): FirewallRule => ({
      ruleCollectionGroup: '(classic)', ruleCollection: str(collection.name) ?? '', groupPriority: 0,
      collectionPriority: int(collectionProperties.priority, 65000), action: str(record(collectionProperties.action).type) ?? (kind === 'nat' ? 'DNAT' : 'Allow'),
      kind, name: str(rule.name) ?? '', sourceAddresses: addresses(rule, 'sourceAddresses', 'sourceIpGroups'),
      destinationAddresses: addresses(rule, 'destinationAddresses', 'destinationIpGroups'), destinationFqdns: addresses(rule, 'destinationFqdns'),
      destinationPorts: addresses(rule, 'destinationPorts'),
      protocols: kind === 'application' ? list(rule.protocols).map((protocol) => `${str(protocol.protocolType) ?? '?'}:${String(protocol.port ?? '')}`) : addresses(rule, 'protocols'),
      targetFqdns: addresses(rule, 'targetFqdns', 'fqdnTags'),
    }));
  }));
}

function firewallsOf(index: Index): AzureFirewall[] {
  return byId(index.of('microsoft.network/azurefirewalls').map((firewall) => {
    const properties = props(firewall);
    const configurations = list(properties.ipConfigurations);
    const policyId = idOf(properties.firewallPolicy);
    const policy = props(index.get(policyId) ?? {});
    const subnetId = configurations.map((configuration) => idOf(props(configuration).subnet)).find((id) => id !== null) ?? null;
    const privateIp = configurations.map((configuration) => str(props(configuration).privateIPAddress)).find((ip) => ip !== null)
      ?? str(record(record(properties.hubIPAddresses).privateIPAddress)) ?? str(record(properties.hubIPAddresses).privateIPAddress);
    const certificateAuthority = record(record(policy.transportSecurity).certificateAuthority);
    return {
      id: firewall.id, name: firewall.name ?? nameOf(firewall.id), location: firewall.location ?? '',
      privateIpAddress: privateIp, subnetId, publicIpAddresses: publicIpsOf(index, configurations),
      tier: str(record(properties.sku).tier) ?? str(record(policy.sku).tier) ?? 'Standard',
      provisioningState: str(properties.provisioningState) ?? 'Unknown', policyId,
      threatIntelMode: str(policy.threatIntelMode) ?? str(properties.threatIntelMode) ?? 'Alert',
      intrusionDetectionMode: str(record(policy.intrusionDetection).mode) ?? 'Off',
      tlsInspectionCaSubject: str(certificateAuthority.name),
      rules: [...firewallRulesOf(index, policyId), ...classicRulesOf(properties)],
      virtualHubId: idOf(properties.virtualHub),
    };
  }));
}

function localPrefixes(index: Index, localGatewayId: string | null): string[] {
  return strings(record(props(index.get(localGatewayId) ?? {}).localNetworkAddressSpace).addressPrefixes);
}

function connectionsOf(index: Index): GatewayConnection[] {
  return byId(index.of('microsoft.network/connections').map((connection) => {
    const properties = props(connection);
    const localGatewayId = idOf(properties.localNetworkGateway2);
    return {
      id: connection.id, name: connection.name ?? nameOf(connection.id), location: connection.location ?? '',
      gatewayId: idOf(properties.virtualNetworkGateway1) ?? '', localNetworkGatewayId: localGatewayId,
      connectionStatus: str(properties.connectionStatus) ?? 'Unknown', connectionType: str(properties.connectionType) ?? '',
      remotePrefixes: localPrefixes(index, localGatewayId),
    };
  }));
}

function gatewaysOf(index: Index, connections: GatewayConnection[]): VirtualNetworkGateway[] {
  return byId(index.of('microsoft.network/virtualnetworkgateways').map((gateway) => {
    const properties = props(gateway);
    const subnetId = list(properties.ipConfigurations).map((configuration) => idOf(props(configuration).subnet)).find((id) => id !== null) ?? '';
    const learned = connections.filter((connection) => idKey(connection.gatewayId) === idKey(gateway.id)).flatMap((connection) => connection.remotePrefixes);
    return {
      id: gateway.id, name: gateway.name ?? nameOf(gateway.id), location: gateway.location ?? '',
      virtualNetworkId: subnetId ? parentId(subnetId) : '', gatewayType: str(properties.gatewayType) ?? 'Vpn',
      learnedPrefixes: [...new Set(learned)].sort(),
    };
  }));
}

function privateEndpointsOf(index: Index): PrivateEndpoint[] {
  return byId(index.of('microsoft.network/privateendpoints').map((endpoint) => {
    const properties = props(endpoint);
    const nicIps = list(properties.networkInterfaces).flatMap((nic) => {
      const body = index.get(str(nic.id));
      return list(props(body ?? {}).ipConfigurations).map((configuration) => str(props(configuration).privateIPAddress));
    });
    const dnsIps = list(properties.customDnsConfigs).flatMap((config) => strings(config.ipAddresses));
    const configuredIps = list(properties.ipConfigurations).map((configuration) => str(props(configuration).privateIPAddress));
    const connections = [...list(properties.privateLinkServiceConnections), ...list(properties.manualPrivateLinkServiceConnections)];
    return {
      id: endpoint.id, name: endpoint.name ?? nameOf(endpoint.id), location: endpoint.location ?? '',
      subnetId: idOf(properties.subnet) ?? '',
      privateIpAddresses: [...new Set([...nicIps, ...dnsIps, ...configuredIps].filter((ip): ip is string => ip !== null && ip !== undefined))].sort(),
      targetResourceId: connections.map((connection) => str(props(connection).privateLinkServiceId)).find((id) => id !== null) ?? null,
      groupIds: [...new Set(connections.flatMap((connection) => strings(props(connection).groupIds)))].sort(),
    };
  }));
}

function privateDnsZonesOf(index: Index): PrivateDnsZone[] {
  const links = index.of('microsoft.network/privatednszones/virtualnetworklinks');
  const records = index.of('microsoft.network/privatednszones/a');
  return byId(index.of('microsoft.network/privatednszones').map((zone) => {
    const properties = props(zone);
    const ownLinks = [...links.filter((link) => idKey(parentId(link.id)) === idKey(zone.id)), ...list(properties.virtualNetworkLinks)];
    const ownRecords = [...records.filter((entry) => idKey(parentId(entry.id)) === idKey(zone.id)), ...list(properties.aRecordSets ?? properties.records)];
    return {
      id: zone.id, name: zone.name ?? nameOf(zone.id),
      records: ownRecords.map((entry) => ({
        name: str(entry.name) ?? '',
        ipAddresses: [...list(props(entry).aRecords).map((a) => str(a.ipv4Address)), ...strings(record(entry).ipAddresses)].filter((ip): ip is string => ip !== null),
      })).sort((left, right) => left.name.localeCompare(right.name)),
      virtualNetworkLinks: ownLinks.map((link) => ({
        virtualNetworkId: idOf(props(link).virtualNetwork) ?? str(record(link).virtualNetworkId) ?? '',
        registrationEnabled: bool(props(link).registrationEnabled, false),
      })).sort((left, right) => left.virtualNetworkId.localeCompare(right.virtualNetworkId)),
    };
  }));
}

function keyVaultsOf(index: Index): KeyVault[] {
  return byId(index.of('microsoft.keyvault/vaults').map((vault) => {
    const properties = props(vault);
    const acls = record(properties.networkAcls);
    const uri = str(properties.vaultUri);
    return {
      id: vault.id, name: vault.name ?? nameOf(vault.id), location: vault.location ?? '',
      hostName: uri ? new URL(uri).hostname : `${vault.name ?? nameOf(vault.id)}.vault.azure.net`,
      publicNetworkAccess: str(properties.publicNetworkAccess) ?? 'Enabled',
      defaultAction: str(acls.defaultAction) ?? 'Allow',
      ipRules: list(acls.ipRules).map((rule) => str(rule.value)).filter((value): value is string => value !== null),
      virtualNetworkSubnetIds: list(acls.virtualNetworkRules).map((rule) => str(rule.id)).filter((id): id is string => id !== null),
      enableRbacAuthorization: bool(properties.enableRbacAuthorization, false),
    };
  }));
}

function webAppsOf(index: Index): WebApp[] {
  return byId(index.of('microsoft.web/sites').map((site) => {
    const properties = props(site);
    const hostNames = strings(properties.hostNames);
    const defaultHost = str(properties.defaultHostName);
    return {
      id: site.id, name: site.name ?? nameOf(site.id), location: site.location ?? '',
      hostNames: [...new Set([...hostNames, ...(defaultHost ? [defaultHost] : [])])].sort(),
      virtualNetworkSubnetId: str(properties.virtualNetworkSubnetId),
      routeAllEnabled: bool(properties.vnetRouteAllEnabled, bool(record(properties.siteConfig).vnetRouteAllEnabled, false)),
      outboundIpAddresses: (str(properties.outboundIpAddresses) ?? '').split(',').map((ip) => ip.trim()).filter(Boolean),
    };
  }));
}

function targetKindOf(targetId: string): FlowLog['targetKind'] {
  const type = targetId.toLowerCase();
  if (type.includes('/subnets/')) return 'subnet';
  if (type.includes('/networkinterfaces/')) return 'networkInterface';
  if (type.includes('/networksecuritygroups/')) return 'networkSecurityGroup';
  return 'virtualNetwork';
}

function flowLogsOf(index: Index): FlowLog[] {
  return byId(index.of('microsoft.network/networkwatchers/flowlogs').map((flowLog) => {
    const properties = props(flowLog);
    const analytics = record(record(properties.flowAnalyticsConfiguration).networkWatcherFlowAnalyticsConfiguration);
    const target = str(properties.targetResourceId) ?? '';
    const retention = record(properties.retentionPolicy);
    return {
      id: flowLog.id, name: flowLog.name ?? nameOf(flowLog.id), location: flowLog.location ?? '',
      targetResourceId: target, targetKind: targetKindOf(target), enabled: bool(properties.enabled, false),
      storageId: str(properties.storageId),
      retentionDays: retention.enabled === false ? null : typeof retention.days === 'number' ? retention.days : null,
      trafficAnalytics: Object.keys(analytics).length === 0 ? null : {
        enabled: bool(analytics.enabled, false), intervalInMinutes: int(analytics.trafficAnalyticsInterval, 60),
        workspaceResourceId: str(analytics.workspaceResourceId),
      },
    };
  }));
}

function diagnosticSettingsOf(index: Index): DiagnosticSetting[] {
  return byId(index.of('microsoft.insights/diagnosticsettings').map((setting) => {
    const properties = props(setting);
    const marker = setting.id.toLowerCase().indexOf('/providers/microsoft.insights/diagnosticsettings/');
    const workspace = str(properties.workspaceId);
    const destination = str(properties.logAnalyticsDestinationType);
    return {
      id: setting.id, name: setting.name ?? nameOf(setting.id),
      resourceId: marker > 0 ? setting.id.slice(0, marker) : str(properties.resourceId) ?? '',
      workspaceResourceId: workspace,
      destinationType: workspace === null ? null : destination === 'Dedicated' ? 'Dedicated' : 'AzureDiagnostics',
      enabledCategories: list(properties.logs).filter((log) => log.enabled === true).map((log) => str(log.category) ?? str(log.categoryGroup) ?? '').filter(Boolean).sort(),
    } satisfies DiagnosticSetting;
  }));
}

function networkWatchersOf(index: Index): NetworkWatcher[] {
  return byId(index.of('microsoft.network/networkwatchers').map((watcher) => ({ id: watcher.id, name: watcher.name ?? nameOf(watcher.id), location: watcher.location ?? '' })));
}

/** Builds the Topology from ARM bodies (pure; unknown types are ignored, duplicates by id keep the first). */
export function buildTopology(resources: readonly ArmResource[]): Topology {
  const index = new Index(resources);
  const connections = connectionsOf(index);
  return {
    virtualNetworks: virtualNetworksOf(index),
    routeTables: routeTablesOf(index),
    networkSecurityGroups: securityGroupsOf(index),
    networkInterfaces: networkInterfacesOf(index),
    virtualMachines: virtualMachinesOf(index),
    firewalls: firewallsOf(index),
    gateways: gatewaysOf(index, connections),
    connections,
    privateEndpoints: privateEndpointsOf(index),
    privateDnsZones: privateDnsZonesOf(index),
    keyVaults: keyVaultsOf(index),
    webApps: webAppsOf(index),
    flowLogs: flowLogsOf(index),
    diagnosticSettings: diagnosticSettingsOf(index),
    networkWatchers: networkWatchersOf(index),
  };
}
