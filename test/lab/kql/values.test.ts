import { describe, expect, it } from 'vitest';
import {
  compareValues, formatDatetime, formatTimespan, fromCell, hasTerm, parseDatetime, parseTimespan, valueToString, valuesEqual,
} from '../../../src/lab/kql/values.js';

describe('parseTimespan', () => {
  it.each([
    ['1h', 3_600_000], ['30m', 1_800_000], ['10d', 864_000_000], ['1.5h', 5_400_000], ['100ms', 100], ['5s', 5000],
    ['2min', 120_000], ['1tick', 0.0001], ['1.02:03:04.5', 93_784_500], ['00:05:00', 300_000], ['-01:00:00', -3_600_000],
  ])('%s is %d ms', (text, milliseconds) => {
    expect(parseTimespan(text)).toBeCloseTo(milliseconds, 6);
  });

  it('refuses an unknown unit', () => {
    expect(parseTimespan('3 fortnights')).toBeUndefined();
  });
});

describe('parseDatetime and formatDatetime', () => {
  it.each([
    ['2026-11-12T07:47:07.266Z', '2026-11-12T07:47:07.266Z'],
    ['2026-11-12T14:00:00Z', '2026-11-12T14:00:00Z'],
    ['2026-11-12', '2026-11-12T00:00:00Z'],
    ['2026-11-12 14:30', '2026-11-12T14:30:00Z'],
    ['2022-09-14T09:00:52.5625Z', '2022-09-14T09:00:52.5625000Z'],
    ['2026-11-12T09:00:00-05:00', '2026-11-12T14:00:00Z'],
  ])('%s reads and writes back as %s', (text, written) => {
    const milliseconds = parseDatetime(text);
    expect(typeof milliseconds).toBe('number');
    expect(formatDatetime(milliseconds as number)).toBe(written);
    expect(new Date(written).getTime()).toBe(Math.floor(milliseconds as number));
  });

  it('is not fooled by text that is not a datetime', () => {
    expect(parseDatetime('192.168.10.5')).toBeUndefined();
    expect(parseDatetime('null')).toBeNull();
  });
});

describe('formatTimespan', () => {
  it.each([[300_000, '00:05:00'], [93_784_500, '1.02:03:04.5000000'], [-3_600_000, '-01:00:00']])('%d ms is %s', (milliseconds, text) => {
    expect(formatTimespan(milliseconds)).toBe(text);
    expect(parseTimespan(text)).toBeCloseTo(milliseconds, 6);
  });
});

describe('hasTerm', () => {
  it.each([
    ['192.168.10.52', '192.168.10.5', false],
    ['192.168.10.5', '192.168.10.5', true],
    ['from 192.168.10.5:3389 to', '192.168.10.5', true],
    ['TCP request from 10.0.2.4:51990', 'request', true],
    ['TCP request from 10.0.2.4:51990', 'REQUEST', true],
    ['TCP requests', 'request', false],
    ['vm-app01', 'app01', true],
    ['vm-app01', 'app0', false],
    ['anything', '', true],
  ])('%j has %j: %s', (haystack, needle, expected) => {
    expect(hasTerm(haystack, needle, false)).toBe(expected);
  });

  it('honours case when asked', () => {
    expect(hasTerm('Action: Deny', 'deny', true)).toBe(false);
    expect(hasTerm('Action: Deny', 'Deny', true)).toBe(true);
  });
});

describe('cells, equality and order', () => {
  it.each([
    ['2026-11-12T07:47:07.266Z', 'datetime', Date.UTC(2026, 10, 12, 7, 47, 7, 266)],
    ['not a date', 'datetime', null],
    [3389, 'int', 3389],
    ['3389', 'long', 3389],
    ['x', 'int', null],
    [null, 'string', ''],
    ['True', 'bool', true],
    [{ a: 1 }, 'dynamic', { a: 1 }],
    [{ a: 1 }, 'string', '{"a":1}'],
  ] as const)('cell %j as %s reads %j', (cell, type, expected) => {
    expect(fromCell(cell, type)).toEqual(expected);
  });

  it('treats null as unknown in comparisons', () => {
    expect(valuesEqual(null, 1)).toBeNull();
    expect(compareValues(null, 1)).toBeNull();
    expect(valuesEqual('a', 'a')).toBe(true);
    expect(valuesEqual('a', 'A')).toBe(false);
    expect(compareValues(2, 10)).toBeLessThan(0);
    expect(compareValues('b', 'a')).toBeGreaterThan(0);
  });

  it('writes values as tostring() does', () => {
    expect(valueToString(Date.UTC(2026, 10, 12, 14), 'datetime')).toBe('2026-11-12T14:00:00Z');
    expect(valueToString(300_000, 'timespan')).toBe('00:05:00');
    expect(valueToString(['a', 1], 'dynamic')).toBe('["a",1]');
    expect(valueToString(null, 'string')).toBe('');
  });
});
