/**
 * KQL for VNet flow logs through Traffic Analytics. `TimeGenerated` there is the
 * ingestion time, up to an interval plus an hour after the flow: flows are selected by
 * their own times, with a wider TimeGenerated prefilter that keeps the scan bounded.
 */
import type { TableQuery } from './firewall.js';
import { addMinutes, kqlDatetime, kqlString } from './literals.js';
import { type FlowFilter, addressPredicate, whereLines } from './flow-filter.js';

/** Traffic Analytics writes a row up to one processing interval plus this much after the interval ends. */
export const TRAFFIC_ANALYTICS_PROCESSING_MINUTES = 60;

/** Processing intervals Traffic Analytics offers. */
export type TrafficAnalyticsInterval = 10 | 60;

function l4Protocol(filter: FlowFilter): string | null {
  if (filter.protocol === 'tcp') return 'T';
  if (filter.protocol === 'udp') return 'U';
  return null;
}

/** Ingestion-time prefilter: from the window start to its end plus one interval and two hours. */
function ingestionPrefilter(filter: FlowFilter, intervalInMinutes: number): string {
  const until = addMinutes(filter.window.end, intervalInMinutes + 120);
  return `TimeGenerated between (${kqlDatetime(filter.window.start)} .. ${kqlDatetime(until)})`;
}

const NTA_COLUMNS = [
  'TimeGenerated', 'FlowIntervalStartTime', 'FlowIntervalEndTime', 'FlowStartTime', 'FlowEndTime', 'SrcIp', 'DestIp', 'DestPort',
  'L4Protocol', 'FlowDirection', 'FlowStatus', 'FlowType', 'AclGroup', 'AclRule', 'SrcNic', 'DestNic', 'SrcVm', 'DestVm',
  'SrcSubnet', 'DestSubnet', 'TargetResourceId', 'PacketsSrcToDest', 'PacketsDestToSrc', 'BytesSrcToDest', 'BytesDestToSrc',
];

/**
 * NTANetAnalytics flows (SubType FlowLog) whose activity overlaps the window.
 * https://learn.microsoft.com/azure/azure-monitor/reference/tables/ntanetanalytics
 */
export function trafficAnalyticsQuery(filter: FlowFilter, intervalInMinutes: TrafficAnalyticsInterval): TableQuery {
  const start = kqlDatetime(filter.window.start);
  const end = kqlDatetime(filter.window.end);
  const protocol = l4Protocol(filter);
  const lines = [
    'NTANetAnalytics',
    ...whereLines([
      ingestionPrefilter(filter, intervalInMinutes),
      `SubType == "FlowLog"`,
      // The processing interval overlaps the window, and so does the flow's own first..last time in it.
      `FlowIntervalStartTime < ${end} and FlowIntervalEndTime > ${start}`,
      `coalesce(FlowStartTime, FlowIntervalStartTime) <= ${end} and coalesce(FlowEndTime, FlowIntervalEndTime) >= ${start}`,
      filter.source ? addressPredicate('SrcIp', filter.source) : null,
      filter.destination ? addressPredicate('DestIp', filter.destination) : null,
      filter.port !== null ? `DestPort == ${filter.port}` : null,
      protocol ? `L4Protocol == ${kqlString(protocol)}` : null,
      filter.resourceId ? `_ResourceId =~ ${kqlString(filter.resourceId)}` : null,
    ]),
    `| extend IngestionTime = ingestion_time()`,
    `| project ${[...NTA_COLUMNS, 'IngestionTime'].join(', ')}`,
    `| order by FlowIntervalStartTime asc, FlowStartTime asc, SrcIp asc, DestIp asc, DestPort asc, FlowDirection asc, TargetResourceId asc`,
    `| take ${filter.maxRows + 1}`,
  ];
  return { table: 'NTANetAnalytics', documentation: 'https://learn.microsoft.com/azure/azure-monitor/reference/tables/ntanetanalytics', query: lines.join('\n'), timespan: { start: filter.window.start, end: addMinutes(filter.window.end, intervalInMinutes + 120) } };
}

const LEGACY_COLUMNS = [
  'TimeGenerated', 'FlowIntervalStartTime_t', 'FlowIntervalEndTime_t', 'FlowStartTime_t', 'FlowEndTime_t', 'SrcIP_s', 'DestIP_s', 'DestPort_d',
  'L4Protocol_s', 'FlowDirection_s', 'FlowStatus_s', 'FlowType_s', 'NSGList_s', 'NSGRule_s', 'VM1_s', 'VM2_s', 'Subnet1_s', 'Subnet2_s',
];

/**
 * Legacy Traffic Analytics for NSG flow logs (AzureNetworkAnalytics_CL), read only when
 * NTANetAnalytics does not exist. https://learn.microsoft.com/azure/network-watcher/traffic-analytics-schema
 */
export function legacyTrafficAnalyticsQuery(filter: FlowFilter, intervalInMinutes: TrafficAnalyticsInterval): TableQuery {
  const start = kqlDatetime(filter.window.start);
  const end = kqlDatetime(filter.window.end);
  const protocol = l4Protocol(filter);
  const lines = [
    'AzureNetworkAnalytics_CL',
    ...whereLines([
      ingestionPrefilter(filter, intervalInMinutes),
      `SubType_s == "FlowLog"`,
      `FlowIntervalStartTime_t < ${end} and FlowIntervalEndTime_t > ${start}`,
      `coalesce(FlowStartTime_t, FlowIntervalStartTime_t) <= ${end} and coalesce(FlowEndTime_t, FlowIntervalEndTime_t) >= ${start}`,
      filter.source ? addressPredicate('SrcIP_s', filter.source) : null,
      filter.destination ? addressPredicate('DestIP_s', filter.destination) : null,
      filter.port !== null ? `DestPort_d == ${filter.port}` : null,
      protocol ? `L4Protocol_s == ${kqlString(protocol)}` : null,
    ]),
    `| extend IngestionTime = ingestion_time()`,
    `| project ${[...LEGACY_COLUMNS, 'IngestionTime'].join(', ')}`,
    `| order by FlowIntervalStartTime_t asc, FlowStartTime_t asc, SrcIP_s asc, DestIP_s asc, DestPort_d asc, FlowDirection_s asc`,
    `| take ${filter.maxRows + 1}`,
  ];
  return { table: 'AzureNetworkAnalytics_CL', documentation: 'https://learn.microsoft.com/azure/network-watcher/traffic-analytics-schema', query: lines.join('\n'), timespan: { start: filter.window.start, end: addMinutes(filter.window.end, intervalInMinutes + 120) } };
}
