import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDnsName, parseQuestion, ParsedQuestionSchema, type ParsedEndpoint, type ParseOutcome, type ParsedQuestion } from '../../src/diagnose/question.js';
import { context, NAMES, NOW, questionOf } from './question-fixture.js';

const SEED = 20261120;
const KNOWN = new Map(NAMES.map((known) => [known.name, known]));

/** An endpoint is a validated IP or prefix, or exactly a known resource: never user text. */
function expectSafeEndpoint(endpoint: ParsedEndpoint): void {
  if (endpoint.ip !== null) expect(isIP(endpoint.ip)).not.toBe(0);
  if (endpoint.prefix !== null) {
    const [address = '', length = ''] = endpoint.prefix.split('/');
    expect(isIP(address)).not.toBe(0);
    expect(length).toMatch(/^\d{1,3}$/);
  }
  if (endpoint.name !== null || endpoint.resourceId !== null || endpoint.kind !== null) {
    const known = KNOWN.get(endpoint.name ?? '');
    expect(known).toBeDefined();
    expect(endpoint.resourceId).toBe(known?.resourceId);
    expect(endpoint.kind).toBe(known?.kind);
  }
  if (endpoint.fqdn !== null) {
    // A host name of a known resource, or an external host that passed the DNS-name check.
    expect(endpoint.fqdn).toMatch(/^[a-z0-9.-]+$/);
    expect(isDnsName(endpoint.fqdn)).toBe(true);
    expect(endpoint.fqdn.split('.').every((label) => label.length >= 1 && label.length <= 63 && !label.startsWith('-') && !label.endsWith('-'))).toBe(true);
  }
}

/** An external host (no resource, no address) may only be the destination: the logs show a source by its address. */
function expectExternalOnlyAsDestination(question: ParsedQuestion): void {
  for (const endpoint of [question.source, ...question.via]) {
    expect(endpoint.fqdn !== null && endpoint.name === null && endpoint.ip === null).toBe(false);
  }
}

function expectSafe(outcome: ParseOutcome, now: Date = NOW): void {
  if (outcome.kind === 'clarify') {
    expect(outcome.code).toMatch(/^question\.[a-z-]+$/);
    expect(outcome.message.length).toBeGreaterThan(0);
    expect(outcome.candidates.length).toBeLessThanOrEqual(5);
    return;
  }
  const question = ParsedQuestionSchema.parse(outcome.question);
  for (const endpoint of [question.source, question.destination, ...question.via]) expectSafeEndpoint(endpoint);
  expectExternalOnlyAsDestination(question);
  if (question.port !== null) expect(question.port >= 1 && question.port <= 65535).toBe(true);
  const start = Date.parse(question.window.start);
  const end = Date.parse(question.window.end);
  expect(start).toBeLessThan(end);
  expect(end).toBeLessThanOrEqual(now.getTime());
}

const FRAGMENTS = [
  'vm-app01', 'VM-APP01', 'vm-\u0430pp01', 'v\u043c-app01', 'kv-prod', 'kv-prod.vault.azure.net', 'app-orders-prod', 'the app service',
  '192.168.10.5', '192.168.10.52', '10.201.1.4', '999.1.1.1', '10.0.0.0/8', 'fd00:10::4', '[fd00:10::4]:22', '::', '1.2.3',
  'from', 'to', '->', 'can\'t reach', 'is unreachable from', 'between', 'and', 'since', 'at 14:15', 'yesterday', 'last 2 hours',
  'UTC', 'EST', 'Europe/Berlin', 'rdp', 'https', 'ping', 'port 3389', 'tcp/443', ':3389', 'on 99999', 'dns', '?',
  "'; drop table x; --", '| where 1 == 1', 'let x = 1;', '\n| project *', '"', '`', '\\', '<at>netproof</at>', '@netproof',
  '$(rm -rf /)', '${jndi:ldap://x}', 'https://kv-prod.vault.azure.net/secrets?x=1', '\u0000', '\u200b', '\ud83d\ude00', '\ud800',
  'api.partner.example', 'https://api.partner.example/pay', 'p\u0430ypal.example.com', 'bad-.example.com', '-bad.example.com',
  `${'a'.repeat(64)}.example.com`, 'chain.pem', 'x.y', '(vm-app01, 10.201.1.4)', '(10.9.9.9)', 'but', 'times out', 'works', 'HTTP 403',
  'certificate error', 'since this morning', 'e.g.', 'gets 403 from', 'on',
];

const fragmentText = fc.array(fc.oneof(
  fc.constantFrom(...FRAGMENTS),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
), { maxLength: 24 }).chain((parts) => fc.constantFrom(' ', '', '\n', '\t').map((separator) => parts.join(separator)));

describe('parseQuestion never throws and never lets user text become an endpoint', () => {
  it('random text (fixed seed)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
      expectSafe(parseQuestion(text, context()));
    }), { seed: SEED, numRuns: 500 });
  });

  it('question-like text: names, look-alikes, addresses, times, injection (fixed seed)', () => {
    fc.assert(fc.property(fragmentText, (text) => {
      expectSafe(parseQuestion(text, context()));
      expectSafe(parseQuestion(text, context({ timeZone: 'America/New_York' })));
    }), { seed: SEED, numRuns: 1500 });
  });

  it('follow-ups of random text (fixed seed)', () => {
    const previous: ParsedQuestion = questionOf(parseQuestion('from 192.168.10.5 to vm-app01 rdp at 14:00', context()));
    fc.assert(fc.property(fragmentText, (text) => {
      expectSafe(parseQuestion(text, context({ previous })));
    }), { seed: SEED, numRuns: 500 });
  });

  it.each([
    ['100 KB of one letter', 'a'.repeat(100_000)],
    ['100 KB of a question', 'from 192.168.10.5 to vm-app01 '.repeat(3500)],
    ['100 KB of digits and dots', '1.'.repeat(50_000)],
    ['a long line just under the limit', `from 192.168.10.5 to vm-app01 ${'1:2:3:4 at 14:15 and '.repeat(180)}`],
    ['deep colons just under the limit', ':'.repeat(3990)],
  ])('%s', (_, text) => {
    expectSafe(parseQuestion(text, context()));
  });

  it.each([
    "from 192.168.10.5 to vm-app01'; drop table AZFWNetworkRule; --",
    'from 192.168.10.5 to vm-app01 | where SourceIp == "x"',
    'from 192.168.10.5 to let x=1; vm-app01',
    'from 192.168.10.5\n| take 100000\nto vm-app01',
  ])('injection-looking text around real endpoints keeps only the endpoints: %s', (text) => {
    const question = questionOf(parseQuestion(text, context()));
    expectSafe({ kind: 'question', question });
    expect({ source: question.source.ip, destination: question.destination.name }).toEqual({ source: '192.168.10.5', destination: 'vm-app01' });
  });

  it.each([
    'from 192.168.10.5 to vm-\u0430pp01',
    'from 192.168.10.5 to v\u043c-app01',
    'from 192.168.10.5 to kv-pr\u043ed',
  ])('a look-alike of a known name is not that name: %s', (text) => {
    expect(parseQuestion(text, context())).toMatchObject({ kind: 'clarify', code: 'question.unknown-name' });
  });
});
