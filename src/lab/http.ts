/** Request and response plumbing shared by the lab's surfaces, and the error bodies Azure sends. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A parsed request. */
export interface LabRequest {
  method: string;
  /** Path with duplicate slashes collapsed, percent-decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body; undefined when empty. */
  body: unknown;
  /** `http://127.0.0.1:PORT`, for absolute links (nextLink, Location). */
  origin: string;
}

/** What a handler answers. */
export interface LabResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-serialised unless it is a Buffer; omitted for an empty body. */
  body?: unknown;
}

/** A response with a JSON body. */
export function json(status: number, body: unknown, headers?: Record<string, string>): LabResponse {
  return headers ? { status, body, headers } : { status, body };
}

/** ARM's error body: `{error: {code, message}}`. */
export function armError(status: number, code: string, message: string, extra?: Record<string, unknown>): LabResponse {
  return json(status, { error: { code, message, ...extra } });
}

/** Log Analytics' error body: `{error: {message, code, correlationId, innererror}}`. */
export function logsError(status: number, code: string, message: string, innererror?: Record<string, unknown>): LabResponse {
  const error: Record<string, unknown> = { message, code, correlationId: randomUUID() };
  if (innererror) error.innererror = innererror;
  return json(status, { error });
}

/** Reads the whole body; JSON when there is one. Throws SyntaxError for a body that is not JSON. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
}

/** The object body, or an empty object. */
export function bodyObject(request: LabRequest): Record<string, unknown> {
  const body = request.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Resolves after the given time, or at once when aborted. */
export function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
