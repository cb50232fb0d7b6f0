/**
 * Long fuzzing runs, on demand, never in the test run:
 *
 *   npx tsc -p bench/fuzz.tsconfig.json && node .bench-out/bench/fuzz.js
 *
 * Runs the properties of test/reliability/fuzz-targets.ts (the ones the default test run
 * checks with a fixed seed and few runs), and the activity handler of a running bot
 * (test/reliability/activity-fuzz.ts, target `activity-handler`), with random seeds, round after round, for
 * NETPROOF_FUZZ_SECONDS per target (default 30) or NETPROOF_FUZZ_RUNS inputs per round
 * (default 500). A failure is shrunk by fast-check and written to
 * test/fixtures/regressions/<target>/<seed>.json, which the default run then replays.
 * Prints, per target: inputs tried, failures, rounds, seconds, peak RSS.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { activityFuzzTarget, startActivityFuzzBot, type ActivityFuzzBot } from '../test/reliability/activity-fuzz.js';
import { encodeInput, FUZZ_TARGETS, REGRESSIONS, type FuzzTarget } from '../test/reliability/fuzz-targets.js';

const SECONDS = Number(process.env.NETPROOF_FUZZ_SECONDS ?? 30);
const RUNS = Number(process.env.NETPROOF_FUZZ_RUNS ?? 500);
const ONLY = process.env.NETPROOF_FUZZ_TARGET;

interface Row { target: string; inputs: number; failures: number; rounds: number; seconds: number; peakRssInMb: number }

/** The pure targets, then the activity handler over a bot started for it (and closed after). */
async function* targets(): AsyncGenerator<FuzzTarget> {
  yield* FUZZ_TARGETS;
  if (ONLY && ONLY !== 'activity-handler') return;
  let bot: ActivityFuzzBot | undefined;
  try {
    bot = await startActivityFuzzBot();
    yield activityFuzzTarget(bot) as FuzzTarget;
  } finally {
    await bot?.close();
  }
}

async function fuzz(): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const target of targets()) {
    if (ONLY && target.name !== ONLY) continue;
    const started = performance.now();
    let inputs = 0;
    let failures = 0;
    let rounds = 0;
    let peak = process.memoryUsage().rss;
    while (performance.now() - started < SECONDS * 1000) {
      const seed = Math.floor(Math.random() * 0x7fffffff);
      const details = await fc.check(fc.asyncProperty(target.arbitrary, async (input) => { await target.check(input); }), { seed, numRuns: RUNS });
      rounds += 1;
      inputs += details.numRuns + details.numShrinks;
      peak = Math.max(peak, process.memoryUsage().rss);
      if (details.failed) {
        failures += 1;
        const folder = join(REGRESSIONS, target.name);
        mkdirSync(folder, { recursive: true });
        const file = join(folder, `seed-${seed}.json`);
        writeFileSync(file, `${encodeInput(details.counterexample?.[0])}\n`);
        const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        console.error(`${target.name}: FAILED with seed ${seed} after ${details.numRuns} runs: ${error.split('\n')[0]} -> ${file}`);
      }
    }
    rows.push({ target: target.name, inputs, failures, rounds, seconds: Math.round((performance.now() - started) / 100) / 10, peakRssInMb: Math.round(peak / 1024 / 1024) });
    console.error(`${target.name}: ${inputs} inputs, ${failures} failures`);
  }
  return rows;
}

const rows = await fuzz();
console.log('| target | inputs tried | failures | rounds | seconds | peak RSS (MB) |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.target} | ${row.inputs} | ${row.failures} | ${row.rounds} | ${row.seconds} | ${row.peakRssInMb} |`);
console.log(`| total | ${rows.reduce((sum, row) => sum + row.inputs, 0)} | ${rows.reduce((sum, row) => sum + row.failures, 0)} | | | |`);
process.exitCode = rows.some((row) => row.failures > 0) ? 1 : 0;
