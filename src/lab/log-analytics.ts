/**
 * The Log Analytics query API: `POST /v1/workspaces/{id}/query`, `POST /v1/{resourceId}/query`, `POST /v1/$batch`.
 * https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format
 */
import type { Fault } from '../domain/scenario.js';
import { logsError, json, type LabResponse } from './http.js';
import { idKey } from './ids.js';
import { KqlError, runKql, type KqlColumn, type KqlResult, type KqlRow } from './kql/index.js';
import { LOG_ANALYTICS_SCHEMAS } from './kql/schemas.js';
import type { LabState, ScenarioState } from './state.js';
import { parseTimespan } from './timespan.js';

/** A query request body (`{query, timespan, workspaces}`). */
export interface LogsQueryBody {
  query?: unknown;
  timespan?: unknown;
  workspaces?: unknown;
}

/** Where the query runs: a workspace, or a resource (rows whose `_ResourceId` is that resource or under it). */
export type LogsScope = { kind: 'workspace'; scenario: ScenarioState } | { kind: 'resource'; scenario: ScenarioState; resourceId: string };

/** The scenario that owns a workspace id. */
export function scenarioForWorkspace(state: LabState, workspaceId: string): ScenarioState | undefined {
  return state.byWorkspace.get(workspaceId.toLowerCase());
}

/** The error Log Analytics sends for a workspace it does not know. */
export function workspaceNotFound(workspaceId: string): LabResponse {
  return logsError(404, 'WorkspaceNotFoundError', `The workspace could not be found: ${workspaceId}`);
}

/**
 * The tables a query sees, built once per scope and kept: a scenario's rows never change while the lab
 * runs, and the KQL engine caches its column inference, converted rows and analysed queries by the
 * identity of this object (rebuilding it per request made every query start from scratch).
 */
const tablesCache = new WeakMap<ScenarioState, Map<string, Readonly<Record<string, KqlRow[]>>>>();

function tablesFor(scope: LogsScope, extra: ScenarioState[], dropped: readonly string[]): Readonly<Record<string, KqlRow[]>> {
  const key = JSON.stringify([extra.map((scenario) => scenario.scenario.name), scope.kind === 'resource' ? idKey(scope.resourceId) : null, dropped]);
  let byKey = tablesCache.get(scope.scenario);
  if (byKey === undefined) {
    byKey = new Map();
    tablesCache.set(scope.scenario, byKey);
  }
  const cached = byKey.get(key);
  if (cached !== undefined) return cached;
  const tables: Record<string, KqlRow[]> = {};
  for (const scenario of [scope.scenario, ...extra]) {
    for (const [name, rows] of Object.entries(scenario.scenario.tables)) {
      tables[name] = [...(tables[name] ?? []), ...rows];
    }
  }
  if (scope.kind === 'resource') {
    const prefix = idKey(scope.resourceId);
    for (const [name, rows] of Object.entries(tables)) {
      tables[name] = rows.filter((row) => {
        const owner = typeof row._ResourceId === 'string' ? idKey(row._ResourceId) : '';
        return owner === prefix || owner.startsWith(`${prefix}/`);
      });
    }
  }
  for (const name of Object.keys(tables)) if (dropped.includes(name.toLowerCase())) delete tables[name];
  // Resource ids are many (one per resource-centric query target); keep the cache bounded.
  if (byKey.size >= 256) byKey.clear();
  byKey.set(key, tables);
  return tables;
}

/** Values as the query API writes them: dynamic objects as JSON text, datetimes as ISO text. */
function wireValue(value: unknown, column: KqlColumn | undefined): unknown {
  if (value instanceof Date) return value.toISOString();
  if (column?.type === 'dynamic' && value !== null && typeof value === 'object') return JSON.stringify(value);
  return value;
}

function wireTable(result: KqlResult, rowLimit?: number): { name: string; columns: KqlColumn[]; rows: unknown[][] } {
  const rows = rowLimit === undefined ? result.rows : result.rows.slice(0, rowLimit);
  return {
    name: 'PrimaryResult',
    columns: result.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: rows.map((row) => row.map((value, index) => wireValue(value, result.columns[index]))),
  };
}

/** A KQL error as Log Analytics reports it: 400 BadArgumentError with the engine's error inside. */
function kqlErrorResponse(error: KqlError, query: string): LabResponse {
  const detail: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.position !== undefined) {
    const before = query.slice(0, error.position);
    detail.line = before.split('\n').length;
    detail.pos = error.position - before.lastIndexOf('\n') - 1;
  }
  const summary =
    error.code === 'SyntaxError' ? 'A recognition error occurred in the query.' : error.code === 'SemanticError' ? 'A semantic error occurred.' : 'The query is not supported.';
  return logsError(400, 'BadArgumentError', 'The request had some invalid properties', { code: error.code, message: summary, innererror: detail });
}

/** Runs one query; faults of kind `partial` and `missing-table` are applied here. */
export function runLogsQuery(state: LabState, scope: LogsScope, body: LogsQueryBody, faults: readonly Fault[]): LabResponse {
  if (typeof body.query !== 'string' || body.query.trim() === '') {
    return logsError(400, 'BadArgumentError', 'The request had some invalid properties', {
      code: 'QueryValidationError',
      message: 'Query is missing or empty',
    });
  }
  const now = scope.scenario.now();
  let timespan: { start: Date; end: Date } | undefined;
  if (body.timespan !== undefined && body.timespan !== null) {
    timespan = typeof body.timespan === 'string' ? parseTimespan(body.timespan, now) : undefined;
    if (!timespan) {
      return logsError(400, 'BadArgumentError', 'The request had some invalid properties', {
        code: 'InvalidTimespan',
        message: `Invalid timespan: ${String(body.timespan)}. Use an ISO 8601 duration (PT1H) or interval (start/end).`,
      });
    }
  }
  const extraWorkspaces: ScenarioState[] = [];
  if (Array.isArray(body.workspaces)) {
    for (const workspace of body.workspaces) {
      const other = typeof workspace === 'string' ? scenarioForWorkspace(state, workspace) : undefined;
      if (!other) return workspaceNotFound(String(workspace));
      if (other !== scope.scenario) extraWorkspaces.push(other);
    }
  }
  const dropped = faults.flatMap((fault) => (fault.kind === 'missing-table' && fault.match?.table ? [fault.match.table.toLowerCase()] : [])).sort();
  const tables = tablesFor(scope, extraWorkspaces, dropped);
  let result: KqlResult;
  try {
    result = runKql(body.query, { tables, now, timespan, schemas: LOG_ANALYTICS_SCHEMAS });
  } catch (error) {
    if (error instanceof KqlError) return kqlErrorResponse(error, body.query);
    throw error;
  }
  if (faults.some((fault) => fault.kind === 'partial')) {
    // Partial success is a 200: the rows so far, and a PartialError beside them.
    return json(200, {
      tables: [wireTable(result, Math.floor(result.rows.length / 2))],
      error: {
        code: 'PartialError',
        message: 'There were some errors when processing your query.',
        details: [
          {
            code: 'EngineError',
            message: 'Something went wrong processing your query on the server.',
            innererror: { code: 'E_QUERY_RESULT_SET_TOO_LARGE', message: 'Query result set has exceeded the internal limit.' },
          },
        ],
      },
    });
  }
  return json(200, { tables: [wireTable(result)] });
}
