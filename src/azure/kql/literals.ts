/** KQL literals. Values are validated before they get here; escaping is the second line of defence. */
import type { Instant } from './validate.js';

/**
 * A double-quoted KQL string literal. Backslash and quote are escaped, and so is every
 * character outside printable ASCII (as `\uXXXX`), so no newline, comment or look-alike
 * can change the query's structure.
 */
export function kqlString(value: string): string {
  let out = '"';
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (character === '\\') out += '\\\\';
    else if (character === '"') out += '\\"';
    else if (code >= 0x20 && code < 0x7f) out += character;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else {
      // Astral characters as their UTF-16 surrogate pair.
      const high = 0xd800 + ((code - 0x10000) >> 10);
      const low = 0xdc00 + ((code - 0x10000) & 0x3ff);
      out += `\\u${high.toString(16)}\\u${low.toString(16)}`;
    }
  }
  return `${out}"`;
}

/** A KQL datetime literal of a validated instant. */
export function kqlDatetime(instant: Instant): string {
  return `datetime(${instant})`;
}

/** A KQL list `("a", "b")` of string literals. */
export function kqlStringList(values: readonly string[]): string {
  return `(${values.map(kqlString).join(', ')})`;
}

/** Adds minutes to a validated instant (the result is still a valid instant). */
export function addMinutes(instant: Instant, minutes: number): Instant {
  return new Date(Date.parse(instant) + minutes * 60_000).toISOString() as Instant;
}
