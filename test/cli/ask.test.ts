/**
 * `netproof ask` on a lab scenario: Markdown and JSON answers, the evidence pack,
 * determinism, the assistant being down, and a question that needs clarification
 * (exit 2 with candidates, from the built binary).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAsk, type AskOptions } from '../../src/cli/ask.js';
import { isUserInputError, VerdictSchema } from '../../src/domain/index.js';

const SCENARIO = join(import.meta.dirname, '..', '..', 'src', 'lab', 'scenarios', 'rdp-remote-site');
const QUESTION = "why can't 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?";

async function ask(question: string, options: AskOptions): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { stdout += String(chunk); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { stderr += String(chunk); return true; });
  try {
    await runAsk(question, options);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

/** A loopback port with nothing listening (the LLM is down). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('netproof ask', () => {
  it('answers in Markdown: verdict first, then the proof with its queries', async () => {
    const { stdout } = await ask(QUESTION, { scenario: SCENARIO });
    expect(stdout.indexOf('no_packets_from_source')).toBeGreaterThan(0);
    expect(stdout.indexOf('### Proof')).toBeGreaterThan(stdout.indexOf('**Cause:**'));
    expect(stdout).toMatch(/```kusto\nAZFWNetworkRule/);
  });

  it('prints the Verdict JSON, byte for byte the same on every run, and writes the evidence pack', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'netproof-ask-')), 'pack.html');
    const first = await ask(QUESTION, { scenario: SCENARIO, json: true, report });
    const second = await ask(QUESTION, { scenario: SCENARIO, json: true });
    expect(first.stdout).toBe(second.stdout);
    const verdict = VerdictSchema.parse(JSON.parse(first.stdout));
    expect(verdict.cause).toBe('no_packets_from_source');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<!doctype html>');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']https?:/i);
  });

  it('answers from the rules with one line saying the assistant is degraded when the LLM is down', async () => {
    vi.stubEnv('OPENAI_BASE_URL', `http://127.0.0.1:${await closedPort()}/v1`);
    vi.stubEnv('OPENAI_MODEL', 'local-model');
    vi.stubEnv('OPENAI_API_KEY', 'not-a-real-key');
    const { stdout, stderr } = await ask(QUESTION, { scenario: SCENARIO, json: true });
    expect(VerdictSchema.parse(JSON.parse(stdout)).cause).toBe('no_packets_from_source');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/assistant/i);
    expect(stderr).not.toContain('not-a-real-key');
  });

  it('asks back with the closest names for an unknown resource', async () => {
    const error = await ask("why can't 192.168.10.5 RDP to vm-ap01 between 14:00 and 14:30 UTC?", { scenario: SCENARIO }).catch((caught: unknown) => caught);
    expect(isUserInputError(error)).toBe(true);
    expect((error as { candidates?: string[] }).candidates?.[0]).toBe('vm-app01');
  });

  it('exits 2 with the JSON error on stdout and one line on stderr (built binary)', async () => {
    const binary = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli.js');
    const run = promisify(execFile);
    const failure = await run(process.execPath, [binary, 'ask', 'why cannot vm-ap01 reach 10.201.1.4 on 3389?', '--scenario', SCENARIO, '--json'])
      .catch((caught: { code: number; stdout: string; stderr: string }) => caught);
    expect('code' in failure ? failure.code : 0).toBe(2);
    const output = JSON.parse(failure.stdout) as { error: { code: string; candidates: string[] } };
    expect(output.error.code).toMatch(/^question\./);
    expect(output.error.candidates).toContain('vm-app01');
    expect(failure.stderr.trim().split('\n')).toHaveLength(1);
  });
});
