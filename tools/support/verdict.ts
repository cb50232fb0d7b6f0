/** A verdict as the model sees it: the decision, the findings with their evidence, one page of the rest. */
import { CAUSES, CONTRIBUTING, type Verdict } from '../../src/domain/index.js';
import type { DiagnoseOutcome } from '../../src/diagnose/diagnose.js';
import { paginate } from './values.js';

/** The verdict trimmed for the model; evidence cited by findings always, the rest one page at a time. */
export function verdictForModel(verdict: Verdict, pageNumber = 1): Record<string, unknown> {
  const cited = new Set(verdict.findings.flatMap((finding) => finding.evidence));
  const citedEvidence = verdict.evidence.filter((item) => cited.has(item.id));
  const other = paginate(verdict.evidence.filter((item) => !cited.has(item.id)), pageNumber);
  const brief = (item: Verdict['evidence'][number]) => ({ id: item.id, source: item.source, summary: item.summary });
  return {
    question: verdict.question,
    status: verdict.status,
    cause: verdict.cause,
    causeMeaning: CAUSES[verdict.cause].meaning,
    layer: verdict.layer,
    confidence: verdict.confidence,
    blockedAt: verdict.blockedAt,
    summary: verdict.summary,
    contributing: verdict.contributing.map((code) => ({ code, meaning: CONTRIBUTING[code] })),
    findings: verdict.findings,
    citedEvidence: citedEvidence.map(brief),
    otherEvidence: other.items.map(brief),
    otherEvidencePaging: { page: other.page, pages: other.pages, total: other.total, more: other.more },
    gaps: verdict.gaps,
    nextSteps: verdict.nextSteps,
  };
}

/** A diagnosis outcome as the model sees it. */
export function outcomeForModel(outcome: DiagnoseOutcome, pageNumber = 1): Record<string, unknown> {
  if (outcome.kind === 'clarify') {
    return { kind: 'clarify', code: outcome.code, message: outcome.message, candidates: outcome.candidates,
      instruction: 'The question cannot be diagnosed as asked: ask the user this, do not guess.' };
  }
  return { kind: 'verdict', followUp: outcome.question.followUp, assumptions: outcome.question.assumptions, verdict: verdictForModel(outcome.verdict, pageNumber) };
}
