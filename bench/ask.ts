/**
 * `ask` benchmark, run on demand, never in the test run: with every lab surface answering
 * 500 ms late (lab fault `{ target: 'all', kind: 'latency', latencyInMs: 500 }`), one turn of
 * the pipeline should take less than twice its slowest source, not the sum of its sources:
 * the investigation runs its sources in parallel.
 *
 * For each built-in scenario named in NETPROOF_BENCH_SCENARIOS (default: a few with many
 * sources), NETPROOF_BENCH_RUNS cold turns (default 5; a fresh runtime each, so the estate is
 * read again): wall time of `diagnose`, the slowest source (the longest step timing, topology
 * included), the sum of all sources, and their ratios. Medians are printed, with every run in
 * `results.json` under NETPROOF_BENCH_DIR (default $TMPDIR/netproof-bench).
 *
 *   tsc -p tsconfig.build.json; tsc -p bench/ask.tsconfig.json && node .bench-out/bench/ask.js
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/config.js';
import { createRuntime } from '../src/main.js';
import { listBuiltInScenarios } from '../src/lab/index.js';

/** The repository root (this file runs from .bench-out/bench). */
const ROOT = resolve(import.meta.dirname, '..', '..');
const LATENCY_IN_MS = 500;
const RUNS = Number(process.env.NETPROOF_BENCH_RUNS ?? 5);
const WORK = process.env.NETPROOF_BENCH_DIR ?? join(tmpdir(), 'netproof-bench');
const WANTED = (process.env.NETPROOF_BENCH_SCENARIOS ?? 'rdp-remote-site,nothing-listening,appservice-keyvault-dns-not-linked,tls-incomplete-chain').split(',');

interface Run { wallInMs: number; slowestSourceInMs: number; slowestStep: string; sumOfSourcesInMs: number; steps: number }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** A copy of the scenario folder with every lab surface 500 ms late. */
function slowCopy(directory: string, root: string): string {
  const target = join(root, basename(directory));
  cpSync(directory, target, { recursive: true });
  const file = join(target, 'scenario.json');
  const scenario = JSON.parse(readFileSync(file, 'utf8')) as { faults?: unknown[] };
  scenario.faults = [...(scenario.faults ?? []), { target: 'all', kind: 'latency', latencyInMs: LATENCY_IN_MS }];
  writeFileSync(file, JSON.stringify(scenario));
  return target;
}

async function turn(directory: string, question: string): Promise<Run> {
  // Generous per-source timeout: the bench measures the plan, not the timeout.
  const runtime = await createRuntime(parseConfig({ NETPROOF_LIMITS_SOURCE_TIMEOUT_MS: '60000' }), { scenarioDirectories: [directory], frozenClock: true });
  try {
    const started = performance.now();
    const outcome = await runtime.estates[0]!.diagnose({ text: question });
    const wallInMs = performance.now() - started;
    if (outcome.kind !== 'verdict') throw new Error(`${basename(directory)}: the question was not understood: ${outcome.message}`);
    const slowest = outcome.timings.reduce((best, timing) => (timing.durationInMs > best.durationInMs ? timing : best));
    return {
      wallInMs, slowestSourceInMs: slowest.durationInMs, slowestStep: slowest.step,
      sumOfSourcesInMs: outcome.timings.reduce((sum, timing) => sum + timing.durationInMs, 0), steps: outcome.timings.length,
    };
  } finally {
    await runtime.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  const root = mkdtempSync(join(WORK, 'ask-'));
  const results: Record<string, Run[]> = {};
  try {
    const directories = listBuiltInScenarios(join(ROOT, 'src', 'lab', 'scenarios')).filter((directory) => WANTED.includes(basename(directory)));
    for (const directory of directories) {
      const { question } = JSON.parse(readFileSync(join(directory, 'expect.json'), 'utf8')) as { question: string };
      const slow = slowCopy(directory, root);
      await turn(slow, question); // warm-up: module loading and JIT, not measured
      const runs: Run[] = [];
      for (let index = 0; index < RUNS; index += 1) runs.push(await turn(slow, question));
      results[basename(directory)] = runs;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  writeFileSync(join(WORK, 'results.json'), `${JSON.stringify({ latencyInMs: LATENCY_IN_MS, runs: RUNS, cpus: cpus().length, loadAverage: loadavg(), results }, null, 2)}\n`);
  console.log(`ask with every lab surface ${LATENCY_IN_MS} ms late, median of ${RUNS} cold turns (load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs)`);
  console.log('| scenario | sources | ask (wall) | slowest source | sum of sources | ask / slowest | ask / sum |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, runs] of Object.entries(results)) {
    const wall = median(runs.map((run) => run.wallInMs));
    const slowest = median(runs.map((run) => run.slowestSourceInMs));
    const sum = median(runs.map((run) => run.sumOfSourcesInMs));
    const step = runs.map((run) => run.slowestStep.split(':')[0]!).sort().find((value, index, all) => all.filter((other) => other === value).length > all.length / 2) ?? runs[0]!.slowestStep.split(':')[0]!;
    console.log(`| ${name} | ${runs[0]!.steps} | ${(wall / 1000).toFixed(2)} s | ${(slowest / 1000).toFixed(2)} s (${step}) | ${(sum / 1000).toFixed(2)} s | ${(wall / slowest).toFixed(2)} | ${(wall / sum).toFixed(2)} |`);
  }
}

await main();
