/**
 * How far each log source has caught up, measured (newest event, newest ingestion)
 * rather than assumed: source-freshness evidence with `coveredUntil`.
 */
import type { SourceFreshness } from '../domain/index.js';
import type { TableQuery } from './kql/firewall.js';
import { freshnessQuery } from './kql/freshness.js';
import { addMinutes } from './kql/literals.js';
import type { Instant, ResourceId } from './kql/validate.js';
import { type LogAnswer, type LogQueryOptions, type LogsClient, instant } from './log-analytics.js';
import { runTablePlans } from './log-sources.js';
import { type EvidenceDraft, type EvidenceDraftOf, type SourceResult, failure, success } from './result.js';

/** Worst-case delays between an event and its row in the workspace, minutes. */
export const EXPECTED_DELAY_IN_MINUTES = {
  /** Azure Firewall resource-specific and legacy logs: Log Analytics ingestion, a few minutes. */
  firewall: 10,
  /** Key Vault audit events "appear within 10 minutes". */
  keyVault: 10,
  /** Gateway diagnostics. */
  gateway: 15,
  /** Traffic Analytics: the processing interval plus up to an hour. */
  trafficAnalytics: (intervalInMinutes: number): number => intervalInMinutes + 60,
} as const;

/** A source to measure. */
export interface FreshnessTarget {
  table: string;
  resourceId?: ResourceId | null;
  expectedDelayInMinutes: number;
}

function minutesBetween(from: string, to: string): number {
  return Math.round(((Date.parse(to) - Date.parse(from)) / 60_000) * 10) / 10;
}

/**
 * The freshness of a source from its newest event and ingestion (pure). While the source
 * is live (something ingested within the expected delay), events older than
 * `now - max(expected delay, measured lag)` are covered, and so is everything up to the
 * newest event seen. A source that has gone quiet covers only up to its newest event.
 */
export function freshnessOf(table: string, newestEvent: string | null, newestIngestion: string | null, now: Instant, expectedDelayInMinutes: number, lookbackStart: Instant): SourceFreshness {
  const measured = newestEvent !== null && newestIngestion !== null ? Math.max(0, minutesBetween(newestEvent, newestIngestion)) : null;
  const live = newestIngestion !== null && minutesBetween(newestIngestion, now) <= expectedDelayInMinutes;
  const delay = Math.max(expectedDelayInMinutes, measured ?? 0);
  const assumed = addMinutes(now, -delay);
  let coveredUntil: string = newestEvent ?? lookbackStart;
  if (live && Date.parse(assumed) > Date.parse(coveredUntil)) coveredUntil = assumed;
  return {
    source: table, newestEventTime: newestEvent, newestIngestionTime: newestIngestion, measuredLagInMinutes: measured,
    expectedDelayInMinutes, coveredUntil: new Date(Date.parse(coveredUntil)).toISOString(),
  };
}

/** The freshness answer -> evidence (pure). */
export function deserializeFreshness(answer: LogAnswer, query: TableQuery, now: Instant, expectedDelayInMinutes: number): EvidenceDraftOf<'source-freshness'> {
  const row = answer.rows[0] ?? {};
  const freshness = freshnessOf(query.table, instant(row.newestEvent), instant(row.newestIngestion), now, expectedDelayInMinutes, query.timespan.start);
  const summary = freshness.newestEventTime === null
    ? `${query.table}: no rows since ${query.timespan.start}; covered until ${freshness.coveredUntil}`
    : `${query.table}: newest event ${freshness.newestEventTime}, ingested ${freshness.newestIngestionTime ?? '?'} (lag ${freshness.measuredLagInMinutes ?? '?'} min, expected up to ${expectedDelayInMinutes} min); covered until ${freshness.coveredUntil}`;
  return { kind: 'source-freshness', source: query.table, query: query.query, summary, data: freshness };
}

/** Measures each source; a missing table is a not-enabled gap for it. One evidence per table and workspace. */
export async function measureFreshness(
  client: LogsClient, workspaceIds: readonly string[], targets: readonly FreshnessTarget[], now: Instant,
  options: LogQueryOptions & { concurrency: number; lookbackInMinutes?: number },
): Promise<SourceResult<EvidenceDraft[]>> {
  const lookback = options.lookbackInMinutes ?? 24 * 60;
  const plans = targets.map((target) => ({
    query: freshnessQuery({ table: target.table, resourceId: target.resourceId ?? null }, now, lookback),
    deserialize: (answer: LogAnswer, query: TableQuery) => ({ evidence: [deserializeFreshness(answer, query, now, target.expectedDelayInMinutes)], warnings: [] }),
  }));
  const { outcomes, evidence, warnings, gaps } = await runTablePlans(client, workspaceIds, plans, options);
  if (!outcomes.some((outcome) => outcome.result.ok)) return failure(gaps[0] ?? { source: 'freshness', reason: 'failed', detail: 'nothing to measure' });
  return success(evidence, warnings, gaps);
}
