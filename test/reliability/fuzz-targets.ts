/**
 * Fuzz targets shared by the default test run (fixed seeds, few runs: fuzz.test.ts) and the
 * long runs of `bench/fuzz.ts` (random seeds, many runs). Each target is an arbitrary and a
 * check that throws on a bug: the input either works or is refused with the one-line user
 * error (UserInputError, or the clarification / tool error of its boundary). No vitest here,
 * so the bench runs them without the test runner.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { analyzeCapture } from '../../src/capture/index.js';
import { FIREWALL_TABLES, firewallTableQuery, legacyFirewallQuery } from '../../src/azure/kql/firewall.js';
import { validateFlowFilter, type FlowFilterInput } from '../../src/azure/kql/flow-filter.js';
import { legacyTrafficAnalyticsQuery, trafficAnalyticsQuery } from '../../src/azure/kql/flow-logs.js';
import { parseQuestion } from '../../src/diagnose/question.js';
import { isUserInputError } from '../../src/domain/errors.js';
import { parseScenario } from '../../src/lab/scenario-loader.js';
import { context } from '../diagnose/question-fixture.js';

/** One fuzz target. `check` throws on a bug and returns normally for a clean accept or refusal. */
export interface FuzzTarget<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  check(input: T): Promise<void> | void;
  /** Runs in the default test run. */
  defaultRuns: number;
}

/** The repository root, found upwards from here (this file also runs compiled, from `.bench-out/`). */
function repositoryRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json')) || !existsSync(join(folder, 'src', 'lab'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('no netproof repository above this file');
    folder = parent;
  }
  return folder;
}

/** A path inside the repository. */
export function repositoryPath(...parts: string[]): string {
  return join(repositoryRoot(), ...parts);
}

/** Where regression fixtures live: `<target>/<name>.json` holding `{ "input": ... }` (bytes as base64). */
export const REGRESSIONS = repositoryPath('test', 'fixtures', 'regressions');

class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
}

function ensure(condition: boolean, message: string): void {
  if (!condition) throw new FuzzFailure(message);
}

/** A refusal must be the one-line user error: a UserInputError with a dotted code and a single line. */
function expectUserError(error: unknown, codePrefix: RegExp): void {
  if (!isUserInputError(error)) throw error;
  ensure(codePrefix.test(error.code), `unexpected error code ${error.code}`);
  ensure(!error.message.includes('\n') && error.message.length > 0 && error.message.length <= 2_000, `not a one-line message: ${JSON.stringify(error.message.slice(0, 200))}`);
}

/* ------------------------------------------------------------ capture readers */

const CAPTURES = `${repositoryPath('test', 'fixtures', 'capture')}/`;
const SEEDS: Buffer[] = [
  readFileSync(`${CAPTURES}tcp_refused.pcap`),
  readFileSync(`${CAPTURES}tls13_ok.pcapng`),
  readFileSync(`${CAPTURES}dns_nxdomain.json`),
  readFileSync(`${CAPTURES}dns_nxdomain.ek.json`),
];

type Mutation = { at: number; kind: 'flip' | 'truncate' | 'insert' | 'overwrite'; bytes: Uint8Array };

const mutations = fc.array(fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'truncate', 'insert', 'overwrite') as fc.Arbitrary<Mutation['kind']>,
  bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
}), { minLength: 1, maxLength: 5 });

function mutate(original: Buffer, changes: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const change of changes) {
    const at = bytes.length === 0 ? 0 : change.at % (bytes.length + 1);
    if (change.kind === 'flip') {
      if (at < bytes.length) bytes[at] = (bytes[at] ?? 0) ^ (change.bytes[0] ?? 1);
    } else if (change.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (change.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at + change.bytes.length)]);
  }
  return bytes;
}

/** Input of the capture target: a seed file, mutations, whether it is gzipped, and the chunk size it arrives in. */
export interface CaptureInput {
  seed: number;
  changes: Mutation[];
  gzip: boolean;
  chunkSize: number;
}

/** The bytes a capture input stands for. */
export function captureBytes(input: CaptureInput): Buffer {
  const mutated = mutate(SEEDS[input.seed % SEEDS.length] ?? Buffer.alloc(0), input.changes);
  return input.gzip ? gzipSync(mutated) : mutated;
}

const captureTarget: FuzzTarget<CaptureInput> = {
  name: 'capture-readers',
  arbitrary: fc.record({ seed: fc.nat(SEEDS.length - 1), changes: mutations, gzip: fc.boolean(), chunkSize: fc.integer({ min: 1, max: 4096 }) }),
  defaultRuns: 60,
  async check(input) {
    const bytes = captureBytes(input);
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += input.chunkSize) chunks.push(bytes.subarray(at, at + input.chunkSize));
    try {
      // Small limits keep memory bounded whatever the input claims about its sizes.
      const report = await analyzeCapture(Readable.from(chunks), { limits: { maxDecompressedBytes: 8 * 1024 * 1024, maxPackets: 100_000, maxConversations: 10_000 } });
      ensure(report.input.packets >= 0 && Number.isInteger(report.input.packets), 'packet count is not a count');
      for (const warning of report.warnings) ensure(!warning.includes('\n'), 'a warning spans lines');
      JSON.stringify(report);
    } catch (error) {
      expectUserError(error, /^capture\./);
    }
  },
};

/** A gzip stream that inflates far beyond the limit: refused by the decompressed-size limit, never read whole. */
const gzipBombTarget: FuzzTarget<{ megabytes: number; limitInKilobytes: number }> = {
  name: 'gzip-bomb',
  arbitrary: fc.record({ megabytes: fc.integer({ min: 2, max: 24 }), limitInKilobytes: fc.integer({ min: 64, max: 1024 }) }),
  defaultRuns: 4,
  async check({ megabytes, limitInKilobytes }) {
    const header = SEEDS[0]!.subarray(0, 24);
    const bomb = gzipSync(Buffer.concat([header, Buffer.alloc(megabytes * 1024 * 1024)]));
    try {
      await analyzeCapture(Readable.from([bomb]), { limits: { maxDecompressedBytes: limitInKilobytes * 1024 } });
      throw new FuzzFailure(`a ${megabytes} MB gzip passed a ${limitInKilobytes} KB decompressed limit`);
    } catch (error) {
      if (error instanceof FuzzFailure) throw error;
      expectUserError(error, /^capture\.too-large$/);
    }
  },
};

/* ------------------------------------------------------------ question parser */

const FRAGMENTS = [
  'why can\'t', 'vm-app01', 'vm-\u0430pp01', 'kv-prod', '192.168.10.5', '10.201.1.4', '10.0.0.0/8', 'fd00:10::4', 'reach', 'to', 'from',
  'on port', '3389', '99999', 'rdp', 'https', 'between', '14:00', 'and', '14:30', 'UTC', 'yesterday', 'since', '(', ')', '"', '\'', '|',
  '| take 1', 'let x = 1;', '//', '/*', '\n', '\u2028', '\uFF5C', '\u0000', '\u202E', '\uD83D\uDE00', 'AZFWNetworkRule', '; drop', '${x}',
];

const questionTarget: FuzzTarget<string> = {
  name: 'question-parser',
  arbitrary: fc.oneof(
    fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 24 }).map((parts) => parts.join(' ')),
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.integer({ min: 1_000, max: 20_000 }).map((length) => 'vm-app01 '.repeat(Math.ceil(length / 9)).slice(0, length)),
  ),
  defaultRuns: 200,
  check(text) {
    const outcome = parseQuestion(text, context());
    if (outcome.kind === 'clarify') {
      ensure(/^question\.[a-z-]+$/.test(outcome.code), `clarification code ${outcome.code}`);
      ensure(outcome.message.length > 0 && !outcome.message.includes('\n'), 'clarification is not one line');
      return;
    }
    const { question } = outcome;
    ensure(Date.parse(question.window.start) < Date.parse(question.window.end), 'window start is not before its end');
    if (question.port !== null) ensure(question.port >= 1 && question.port <= 65535, `port ${question.port}`);
    // Nothing of the user's text reaches a query unvalidated: endpoints are addresses, prefixes, DNS names or known names.
    for (const endpoint of [question.source, question.destination]) {
      if (endpoint.fqdn !== null) ensure(/^[a-z0-9._-]+$/.test(endpoint.fqdn), `fqdn ${endpoint.fqdn}`);
      if (endpoint.name !== null) ensure(context().names.some((known) => known.name === endpoint.name), `name ${endpoint.name}`);
    }
  },
};

/* ------------------------------------------------------------ KQL builders */

const HOSTILE = [
  '"', '\\"', '|', '| take 1', ';', 'let x = 1;', '//', '/*', '*/', '\n', '\r\n', '\u2028', '\uFF5C', '\u037E', '\u201C', '\u0000', '\'',
  '\u0430', '\uFF11', '\u2024', 'union *', ' or 1==1',
];
const BASES = ['192.168.10.5', '10.0.0.0/8', '2001:db8::1', 'vm-app01.contoso.com', '/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/afw', ''];
/** A value that may be hostile: a base with hostile text around it, random text, or an over-long value. */
export const hostileValue: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...BASES), fc.constantFrom(...HOSTILE), fc.boolean()).map(([base, payload, before]) => (before ? `${payload}${base}` : `${base}${payload}`)),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: 250, max: 3_000 }).map((length) => 'a'.repeat(length)),
);

/** The text of a query outside its string literals. */
export function outsideLiterals(query: string): string {
  return query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
}

interface KqlInput { field: 'source' | 'destination' | 'name' | 'resource' | 'port' | 'window'; value: string; port: number }

const kqlTarget: FuzzTarget<KqlInput> = {
  name: 'kql-builders',
  arbitrary: fc.record({
    field: fc.constantFrom('source', 'destination', 'name', 'resource', 'port', 'window') as fc.Arbitrary<KqlInput['field']>,
    value: hostileValue,
    port: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.NaN)),
  }),
  defaultRuns: 200,
  check({ field, value, port }) {
    const window = field === 'window' ? { start: value, end: '2026-11-12T14:30:00Z' } : { start: '2026-11-12T14:00:00Z', end: '2026-11-12T14:30:00Z' };
    const input: FlowFilterInput = {
      window,
      ...(field === 'source' ? { source: value } : field === 'destination' ? { destination: value } : {}),
      ...(field === 'name' ? { destinationNames: [value], source: '10.0.0.4' } : {}),
      ...(field === 'resource' ? { resourceId: value, source: '10.0.0.4' } : {}),
      ...(field === 'port' ? { port, destination: '10.0.0.4' } : {}),
    };
    let queries: string[];
    try {
      const filter = validateFlowFilter(input);
      queries = [
        ...FIREWALL_TABLES.map((table) => firewallTableQuery(table, filter)?.query ?? ''),
        legacyFirewallQuery(filter)?.query ?? '',
        trafficAnalyticsQuery(filter, 10).query,
        legacyTrafficAnalyticsQuery(filter, 60).query,
      ].filter(Boolean);
    } catch (error) {
      expectUserError(error, /^query\.invalid-value$/);
      return;
    }
    for (const query of queries) {
      ensure([...query].every((character) => character === '\n' || (character >= ' ' && character <= '~')), 'a query holds a character outside printable ASCII');
      const skeleton = outsideLiterals(query);
      ensure(!/\/\/|\/\*|;|\blet\b|\bunion\b/.test(skeleton), `query structure changed: ${skeleton.slice(0, 200)}`);
      ensure(skeleton.split('\n').every((line, index) => index === 0 || line.startsWith('| ')), 'a line does not start a pipe stage');
    }
  },
};

/* ------------------------------------------------------------ scenario loader */

const SCENARIO = JSON.parse(readFileSync(repositoryPath('src', 'lab', 'scenarios', 'firewall-network-rule-deny', 'scenario.json'), 'utf8')) as Record<string, unknown>;

/** A JSON value anywhere in a scenario: replaced, removed, or hostile. */
const jsonValue = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 20 }), hostileValue,
  fc.constant([]), fc.constant({}), fc.constant({ __proto__: { polluted: true } }), fc.constant('2026-13-45T99:99:99Z'),
);

interface ScenarioEdit { path: number[]; value: unknown; remove: boolean }

/** Applies edits along paths of indices into the object's keys (so every path exists). */
function editScenario(edits: readonly ScenarioEdit[]): unknown {
  const copy = structuredClone(SCENARIO) as unknown;
  for (const edit of edits) {
    let node = copy as Record<string, unknown> | unknown[];
    for (let depth = 0; depth < edit.path.length; depth += 1) {
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[(edit.path[depth] ?? 0) % keys.length]!;
      const last = depth === edit.path.length - 1;
      const child = (node as Record<string, unknown>)[key];
      if (last || child === null || typeof child !== 'object') {
        if (edit.remove && !Array.isArray(node)) delete (node as Record<string, unknown>)[key];
        else (node as Record<string, unknown>)[key] = edit.value;
        break;
      }
      node = child as Record<string, unknown>;
    }
  }
  return copy;
}

const scenarioTarget: FuzzTarget<ScenarioEdit[]> = {
  name: 'scenario-loader',
  arbitrary: fc.array(fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), value: jsonValue, remove: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  defaultRuns: 60,
  check(edits) {
    const data = editScenario(edits);
    try {
      const scenario = parseScenario('scenario.json', data);
      ensure(typeof scenario.name === 'string' && scenario.name.length > 0, 'accepted a scenario without a name');
      ensure(!Number.isNaN(Date.parse(scenario.now)), 'accepted a scenario whose now is not a time');
    } catch (error) {
      expectUserError(error, /^scenario\.invalid$/);
      ensure(error instanceof Error && error.message.startsWith('scenario.json'), 'the error does not name the file');
    }
  },
};

/** scenario.json as text: truncated, with bytes changed, or not JSON at all. */
const scenarioTextTarget: FuzzTarget<{ cut: number; changes: Mutation[] }> = {
  name: 'scenario-json-text',
  arbitrary: fc.record({ cut: fc.nat(), changes: mutations }),
  defaultRuns: 60,
  async check({ cut, changes }) {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadScenario } = await import('../../src/lab/scenario-loader.js');
    const text = Buffer.from(JSON.stringify(SCENARIO));
    const bytes = mutate(text.subarray(0, cut % (text.length + 1)), changes);
    const folder = await mkdtemp(join(tmpdir(), 'netproof-fuzz-'));
    try {
      await writeFile(join(folder, 'scenario.json'), bytes);
      await loadScenario(folder);
    } catch (error) {
      expectUserError(error, /^scenario\.(invalid|invalid-json)$/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  },
};

/** Every target, in the order the bench runs them. The activity handler's target lives in the bot tests. */
export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  captureTarget, gzipBombTarget, questionTarget, kqlTarget, scenarioTarget, scenarioTextTarget,
] as readonly FuzzTarget[];

/** JSON with byte arrays as `{ "$bytes": base64 }`, for regression fixtures. */
export function encodeInput(input: unknown): string {
  return JSON.stringify({ input }, (_key, value: unknown) => (value instanceof Uint8Array ? { $bytes: Buffer.from(value).toString('base64') } : value), 2);
}

/** The input of a regression fixture. */
export function decodeInput(text: string): unknown {
  return (JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && typeof (value as { $bytes?: unknown }).$bytes === 'string') return new Uint8Array(Buffer.from((value as { $bytes: string }).$bytes, 'base64'));
    return value;
  }) as { input: unknown }).input;
}
