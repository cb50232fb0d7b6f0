/**
 * Limits: every NETPROOF_LIMITS_* setting parses with its documented default and refuses a bad
 * value naming the variable; the ones enforced in the pipeline are checked here through the lab
 * (rows per query, capture bytes of a finished capture, the source timeout is in faults.test.ts)
 * and the capture limits as the CLI and the bot's worker pass them. The bot's own limits (upload
 * size, investigations per conversation and per bot), the LLM's (tool rounds, tokens per turn)
 * and the capture job's (duration, bytes) have their tests beside their code: see
 * bench/README-limits.md for the table and where each is tested.
 */
import { Readable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeCapture } from '../../src/capture/index.js';
import { ConfigSchema, parseConfig } from '../../src/config.js';
import { isUserInputError } from '../../src/domain/errors.js';
import { repositoryPath } from './fuzz-targets.js';
import { startProxiedEstate, type ProxiedEstate } from './harness.js';
import { assistantFor, captureReaderLimitsOf, createRuntime, type Runtime } from '../../src/main.js';
import type { createAssistant } from '../../src/llm/index.js';

/** What `assistantFor` hands the LLM assistant (recorded; the real assistant is still built). */
const assistantDependencies: Parameters<typeof createAssistant>[1][] = [];
vi.mock('../../src/llm/index.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/llm/index.js')>();
  return {
    ...original,
    createAssistant: (...parameters: Parameters<typeof original.createAssistant>) => {
      assistantDependencies.push(parameters[1]);
      return original.createAssistant(...parameters);
    },
  };
});

/** The documented defaults (bench/README-limits.md). */
const DEFAULTS: Record<string, number> = {
  NETPROOF_LIMITS_UPLOAD_BYTES: 200 * 1024 * 1024,
  NETPROOF_LIMITS_DECOMPRESSED_BYTES: 4 * 1024 * 1024 * 1024,
  NETPROOF_LIMITS_CAPTURE_FILE_BYTES: 4 * 1024 * 1024 * 1024,
  NETPROOF_LIMITS_PACKETS: 50_000_000,
  NETPROOF_LIMITS_CONVERSATIONS: 1_000_000,
  NETPROOF_LIMITS_QUERY_ROWS: 500,
  NETPROOF_LIMITS_SOURCE_TIMEOUT_MS: 30_000,
  NETPROOF_LIMITS_ESTATE_MAX_AGE_MS: 300_000,
  NETPROOF_LIMITS_TOOL_ROUNDS: 8,
  NETPROOF_LIMITS_TOKENS_PER_TURN: 60_000,
  NETPROOF_LIMITS_INVESTIGATIONS_PER_CONVERSATION: 2,
  NETPROOF_LIMITS_INVESTIGATIONS: 32,
  NETPROOF_LIMITS_CAPTURE_SECONDS: 600,
  NETPROOF_LIMITS_CAPTURE_BYTES: 100 * 1024 * 1024,
};

describe('configuration', () => {
  it('documents every NETPROOF_LIMITS_* setting there is', () => {
    const settings = Object.keys(ConfigSchema.shape).filter((name) => name.startsWith('NETPROOF_LIMITS_')).sort();
    expect(settings).toEqual(Object.keys(DEFAULTS).sort());
  });

  it.each(Object.entries(DEFAULTS))('%s defaults to %d and takes a positive integer', (name, fallback) => {
    expect((parseConfig({}) as Record<string, unknown>)[name]).toBe(fallback);
    expect((parseConfig({ [name]: '7' }) as Record<string, unknown>)[name]).toBe(7);
    for (const bad of ['0', '-1', '1.5', 'lots', '']) {
      expect(() => parseConfig({ [name]: bad }), `${name}=${bad}`).toThrow(new RegExp(`^bad configuration: ${name}: `));
    }
  });
});

describe('capture limits, as `netproof capture` and the bot\'s worker pass them', () => {
  const pcap = readFileSync(repositoryPath('test', 'fixtures', 'capture', 'mixed_streams.pcap'));
  const analyse = (bytes: Buffer, limits: Parameters<typeof analyzeCapture>[1] extends infer O ? O extends { limits?: infer L } ? L : never : never) =>
    analyzeCapture(Readable.from([bytes]), { limits });
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return isUserInputError(error) ? `${error.code}: ${error.message}` : `not a user error: ${String(error)}`;
    }
    return 'accepted';
  };

  it('input bytes (NETPROOF_LIMITS_UPLOAD_BYTES, NETPROOF_LIMITS_CAPTURE_FILE_BYTES): refused with the limit named', async () => {
    expect(await refusal(analyse(pcap, { maxInputBytes: 1_000 }))).toMatch(/^capture\.too-large: .*limit of 1000 bytes$/);
  });

  it('decompressed bytes (NETPROOF_LIMITS_DECOMPRESSED_BYTES): a gzip inflating past it is refused', async () => {
    const bomb = gzipSync(Buffer.concat([pcap, Buffer.alloc(4 * 1024 * 1024)]));
    expect(bomb.length).toBeLessThan(40_000);
    expect(await refusal(analyse(bomb, { maxDecompressedBytes: 1024 * 1024 }))).toMatch(/^capture\.too-large: .*the decompressed capture exceeds the limit of 1048576 bytes$/);
  });

  it('packets (NETPROOF_LIMITS_PACKETS): the report stops there with a warning', async () => {
    const report = await analyse(pcap, { maxPackets: 5 });
    expect(report.input.packets).toBe(5);
    expect(report.warnings.join(' ')).toMatch(/stopped after 5 packets/);
  });

  it('conversations (NETPROOF_LIMITS_CONVERSATIONS): the rest are counted, not tracked, with a warning', async () => {
    const full = await analyse(pcap, {});
    expect(full.conversations.length).toBeGreaterThan(1);
    const capped = await analyse(pcap, { maxConversations: 1 });
    expect(capped.conversations).toHaveLength(1);
    expect(capped.warnings.join(' ')).toMatch(/conversation/);
  });
});

describe('pipeline limits through the lab', () => {
  let estate: ProxiedEstate;
  let question: string;
  beforeAll(async () => {
    estate = await startProxiedEstate('tcp-reset', { NETPROOF_LIMITS_QUERY_ROWS: '1', NETPROOF_LIMITS_CAPTURE_BYTES: '512' }, { storage: true });
    question = (JSON.parse(readFileSync(repositoryPath('src', 'lab', 'scenarios', 'tcp-reset', 'expect.json'), 'utf8')) as { question: string }).question;
  }, 60_000);
  afterAll(async () => { await estate?.close(); });

  it('rows per query (NETPROOF_LIMITS_QUERY_ROWS) and capture bytes (NETPROOF_LIMITS_CAPTURE_BYTES)', async () => {
    const outcome = await estate.diagnose({ text: question });
    expect(outcome.kind).toBe('verdict');
    if (outcome.kind !== 'verdict') return;
    const verdict = outcome.verdict;
    // Each log query asks for at most the cap plus one row (to tell a truncated answer), or is one summary row
    // (freshness); never the whole table.
    const queries = estate.calls().filter((request) => /\/query\b/.test(request.url)).map((request) => (JSON.parse(request.body) as { query: string }).query);
    expect(queries.length).toBeGreaterThan(3);
    for (const query of queries) {
      const takes = [...query.matchAll(/\| (?:take|top) (\d+)/g)].map((match) => Number(match[1]));
      if (takes.length === 0) {
        expect(query, query).toMatch(/\n\| summarize [^\n|]*$/);
        continue;
      }
      expect(Math.max(...takes), query).toBeLessThanOrEqual(5);
    }
    // Rows kept per query: at most the cap (evidence items carry the query that produced them).
    const perQuery = new Map<string, number>();
    for (const item of verdict.evidence.filter((evidence) => /\| take \d+/.test(evidence.query))) perQuery.set(item.query, (perQuery.get(item.query) ?? 0) + 1);
    expect(perQuery.size).toBeGreaterThan(0);
    for (const [query, count] of perQuery) expect(count, query).toBeLessThanOrEqual(1);
    // The finished capture on vm-docs01 is larger than 512 bytes: not downloaded, and the gap says why.
    expect(verdict.evidence.some((item) => item.source === 'packetCapture')).toBe(false);
    expect(verdict.gaps).toContainEqual(expect.objectContaining({ reason: 'unsupported', detail: expect.stringMatching(/512-byte capture limit/) }));
  });
});

describe('the estate max age the composition root passes (src/main.ts)', () => {
  it.each([
    ['the default (5 minutes): the second question reuses the first read', {}, true],
    ['NETPROOF_LIMITS_ESTATE_MAX_AGE_MS=1: a read 20 ms later is a new one', { NETPROOF_LIMITS_ESTATE_MAX_AGE_MS: '1' }, false],
  ])('%s', async (_name, environment, reused) => {
    const runtime = await createRuntime(parseConfig(environment), { scenarioDirectories: [repositoryPath('src', 'lab', 'scenarios', 'tcp-reset')], frozenClock: true });
    try {
      const facade = runtime.estates[0]!.facade;
      const first = facade.estate();
      expect((await first).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = facade.estate();
      expect((await second).ok).toBe(true);
      expect(second === first).toBe(reused);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe('capture reader limits the composition root passes (src/main.ts)', () => {
  const environment = {
    NETPROOF_LIMITS_UPLOAD_BYTES: '5000000', NETPROOF_LIMITS_DECOMPRESSED_BYTES: '6000000', NETPROOF_LIMITS_PACKETS: '3', NETPROOF_LIMITS_CONVERSATIONS: '1',
  };
  let runtime: Runtime;
  let question: string;
  beforeAll(async () => {
    runtime = await createRuntime(parseConfig({ ...environment, OPENAI_API_KEY: 'sk-not-used', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_MODEL: 'scripted' }), {
      scenarioDirectories: [repositoryPath('src', 'lab', 'scenarios', 'tcp-reset')], frozenClock: true,
    });
    question = (JSON.parse(readFileSync(repositoryPath('src', 'lab', 'scenarios', 'tcp-reset', 'expect.json'), 'utf8')) as { question: string }).question;
  }, 60_000);
  afterAll(async () => { await runtime?.close(); });

  it('captureReaderLimitsOf takes NETPROOF_LIMITS_DECOMPRESSED_BYTES, _PACKETS and _CONVERSATIONS', () => {
    expect(captureReaderLimitsOf(runtime.config)).toEqual({ maxDecompressedBytes: 6_000_000, maxPackets: 3, maxConversations: 1 });
  });

  it('a finished capture found in Azure (existingCaptures) is read within NETPROOF_LIMITS_PACKETS and _CONVERSATIONS', async () => {
    const [estate] = runtime.estates;
    const outcome = await estate!.diagnose({ text: question });
    expect(outcome.kind).toBe('verdict');
    if (outcome.kind !== 'verdict') return;
    const captures = outcome.verdict.evidence.filter((item) => item.source === 'packetCapture');
    expect(captures.length).toBeGreaterThan(0);
    for (const item of captures) {
      const report = (item.data as { report: { input: { packets: number }; conversations: unknown[]; warnings: string[] } }).report;
      expect(report.input.packets).toBe(3);
      expect(report.conversations.length).toBeLessThanOrEqual(1);
      expect(report.warnings.join(' ')).toMatch(/stopped after 3 packets/);
    }
  });

  it('uploads the LLM analyses (assistantFor captureOptions) get every reader limit, the upload size as the byte cap', () => {
    assistantDependencies.length = 0;
    expect(assistantFor(runtime, runtime.estates[0]!)).not.toBeNull();
    expect(assistantDependencies).toHaveLength(1);
    expect(assistantDependencies[0]?.captureOptions?.limits).toEqual({ maxInputBytes: 5_000_000, maxDecompressedBytes: 6_000_000, maxPackets: 3, maxConversations: 1 });
  });
});
