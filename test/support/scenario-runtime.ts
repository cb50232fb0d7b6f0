/**
 * One runtime (one lab, one Azurite) over many scenario folders, for tests that ask every
 * built-in scenario a question: starting a lab per scenario costs seconds each. The lab serves
 * every scenario under its own prefix, and createRuntime points each estate at its own
 * scenario's endpoints, so scenarios that share subscription or workspace ids stay apart.
 */
import { resolve } from 'node:path';
import { parseConfig } from '../../src/config.js';
import { createRuntime, type Estate, type Runtime } from '../../src/main.js';

/** A runtime over the given scenario folders, each scenario's clock frozen at its `now`. */
export function scenarioRuntime(directories: readonly string[]): Promise<Runtime> {
  return createRuntime(parseConfig({}), { scenarioDirectories: [...directories], frozenClock: true });
}

/** The estate of the scenario loaded from that folder (a scenario's name need not be its folder's). */
export function estateOf(runtime: Runtime, directory: string): Estate {
  const loaded = runtime.lab?.scenarios.find((candidate) => candidate.directory !== undefined && resolve(candidate.directory) === resolve(directory));
  const estate = loaded && runtime.estates.find((candidate) => candidate.name === loaded.scenario.name);
  if (!estate) throw new Error(`the runtime serves no scenario from ${directory}`);
  return estate;
}
