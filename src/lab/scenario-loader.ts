/** Reads and validates scenario folders (CONTRACTS.md section 4), and finds the built-in ones. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { UserInputError } from '../domain/errors.js';
import { ScenarioExpectationSchema, ScenarioSchema, type Scenario, type ScenarioExpectation } from '../domain/scenario.js';

/** A scenario and where it came from. */
export interface LoadedScenario {
  /** The folder, absolute; undefined for a scenario passed in as data. */
  directory: string | undefined;
  scenario: Scenario;
  /** expect.json, when the folder is a test case. */
  expectation: ScenarioExpectation | undefined;
}

/** `resources[3].id`, `tables["AZFW Rule"][0]`: a zod issue path as a reader writes it. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text;
}

/** One line per zod issue, `file: path: what was expected`; the first three, then a count. */
function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = formatJsonPath(issue.path);
    return path ? `${file}: ${path}: ${issue.message}` : `${file}: ${issue.message}`;
  });
  const shown = lines.slice(0, 3).join('; ');
  return lines.length > 3 ? `${shown} (and ${lines.length - 3} more)` : shown;
}

/** Line and column (1-based) of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

/** Parses JSON, naming the file and the position of a syntax error. */
function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? lineAndColumn(text, Number(position[1])) : undefined;
    const detail = message.replace(/\s*\(line \d+ column \d+\)$/, '');
    const at = where ? ` at line ${where.line}, column ${where.column}` : '';
    throw new UserInputError('scenario.invalid-json', `${file}: not valid JSON${at}: ${detail}`);
  }
}

/** Validates scenario.json content; `file` names it in errors. */
export function parseScenario(file: string, data: unknown): Scenario {
  const result = ScenarioSchema.safeParse(data);
  if (!result.success) throw new UserInputError('scenario.invalid', describeIssues(file, result.error));
  return result.data;
}

/** Reads `DIR/scenario.json` (+ `expect.json`), validates both, and checks the capture files exist. */
export async function loadScenario(directory: string): Promise<LoadedScenario> {
  const folder = resolve(directory);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new UserInputError('scenario.not-found', `${directory}: no such scenario folder`);
  }
  const scenarioFile = join(folder, 'scenario.json');
  if (!existsSync(scenarioFile)) {
    throw new UserInputError('scenario.not-found', `${directory}: no scenario.json in this folder`);
  }
  const scenario = parseScenario(scenarioFile, parseJsonFile(scenarioFile, await readFile(scenarioFile, 'utf8')));
  scenario.packetCaptures.forEach((capture, index) => {
    const file = resolve(folder, capture.file);
    const inside = relative(folder, file);
    if (inside.startsWith('..') || inside.startsWith(sep)) {
      throw new UserInputError('scenario.invalid', `${scenarioFile}: packetCaptures[${index}].file: ${capture.file} is outside the scenario folder`);
    }
    if (!existsSync(file)) {
      throw new UserInputError('scenario.invalid', `${scenarioFile}: packetCaptures[${index}].file: ${capture.file} does not exist in ${folder}`);
    }
  });
  let expectation: ScenarioExpectation | undefined;
  const expectFile = join(folder, 'expect.json');
  if (existsSync(expectFile)) {
    const result = ScenarioExpectationSchema.safeParse(parseJsonFile(expectFile, await readFile(expectFile, 'utf8')));
    if (!result.success) throw new UserInputError('scenario.invalid', describeIssues(expectFile, result.error));
    expectation = result.data;
  }
  return { directory: folder, scenario, expectation };
}

/**
 * The folder of the built-in scenarios, `src/lab/scenarios`. The build copies no data, so from
 * `dist/src/lab/` this resolves back into the source tree.
 */
export function builtInScenariosDirectory(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const compiled = `${sep}dist${sep}src${sep}lab`;
  return here.endsWith(compiled) ? resolve(here, '..', '..', '..', 'src', 'lab', 'scenarios') : resolve(here, 'scenarios');
}

/** The built-in scenario folders (each with a scenario.json), sorted by name; empty when there are none. */
export function listBuiltInScenarios(directory: string = builtInScenariosDirectory()): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(directory, entry.name, 'scenario.json')))
    .map((entry) => join(directory, entry.name))
    .sort((left, right) => basename(left).localeCompare(basename(right)));
}
