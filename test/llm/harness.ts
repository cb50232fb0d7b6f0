/**
 * The real deterministic pipeline for the LLM tests: a lab scenario served by the
 * embedded Azure emulator on loopback, reached through the real Azure SDK clients
 * and adapters (src/main.ts's runtime), and `diagnose` over the scoped sources the
 * assistant builds per turn.
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseConfig, type Config } from '../../src/config.js';
import { diagnose } from '../../src/diagnose/diagnose.js';
import type { EvidenceSources } from '../../src/diagnose/ports.js';
import type { AssistantDependencies } from '../../src/llm/index.js';
import { createRuntime, type Runtime } from '../../src/main.js';

/** A built-in lab scenario's folder. */
export function scenarioDirectory(name: string): string {
  return fileURLToPath(new URL(`../../src/lab/scenarios/${name}`, import.meta.url));
}

/** A running lab estate and what the assistant needs to use it. */
export interface LabEstate {
  runtime: Runtime;
  dependencies: Pick<AssistantDependencies, 'sources' | 'createDiagnoser' | 'now'>;
  subscriptionId: string;
  close(): Promise<void>;
}

/** Starts the lab on one scenario (a built-in name, or an absolute folder) with its clock frozen at the scenario's `now`. */
export async function startLabEstate(scenario: string, config: Config = parseConfig({})): Promise<LabEstate> {
  const directory = isAbsolute(scenario) ? scenario : scenarioDirectory(scenario);
  const runtime = await createRuntime(config, { scenarioDirectories: [directory], frozenClock: true });
  const estate = runtime.estates[0];
  if (!estate) throw new Error(`scenario ${scenario} gave no estate`);
  const subscriptionId = runtime.lab?.scenarios[0]?.scenario.subscriptionId;
  if (!subscriptionId) throw new Error(`scenario ${scenario} has no subscription`);
  return {
    runtime,
    subscriptionId,
    dependencies: {
      sources: estate.sources,
      createDiagnoser: (sources: EvidenceSources) => (request) => diagnose(request, {
        sources, now: estate.now(), sourceTimeoutInMs: config.NETPROOF_LIMITS_SOURCE_TIMEOUT_MS, monotonicNow: () => performance.now(),
      }),
      now: () => estate.now(),
    },
    close: () => runtime.close(),
  };
}
