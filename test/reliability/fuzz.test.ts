/**
 * Property-based fuzzing with fixed seeds (the long runs with random seeds are `bench/fuzz.ts`):
 * capture readers and gzip, the question parser, the KQL builders, the scenario loader. Every
 * input is accepted or refused with the one-line user error; nothing throws anything else or
 * hangs. Inputs that once broke something are replayed from test/fixtures/regressions/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeInput, FUZZ_TARGETS, REGRESSIONS } from './fuzz-targets.js';

const SEED = 20261207;

describe.each(FUZZ_TARGETS.map((target) => [target.name, target] as const))('%s', (name, target) => {
  it(`${target.defaultRuns} generated inputs (seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(target.arbitrary, async (input) => { await target.check(input); }), { seed: SEED, numRuns: target.defaultRuns });
  });

  const folder = join(REGRESSIONS, name);
  const fixtures = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.json')).sort() : [];
  it.skipIf(fixtures.length === 0).each(fixtures)('regression %s', async (file) => {
    await target.check(decodeInput(readFileSync(join(folder, file), 'utf8')));
  });
});
