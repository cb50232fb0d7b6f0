/** Each failure maps once onto its gap reason. */
import { describe, expect, it } from 'vitest';
import { RestError } from '@azure/core-rest-pipeline';
import { SourceTimeoutError, gapFromError, gapReasonOf, missingTableOf, withDeadline } from '../../src/azure/errors.js';

function restError(status: number, body: unknown): RestError {
  const error = new RestError(`status ${status}`, { statusCode: status });
  (error as RestError & { details: unknown }).details = body;
  return error;
}

describe('gap reasons', () => {
  it.each([
    ['401', restError(401, { error: { code: 'InvalidAuthenticationToken', message: 'bad token' } }), 'no-permission'],
    ['403', restError(403, { error: { code: 'AuthorizationFailed', message: 'The client does not have authorization' } }), 'no-permission'],
    ['429', restError(429, { error: { code: 'TooManyRequests', message: 'throttled' } }), 'throttled'],
    ['404', restError(404, { error: { code: 'ResourceNotFound', message: 'not found' } }), 'not-found'],
    ['500', restError(500, { error: { code: 'InternalServerError', message: 'boom' } }), 'failed'],
    ['504', restError(504, { error: { code: 'GatewayTimeout', message: 'late' } }), 'timeout'],
    ['missing table (Log Analytics)', restError(400, { error: { code: 'BadArgumentError', message: 'The request had some invalid properties', innererror: { code: 'SemanticError', message: 'A semantic error occurred.', innererror: { code: 'SEM0100', message: "'where' operator: Failed to resolve table or column expression named 'AZFWFlowTrace'" } } } }), 'not-enabled'],
    ['unknown column is our bug, not a missing table', restError(400, { error: { code: 'BadArgumentError', message: 'x', innererror: { code: 'SemanticError', message: "The name 'Foo' does not refer to any known column, table, variable or function." } } }), 'failed'],
    ['Network Watcher not in region', restError(404, { error: { code: 'NetworkWatcherNotFound', message: 'none' } }), 'not-enabled'],
    ['our deadline', new SourceTimeoutError(100), 'timeout'],
    ['abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'timeout'],
  ])('%s', (_name, error, reason) => {
    expect(gapReasonOf(error)).toBe(reason);
  });

  it('names the missing table in the detail', () => {
    const error = restError(400, { error: { innererror: { message: "Failed to resolve table or column expression named 'AZFWIdpsSignature'" } } });
    expect(missingTableOf(error)).toBe('AZFWIdpsSignature');
    expect(gapFromError('AZFWIdpsSignature', error)).toEqual({ source: 'AZFWIdpsSignature', reason: 'not-enabled', detail: expect.stringMatching(/AZFWIdpsSignature does not exist/) });
  });

  it('withDeadline gives up on a call that ignores its signal', async () => {
    await expect(withDeadline(20, () => new Promise(() => undefined))).rejects.toBeInstanceOf(SourceTimeoutError);
    await expect(withDeadline(1_000, () => Promise.resolve(7))).resolves.toBe(7);
  });
});
