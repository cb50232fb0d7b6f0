/**
 * Turning what a source returned into what the model needs: a summary, one page
 * of trimmed rows, and the gaps. A source that gave nothing but gaps is a tool
 * error the model can act on (retry when throttled or timed out); partial
 * success is data.
 */
import type { Gap } from '../../src/domain/index.js';
import type { EvidenceDraft, FlowSelector, SourceOutcome } from '../../src/diagnose/ports.js';
import { flowSelector, paginate, resolveWindow } from './values.js';
import { failure, success, type ToolContext, type ToolResult } from './tool.js';

const RETRYABLE: ReadonlySet<Gap['reason']> = new Set(['throttled', 'timeout', 'failed']);

/** Codes of tool errors for a source that answered with gaps only. */
export function gapError(gaps: readonly Gap[]): ToolResult | null {
  const first = gaps[0];
  if (!first) return null;
  const detail = gaps.map((gap) => `${gap.source}: ${gap.reason} (${gap.detail})`).join('; ');
  return failure(`source_${first.reason.replace(/-/gu, '_')}`, `the source gave no answer: ${detail}`, gaps.some((gap) => RETRYABLE.has(gap.reason)));
}

/** A page of rows from a source, with counts and gaps; rows carry `ref`s that are lookups, not verdict evidence ids. */
export function rowsResult<Row>(
  outcome: SourceOutcome,
  pick: (draft: EvidenceDraft) => Row | null,
  pageNumber: number,
  summarise: (rows: Row[]) => Record<string, unknown>,
): ToolResult {
  const rows = outcome.evidence.flatMap((draft) => {
    const row = pick(draft);
    return row === null ? [] : [row];
  });
  // No rows because a source failed is an error the model can act on; no rows from a source that is off is data.
  const failed = outcome.gaps.filter((gap) => gap.reason !== 'not-enabled' && gap.reason !== 'no-data' && gap.reason !== 'not-yet-ingested');
  if (rows.length === 0 && failed.length > 0) return gapError(failed) as ToolResult;
  const numbered = rows.map((row, index) => ({ ref: `row-${index + 1}`, ...row }));
  const shown = paginate(numbered, pageNumber);
  if (pageNumber > shown.pages) return failure('page_out_of_range', `there are ${shown.pages} page(s)`);
  return success({
    summary: { rows: rows.length, ...summarise(rows) },
    rows: shown.items,
    paging: { page: shown.page, pages: shown.pages, more: shown.more },
    gaps: outcome.gaps,
    note: 'Row refs are lookups for this answer, not verdict evidence ids: cite only ids returned by diagnose_connection.',
  });
}

/** Counts the values of one field. */
export function countBy<Row>(rows: readonly Row[], key: (row: Row) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) {
    const value = key(row) ?? 'unknown';
    counts[value] = (counts[value] ?? 0) + 1;
  }
  return counts;
}

/** Runs a source call, turning a thrown error into a tool error the model sees. */
export async function callSource(call: () => Promise<SourceOutcome>): Promise<SourceOutcome | ToolResult> {
  try {
    return await call();
  } catch (error) {
    return failure('source_failed', error instanceof Error ? error.message : String(error), true);
  }
}

/** True when a value is a ToolResult (from callSource). */
export function isToolResult<T extends object>(value: T | ToolResult): value is ToolResult {
  return 'ok' in value;
}

/** The flow arguments of the log tools. */
export interface FlowArguments {
  sourceIp?: string | undefined;
  destinationIp?: string | undefined;
  port?: number | undefined;
  protocol?: 'tcp' | 'udp' | 'icmp' | 'any' | undefined;
  start?: string | undefined;
  end?: string | undefined;
}

/**
 * What a log source holds about the flow a tool was asked for: the arguments checked (an
 * endpoint given, a valid window), the source called, its gaps-only answer turned into a
 * tool error.
 */
export async function flowEvidence(
  input: FlowArguments,
  context: ToolContext,
  fetch: (flow: FlowSelector, signal: AbortSignal) => Promise<SourceOutcome>,
): Promise<{ outcome: SourceOutcome; window: { start: Date; end: Date } } | ToolResult> {
  if (!input.sourceIp && !input.destinationIp) return failure('invalid_arguments', 'give sourceIp, destinationIp or both');
  const resolved = resolveWindow(context, input.start, input.end);
  if (!resolved.ok) return failure('invalid_window', resolved.message);
  const flow = flowSelector(input, resolved.window);
  const outcome = await callSource(() => fetch(flow, context.signal));
  return isToolResult(outcome) ? outcome : { outcome, window: resolved.window };
}
