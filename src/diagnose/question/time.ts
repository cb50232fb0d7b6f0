/**
 * Time expressions of a question -> a window of instants, always relative to the
 * injected `now`, in the zone the question names (else the configured one).
 *
 * Choices, documented here because they are choices:
 * - A point in time ("at 09:15", "yesterday at 14:00", "20 minutes ago") is a window of
 *   POINT_MARGIN_IN_MINUTES (15) either side of it.
 * - A time of day without a date is today, unless that is after `now`: then yesterday
 *   ("at 23:00" asked at 01:00 means last night).
 * - A range whose end is before its start crosses midnight ("between 23:00 and 01:00"), unless the end
 *   and the start have dates of their own and they differ: then it ends on its date ("from Monday 09:00 to
 *   Wednesday 17:00"), or, when that is before the start, the range is read the other way round. A range
 *   that ends at the instant it starts is a point in time.
 * - Parts of a day: morning 00:00-12:00, afternoon 12:00-18:00, evening 18:00-24:00,
 *   night 18:00-06:00 the next day ("last night" = yesterday 18:00 to today 06:00).
 *   Wide on purpose: a window too wide costs a slower query, one too narrow misses the evidence.
 * - "until 09:00" is the default window length ending then.
 * - Abbreviations name a region's civil time, as Windows time zone ids do
 *   ("Eastern Standard Time" observes DST): EST and EDT are America/New_York, CET and CEST
 *   Europe/Berlin, and so on. A fixed offset must be spelled "UTC+2" / "GMT-05:00".
 *   Upper-case abbreviations count anywhere; lower-case ones only right after a time.
 * - A window never ends after `now`; one that starts at or after `now` is asked about.
 */
import {
  addDays, fixedZone, ianaZone, instantOf, isValidDate, startOfDay, UTC_ZONE, wallClockAt, weekdayOf,
  type CalendarDate, type Zone,
} from './zoned.js';

/** Minutes either side of a point in time. */
export const POINT_MARGIN_IN_MINUTES = 15;

const MINUTE_IN_MS = 60_000;
const HOUR_IN_MS = 60 * MINUTE_IN_MS;
const DAY_IN_MS = 24 * HOUR_IN_MS;

/** How many plain words may stand between "since" and its time ("since it was redeployed at about 08:00"). */
const SINCE_REACH = 5;
/** Words that lead a time after "since": "since about 08:00", "since the 07:15 release". */
const SINCE_LEADS = ['at', 'about', 'around', 'approximately', 'approx', 'roughly', 'the', '~'];
/** Words that end the look-ahead after "since": a new clause. */
const SINCE_STOPS = new Set(['and', 'but', 'or', 'between', 'from', 'until', 'till', 'before', 'yesterday', 'today', 'since']);

/** Abbreviations and the region whose civil time they name. */
const ZONE_ABBREVIATIONS: Record<string, string> = {
  utc: 'UTC', gmt: 'UTC', z: 'UTC',
  cet: 'Europe/Berlin', cest: 'Europe/Berlin', met: 'Europe/Berlin', mest: 'Europe/Berlin',
  wet: 'Europe/Lisbon', west: 'Europe/Lisbon', eet: 'Europe/Athens', eest: 'Europe/Athens',
  bst: 'Europe/London',
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago',
  mst: 'America/Denver', mdt: 'America/Denver', mt: 'America/Denver',
  pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles',
  aest: 'Australia/Sydney', aedt: 'Australia/Sydney', jst: 'Asia/Tokyo', sgt: 'Asia/Singapore',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_PATTERN = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
// Full names only: "sun", "sat", "wed" are too often something else.
const WEEKDAY_PATTERN = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday';
const COUNT_WORDS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, 'forty-five': 45, 'forty five': 45, sixty: 60, ninety: 90,
  'a couple of': 2, 'couple of': 2, 'a few': 3, few: 3,
};
const COUNT_WORD_PATTERN = 'a couple of|couple of|a few|few|forty-five|forty five|an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|sixty|ninety';
const WORD_UNIT_PATTERN = 'minutes?|mins?|hours?|hrs?|days?|weeks?|wks?';
const UNIT_PATTERN = `${WORD_UNIT_PATTERN}|h|d|m`;
/** "2 hours", "90min", "2h", "an hour"; one-letter units only after digits ("and" is not "an d"). */
const DURATION_PATTERN = `\\d{1,4}\\s*-?\\s*(?:${UNIT_PATTERN})|(?:${COUNT_WORD_PATTERN})\\s+-?\\s*(?:${WORD_UNIT_PATTERN})`;

const ATOM_PATTERN = new RegExp([
  `(?<iso>\\b\\d{4}-\\d{2}-\\d{2})(?:t(?=\\d))?`,
  `(?<dm>\\b\\d{1,2})(?:st|nd|rd|th)?\\s+(?<dmMonth>${MONTH_PATTERN})\\b\\.?(?:,?\\s+(?<dmYear>\\d{4})\\b)?`,
  `\\b(?<md>${MONTH_PATTERN})\\.?\\s+(?<mdDay>\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s+(?<mdYear>\\d{4})\\b)?`,
  `(?<tod>(?:\\b|(?<=\\d{2}t))\\d{1,2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:\\s*[ap]\\.?m\\b\\.?)?)`,
  `(?<ampm>\\b\\d{1,2}\\s*[ap]\\.?m\\b\\.?)`,
  `(?<duration>\\b(?:${DURATION_PATTERN})\\b)`,
  `(?<num>\\b\\d{1,2}\\b)`,
  `(?<offset>\\b(?:utc|gmt)\\s*[+-]\\s*\\d{1,2}(?::?\\d{2})?\\b)`,
  `(?<zulu>(?<=\\d)z\\b)`,
  `(?<word>[a-z]+(?:\\/[a-z_]+){0,2}|-+>?|[–~@→]|\\u0001+|\\S)`,
].join('|'), 'giu');

/** A date as the question wrote it, resolved against `now` later. */
type DateSpec =
  | { kind: 'calendar'; month: number; day: number; year: number | null }
  | { kind: 'daysBack'; days: number }
  | { kind: 'weekday'; weekday: number; last: boolean };

interface TimeOfDay { hour: number; minute: number; second: number }

type Atom = { start: number; end: number } & (
  | { type: 'date'; date: DateSpec }
  | { type: 'tod'; tod: TimeOfDay }
  | { type: 'num'; value: number }
  | { type: 'zone'; zone: Zone; attachedOnly: boolean }
  | { type: 'duration'; ms: number }
  | { type: 'invalid'; text: string }
  | { type: 'word'; word: string }
);

interface Point { date: DateSpec | null; tod: TimeOfDay | null; zone: Zone | null }

type Expression = { start: number; end: number } & (
  | { kind: 'range'; from: Point; to: Point }
  | { kind: 'since'; at: Point }
  | { kind: 'until'; at: Point }
  | { kind: 'point'; at: Point }
  | { kind: 'relative'; ms: number }
  | { kind: 'ago'; ms: number }
  | { kind: 'part'; date: DateSpec | null; part: 'morning' | 'afternoon' | 'evening' | 'night'; since?: boolean }
  | { kind: 'now' }
);

/** What the time expressions of a question mean. */
export type TimeResult =
  | {
    kind: 'window';
    start: string;
    end: string;
    /** False when no time was given and the default window applies. */
    explicit: boolean;
    /** The zone wall-clock times were read in. */
    zone: Zone;
    /** Parts of the text the expressions used (positions in the text given). */
    spans: Array<{ start: number; end: number }>;
    assumptions: string[];
  }
  | { kind: 'clarify'; code: string; message: string; candidates: string[]; spans: Array<{ start: number; end: number }> };

/** What resolving a time needs from the conversation. */
export interface TimeContext {
  nowInMs: number;
  /** The zone of the configuration or the Teams client; null for UTC. */
  zone: Zone;
  defaultWindowInMinutes: number;
}

function toDuration(count: string, unit: string): number {
  const amount = /^\d/.test(count) ? Number(count) : (COUNT_WORDS[count.replace(/\s+/g, ' ')] ?? 1);
  const unitInMs = unit.startsWith('w') ? 7 * DAY_IN_MS
    : unit.startsWith('d') ? DAY_IN_MS
      : unit.startsWith('h') ? HOUR_IN_MS
        : MINUTE_IN_MS;
  return amount * unitInMs;
}

function monthNumber(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3)) + 1;
}

function readTimeOfDay(text: string): TimeOfDay | null {
  const match = /^(\d{1,2})(?::(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(?:([ap])\.?m\.?)?$/.exec(text.trim());
  if (!match) return null;
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? '0');
  const second = Number(match[3] ?? '0');
  const meridiem = match[4];
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'p' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

/** Splits the (lower-cased, masked) text into the atoms time expressions are made of. */
function atomsOf(lower: string, original: string): Atom[] {
  const atoms: Atom[] = [];
  for (const match of lower.matchAll(ATOM_PATTERN)) {
    const groups = match.groups ?? {};
    const start = match.index;
    const end = start + match[0].length;
    if (groups.iso) {
      const [year, month, day] = groups.iso.split('-').map(Number) as [number, number, number];
      atoms.push(isValidDate({ year, month, day })
        ? { type: 'date', date: { kind: 'calendar', year, month, day }, start, end }
        : { type: 'invalid', text: groups.iso, start, end });
    } else if (groups.dmMonth === 'may' && !groups.dmYear && !/\bon\s*$/u.test(lower.slice(0, start))) {
      // "port 22 may be blocked": "may" is a month only with a year or after "on".
      continue;
    } else if (groups.md === 'may' && !groups.mdYear && !/\bon\s*$/u.test(lower.slice(0, start))) {
      continue;
    } else if (groups.dm && groups.dmMonth) {
      atoms.push({ type: 'date', date: { kind: 'calendar', month: monthNumber(groups.dmMonth), day: Number(groups.dm), year: groups.dmYear ? Number(groups.dmYear) : null }, start, end });
    } else if (groups.md && groups.mdDay) {
      atoms.push({ type: 'date', date: { kind: 'calendar', month: monthNumber(groups.md), day: Number(groups.mdDay), year: groups.mdYear ? Number(groups.mdYear) : null }, start, end });
    } else if (groups.tod ?? groups.ampm) {
      const tod = readTimeOfDay((groups.tod ?? groups.ampm) as string);
      atoms.push(tod ? { type: 'tod', tod, start, end } : { type: 'invalid', text: match[0], start, end });
    } else if (groups.duration) {
      const parts = new RegExp(`^(\\d{1,4}|${COUNT_WORD_PATTERN})\\s*-?\\s*(${UNIT_PATTERN})$`, 'u').exec(groups.duration);
      if (parts?.[1] && parts[2]) atoms.push({ type: 'duration', ms: toDuration(parts[1], parts[2]), start, end });
    } else if (groups.num) {
      atoms.push({ type: 'num', value: Number(groups.num), start, end });
    } else if (groups.offset) {
      const parts = /([+-])\s*(\d{1,2})(?::?(\d{2}))?$/.exec(groups.offset);
      const zone = parts ? fixedZone((parts[1] === '-' ? -1 : 1) * (Number(parts[2]) * 60 + Number(parts[3] ?? '0'))) : null;
      atoms.push(zone ? { type: 'zone', zone, attachedOnly: false, start, end } : { type: 'invalid', text: match[0], start, end });
    } else if (groups.zulu) {
      atoms.push({ type: 'zone', zone: UTC_ZONE, attachedOnly: true, start, end });
    } else if (groups.word) {
      atoms.push(wordAtom(groups.word, original.slice(start, end), start, end));
    }
  }
  return atoms;
}

function wordAtom(word: string, originalCase: string, start: number, end: number): Atom {
  if (word === 'yesterday') return { type: 'date', date: { kind: 'daysBack', days: 1 }, start, end };
  if (word === 'today') return { type: 'date', date: { kind: 'daysBack', days: 0 }, start, end };
  if (word === 'noon' || word === 'midday') return { type: 'tod', tod: { hour: 12, minute: 0, second: 0 }, start, end };
  if (word === 'midnight') return { type: 'tod', tod: { hour: 0, minute: 0, second: 0 }, start, end };
  if (new RegExp(`^(?:${WEEKDAY_PATTERN})$`, 'u').test(word)) {
    return { type: 'date', date: { kind: 'weekday', weekday: WEEKDAYS.indexOf(word.slice(0, 3)), last: false }, start, end };
  }
  const abbreviation = ZONE_ABBREVIATIONS[word];
  if (abbreviation && word !== 'z') {
    const zone = ianaZone(abbreviation);
    // "utc"/"gmt" in any case; other abbreviations are English words too ("est", "met", "pt"), so upper case only.
    const anywhere = word === 'utc' || word === 'gmt' || originalCase === originalCase.toUpperCase();
    if (zone) return { type: 'zone', zone, attachedOnly: !anywhere, start, end };
  }
  if (word.includes('/')) {
    const zone = ianaZone(originalCase);
    if (zone) return { type: 'zone', zone, attachedOnly: false, start, end };
  }
  return { type: 'word', word, start, end };
}

/** Walks the atoms and recognises expressions, longest forms first. */
class ExpressionReader {
  readonly expressions: Expression[] = [];
  readonly globalZones: Array<{ zone: Zone; start: number; end: number }> = [];
  readonly invalid: Atom[] = [];

  constructor(private readonly atoms: Atom[]) {}

  private word(index: number, ...words: string[]): boolean {
    const atom = this.atoms[index];
    return atom?.type === 'word' && words.includes(atom.word);
  }

  /** [date] [at|,] time [zone] [[on] date] [zone], or a date alone. */
  private point(index: number, allowBareHour: boolean): { point: Point; next: number } | null {
    let cursor = index;
    let date: DateSpec | null = null;
    let tod: TimeOfDay | null = null;
    let zone: Zone | null = null;
    const atomAt = (position: number) => this.atoms[position];
    let atom = atomAt(cursor);
    if (this.word(cursor, 'last') && atomAt(cursor + 1)?.type === 'date') {
      const next = atomAt(cursor + 1);
      if (next?.type === 'date' && next.date.kind === 'weekday') {
        date = { ...next.date, last: true };
        cursor += 2;
        atom = atomAt(cursor);
      }
    } else if (atom?.type === 'date') {
      date = atom.date;
      cursor += 1;
      if (this.word(cursor, 'at', ',', 'around', 'about') && (atomAt(cursor + 1)?.type === 'tod' || atomAt(cursor + 1)?.type === 'num')) cursor += 1;
      atom = atomAt(cursor);
    }
    if (atom?.type === 'tod') {
      tod = atom.tod;
      cursor += 1;
    } else if (atom?.type === 'num' && (allowBareHour || date !== null) && atom.value <= 23) {
      tod = { hour: atom.value, minute: 0, second: 0 };
      cursor += 1;
    } else if (date === null) {
      return null;
    }
    const takeZone = () => {
      const candidate = atomAt(cursor);
      if (candidate?.type === 'zone' && zone === null && (tod !== null || !candidate.attachedOnly)) {
        zone = candidate.zone;
        cursor += 1;
      }
    };
    if (tod !== null) takeZone();
    if (date === null && tod !== null) {
      const on = this.word(cursor, 'on') ? 1 : 0;
      const candidate = atomAt(cursor + on);
      if (candidate?.type === 'date') {
        date = candidate.date;
        cursor += on + 1;
        takeZone();
      }
    }
    return { point: { date, tod, zone }, next: cursor };
  }

  /** After "since": up to SINCE_REACH plain words, then an optional "at"/"about", then a time or a part of a day. */
  private sinceLater(index: number): { expression: Expression; next: number } | null {
    const since = this.atoms[index - 1];
    if (!since) return null;
    for (let cursor = index; cursor <= index + SINCE_REACH; cursor += 1) {
      let lead = cursor;
      while (this.word(lead, ...SINCE_LEADS)) lead += 1;
      const at = this.point(lead, true);
      if (at && at.point.tod !== null) {
        return { expression: { kind: 'since', at: at.point, start: since.start, end: this.spanEnd(at.next) }, next: at.next };
      }
      const part = this.partAt(lead);
      if (part) return { expression: { ...part.expression, since: true, start: since.start }, next: part.next };
      const atom = this.atoms[cursor];
      if (atom?.type !== 'word' || !/^[a-z]+$/u.test(atom.word) || SINCE_STOPS.has(atom.word)) return null;
    }
    return null;
  }

  /** "this morning", "last night", "yesterday afternoon", "tonight" at `index`. */
  private partAt(index: number): { expression: Extract<Expression, { kind: 'part' }>; next: number } | null {
    const atom = this.atoms[index];
    if (!atom) return null;
    const partAfter = (position: number) => {
      const candidate = this.atoms[position];
      return candidate?.type === 'word' && ['morning', 'afternoon', 'evening', 'night'].includes(candidate.word)
        ? candidate.word as 'morning' | 'afternoon' | 'evening' | 'night' : null;
    };
    const start = atom.start;
    if (this.word(index, 'tonight')) return { expression: { kind: 'part', date: { kind: 'daysBack', days: 0 }, part: 'night', start, end: atom.end }, next: index + 1 };
    const part = partAfter(index + 1);
    if (!part) return null;
    const end = this.spanEnd(index + 2);
    if (this.word(index, 'this')) return { expression: { kind: 'part', date: null, part, start, end }, next: index + 2 };
    if (this.word(index, 'last') && part === 'night') return { expression: { kind: 'part', date: { kind: 'daysBack', days: 1 }, part, start, end }, next: index + 2 };
    if (atom.type === 'date') return { expression: { kind: 'part', date: atom.date, part, start, end }, next: index + 2 };
    return null;
  }

  private push(expression: Expression): void {
    this.expressions.push(expression);
  }

  private spanEnd(next: number): number {
    return this.atoms[next - 1]?.end ?? 0;
  }

  read(): void {
    let index = 0;
    while (index < this.atoms.length) {
      const next = this.readAt(index);
      index = next > index ? next : index + 1;
    }
  }

  private readAt(index: number): number {
    const atom = this.atoms[index];
    if (!atom) return index + 1;
    const start = atom.start;
    if (atom.type === 'invalid') {
      this.invalid.push(atom);
      return index + 1;
    }
    // between P and P / from P to P
    if (this.word(index, 'between', 'from')) {
      const from = this.point(index + 1, true);
      if (from && this.word(from.next, 'and', 'to', 'until', 'till', '-', '–')) {
        const to = this.point(from.next + 1, true);
        if (to && (from.point.tod !== null) === (to.point.tod !== null)) {
          this.push({ kind: 'range', from: from.point, to: to.point, start, end: this.spanEnd(to.next) });
          return to.next;
        }
      }
    }
    // since P / after P / from P / starting at P; "since about 08:00", "since the 07:15 release",
    // "since it was redeployed at about 08:00": a few plain words may stand before the time.
    if (this.word(index, 'since', 'after', 'from', 'starting')) {
      const skip = this.word(index + 1, 'at') ? 2 : 1;
      const at = this.point(index + skip, !this.word(index, 'from'));
      if (at) {
        this.push({ kind: 'since', at: at.point, start, end: this.spanEnd(at.next) });
        return at.next;
      }
      if (this.word(index, 'since')) {
        const later = this.sinceLater(index + 1);
        if (later) {
          this.push(later.expression);
          return later.next;
        }
      }
    }
    if (this.word(index, 'until', 'till', 'before')) {
      const at = this.point(index + 1, true);
      if (at && at.point.tod !== null) {
        this.push({ kind: 'until', at: at.point, start, end: this.spanEnd(at.next) });
        return at.next;
      }
    }
    // (in|over|during|within|for) (the) (last|past|previous) (duration | hour | day ...)
    {
      let cursor = index;
      if (this.word(cursor, 'in', 'over', 'during', 'within', 'for')) cursor += 1;
      if (this.word(cursor, 'the')) cursor += 1;
      const lead = cursor;
      if (this.word(cursor, 'last', 'past', 'previous')) cursor += 1;
      const amount = this.atoms[cursor];
      const hasLead = cursor > lead || this.word(index, 'for');
      if (hasLead && amount?.type === 'duration' && amount.ms > 0) {
        this.push({ kind: 'relative', ms: amount.ms, start, end: amount.end });
        return cursor + 1;
      }
      if (cursor > lead && amount?.type === 'word') {
        const unitInMs = ({ minute: MINUTE_IN_MS, hour: HOUR_IN_MS, day: DAY_IN_MS, week: 7 * DAY_IN_MS, '24h': DAY_IN_MS } as Record<string, number>)[amount.word];
        if (unitInMs) {
          this.push({ kind: 'relative', ms: unitInMs, start, end: amount.end });
          return cursor + 1;
        }
      }
    }
    // N minutes ago
    if (atom.type === 'duration' && this.word(index + 1, 'ago')) {
      this.push({ kind: 'ago', ms: atom.ms, start, end: this.spanEnd(index + 2) });
      return index + 2;
    }
    // this morning / yesterday afternoon / last night / tonight
    {
      const part = this.partAt(index);
      if (part) {
        this.push(part.expression);
        return part.next;
      }
    }
    if (this.word(index, 'now', 'currently') || (this.word(index, 'right') && this.word(index + 1, 'now'))) {
      const length = this.word(index, 'right') ? 2 : 1;
      this.push({ kind: 'now', start, end: this.spanEnd(index + length) });
      return index + length;
    }
    // P - P (both times written as times)
    {
      const from = this.point(index, false);
      if (from && from.point.tod !== null && this.word(from.next, '-', '–', 'to', 'until', 'till')) {
        const to = this.point(from.next + 1, false);
        if (to && to.point.tod !== null) {
          this.push({ kind: 'range', from: from.point, to: to.point, start, end: this.spanEnd(to.next) });
          return to.next;
        }
      }
    }
    // (at|around|on) P
    {
      const lead = this.word(index, 'at', 'around', 'about', 'approximately', 'approx', '~', '@', 'on') ? 1 : 0;
      const at = this.point(index + lead, lead === 1 && !this.word(index, 'on'));
      if (at) {
        this.push({ kind: 'point', at: at.point, start, end: this.spanEnd(at.next) });
        return at.next;
      }
    }
    if (atom.type === 'zone' && !atom.attachedOnly) {
      this.globalZones.push({ zone: atom.zone, start: atom.start, end: atom.end });
      return index + 1;
    }
    return index + 1;
  }
}

function resolveDate(spec: DateSpec, today: CalendarDate): CalendarDate | null {
  if (spec.kind === 'daysBack') return addDays(today, -spec.days);
  if (spec.kind === 'weekday') {
    const back = (weekdayOf(today) - spec.weekday + 7) % 7;
    return addDays(today, spec.last && back === 0 ? -7 : -back);
  }
  const thisYear = { year: spec.year ?? today.year, month: spec.month, day: spec.day };
  if (!isValidDate(thisYear)) return null;
  if (spec.year === null && (thisYear.month > today.month || (thisYear.month === today.month && thisYear.day > today.day))) {
    return { ...thisYear, year: thisYear.year - 1 };
  }
  return thisYear;
}

/** Finds the time expressions in `lower` (lower-cased, other entities masked) and resolves the window. */
export function readWindow(lower: string, original: string, context: TimeContext): TimeResult {
  const reader = new ExpressionReader(atomsOf(lower, original));
  reader.read();
  const spans = [
    ...reader.expressions.map(({ start, end }) => ({ start, end })),
    ...reader.globalZones.map(({ start, end }) => ({ start, end })),
  ];
  const clarify = (code: string, message: string, candidates: string[] = []): TimeResult => ({ kind: 'clarify', code, message, candidates, spans });
  const firstInvalid = reader.invalid[0];
  if (firstInvalid?.type === 'invalid') {
    return clarify('question.invalid-time', `"${firstInvalid.text}" is not a valid date or time; write times as 14:30 or 2:30pm and dates as 2026-11-12.`);
  }
  const distinctZones = [...new Set(reader.globalZones.map(({ zone }) => zone.id))];
  if (distinctZones.length > 1) {
    return clarify('question.ambiguous-time', 'The question names more than one time zone; which one do you mean?', distinctZones);
  }
  const zone = reader.globalZones[0]?.zone ?? context.zone;
  const assumptions: string[] = [];
  let expressions: Expression[] = reader.expressions.filter((expression) => expression.kind !== 'now');
  // "yesterday ... between 8 and 9": a lone date applies to the times that have none.
  const dayOnly = expressions.filter((expression) => expression.kind === 'point' && expression.at.tod === null);
  const timed = expressions.filter((expression) => !dayOnly.includes(expression));
  const dateless = (expression: Expression) =>
    (expression.kind === 'range' && !expression.from.date && !expression.to.date)
    || ((expression.kind === 'since' || expression.kind === 'until' || expression.kind === 'point') && !expression.at.date)
    || (expression.kind === 'part' && !expression.date);
  const onlyDay = dayOnly[0];
  if (dayOnly.length === 1 && onlyDay?.kind === 'point' && timed.length > 0 && timed.every(dateless)) {
    const date = onlyDay.at.date;
    expressions = timed.map((expression) => {
      if (expression.kind === 'range') return { ...expression, from: { ...expression.from, date }, to: { ...expression.to, date } };
      if (expression.kind === 'since' || expression.kind === 'until' || expression.kind === 'point') return { ...expression, at: { ...expression.at, date } };
      if (expression.kind === 'part') return { ...expression, date };
      return expression;
    });
  }
  const now = context.nowInMs;
  const textOf = (expression: Expression) => original.slice(expression.start, expression.end).trim();
  if (expressions.length > 1) {
    const precise = preciseAmong(expressions, (expression) => windowOf(expression, []));
    if (!precise) {
      return clarify('question.ambiguous-time', 'The question gives more than one time; which window do you mean?', expressions.map(textOf));
    }
    const others = expressions.filter((expression) => expression !== precise).map((expression) => `"${textOf(expression)}"`);
    assumptions.push(`took "${textOf(precise)}", the most precise of the times given (also ${others.join(', ')})`);
    expressions = [precise];
  }
  const expression = expressions[0];
  if (!expression) {
    return {
      kind: 'window', start: new Date(now - context.defaultWindowInMinutes * MINUTE_IN_MS).toISOString(), end: new Date(now).toISOString(),
      explicit: false, zone, spans, assumptions: [`no time given: the last ${context.defaultWindowInMinutes} minutes`],
    };
  }
  const { start, end: rawEnd } = windowOf(expression, assumptions);
  if (start === null || rawEnd === null) {
    return clarify('question.invalid-time', `"${original.slice(expression.start, expression.end).trim()}" is not a valid date.`);
  }
  if (start >= now) {
    return clarify('question.window-in-future', `"${original.slice(expression.start, expression.end).trim()}" is in the future (now is ${new Date(now).toISOString()}); which past window do you mean?`);
  }
  const end = Math.min(rawEnd, now);
  const ownZone = expression.kind === 'range' ? (expression.from.zone ?? expression.to.zone)
    : expression.kind === 'since' || expression.kind === 'until' || expression.kind === 'point' ? expression.at.zone : null;
  return { kind: 'window', start: new Date(start).toISOString(), end: new Date(end).toISOString(), explicit: true, zone: ownZone ?? zone, spans, assumptions };

  /** The window of one expression (not yet clipped to `now`); what it assumed goes to `notes`. */
  function windowOf(expression: Expression, notes: string[]): { start: number | null; end: number | null } {
    const pointZone = (point: Point) => point.zone ?? zone;
    const todayIn = (chosenZone: Zone) => wallClockAt(now, chosenZone);
    const assumptions = notes;
    /** The instant of a point; a dateless time after `now` is yesterday's. */
    const instantOfPoint = (point: Point, dayShift = 0): number | null => {
      const chosenZone = pointZone(point);
      const today = todayIn(chosenZone);
      const date = point.date ? resolveDate(point.date, today) : today;
      if (!date) return null;
      const shifted = addDays(date, dayShift);
      const tod = point.tod ?? { hour: 0, minute: 0, second: 0 };
      const instant = instantOf({ ...shifted, ...tod }, chosenZone);
      if (!point.date && dayShift === 0 && instant > now) {
        assumptions.push('a time later than now without a date: taken as yesterday');
        return instantOf({ ...addDays(shifted, -1), ...tod }, chosenZone);
      }
      return instant;
    };
    let start: number | null;
    let end: number | null;
    switch (expression.kind) {
      case 'relative':
        start = now - expression.ms;
        end = now;
        break;
      case 'ago':
        start = now - expression.ms - POINT_MARGIN_IN_MINUTES * MINUTE_IN_MS;
        end = now - expression.ms + POINT_MARGIN_IN_MINUTES * MINUTE_IN_MS;
        break;
      case 'since':
        start = instantOfPoint(expression.at);
        end = now;
        break;
      case 'until':
        end = instantOfPoint(expression.at);
        start = end === null ? null : end - context.defaultWindowInMinutes * MINUTE_IN_MS;
        break;
      case 'point': {
        if (expression.at.tod === null) {
          const day = instantOfPoint(expression.at);
          const date = expression.at.date ? resolveDate(expression.at.date, todayIn(pointZone(expression.at))) : null;
          start = day;
          end = date ? startOfDay(addDays(date, 1), pointZone(expression.at)) : null;
        } else {
          const at = instantOfPoint(expression.at);
          start = at === null ? null : at - POINT_MARGIN_IN_MINUTES * MINUTE_IN_MS;
          end = at === null ? null : at + POINT_MARGIN_IN_MINUTES * MINUTE_IN_MS;
        }
        break;
      }
      case 'range': {
        const from = { ...expression.from, zone: expression.from.zone ?? expression.to.zone, date: expression.from.date ?? expression.to.date };
        const to = { ...expression.to, zone: expression.to.zone ?? expression.from.zone, date: expression.to.date ?? expression.from.date };
        if (from.tod === null) {
          // A range of days: the end day is included.
          start = instantOfPoint(from);
          const endDate = to.date ? resolveDate(to.date, todayIn(pointZone(to))) : null;
          end = endDate ? startOfDay(addDays(endDate, 1), pointZone(to)) : null;
          break;
        }
        const dated = from.date !== null;
        const fromDate = dated && from.date ? resolveDate(from.date, todayIn(pointZone(from))) : todayIn(pointZone(from));
        if (!fromDate) { start = null; end = null; break; }
        // Both ends dated, on different dates ("from Monday 09:00 to Wednesday 17:00"): the end is on its own date.
        const endDated = expression.from.date !== null && expression.to.date !== null && JSON.stringify(expression.to.date) !== JSON.stringify(expression.from.date);
        const ownEndDate = endDated && expression.to.date ? resolveDate(expression.to.date, todayIn(pointZone(to))) : null;
        if (endDated && !ownEndDate) { start = null; end = null; break; }
        const build = (date: CalendarDate) => {
          const startInstant = instantOf({ ...date, ...(from.tod as TimeOfDay) }, pointZone(from));
          let endInstant = instantOf({ ...(ownEndDate ?? date), ...(to.tod as TimeOfDay) }, pointZone(to));
          if (ownEndDate === null && endInstant < startInstant) endInstant = instantOf({ ...addDays(date, 1), ...(to.tod as TimeOfDay) }, pointZone(to));
          return [startInstant, endInstant] as const;
        };
        let [rangeStart, rangeEnd] = build(fromDate);
        if (!dated && rangeStart > now) {
          assumptions.push('a time later than now without a date: taken as yesterday');
          [rangeStart, rangeEnd] = build(addDays(fromDate, -1));
        }
        if (rangeEnd === rangeStart) {
          // "between 13:57:06 and 13:57:06" on one date: one instant, read as a point in time.
          assumptions.push(`a range that starts and ends at the same instant: taken as ${POINT_MARGIN_IN_MINUTES} minutes either side of it`);
          rangeStart -= POINT_MARGIN_IN_MINUTES * MINUTE_IN_MS;
          rangeEnd += POINT_MARGIN_IN_MINUTES * MINUTE_IN_MS;
        } else if (rangeEnd < rangeStart) {
          // Both ends dated and the end first: read the other way round, and say so.
          assumptions.push('a range whose end came before its start: read the other way round');
          [rangeStart, rangeEnd] = [rangeEnd, rangeStart];
        }
        start = rangeStart;
        end = rangeEnd;
        break;
      }
      case 'part': {
        const today = todayIn(zone);
        const date = expression.date ? resolveDate(expression.date, today) : today;
        if (!date) { start = null; end = null; break; }
        const hours = { morning: [0, 12], afternoon: [12, 18], evening: [18, 24], night: [18, 30] }[expression.part];
        const at = (hour: number) => instantOf({ ...addDays(date, Math.floor(hour / 24)), hour: hour % 24, minute: 0, second: 0 }, zone);
        start = at(hours[0] ?? 0);
        // "since last night": from the start of that part of the day until now.
        end = expression.since ? now : at(hours[1] ?? 24);
        break;
      }
      default:
        start = null;
        end = null;
    }
    return { start, end };
  }
}

/** A time of day, written: the expression pins minutes, not a part of a day or a whole day. */
function isPrecise(expression: Expression): boolean {
  switch (expression.kind) {
    case 'range': return expression.from.tod !== null;
    case 'since': case 'until': case 'point': return expression.at.tod !== null;
    case 'ago': return true;
    default: return false;
  }
}

/**
 * "since this morning ... between 09:00 and 09:30": when exactly one expression is precise
 * and it lies inside every other (vaguer) one, it is the window meant; otherwise none is.
 */
function preciseAmong(expressions: readonly Expression[], windowOf: (expression: Expression) => { start: number | null; end: number | null }): Expression | null {
  const precise = expressions.filter(isPrecise);
  const chosen = precise[0];
  if (precise.length !== 1 || !chosen) return null;
  const inner = windowOf(chosen);
  if (inner.start === null || inner.end === null) return null;
  const fits = expressions.filter((expression) => expression !== chosen).every((expression) => {
    const outer = windowOf(expression);
    return outer.start !== null && outer.end !== null && outer.start <= (inner.start as number) && (inner.end as number) <= outer.end;
  });
  return fits ? chosen : null;
}
