/** Traffic Analytics (VNet flow logs) -> flow-log evidence. */
import type { FlowLogRecord } from '../domain/index.js';
import type { TableQuery } from './kql/firewall.js';
import { type FlowFilter } from './kql/flow-filter.js';
import { type TrafficAnalyticsInterval, legacyTrafficAnalyticsQuery, trafficAnalyticsQuery } from './kql/flow-logs.js';
import { type LogAnswer, type LogQueryOptions, type LogRow, type LogsClient, capRows, instant, integer, numeric, text } from './log-analytics.js';
import { runTablePlans, sortEvidence } from './log-sources.js';
import { type EvidenceDraft, type SourceResult, failure, success } from './result.js';

function protocolOf(value: string | null): FlowLogRecord['protocol'] {
  if (value === 'T' || value?.toUpperCase() === 'TCP') return 'tcp';
  if (value === 'U' || value?.toUpperCase() === 'UDP') return 'udp';
  return 'other';
}

/** One NTANetAnalytics row as a FlowLogRecord (pure). */
export function trafficAnalyticsRecordOf(row: LogRow): FlowLogRecord {
  return {
    table: 'NTANetAnalytics',
    intervalStart: instant(row.FlowIntervalStartTime) ?? '',
    intervalEnd: instant(row.FlowIntervalEndTime) ?? '',
    flowStart: instant(row.FlowStartTime),
    flowEnd: instant(row.FlowEndTime),
    sourceIp: text(row.SrcIp) ?? '',
    destinationIp: text(row.DestIp) ?? '',
    destinationPort: integer(row.DestPort),
    protocol: protocolOf(text(row.L4Protocol)),
    direction: text(row.FlowDirection) === 'O' ? 'outbound' : 'inbound',
    status: text(row.FlowStatus) === 'D' ? 'denied' : 'allowed',
    flowType: text(row.FlowType),
    aclGroup: text(row.AclGroup),
    aclRule: text(row.AclRule),
    sourceNic: text(row.SrcNic),
    destinationNic: text(row.DestNic),
    sourceVm: text(row.SrcVm),
    destinationVm: text(row.DestVm),
    sourceSubnet: text(row.SrcSubnet),
    destinationSubnet: text(row.DestSubnet),
    targetResourceId: text(row.TargetResourceId),
    packetsSourceToDestination: numeric(row.PacketsSrcToDest),
    packetsDestinationToSource: numeric(row.PacketsDestToSrc),
    bytesSourceToDestination: numeric(row.BytesSrcToDest),
    bytesDestinationToSource: numeric(row.BytesDestToSrc),
    ingestedAt: instant(row.IngestionTime),
  };
}

/** One legacy AzureNetworkAnalytics_CL row as a FlowLogRecord (pure). */
export function legacyTrafficAnalyticsRecordOf(row: LogRow): FlowLogRecord {
  return {
    table: 'AzureNetworkAnalytics_CL',
    intervalStart: instant(row.FlowIntervalStartTime_t) ?? '',
    intervalEnd: instant(row.FlowIntervalEndTime_t) ?? '',
    flowStart: instant(row.FlowStartTime_t),
    flowEnd: instant(row.FlowEndTime_t),
    sourceIp: text(row.SrcIP_s) ?? '',
    destinationIp: text(row.DestIP_s) ?? '',
    destinationPort: integer(row.DestPort_d),
    protocol: protocolOf(text(row.L4Protocol_s)),
    direction: text(row.FlowDirection_s) === 'O' ? 'outbound' : 'inbound',
    status: text(row.FlowStatus_s) === 'D' ? 'denied' : 'allowed',
    flowType: text(row.FlowType_s),
    aclGroup: text(row.NSGList_s),
    aclRule: text(row.NSGRule_s),
    sourceNic: null,
    destinationNic: null,
    sourceVm: text(row.VM1_s),
    destinationVm: text(row.VM2_s),
    sourceSubnet: text(row.Subnet1_s),
    destinationSubnet: text(row.Subnet2_s),
    targetResourceId: null,
    packetsSourceToDestination: null,
    packetsDestinationToSource: null,
    bytesSourceToDestination: null,
    bytesDestinationToSource: null,
    ingestedAt: instant(row.IngestionTime),
  };
}

/** One line a person reads. */
export function summariseFlowRecord(record: FlowLogRecord): string {
  const port = record.destinationPort === null ? '' : `:${record.destinationPort}`;
  const where = record.destinationVm ?? record.sourceVm ?? record.targetResourceId ?? '';
  const counters = record.packetsSourceToDestination === null ? '' : ` packets ${record.packetsSourceToDestination}/${record.packetsDestinationToSource ?? 0}`;
  return `${record.table} interval ${record.intervalStart}..${record.intervalEnd} ${record.protocol} ${record.sourceIp} -> ${record.destinationIp}${port} ${record.direction} ${record.status}`
    + `${record.aclRule ? ` by ${record.aclRule}` : ''}${record.flowType ? ` (${record.flowType})` : ''}${where ? ` at ${where}` : ''}${counters}`;
}

/** Rows -> flow-log evidence, capped (pure). */
export function deserializeFlowLogs(answer: LogAnswer, query: TableQuery, maxRows: number, legacy: boolean): { evidence: EvidenceDraft[]; warnings: string[] } {
  const { rows, warnings } = capRows(answer.rows, maxRows, query.table);
  const evidence: EvidenceDraft[] = rows.map((row) => {
    const record = legacy ? legacyTrafficAnalyticsRecordOf(row) : trafficAnalyticsRecordOf(row);
    return { kind: 'flow-log', source: record.table, query: query.query, summary: summariseFlowRecord(record), data: record };
  });
  return { evidence, warnings };
}

/** Options of a flow-log query. */
export interface FlowLogOptions extends LogQueryOptions {
  /** The Traffic Analytics processing interval of the flow logs concerned (from their configuration; default 60). */
  intervalInMinutes?: TrafficAnalyticsInterval;
  concurrency: number;
}

/**
 * Flows of a question from NTANetAnalytics; from AzureNetworkAnalytics_CL (NSG flow
 * logs) only when NTANetAnalytics does not exist. Ordered by interval, then a stable key.
 */
export async function queryFlowLogs(client: LogsClient, workspaceIds: readonly string[], filter: FlowFilter, options: FlowLogOptions): Promise<SourceResult<EvidenceDraft[]>> {
  const interval = options.intervalInMinutes ?? 60;
  // Flows are selected by address: without one the query would hand back every flow of the window.
  if (filter.source === null && filter.destination === null) {
    return success([], ['NTANetAnalytics: not queried (the question gives no source or destination address)']);
  }
  const current = await runTablePlans(client, workspaceIds, [{
    query: trafficAnalyticsQuery(filter, interval), deserialize: (answer, query) => deserializeFlowLogs(answer, query, filter.maxRows, false),
  }], options);
  const order = (items: EvidenceDraft[]): EvidenceDraft[] => sortEvidence(items, (item) => (item.kind === 'flow-log' ? `${item.data.intervalStart}|${item.data.flowStart ?? ''}` : ''));
  if (current.outcomes.some((outcome) => outcome.result.ok)) return success(order(current.evidence), current.warnings, current.gaps);
  const missing = current.gaps.every((gap) => gap.reason === 'not-enabled');
  if (!missing) return failure(current.gaps[0] ?? { source: 'NTANetAnalytics', reason: 'failed', detail: 'no answer' });
  const legacy = await runTablePlans(client, workspaceIds, [{
    query: legacyTrafficAnalyticsQuery(filter, interval), deserialize: (answer, query) => deserializeFlowLogs(answer, query, filter.maxRows, true),
  }], options);
  if (legacy.outcomes.some((outcome) => outcome.result.ok)) {
    return success(order(legacy.evidence), [...legacy.warnings, 'NTANetAnalytics does not exist: flows come from the legacy AzureNetworkAnalytics_CL (NSG flow logs, retiring 30 September 2027)'], legacy.gaps);
  }
  return failure({ source: 'NTANetAnalytics', reason: 'not-enabled', detail: 'neither NTANetAnalytics nor AzureNetworkAnalytics_CL exists: no VNet flow logs with Traffic Analytics send to this workspace' });
}
