/** Azure Firewall logs -> firewall-log evidence: resource-specific AZFW* tables and legacy AzureDiagnostics. */
import { isIP } from 'node:net';
import type { FirewallLogRecord, Gap } from '../domain/index.js';
import {
  FIREWALL_TABLES, type FirewallTable, type TableQuery, firewallTableQuery, legacyFirewallQuery,
} from './kql/firewall.js';
import { type AddressMatch, type FlowFilter, describeAddress } from './kql/flow-filter.js';
import { type LogAnswer, type LogQueryOptions, type LogRow, type LogsClient, capRows, instant, integer, text } from './log-analytics.js';
import { parseFirewallMessage } from './firewall-message.js';
import { runTablePlans, sortEvidence, type TablePlan } from './log-sources.js';
import { type EvidenceDraft, type EvidenceDraftOf, type SourceResult, failure, success } from './result.js';

const KIND_OF_TABLE: Record<FirewallTable, FirewallLogRecord['kind']> = {
  AZFWNetworkRule: 'network', AZFWApplicationRule: 'application', AZFWNatRule: 'nat', AZFWThreatIntel: 'threat-intel',
  AZFWIdpsSignature: 'idps', AZFWFlowTrace: 'flow-trace', AZFWDnsQuery: 'dns',
};

/** One AZFW* row as a FirewallLogRecord (pure). */
export function firewallRecordOf(table: FirewallTable, row: LogRow): FirewallLogRecord {
  const kind = KIND_OF_TABLE[table];
  return {
    time: instant(row.TimeGenerated) ?? '',
    table,
    firewallId: text(row._ResourceId),
    kind,
    action: text(row.Action),
    actionReason: text(row.ActionReason),
    protocol: text(row.Protocol),
    sourceIp: text(row.SourceIp),
    sourcePort: integer(row.SourcePort),
    destinationIp: text(row.DestinationIp),
    destinationPort: integer(row.DestinationPort),
    fqdn: text(row.Fqdn),
    targetUrl: text(row.TargetUrl),
    policy: text(row.Policy),
    ruleCollectionGroup: text(row.RuleCollectionGroup),
    ruleCollection: text(row.RuleCollection),
    rule: text(row.Rule),
    flag: text(row.Flag),
    translatedIp: text(row.TranslatedIp),
    translatedPort: integer(row.TranslatedPort),
    description: kind === 'threat-intel' ? text(row.ThreatDescription) : kind === 'idps' ? text(row.Description) : kind === 'dns' ? text(row.ErrorMessage) : null,
    signatureId: text(row.SignatureId),
    queryName: text(row.QueryName),
    responseCode: text(row.ResponseCode),
    ingestedAt: instant(row.IngestionTime),
  };
}

function endpoint(ip: string | null, port: number | null, name: string | null = null): string {
  const host = ip ?? name ?? '?';
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === null ? shown : `${shown}:${port}`;
}

/** One line a person reads: time, flow, decision, rule. */
export function summariseFirewallRecord(record: FirewallLogRecord): string {
  const flow = `${record.protocol ?? ''} ${endpoint(record.sourceIp, record.sourcePort)} -> ${endpoint(record.destinationIp, record.destinationPort, record.fqdn)}`.trim();
  const rule = [record.ruleCollectionGroup, record.ruleCollection, record.rule].filter(Boolean).join('/');
  const parts = [record.time, record.table, flow];
  if (record.kind === 'dns') parts.splice(2, 1, `${endpoint(record.sourceIp, record.sourcePort)} asked ${record.queryName ?? '?'}: ${record.responseCode ?? '?'}`);
  if (record.kind === 'flow-trace') parts.push(`flag ${record.flag ?? '?'}`);
  if (record.kind === 'nat') parts.push(`DNAT to ${endpoint(record.translatedIp, record.translatedPort)}`);
  if (record.action) parts.push(record.action);
  if (rule) parts.push(`rule ${rule}`);
  if (record.actionReason) parts.push(`(${record.actionReason})`);
  if (record.description) parts.push(`- ${record.description}`);
  return parts.join(' ');
}

function evidenceOf(record: FirewallLogRecord, query: TableQuery): EvidenceDraftOf<'firewall-log'> {
  return { kind: 'firewall-log', source: record.table, query: query.query, summary: summariseFirewallRecord(record), data: record };
}

/** Rows of one AZFW* table -> evidence, capped (pure). */
export function deserializeFirewallTable(table: FirewallTable, answer: LogAnswer, query: TableQuery, maxRows: number): { evidence: EvidenceDraft[]; warnings: string[] } {
  const { rows, warnings } = capRows(answer.rows, maxRows, table);
  return { evidence: rows.map((row) => evidenceOf(firewallRecordOf(table, row), query)), warnings };
}

function sameAddress(value: string | null, match: AddressMatch): boolean {
  if (value === null) return false;
  if ('ip' in match) return isIP(value) === 6 ? value.toLowerCase() === match.ip : value === match.ip;
  return true; // A prefix was already applied as a term-free filter; the rules compare prefixes.
}

/** True when a parsed legacy record is the flow asked about, comparing addresses whole. */
export function legacyRecordMatches(record: FirewallLogRecord, filter: FlowFilter): boolean {
  const forward = (filter.source === null || sameAddress(record.sourceIp, filter.source))
    && (filter.destination === null || sameAddress(record.destinationIp, filter.destination) || sameAddress(record.translatedIp, filter.destination))
    && (filter.port === null || record.destinationPort === filter.port || record.translatedPort === filter.port);
  const named = filter.destinationNames.length > 0 && record.fqdn !== null && (filter.destinationNames as readonly string[]).includes(record.fqdn.toLowerCase().replace(/\.$/, ''))
    && (filter.source === null || sameAddress(record.sourceIp, filter.source));
  return forward || named;
}

/** Legacy AzureDiagnostics rows: parse each msg_s, keep the exact matches, cap (pure). */
export function deserializeLegacyFirewall(answer: LogAnswer, query: TableQuery, filter: FlowFilter): { evidence: EvidenceDraft[]; warnings: string[] } {
  const records: FirewallLogRecord[] = [];
  let unparsed = 0;
  for (const row of answer.rows) {
    const message = text(row.msg_s);
    const parsed = message === null ? null : parseFirewallMessage(message, text(row.OperationName), text(row.Category));
    if (parsed === null) {
      unparsed += 1;
      continue;
    }
    const record: FirewallLogRecord = {
      ...parsed, time: instant(row.TimeGenerated) ?? '', table: 'AzureDiagnostics', firewallId: text(row.ResourceId), ingestedAt: instant(row.IngestionTime),
    };
    if (legacyRecordMatches(record, filter)) records.push(record);
  }
  const { rows, warnings } = capRows(records, filter.maxRows, 'AzureDiagnostics (Azure Firewall)');
  if (unparsed > 0) warnings.push(`AzureDiagnostics (Azure Firewall): ${unparsed} msg_s line(s) in an unknown format were skipped`);
  return { evidence: rows.map((record) => evidenceOf(record, query)), warnings };
}

/** Which firewall sources to read. */
export interface FirewallLogOptions extends LogQueryOptions {
  tables?: readonly FirewallTable[];
  /** Read the legacy AzureDiagnostics form too (default true). */
  includeLegacy?: boolean;
  concurrency: number;
}

/**
 * Firewall decisions about a flow in every configured workspace: one query per AZFW*
 * table plus the legacy form. Evidence is ordered by time, then a stable key.
 */
export async function queryFirewallLogs(client: LogsClient, workspaceIds: readonly string[], filter: FlowFilter, options: FirewallLogOptions): Promise<SourceResult<EvidenceDraft[]>> {
  const plans: TablePlan[] = [];
  const skipped: string[] = [];
  for (const table of options.tables ?? FIREWALL_TABLES) {
    const query = firewallTableQuery(table, filter);
    if (query === null) skipped.push(table);
    else plans.push({ query, deserialize: (answer, sent) => deserializeFirewallTable(table, answer, sent, filter.maxRows) });
  }
  const legacy = (options.includeLegacy ?? true) ? legacyFirewallQuery(filter) : null;
  if (legacy !== null) plans.push({ query: legacy, deserialize: (answer, sent) => deserializeLegacyFirewall(answer, sent, filter) });
  if (plans.length === 0) {
    return success([], [`${skipped.join(', ')}: not queried (the question gives no address or destination name to select the flow's rows by)`]);
  }
  const { outcomes, evidence, warnings, gaps } = await runTablePlans(client, workspaceIds, plans, options);
  const resourceSpecificAnswered = outcomes.some((outcome) => outcome.table !== 'AzureDiagnostics' && outcome.result.ok);
  // Legacy diagnostics are an alternative: their absence matters only when no AZFW* table answered.
  const relevantGaps: Gap[] = gaps.filter((gap) => !(gap.source === 'AzureDiagnostics' && gap.reason === 'not-enabled' && resourceSpecificAnswered));
  if (skipped.length > 0) {
    warnings.push(`${skipped.join(', ')}: not queried (the question gives no address or destination name to select the flow's rows by)`);
  }
  if (!outcomes.some((outcome) => outcome.result.ok)) {
    const first = relevantGaps[0] ?? { source: 'Azure Firewall logs', reason: 'failed' as const, detail: 'no query was sent' };
    const allSame = relevantGaps.every((gap) => gap.reason === first.reason);
    return failure({
      source: 'Azure Firewall logs',
      reason: allSame ? first.reason : 'failed',
      detail: `no firewall log table answered for ${describeAddress(filter.source)} -> ${describeAddress(filter.destination)}: ${relevantGaps.map((gap) => `${gap.source}: ${gap.reason}`).join('; ')}`,
    });
  }
  const ordered = sortEvidence(evidence, (item) => (item.kind === 'firewall-log' ? item.data.time : ''));
  return success(ordered, warnings, relevantGaps);
}
