/**
 * The estate as netproof models it: ARM resources normalised once by the adapters
 * (src/azure/) so that the rules never see raw Azure JSON. Ids are ARM resource ids
 * as Azure returns them; compare them case-insensitively (see `sameResourceId`).
 */
import { z } from 'zod';

const id = z.string();
const nullableId = z.string().nullable();

/** A user-defined route. */
export const UserRouteSchema = z.object({
  name: z.string(),
  addressPrefix: z.string(),
  /** VirtualAppliance | VirtualNetworkGateway | VnetLocal | Internet | None. */
  nextHopType: z.string(),
  nextHopIpAddress: z.string().nullable(),
});
export type UserRoute = z.infer<typeof UserRouteSchema>;

/** A route table and its routes. */
export const RouteTableSchema = z.object({
  id, name: z.string(), location: z.string(),
  /** "Propagate gateway routes" off. */
  disableBgpRoutePropagation: z.boolean(),
  routes: z.array(UserRouteSchema),
});
export type RouteTable = z.infer<typeof RouteTableSchema>;

/** A security rule of an NSG (own or default), as configured. */
export const SecurityRuleSchema = z.object({
  name: z.string(),
  priority: z.number().int(),
  direction: z.enum(['Inbound', 'Outbound']),
  access: z.enum(['Allow', 'Deny']),
  /** Tcp | Udp | Icmp | Esp | Ah | * */
  protocol: z.string(),
  sourceAddressPrefixes: z.array(z.string()),
  sourcePortRanges: z.array(z.string()),
  destinationAddressPrefixes: z.array(z.string()),
  destinationPortRanges: z.array(z.string()),
  isDefault: z.boolean(),
});
export type SecurityRule = z.infer<typeof SecurityRuleSchema>;

/** A network security group. */
export const NetworkSecurityGroupSchema = z.object({
  id, name: z.string(), location: z.string(),
  rules: z.array(SecurityRuleSchema),
});
export type NetworkSecurityGroup = z.infer<typeof NetworkSecurityGroupSchema>;

/** A subnet. */
export const SubnetSchema = z.object({
  id, name: z.string(), virtualNetworkId: id,
  addressPrefixes: z.array(z.string()),
  routeTableId: nullableId,
  networkSecurityGroupId: nullableId,
  /** Enabled | Disabled | RouteTableEnabled | NetworkSecurityGroupEnabled (Azure's default: Disabled). */
  privateEndpointNetworkPolicies: z.string(),
  delegations: z.array(z.string()),
});
export type Subnet = z.infer<typeof SubnetSchema>;

/** A VNet peering, seen from the VNet that owns it. */
export const PeeringSchema = z.object({
  id, name: z.string(), virtualNetworkId: id, remoteVirtualNetworkId: id,
  /** Connected | Initiated | Disconnected. */
  state: z.string(),
  allowVirtualNetworkAccess: z.boolean(),
  allowForwardedTraffic: z.boolean(),
  allowGatewayTransit: z.boolean(),
  useRemoteGateways: z.boolean(),
  /** The remote VNet's address space as the peering reports it. */
  remoteAddressPrefixes: z.array(z.string()),
});
export type Peering = z.infer<typeof PeeringSchema>;

/** A virtual network. */
export const VirtualNetworkSchema = z.object({
  id, name: z.string(), location: z.string(),
  addressPrefixes: z.array(z.string()),
  subnets: z.array(SubnetSchema),
  peerings: z.array(PeeringSchema),
  dnsServers: z.array(z.string()),
  /** Set when the VNet is a Virtual WAN hub's (not modelled: reported as unsupported). */
  virtualHubId: nullableId,
});
export type VirtualNetwork = z.infer<typeof VirtualNetworkSchema>;

/** A network interface. */
export const NetworkInterfaceSchema = z.object({
  id, name: z.string(), location: z.string(),
  subnetId: id,
  privateIpAddresses: z.array(z.string()),
  publicIpAddresses: z.array(z.string()),
  enableIpForwarding: z.boolean(),
  networkSecurityGroupId: nullableId,
  /** The VM (or scale set) that owns it, or the private endpoint. */
  attachedToId: nullableId,
});
export type NetworkInterface = z.infer<typeof NetworkInterfaceSchema>;

/** A virtual machine or a scale set. */
export const VirtualMachineSchema = z.object({
  id, name: z.string(), location: z.string(),
  kind: z.enum(['virtualMachine', 'virtualMachineScaleSet']),
  networkInterfaceIds: z.array(z.string()),
  /** running | stopped | deallocated | unknown. */
  powerState: z.string(),
  /** Extension type names, e.g. NetworkWatcherAgentWindows / AzureNetworkWatcherExtension. */
  extensions: z.array(z.string()),
});
export type VirtualMachine = z.infer<typeof VirtualMachineSchema>;

/** A firewall rule of an Azure Firewall policy, flattened with its collection. */
export const FirewallRuleSchema = z.object({
  ruleCollectionGroup: z.string(),
  ruleCollection: z.string(),
  /** Priority of the group, then of the collection: lower first. */
  groupPriority: z.number().int(),
  collectionPriority: z.number().int(),
  /** Allow | Deny | DNAT. */
  action: z.string(),
  kind: z.enum(['network', 'application', 'nat']),
  name: z.string(),
  sourceAddresses: z.array(z.string()),
  destinationAddresses: z.array(z.string()),
  destinationFqdns: z.array(z.string()),
  destinationPorts: z.array(z.string()),
  /** TCP, UDP, ICMP, Any; for application rules Http:80, Https:443. */
  protocols: z.array(z.string()),
  targetFqdns: z.array(z.string()),
});
export type FirewallRule = z.infer<typeof FirewallRuleSchema>;

/** An Azure Firewall with its policy. */
export const AzureFirewallSchema = z.object({
  id, name: z.string(), location: z.string(),
  privateIpAddress: z.string().nullable(),
  subnetId: nullableId,
  publicIpAddresses: z.array(z.string()),
  /** Standard | Premium | Basic. */
  tier: z.string(),
  provisioningState: z.string(),
  policyId: nullableId,
  /** Off | Alert | Deny. */
  threatIntelMode: z.string(),
  /** Off | Alert | Deny (Premium). */
  intrusionDetectionMode: z.string(),
  /** The TLS-inspection intermediate CA's subject, when the policy inspects TLS. */
  tlsInspectionCaSubject: z.string().nullable(),
  rules: z.array(FirewallRuleSchema),
  /** Virtual WAN hub firewall (not modelled). */
  virtualHubId: nullableId,
});
export type AzureFirewall = z.infer<typeof AzureFirewallSchema>;

/** A virtual network gateway (VPN or ExpressRoute). */
export const VirtualNetworkGatewaySchema = z.object({
  id, name: z.string(), location: z.string(),
  virtualNetworkId: id,
  gatewayType: z.string(),
  /** Prefixes the gateway learned (BGP, or local network gateways of its connections). */
  learnedPrefixes: z.array(z.string()),
});
export type VirtualNetworkGateway = z.infer<typeof VirtualNetworkGatewaySchema>;

/** A gateway connection to a remote site. */
export const GatewayConnectionSchema = z.object({
  id, name: z.string(), location: z.string(),
  gatewayId: id,
  localNetworkGatewayId: nullableId,
  /** Connected | Connecting | NotConnected | Unknown. */
  connectionStatus: z.string(),
  connectionType: z.string(),
  /** The remote site's prefixes (from the local network gateway). */
  remotePrefixes: z.array(z.string()),
});
export type GatewayConnection = z.infer<typeof GatewayConnectionSchema>;

/** A private endpoint. */
export const PrivateEndpointSchema = z.object({
  id, name: z.string(), location: z.string(),
  subnetId: id,
  privateIpAddresses: z.array(z.string()),
  /** The PaaS resource it fronts. */
  targetResourceId: nullableId,
  groupIds: z.array(z.string()),
});
export type PrivateEndpoint = z.infer<typeof PrivateEndpointSchema>;

/** A private DNS zone with its records and VNet links. */
export const PrivateDnsZoneSchema = z.object({
  id, name: z.string(),
  records: z.array(z.object({ name: z.string(), ipAddresses: z.array(z.string()) })),
  virtualNetworkLinks: z.array(z.object({ virtualNetworkId: id, registrationEnabled: z.boolean() })),
});
export type PrivateDnsZone = z.infer<typeof PrivateDnsZoneSchema>;

/** A Key Vault and its network rules. */
export const KeyVaultSchema = z.object({
  id, name: z.string(), location: z.string(),
  hostName: z.string(),
  publicNetworkAccess: z.string(),
  /** Allow | Deny. */
  defaultAction: z.string(),
  ipRules: z.array(z.string()),
  virtualNetworkSubnetIds: z.array(z.string()),
  enableRbacAuthorization: z.boolean(),
});
export type KeyVault = z.infer<typeof KeyVaultSchema>;

/** An App Service (web app, function) and its VNet integration. */
export const WebAppSchema = z.object({
  id, name: z.string(), location: z.string(),
  hostNames: z.array(z.string()),
  virtualNetworkSubnetId: nullableId,
  /** vnetRouteAllEnabled: all outbound traffic goes through the integration subnet. */
  routeAllEnabled: z.boolean(),
  outboundIpAddresses: z.array(z.string()),
});
export type WebApp = z.infer<typeof WebAppSchema>;

/** A flow log resource (VNet, subnet, NIC or legacy NSG target). */
export const FlowLogSchema = z.object({
  id, name: z.string(), location: z.string(),
  targetResourceId: id,
  targetKind: z.enum(['virtualNetwork', 'subnet', 'networkInterface', 'networkSecurityGroup']),
  enabled: z.boolean(),
  storageId: nullableId,
  retentionDays: z.number().int().nullable(),
  trafficAnalytics: z.object({ enabled: z.boolean(), intervalInMinutes: z.number().int(), workspaceResourceId: nullableId }).nullable(),
});
export type FlowLog = z.infer<typeof FlowLogSchema>;

/** A diagnostic setting that sends a resource's logs to a workspace. */
export const DiagnosticSettingSchema = z.object({
  id, name: z.string(),
  resourceId: id,
  workspaceResourceId: nullableId,
  /** Dedicated (resource-specific tables) or AzureDiagnostics (legacy), null when not sent to a workspace. */
  destinationType: z.enum(['Dedicated', 'AzureDiagnostics']).nullable(),
  enabledCategories: z.array(z.string()),
});
export type DiagnosticSetting = z.infer<typeof DiagnosticSettingSchema>;

/** A Network Watcher (one per region). */
export const NetworkWatcherSchema = z.object({ id, name: z.string(), location: z.string() });
export type NetworkWatcher = z.infer<typeof NetworkWatcherSchema>;

/** Everything the rules may consult about the estate. */
export const TopologySchema = z.object({
  virtualNetworks: z.array(VirtualNetworkSchema),
  routeTables: z.array(RouteTableSchema),
  networkSecurityGroups: z.array(NetworkSecurityGroupSchema),
  networkInterfaces: z.array(NetworkInterfaceSchema),
  virtualMachines: z.array(VirtualMachineSchema),
  firewalls: z.array(AzureFirewallSchema),
  gateways: z.array(VirtualNetworkGatewaySchema),
  connections: z.array(GatewayConnectionSchema),
  privateEndpoints: z.array(PrivateEndpointSchema),
  privateDnsZones: z.array(PrivateDnsZoneSchema),
  keyVaults: z.array(KeyVaultSchema),
  webApps: z.array(WebAppSchema),
  flowLogs: z.array(FlowLogSchema),
  diagnosticSettings: z.array(DiagnosticSettingSchema),
  networkWatchers: z.array(NetworkWatcherSchema),
});
export type Topology = z.infer<typeof TopologySchema>;

/** ARM ids are case-insensitive. */
export function sameResourceId(left: string | null | undefined, right: string | null | undefined): boolean {
  return left != null && right != null && left.toLowerCase() === right.toLowerCase();
}
