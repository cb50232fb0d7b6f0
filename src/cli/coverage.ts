/** `netproof coverage [--scenario DIR] [--json]`: flow-log coverage of the estate and the policy plan that closes the gaps. */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { renderCoverageMarkdown } from '../coverage/index.js';
import { CoverageReportSchema } from '../domain/coverage.js';
import { createRuntime, estateCoverage, type Estate, type Runtime } from '../main.js';

/** Options of `netproof coverage`. */
export interface CoverageOptions {
  scenario?: string;
  json?: boolean;
  /** Also write the plan's deployment template(s) to this file. */
  template?: string;
}

/**
 * The estate to report on: the only one, or (the built-in demo lab holds several scenarios) the
 * one with the most VNets, ties by name, which is the one with the most to say about coverage.
 */
async function coverageEstate(runtime: Runtime): Promise<Estate> {
  const [first] = runtime.estates;
  if (!first) throw new Error('no estate to report on');
  if (runtime.estates.length === 1) return first;
  const sized = await Promise.all(runtime.estates.map(async (estate) => {
    const loaded = await estate.facade.estate();
    return { estate, vnets: loaded.ok ? loaded.value.topology.virtualNetworks.length : -1 };
  }));
  sized.sort((left, right) => right.vnets - left.vnets || left.estate.name.localeCompare(right.estate.name));
  const chosen = sized[0]?.estate ?? first;
  process.stderr.write(`netproof: coverage of the built-in scenario ${chosen.name} (of ${runtime.estates.length}); pass --scenario DIR for another\n`);
  return chosen;
}

/** Runs `netproof coverage`. */
export async function runCoverage(options: CoverageOptions): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config, { ...(options.scenario ? { scenarioDirectories: [options.scenario] } : {}), frozenClock: true });
  try {
    const estate = await coverageEstate(runtime);
    const outcome = await estateCoverage(runtime, estate);
    if (!outcome.ok) throw new Error(`the estate could not be read: ${outcome.gap.source}: ${outcome.gap.reason} (${outcome.gap.detail})`);
    const report = CoverageReportSchema.parse(outcome.report);
    for (const warning of report.warnings) process.stderr.write(`netproof: ${warning}\n`);
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderCoverageMarkdown(report)}\n`);
    if (options.template) {
      const templates = report.plan.templates;
      writeFileSync(options.template, `${JSON.stringify(templates.length === 1 ? templates[0]?.template : templates, null, 2)}\n`);
      process.stderr.write(`netproof: deployment template written to ${options.template}\n`);
    }
  } finally {
    await runtime.close();
  }
}
