/**
 * The estate a scenario describes, as the builder's input: a hub-and-spoke landing
 * zone with a VPN to an on-premises site. Everything Azure would answer (ARM bodies,
 * effective routes and rules, log rows) is computed from this one description.
 */

/** The organisation that owns the estate: naming, region, identities. */
export interface Organisation {
  /** Resource-name prefix, e.g. `fab`. */
  prefix: string;
  /** Fictional company, e.g. `Fabrikam Retail (fictional)`. */
  displayName: string;
  /** Azure region name, e.g. `westeurope`. */
  location: string;
  /** Short region code used in names, e.g. `weu`. */
  region: string;
  /** Internal DNS suffix, e.g. `corp.fabrikam-retail.example`. */
  domain: string;
  /** Mail domain for tags. */
  mailDomain: string;
  subscriptionId: string;
  tenantId: string;
  /** Log Analytics workspace customer id. */
  workspaceId: string;
  /** VM local administrator name. */
  adminUsername: string;
}

/** A subnet of a virtual network. */
export interface SubnetSpec {
  name: string;
  prefix: string;
  nsg?: string;
  routeTable?: string;
  /** `privateEndpointNetworkPolicies` (default Disabled, as Azure sets it). */
  privateEndpointNetworkPolicies?: 'Disabled' | 'Enabled' | 'RouteTableEnabled' | 'NetworkSecurityGroupEnabled';
  /** A service delegation, e.g. `Microsoft.Web/serverFarms`. */
  delegation?: string;
}

/** VNet flow logs on a virtual network. */
export interface FlowLogSpec {
  enabled: boolean;
  /** Traffic Analytics processing interval in minutes. */
  intervalInMinutes: 10 | 60;
  /** Traffic Analytics on (rows land in NTANetAnalytics). */
  trafficAnalytics: boolean;
}

/** A virtual network. */
export interface VnetSpec {
  name: string;
  resourceGroup: string;
  addressSpace: string[];
  subnets: SubnetSpec[];
  dnsServers: string[];
  flowLog: FlowLogSpec | null;
  /** Legacy NSG flow logs (version 2) on these NSGs instead of a VNet flow log. */
  nsgFlowLogs?: string[];
}

/** One side of a VNet peering (the builder always creates both sides). */
export interface PeeringSpec {
  from: string;
  to: string;
  state?: 'Connected' | 'Initiated' | 'Disconnected';
  allowForwardedTraffic: boolean;
  allowGatewayTransit: boolean;
  useRemoteGateways: boolean;
}

/** A user-defined route. */
export interface RouteSpec {
  name: string;
  prefix: string;
  nextHopType: 'VirtualAppliance' | 'None' | 'VirtualNetworkGateway' | 'Internet' | 'VnetLocal';
  nextHopIp?: string;
}

/** A route table. */
export interface RouteTableSpec {
  name: string;
  resourceGroup: string;
  disableBgpRoutePropagation: boolean;
  routes: RouteSpec[];
}

/** An NSG security rule as written in the NSG. */
export interface NsgRuleSpec {
  name: string;
  priority: number;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  protocol: 'Tcp' | 'Udp' | 'Icmp' | '*';
  source: string | string[];
  destination: string | string[];
  destinationPorts: string | string[];
  description?: string;
}

/** A network security group. */
export interface NsgSpec {
  name: string;
  resourceGroup: string;
  rules: NsgRuleSpec[];
}

/** A virtual machine with one NIC. */
export interface VmSpec {
  name: string;
  resourceGroup: string;
  vnet: string;
  subnet: string;
  privateIp: string;
  /** NSG on the NIC. */
  nsg?: string;
  os: 'Windows' | 'Linux';
  size: string;
  zone: string;
  /** Workload tag. */
  workload: string;
  /** ISO time the VM was created. */
  created: string;
  powerState?: 'running' | 'deallocated' | 'stopped';
  enableIpForwarding?: boolean;
  /** The AzureNetworkWatcherExtension is installed (default true). */
  networkWatcherExtension?: boolean;
}

/** A network rule in a firewall policy. */
export interface FirewallNetworkRule {
  name: string;
  protocols: ('TCP' | 'UDP' | 'ICMP' | 'Any')[];
  sources: string[];
  destinations: string[];
  ports: string[];
  description?: string;
}

/** An application rule in a firewall policy. */
export interface FirewallApplicationRule {
  name: string;
  protocols: { protocolType: 'Http' | 'Https'; port: number }[];
  sources: string[];
  fqdns: string[];
  fqdnTags?: string[];
  description?: string;
}

/** A rule collection in a rule collection group. */
export type FirewallRuleCollection =
  | { kind: 'network'; name: string; priority: number; action: 'Allow' | 'Deny'; rules: FirewallNetworkRule[] }
  | { kind: 'application'; name: string; priority: number; action: 'Allow' | 'Deny'; rules: FirewallApplicationRule[] };

/** A rule collection group. */
export interface RuleCollectionGroupSpec {
  name: string;
  priority: number;
  collections: FirewallRuleCollection[];
}

/** Azure Firewall with its policy. */
export interface FirewallSpec {
  name: string;
  policyName: string;
  resourceGroup: string;
  privateIp: string;
  publicIp: string;
  tier: 'Standard' | 'Premium';
  threatIntelMode: 'Alert' | 'Deny' | 'Off';
  idpsMode: 'Alert' | 'Deny' | 'Off';
  dnsProxy: boolean;
  dnsServers: string[];
  ruleCollectionGroups: RuleCollectionGroupSpec[];
  /** Flow trace (TCP connection logging) enabled. */
  flowTrace: boolean;
  /** IDPS signature overrides of the policy (a signature's own mode instead of the policy's). */
  idpsSignatureOverrides?: { id: string; mode: 'Off' | 'Alert' | 'Deny' }[];
}

/** The VPN gateway, its connection and the on-premises site. */
export interface GatewaySpec {
  name: string;
  resourceGroup: string;
  publicIp: string;
  /** The two instance addresses in GatewaySubnet (next hops of gateway routes). */
  instanceIps: [string, string];
  sku: string;
  localGatewayName: string;
  siteName: string;
  onPremGatewayIp: string;
  onPremPrefixes: string[];
  connectionName: string;
  connectionStatus: 'Connected' | 'NotConnected' | 'Connecting';
  /** When the current tunnel came up (ISO). */
  connectedSince: string;
}

/** A private endpoint. */
export interface PrivateEndpointSpec {
  name: string;
  resourceGroup: string;
  vnet: string;
  subnet: string;
  privateIp: string;
  /** The resource the endpoint connects to. */
  targetId: string;
  groupId: string;
  /** FQDN served through the endpoint, e.g. `kv-orders.vault.azure.net`. */
  fqdn: string;
  /** Private DNS zone the endpoint registers in. */
  zone: string;
  /** The endpoint's replies follow its subnet's route table (as observed in the story's evidence). */
  returnViaSubnetRouteTable?: boolean;
}

/** A private DNS zone with links and A records. */
export interface PrivateDnsZoneSpec {
  name: string;
  resourceGroup: string;
  links: string[];
  records: { name: string; ip: string }[];
}

/** A Key Vault. */
export interface KeyVaultSpec {
  name: string;
  resourceGroup: string;
  publicNetworkAccess: 'Enabled' | 'Disabled';
  defaultAction: 'Allow' | 'Deny';
  ipRules: string[];
  enableRbacAuthorization: boolean;
  publicIp: string;
}

/** An App Service with regional VNet integration. */
export interface WebAppSpec {
  name: string;
  resourceGroup: string;
  planName: string;
  vnet: string;
  subnet: string;
  outboundIps: string[];
  principalId: string;
  vnetRouteAllEnabled: boolean;
}

/** A storage account (flow logs, or a PaaS target). */
export interface StorageSpec {
  name: string;
  resourceGroup: string;
  publicNetworkAccess: 'Enabled' | 'Disabled';
}

/** The whole estate. */
export interface EstateSpec {
  organisation: Organisation;
  monitorResourceGroup: string;
  workspaceName: string;
  flowLogStorage: StorageSpec;
  vnets: VnetSpec[];
  peerings: PeeringSpec[];
  routeTables: RouteTableSpec[];
  nsgs: NsgSpec[];
  vms: VmSpec[];
  firewall: FirewallSpec;
  gateway: GatewaySpec;
  privateEndpoints: PrivateEndpointSpec[];
  privateDnsZones: PrivateDnsZoneSpec[];
  keyVaults: KeyVaultSpec[];
  webApps: WebAppSpec[];
  storageAccounts: StorageSpec[];
  /** Flow-log policy assignment interval (null: no policy assignment). */
  flowLogPolicyInterval: 10 | 60 | null;
}
