/**
 * The lab's KQL engine: runs a Log Analytics / Resource Graph query over in-memory
 * tables, from the syntax tree and semantic model of Microsoft's Kusto language
 * service (`@kusto/language-service-next`). Outside the supported subset it throws
 * a KqlError, never a wrong answer.
 */
import { KqlError } from './errors.js';
import { evaluateQuery, INGESTION_TIME, type Row, type Table } from './evaluate.js';
import { analyse, globalsFor, type AnalysedQuery, type KustoColumnType, type KustoDiagnostic } from './language-service.js';
import { fromCell, parseDatetime, toCell } from './values.js';

export { KqlError, type KqlErrorCode } from './errors.js';

/** A table row as a scenario holds it: plain JSON, datetimes as ISO strings, `_IngestionTime` optional. */
export type KqlRow = Record<string, unknown>;

/** A column of a table or of a result. */
export interface KqlColumn {
  name: string;
  type: KustoColumnType;
}

/** A result as Log Analytics sends it: datetimes as ISO strings (`2026-11-12T07:47:07.266Z`), timespans as `hh:mm:ss`, dynamic as JSON values. */
export interface KqlResult {
  columns: KqlColumn[];
  rows: unknown[][];
}

/** What a query runs against. Tables and rows are read, never changed, and may be cached by identity: treat them as immutable. */
export interface KqlContext {
  /** The workspace's tables; a table absent here does not exist. */
  tables: Record<string, KqlRow[]>;
  /** The scenario's clock: `ago()` and `now()` are relative to it. */
  now: Date;
  /** The API's timespan, applied to TimeGenerated of every table (start and end included), in addition to the query's own filters. */
  timespan?: { start: Date; end: Date };
  /** Declared columns per table (else inferred from the rows); columns a row carries beyond them are inferred and added. */
  schemas?: Record<string, KqlColumn[]>;
  /** Cap on the rows returned (Log Analytics truncates too). */
  maxRows?: number;
}

/** Column name of the hidden ingestion time in scenario rows. */
const INGESTION_TIME_COLUMN = '_IngestionTime';

const isoDatetime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function inferType(values: unknown[]): KustoColumnType {
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.length === 0) return 'string';
  if (present.every((value) => typeof value === 'boolean')) return 'bool';
  if (present.every((value) => typeof value === 'number')) return present.every((value) => Number.isInteger(value)) ? 'long' : 'real';
  if (present.every((value) => typeof value === 'string')) {
    return present.every((value) => isoDatetime.test(value as string)) ? 'datetime' : 'string';
  }
  return 'dynamic';
}

/** The columns of a table: the declared ones, then any other column its rows carry, with an inferred type. */
export function inferColumns(rows: readonly KqlRow[], declared: readonly KqlColumn[] = []): KqlColumn[] {
  const known = new Set(declared.map((column) => column.name));
  const extra = new Map<string, unknown[]>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      if (name === INGESTION_TIME_COLUMN || known.has(name)) continue;
      let values = extra.get(name);
      if (values === undefined) {
        values = [];
        extra.set(name, values);
      }
      values.push(value);
    }
  }
  return [...declared, ...[...extra].map(([name, values]) => ({ name, type: inferType(values) }))];
}

/** The language service's view of a set of schemas, and the queries analysed against it. */
interface Analyser {
  globals: unknown;
  queries: Map<string, AnalysedQuery>;
}

interface Prepared {
  schemas: Record<string, KqlColumn[]>;
  analyser: Analyser;
  converted: Map<string, Row[]>;
}

const noDeclaredSchemas: Record<string, KqlColumn[]> = {};
const preparedCache = new WeakMap<object, WeakMap<object, Prepared>>();
/** Queries kept per analyser: every built-in scenario's questions together make a few hundred. */
const maximumCachedQueries = 1024;
/**
 * Analysers by the text of their schemas: table sets of other scopes (another workspace's rows, a
 * resource's rows) with the same columns share the globals and the analysed queries, which are the
 * language service's expensive part.
 */
const analysers = new Map<string, Analyser>();
const maximumAnalysers = 64;

function analyserFor(schemas: Record<string, KqlColumn[]>): Analyser {
  const key = JSON.stringify(Object.entries(schemas).map(([name, columns]) => [name, columns.map((column) => `${column.name}:${column.type}`)]));
  let analyser = analysers.get(key);
  if (analyser === undefined) {
    if (analysers.size >= maximumAnalysers) analysers.clear();
    analyser = { globals: globalsFor(schemas), queries: new Map() };
    analysers.set(key, analyser);
  }
  return analyser;
}

function prepare(context: KqlContext): Prepared {
  const declared = context.schemas ?? noDeclaredSchemas;
  let byDeclared = preparedCache.get(context.tables);
  if (byDeclared === undefined) {
    byDeclared = new WeakMap();
    preparedCache.set(context.tables, byDeclared);
  }
  const cached = byDeclared.get(declared);
  if (cached !== undefined) return cached;
  const schemas: Record<string, KqlColumn[]> = {};
  for (const [name, rows] of Object.entries(context.tables)) schemas[name] = inferColumns(rows, declared[name]);
  const prepared: Prepared = { schemas, analyser: analyserFor(schemas), converted: new Map() };
  byDeclared.set(declared, prepared);
  return prepared;
}

function convertedRows(prepared: Prepared, context: KqlContext, name: string): Row[] {
  const cached = prepared.converted.get(name);
  if (cached !== undefined) return cached;
  const columns = prepared.schemas[name] ?? [];
  const rows = (context.tables[name] ?? []).map((source) => {
    const row: Row = {};
    for (const column of columns) row[column.name] = fromCell(source[column.name], column.type);
    const ingestion = source[INGESTION_TIME_COLUMN];
    const ingestionTime = typeof ingestion === 'string' ? parseDatetime(ingestion) : undefined;
    row[INGESTION_TIME] = typeof ingestionTime === 'number' ? ingestionTime : row.TimeGenerated ?? null;
    return row;
  });
  prepared.converted.set(name, rows);
  return rows;
}

/** The analysed query, least recently used ones dropped first (a Map keeps insertion order). */
function analysedQuery(analyser: Analyser, query: string): AnalysedQuery {
  const cached = analyser.queries.get(query);
  if (cached !== undefined) {
    analyser.queries.delete(query);
    analyser.queries.set(query, cached);
    return cached;
  }
  const analysed = analyse(query, analyser.globals);
  if (analyser.queries.size >= maximumCachedQueries) {
    const oldest = analyser.queries.keys().next();
    if (oldest.done !== true) analyser.queries.delete(oldest.value);
  }
  analyser.queries.set(query, analysed);
  return analysed;
}

function errors(diagnostics: KustoDiagnostic[]): KustoDiagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.severity === 'Error');
}

/**
 * Runs a query over the context's tables and returns the result Log Analytics would.
 * Throws KqlError: SyntaxError for a parse error, SemanticError with the language
 * service's message for an unknown table or column or a type error, BadArgumentError
 * for KQL outside the lab's subset.
 */
export function runKql(query: string, context: KqlContext): KqlResult {
  const prepared = prepare(context);
  const analysed = analysedQuery(prepared.analyser, query);
  const [first] = errors(analysed.diagnostics);
  if (first !== undefined) throw new KqlError(first.syntax ? 'SyntaxError' : 'SemanticError', first.message, first.start);
  const start = context.timespan?.start.getTime();
  const end = context.timespan?.end.getTime();
  const table = (name: string): Table | undefined => {
    if (!Object.hasOwn(context.tables, name)) return undefined;
    const columns = prepared.schemas[name] ?? [];
    let rows = convertedRows(prepared, context, name);
    if (start !== undefined && end !== undefined && columns.some((column) => column.name === 'TimeGenerated')) {
      rows = rows.filter((row) => typeof row.TimeGenerated === 'number' && row.TimeGenerated >= start && row.TimeGenerated <= end);
    }
    return { columns, rows };
  };
  const result = evaluateQuery(analysed.syntax, { now: context.now.getTime(), table });
  const rows = context.maxRows === undefined ? result.rows : result.rows.slice(0, Math.max(0, context.maxRows));
  return {
    columns: result.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: rows.map((row) => result.columns.map((column) => toCell(row[column.name], column.type))),
  };
}

/** The Kusto language service's error diagnostics for a query against these tables (empty = fine). */
export function checkKql(query: string, schemas: Record<string, KqlColumn[]>): string[] {
  return errors(analyse(query, globalsFor(schemas)).diagnostics).map((diagnostic) => diagnostic.message);
}

/** Loads and warms up the language service (its first analysis takes seconds); call once at lab start-up so the first request is not slow. */
export function warmUpKql(): void {
  checkKql('T | where A == "x" and B > ago(1h) | summarize count() by A | order by A asc | take 1', { T: [{ name: 'A', type: 'string' }, { name: 'B', type: 'datetime' }] });
}
