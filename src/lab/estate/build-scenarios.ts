/**
 * `npm run scenarios:build`: regenerates every built-in scenario folder under
 * src/lab/scenarios/ from its recipe. Captures are produced separately by
 * `captures.sh` with tcprewrite and are only checked here.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../built-module.js';
import { composeScenario, serialise } from './compose.js';
import { STORIES } from './scenarios.js';

/** The folder that holds the built-in scenarios (src/lab/scenarios from the repository root). */
export function scenariosFolder(root: string): string {
  return join(root, 'src', 'lab', 'scenarios');
}

const root = resolve(process.argv[2] ?? packageRoot());
const missing: string[] = [];
for (const factory of STORIES) {
  const story = factory();
  const { scenario, expect } = composeScenario(story);
  const folder = join(scenariosFolder(root), story.name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'scenario.json'), serialise(scenario));
  writeFileSync(join(folder, 'expect.json'), serialise(expect));
  for (const [file, content] of Object.entries(story.extraExpectations ?? {})) writeFileSync(join(folder, file), serialise(content));
  for (const capture of story.packetCaptures ?? []) {
    if (!existsSync(join(folder, capture.file))) missing.push(`${story.name}/${capture.file}`);
  }
  process.stdout.write(`${story.name}: ${Object.entries(scenario.tables as Record<string, unknown[]>).map(([table, rows]) => `${table} ${rows.length}`).join(', ')}\n`);
}
if (missing.length) {
  process.stderr.write(`missing captures (run src/lab/estate/captures.sh): ${missing.join(', ')}\n`);
  process.exitCode = 1;
}
