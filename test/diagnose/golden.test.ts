/**
 * Golden tests: every built-in lab scenario's question, asked through the whole
 * pipeline (real SDK clients against the lab), meets its expect.json, and the whole
 * verdict is checked into test/golden/<scenario>/verdict.json. One lab serves every scenario
 * (each estate reaches its own scenario's endpoints), so the file starts Azurite once.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioExpectationSchema, VerdictSchema } from '../../src/domain/index.js';
import type { Runtime } from '../../src/main.js';
import { listBuiltInScenarios } from '../../src/lab/index.js';
import { estateOf, scenarioRuntime } from '../support/scenario-runtime.js';

const directories = listBuiltInScenarios();

let runtime: Runtime;
beforeAll(async () => {
  runtime = await scenarioRuntime(directories);
}, 120_000);
afterAll(async () => {
  await runtime?.close();
});

describe.each(directories.map((directory) => [basename(directory), directory]))('scenario %s', (name, directory) => {
  const expectation = ScenarioExpectationSchema.parse(JSON.parse(readFileSync(join(directory, 'expect.json'), 'utf8')));

  it('answers its question as expect.json says, with the whole verdict golden', async () => {
    const outcome = await estateOf(runtime, directory).diagnose({ text: expectation.question });
    expect(outcome.kind, outcome.kind === 'clarify' ? outcome.message : '').toBe('verdict');
    if (outcome.kind !== 'verdict') return;
    const verdict = VerdictSchema.parse(outcome.verdict);
    expect({
      status: verdict.status, layer: verdict.layer, cause: verdict.cause,
      contributing: [...verdict.contributing].sort(), component: verdict.blockedAt?.component ?? null,
    }).toEqual({
      status: expectation.status, layer: expectation.layer, cause: expectation.cause,
      contributing: [...expectation.contributing].sort(), component: expectation.blockedAt?.component ?? null,
    });
    // Every finding cites evidence that exists.
    const ids = new Set(verdict.evidence.map((item) => item.id));
    for (const finding of verdict.findings) for (const id of finding.evidence) expect(ids.has(id), `${finding.id} cites ${id}`).toBe(true);
    await expect(`${JSON.stringify(verdict, null, 2)}\n`).toMatchFileSnapshot(`../golden/${name}/verdict.json`);
  });
});
