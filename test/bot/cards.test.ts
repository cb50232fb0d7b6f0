/**
 * Every card the bot can send, parsed and validated with the Adaptive Cards SDK and
 * kept under the size cap: verdict and proof cards of real verdicts (the pipeline over
 * lab scenarios of different causes) and of an oversized one, capture cards of the
 * corpus captures, help, clarifications, upload errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clarificationCard, helpCard, substituteChoice, uploadErrorCard, verdictLine } from '../../src/bot/cards.js';
import { EXPLAINER_FAILED_NOTICE } from '../../src/bot/explainer.js';
import { acceptedUploadsText } from '../../src/bot/uploads.js';
import { analyzeCapture } from '../../src/capture/index.js';
import type { Verdict } from '../../src/domain/index.js';
import { CARD_BYTE_LIMIT, PROOF_PAGE_SIZE, captureCard, proofCard, verdictCard } from '../../src/report/adaptive-card.js';
import { CAPTURES, SCENARIOS, expectValidCard, startPipeline, textOf } from './helpers.js';

const SCENARIO_NAMES = ['rdp-remote-site', 'nsg-deny-between-spokes', 'firewall-network-rule-deny', 'tls-incomplete-chain', 'path-ok', 'appservice-keyvault-dns-not-linked'];

let pipeline: Awaited<ReturnType<typeof startPipeline>>;
const verdicts: { name: string; verdict: Verdict }[] = [];

beforeAll(async () => {
  pipeline = await startPipeline(SCENARIO_NAMES);
  for (const [index, name] of SCENARIO_NAMES.entries()) {
    const { question } = JSON.parse(readFileSync(join(SCENARIOS, name, 'expect.json'), 'utf8')) as { question: string };
    const estate = pipeline.runtime.estates[index];
    if (!estate) throw new Error(`no estate for ${name}`);
    const outcome = await estate.diagnose({ text: question });
    if (outcome.kind !== 'verdict') throw new Error(`${name}: ${outcome.message}`);
    verdicts.push({ name, verdict: outcome.verdict });
  }
}, 120_000);

afterAll(async () => {
  await pipeline?.runtime.close();
});

/** A real verdict blown up far past what a card holds. */
function oversized(verdict: Verdict): Verdict {
  const long = 'x'.repeat(3_000);
  const evidence = Array.from({ length: 400 }, (_unused, index) => ({
    id: `e${index + 1}`, source: 'AZFWNetworkRule', query: `AZFWNetworkRule | where SourceIp == "10.0.0.${index % 255}" ${long}`, summary: `row ${index} ${long}`, data: {},
  }));
  return {
    ...verdict,
    summary: `${verdict.summary} ${long}`,
    findings: Array.from({ length: 40 }, (_unused, index) => ({ id: `f${index + 1}`, code: verdict.cause, summary: `finding ${index} ${long}`, evidence: evidence.slice(index * 10, index * 10 + 10).map((item) => item.id) })),
    evidence,
    gaps: Array.from({ length: 30 }, (_unused, index) => ({ source: `source-${index}`, reason: 'timeout' as const, detail: long })),
  };
}

describe('verdict and proof cards', () => {
  it('covers several causes', () => {
    expect(new Set(verdicts.map(({ verdict }) => verdict.cause)).size).toBeGreaterThanOrEqual(3);
  });

  it.each(SCENARIO_NAMES)('%s: the verdict card, with and without a notice, and every proof page', (name) => {
    const verdict = verdicts.find((entry) => entry.name === name)?.verdict;
    if (!verdict) throw new Error(`no verdict for ${name}`);
    const card = verdictCard(verdict, { verdictId: 'v1', evidencePackUrl: 'https://netproof.example.com/evidence/abc' });
    expectValidCard(card);
    expect(textOf(card)).toContain(verdict.summary);
    expectValidCard(verdictCard(verdict, { verdictId: 'v1', evidencePackUrl: null, notice: EXPLAINER_FAILED_NOTICE }));
    const pages = Math.max(1, Math.ceil(verdict.findings.length / PROOF_PAGE_SIZE));
    for (let page = 0; page < pages; page += 1) expectValidCard(proofCard(verdict, 'v1', page));
    expect(verdictLine(verdict)).toContain(verdict.summary.slice(0, 100));
  });

  it('caps an oversized verdict and still parses', () => {
    const big = oversized(verdicts[0]!.verdict);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(10 * CARD_BYTE_LIMIT);
    const card = verdictCard(big, { verdictId: 'v1', evidencePackUrl: 'https://netproof.example.com/evidence/abc' });
    expectValidCard(card);
    for (const page of [0, 5, 13]) expectValidCard(proofCard(big, 'v1', page));
    expect(verdictLine(big).length).toBeLessThanOrEqual(600);
  });
});

describe('capture cards', () => {
  const captures = readdirSync(CAPTURES).filter((name) => /\.(pcap|pcapng|json)$/.test(name) && !name.startsWith('labels') && !name.endsWith('.pem'));

  it.each(captures)('%s', async (name) => {
    const report = await analyzeCapture(join(CAPTURES, name));
    const card = captureCard(report, name);
    expectValidCard(card);
    expect(textOf(card)).toContain(name);
  });
});

describe('help, clarifications, errors', () => {
  it.each([true, false])('help (personal %s)', (personal) => {
    expectValidCard(helpCard({ personal, uploadLimitText: acceptedUploadsText(200 * 1024 * 1024) }));
  });

  it('offers choices as buttons that put the name into the question', () => {
    const card = clarificationCard("why can't 10.0.0.4 reach VM-AP01 on 443?", 'I don\'t know "vm-ap01" in the estate you may investigate. Closest matches: vm-app01, vm-app02.', ['vm-app01', 'vm-app02']);
    expectValidCard(card);
    expect((card.actions as { data: unknown }[]).map((action) => action.data)).toEqual([
      { action: 'ask', text: "why can't 10.0.0.4 reach vm-app01 on 443?" },
      { action: 'ask', text: "why can't 10.0.0.4 reach vm-app02 on 443?" },
    ]);
  });

  it('lists choices it cannot put in (ports, services) without buttons', () => {
    const card = clarificationCard('why can\'t a reach b on 443 or 8443?', 'The question names more than one port; which one?', ['443', '8443']);
    expectValidCard(card);
    expect(card.actions).toBeUndefined();
    expect(textOf(card)).toContain('8443');
    expectValidCard(clarificationCard('x', 'Which destination?', []));
  });

  it.each([
    ['why can\'t a reach vm-ap01', 'I don\'t know "vm-ap01"', 'vm-app01', 'why can\'t a reach vm-app01'],
    ['why can\'t a reach b', 'I don\'t know "zz"', 'vm-app01', null],
    ['why can\'t a reach b', 'no quote here', 'vm-app01', null],
  ])('substitutes %j with %j', (question, message, choice, expected) => {
    expect(substituteChoice(question, message, choice)).toBe(expected);
  });

  it('upload errors', () => {
    expectValidCard(uploadErrorCard('x'.repeat(500), 'capture is too large: the file (300 MB) exceeds the upload limit of 200 MB', acceptedUploadsText(200 * 1024 * 1024)));
  });
});
