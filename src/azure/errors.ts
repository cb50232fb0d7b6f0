/**
 * The one place where an adapter failure becomes a gap reason (CONTRACTS.md section 3).
 * `not-yet-ingested` and `no-data` are never decided here: only the caller, who knows
 * the question's window and the source's freshness, can say that.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import type { Gap, GapReason } from '../domain/index.js';

/** Thrown by {@link withDeadline} when a source does not answer within its time budget. */
export class SourceTimeoutError extends Error {
  override readonly name = 'SourceTimeoutError';
  /** The budget that ran out, milliseconds. */
  readonly timeoutInMs: number;

  constructor(timeoutInMs: number) {
    super(`no answer within ${timeoutInMs} ms`);
    this.timeoutInMs = timeoutInMs;
  }
}

/** Azure error codes that mean "the feature is not switched on", whatever the HTTP status. */
const NOT_ENABLED_CODES = new Set([
  'networkwatchernotfound', 'featurenotenabled', 'subscriptionnotregistered', 'missingsubscriptionregistration',
  'vmextensionnotinstalled', 'networkwatcheragentnotinstalled', 'agentnotinstalled',
]);

/**
 * The messages for a table the workspace does not have (tables appear only once data arrives):
 * Log Analytics' own, and the Kusto language service's (which an unknown column does not match).
 */
const MISSING_TABLE = /failed to resolve table(?: or column)?(?: expression)? named '([^']+)'|the name '([^']+)' does not refer to any known table/i;

/** Everything an error says about itself, flattened: message, code, and the nested `details`/`innererror`. */
function describe(error: unknown): { status: number | undefined; codes: string[]; text: string } {
  const codes: string[] = [];
  const texts: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.code === 'string') codes.push(record.code.toLowerCase());
    if (typeof record.message === 'string') texts.push(record.message);
    for (const key of ['error', 'innererror', 'innerError', 'details', 'body']) {
      const inner = record[key];
      if (Array.isArray(inner)) inner.forEach((item) => visit(item, depth + 1));
      else visit(inner, depth + 1);
    }
  };
  visit(error, 0);
  let status: number | undefined;
  if (isRestError(error)) status = error.statusCode;
  else if (error !== null && typeof error === 'object' && typeof (error as { statusCode?: unknown }).statusCode === 'number') {
    status = (error as { statusCode: number }).statusCode;
  }
  return { status, codes, text: texts.join(' | ') };
}

/** The table a Log Analytics error says is missing, or null. */
export function missingTableOf(error: unknown): string | null {
  const { text } = describe(error);
  const match = MISSING_TABLE.exec(text);
  return match?.[1] ?? match?.[2] ?? null;
}

/** The gap reason an error maps to. */
export function gapReasonOf(error: unknown): GapReason {
  if (error instanceof SourceTimeoutError) return 'timeout';
  const { status, codes, text } = describe(error);
  const name = error instanceof Error ? error.name : '';
  if (name === 'AbortError' || name === 'TimeoutError' || /timed out|timeout/i.test(name)) return 'timeout';
  if (codes.some((code) => NOT_ENABLED_CODES.has(code))) return 'not-enabled';
  if (missingTableOf(error) !== null) return 'not-enabled';
  if (status === 401 || status === 403) return 'no-permission';
  if (status === 429) return 'throttled';
  if (status === 404) return 'not-found';
  if (status === 408 || status === 504) return 'timeout';
  if (status === undefined && /request (?:has )?timed out|ETIMEDOUT|operation was aborted/i.test(text)) return 'timeout';
  return 'failed';
}

/** Maps a failure of one source onto its gap, once. `source` is the table or API name. */
export function gapFromError(source: string, error: unknown): Gap {
  const reason = gapReasonOf(error);
  const { status, codes, text } = describe(error);
  const head = [status !== undefined ? `HTTP ${status}` : null, codes[0] ?? null].filter((part) => part !== null).join(' ');
  const message = (text || (error instanceof Error ? error.message : String(error))).replace(/\s+/g, ' ').trim().slice(0, 400);
  const detail = reason === 'not-enabled' && missingTableOf(error) !== null
    ? `table ${missingTableOf(error)} does not exist in the workspace (its diagnostic setting or feature is off)`
    : `${head ? `${head}: ` : ''}${message}`;
  return { source, reason, detail };
}

/**
 * Runs a source call with a time budget. The signal passed to `call` aborts when the
 * budget runs out (or when `outer` aborts), and the result is a {@link SourceTimeoutError}
 * even if the SDK ignores the signal.
 */
export async function withDeadline<T>(timeoutInMs: number, call: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
  // Given up already (a queued query whose source timed out): start nothing, or it would run unbounded.
  if (outer?.aborted) throw new SourceTimeoutError(0);
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(new SourceTimeoutError(timeoutInMs));
      reject(new SourceTimeoutError(timeoutInMs));
    }, timeoutInMs);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
