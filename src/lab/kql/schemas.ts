/**
 * Declared columns of every table netproof queries, as the Azure Monitor table
 * references and Resource Graph name them (reference AZURE.md sections 1, 2b, 5).
 * The lab uses them to type the scenario's rows; the product's KQL builders check
 * their queries against them with `checkKql`.
 */
import type { KqlColumn } from './index.js';

type Spec = string;

/** `'Name'` is a string column; `'Name:type'` any other type. */
function columns(...specs: Spec[]): KqlColumn[] {
  return specs.map((spec) => {
    const [name, type] = spec.split(':');
    return { name: name!, type: (type ?? 'string') as KqlColumn['type'] };
  });
}

/** Columns of every resource-specific Azure Firewall table (https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnetworkrule). */
const firewallCommon = columns('TenantId', 'TimeGenerated:datetime', 'SourceSystem', 'Type', '_ResourceId', '_SubscriptionId', '_BilledSize:real', '_IsBillable');

/** Columns of every Log Analytics table. */
const workspaceCommon = columns('TenantId', 'TimeGenerated:datetime', 'SourceSystem', 'Type', '_ResourceId', '_SubscriptionId', '_BilledSize:real', '_IsBillable');

/** Every Log Analytics table netproof queries, with the columns Azure declares for it. */
export const LOG_ANALYTICS_SCHEMAS: Record<string, KqlColumn[]> = {
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnetworkrule
  AZFWNetworkRule: [...firewallCommon, ...columns(
    'Action', 'ActionReason', 'DestinationIp', 'DestinationPort:int', 'Policy', 'Protocol', 'Rule', 'RuleCollection',
    'RuleCollectionGroup', 'SourceIp', 'SourcePort:int',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwapplicationrule (no DestinationIp)
  AZFWApplicationRule: [...firewallCommon, ...columns(
    'Action', 'ActionReason', 'DestinationPort:int', 'Fqdn', 'IsExplicitProxyRequest:bool', 'IsTlsInspected:bool', 'Policy',
    'Protocol', 'Rule', 'RuleCollection', 'RuleCollectionGroup', 'SourceIp', 'SourcePort:int', 'TargetUrl', 'WebCategory',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwnatrule (no Action)
  AZFWNatRule: [...firewallCommon, ...columns(
    'DestinationIp', 'DestinationPort:int', 'Policy', 'Protocol', 'Rule', 'RuleCollection', 'RuleCollectionGroup', 'SourceIp',
    'SourcePort:int', 'TranslatedIp', 'TranslatedPort:int',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwthreatintel
  AZFWThreatIntel: [...firewallCommon, ...columns(
    'Action', 'DestinationIp', 'DestinationPort:int', 'Fqdn', 'IsTlsInspected:bool', 'Protocol', 'SourceIp', 'SourcePort:int',
    'TargetUrl', 'ThreatDescription',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwidpssignature
  AZFWIdpsSignature: [...firewallCommon, ...columns(
    'Action', 'Category', 'Description', 'DestinationIp', 'DestinationPort:int', 'Protocol', 'Severity:int', 'SignatureId',
    'SourceIp', 'SourcePort:int',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwflowtrace
  AZFWFlowTrace: [...firewallCommon, ...columns(
    'Action', 'ActionReason', 'DestinationIp', 'DestinationPort:int', 'Flag', 'Protocol', 'SourceIp', 'SourcePort:int',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azfwdnsquery
  AZFWDnsQuery: [...firewallCommon, ...columns(
    'DnssecOkBit:bool', 'EDNS0BufferSize:int', 'ErrorMessage', 'ErrorNumber:int', 'Protocol', 'QueryClass', 'QueryId:int',
    'QueryName', 'QueryType', 'RequestDurationSecs:real', 'RequestSize:int', 'ResponseCode', 'ResponseFlags', 'ResponseSize:int',
    'SourceIp', 'SourcePort:int',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/ntanetanalytics
  NTANetAnalytics: [...workspaceCommon, ...columns(
    'SubType', 'FaSchemaVersion', 'TimeProcessed:datetime', 'FlowIntervalStartTime:datetime', 'FlowIntervalEndTime:datetime',
    'FlowStartTime:datetime', 'FlowEndTime:datetime', 'FlowType', 'SrcIp', 'DestIp', 'DestPort:int', 'L4Protocol', 'L7Protocol',
    'FlowDirection', 'FlowStatus', 'FlowEncryption', 'IsFlowCapturedAtUdrHop:bool', 'AclGroup', 'AclRule', 'NsgList', 'NsgRule',
    'NsgRuleType', 'SrcSubscription', 'DestSubscription', 'SrcRegion', 'DestRegion', 'SrcNic', 'DestNic', 'SrcVm', 'DestVm',
    'SrcSubnet', 'DestSubnet', 'SrcLoadBalancer', 'DestLoadBalancer', 'SrcApplicationGateway', 'DestApplicationGateway',
    'SrcLocalNetworkGateway', 'DestLocalNetworkGateway', 'SrcExpressRouteCircuit', 'DestExpressRouteCircuit', 'SrcPublicIps',
    'DestPublicIps', 'ExpressRouteCircuitPeeringType', 'ConnectionType', 'ConnectionName', 'ConnectingVnets', 'Country',
    'AzureRegion', 'PrivateEndpointResourceId', 'PrivateLinkResourceId', 'PrivateLinkResourceName', 'TargetResourceId',
    'TargetResourceType', 'FlowLogResourceId', 'MacAddress', 'Status', 'AllowedInFlows:long', 'DeniedInFlows:long',
    'AllowedOutFlows:long', 'DeniedOutFlows:long', 'CompletedFlows:long', 'PacketsSrcToDest:long', 'PacketsDestToSrc:long',
    'BytesSrcToDest:long', 'BytesDestToSrc:long', 'DestCloud', 'DestEnvironment', 'DestNetworkGroups', 'DestServiceId',
    'DestServiceName', 'DestServiceTags',
  )],
  // Legacy Traffic Analytics for NSG flow logs: a custom-log table, types in the column suffixes (_s string, _d real, _t datetime, _b bool).
  AzureNetworkAnalytics_CL: [...workspaceCommon, ...columns(
    'SubType_s', 'FASchemaVersion_s', 'TimeProcessed_t:datetime', 'FlowIntervalStartTime_t:datetime', 'FlowIntervalEndTime_t:datetime',
    'FlowStartTime_t:datetime', 'FlowEndTime_t:datetime', 'FlowType_s', 'SrcIP_s', 'DestIP_s', 'DestPort_d:real', 'L4Protocol_s',
    'L7Protocol_s', 'FlowDirection_s', 'FlowStatus_s', 'NSGList_s', 'NSGRule_s', 'NSGRuleType_s', 'Subnet1_s', 'Subnet2_s',
    'Subnet_s', 'VM1_s', 'VM2_s', 'VM_s', 'NIC_s', 'NIC1_s', 'NIC2_s', 'Region_s', 'Region1_s', 'Region2_s',
    'Subscription1_g', 'Subscription2_g', 'SrcPublicIPs_s', 'DestPublicIPs_s', 'ConnectionType_s', 'ConnectionName_s',
    'Country_s', 'AzureRegion_s', 'AllowedInFlows_d:real', 'DeniedInFlows_d:real', 'AllowedOutFlows_d:real',
    'DeniedOutFlows_d:real', 'InboundPackets_d:real', 'OutboundPackets_d:real', 'InboundBytes_d:real', 'OutboundBytes_d:real',
    'CompletedFlows_d:real',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azkvauditlogs
  AZKVAuditLogs: [...workspaceCommon, ...columns(
    'OperationName', 'OperationVersion', 'ResultType', 'ResultSignature', 'ResultDescription', 'HttpStatusCode:int',
    'CallerIpAddress', 'ClientInfo', 'CorrelationId', 'DurationMs:int', 'RequestUri', 'Id', 'Identity:dynamic',
    'IsAddressAuthorized:bool', 'AddressAuthorizationType', 'SubnetId', 'NetworkAcls:dynamic', 'Nsp:dynamic', 'TrustedService',
    'Tlsversion', 'IsRbacAuthorized:bool', 'IsAccessPolicyMatch:bool', 'AppliedAssignmentId', 'EnableRbacAuthorization:bool',
    'VaultProperties:dynamic', 'SecretProperties:dynamic', 'KeyProperties:dynamic', 'CertificateProperties:dynamic', 'Sku:dynamic',
    'Algorithm', 'Location',
  )],
  // https://learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics: the columns netproof reads for
  // firewall (msg_s), Key Vault (AuditEvent) and VPN gateway (IKE, tunnel) logs.
  AzureDiagnostics: [...workspaceCommon, ...columns(
    'ResourceId', 'Category', 'ResourceGroup', 'SubscriptionId', 'ResourceProvider', 'Resource', 'ResourceType', 'OperationName',
    'OperationVersion', 'ResultType', 'ResultSignature', 'ResultDescription', 'DurationMs:long', 'CallerIPAddress', 'CorrelationId',
    'Level', 'Message', 'msg_s', 'httpStatusCode_d:real', 'requestUri_s', 'id_s', 'clientInfo_s', 'identity_claim_oid_g',
    'identity_claim_appid_g', 'identity_claim_upn_s', 'addrAuthType_s', 'isAddressAuthorized_b:bool', 'subnetId_s',
    'privateEndpointId_s', 'instance_s', 'remoteIP_s', 'localIP_s', 'status_s', 'stateChangeType_s', 'event_s',
  )],
};

/** Columns Resource Graph declares for `Resources` and `ResourceContainers` (https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources). */
const resourceGraphColumns = columns(
  'id', 'name', 'type', 'tenantId', 'kind', 'location', 'resourceGroup', 'subscriptionId', 'managedBy', 'sku:dynamic',
  'plan:dynamic', 'properties:dynamic', 'tags:dynamic', 'identity:dynamic', 'zones:dynamic', 'extendedLocation:dynamic',
);

/** The Resource Graph tables netproof queries. */
export const RESOURCE_GRAPH_SCHEMAS: Record<string, KqlColumn[]> = {
  Resources: resourceGraphColumns,
  ResourceContainers: resourceGraphColumns,
};
