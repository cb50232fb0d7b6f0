/**
 * Verdicts and capture reports as Adaptive Cards (schema 1.5, the most Teams
 * renders). Teams rejects messages over about 40 KB, so every card is capped:
 * texts are trimmed, lists are paged, and the full proof lives in the evidence pack.
 */
import type { CaptureSummary } from '../capture/index.js';
import { CAUSES, CONTRIBUTING, type CaptureReport, type Verdict } from '../domain/index.js';
import { describeBlockedAt, describeFlow } from './markdown.js';

/** An Adaptive Card as JSON. */
export type AdaptiveCard = { type: 'AdaptiveCard'; $schema: string; version: '1.5'; body: unknown[]; actions?: unknown[]; msteams?: unknown };

/** The largest card JSON netproof sends, bytes (Teams' limit is about 40 KB for the whole message). */
export const CARD_BYTE_LIMIT = 28_000;
/** Findings per page of the proof card. */
export const PROOF_PAGE_SIZE = 3;

/** What a button on a card asks the bot to do (the `value` of the submit). */
export type CardAction =
  | { action: 'showProof'; verdictId: string; page: number }
  | { action: 'askAgain'; verdictId: string; window?: string }
  | { action: 'evidencePack'; verdictId: string }
  | { action: 'captureToProve'; verdictId: string };

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';

function card(body: unknown[], actions: unknown[] = []): AdaptiveCard {
  const result: AdaptiveCard = { type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, msteams: { width: 'Full' } };
  if (actions.length > 0) result.actions = actions;
  return result;
}

/** Trims text to a length, marking the cut. */
export function trimText(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, Math.max(0, length - 1))}…`;
}

function textBlock(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'TextBlock', text: trimText(text, 2_000), wrap: true, ...extra };
}

function facts(entries: [string, string][]): Record<string, unknown> {
  return { type: 'FactSet', facts: entries.map(([title, value]) => ({ title: trimText(title, 60), value: trimText(value, 400) })) };
}

/** Options of the verdict card. */
export interface VerdictCardOptions {
  verdictId: string;
  /** Link to the evidence pack, when the bot has a public URL. */
  evidencePackUrl?: string | null;
  /** Offer "Prove it with a capture" (a VM endpoint exists and captures are possible). */
  offerCapture?: boolean;
  /** One line, e.g. "The assistant is degraded: answering from the rules alone." */
  notice?: string | null;
}

/** The verdict: the cause in plain words, where it is blocked, confidence, key evidence, gaps, actions. */
export function verdictCard(verdict: Verdict, options: VerdictCardOptions): AdaptiveCard {
  const color = verdict.status === 'ok' ? 'good' : verdict.status === 'failing' ? 'attention' : 'warning';
  const headline = verdict.status === 'ok' ? 'Works' : verdict.status === 'failing' ? 'Fails' : 'Cannot tell yet';
  const body: unknown[] = [
    textBlock(`${headline}: ${verdict.summary}`, { size: 'Medium', weight: 'Bolder', color }),
    facts([
      ['Flow', describeFlow(verdict)],
      ['Cause', CAUSES[verdict.cause].meaning],
      ...(describeBlockedAt(verdict) ? [['Blocked at', describeBlockedAt(verdict) ?? ''] as [string, string]] : []),
      ['Confidence', verdict.confidence],
      ...verdict.contributing.map((code): [string, string] => ['Contributing', CONTRIBUTING[code]]),
    ]),
  ];
  const cited = verdict.findings.flatMap((finding) => finding.evidence);
  const keyEvidence = [...new Set(cited)].slice(0, 6).map((id) => verdict.evidence.find((item) => item.id === id)).filter((item) => item !== undefined);
  if (keyEvidence.length > 0) {
    body.push(textBlock('Key evidence', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(facts(keyEvidence.map((item): [string, string] => [`${item.id} ${item.source}`, item.summary])));
  }
  if (verdict.gaps.length > 0) {
    body.push(textBlock('Gaps', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(facts(verdict.gaps.slice(0, 8).map((gap): [string, string] => [gap.source, `${gap.reason}: ${gap.detail}`])));
  }
  if (options.notice) body.push(textBlock(options.notice, { isSubtle: true, size: 'Small' }));
  const actions: unknown[] = [
    { type: 'Action.Submit', title: 'Show the proof', data: { action: 'showProof', verdictId: options.verdictId, page: 0 } satisfies CardAction },
    options.evidencePackUrl
      ? { type: 'Action.OpenUrl', title: 'Evidence pack', url: options.evidencePackUrl }
      : { type: 'Action.Submit', title: 'Evidence pack', data: { action: 'evidencePack', verdictId: options.verdictId } satisfies CardAction },
    {
      type: 'Action.ShowCard', title: 'Ask again with another time window',
      card: card([
        { type: 'Input.Text', id: 'window', label: 'Time window', placeholder: 'e.g. between 08:00 and 09:00 UTC, yesterday at 14:00, in the last 2 hours', isRequired: true, errorMessage: 'Say when' },
      ], [{ type: 'Action.Submit', title: 'Ask again', data: { action: 'askAgain', verdictId: options.verdictId } satisfies CardAction }]),
    },
  ];
  if (options.offerCapture) actions.push({ type: 'Action.Submit', title: 'Prove it with a capture', data: { action: 'captureToProve', verdictId: options.verdictId } satisfies CardAction });
  return capCard(card(body, actions));
}

/** A page of the proof: findings with their evidence and the exact KQL or REST call. */
export function proofCard(verdict: Verdict, verdictId: string, page: number): AdaptiveCard {
  const pages = Math.max(1, Math.ceil(verdict.findings.length / PROOF_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const byId = new Map(verdict.evidence.map((item) => [item.id, item]));
  const body: unknown[] = [textBlock(`Proof, page ${current + 1} of ${pages}`, { weight: 'Bolder', size: 'Medium' })];
  for (const finding of verdict.findings.slice(current * PROOF_PAGE_SIZE, (current + 1) * PROOF_PAGE_SIZE)) {
    body.push(textBlock(`${finding.id} ${finding.code}: ${finding.summary}`, { weight: 'Bolder', spacing: 'Medium' }));
    for (const id of finding.evidence.slice(0, 6)) {
      const item = byId.get(id);
      if (!item) continue;
      body.push(textBlock(`${item.id} ${item.source}: ${item.summary}`, { spacing: 'Small' }));
      body.push(textBlock(trimText(item.query, 1_500), { fontType: 'Monospace', size: 'Small', isSubtle: true, spacing: 'None' }));
    }
    if (finding.evidence.length > 6) body.push(textBlock(`…and ${finding.evidence.length - 6} more evidence item(s) in the evidence pack.`, { isSubtle: true }));
  }
  if (verdict.findings.length === 0) body.push(textBlock('No finding: see the gaps.'));
  const actions: unknown[] = [];
  if (current > 0) actions.push({ type: 'Action.Submit', title: 'Previous', data: { action: 'showProof', verdictId, page: current - 1 } satisfies CardAction });
  if (current < pages - 1) actions.push({ type: 'Action.Submit', title: 'Next', data: { action: 'showProof', verdictId, page: current + 1 } satisfies CardAction });
  return capCard(card(body, actions));
}

/** The capture summary: what the capture shows, problems first, naming frames (from the report, or from its summary alone). */
export function captureCard(report: CaptureReport | CaptureSummary, fileName: string): AdaptiveCard {
  const problems = report.findings.filter((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window');
  const signals = report.findings.filter((finding) => finding.code === 'retransmissions' || finding.code === 'zero_window');
  const body: unknown[] = [
    textBlock(`Capture ${fileName}`, { weight: 'Bolder', size: 'Medium' }),
    facts([
      ['Format', report.input.format],
      ['Packets', String(report.input.packets)],
      ['Conversations', String('conversationCount' in report ? report.conversationCount : report.conversations.length)],
      ['Problems', problems.length === 0 ? 'none seen' : String(problems.length)],
    ]),
  ];
  const shown = [...problems, ...signals].slice(0, 12);
  if (shown.length > 0) {
    body.push(textBlock('What the packets show', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(facts(shown.map((finding): [string, string] => [finding.code, `${finding.summary} (frames ${finding.frames.slice(0, 8).join(', ')})`])));
  }
  if (report.findings.length > shown.length) body.push(textBlock(`…and ${report.findings.length - shown.length} more finding(s).`, { isSubtle: true }));
  for (const warning of report.warnings.slice(0, 3)) body.push(textBlock(`Warning: ${warning}`, { color: 'warning', size: 'Small' }));
  return capCard(card(body));
}

/** A card that asks a question back (clarification) or says what went wrong. */
export function messageCard(title: string, lines: string[], choices: string[] = []): AdaptiveCard {
  const body = [textBlock(title, { weight: 'Bolder' }), ...lines.slice(0, 20).map((line) => textBlock(line))];
  if (choices.length > 0) body.push(facts(choices.slice(0, 8).map((choice, index): [string, string] => [String(index + 1), choice])));
  return capCard(card(body));
}

/** Keeps a card under the byte limit by dropping trailing body elements, then saying so. */
export function capCard(value: AdaptiveCard): AdaptiveCard {
  const size = (candidate: AdaptiveCard) => Buffer.byteLength(JSON.stringify(candidate), 'utf8');
  if (size(value) <= CARD_BYTE_LIMIT) return value;
  const body = [...value.body];
  const note = textBlock('This card was shortened; the evidence pack has everything.', { isSubtle: true });
  while (body.length > 1 && size({ ...value, body: [...body, note] }) > CARD_BYTE_LIMIT) body.pop();
  return { ...value, body: [...body, note] };
}
