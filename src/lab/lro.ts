/**
 * Long-running operations as Network Resource Provider answers them: 202 with `Azure-AsyncOperation` and
 * `Location`; the status URL says Succeeded at once and the Location URL returns the result, so the SDK's
 * poller finishes on its first poll, without waiting.
 */
import { randomUUID } from 'node:crypto';
import { json, type LabRequest, type LabResponse } from './http.js';
import type { LabState } from './state.js';

/** The api-version the v39 SDK sends. */
export const NETWORK_API_VERSION = '2026-01-01';

/** Stores the result and answers 202 with the polling headers. */
export function acceptLongRunning(
  state: LabState,
  request: LabRequest,
  subscriptionId: string,
  location: string,
  result: LabResponse,
  initialStatus = 202,
  initialBody?: unknown,
): LabResponse {
  const operationId = randomUUID();
  state.operations.set(operationId, result);
  const base = `${request.origin}/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${location || 'global'}`;
  const response: LabResponse = {
    status: initialStatus,
    headers: {
      'Azure-AsyncOperation': `${base}/operations/${operationId}?api-version=${NETWORK_API_VERSION}`,
      Location: `${base}/operationResults/${operationId}?api-version=${NETWORK_API_VERSION}`,
    },
  };
  if (initialBody !== undefined) response.body = initialBody;
  return response;
}

/** `GET .../locations/{l}/operations/{id}`: the operation's status. */
export function operationStatus(state: LabState, operationId: string): LabResponse {
  const result = state.operations.get(operationId);
  if (!result) return json(404, { error: { code: 'NotFound', message: `Operation ${operationId} not found.` } });
  if (result.status >= 400) {
    const error = (result.body as { error?: unknown } | undefined)?.error ?? { code: 'InternalServerError', message: 'The operation failed.' };
    return json(200, { id: operationId, name: operationId, status: 'Failed', error });
  }
  return json(200, { id: operationId, name: operationId, status: 'Succeeded' });
}

/** `GET .../locations/{l}/operationResults/{id}`: the operation's result. */
export function operationResult(state: LabState, operationId: string): LabResponse {
  const result = state.operations.get(operationId);
  if (!result) return json(404, { error: { code: 'NotFound', message: `Operation ${operationId} not found.` } });
  return result;
}
