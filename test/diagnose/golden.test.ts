/**
 * Golden tests: every built-in lab scenario's question, asked through the whole
 * pipeline (real SDK clients against the lab), meets its expect.json, and the whole
 * verdict is checked into test/golden/<scenario>/verdict.json.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { ScenarioExpectationSchema, VerdictSchema } from '../../src/domain/index.js';
import { createRuntime, type Runtime } from '../../src/main.js';
import { listBuiltInScenarios } from '../../src/lab/index.js';

const directories = listBuiltInScenarios();

describe.each(directories.map((directory) => [basename(directory), directory]))('scenario %s', (name, directory) => {
  const expectation = ScenarioExpectationSchema.parse(JSON.parse(readFileSync(join(directory, 'expect.json'), 'utf8')));

  let runtime: Runtime;
  beforeAll(async () => {
    runtime = await createRuntime(parseConfig({}), { scenarioDirectories: [directory], frozenClock: true });
  }, 60_000);
  afterAll(async () => {
    await runtime?.close();
  });

  it('answers its question as expect.json says, with the whole verdict golden', async () => {
    const [estate] = runtime.estates;
    const outcome = await estate!.diagnose({ text: expectation.question });
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
