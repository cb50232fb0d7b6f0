/**
 * An uploaded capture as extra evidence: the Verdict carries the conversations the rules consult and
 * those the capture's findings cite, with the totals and how many were left out; the decision is the
 * one the small capture gives. Through the whole pipeline, against the lab.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioExpectationSchema, type CaptureReport, type Conversation, type Verdict } from '../../src/domain/index.js';
import type { EvidenceDraft } from '../../src/diagnose/ports.js';
import type { Runtime } from '../../src/main.js';
import { listBuiltInScenarios } from '../../src/lab/index.js';
import { CITED_CONVERSATIONS_KEPT } from '../../src/rules/capture.js';
import { estateOf, scenarioRuntime } from '../support/scenario-runtime.js';

const directory = listBuiltInScenarios().find((candidate) => candidate.endsWith('tcp-reset'))!;
const expectation = ScenarioExpectationSchema.parse(JSON.parse(readFileSync(join(directory, 'expect.json'), 'utf8')));
const golden = JSON.parse(readFileSync(new URL('../golden/tcp-reset/verdict.json', import.meta.url), 'utf8')) as Verdict;
const flowReport = golden.evidence.map((item) => item.data.report).find((report) => report !== undefined) as CaptureReport;
const OTHERS = 15_000;

let runtime: Runtime;
beforeAll(async () => {
  runtime = await scenarioRuntime([directory]);
}, 120_000);
afterAll(async () => {
  await runtime?.close();
});

/** The capture as the bot hands an upload to the pipeline. */
function upload(report: CaptureReport): EvidenceDraft {
  return { kind: 'capture', source: 'upload', query: 'netproof capture load.pcapng', summary: `load.pcapng: ${report.conversations.length} conversations`, data: { targetId: null, fileName: 'load.pcapng', report } };
}

/** The flow's conversation among 15,000 others to a load-test server, 80 of them refused. */
function largeReport(): CaptureReport {
  const flow = flowReport.conversations[0]!;
  const others: Conversation[] = Array.from({ length: OTHERS }, (_unused, index) => ({
    ...flow, id: `other-${index}`, client: { ip: '127.0.0.1', port: 10000 + index }, server: { ip: '127.0.0.1', port: 9080 },
  }));
  return {
    ...flowReport,
    conversations: [...others.slice(0, 100), flow, ...others.slice(100)],
    findings: [...others.slice(0, 80).map((other) => ({ code: 'tcp_refused' as const, conversation: other.id, summary: `${other.id} refused`, frames: [1] })), ...flowReport.findings],
  };
}

async function verdictWith(report: CaptureReport): Promise<Verdict> {
  const outcome = await estateOf(runtime, directory).diagnose({ text: expectation.question, extraEvidence: [upload(report)] });
  if (outcome.kind !== 'verdict') throw new Error(outcome.message);
  return outcome.verdict;
}

describe('an uploaded capture in the Verdict', () => {
  it('a large one is focused, with its totals; the decision is the small one\'s', async () => {
    const small = await verdictWith(flowReport);
    const large = await verdictWith(largeReport());
    const { evidence: smallEvidence, ...smallDecision } = small;
    const { evidence: largeEvidence, ...largeDecision } = large;
    expect(largeDecision).toEqual(smallDecision);
    expect(largeEvidence.slice(0, -1)).toEqual(smallEvidence.slice(0, -1));
    // The small upload is carried as it is.
    expect(smallEvidence.at(-1)!.data).toEqual({ targetId: null, fileName: 'load.pcapng', report: flowReport });
    const focused = largeEvidence.at(-1)!;
    expect(focused.summary).toBe(`load.pcapng: ${OTHERS + 1} conversations`);
    const report = focused.data.report as CaptureReport;
    expect(report.conversations.map((conversation) => conversation.id)).toEqual(
      [...Array.from({ length: CITED_CONVERSATIONS_KEPT }, (_unused, index) => `other-${index}`), flowReport.conversations[0]!.id]);
    expect(report.findings).toHaveLength(CITED_CONVERSATIONS_KEPT + flowReport.findings.length);
    expect(focused.data.totals).toEqual({ conversations: OTHERS + 1, findings: 80 + flowReport.findings.length });
    expect(focused.data.leftOut).toEqual({ conversations: OTHERS - CITED_CONVERSATIONS_KEPT, findings: 80 - CITED_CONVERSATIONS_KEPT });
  });
});
