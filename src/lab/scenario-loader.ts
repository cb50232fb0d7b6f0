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

/**
 * The offset of the first character that makes the text invalid JSON (JSON.parse's message gives no
 * position in every Node version). A plain recursive-descent check over RFC 8259.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const space = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at] ?? '')) at += 1;
  };
  const fail = (): never => {
    throw at;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, at)) at += word.length;
    else fail();
  };
  const string = (): void => {
    at += 1;
    while (at < text.length && text[at] !== '"') {
      const character = text.charCodeAt(at);
      if (character < 0x20) fail();
      if (text[at] === '\\') {
        at += 1;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail();
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail();
      }
      at += 1;
    }
    if (at >= text.length) fail();
    at += 1;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail();
    at += match?.[0].length ?? 0;
  };
  const value = (): void => {
    space();
    const character = text[at];
    if (character === '{') {
      at += 1;
      space();
      if (text[at] === '}') {
        at += 1;
        return;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ':') fail();
        at += 1;
        value();
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') {
          at += 1;
          return;
        } else fail();
      }
    } else if (character === '[') {
      at += 1;
      space();
      if (text[at] === ']') {
        at += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') {
          at += 1;
          return;
        } else fail();
      }
    } else if (character === '"') string();
    else if (character === 't') literal('true');
    else if (character === 'f') literal('false');
    else if (character === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    return at < text.length ? at : undefined;
  } catch (offset) {
    return typeof offset === 'number' ? offset : undefined;
  }
}

/** Parses JSON, naming the file and the position of a syntax error. */
function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = jsonErrorOffset(text);
    const where = offset === undefined ? undefined : lineAndColumn(text, offset);
    // JSON.parse quotes the bad text, control characters and all: escape them so the error stays one line.
    const detail = message.replace(/\s*\(line \d+ column \d+\)$/, '')
      .replace(/\p{Cc}|[\u2028\u2029]/gu, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
