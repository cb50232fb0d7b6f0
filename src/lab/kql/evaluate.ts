/**
 * Evaluates a query from the language service's syntax tree and semantic model:
 * operators and functions are told apart by syntax kind and by the symbol the
 * language service resolved, never by matching the query text. Every expression
 * is compiled once into a closure over a row, then run over the rows.
 */
import { KqlError } from './errors.js';
import { aggregateFunction, isArgExtreme, scalarFunction, type Accumulator } from './functions.js';
import {
  expressionResultName, kindName, listElements, symbolKindName, tableColumns,
  type KustoColumnType, type KustoSymbol, type SyntaxElement,
} from './language-service.js';
import {
  columnType, compareValues, hasTerm, hasTermAffix, parseDatetime, parseTimespan, valueToString, valuesEqual,
} from './values.js';

/** A row inside the engine: column name to engine value, plus the hidden ingestion time. */
export type Row = Record<string | symbol, unknown>;

/** The hidden ingestion time of a row (never a column: `ingestion_time()` reads it). */
export const INGESTION_TIME: unique symbol = Symbol('ingestion time');

/** A table inside the engine. */
export interface Table {
  columns: { name: string; type: KustoColumnType }[];
  rows: Row[];
}

/** What the evaluation needs from the outside. */
export interface Environment {
  now: number;
  /** The rows of a table of the workspace (already filtered by the API's timespan), or undefined when it does not exist. */
  table(name: string): Table | undefined;
}

type Scalar = (row: Row) => unknown;

interface Scope {
  environment: Environment;
  scalars: Map<string, unknown>;
  tables: Map<string, SyntaxElement>;
}

function unsupported(what: string, node: SyntaxElement | null | undefined): never {
  throw new KqlError('BadArgumentError', `The lab's KQL engine does not support ${what}.`, node?.TextStart);
}

function required<T>(value: T | null | undefined, node: SyntaxElement): T {
  if (value === null || value === undefined) throw new KqlError('SyntaxError', `Incomplete ${kindName(node)}.`, node.TextStart);
  return value;
}

function typeOf(node: SyntaxElement | null | undefined): string {
  return node?.ResultType?.Name ?? 'unknown';
}

function isTabular(node: SyntaxElement): boolean {
  const type = node.ResultType;
  return type !== null && type !== undefined && symbolKindName(type) === 'Table';
}

function outputColumns(node: SyntaxElement): Table['columns'] {
  return tableColumns(node.ResultType).map((column) => ({ name: column.name, type: columnType(column.typeName) }));
}

function functionName(node: SyntaxElement): string {
  return node.ReferencedSymbol?.Name ?? node.Name?.ReferencedSymbol?.Name ?? node.Name?.SimpleName ?? '';
}

function callArguments(node: SyntaxElement): SyntaxElement[] {
  return listElements(node.ArgumentList?.Expressions);
}

/* ---------------------------------------------------------------- literals */

function literal(node: SyntaxElement): unknown {
  const kind = kindName(node);
  const text = node.LiteralValueInfo?.ValueText ?? '';
  const fail = (): never => unsupported(`the literal ${JSON.stringify(text)}`, node);
  switch (kind) {
    case 'StringLiteralExpression':
    case 'CompoundStringLiteralExpression':
      return typeof node.LiteralValue === 'string' ? node.LiteralValue : fail();
    case 'BooleanLiteralExpression':
      return text === 'null' ? null : /^true$/i.test(text) ? true : /^false$/i.test(text) ? false : fail();
    case 'IntLiteralExpression':
    case 'LongLiteralExpression': {
      if (text === 'null') return null;
      if (/^[+-]?\d+$/.test(text)) return Number(text);
      if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
      return fail();
    }
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression': {
      if (text === 'null') return null;
      const value = Number(text);
      return Number.isNaN(value) ? fail() : value;
    }
    case 'DateTimeLiteralExpression':
      return parseDatetime(text) ?? (parseDatetime(text) === null ? null : fail());
    case 'TimespanLiteralExpression': {
      const value = parseTimespan(text);
      return value === undefined ? fail() : value;
    }
    case 'GuidLiteralExpression':
      return text === 'null' ? null : text.toLowerCase();
    case 'NullLiteralExpression':
      return null;
    case 'DynamicExpression':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return fail();
      }
    default:
      return fail();
  }
}

/* ------------------------------------------------------------- expressions */

function stringOf(scalar: Scalar, type: string): (row: Row) => string {
  return (row) => valueToString(scalar(row), type);
}

const stringOperators: Record<string, (left: string, right: string) => boolean> = {
  HasExpression: (left, right) => hasTerm(left, right, false),
  HasCsExpression: (left, right) => hasTerm(left, right, true),
  HasPrefixExpression: (left, right) => hasTermAffix(left, right, false, true),
  HasPrefixCsExpression: (left, right) => hasTermAffix(left, right, true, true),
  HasSuffixExpression: (left, right) => hasTermAffix(left, right, false, false),
  HasSuffixCsExpression: (left, right) => hasTermAffix(left, right, true, false),
  ContainsExpression: (left, right) => left.toLowerCase().includes(right.toLowerCase()),
  ContainsCsExpression: (left, right) => left.includes(right),
  StartsWithExpression: (left, right) => left.toLowerCase().startsWith(right.toLowerCase()),
  StartsWithCsExpression: (left, right) => left.startsWith(right),
  EndsWithExpression: (left, right) => left.toLowerCase().endsWith(right.toLowerCase()),
  EndsWithCsExpression: (left, right) => left.endsWith(right),
  EqualTildeExpression: (left, right) => left.toLowerCase() === right.toLowerCase(),
};

function compileBinary(node: SyntaxElement, kind: string, scope: Scope): Scalar {
  const leftNode = required(node.Left, node);
  const rightNode = required(node.Right, node);
  const left = compileScalar(leftNode, scope);
  const right = compileScalar(rightNode, scope);
  if (kind === 'AndExpression') {
    return (row) => {
      const first = left(row);
      if (first === false) return false;
      const second = right(row);
      if (second === false) return false;
      return first === true && second === true ? true : null;
    };
  }
  if (kind === 'OrExpression') {
    return (row) => {
      const first = left(row);
      if (first === true) return true;
      const second = right(row);
      if (second === true) return true;
      return first === false && second === false ? false : null;
    };
  }
  const negated = /^Not[A-Z]/.test(kind) && kind !== 'NotEqualExpression';
  const positive = negated ? kind.slice(3) : kind;
  const stringOperator = stringOperators[positive];
  if (stringOperator !== undefined) {
    const leftString = stringOf(left, typeOf(leftNode));
    const rightString = stringOf(right, typeOf(rightNode));
    return negated ? (row) => !stringOperator(leftString(row), rightString(row)) : (row) => stringOperator(leftString(row), rightString(row));
  }
  if (kind === 'BangTildeExpression') {
    const leftString = stringOf(left, typeOf(leftNode));
    const rightString = stringOf(right, typeOf(rightNode));
    return (row) => leftString(row).toLowerCase() !== rightString(row).toLowerCase();
  }
  switch (kind) {
    case 'EqualExpression':
      return (row) => valuesEqual(left(row), right(row));
    case 'NotEqualExpression':
      return (row) => {
        const equal = valuesEqual(left(row), right(row));
        return equal === null ? null : !equal;
      };
    case 'LessThanExpression':
      return comparison(left, right, (order) => order < 0);
    case 'LessThanOrEqualExpression':
      return comparison(left, right, (order) => order <= 0);
    case 'GreaterThanExpression':
      return comparison(left, right, (order) => order > 0);
    case 'GreaterThanOrEqualExpression':
      return comparison(left, right, (order) => order >= 0);
    case 'AddExpression':
      return arithmetic(left, right, (a, b) => a + b);
    case 'SubtractExpression':
      return arithmetic(left, right, (a, b) => a - b);
    case 'MultiplyExpression':
      return arithmetic(left, right, (a, b) => a * b);
    case 'DivideExpression': {
      const integral = ['int', 'long'].includes(typeOf(node));
      return arithmetic(left, right, (a, b) => (b === 0 ? Number.NaN : integral ? Math.trunc(a / b) : a / b));
    }
    case 'ModuloExpression':
      return arithmetic(left, right, (a, b) => (b === 0 ? Number.NaN : a % b));
    case 'MatchesRegexExpression': {
      if (!rightNode.IsLiteral) unsupported('`matches regex` with a pattern that is not a literal', rightNode);
      let pattern: RegExp;
      try {
        pattern = new RegExp(String(literal(rightNode)));
      } catch {
        return unsupported('this regular expression', rightNode);
      }
      const leftString = stringOf(left, typeOf(leftNode));
      return (row) => pattern.test(leftString(row));
    }
    default:
      return unsupported(`the operator '${node.Operator?.Text ?? kind}'`, node);
  }
}

function comparison(left: Scalar, right: Scalar, test: (order: number) => boolean): Scalar {
  return (row) => {
    const order = compareValues(left(row), right(row));
    return order === null ? null : test(order);
  };
}

function arithmetic(left: Scalar, right: Scalar, operation: (a: number, b: number) => number): Scalar {
  return (row) => {
    const a = left(row);
    const b = right(row);
    if (typeof a !== 'number' || typeof b !== 'number') return null;
    const result = operation(a, b);
    return Number.isNaN(result) ? null : result;
  };
}

function compileIn(node: SyntaxElement, kind: string, scope: Scope): Scalar {
  const leftNode = required(node.Left, node);
  const left = compileScalar(leftNode, scope);
  const caseInsensitive = kind === 'InCsExpression' || kind === 'NotInCsExpression';
  const negated = kind === 'NotInExpression' || kind === 'NotInCsExpression';
  const items = listElements(node.Right?.Expressions);
  const sources = items.map((item): ((row: Row) => unknown[]) => {
    if (isTabular(item)) {
      const table = evaluateTable(item, scope);
      const first = table.columns[0]?.name;
      const values = first === undefined ? [] : table.rows.map((row) => row[first]);
      return () => values;
    }
    const scalar = compileScalar(item, scope);
    if (typeOf(item).startsWith('dynamic')) return (row) => { const value = scalar(row); return Array.isArray(value) ? value : [value]; };
    return (row) => [scalar(row)];
  });
  const normalise = (value: unknown): unknown => (caseInsensitive && typeof value === 'string' ? value.toLowerCase() : value);
  return (row) => {
    const value = normalise(left(row));
    if (value === null || value === undefined) return negated ? null : false;
    const found = sources.some((source) => source(row).some((candidate) => valuesEqual(value, normalise(candidate)) === true));
    return negated ? !found : found;
  };
}

function compileBetween(node: SyntaxElement, kind: string, scope: Scope): Scalar {
  const leftNode = required(node.Left, node);
  const couple = required(node.Right, node);
  const left = compileScalar(leftNode, scope);
  const firstNode = required(couple.First, couple);
  const secondNode = required(couple.Second, couple);
  const first = compileScalar(firstNode, scope);
  const second = compileScalar(secondNode, scope);
  const endIsOffset = typeOf(leftNode) === 'datetime' && typeOf(secondNode) === 'timespan';
  const negated = kind === 'NotBetweenExpression';
  return (row) => {
    const value = left(row);
    const low = first(row);
    const rawHigh = second(row);
    const high = endIsOffset && typeof low === 'number' && typeof rawHigh === 'number' ? low + rawHigh : rawHigh;
    const above = compareValues(value, low);
    const below = compareValues(value, high);
    if (above === null || below === null) return null;
    const inside = above >= 0 && below <= 0;
    return negated ? !inside : inside;
  };
}

function compileHasAny(node: SyntaxElement, kind: string, scope: Scope): Scalar {
  const leftNode = required(node.Left, node);
  const left = stringOf(compileScalar(leftNode, scope), typeOf(leftNode));
  const items = listElements(node.Right?.Expressions).map((item) => {
    const scalar = compileScalar(item, scope);
    const type = typeOf(item);
    return (row: Row): string[] => {
      const value = scalar(row);
      return Array.isArray(value) ? value.map((element) => valueToString(element, 'dynamic')) : [valueToString(value, type)];
    };
  });
  const all = kind === 'HasAllExpression';
  return (row) => {
    const text = left(row);
    const needles = items.flatMap((item) => item(row));
    return all ? needles.every((needle) => hasTerm(text, needle, false)) : needles.some((needle) => hasTerm(text, needle, false));
  };
}

function member(value: unknown, key: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value) && typeof key === 'number') {
    const index = key < 0 ? value.length + key : key;
    return value[index] ?? null;
  }
  if (typeof value === 'object' && !Array.isArray(value) && typeof key === 'string') {
    return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] ?? null : null;
  }
  return null;
}

function compilePath(node: SyntaxElement, scope: Scope): Scalar {
  const baseNode = required(node.Expression, node);
  if (!typeOf(baseNode).startsWith('dynamic')) unsupported(`member access on a value of type ${typeOf(baseNode)}`, node);
  const base = compileScalar(baseNode, scope);
  const selector = required(node.Selector, node);
  const selectorKind = kindName(selector);
  if (selectorKind === 'NameReference' || selectorKind === 'BracketedName') {
    const key = selector.SimpleName ?? selector.Name?.SimpleName;
    if (typeof key !== 'string') unsupported('this member name', selector);
    return (row) => member(base(row), key);
  }
  if (selectorKind === 'BracketedExpression') {
    const key = compileScalar(required(selector.Expression, selector), scope);
    return (row) => member(base(row), key(row));
  }
  return unsupported('this member access', selector);
}

function compileElement(node: SyntaxElement, scope: Scope): Scalar {
  const baseNode = required(node.Expression, node);
  if (!typeOf(baseNode).startsWith('dynamic')) unsupported(`indexing a value of type ${typeOf(baseNode)}`, node);
  const base = compileScalar(baseNode, scope);
  const selector = required(node.Selector, node);
  if (kindName(selector) !== 'BracketedExpression') unsupported('this element access', selector);
  const key = compileScalar(required(selector.Expression, selector), scope);
  return (row) => member(base(row), key(row));
}

function compileCall(node: SyntaxElement, scope: Scope): Scalar {
  const name = functionName(node);
  const implementation = scalarFunction(name);
  if (implementation === undefined) {
    if (aggregateFunction(name) !== undefined) unsupported(`the aggregate '${name}()' outside summarize`, node);
    return unsupported(`the function '${name}()'`, node);
  }
  const argumentNodes = callArguments(node);
  const args = argumentNodes.map((argument) => compileScalar(argument, scope));
  const types = argumentNodes.map(typeOf);
  const now = scope.environment.now;
  return (row) => {
    const ingestion = row[INGESTION_TIME];
    return implementation({
      args: args.map((argument) => argument(row)), types, now,
      ingestionTime: typeof ingestion === 'number' ? ingestion : null,
    }) ?? null;
  };
}

function compileName(node: SyntaxElement, scope: Scope): Scalar {
  const symbol = node.ReferencedSymbol;
  const name = symbol?.Name ?? node.SimpleName ?? '';
  const kind = symbol === null || symbol === undefined ? 'None' : symbolKindName(symbol);
  if (kind === 'Column') return (row) => row[name] ?? null;
  if (kind === 'Variable' && scope.scalars.has(name)) {
    const value = scope.scalars.get(name);
    return () => value;
  }
  if (kind === 'Function') return compileCall(node, scope);
  return unsupported(`the name '${name}' here`, node);
}

/** Compiles a scalar expression into a closure over a row. */
export function compileScalar(node: SyntaxElement, scope: Scope): Scalar {
  const kind = kindName(node);
  if (kind.endsWith('LiteralExpression') || kind === 'DynamicExpression') {
    const value = literal(node);
    return () => value;
  }
  switch (kind) {
    case 'ParenthesizedExpression':
    case 'OrderedExpression':
      return compileScalar(required(node.Expression, node), scope);
    case 'SimpleNamedExpression':
      return compileScalar(required(node.Expression, node), scope);
    case 'NameReference':
      return compileName(node, scope);
    case 'FunctionCallExpression':
      return compileCall(node, scope);
    case 'PathExpression':
      return compilePath(node, scope);
    case 'ElementExpression':
      return compileElement(node, scope);
    case 'UnaryMinusExpression': {
      const operand = compileScalar(required(node.Expression, node), scope);
      return (row) => { const value = operand(row); return typeof value === 'number' ? -value : null; };
    }
    case 'UnaryPlusExpression':
      return compileScalar(required(node.Expression, node), scope);
    case 'InExpression': case 'InCsExpression': case 'NotInExpression': case 'NotInCsExpression':
      return compileIn(node, kind, scope);
    case 'BetweenExpression': case 'NotBetweenExpression':
      return compileBetween(node, kind, scope);
    case 'HasAnyExpression': case 'HasAllExpression':
      return compileHasAny(node, kind, scope);
    default:
      if (node.Left !== undefined && node.Right !== undefined && node.Operator !== undefined) return compileBinary(node, kind, scope);
      return unsupported(`the expression '${kind.replace(/Expression$/, '')}'`, node);
  }
}

/* --------------------------------------------------------------- operators */

function project(node: SyntaxElement, input: Table, scope: Scope): Table {
  const columns = outputColumns(node);
  const expressions = listElements(node.Expressions);
  if (expressions.length !== columns.length) unsupported('a projection whose columns the lab cannot match to its expressions', node);
  const compiled = expressions.map((expression) => compileScalar(expression, scope));
  return {
    columns,
    rows: input.rows.map((row) => {
      const result: Row = {};
      columns.forEach((column, index) => { result[column.name] = compiled[index]!(row); });
      return result;
    }),
  };
}

function extend(node: SyntaxElement, input: Table, scope: Scope): Table {
  const columns = outputColumns(node);
  const inputNames = new Set(input.columns.map((column) => column.name));
  const newNames = columns.map((column) => column.name).filter((name) => !inputNames.has(name));
  const assignments = listElements(node.Expressions).map((expression) => {
    if (kindName(expression) === 'CompoundNamedExpression') unsupported('extend with a tuple of names', expression);
    const declared = kindName(expression) === 'SimpleNamedExpression' ? expression.Name?.SimpleName ?? null : expressionResultName(expression);
    const name = declared !== null && inputNames.has(declared) ? declared : newNames.shift();
    if (name === undefined) return unsupported('an extend whose columns the lab cannot match to its expressions', expression);
    return { name, value: compileScalar(expression, scope) };
  });
  return {
    columns,
    rows: input.rows.map((row) => {
      const result: Row = { ...row };
      for (const assignment of assignments) result[assignment.name] = assignment.value(result);
      return result;
    }),
  };
}

function reshape(node: SyntaxElement, input: Table, rename: Map<string, string>): Table {
  const columns = outputColumns(node);
  return {
    columns,
    rows: input.rows.map((row) => {
      const result: Row = {};
      for (const column of columns) result[column.name] = row[rename.get(column.name) ?? column.name] ?? null;
      return result;
    }),
  };
}

function projectRename(node: SyntaxElement, input: Table): Table {
  const rename = new Map<string, string>();
  for (const expression of listElements(node.Expressions)) {
    const target = expression.Name?.SimpleName;
    const source = expression.Expression;
    if (kindName(expression) !== 'SimpleNamedExpression' || typeof target !== 'string' || source === null || source === undefined || kindName(source) !== 'NameReference') {
      unsupported('this project-rename', expression);
    }
    rename.set(target, source.ReferencedSymbol?.Name ?? source.SimpleName ?? '');
  }
  return reshape(node, input, rename);
}

interface Ordering {
  value: Scalar;
  descending: boolean;
  nullsFirst: boolean;
}

function orderings(expressions: SyntaxElement[], scope: Scope): Ordering[] {
  return expressions.map((expression) => {
    const clause = kindName(expression) === 'OrderedExpression' ? expression.Ordering : null;
    const descending = clause?.AscOrDescKeyword === null || clause?.AscOrDescKeyword === undefined
      ? true : kindName(clause.AscOrDescKeyword) !== 'AscKeyword';
    const nullsKeyword = clause?.NullsClause?.FirstOrLastKeyword;
    const nullsFirst = nullsKeyword === null || nullsKeyword === undefined ? !descending : kindName(nullsKeyword) === 'FirstKeyword';
    return { value: compileScalar(expression, scope), descending, nullsFirst };
  });
}

function sortRows(rows: Row[], keys: Ordering[]): Row[] {
  const decorated = rows.map((row) => ({ row, values: keys.map((key) => key.value(row)) }));
  decorated.sort((a, b) => {
    for (let index = 0; index < keys.length; index += 1) {
      const key = keys[index]!;
      const left = a.values[index];
      const right = b.values[index];
      const leftNull = left === null || left === undefined;
      const rightNull = right === null || right === undefined;
      if (leftNull || rightNull) {
        if (leftNull && rightNull) continue;
        return (leftNull ? -1 : 1) * (key.nullsFirst ? 1 : -1);
      }
      const order = compareValues(left, right) ?? valueToString(left, 'dynamic').localeCompare(valueToString(right, 'dynamic'));
      if (order !== 0) return key.descending ? -Math.sign(order) : Math.sign(order);
    }
    return 0;
  });
  return decorated.map((entry) => entry.row);
}

function constantCount(node: SyntaxElement | null | undefined, scope: Scope, owner: SyntaxElement): number {
  const value = compileScalar(required(node, owner), scope)({});
  if (typeof value !== 'number' || !Number.isFinite(value)) return unsupported('a row count that is not a constant number', node);
  return Math.max(0, Math.trunc(value));
}

function summarize(node: SyntaxElement, input: Table, scope: Scope): Table {
  const columns = outputColumns(node);
  const byNodes = listElements(node.ByClause?.Expressions);
  const aggregateNodes = listElements(node.Aggregates).map((expression) => (kindName(expression) === 'SimpleNamedExpression' ? required(expression.Expression, expression) : expression));
  const byValues = byNodes.map((expression) => compileScalar(expression, scope));
  const calls = aggregateNodes.map((expression) => {
    if (kindName(expression) !== 'FunctionCallExpression') unsupported('an aggregate that is not a single aggregate call (wrap arithmetic in extend)', expression);
    const name = functionName(expression);
    const factory = aggregateFunction(name);
    if (factory === undefined) return unsupported(`the aggregate '${name}()'`, expression);
    const argumentNodes = callArguments(expression);
    const star = argumentNodes.some((argument) => kindName(argument) === 'StarExpression');
    const compiledArguments = argumentNodes.filter((argument) => kindName(argument) !== 'StarExpression').map((argument) => compileScalar(argument, scope));
    return { name, factory, types: argumentNodes.map(typeOf), args: compiledArguments, star, width: 1 };
  });
  const spreading = calls.filter((call) => isArgExtreme(call.name));
  if (spreading.length > 1) unsupported('more than one arg_max/arg_min in one summarize', node);
  const fixedWidth = byNodes.length + calls.length - spreading.length;
  if (spreading[0] !== undefined) spreading[0].width = columns.length - fixedWidth;
  if (columns.length < fixedWidth || (spreading[0] !== undefined && spreading[0].width < 1)) unsupported('a summarize whose columns the lab cannot match', node);

  const groups = new Map<string, { keys: unknown[]; accumulators: Accumulator[] }>();
  for (const row of input.rows) {
    const keys = byValues.map((value) => value(row));
    const groupKey = JSON.stringify(keys);
    let group = groups.get(groupKey);
    if (group === undefined) {
      group = { keys, accumulators: calls.map((call) => call.factory(call.types, call.args.length)) };
      groups.set(groupKey, group);
    }
    for (let index = 0; index < calls.length; index += 1) {
      group.accumulators[index]!.add(calls[index]!.args.map((argument) => argument(row)), row);
    }
  }
  if (groups.size === 0 && byNodes.length === 0) {
    groups.set('[]', { keys: [], accumulators: calls.map((call) => call.factory(call.types, call.args.length)) });
  }
  const rows: Row[] = [];
  for (const group of groups.values()) {
    const result: Row = {};
    let position = 0;
    group.keys.forEach((key) => { result[columns[position]!.name] = key; position += 1; });
    calls.forEach((call, index) => {
      const value = group.accumulators[index]!.result();
      if (!isArgExtreme(call.name)) {
        result[columns[position]!.name] = value;
        position += 1;
        return;
      }
      const chosen = value as { args: unknown[] | null; row: Row | null };
      for (let offset = 0; offset < call.width; offset += 1) {
        const column = columns[position + offset]!;
        if (chosen.row === null || chosen.args === null) result[column.name] = null;
        else if (offset < chosen.args.length) result[column.name] = chosen.args[offset];
        else if (call.star) result[column.name] = chosen.row[column.name] ?? null;
        else result[column.name] = null;
      }
      position += call.width;
    });
    rows.push(result);
  }
  return { columns, rows };
}

function distinct(node: SyntaxElement, input: Table, scope: Scope): Table {
  const columns = outputColumns(node);
  const expressions = listElements(node.Expressions);
  const star = expressions.length === 1 && kindName(expressions[0]!) === 'StarExpression';
  if (!star && expressions.length !== columns.length) unsupported('this distinct', node);
  const compiled = star ? columns.map((column) => (row: Row) => row[column.name] ?? null) : expressions.map((expression) => compileScalar(expression, scope));
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const row of input.rows) {
    const values = compiled.map((value) => value(row));
    const key = JSON.stringify(values);
    if (seen.has(key)) continue;
    seen.add(key);
    const result: Row = {};
    columns.forEach((column, index) => { result[column.name] = values[index]; });
    rows.push(result);
  }
  return { columns, rows };
}

function union(node: SyntaxElement, input: Table | null, scope: Scope): Table {
  let fuzzy = false;
  for (const parameter of listElements(node.Parameters)) {
    const name = parameter.Name?.SimpleName ?? '';
    const value = parameter.Expression;
    if (name === 'isfuzzy' && value !== null && value !== undefined && kindName(value) === 'BooleanLiteralExpression') fuzzy = literal(value) === true;
    else if (name !== 'kind' || value?.SimpleName !== 'outer') unsupported(`the union parameter '${name}'`, parameter);
  }
  const columns = outputColumns(node);
  const parts: Table[] = input === null ? [] : [input];
  for (const operand of listElements(node.Expressions)) {
    const symbol = operand.ReferencedSymbol;
    if (kindName(operand) === 'NameReference' && (symbol === null || symbol === undefined)) {
      if (fuzzy) continue;
      throw new KqlError('SemanticError', `Failed to resolve table expression named '${operand.SimpleName ?? ''}'`, operand.TextStart);
    }
    parts.push(evaluateTable(operand, scope));
  }
  const rows: Row[] = [];
  for (const part of parts) {
    for (const row of part.rows) {
      const result: Row = {};
      for (const column of columns) result[column.name] = row[column.name] ?? null;
      if (row[INGESTION_TIME] !== undefined) result[INGESTION_TIME] = row[INGESTION_TIME];
      rows.push(result);
    }
  }
  return { columns, rows };
}

function applyOperator(operator: SyntaxElement, input: Table, scope: Scope): Table {
  const kind = kindName(operator);
  switch (kind) {
    case 'FilterOperator': {
      const condition = compileScalar(required(operator.Condition, operator), scope);
      return { columns: input.columns, rows: input.rows.filter((row) => condition(row) === true) };
    }
    case 'ProjectOperator':
      return project(operator, input, scope);
    case 'ExtendOperator':
      return extend(operator, input, scope);
    case 'ProjectAwayOperator':
    case 'ProjectKeepOperator':
    case 'ProjectReorderOperator':
      return reshape(operator, input, new Map());
    case 'ProjectRenameOperator':
      return projectRename(operator, input);
    case 'SummarizeOperator':
      return summarize(operator, input, scope);
    case 'SortOperator':
      return { columns: input.columns, rows: sortRows(input.rows, orderings(listElements(operator.Expressions), scope)) };
    case 'TakeOperator':
      return { columns: input.columns, rows: input.rows.slice(0, constantCount(operator.Expression, scope, operator)) };
    case 'TopOperator': {
      const count = constantCount(operator.Expression, scope, operator);
      const sorted = sortRows(input.rows, orderings([required(operator.ByExpression, operator)], scope));
      return { columns: input.columns, rows: sorted.slice(0, count) };
    }
    case 'DistinctOperator':
      return distinct(operator, input, scope);
    case 'CountOperator': {
      const [column] = outputColumns(operator);
      return { columns: outputColumns(operator), rows: [{ [column?.name ?? 'Count']: input.rows.length }] };
    }
    case 'UnionOperator':
      return union(operator, input, scope);
    default:
      return unsupported(`the '${operatorWord(operator)}' operator`, operator);
  }
}

function operatorWord(operator: SyntaxElement): string {
  const first = operator.GetChild(0);
  return first !== null && first.IsToken && typeof first.Text === 'string' ? first.Text : kindName(operator).replace(/Operator$/, '');
}

/** Evaluates a tabular expression (a table name, a pipe, a union, a tabular let). */
export function evaluateTable(node: SyntaxElement, scope: Scope): Table {
  const kind = kindName(node);
  switch (kind) {
    case 'PipeExpression':
      return applyOperator(required(node.Operator, node), evaluateTable(required(node.Expression, node), scope), scope);
    case 'ParenthesizedExpression':
      return evaluateTable(required(node.Expression, node), scope);
    case 'UnionOperator':
      return union(node, null, scope);
    case 'NameReference': {
      const symbol: KustoSymbol | null | undefined = node.ReferencedSymbol;
      const name = symbol?.Name ?? node.SimpleName ?? '';
      const symbolKind = symbol === null || symbol === undefined ? 'None' : symbolKindName(symbol);
      if (symbolKind === 'Variable') {
        const definition = scope.tables.get(name);
        if (definition !== undefined) return evaluateTable(definition, scope);
      }
      if (symbolKind === 'Table') {
        const table = scope.environment.table(name);
        if (table !== undefined) return table;
      }
      throw new KqlError('SemanticError', `Failed to resolve table expression named '${name}'`, node.TextStart);
    }
    default:
      return unsupported(`the tabular expression '${kind.replace(/(Expression|Operator)$/, '')}'`, node);
  }
}

/** Evaluates a whole query block: `let` statements, then exactly one tabular expression. */
export function evaluateQuery(root: SyntaxElement, environment: Environment): Table {
  const scope: Scope = { environment, scalars: new Map(), tables: new Map() };
  const statements = listElements(root.Statements);
  let result: Table | undefined;
  for (const statement of statements) {
    const kind = kindName(statement);
    if (kind === 'LetStatement') {
      const name = statement.Name?.SimpleName ?? '';
      const expression = required(statement.Expression, statement);
      if (isTabular(expression)) scope.tables.set(name, expression);
      else if (kindName(expression) === 'FunctionDeclaration') unsupported('user-defined functions in let', expression);
      else scope.scalars.set(name, compileScalar(expression, scope)({}));
    } else if (kind === 'ExpressionStatement') {
      if (result !== undefined) unsupported('a query with more than one result table', statement);
      const expression = required(statement.Expression, statement);
      if (!isTabular(expression)) unsupported('a query whose result is not a table', expression);
      result = evaluateTable(expression, scope);
    } else {
      unsupported(`the '${kind.replace(/Statement$/, '')}' statement`, statement);
    }
  }
  if (result === undefined) throw new KqlError('SyntaxError', 'The query has no tabular expression to evaluate.', 0);
  return result;
}
