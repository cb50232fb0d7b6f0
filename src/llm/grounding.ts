/**
 * The grounding check that keeps the LLM honest: its final answer is structured
 * (`submit_answer`) and must agree with the verdict the rules decided in the same
 * turn. The cause must be the verdict's, every cited id must exist in it, the
 * confidence may not exceed it, and the prose may neither assert another cause nor
 * deny the verdict's, in codes or in plain words (see phrasings.ts).
 */
import { z } from 'zod';
import { CauseCodeSchema, ConfidenceSchema, CONFIDENCE_RANK, type CauseCode, type Verdict } from '../domain/index.js';
import { HYPOTHETICAL_PREFIX, NEGATING_PREFIX, PHRASINGS } from './phrasings.js';

/** The model's final answer, given through the `submit_answer` tool. */
export const SubmitAnswerSchema = z.object({
  cause: CauseCodeSchema.nullable().describe('The verdict\'s cause code exactly as diagnose_connection returned it; null only when there is no verdict (a clarification)'),
  findingIds: z.array(z.string().max(20)).max(50).default([]).describe('Ids of the verdict\'s findings the answer rests on (f1, f2 ...)'),
  evidenceIds: z.array(z.string().max(20)).max(200).default([]).describe('Ids of the verdict\'s evidence the answer cites (e1, e2 ...)'),
  confidence: ConfidenceSchema.nullable().describe('At most the verdict\'s confidence; null without a verdict'),
  text: z.string().min(1).max(4000).describe('The answer for the engineer, in Markdown, in their language'),
}).strict();
export type SubmittedAnswer = z.infer<typeof SubmitAnswerSchema>;

/** Why an answer was rejected. */
export interface GroundingIssue {
  code: 'no_diagnosis' | 'cause_mismatch' | 'unknown_finding' | 'unknown_evidence' | 'confidence_too_high' | 'missing_citation'
    | 'prose_asserts_other_cause' | 'prose_denies_cause' | 'not_structured';
  message: string;
}

/** A claim found in prose. */
export interface ProseClaim {
  clause: string;
  matched: string;
  causes: readonly CauseCode[];
  claim: 'asserts' | 'denies';
}

/** Lower case, typographic quotes straightened, Markdown emphasis and code marks removed, spaces collapsed. */
function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase()
    .replace(/[‘’`´]/gu, "'").replace(/[“”]/gu, '"')
    .replace(/[*`#>]/gu, ' ')
    .replace(/[ \t]+/gu, ' ');
}

const CLAUSE_BREAK = /[,;:()[\]\u2014\u2013]|\s-\s|\b(?:but|however|although|though|whereas|while|and|so|because|since|yet|instead)\b/u;

/** Sentences, then clauses: a negation or a hypothesis reaches only within its own clause. */
function clauses(text: string): string[] {
  return normalise(text)
    .split(/(?<=[.!?])\s+|\n+/u)
    .flatMap((sentence) => sentence.split(new RegExp(CLAUSE_BREAK.source, 'gu')))
    .map((clause) => clause.trim())
    .filter((clause) => clause.length > 0);
}

/** The last few words before a match: a negation further back belongs to something else. */
function nearPrefix(prefix: string, words = 6): string {
  return prefix.trim().split(/\s+/u).slice(-words).join(' ');
}

/** Every cause claim the prose makes, asserting or denying. */
export function proseClaims(text: string): ProseClaim[] {
  const claims: ProseClaim[] = [];
  for (const clause of clauses(text)) {
    for (const phrasing of PHRASINGS) {
      for (const match of clause.matchAll(phrasing.pattern)) {
        const prefix = clause.slice(0, match.index);
        if (phrasing.notAfter?.test(prefix)) continue;
        const near = nearPrefix(prefix);
        if (HYPOTHETICAL_PREFIX.test(near)) continue;
        const negated = Boolean(match.groups?.negation) || NEGATING_PREFIX.test(near);
        if (phrasing.claim === 'denies' && negated) continue;
        const claim = phrasing.claim === 'asserts' && !negated ? 'asserts' : 'denies';
        claims.push({ clause, matched: match[0].trim(), causes: phrasing.causes, claim });
      }
    }
  }
  return claims;
}

/** Checks prose against the verdict's cause (null: no verdict, so no cause may be asserted). */
export function checkProse(text: string, cause: CauseCode | null): GroundingIssue[] {
  const issues: GroundingIssue[] = [];
  const seen = new Set<string>();
  for (const claim of proseClaims(text)) {
    const fits = cause !== null && claim.causes.includes(cause);
    let issue: GroundingIssue | null = null;
    if (claim.claim === 'asserts' && !fits) {
      issue = { code: 'prose_asserts_other_cause', message: cause === null
        ? `"${claim.clause}" states a cause (${claim.causes.join(' or ')}), but no diagnosis decided one`
        : `"${claim.clause}" states ${claim.causes.join(' or ')}, but the verdict's cause is ${cause}` };
    } else if (claim.claim === 'denies' && fits) {
      issue = { code: 'prose_denies_cause', message: `"${claim.clause}" denies ${cause}, which is the verdict's cause` };
    }
    if (issue && !seen.has(issue.message)) {
      seen.add(issue.message);
      issues.push(issue);
    }
  }
  return issues;
}

/** What an answer is checked against: a verdict, or a clarification (no cause may be stated). A DiagnoseOutcome is one. */
export type GroundingTarget = { kind: 'verdict'; verdict: Verdict } | { kind: 'clarify'; message: string };

/** Checks a submitted answer against the turn's diagnosis. An empty list means the answer may be sent. */
export function checkAnswer(answer: SubmittedAnswer, outcome: GroundingTarget | null): GroundingIssue[] {
  if (outcome === null) return [{ code: 'no_diagnosis', message: 'no diagnosis ran in this turn: call diagnose_connection first' }];
  if (outcome.kind === 'clarify') {
    const issues: GroundingIssue[] = [];
    if (answer.cause !== null) issues.push({ code: 'cause_mismatch', message: `the question could not be diagnosed (${outcome.message}); there is no cause to state: ask the user instead` });
    if (answer.findingIds.length > 0 || answer.evidenceIds.length > 0) issues.push({ code: 'unknown_evidence', message: 'there is no verdict, so there are no findings or evidence to cite' });
    return [...issues, ...checkProse(answer.text, null)];
  }
  const verdict = outcome.verdict;
  const issues: GroundingIssue[] = [];
  if (answer.cause !== verdict.cause) issues.push({ code: 'cause_mismatch', message: `the cause must be the verdict's, ${verdict.cause}, not ${answer.cause ?? 'none'}` });
  const findingIds = new Set(verdict.findings.map((finding) => finding.id));
  const evidenceIds = new Set(verdict.evidence.map((item) => item.id));
  const unknownFindings = answer.findingIds.filter((id) => !findingIds.has(id));
  if (unknownFindings.length > 0) issues.push({ code: 'unknown_finding', message: `no such finding in the verdict: ${unknownFindings.join(', ')} (it has ${[...findingIds].join(', ') || 'none'})` });
  const mentioned = [...normalise(answer.text).matchAll(/\b([ef]\d{1,5})\b/gu)].map((match) => match[1] as string);
  const unknownEvidence = [...new Set([...answer.evidenceIds, ...mentioned.filter((id) => id.startsWith('e'))])].filter((id) => !evidenceIds.has(id));
  const unknownMentionedFindings = [...new Set(mentioned.filter((id) => id.startsWith('f')))].filter((id) => !findingIds.has(id));
  if (unknownEvidence.length > 0) issues.push({ code: 'unknown_evidence', message: `no such evidence in the verdict: ${unknownEvidence.join(', ')}` });
  if (unknownMentionedFindings.length > 0) issues.push({ code: 'unknown_finding', message: `the text cites findings the verdict does not have: ${unknownMentionedFindings.join(', ')}` });
  if (verdict.findings.length > 0 && answer.findingIds.length === 0) issues.push({ code: 'missing_citation', message: 'cite the findings the answer rests on in findingIds' });
  if (answer.confidence === null || CONFIDENCE_RANK[answer.confidence] > CONFIDENCE_RANK[verdict.confidence]) {
    issues.push({ code: 'confidence_too_high', message: `the confidence may not exceed the verdict's, ${verdict.confidence}` });
  }
  return [...issues, ...checkProse(answer.text, verdict.cause)];
}
