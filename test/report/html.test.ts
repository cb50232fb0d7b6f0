/**
 * The evidence pack with a capture among the evidence: a small capture is printed whole, as every
 * other item; a large one is bounded (the conversations about the flow, then those the capture's
 * findings cite) and the pack says how many were left out and where the whole report is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CaptureReport, Conversation, Verdict } from '../../src/domain/index.js';
import { escapeHtml, PACK_CONVERSATIONS, renderEvidencePack } from '../../src/report/html.js';

const golden = JSON.parse(readFileSync(new URL('../golden/tcp-reset/verdict.json', import.meta.url), 'utf8')) as Verdict;
const captureIndex = golden.evidence.findIndex((item) => 'report' in item.data);
const smallReport = golden.evidence[captureIndex]!.data.report as CaptureReport;
const flowConversation = smallReport.conversations[0]!;
const OTHERS = 15_000;

/** The golden verdict with its capture's data replaced. */
function withCaptureData(data: Record<string, unknown>): Verdict {
  const evidence = golden.evidence.map((item, index) => index === captureIndex ? { ...item, data: { ...item.data, ...data } } : item);
  return { ...golden, evidence };
}

/** 15,000 conversations the question is not about, the first 40 refused (a capture finding each), with the flow's in the middle. */
function largeReport(): CaptureReport {
  const others: Conversation[] = Array.from({ length: OTHERS }, (_unused, index) => ({
    ...flowConversation, id: `other-${index}`, client: { ip: '127.0.0.1', port: 10000 + index }, server: { ip: '127.0.0.1', port: 9080 },
  }));
  return {
    ...smallReport,
    conversations: [...others.slice(0, OTHERS / 2), flowConversation, ...others.slice(OTHERS / 2)],
    findings: [...others.slice(0, 40).map((other) => ({ code: 'tcp_refused' as const, conversation: other.id, summary: `${other.id} refused`, frames: [1] })), ...smallReport.findings],
  };
}

const pack = (verdict: Verdict) => renderEvidencePack(verdict, { generatedAt: '2026-12-16T10:00:00.000Z' });

describe('a capture in the evidence pack', () => {
  it('a small capture is printed whole, with no line about anything left out', () => {
    const html = pack(golden);
    expect(html).toContain(escapeHtml(JSON.stringify(golden.evidence[captureIndex]!.data, null, 2)));
    expect(html).not.toContain('left out');
  });

  it.each([
    ['the whole report (netproof ask, an older verdict)', {}, OTHERS + 1, 41],
    ['a report the pipeline already focused, with its totals', { totals: { conversations: 150_000, findings: 900 }, leftOut: { conversations: 150_000 - OTHERS - 1, findings: 900 - 41 } }, 150_000, 900],
  ] as const)('%s: bounded, the flow first, then the cited, and the count of the others', (_description, extra, conversationTotal, findingTotal) => {
    const small = pack(golden);
    const html = pack(withCaptureData({ report: largeReport(), ...extra }));
    // The whole report as JSON is several megabytes; the pack grows by its bounded part only.
    expect(html.length - small.length).toBeLessThan(PACK_CONVERSATIONS * 1_500);
    const shownFindings = PACK_CONVERSATIONS;
    expect(html).toContain(escapeHtml(`${smallReport.input.packets} packets, ${conversationTotal} conversations, ${findingTotal} capture findings. `
      + `Shown: ${PACK_CONVERSATIONS} conversations (about the flow, then those the capture's findings cite) and ${shownFindings} of their findings; `
      + `${conversationTotal - PACK_CONVERSATIONS} other conversations and ${findingTotal - shownFindings} findings are left out: `
      + `the full capture report is the analysis of ${String(golden.evidence[captureIndex]!.data.fileName)}.`));
    const data = /<details><summary>data<\/summary><pre>([^<]*)<\/pre>/g;
    const printed = [...html.matchAll(data)].map((match) => match[1]!).find((block) => block.includes('other-0'));
    const shown = JSON.parse(printed!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as { report: CaptureReport; totals: unknown; leftOut: unknown };
    expect(shown.report.conversations.map((conversation) => conversation.id)).toEqual(
      [flowConversation.id, ...Array.from({ length: PACK_CONVERSATIONS - 1 }, (_unused, index) => `other-${index}`)]);
    expect(shown.totals).toEqual({ conversations: conversationTotal, findings: findingTotal });
    expect(shown.leftOut).toEqual({ conversations: conversationTotal - PACK_CONVERSATIONS, findings: findingTotal - shownFindings });
  });
});
