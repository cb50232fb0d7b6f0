/**
 * KQL that measures how far a source has caught up: the newest event and the newest
 * ingestion seen, rather than assuming a delay.
 */
import type { TableQuery } from './firewall.js';
import { addMinutes, kqlDatetime, kqlString } from './literals.js';
import type { Instant, ResourceId } from './validate.js';

/** Which source to measure. */
export type FreshnessSource =
  | { table: 'NTANetAnalytics'; resourceId: ResourceId | null }
  | { table: 'AzureNetworkAnalytics_CL'; resourceId: null }
  | { table: string; resourceId: ResourceId | null };

/** The freshness query of a table, looking back `lookbackInMinutes` from `now` (TimeGenerated prefilter). */
export function freshnessQuery(source: FreshnessSource, now: Instant, lookbackInMinutes: number): TableQuery {
  const since = kqlDatetime(addMinutes(now, -lookbackInMinutes));
  const resource = (column: string): string[] => (source.resourceId ? [`| where ${column} =~ ${kqlString(source.resourceId)}`] : []);
  let lines: string[];
  if (source.table === 'NTANetAnalytics') {
    // The event time of Traffic Analytics is the end of the interval a row covers.
    lines = ['NTANetAnalytics', `| where TimeGenerated > ${since}`, `| where SubType == "FlowLog"`, ...resource('_ResourceId'),
      '| summarize newestEvent = max(FlowIntervalEndTime), newestIngestion = max(ingestion_time()), rows = count()'];
  } else if (source.table === 'AzureNetworkAnalytics_CL') {
    lines = ['AzureNetworkAnalytics_CL', `| where TimeGenerated > ${since}`, `| where SubType_s == "FlowLog"`,
      '| summarize newestEvent = max(FlowIntervalEndTime_t), newestIngestion = max(ingestion_time()), rows = count()'];
  } else if (source.table === 'AzureDiagnostics') {
    lines = ['AzureDiagnostics', `| where TimeGenerated > ${since}`, ...resource('ResourceId'),
      '| summarize newestEvent = max(TimeGenerated), newestIngestion = max(ingestion_time()), rows = count()'];
  } else {
    if (!/^[A-Z][A-Za-z0-9_]{1,60}$/.test(source.table)) throw new Error(`not a table name: ${source.table}`);
    lines = [source.table, `| where TimeGenerated > ${since}`, ...resource('_ResourceId'),
      '| summarize newestEvent = max(TimeGenerated), newestIngestion = max(ingestion_time()), rows = count()'];
  }
  return { table: source.table, documentation: 'https://learn.microsoft.com/azure/azure-monitor/logs/data-ingestion-time', query: lines.join('\n'), timespan: { start: addMinutes(now, -lookbackInMinutes), end: now } };
}
