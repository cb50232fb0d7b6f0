/**
 * Wall-clock arithmetic in time zones. IANA zones go through Intl (Node 20 ships
 * full ICU), so daylight saving time comes from the tz database, never from
 * hand-written offsets. A fixed offset ("UTC+2") is the one thing computed here.
 */

/** A time zone: an IANA name, or a fixed offset the question spelled out. */
export interface Zone {
  /** The IANA name (`Europe/Berlin`, `UTC`) or the offset as `+02:00`. */
  id: string;
  /** Minutes east of UTC for a fixed offset; null for an IANA zone. */
  fixedOffsetInMinutes: number | null;
}

/** Coordinated Universal Time. */
export const UTC_ZONE: Zone = { id: 'UTC', fixedOffsetInMinutes: 0 };

/** A calendar date. */
export interface CalendarDate { year: number; month: number; day: number }

/** A wall-clock reading: a calendar date and a time of day. */
export interface WallClock extends CalendarDate { hour: number; minute: number; second: number }

const MINUTE_IN_MS = 60_000;
const DAY_IN_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zoneId: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zoneId);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zoneId, hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zoneId, formatter);
  }
  return formatter;
}

/**
 * Answers of `ianaZone` by name: the parser asks about many ordinary words of every question, and
 * each miss costs Intl a formatter and a RangeError. Bounded, as questions are user text.
 */
const zoneAnswers = new Map<string, Zone | null>();
const MAXIMUM_ZONE_ANSWERS = 2_048;

/** The zone an IANA name denotes (case-insensitive, canonicalised), or null when Intl does not know it. */
export function ianaZone(name: string): Zone | null {
  // Intl throws a RangeError for an unknown zone; test the shape first so ordinary words cost nothing.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/.test(name) || name.length > 40) return null;
  const known = zoneAnswers.get(name);
  if (known !== undefined) return known;
  let zone: Zone | null;
  try {
    const id = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    zone = Object.freeze({ id, fixedOffsetInMinutes: id === 'UTC' ? 0 : null });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    zone = null;
  }
  if (zoneAnswers.size >= MAXIMUM_ZONE_ANSWERS) zoneAnswers.clear();
  zoneAnswers.set(name, zone);
  return zone;
}

/** A fixed offset zone, `+02:00` style, or null outside UTC-14..UTC+14. */
export function fixedZone(offsetInMinutes: number): Zone | null {
  if (!Number.isInteger(offsetInMinutes) || Math.abs(offsetInMinutes) > 14 * 60) return null;
  if (offsetInMinutes === 0) return UTC_ZONE;
  const sign = offsetInMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetInMinutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, '0');
  const minutes = String(absolute % 60).padStart(2, '0');
  return { id: `${sign}${hours}:${minutes}`, fixedOffsetInMinutes: offsetInMinutes };
}

/** The wall clock in `zone` at `instantInMs`. */
export function wallClockAt(instantInMs: number, zone: Zone): WallClock {
  if (zone.fixedOffsetInMinutes !== null) {
    const shifted = new Date(instantInMs + zone.fixedOffsetInMinutes * MINUTE_IN_MS);
    return {
      year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(), minute: shifted.getUTCMinutes(), second: shifted.getUTCSeconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone.id).formatToParts(new Date(instantInMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1,
    // Some ICU versions print midnight as 24 even with h23.
    hour: (parts.hour ?? 0) % 24, minute: parts.minute ?? 0, second: parts.second ?? 0,
  };
}

function wallAsUtc(wall: WallClock): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** Milliseconds `zone` is ahead of UTC at `instantInMs`. */
export function offsetInMs(instantInMs: number, zone: Zone): number {
  if (zone.fixedOffsetInMinutes !== null) return zone.fixedOffsetInMinutes * MINUTE_IN_MS;
  const wholeSeconds = Math.floor(instantInMs / 1000) * 1000;
  return wallAsUtc(wallClockAt(wholeSeconds, zone)) - wholeSeconds;
}

/**
 * The instant a wall-clock reading in `zone` denotes. Like Temporal's `compatible`
 * disambiguation: a reading that occurs twice (the clock falls back) is the earlier
 * instant; a reading that does not exist (the clock springs forward) moves forward by the gap.
 */
export function instantOf(wall: WallClock, zone: Zone): number {
  const asUtc = wallAsUtc(wall);
  if (zone.fixedOffsetInMinutes !== null) return asUtc - zone.fixedOffsetInMinutes * MINUTE_IN_MS;
  const offsetBefore = offsetInMs(asUtc - DAY_IN_MS, zone);
  const offsetAfter = offsetInMs(asUtc + DAY_IN_MS, zone);
  const valid = [asUtc - offsetBefore, asUtc - offsetAfter].filter((candidate) => offsetInMs(candidate, zone) === asUtc - candidate);
  if (valid.length > 0) return Math.min(...valid);
  return asUtc - offsetBefore;
}

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Day of the week of a calendar date, 0 = Sunday. */
export function weekdayOf(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** True when the date exists in the Gregorian calendar (no 31 April). */
export function isValidDate(date: CalendarDate): boolean {
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.year < 1970 || date.year > 9999) return false;
  const shifted = addDays(date, 0);
  return shifted.month === date.month && shifted.day === date.day;
}

/** The instant a calendar date starts in `zone` (00:00, or the first minute that exists). */
export function startOfDay(date: CalendarDate, zone: Zone): number {
  return instantOf({ ...date, hour: 0, minute: 0, second: 0 }, zone);
}
