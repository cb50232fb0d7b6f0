import { describe, expect, it } from 'vitest';
import { epochMilliseconds } from '../../../src/capture/readers/time.js';

describe('epochMilliseconds', () => {
  it.each([
    [1795700010, 746_870_000, 1795700010746.87],
    [1700000000, 0, 1700000000000],
    [1700000000, 999_999_999, 1700000000999 + 0.999999],
  ])('%i s + %i ns -> %d ms', (seconds, nanoseconds, expected) => {
    expect(epochMilliseconds(seconds, nanoseconds)).toBe(expected);
  });
});
