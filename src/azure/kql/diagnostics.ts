/** KQL for Key Vault audit logs and VPN/ExpressRoute gateway diagnostics. */
import type { TableQuery } from './firewall.js';
import { kqlString } from './literals.js';
import { type AddressMatch, addressPredicate, timePredicate, whereLines } from './flow-filter.js';
import type { ResourceId, ValidatedWindow } from './validate.js';

/** What a Key Vault audit query selects. */
export interface KeyVaultLogFilter {
  vaultId: ResourceId;
  window: ValidatedWindow;
  caller: AddressMatch | null;
  maxRows: number;
}

/**
 * Resource-specific Key Vault audit rows.
 * https://learn.microsoft.com/azure/azure-monitor/reference/tables/azkvauditlogs
 */
export function keyVaultAuditQuery(filter: KeyVaultLogFilter): TableQuery {
  const lines = [
    'AZKVAuditLogs',
    ...whereLines([
      timePredicate('TimeGenerated', filter.window),
      `_ResourceId =~ ${kqlString(filter.vaultId)}`,
      filter.caller ? addressPredicate('CallerIpAddress', filter.caller) : null,
    ]),
    `| extend IngestionTime = ingestion_time()`,
    `| project TimeGenerated, _ResourceId, OperationName, HttpStatusCode, ResultType, ResultSignature, ResultDescription, CallerIpAddress, IsAddressAuthorized, AddressAuthorizationType, IsRbacAuthorized, IsAccessPolicyMatch, RequestUri, Identity, CorrelationId, IngestionTime`,
    `| order by TimeGenerated asc, CorrelationId asc`,
    `| take ${filter.maxRows + 1}`,
  ];
  return { table: 'AZKVAuditLogs', documentation: 'https://learn.microsoft.com/azure/azure-monitor/reference/tables/azkvauditlogs', query: lines.join('\n'), timespan: filter.window };
}

/**
 * Legacy Key Vault audit rows in AzureDiagnostics (ResourceProvider MICROSOFT.KEYVAULT, Category AuditEvent).
 * https://learn.microsoft.com/azure/key-vault/general/logging
 */
export function legacyKeyVaultAuditQuery(filter: KeyVaultLogFilter): TableQuery {
  const lines = [
    'AzureDiagnostics',
    ...whereLines([
      timePredicate('TimeGenerated', filter.window),
      `ResourceProvider == "MICROSOFT.KEYVAULT" and Category == "AuditEvent"`,
      `ResourceId =~ ${kqlString(filter.vaultId)}`,
      filter.caller ? addressPredicate('CallerIPAddress', filter.caller) : null,
    ]),
    `| extend IngestionTime = ingestion_time()`,
    `| project TimeGenerated, ResourceId, OperationName, httpStatusCode_d, ResultType, ResultSignature, ResultDescription, CallerIPAddress, isAddressAuthorized_b, addrAuthType_s, requestUri_s, identity_claim_upn_s, CorrelationId, IngestionTime`,
    `| order by TimeGenerated asc, CorrelationId asc`,
    `| take ${filter.maxRows + 1}`,
  ];
  return { table: 'AzureDiagnostics', documentation: 'https://learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics', query: lines.join('\n'), timespan: filter.window };
}

/** What a gateway diagnostics query selects. */
export interface GatewayLogFilter {
  gatewayId: ResourceId;
  window: ValidatedWindow;
  maxRows: number;
}

/** The gateway log categories: tunnel state, IKE negotiation, routes, gateway events. */
export const GATEWAY_CATEGORIES = ['GatewayDiagnosticLog', 'TunnelDiagnosticLog', 'RouteDiagnosticLog', 'IKEDiagnosticLog'] as const;

/**
 * VPN gateway diagnostics (AzureDiagnostics, ResourceType VIRTUALNETWORKGATEWAYS).
 * https://learn.microsoft.com/azure/vpn-gateway/monitor-vpn-gateway-reference
 */
export function gatewayDiagnosticsQuery(filter: GatewayLogFilter): TableQuery {
  const lines = [
    'AzureDiagnostics',
    ...whereLines([
      timePredicate('TimeGenerated', filter.window),
      `ResourceType == "VIRTUALNETWORKGATEWAYS"`,
      `ResourceId =~ ${kqlString(filter.gatewayId)}`,
      `Category in ("${GATEWAY_CATEGORIES.join('", "')}")`,
    ]),
    `| extend IngestionTime = ingestion_time()`,
    `| project TimeGenerated, ResourceId, Category, OperationName, Level, Message, remoteIP_s, IngestionTime`,
    `| order by TimeGenerated asc, Category asc, Message asc`,
    `| take ${filter.maxRows + 1}`,
  ];
  return { table: 'AzureDiagnostics', documentation: 'https://learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics', query: lines.join('\n'), timespan: filter.window };
}
