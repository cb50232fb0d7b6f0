/**
 * A scripted OpenAI-compatible chat completions server on loopback, for driving the
 * REAL `openai` client in tests. It plays a recorded conversation: each POST to
 * `/v1/chat/completions` (OpenAI) or `/openai/deployments/<name>/chat/completions`
 * (Azure OpenAI) takes the next step of the script and answers it as JSON or, when
 * the request asks to stream, as server-sent events with content and tool-call
 * deltas split across chunks, the way OpenAI streams them. Steps may answer with an
 * HTTP error (429 with Retry-After, 500) or late (for timeouts). Every request is
 * recorded so a test can check what the model was shown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ToolCallSchema = z.object({
  name: z.string(),
  /** An object is sent as JSON; a string is sent as is (to script malformed arguments). */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]),
});

/** One step of a script: the answer to one request. */
export const StepSchema = z.object({
  /** What the step stands for, for failure messages. */
  note: z.string().optional(),
  /** Answer with this HTTP status and body instead of a completion. */
  status: z.number().int().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
  /** Wait this long before answering (a client timeout shorter than this aborts). */
  delayInMs: z.number().int().optional(),
  /** The assistant message to answer with. */
  reply: z.object({
    content: z.string().nullable().optional(),
    toolCalls: z.array(ToolCallSchema).optional(),
  }).optional(),
  usage: z.object({ promptTokens: z.number().int(), completionTokens: z.number().int() }).optional(),
});
export type Step = z.infer<typeof StepSchema>;

/** A recorded conversation. */
export const ScriptSchema = z.object({ description: z.string(), steps: z.array(StepSchema) });
export type Script = z.infer<typeof ScriptSchema>;

/** A request as the server saw it. */
export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: {
    model?: string;
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
    messages: Array<{ role: string; content?: string | null; tool_call_id?: string; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }> }>;
    tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
  };
}

/** The running server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>/v1` for the OpenAI client. */
  baseUrl: string;
  /** `http://127.0.0.1:<port>` for the Azure client. */
  origin: string;
  requests: RecordedRequest[];
  /** Steps not yet played. */
  remaining(): number;
  close(): Promise<void>;
}

/** Reads a script from `test/fixtures/llm/<name>.json`. */
export function loadScript(name: string): Script {
  const url = new URL(`../fixtures/llm/${name}.json`, import.meta.url);
  return ScriptSchema.parse(JSON.parse(readFileSync(url, 'utf8')));
}

let callNumber = 0;

/** The latest verdict the model was shown: in a diagnose_connection result, or in a rejection that carries the loop's own diagnosis. */
export function latestVerdictShown(request: RecordedRequest): Record<string, unknown> | null {
  for (const message of [...request.body.messages].reverse()) {
    if (message.role !== 'tool' && message.role !== 'user') continue;
    const texts = [message.content ?? ''];
    for (const text of texts) {
      const candidates = [text, ...text.split('\n').filter((line) => line.trim().startsWith('{'))];
      for (const candidate of candidates) {
        let parsed: unknown;
        try { parsed = JSON.parse(candidate); } catch { continue; }
        const found = findVerdict(parsed);
        if (found) return found;
      }
    }
  }
  return null;
}

function findVerdict(value: unknown): Record<string, unknown> | null {
  if (value === null || typeof value !== 'object') return null;
  const record = value as Record<string, unknown>;
  if (typeof record.cause === 'string' && Array.isArray(record.findings)) return record;
  for (const key of ['data', 'verdict', 'error']) {
    const found = findVerdict(record[key]);
    if (found) return found;
  }
  if (typeof record.message === 'string') {
    for (const line of record.message.split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      try {
        const found = findVerdict(JSON.parse(line));
        if (found) return found;
      } catch { /* not JSON: prose */ }
    }
  }
  return null;
}

/**
 * Fills `{{cause}}`, `{{confidence}}`, `{{summary}}`, `{{findingIds}}`, `{{citedEvidenceIds}}`,
 * `{{firstFindingId}}`, `{{firstEvidenceId}}` from the verdict the model was shown, the way a
 * model reads them off the tool result. A string that is exactly an array placeholder becomes the array.
 */
function fill(value: unknown, verdict: Record<string, unknown> | null): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    if (!verdict) throw new Error(`script placeholder ${value} but the model was shown no verdict`);
    const findings = verdict.findings as Array<{ id: string; evidence: string[] }>;
    const cited = (verdict.citedEvidence as Array<{ id: string }> | undefined)?.map((item) => item.id) ?? findings.flatMap((finding) => finding.evidence);
    const arrays: Record<string, string[]> = { '{{findingIds}}': findings.map((finding) => finding.id), '{{citedEvidenceIds}}': cited };
    if (arrays[value]) return arrays[value];
    const scalars: Record<string, string> = {
      cause: String(verdict.cause), confidence: String(verdict.confidence), summary: String(verdict.summary),
      firstFindingId: findings[0]?.id ?? '', firstEvidenceId: cited[0] ?? '',
    };
    return value.replace(/\{\{(\w+)\}\}/gu, (_whole, name: string) => {
      const replacement = scalars[name];
      if (replacement === undefined) throw new Error(`unknown script placeholder {{${name}}}`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => fill(item, verdict));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, verdict)]));
  return value;
}

function completionOf(step: Step, request: RecordedRequest) {
  const model = request.body.model ?? 'scripted';
  const verdict = latestVerdictShown(request);
  const calls = (step.reply?.toolCalls ?? []).map((call) => {
    callNumber += 1;
    const text = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(fill(call.arguments, verdict));
    return { id: `call_${callNumber}`, type: 'function' as const, function: { name: call.name, arguments: text } };
  });
  const usage = step.usage ?? { promptTokens: 100, completionTokens: 20 };
  return {
    calls,
    content: step.reply?.content ?? null,
    usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
    model,
  };
}

/** Splits a string into at most `parts` pieces (streams deliver text in pieces). */
function pieces(text: string, parts: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.ceil(text.length / parts);
  const result: string[] = [];
  for (let index = 0; index < text.length; index += size) result.push(text.slice(index, index + size));
  return result;
}

function answer(step: Step, request: RecordedRequest, response: ServerResponse): void {
  if (step.status !== undefined) {
    response.writeHead(step.status, { 'content-type': 'application/json', ...(step.headers ?? {}) });
    response.end(JSON.stringify(step.body ?? { error: { message: `scripted ${step.status}`, type: 'scripted', code: null } }));
    return;
  }
  const { calls, content, usage, model } = completionOf(step, request);
  const id = `chatcmpl-${callNumber}`;
  const created = 1_700_000_000;
  const finishReason = calls.length > 0 ? 'tool_calls' : 'stop';
  if (!request.body.stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({
      id, object: 'chat.completion', created, model,
      choices: [{ index: 0, finish_reason: finishReason, logprobs: null, message: { role: 'assistant', content, refusal: null, ...(calls.length > 0 ? { tool_calls: calls } : {}) } }],
      usage,
    }));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (delta: Record<string, unknown>, finish: string | null = null) => response.write(`data: ${JSON.stringify({
    id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`);
  send({ role: 'assistant', content: content === null ? null : '' });
  if (content !== null) for (const piece of pieces(content, 3)) send({ content: piece });
  calls.forEach((call, index) => {
    send({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
    for (const piece of pieces(call.function.arguments, 3)) send({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  send({}, finishReason);
  if (request.body.stream_options?.include_usage) {
    response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
  }
  response.end('data: [DONE]\n\n');
}

/** Starts the server on an ephemeral loopback port, playing `script`. */
export async function startScriptedServer(script: Script | Step[]): Promise<ScriptedServer> {
  const steps = [...(Array.isArray(script) ? script : script.steps)];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const path = incoming.url ?? '';
      const isCompletion = incoming.method === 'POST' && /^\/(?:v1\/chat\/completions|openai\/deployments\/[^/]+\/chat\/completions)(?:\?|$)/u.test(path);
      if (!isCompletion) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `no route ${incoming.method} ${path}` } }));
        return;
      }
      const request: RecordedRequest = { path, headers: incoming.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'] };
      requests.push(request);
      const step = steps.shift();
      if (!step) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'the script has no more steps' } }));
        return;
      }
      if (step.delayInMs === undefined) {
        answer(step, request, response);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!response.destroyed) answer(step, request, response);
      }, step.delayInMs);
      timers.add(timer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    remaining: () => steps.length,
    close: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The tool messages the model was sent in a request, parsed. */
export function toolResultsIn(request: RecordedRequest): Array<{ tool: string; ok: boolean; notice?: string; data?: unknown; error?: { code: string; message: string; retryable: boolean } }> {
  return request.body.messages.filter((message) => message.role === 'tool').map((message) => JSON.parse(message.content ?? '{}'));
}
