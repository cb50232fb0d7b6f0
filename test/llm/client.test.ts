/** Which endpoint the assistant talks to, from the config: OpenAI-compatible, Azure OpenAI (key or Entra ID), or none. */
import { afterAll, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createAssistant, explainerFunction, llmSettings } from '../../src/llm/index.js';
import type { Verdict } from '../../src/domain/index.js';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';

const servers: ScriptedServer[] = [];
afterAll(async () => { await Promise.all(servers.map((server) => server.close())); });

const unusedDependencies = {
  sources: new Proxy({}, { get: () => () => Promise.reject(new Error('no sources in this test')) }) as never,
  createDiagnoser: () => () => Promise.reject(new Error('no diagnosis in this test')),
  now: () => new Date('2026-11-20T10:00:00Z'),
};

const verdict: Verdict = {
  question: { text: 'q', source: { ip: '10.0.0.4', name: null, resourceId: null }, destination: { ip: '10.1.0.4', name: null, resourceId: null }, protocol: 'tcp', port: 443, window: { start: '2026-11-20T08:00:00Z', end: '2026-11-20T09:00:00Z' } },
  status: 'failing', layer: 'transport', cause: 'tcp_refused', contributing: [], blockedAt: { component: 'server', resourceId: null, name: null, rule: null },
  confidence: 'high', summary: 'The destination refuses the connection: nothing listens on 443.',
  findings: [{ id: 'f1', code: 'tcp_refused', summary: 'RST from 10.1.0.4.', evidence: ['e1'] }],
  evidence: [{ id: 'e1', source: 'capture', query: 'upload', summary: 'SYN answered by RST', data: {} }], gaps: [], nextSteps: [],
};
const answerStep = { reply: { toolCalls: [{ name: 'submit_answer', arguments: { cause: '{{cause}}', findingIds: '{{findingIds}}', evidenceIds: '{{citedEvidenceIds}}', confidence: '{{confidence}}', text: '{{summary}}' } }] } };

it('is null without LLM settings: the rules answer alone', () => {
  expect(llmSettings(parseConfig({}))).toBeNull();
  expect(createAssistant(parseConfig({}), unusedDependencies)).toBeNull();
});

it.each([
  [{ OPENAI_BASE_URL: 'http://localhost:11434/v1' }, 'OPENAI_MODEL'],
  [{ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com' }, 'AZURE_OPENAI_DEPLOYMENT'],
  [{ AZURE_OPENAI_ENDPOINT: 'https://x.openai.azure.com', AZURE_OPENAI_DEPLOYMENT: 'gpt-4o' }, 'AZURE_OPENAI_API_KEY'],
])('a half-set configuration %j fails at start-up naming %s', (environment, variable) => {
  expect(() => createAssistant(parseConfig(environment), unusedDependencies)).toThrow(variable);
});

it('talks to a local OpenAI-compatible server without a key (Ollama style)', async () => {
  const server = await startScriptedServer([answerStep]);
  servers.push(server);
  const assistant = createAssistant(parseConfig({ OPENAI_BASE_URL: server.baseUrl, OPENAI_MODEL: 'llama3.1' }), unusedDependencies);
  const explained = await assistant!.explain(verdict);
  expect(explained).toEqual({ prose: verdict.summary, degraded: null });
  expect(server.requests[0]!.body.model).toBe('llama3.1');
  expect(server.requests[0]!.path).toBe('/v1/chat/completions');
});

it('talks to Azure OpenAI with an API key: deployment path, api-version, api-key header', async () => {
  const server = await startScriptedServer([answerStep]);
  servers.push(server);
  const config = parseConfig({ AZURE_OPENAI_ENDPOINT: server.origin, AZURE_OPENAI_DEPLOYMENT: 'netproof-gpt', AZURE_OPENAI_API_KEY: 'azure-key', AZURE_OPENAI_API_VERSION: '2024-10-21' });
  const assistant = createAssistant(config, { ...unusedDependencies, options: { stream: true } });
  expect(assistant!.description).toContain('Azure OpenAI deployment netproof-gpt');
  const prose = await explainerFunction(assistant!)({ verdict }, new AbortController().signal);
  expect(prose).toBe(verdict.summary);
  expect(server.requests[0]!.path).toBe('/openai/deployments/netproof-gpt/chat/completions?api-version=2024-10-21');
  expect(server.requests[0]!.headers['api-key']).toBe('azure-key');
});

it('talks to Azure OpenAI with Entra ID tokens when no key is set', async () => {
  const server = await startScriptedServer([answerStep]);
  servers.push(server);
  const config = parseConfig({ AZURE_OPENAI_ENDPOINT: server.origin, AZURE_OPENAI_DEPLOYMENT: 'netproof-gpt' });
  const assistant = createAssistant(config, { ...unusedDependencies, azureTokenProvider: async () => 'entra-token' });
  await assistant!.explain(verdict);
  expect(server.requests[0]!.headers.authorization).toBe('Bearer entra-token');
  expect(server.requests[0]!.path).toContain('api-version=2024-10-21');
});

it('the bot seam rejects when the explanation does not match the verdict, so the bot answers from the rules', async () => {
  const wrong = { reply: { toolCalls: [{ name: 'submit_answer', arguments: { cause: 'tcp_refused', findingIds: ['f1'], evidenceIds: ['e1'], confidence: 'high', text: 'The firewall blocks it.' } }] } };
  const server = await startScriptedServer([wrong, wrong]);
  servers.push(server);
  const assistant = createAssistant(parseConfig({ OPENAI_BASE_URL: server.baseUrl, OPENAI_MODEL: 'm' }), unusedDependencies);
  await expect(explainerFunction(assistant!)({ verdict }, new AbortController().signal)).rejects.toThrow(/did not match the evidence/u);
  expect(server.requests).toHaveLength(2);
});
