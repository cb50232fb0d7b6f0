/**
 * Running a set of table queries over the configured workspaces and folding the answers
 * into one SourceResult: evidence from the tables that answered, a gap for each table
 * that could not (a missing table is `not-enabled` for that table, never a failed answer).
 */
import type { Gap } from '../domain/index.js';
import { mapWithLimit } from './concurrency.js';
import type { TableQuery } from './kql/firewall.js';
import { type LogAnswer, type LogQueryOptions, type LogsClient, runLogQuery } from './log-analytics.js';
import type { EvidenceDraft, SourceResult } from './result.js';

/** One table's query and how to turn its rows into evidence (a pure function). */
export interface TablePlan {
  query: TableQuery;
  deserialize(answer: LogAnswer, query: TableQuery): { evidence: EvidenceDraft[]; warnings: string[] };
}

/** The answer of one table in one workspace. */
export interface TableOutcome {
  workspaceId: string;
  table: string;
  result: SourceResult<LogAnswer>;
}

/** Runs every plan in every workspace, at most `concurrency` queries at once. */
export async function runTablePlans(
  client: LogsClient, workspaceIds: readonly string[], plans: readonly TablePlan[], options: LogQueryOptions & { concurrency: number },
): Promise<{ outcomes: TableOutcome[]; evidence: EvidenceDraft[]; warnings: string[]; gaps: Gap[] }> {
  const jobs = workspaceIds.flatMap((workspaceId) => plans.map((plan) => ({ workspaceId, plan })));
  const outcomes = await mapWithLimit(jobs, options.concurrency, async ({ workspaceId, plan }) => ({
    workspaceId, plan, result: await runLogQuery(client, workspaceId, plan.query, options),
  }));
  const evidence: EvidenceDraft[] = [];
  const warnings: string[] = [];
  const gaps: Gap[] = [];
  const answered = new Set(outcomes.filter((outcome) => outcome.result.ok).map((outcome) => outcome.plan.query.table));
  const where = (workspaceId: string): string => (workspaceIds.length > 1 ? ` (workspace ${workspaceId})` : '');
  for (const { workspaceId, plan, result } of outcomes) {
    if (!result.ok) {
      // A table missing here but present in another workspace is not a gap of the estate.
      if (result.gap.reason === 'not-enabled' && answered.has(plan.query.table)) continue;
      gaps.push({ ...result.gap, detail: `${result.gap.detail}${where(workspaceId)}` });
      continue;
    }
    const { evidence: items, warnings: itemWarnings } = plan.deserialize(result.value, plan.query);
    evidence.push(...items);
    warnings.push(...itemWarnings.map((warning) => `${warning}${where(workspaceId)}`));
    if (result.value.partialError !== null) {
      gaps.push({ source: plan.query.table, reason: 'failed', detail: `partial answer, rows may be missing: ${result.value.partialError}${where(workspaceId)}` });
    }
  }
  return { outcomes: outcomes.map(({ workspaceId, plan, result }) => ({ workspaceId, table: plan.query.table, result })), evidence, warnings, gaps: dedupeGaps(gaps) };
}

function dedupeGaps(gaps: readonly Gap[]): Gap[] {
  const seen = new Set<string>();
  return gaps.filter((gap) => {
    const key = `${gap.source}|${gap.reason}|${gap.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Orders evidence by the time it carries, then by a stable key, so ids come out the same every run. */
export function sortEvidence(items: readonly EvidenceDraft[], timeOf: (item: EvidenceDraft) => string): EvidenceDraft[] {
  return items
    .map((item) => ({ item, time: timeOf(item), key: `${item.source}\u0000${JSON.stringify(item.data)}` }))
    .sort((left, right) => (left.time < right.time ? -1 : left.time > right.time ? 1 : left.key < right.key ? -1 : left.key > right.key ? 1 : 0))
    .map(({ item }) => item);
}
