/**
 * The scalar and aggregate functions the lab evaluates, by the name the language
 * service resolved the call to. A function missing here is refused (KqlError),
 * never approximated.
 */
import { ipv4PrefixContains, parseIpv4 } from '../../domain/net.js';
import { compareValues, fromCell, parseDatetime, parseTimespan, toCell, valueToString, columnType } from './values.js';

/** What a scalar function sees: its evaluated arguments with their static types, and the clock. */
export interface CallContext {
  args: unknown[];
  types: string[];
  now: number;
  ingestionTime: number | null;
}

type ScalarFunction = (call: CallContext) => unknown;

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function asString(call: CallContext, index: number): string {
  return valueToString(call.args[index], call.types[index] ?? 'string');
}

function toInteger(value: unknown, type: string): number | null {
  if (value === null || value === undefined) return null;
  if (type === 'datetime' || type === 'timespan') return typeof value === 'number' ? Math.round(value * 10_000) : null;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : null;
  }
  return null;
}

function toReal(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return null;
}

/** What Kusto's ipv4_is_private calls private: RFC 1918 alone. */
const KUSTO_PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

function isPrivateIpv4(address: string): boolean | null {
  if (parseIpv4(address.trim()) === null) return null;
  return KUSTO_PRIVATE_RANGES.some((range) => ipv4PrefixContains(range, address) === true);
}

function bin(value: unknown, size: unknown): unknown {
  if (typeof value !== 'number' || typeof size !== 'number' || size <= 0) return null;
  return Math.floor(value / size) * size;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Converts a typed value to a JSON value for a dynamic context (make_set, pack_array...). */
export function toDynamic(value: unknown, type: string): unknown {
  return toCell(value, columnType(type));
}

const scalarFunctions: Record<string, ScalarFunction> = {
  ago: ({ args, now }) => (typeof args[0] === 'number' ? now - args[0] : null),
  now: ({ args, now }) => now + (typeof args[0] === 'number' ? args[0] : 0),
  ingestion_time: ({ ingestionTime }) => ingestionTime,
  not: ({ args }) => (typeof args[0] === 'boolean' ? !args[0] : null),
  isempty: ({ args }) => isEmpty(args[0]),
  isnotempty: ({ args }) => !isEmpty(args[0]),
  isnull: ({ args }) => args[0] === null || args[0] === undefined,
  isnotnull: ({ args }) => args[0] !== null && args[0] !== undefined,
  tostring: (call) => asString(call, 0),
  toint: ({ args, types }) => toInteger(args[0], types[0] ?? 'string'),
  tolong: ({ args, types }) => toInteger(args[0], types[0] ?? 'string'),
  toreal: ({ args }) => toReal(args[0]),
  todouble: ({ args }) => toReal(args[0]),
  todecimal: ({ args }) => toReal(args[0]),
  tobool: ({ args }) => fromCell(args[0], 'bool'),
  toboolean: ({ args }) => fromCell(args[0], 'bool'),
  todatetime: ({ args, types }) => (types[0] === 'datetime' ? args[0] ?? null : typeof args[0] === 'string' ? parseDatetime(args[0]) ?? null : null),
  totimespan: ({ args, types }) => (types[0] === 'timespan' ? args[0] ?? null : typeof args[0] === 'string' ? parseTimespan(args[0]) ?? null : null),
  todynamic: ({ args }) => parseJson(args[0]),
  parse_json: ({ args }) => parseJson(args[0]),
  tolower: (call) => asString(call, 0).toLowerCase(),
  toupper: (call) => asString(call, 0).toUpperCase(),
  strcat: (call) => call.args.map((_, index) => asString(call, index)).join(''),
  strlen: (call) => [...asString(call, 0)].length,
  substring: (call) => {
    const characters = [...asString(call, 0)];
    const start = Math.max(0, toInteger(call.args[1], 'long') ?? 0);
    const length = call.args.length > 2 ? toInteger(call.args[2], 'long') : null;
    return characters.slice(start, length === null ? undefined : start + Math.max(0, length)).join('');
  },
  indexof: (call) => asString(call, 0).indexOf(asString(call, 1)),
  split: (call) => {
    const parts = asString(call, 0).split(asString(call, 1));
    if (call.args.length < 3) return parts;
    const index = toInteger(call.args[2], 'long');
    return index === null || index < 0 || index >= parts.length ? [] : [parts[index]];
  },
  replace_string: (call) => asString(call, 0).split(asString(call, 1)).join(asString(call, 2)),
  bin: ({ args }) => bin(args[0], args[1]),
  floor: ({ args }) => bin(args[0], args[1]),
  iff: ({ args }) => (args[0] === true ? args[1] : args[2]) ?? null,
  iif: ({ args }) => (args[0] === true ? args[1] : args[2]) ?? null,
  case: ({ args }) => {
    for (let index = 0; index + 1 < args.length; index += 2) if (args[index] === true) return args[index + 1] ?? null;
    return args[args.length - 1] ?? null;
  },
  coalesce: ({ args }) => args.find((value) => !isEmpty(value)) ?? args[args.length - 1] ?? null,
  ipv4_is_in_range: (call) => ipv4PrefixContains(asString(call, 1), asString(call, 0)),
  ipv4_is_private: (call) => isPrivateIpv4(asString(call, 0)),
  array_length: ({ args }) => (Array.isArray(args[0]) ? args[0].length : null),
  abs: ({ args }) => (typeof args[0] === 'number' ? Math.abs(args[0]) : null),
  round: ({ args }) => {
    if (typeof args[0] !== 'number') return null;
    const factor = 10 ** (typeof args[1] === 'number' ? args[1] : 0);
    return Math.round(args[0] * factor) / factor;
  },
  min_of: ({ args }) => args.reduce((best, value) => (best === null || (compareValues(value, best) ?? 0) < 0 ? value : best), null),
  max_of: ({ args }) => args.reduce((best, value) => (best === null || (compareValues(value, best) ?? 0) > 0 ? value : best), null),
  pack_array: ({ args, types }) => args.map((value, index) => toDynamic(value, types[index] ?? 'dynamic')),
};

/** The scalar function of that name, or undefined when the lab does not evaluate it. */
export function scalarFunction(name: string): ScalarFunction | undefined {
  return Object.hasOwn(scalarFunctions, name) ? scalarFunctions[name] : undefined;
}

/** One group's state for one aggregate call. */
export interface Accumulator {
  add(args: unknown[], row: Record<string | symbol, unknown>): void;
  result(): unknown;
}

/** Builds a fresh accumulator; `types` are the static types of the arguments. */
type AggregateFactory = (types: string[], argumentCount: number) => Accumulator;

function distinctKey(value: unknown): string {
  return typeof value === 'string' ? `s${value}` : `j${JSON.stringify(value)}`;
}

function collect(types: string[], onlyDistinct: boolean, conditional: boolean): Accumulator {
  const values: unknown[] = [];
  const seen = new Set<string>();
  let limit = Number.POSITIVE_INFINITY;
  return {
    add(args) {
      if (conditional && args[1] !== true) return;
      const limitArgument = conditional ? args[2] : args[1];
      if (typeof limitArgument === 'number') limit = limitArgument;
      const value = args[0];
      if (value === null || value === undefined || values.length >= limit) return;
      const items = Array.isArray(value) && types[0]?.startsWith('dynamic') && onlyDistinct ? value : [value];
      for (const item of items) {
        const json = toDynamic(item, types[0] ?? 'dynamic');
        if (onlyDistinct) {
          const key = distinctKey(json);
          if (seen.has(key)) continue;
          seen.add(key);
        }
        if (values.length < limit) values.push(json);
      }
    },
    result: () => values,
  };
}

function extreme(sign: 1 | -1, conditional: boolean): Accumulator {
  let best: unknown = null;
  return {
    add(args) {
      if (conditional && args[1] !== true) return;
      const value = args[0];
      if (value === null || value === undefined) return;
      if (best === null || (compareValues(value, best) ?? 0) * sign > 0) best = value;
    },
    result: () => best,
  };
}

function total(conditional: boolean, average: boolean): Accumulator {
  let sum = 0;
  let count = 0;
  return {
    add(args) {
      if (conditional && args[1] !== true) return;
      if (typeof args[0] !== 'number') return;
      sum += args[0];
      count += 1;
    },
    result: () => (count === 0 ? null : average ? sum / count : sum),
  };
}

function argExtreme(sign: 1 | -1): Accumulator {
  let best: unknown = null;
  let bestArgs: unknown[] | null = null;
  let bestRow: Record<string | symbol, unknown> | null = null;
  return {
    add(args, row) {
      const value = args[0];
      if (value === null || value === undefined) return;
      if (bestArgs === null || (compareValues(value, best) ?? 0) * sign > 0) {
        best = value;
        bestArgs = args;
        bestRow = row;
      }
    },
    result: () => ({ args: bestArgs, row: bestRow }),
  };
}

const aggregates: Record<string, AggregateFactory> = {
  count: () => {
    let count = 0;
    return { add: () => { count += 1; }, result: () => count };
  },
  countif: () => {
    let count = 0;
    return { add: (args) => { if (args[0] === true) count += 1; }, result: () => count };
  },
  dcount: () => {
    const seen = new Set<string>();
    return { add: (args) => { if (args[0] !== null && args[0] !== undefined) seen.add(distinctKey(args[0])); }, result: () => seen.size };
  },
  dcountif: () => {
    const seen = new Set<string>();
    return { add: (args) => { if (args[1] === true && args[0] !== null && args[0] !== undefined) seen.add(distinctKey(args[0])); }, result: () => seen.size };
  },
  sum: () => total(false, false),
  sumif: () => total(true, false),
  avg: () => total(false, true),
  avgif: () => total(true, true),
  min: () => extreme(-1, false),
  max: () => extreme(1, false),
  minif: () => extreme(-1, true),
  maxif: () => extreme(1, true),
  make_set: (types) => collect(types, true, false),
  make_set_if: (types) => collect(types, true, true),
  make_list: (types) => collect(types, false, false),
  make_list_if: (types) => collect(types, false, true),
  take_any: () => {
    let value: unknown = null;
    let taken = false;
    return { add: (args) => { if (!taken) { value = args[0]; taken = true; } }, result: () => value };
  },
  arg_max: () => argExtreme(1),
  arg_min: () => argExtreme(-1),
};
aggregates.any = aggregates.take_any!;

/** The aggregate of that name, or undefined when the lab does not evaluate it. */
export function aggregateFunction(name: string): AggregateFactory | undefined {
  return Object.hasOwn(aggregates, name) ? aggregates[name] : undefined;
}

/** True for arg_max/arg_min, whose result spreads over several columns. */
export function isArgExtreme(name: string): boolean {
  return name === 'arg_max' || name === 'arg_min';
}
