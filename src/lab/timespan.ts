/** Log Analytics `timespan`: an ISO 8601 duration (ending now) or an interval `start/end`, `start/duration`, `duration/end`. */

/** Parses an ISO 8601 duration (`PT1H`, `P1DT2H30M`, `P2W`) into milliseconds; undefined when it is not one. */
export function parseDurationInMs(text: string): number | undefined {
  const match = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!match || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [, weeks, days, hours, minutes, seconds] = match;
  const value = (part: string | undefined, unitInMs: number): number => (part ? Number(part) * unitInMs : 0);
  return value(weeks, 604_800_000) + value(days, 86_400_000) + value(hours, 3_600_000) + value(minutes, 60_000) + value(seconds, 1000);
}

function parseInstant(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return undefined;
  const time = Date.parse(text.trim());
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** The interval a timespan names, relative to `now`; undefined when the text is not a timespan. */
export function parseTimespan(text: string, now: Date): { start: Date; end: Date } | undefined {
  const parts = text.split('/');
  if (parts.length === 1) {
    const duration = parseDurationInMs(text);
    return duration === undefined ? undefined : { start: new Date(now.getTime() - duration), end: now };
  }
  if (parts.length !== 2) return undefined;
  const [first = '', second = ''] = parts;
  const start = parseInstant(first);
  const end = parseInstant(second);
  if (start && end) return start <= end ? { start, end } : undefined;
  if (start) {
    const duration = parseDurationInMs(second);
    return duration === undefined ? undefined : { start, end: new Date(start.getTime() + duration) };
  }
  if (end) {
    const duration = parseDurationInMs(first);
    return duration === undefined ? undefined : { start: new Date(end.getTime() - duration), end };
  }
  return undefined;
}
