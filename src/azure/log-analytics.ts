/**
 * Sending a KQL query to Log Analytics and reading its table, nothing more: the
 * deserializers that turn rows into evidence are pure functions beside each source.
 */
import type { LogsQueryClient, LogsTable } from '@azure/monitor-query-logs';
import { callSignal } from './clients.js';
import { gapFromError, withDeadline } from './errors.js';
import type { TableQuery } from './kql/firewall.js';
import { type SourceResult, failure, success } from './result.js';

/** The one method the adapters need of a LogsQueryClient. */
export type LogsClient = Pick<LogsQueryClient, 'queryWorkspace'>;

/** A row as column name -> value (datetimes arrive as Date, dynamics parsed). */
export type LogRow = Record<string, unknown>;

/** The rows of one answer, and the partial error when Log Analytics gave only part of them. */
export interface LogAnswer {
  rows: LogRow[];
  /** Set when the answer is a PartialError: the rows are what the service had, not everything. */
  partialError: string | null;
}

/** Per-query limits. */
export interface LogQueryOptions {
  /** Client-side budget for the whole call, retries included. */
  timeoutInMs: number;
  /** The server's own limit (`Prefer: wait=`), seconds. */
  serverTimeoutInSeconds?: number;
  abortSignal?: AbortSignal;
}

/** Rows of a LogsTable as objects. */
export function rowsOf(table: LogsTable | undefined): LogRow[] {
  if (table === undefined) return [];
  const names = table.columnDescriptors.map((column, index) => column.name ?? `column${index}`);
  return table.rows.map((values) => Object.fromEntries(names.map((name, index) => [name, values[index]])));
}

/** Runs one query; a thrown RestError becomes the gap of `query.table`. */
export async function runLogQuery(client: LogsClient, workspaceId: string, query: TableQuery, options: LogQueryOptions): Promise<SourceResult<LogAnswer>> {
  try {
    // The deadline's signal reaches the request through `callSignal` (the SDK drops the option): when
    // the budget runs out, the query and its retries stop too.
    const result = await withDeadline(options.timeoutInMs, (abortSignal) => callSignal.run(abortSignal, () => client.queryWorkspace(
      workspaceId, query.query,
      { startTime: new Date(query.timespan.start), endTime: new Date(query.timespan.end) },
      { serverTimeoutInSeconds: options.serverTimeoutInSeconds ?? Math.max(1, Math.ceil(options.timeoutInMs / 1000)), abortSignal },
    )), options.abortSignal);
    if (result.status === 'PartialFailure') {
      const detail = [result.partialError.code, result.partialError.message].filter(Boolean).join(': ');
      return success({ rows: rowsOf(result.partialTables[0]), partialError: detail || 'PartialError' });
    }
    return success({ rows: rowsOf(result.tables[0]), partialError: null });
  } catch (error) {
    return failure(gapFromError(query.table, error));
  }
}

/* ---------------------------------------------------------- cell readers */

/** A cell as a non-empty string, or null. */
export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  const result = String(value);
  return result === '' ? null : result;
}

/** A cell as a finite number, or null. */
export function numeric(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const result = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(result) ? result : null;
}

/** A cell as an integer, or null. */
export function integer(value: unknown): number | null {
  const result = numeric(value);
  return result === null ? null : Math.trunc(result);
}

/** A cell as a boolean ("True"/"true"/1 too), or null. */
export function boolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    if (/^true$/i.test(value)) return true;
    if (/^false$/i.test(value)) return false;
  }
  return null;
}

/** A cell as an ISO 8601 UTC instant with milliseconds, or null. */
export function instant(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const time = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** Caps rows at `maxRows` (queries take one more to tell) and says so when it cut. */
export function capRows<T>(rows: readonly T[], maxRows: number, source: string): { rows: T[]; warnings: string[] } {
  if (rows.length <= maxRows) return { rows: [...rows], warnings: [] };
  return { rows: rows.slice(0, maxRows), warnings: [`${source}: more than ${maxRows} rows match; only the first ${maxRows} (oldest first) are shown`] };
}
