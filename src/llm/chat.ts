/** One chat completion, streamed or not, reduced to what the loop needs: the text, the tool calls, the tokens spent. */
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';

/** A tool call the model made. */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What the model answered in one round. */
export interface ModelReply {
  content: string | null;
  toolCalls: ModelToolCall[];
  /** Tokens the round cost (reported by the server, else estimated from the text). */
  tokens: number;
}

/** One request. */
export interface CompletionRequest {
  model: string;
  messages: ChatCompletionMessageParam[];
  tools: ChatCompletionTool[];
  stream: boolean;
  signal?: AbortSignal;
}

/** A rough count for servers that report no usage: about four characters a token. */
function estimateTokens(messages: readonly ChatCompletionMessageParam[], reply: { content: string | null; toolCalls: ModelToolCall[] }): number {
  const input = JSON.stringify(messages).length;
  const output = (reply.content ?? '').length + reply.toolCalls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  return Math.ceil((input + output) / 4);
}

/** Sends one request and collects the reply. */
export async function complete(client: OpenAI, request: CompletionRequest): Promise<ModelReply> {
  const base = {
    model: request.model,
    messages: request.messages,
    ...(request.tools.length > 0 ? { tools: request.tools, tool_choice: 'auto' as const, parallel_tool_calls: true } : {}),
  };
  const options = request.signal ? { signal: request.signal } : {};
  if (!request.stream) {
    const completion = await client.chat.completions.create({ ...base, stream: false }, options);
    const message = completion.choices[0]?.message;
    const toolCalls = (message?.tool_calls ?? []).flatMap((call) => (call.type === 'function'
      ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }] : []));
    const reply = { content: message?.content ?? null, toolCalls };
    return { ...reply, tokens: completion.usage?.total_tokens ?? estimateTokens(request.messages, reply) };
  }
  const stream = await client.chat.completions.create({ ...base, stream: true, stream_options: { include_usage: true } }, options);
  let content = '';
  let sawContent = false;
  let usage: number | null = null;
  const calls = new Map<number, ModelToolCall>();
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage.total_tokens;
    const delta = chunk.choices[0]?.delta;
    if (!delta) continue;
    if (typeof delta.content === 'string') {
      content += delta.content;
      sawContent = true;
    }
    for (const part of delta.tool_calls ?? []) {
      const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
      if (part.id) call.id = part.id;
      if (part.function?.name) call.name += part.function.name;
      if (part.function?.arguments) call.arguments += part.function.arguments;
      calls.set(part.index, call);
    }
  }
  const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([index, call]) => ({ ...call, id: call.id || `call_${index}` }));
  const reply = { content: sawContent ? content : null, toolCalls };
  return { ...reply, tokens: usage ?? estimateTokens(request.messages, reply) };
}
