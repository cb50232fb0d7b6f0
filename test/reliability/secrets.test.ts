/**
 * Secrets: canary values in every secret setting and in every token the lab issues (the
 * bearer token the SDK clients send, Azurite's account keys) never appear in what the pipeline
 * produces: the verdict JSON, the Markdown answer, the Adaptive Card, the evidence pack, the
 * gap details and error messages of failing sources, and the LLM layer's answer and log fields
 * when the model endpoint refuses the key and echoes it back, as OpenAI does. The bot's logs,
 * cards and HTTP answers are scanned by the bot-level secrets test.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createAssistant } from '../../src/llm/index.js';
import { accountKey, DEVELOPMENT_ACCOUNT } from '../../src/lab/azurite.js';
import { verdictCard } from '../../src/report/adaptive-card.js';
import { renderEvidencePack } from '../../src/report/html.js';
import { renderVerdictMarkdown } from '../../src/report/markdown.js';
import type { Fault } from '../../src/domain/scenario.js';
import { startScriptedServer } from '../llm/scripted-server.js';
import { CANARIES, SECRET_ENVIRONMENT } from './canaries.js';
import { repositoryPath } from './fuzz-targets.js';
import { startProxiedEstate, type ProxiedEstate } from './harness.js';

/** Every secret value a text must not contain, with what it is. */
function secrets(extra: Record<string, string> = {}): [string, string][] {
  return Object.entries({ ...CANARIES, ...extra });
}

function expectNoSecret(where: string, text: string, extra: Record<string, string> = {}): void {
  for (const [name, value] of secrets(extra)) expect(text.includes(value), `${name} in ${where}`).toBe(false);
}

const question = (scenario: string) => (JSON.parse(readFileSync(repositoryPath('src', 'lab', 'scenarios', scenario, 'expect.json'), 'utf8')) as { question: string }).question;

describe('the pipeline\'s outputs', () => {
  let estate: ProxiedEstate;
  let azuriteKeys: Record<string, string>;
  beforeAll(async () => {
    estate = await startProxiedEstate('tcp-reset', SECRET_ENVIRONMENT, { storage: true, token: CANARIES.labToken });
    const accounts = [...(estate.lab.storage?.accounts.keys() ?? [DEVELOPMENT_ACCOUNT])];
    azuriteKeys = Object.fromEntries(accounts.map((account) => [`Azurite key of ${account}`, accountKey(account)]));
  }, 60_000);
  afterAll(async () => { await estate?.close(); });

  it('the lab really received the canary token (the scan can fail)', async () => {
    await estate.diagnose({ text: question('tcp-reset') });
    expect(estate.calls().some((request) => request.headers.authorization === `Bearer ${CANARIES.labToken}`)).toBe(true);
    expect(Object.keys(azuriteKeys).length).toBeGreaterThan(0);
  });

  it.each<[string, Fault | null]>([
    ['no fault', null],
    ['logs forbidden', { target: 'logs', kind: 'forbidden' }],
    ['Network Watcher throttled', { target: 'networkWatcher', kind: 'throttle', retryAfterInSeconds: 0 }],
    ['captures failing', { target: 'packetCapture', kind: 'server-error', status: 500 }],
    ['estate unreadable', { target: 'resourceGraph', kind: 'forbidden' }],
  ])('%s: verdict, Markdown, card, evidence pack and gap details hold no secret', async (_name, fault) => {
    estate.reset();
    if (fault) estate.lab.injectFault(fault);
    const outcome = await estate.diagnose({ text: question('tcp-reset') });
    if (outcome.kind === 'clarify') {
      expectNoSecret('clarification', JSON.stringify(outcome), azuriteKeys);
      return;
    }
    const { verdict } = outcome;
    expect(verdict.evidence.length).toBeGreaterThan(0);
    expectNoSecret('verdict JSON', JSON.stringify(verdict), azuriteKeys);
    expectNoSecret('Markdown', renderVerdictMarkdown(verdict), azuriteKeys);
    expectNoSecret('Adaptive Card', JSON.stringify(verdictCard(verdict, { verdictId: 'v1', evidencePackUrl: 'https://bot.example/packs/abc', offerCapture: true })), azuriteKeys);
    expectNoSecret('evidence pack', renderEvidencePack(verdict, { generatedAt: '2026-12-01T00:00:00Z' }), azuriteKeys);
    expectNoSecret('timings', JSON.stringify(outcome.timings), azuriteKeys);
  });
});

describe('the LLM layer', () => {
  it('a model endpoint that refuses the key and echoes it back: no key in the answer or its log fields', async () => {
    const echo = (key: string) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const server = await startScriptedServer([echo(CANARIES.OPENAI_API_KEY), echo(CANARIES.OPENAI_API_KEY), echo(CANARIES.OPENAI_API_KEY)]);
    const estate = await startProxiedEstate('firewall-network-rule-deny', SECRET_ENVIRONMENT, { token: CANARIES.labToken });
    try {
      const config = parseConfig({ ...SECRET_ENVIRONMENT, OPENAI_BASE_URL: server.baseUrl, OPENAI_MODEL: 'scripted-model' });
      const assistant = createAssistant(config, {
        sources: estate.sources,
        createDiagnoser: () => estate.diagnose,
        now: estate.now,
        options: { stream: false, timeoutInMs: 10_000, maxRetries: 0 },
      });
      if (!assistant) throw new Error('no assistant');
      const answer = await assistant.answer({ text: question('firewall-network-rule-deny'), conversation: {}, scope: { subscriptionIds: [estate.subscriptionId] } });
      // The endpoint did get the key (so the scan is meaningful), and the turn still answered.
      expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${CANARIES.OPENAI_API_KEY}`);
      expect(answer.answeredBy).toBe('rules');
      expect(answer.verdict?.cause).toBe('firewall_deny');
      expectNoSecret('assistant answer (prose, degraded line, fallbackDetail, rejections)', JSON.stringify(answer));
    } finally {
      await server.close();
      await estate.close();
    }
  });
});
