/**
 * `netproof capture` in process: summary and JSON output, the truncation warning on
 * stderr, the extra CA from the option or NETPROOF_EXTRA_CA_FILE, and user errors
 * (which the CLI wrapper turns into one line and exit 2).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCapture } from '../../src/cli/capture.js';
import { CaptureReportSchema } from '../../src/domain/capture-report.js';
import { isUserInputError } from '../../src/domain/errors.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'capture');

async function run(file: string, options: { json?: boolean; extraCa?: string } = {}): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdout += String(chunk);
    const callback = rest.find((argument) => typeof argument === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await runCapture(file, options);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('netproof capture', () => {
  it('prints the summary, problems first, naming the frames', async () => {
    const { stdout, stderr } = await run(join(FIXTURES, 'mixed_streams.pcap'));
    expect(stderr).toBe('');
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('pcap: 52 packets, 8542 bytes, 6 conversations, 3 problems');
    const problems = lines.indexOf('Problems:');
    const others = lines.indexOf('Other conversations:');
    expect(problems).toBeGreaterThan(0);
    expect(others).toBeGreaterThan(problems);
    const problemBlock = lines.slice(problems, others).join('\n');
    expect(problemBlock).toContain('tcp_refused');
    expect(problemBlock).toContain('tls_self_signed');
    expect(problemBlock).toMatch(/tcp_reset: .* \[frame 33\]/);
    expect(lines.slice(others).join('\n')).toMatch(/tcp-0 .* SF, handshake/);
  });

  it('prints the CaptureReport JSON with --json', async () => {
    const { stdout } = await run(join(FIXTURES, 'tcp_refused.ek.json'), { json: true });
    const report = CaptureReportSchema.parse(JSON.parse(stdout));
    expect(report.input.format).toBe('tshark-ek');
    expect(report.findings).toEqual([expect.objectContaining({ code: 'tcp_refused', conversation: 'tcp-0', frames: [1, 2] })]);
  });

  it('reports a truncated capture with a warning on stderr and still answers', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'netproof-capture-'));
    const truncated = join(directory, 'cut.pcap');
    writeFileSync(truncated, readFileSync(join(FIXTURES, 'tcp_zero_window.pcap')).subarray(0, 7000));
    const { stdout, stderr } = await run(truncated, { json: true });
    const report = CaptureReportSchema.parse(JSON.parse(stdout));
    expect(report.warnings.length).toBeGreaterThan(0);
    expect(stderr).toContain(`netproof: warning: ${report.warnings[0]}`);
    expect(report.conversations[0]?.tcp?.state).toBe('S1');
  });

  it('takes the extra CA from --extra-ca, and from NETPROOF_EXTRA_CA_FILE', async () => {
    const file = join(FIXTURES, 'tls_incomplete_chain.pcap');
    const without = CaptureReportSchema.parse(JSON.parse((await run(file, { json: true })).stdout));
    expect(without.conversations[0]?.tls?.chain).toBe('incomplete');
    expect(without.findings.map((finding) => finding.code)).toEqual(['tls_incomplete_chain']);

    const withOption = CaptureReportSchema.parse(JSON.parse((await run(file, { json: true, extraCa: join(FIXTURES, 'int.pem') })).stdout));
    expect(withOption.conversations[0]?.tls?.chain).toBe('complete');
    // The chain is then fine; what the client said (unknown_ca) is all that is left.
    expect(withOption.findings.map((finding) => finding.code)).toEqual(['tls_handshake_failure']);

    vi.stubEnv('NETPROOF_EXTRA_CA_FILE', join(FIXTURES, 'int.pem'));
    const withEnvironment = CaptureReportSchema.parse(JSON.parse((await run(file, { json: true })).stdout));
    expect(withEnvironment.conversations[0]?.tls?.chain).toBe('complete');
  });

  it.each([
    ['a file that is not a capture', join(FIXTURES, 'int.pem'), {}, 'capture.unknown-format'],
    ['a missing file', join(FIXTURES, 'no-such-file.pcap'), {}, undefined],
    ['an extra CA file without a certificate', join(FIXTURES, 'tcp_refused.pcap'), { extraCa: join(FIXTURES, 'tcp_refused.pcap') }, 'capture.extra-ca-invalid'],
  ])('refuses %s with a user error', async (_name, file, options, code) => {
    const error = await run(file, options).then(() => null, (caught: unknown) => caught);
    expect(isUserInputError(error)).toBe(true);
    if (code && isUserInputError(error)) expect(error.code).toBe(code);
  });
});
