/** Key Vault audit logs and VPN gateway diagnostics -> keyvault-log and gateway-log evidence. */
import type { GatewayLogRecord, KeyVaultAuditRecord } from '../domain/index.js';
import type { TableQuery } from './kql/firewall.js';
import {
  type GatewayLogFilter, type KeyVaultLogFilter, gatewayDiagnosticsQuery, keyVaultAuditQuery, legacyKeyVaultAuditQuery,
} from './kql/diagnostics.js';
import { type LogAnswer, type LogQueryOptions, type LogRow, type LogsClient, boolean, capRows, instant, integer, text } from './log-analytics.js';
import { runTablePlans, sortEvidence } from './log-sources.js';
import { type EvidenceDraft, type SourceResult, failure, success } from './result.js';

/** One AZKVAuditLogs row as a KeyVaultAuditRecord (pure). */
export function keyVaultRecordOf(row: LogRow): KeyVaultAuditRecord {
  return {
    time: instant(row.TimeGenerated) ?? '',
    table: 'AZKVAuditLogs',
    vaultId: text(row._ResourceId),
    operation: text(row.OperationName),
    httpStatusCode: integer(row.HttpStatusCode),
    resultType: text(row.ResultType),
    resultSignature: text(row.ResultSignature),
    resultDescription: text(row.ResultDescription),
    callerIp: text(row.CallerIpAddress),
    isAddressAuthorized: boolean(row.IsAddressAuthorized),
    addressAuthorizationType: text(row.AddressAuthorizationType),
    isRbacAuthorized: boolean(row.IsRbacAuthorized),
    isAccessPolicyMatch: boolean(row.IsAccessPolicyMatch),
    requestUri: text(row.RequestUri),
    identity: text(row.Identity),
  };
}

/** One AzureDiagnostics AuditEvent row as a KeyVaultAuditRecord (pure). */
export function legacyKeyVaultRecordOf(row: LogRow): KeyVaultAuditRecord {
  return {
    time: instant(row.TimeGenerated) ?? '',
    table: 'AzureDiagnostics',
    vaultId: text(row.ResourceId),
    operation: text(row.OperationName),
    httpStatusCode: integer(row.httpStatusCode_d),
    resultType: text(row.ResultType),
    resultSignature: text(row.ResultSignature),
    resultDescription: text(row.ResultDescription),
    callerIp: text(row.CallerIPAddress),
    isAddressAuthorized: boolean(row.isAddressAuthorized_b),
    addressAuthorizationType: text(row.addrAuthType_s),
    isRbacAuthorized: null,
    isAccessPolicyMatch: null,
    requestUri: text(row.requestUri_s),
    identity: text(row.identity_claim_upn_s),
  };
}

/** One line a person reads. */
export function summariseKeyVaultRecord(record: KeyVaultAuditRecord): string {
  const network = record.isAddressAuthorized === null ? '' : ` address authorized: ${record.isAddressAuthorized}`;
  return `${record.time} ${record.table} ${record.operation ?? '?'} from ${record.callerIp ?? '?'}: ${record.httpStatusCode ?? '?'} ${record.resultSignature ?? ''}`.trimEnd()
    + `${network}${record.resultDescription ? ` - ${record.resultDescription}` : ''}`;
}

/** Key Vault rows -> evidence, capped (pure). */
export function deserializeKeyVaultLogs(answer: LogAnswer, query: TableQuery, maxRows: number): { evidence: EvidenceDraft[]; warnings: string[] } {
  const legacy = query.table === 'AzureDiagnostics';
  const { rows, warnings } = capRows(answer.rows, maxRows, query.table);
  return {
    evidence: rows.map((row) => {
      const record = legacy ? legacyKeyVaultRecordOf(row) : keyVaultRecordOf(row);
      return { kind: 'keyvault-log', source: record.table, query: query.query, summary: summariseKeyVaultRecord(record), data: record };
    }),
    warnings,
  };
}

/**
 * Key Vault audit rows of one vault (resource-specific and legacy tables). A missing
 * table is a gap only when neither exists.
 */
export async function queryKeyVaultLogs(client: LogsClient, workspaceIds: readonly string[], filter: KeyVaultLogFilter, options: LogQueryOptions & { concurrency: number }): Promise<SourceResult<EvidenceDraft[]>> {
  const plans = [keyVaultAuditQuery(filter), legacyKeyVaultAuditQuery(filter)]
    .map((query) => ({ query, deserialize: (answer: LogAnswer, sent: TableQuery) => deserializeKeyVaultLogs(answer, sent, filter.maxRows) }));
  const { outcomes, evidence, warnings, gaps } = await runTablePlans(client, workspaceIds, plans, options);
  if (!outcomes.some((outcome) => outcome.result.ok)) {
    const notEnabled = gaps.every((gap) => gap.reason === 'not-enabled');
    return failure(notEnabled
      ? { source: 'AZKVAuditLogs', reason: 'not-enabled', detail: 'neither AZKVAuditLogs nor AzureDiagnostics exists: the vault sends no audit logs to this workspace' }
      : gaps[0] ?? { source: 'AZKVAuditLogs', reason: 'failed', detail: 'no answer' });
  }
  const answered = outcomes.some((outcome) => outcome.result.ok);
  const kept = gaps.filter((gap) => !(answered && gap.reason === 'not-enabled'));
  return success(sortEvidence(evidence, (item) => (item.kind === 'keyvault-log' ? item.data.time : '')), warnings, kept);
}

/** One gateway diagnostics row as a GatewayLogRecord (pure). */
export function gatewayRecordOf(row: LogRow): GatewayLogRecord {
  return {
    time: instant(row.TimeGenerated) ?? '',
    gatewayId: text(row.ResourceId),
    category: text(row.Category),
    level: text(row.Level),
    message: text(row.Message) ?? text(row.OperationName) ?? '',
    remoteIp: text(row.remoteIP_s),
  };
}

/** Gateway rows -> evidence, capped (pure). */
export function deserializeGatewayLogs(answer: LogAnswer, query: TableQuery, maxRows: number): { evidence: EvidenceDraft[]; warnings: string[] } {
  const { rows, warnings } = capRows(answer.rows, maxRows, 'AzureDiagnostics (gateway)');
  return {
    evidence: rows.map((row) => {
      const record = gatewayRecordOf(row);
      return { kind: 'gateway-log', source: record.category ?? 'AzureDiagnostics', query: query.query, summary: `${record.time} ${record.category ?? ''} ${record.level ?? ''}: ${record.message}`.replace(/\s+/g, ' '), data: record };
    }),
    warnings,
  };
}

/** Tunnel, IKE, route and gateway events of one virtual network gateway in the window. */
export async function queryGatewayLogs(client: LogsClient, workspaceIds: readonly string[], filter: GatewayLogFilter, options: LogQueryOptions & { concurrency: number }): Promise<SourceResult<EvidenceDraft[]>> {
  const { outcomes, evidence, warnings, gaps } = await runTablePlans(client, workspaceIds, [{
    query: gatewayDiagnosticsQuery(filter), deserialize: (answer, sent) => deserializeGatewayLogs(answer, sent, filter.maxRows),
  }], options);
  if (!outcomes.some((outcome) => outcome.result.ok)) return failure(gaps[0] ?? { source: 'AzureDiagnostics', reason: 'failed', detail: 'no answer' });
  return success(sortEvidence(evidence, (item) => (item.kind === 'gateway-log' ? item.data.time : '')), warnings, gaps);
}
