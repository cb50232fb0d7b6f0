/**
 * Scalar values inside the engine, and their conversions.
 *
 * Inside the engine a value is: string, number (int, long, real, decimal), boolean,
 * a JSON value (dynamic), null, or for datetime and timespan a number of
 * milliseconds (fractional: Kusto counts 100 ns ticks). The static type of every
 * expression comes from the language service, so a number is never ambiguous.
 */
import type { KustoColumnType } from './language-service.js';

const millisecondsPerUnit: Record<string, number> = {
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  ms: 1, milli: 1, millis: 1, millisecond: 1, milliseconds: 1,
  microsecond: 0.001, microseconds: 0.001, tick: 0.0001, ticks: 0.0001,
};

/** Parses a timespan literal's text (`1h`, `30m`, `1.5d`, `100ms`, `1.02:03:04.5`) to milliseconds; undefined if not understood. */
export function parseTimespan(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === 'null') return null;
  const unit = /^(-?\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(trimmed);
  if (unit !== null) {
    const factor = millisecondsPerUnit[unit[2]!.toLowerCase()];
    return factor === undefined ? undefined : Number(unit[1]) * factor;
  }
  const clock = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(trimmed);
  if (clock !== null) {
    const [, minus, days, hours, minutes, seconds, fraction] = clock;
    const total = Number(days ?? 0) * 86_400_000 + Number(hours) * 3_600_000 + Number(minutes) * 60_000
      + Number(seconds ?? 0) * 1000 + (fraction === undefined ? 0 : Number(`0.${fraction}`) * 1000);
    return minus === undefined ? total : -total;
  }
  if (/^-?\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 86_400_000; // a bare number counts days
  return undefined;
}

/** Parses an ISO 8601 / Kusto datetime text to milliseconds since the epoch (UTC unless an offset is given); undefined if not a datetime. */
export function parseDatetime(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (trimmed === 'null') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  let milliseconds = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0));
  if (fraction !== undefined) milliseconds += Math.round(Number(`0.${fraction}`) * 1e7) / 1e4;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    milliseconds -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** Splits a datetime into whole seconds and 100 ns ticks. A double holds today's datetimes to about a microsecond, so the last tick digit may be rounded. */
function fractionDigits(milliseconds: number): { whole: number; ticks: number } {
  let whole = Math.floor(milliseconds / 1000) * 1000;
  let ticks = Math.round((milliseconds - whole) * 10_000);
  if (ticks >= 10_000_000) {
    whole += 1000;
    ticks -= 10_000_000;
  }
  return { whole, ticks };
}

/** A datetime as Log Analytics writes it in a result: `2026-11-12T07:47:07.266Z`, whole seconds without a fraction, 7 digits when finer than a millisecond. */
export function formatDatetime(milliseconds: number): string {
  const { whole, ticks } = fractionDigits(milliseconds);
  const base = new Date(whole).toISOString().slice(0, 19);
  if (ticks === 0) return `${base}Z`;
  if (ticks % 10_000 === 0) return `${base}.${pad(ticks / 10_000, 3)}Z`;
  return `${base}.${pad(ticks, 7)}Z`;
}

/** A datetime as Kusto's tostring() writes it: `2026-11-12T14:00:00Z`, or with 7 fraction digits. */
export function datetimeToString(milliseconds: number): string {
  const { whole, ticks } = fractionDigits(milliseconds);
  const base = new Date(whole).toISOString().slice(0, 19);
  return ticks === 0 ? `${base}Z` : `${base}.${pad(ticks, 7)}Z`;
}

/** A timespan as Kusto writes it: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespan(milliseconds: number): string {
  const negative = milliseconds < 0;
  let ticks = Math.round(Math.abs(milliseconds) * 10_000);
  const days = Math.floor(ticks / 864_000_000_000);
  ticks -= days * 864_000_000_000;
  const hours = Math.floor(ticks / 36_000_000_000);
  ticks -= hours * 36_000_000_000;
  const minutes = Math.floor(ticks / 600_000_000);
  ticks -= minutes * 600_000_000;
  const seconds = Math.floor(ticks / 10_000_000);
  ticks -= seconds * 10_000_000;
  return `${negative ? '-' : ''}${days > 0 ? `${days}.` : ''}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${ticks > 0 ? `.${pad(ticks, 7)}` : ''}`;
}

/** Kusto's tostring() of a value of the given static type. Null becomes the empty string. */
export function valueToString(value: unknown, type: string): string {
  if (value === null || value === undefined) return '';
  if (type === 'datetime' && typeof value === 'number') return datetimeToString(value);
  if (type === 'timespan' && typeof value === 'number') return formatTimespan(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Reads a table cell into the engine's form for its declared type; malformed cells become null as Kusto ingestion would leave them. */
export function fromCell(value: unknown, type: KustoColumnType): unknown {
  if (value === undefined || value === null) return type === 'string' ? '' : null;
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : valueToString(value, 'dynamic');
    case 'guid':
      return typeof value === 'string' ? value : null;
    case 'datetime':
      if (typeof value === 'string') return parseDatetime(value) ?? null;
      if (value instanceof Date) return value.getTime();
      return null;
    case 'timespan':
      if (typeof value === 'string') return parseTimespan(value) ?? null;
      return typeof value === 'number' ? value : null;
    case 'int':
    case 'long':
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
      return null;
    case 'real':
    case 'decimal':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      return null;
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'True' || value === 1) return true;
      if (value === 'false' || value === 'False' || value === 0) return false;
      return null;
    case 'dynamic':
      return value;
  }
}

/** Writes an engine value as Log Analytics sends it: datetimes as ISO strings, timespans as `hh:mm:ss`, dynamic as JSON values. */
export function toCell(value: unknown, type: KustoColumnType): unknown {
  if (value === undefined || value === null) return null;
  if (type === 'datetime' && typeof value === 'number') return formatDatetime(value);
  if (type === 'timespan' && typeof value === 'number') return formatTimespan(value);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** Maps a language-service type name (`long`, `dynamic`, `unknown`...) to a result column type. */
export function columnType(typeName: string): KustoColumnType {
  switch (typeName) {
    case 'bool': case 'datetime': case 'int': case 'long': case 'real': case 'string': case 'guid': case 'timespan': case 'decimal':
      return typeName;
    default:
      return typeName.startsWith('dynamic') ? 'dynamic' : 'string';
  }
}

function isTermCharacter(character: string | undefined): boolean {
  return character !== undefined && /[\p{L}\p{N}]/u.test(character);
}

/**
 * Kusto's `has`: the needle occurs as whole terms. A term is a run of letters and
 * digits, so `192.168.10.52` does not have `192.168.10.5`, and `a-b` has `b`.
 */
export function hasTerm(haystack: string, needle: string, caseSensitive: boolean): boolean {
  if (needle === '') return true;
  const text = caseSensitive ? haystack : haystack.toLowerCase();
  const term = caseSensitive ? needle : needle.toLowerCase();
  const startsWithTerm = isTermCharacter(term[0]);
  const endsWithTerm = isTermCharacter(term[term.length - 1]);
  for (let index = text.indexOf(term); index >= 0; index = text.indexOf(term, index + 1)) {
    const before = startsWithTerm ? text[index - 1] : undefined;
    const after = endsWithTerm ? text[index + term.length] : undefined;
    if (!isTermCharacter(before) && !isTermCharacter(after)) return true;
  }
  return false;
}

/** Kusto's `hasprefix`/`hassuffix`: a term starts (ends) with the needle. */
export function hasTermAffix(haystack: string, needle: string, caseSensitive: boolean, prefix: boolean): boolean {
  if (needle === '') return true;
  const text = caseSensitive ? haystack : haystack.toLowerCase();
  const term = caseSensitive ? needle : needle.toLowerCase();
  for (let index = text.indexOf(term); index >= 0; index = text.indexOf(term, index + 1)) {
    const boundary = prefix ? text[index - 1] : text[index + term.length];
    if (!isTermCharacter(boundary) || !isTermCharacter(prefix ? term[0] : term[term.length - 1])) return true;
  }
  return false;
}

/** Equality as Kusto's `==` evaluates it: null on either side gives null (false in a filter). */
export function valuesEqual(left: unknown, right: unknown): boolean | null {
  if (left === null || left === undefined || right === null || right === undefined) return null;
  if (typeof left === typeof right && typeof left !== 'object') return left === right;
  if (typeof left === 'object' || typeof right === 'object') return JSON.stringify(left) === JSON.stringify(right);
  if (typeof left === 'number' && typeof right === 'string') return right.trim() !== '' && Number(right) === left;
  if (typeof left === 'string' && typeof right === 'number') return left.trim() !== '' && Number(left) === right;
  return String(left) === String(right);
}

/** Ordering for comparisons and sort: a negative, zero or positive number; null when either side is null or the kinds differ. */
export function compareValues(left: unknown, right: unknown): number | null {
  if (left === null || left === undefined || right === null || right === undefined) return null;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  if (typeof left === 'number' && typeof right === 'string' && right.trim() !== '' && !Number.isNaN(Number(right))) return left - Number(right);
  if (typeof left === 'string' && typeof right === 'number' && left.trim() !== '' && !Number.isNaN(Number(left))) return Number(left) - right;
  return null;
}
