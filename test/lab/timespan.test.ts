import { describe, expect, it } from 'vitest';
import { parseDurationInMs, parseTimespan } from '../../src/lab/timespan.js';

const now = new Date('2026-11-12T17:45:00Z');

describe('Log Analytics timespans', () => {
  it.each([
    ['PT1H', 3_600_000],
    ['P1D', 86_400_000],
    ['P1DT2H30M', 95_400_000],
    ['PT0.5S', 500],
    ['P2W', 1_209_600_000],
    ['P', undefined],
    ['PT', undefined],
    ['1h', undefined],
  ])('duration %s', (text, expected) => {
    expect(parseDurationInMs(text)).toBe(expected);
  });

  it.each([
    ['PT1H', '2026-11-12T16:45:00.000Z', '2026-11-12T17:45:00.000Z'],
    ['2026-11-12T14:00:00Z/2026-11-12T14:30:00Z', '2026-11-12T14:00:00.000Z', '2026-11-12T14:30:00.000Z'],
    ['2026-11-12T14:00:00Z/PT30M', '2026-11-12T14:00:00.000Z', '2026-11-12T14:30:00.000Z'],
    ['PT30M/2026-11-12T14:30:00Z', '2026-11-12T14:00:00.000Z', '2026-11-12T14:30:00.000Z'],
  ])('%s', (text, start, end) => {
    const interval = parseTimespan(text, now);
    expect([interval?.start.toISOString(), interval?.end.toISOString()]).toEqual([start, end]);
  });

  it.each(['yesterday', '2026-11-12T15:00:00Z/2026-11-12T14:00:00Z', 'a/b/c'])('refuses %s', (text) => {
    expect(parseTimespan(text, now)).toBeUndefined();
  });
});
