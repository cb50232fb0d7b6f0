/**
 * What every adapter returns: evidence, or the gap that says why there is none.
 * A failed source is data (a gap), never an exception the investigation must catch.
 */
import type { Evidence, EvidenceKind, Gap } from '../domain/index.js';

/** Omit that keeps a union a union (plain `Omit` would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An evidence item before the investigation numbers it (`e1`, `e2`, ... in plan order). */
export type EvidenceDraft = DistributiveOmit<Evidence, 'id'>;

/** An evidence draft of one kind. */
export type EvidenceDraftOf<K extends EvidenceKind> = Extract<EvidenceDraft, { kind: K }>;

/**
 * The answer of one source. `ok: true` may still carry `gaps` for parts that could not
 * be read (a missing table among several, a partial Log Analytics answer) and
 * `warnings` (rows truncated at the cap).
 */
export type SourceResult<T> =
  | { ok: true; value: T; warnings?: string[]; gaps?: Gap[] }
  | { ok: false; gap: Gap };

/** A successful result, leaving out empty warnings and gaps so results compare cleanly. */
export function success<T>(value: T, warnings: readonly string[] = [], gaps: readonly Gap[] = []): SourceResult<T> {
  const result: { ok: true; value: T; warnings?: string[]; gaps?: Gap[] } = { ok: true, value };
  if (warnings.length > 0) result.warnings = [...warnings];
  if (gaps.length > 0) result.gaps = [...gaps];
  return result;
}

/** A failed result. */
export function failure<T>(gap: Gap): SourceResult<T> {
  return { ok: false, gap };
}
