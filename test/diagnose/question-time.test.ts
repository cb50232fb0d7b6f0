import { describe, expect, it } from 'vitest';
import { parseQuestion } from '../../src/diagnose/question.js';
import { ianaZone } from '../../src/diagnose/question/zoned.js';
import { context, questionOf } from './question-fixture.js';

const FLOW = 'why can\'t 192.168.10.5 RDP to vm-app01';

function windowOf(time: string, now: string, timeZone?: string) {
  const outcome = parseQuestion(`${FLOW} ${time}`, context({ now: new Date(now), ...(timeZone ? { timeZone } : {}) }));
  return questionOf(outcome).window;
}

const window = (start: string, end: string) => ({ start: `${start}.000Z`, end: `${end}.000Z` });

describe('time windows (UTC, now 2026-11-20T14:30Z, a Friday)', () => {
  const now = '2026-11-20T14:30:00Z';
  it.each([
    ['at 09:15', window('2026-11-20T09:00:00', '2026-11-20T09:30:00')],
    ['around 9:15am', window('2026-11-20T09:00:00', '2026-11-20T09:30:00')],
    ['since 8am', window('2026-11-20T08:00:00', '2026-11-20T14:30:00')],
    ['since 08:00', window('2026-11-20T08:00:00', '2026-11-20T14:30:00')],
    ['between 08:00 and 09:00', window('2026-11-20T08:00:00', '2026-11-20T09:00:00')],
    ['between 8 and 9', window('2026-11-20T08:00:00', '2026-11-20T09:00:00')],
    ['from 14:00 to 14:30 UTC', window('2026-11-20T14:00:00', '2026-11-20T14:30:00')],
    ['14:00-14:20', window('2026-11-20T14:00:00', '2026-11-20T14:20:00')],
    ['in the last 2 hours', window('2026-11-20T12:30:00', '2026-11-20T14:30:00')],
    ['last 30 minutes', window('2026-11-20T14:00:00', '2026-11-20T14:30:00')],
    ['for the past hour', window('2026-11-20T13:30:00', '2026-11-20T14:30:00')],
    ['in the last 90min', window('2026-11-20T13:00:00', '2026-11-20T14:30:00')],
    ['20 minutes ago', window('2026-11-20T13:55:00', '2026-11-20T14:25:00')],
    ['this morning', window('2026-11-20T00:00:00', '2026-11-20T12:00:00')],
    ['this afternoon', window('2026-11-20T12:00:00', '2026-11-20T14:30:00')],
    ['last night', window('2026-11-19T18:00:00', '2026-11-20T06:00:00')],
    ['yesterday at 14:00', window('2026-11-19T13:45:00', '2026-11-19T14:15:00')],
    ['at 2pm yesterday', window('2026-11-19T13:45:00', '2026-11-19T14:15:00')],
    ['yesterday', window('2026-11-19T00:00:00', '2026-11-20T00:00:00')],
    ['yesterday between 8 and 9', window('2026-11-19T08:00:00', '2026-11-19T09:00:00')],
    ['today', window('2026-11-20T00:00:00', '2026-11-20T14:30:00')],
    ['2026-11-12 14:00', window('2026-11-12T13:45:00', '2026-11-12T14:15:00')],
    ['at 2026-11-12T14:00:00Z', window('2026-11-12T13:45:00', '2026-11-12T14:15:00')],
    ['on 12 Nov', window('2026-11-12T00:00:00', '2026-11-13T00:00:00')],
    ['on Nov 12 at 9am', window('2026-11-12T08:45:00', '2026-11-12T09:15:00')],
    ['on Monday at 10:00', window('2026-11-16T09:45:00', '2026-11-16T10:15:00')],
    ['at 14:20', window('2026-11-20T14:05:00', '2026-11-20T14:30:00')],
    ['at 23:00', window('2026-11-19T22:45:00', '2026-11-19T23:15:00')],
    ['between 23:00 and 01:00', window('2026-11-19T23:00:00', '2026-11-20T01:00:00')],
    ['since 8am CET', window('2026-11-20T07:00:00', '2026-11-20T14:30:00')],
    ['at 9:15 EST', window('2026-11-20T14:00:00', '2026-11-20T14:30:00')],
    ['at 14:00 UTC+2', window('2026-11-20T11:45:00', '2026-11-20T12:15:00')],
    ['at 10:00 Europe/London', window('2026-11-20T09:45:00', '2026-11-20T10:15:00')],
    ['between 9 and 10 (times are UTC)', window('2026-11-20T09:00:00', '2026-11-20T10:00:00')],
    ['', window('2026-11-20T13:30:00', '2026-11-20T14:30:00')],
  ])('"%s"', (time, expected) => {
    expect(windowOf(time, now)).toEqual(expected);
  });
});

describe('time windows in the context time zone', () => {
  it.each([
    // Europe/Berlin in winter (CET, UTC+1): now is 15:30 local.
    ['since 8am', '2026-11-20T14:30:00Z', 'Europe/Berlin', window('2026-11-20T07:00:00', '2026-11-20T14:30:00')],
    ['at 09:15', '2026-11-20T14:30:00Z', 'Europe/Berlin', window('2026-11-20T08:00:00', '2026-11-20T08:30:00')],
    ['yesterday', '2026-11-20T14:30:00Z', 'Europe/Berlin', window('2026-11-18T23:00:00', '2026-11-19T23:00:00')],
    ['at 14:00 UTC', '2026-11-20T14:30:00Z', 'Europe/Berlin', window('2026-11-20T13:45:00', '2026-11-20T14:15:00')],
    ['at 9:15 EST', '2026-11-20T14:30:00Z', 'Europe/Berlin', window('2026-11-20T14:00:00', '2026-11-20T14:30:00')],
    // Europe/Berlin on 25 October 2026: clocks fall back from 03:00 CEST to 02:00 CET (01:00Z).
    ['since 8am', '2026-10-25T12:00:00Z', 'Europe/Berlin', window('2026-10-25T07:00:00', '2026-10-25T12:00:00')],
    ['yesterday at 14:00', '2026-10-25T12:00:00Z', 'Europe/Berlin', window('2026-10-24T11:45:00', '2026-10-24T12:15:00')],
    ['yesterday', '2026-10-25T12:00:00Z', 'Europe/Berlin', window('2026-10-23T22:00:00', '2026-10-24T22:00:00')],
    ['today', '2026-10-25T12:00:00Z', 'Europe/Berlin', window('2026-10-24T22:00:00', '2026-10-25T12:00:00')],
    ['at 02:30', '2026-10-25T12:00:00Z', 'Europe/Berlin', window('2026-10-25T00:15:00', '2026-10-25T00:45:00')],
    // America/New_York on 2 November 2026, the day after clocks fell back (EDT -> EST on 1 November).
    ['yesterday', '2026-11-02T15:00:00Z', 'America/New_York', window('2026-11-01T04:00:00', '2026-11-02T05:00:00')],
    ['since 8am', '2026-11-02T15:00:00Z', 'America/New_York', window('2026-11-02T13:00:00', '2026-11-02T15:00:00')],
    ['on Friday at 9am', '2026-11-02T15:00:00Z', 'America/New_York', window('2026-10-30T12:45:00', '2026-10-30T13:15:00')],
    ['between 08:00 and 09:00 yesterday', '2026-11-02T15:00:00Z', 'America/New_York', window('2026-11-01T13:00:00', '2026-11-01T14:00:00')],
    // America/New_York on 8 March 2026: clocks spring forward, 02:30 does not exist and moves to 03:30 EDT.
    ['at 2:30am', '2026-03-08T18:00:00Z', 'America/New_York', window('2026-03-08T07:15:00', '2026-03-08T07:45:00')],
    ['since midnight', '2026-03-08T18:00:00Z', 'America/New_York', window('2026-03-08T05:00:00', '2026-03-08T18:00:00')],
    ['in the last 3 hours', '2026-03-08T08:00:00Z', 'America/New_York', window('2026-03-08T05:00:00', '2026-03-08T08:00:00')],
  ])('"%s" at %s in %s', (time, now, timeZone, expected) => {
    expect(windowOf(time, now, timeZone)).toEqual(expected);
  });

  it('reports the zone it read times in', () => {
    const question = questionOf(parseQuestion(`${FLOW} at 9:15 EST`, context({ timeZone: 'Europe/Berlin' })));
    expect(question.timeZone).toBe('America/New_York');
    expect(questionOf(parseQuestion(FLOW, context({ timeZone: 'Europe/Berlin' }))).timeZone).toBe('Europe/Berlin');
  });

  it('an unknown configured zone reads times as UTC and says so', () => {
    const question = questionOf(parseQuestion(`${FLOW} at 09:15`, context({ timeZone: 'Mars/Olympus' })));
    expect(question.window).toEqual(window('2026-11-20T09:00:00', '2026-11-20T09:30:00'));
    expect(question.assumptions.join(' ')).toMatch(/Mars\/Olympus/);
  });

  it('the default window length is configurable', () => {
    expect(questionOf(parseQuestion(FLOW, context({ defaultWindowInMinutes: 30 }))).window)
      .toEqual(window('2026-11-20T14:00:00', '2026-11-20T14:30:00'));
  });
});

describe('times that need clarification', () => {
  it.each([
    ['at 25:00', 'question.invalid-time'],
    ['on 2026-02-30', 'question.invalid-time'],
    ['on 2027-01-01', 'question.window-in-future'],
    ['tonight', 'question.window-in-future'],
    ['since 9am and at 11:00', 'question.ambiguous-time'],
    ['at 14:00 UTC or 15:00 CET', 'question.ambiguous-time'],
  ])('"%s" -> %s', (time, code) => {
    expect(parseQuestion(`${FLOW} ${time}`, context())).toMatchObject({ kind: 'clarify', code });
  });
});

describe('since what, and which of several times (UTC, now 2026-11-20T14:30Z)', () => {
  const now = '2026-11-20T14:30:00Z';
  it.each([
    ['since about 08:00', window('2026-11-20T08:00:00', '2026-11-20T14:30:00')],
    ['since around 8am', window('2026-11-20T08:00:00', '2026-11-20T14:30:00')],
    ['since the 07:15 release', window('2026-11-20T07:15:00', '2026-11-20T14:30:00')],
    ['since it was redeployed at about 08:00 UTC', window('2026-11-20T08:00:00', '2026-11-20T14:30:00')],
    ['since this morning', window('2026-11-20T00:00:00', '2026-11-20T14:30:00')],
    ['since last night', window('2026-11-19T18:00:00', '2026-11-20T14:30:00')],
    ['since 06:00, it worked yesterday', window('2026-11-20T06:00:00', '2026-11-20T14:30:00')],
    ["since this morning's certificate renewal, e.g. between 09:00 and 09:30", window('2026-11-20T09:00:00', '2026-11-20T09:30:00')],
    ['since Tuesday, between 08:00 and 09:00 today', window('2026-11-20T08:00:00', '2026-11-20T09:00:00')],
  ])('"%s"', (time, expected) => {
    expect(windowOf(time, now)).toEqual(expected);
  });

  it('says which time it took when a precise one sits inside a vaguer one', () => {
    const question = questionOf(parseQuestion(`${FLOW} since this morning, between 09:00 and 09:30 UTC`, context({ now: new Date(now) })));
    expect(question.assumptions.join(' ')).toContain('took "between 09:00 and 09:30 UTC"');
  });

  it.each([
    'since 9am and at 11:00',
    'this morning, between 13:00 and 13:30',
    'yesterday afternoon, between 09:00 and 09:30 today',
  ])('still asks when the times do not nest: "%s"', (time) => {
    expect(parseQuestion(`${FLOW} ${time}`, context({ now: new Date(now) }))).toMatchObject({ kind: 'clarify', code: 'question.ambiguous-time' });
  });
});

describe('ianaZone', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['UTC', 'UTC'],
    ['Australia/Sydney', 'Australia/Sydney'],
  ])('knows %s as %s, the same answer when asked again', (name, id) => {
    const first = ianaZone(name);
    expect(first?.id).toBe(id);
    expect(ianaZone(name)).toEqual(first);
    // Answers are shared between questions: nobody may change one.
    expect(Object.isFrozen(first)).toBe(true);
  });

  it.each(['why', 'vm-app01', 'Europe/Nowhere', 'a'.repeat(41)])('knows no zone named %s, asked twice', (name) => {
    expect(ianaZone(name)).toBeNull();
    expect(ianaZone(name)).toBeNull();
  });
});

describe('ranges with a date on each end (UTC, now 2026-11-26T15:00Z, a Thursday)', () => {
  const now = '2026-11-26T15:00:00Z';
  it.each([
    // The end on its own date: the whole span, not the first day's hours.
    ['from Monday 09:00 to Wednesday 17:00 UTC', window('2026-11-23T09:00:00', '2026-11-25T17:00:00')],
    ['between 2026-11-24 09:00 and 2026-11-25 10:00 UTC', window('2026-11-24T09:00:00', '2026-11-25T10:00:00')],
    ['between 2026-11-24T09:00:00Z and 2026-11-26T11:00:00Z', window('2026-11-24T09:00:00', '2026-11-26T11:00:00')],
    // Both ends dated, the end first: the other way round.
    ['from Wednesday 09:00 to Monday 17:00 UTC', window('2026-11-23T17:00:00', '2026-11-25T09:00:00')],
    // One instant twice (a capture's refused connection): a point in time.
    ['between 2026-11-26T13:57:06Z and 2026-11-26T13:57:06Z', window('2026-11-26T13:42:06', '2026-11-26T14:12:06')],
    // One date for both ends still crosses midnight.
    ['yesterday between 23:00 and 01:00', window('2026-11-25T23:00:00', '2026-11-26T01:00:00')],
    ['between 23:00 and 01:00 on 2026-11-24', window('2026-11-24T23:00:00', '2026-11-25T01:00:00')],
  ])('%s', (time, expected) => {
    expect(windowOf(time, now)).toEqual(expected);
  });
});
