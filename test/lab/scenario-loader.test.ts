import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/domain/errors.js';
import { builtInScenariosDirectory, listBuiltInScenarios, loadScenario } from '../../src/lab/index.js';
import { jsonErrorOffset } from '../../src/lab/scenario-loader.js';

const exampleDirectory = 'test/fixtures/scenarios/example-rdp-remote-site';
const example = JSON.parse(readFileSync(`${exampleDirectory}/scenario.json`, 'utf8')) as Record<string, unknown> & { resources: Record<string, unknown>[] };

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'netproof-lab-loader-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Writes a scenario folder and returns its path. */
function folder(name: string, files: Record<string, string>): string {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(directory, file), content);
  return directory;
}

async function loadError(directory: string): Promise<UserInputError> {
  const error = await loadScenario(directory).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserInputError);
  return error as UserInputError;
}

describe('loadScenario', () => {
  it('loads the example with its expectation', async () => {
    const loaded = await loadScenario(exampleDirectory);
    expect(loaded.directory).toBe(resolve(exampleDirectory));
    expect(loaded.scenario.resources.length).toBe(example.resources.length);
    expect(loaded.expectation?.cause).toBe('no_packets_from_source');
  });

  it.each([
    [
      'a resource id that is not one',
      (scenario: Record<string, unknown> & { resources: Record<string, unknown>[] }) => {
        scenario.resources[3] = { ...scenario.resources[3], id: 'resourceGroups/x/providers/Microsoft.Network/routeTables/y' };
      },
      'scenario.json: resources[3].id: a resource id starts with /subscriptions/',
    ],
    [
      'a clock that is not a date',
      (scenario: Record<string, unknown>) => {
        scenario.now = 'yesterday';
      },
      'scenario.json: now: Invalid ISO datetime',
    ],
    [
      'a missing workspace id',
      (scenario: Record<string, unknown>) => {
        delete scenario.workspaceId;
      },
      'scenario.json: workspaceId: Invalid input: expected string, received undefined',
    ],
    [
      'a table that is not a list of rows',
      (scenario: Record<string, unknown>) => {
        scenario.tables = { AZFWNetworkRule: { rows: [] } };
      },
      'scenario.json: tables.AZFWNetworkRule: Invalid input: expected array, received object',
    ],
    [
      'a fault of an unknown kind',
      (scenario: Record<string, unknown>) => {
        scenario.faults = [{ target: 'logs', kind: 'explode' }];
      },
      'scenario.json: faults[0].kind: Invalid option: expected one of',
    ],
  ])('names the file, the JSON path and what was expected: %s', async (name, change, message) => {
    const scenario = structuredClone(example);
    change(scenario);
    const directory = folder(name.replaceAll(' ', '-'), { 'scenario.json': JSON.stringify(scenario) });
    const error = await loadError(directory);
    expect(error.code).toBe('scenario.invalid');
    expect(error.message).toContain(join(directory, message));
  });

  it('names the file and the position of malformed JSON', async () => {
    const directory = folder('malformed', { 'scenario.json': '{\n  "name": "x",\n  "now": \n}' });
    const error = await loadError(directory);
    expect(error.code).toBe('scenario.invalid-json');
    expect(error.message).toMatch(new RegExp(`^${join(directory, 'scenario.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON at line 4, column 1: `));
  });

  it('requires the capture files the scenario names', async () => {
    const scenario = { ...structuredClone(example), packetCaptures: [{ target: '/subscriptions/x/vm', file: 'captures/missing.pcap' }] };
    const directory = folder('missing-capture', { 'scenario.json': JSON.stringify(scenario) });
    const error = await loadError(directory);
    expect(error.message).toBe(`${join(directory, 'scenario.json')}: packetCaptures[0].file: captures/missing.pcap does not exist in ${directory}`);
  });

  it('validates expect.json too', async () => {
    const directory = folder('bad-expectation', {
      'scenario.json': JSON.stringify(example),
      'expect.json': JSON.stringify({ question: 'why?', status: 'failing', layer: 'path', cause: 'gremlins', contributing: [], blockedAt: null }),
    });
    const error = await loadError(directory);
    expect(error.message).toContain(`${join(directory, 'expect.json')}: cause: Invalid option`);
  });

  it('says when the folder has no scenario.json', async () => {
    const error = await loadError(folder('empty', {}));
    expect(error.code).toBe('scenario.not-found');
    expect(error.message).toMatch(/no scenario\.json in this folder$/);
  });
});

describe('jsonErrorOffset', () => {
  it('finds an error exactly when JSON.parse refuses the text (fixed seed)', () => {
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', '}', ']', ',', ':', '"', 'x', ' ', '\\'), fc.boolean()).map(([text, position, insert, cut]) => {
      const at = position % (text.length + 1);
      return cut ? text.slice(0, at) : text.slice(0, at) + insert + text.slice(at);
    });
    fc.assert(
      fc.property(mutated, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(text) === undefined).toBe(valid);
      }),
      { seed: 20261112, numRuns: 2000 },
    );
  });
});

describe('built-in scenarios', () => {
  it('lists the folders holding a scenario.json, sorted', () => {
    folder('builtins/b-second', { 'scenario.json': '{}' });
    folder('builtins/a-first', { 'scenario.json': '{}' });
    folder('builtins/not-a-scenario', { 'README.md': 'x' });
    expect(listBuiltInScenarios(join(root, 'builtins'))).toEqual([join(root, 'builtins', 'a-first'), join(root, 'builtins', 'b-second')]);
    expect(listBuiltInScenarios(join(root, 'nothing-here'))).toEqual([]);
  });

  it('resolves to src/lab/scenarios from the source tree and from the built output', () => {
    expect(builtInScenariosDirectory()).toBe(resolve('src/lab/scenarios'));
    // Compile the loader alone (as the build does) under test/.tmp, so its imports resolve from this repository.
    const outDirectory = resolve('test/.tmp/lab-build/dist');
    rmSync(resolve('test/.tmp/lab-build'), { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [
        resolve('node_modules/typescript/bin/tsc'),
        'src/lab/scenario-loader.ts',
        ...['--outDir', outDirectory, '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023'],
        ...['--skipLibCheck', '--types', 'node', '--strict', '--verbatimModuleSyntax', '--resolveJsonModule'],
      ],
      { stdio: 'pipe' },
    );
    const fromDist = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import { builtInScenariosDirectory } from ${JSON.stringify(join(outDirectory, 'src/lab/scenario-loader.js'))}; process.stdout.write(builtInScenariosDirectory());`],
      { encoding: 'utf8' },
    );
    expect(fromDist).toBe(resolve(outDirectory, '..', 'src/lab/scenarios'));
  }, 120_000);
});
