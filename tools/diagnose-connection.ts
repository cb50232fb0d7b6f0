/**
 * diagnose_connection: the whole deterministic pipeline (parse, investigate, rules,
 * verdict). The only tool whose answer may say WHY a connection fails: the final
 * answer is checked against the verdict it returns.
 */
import { z } from 'zod';
import { uploadEvidence } from './support/captures.js';
import { inScope } from './support/scope.js';
import type { DiagnoseOutcome } from '../src/diagnose/diagnose.js';
import { defineTool, success, type ToolContext } from './support/tool.js';
import { outcomeForModel } from './support/verdict.js';
import { page } from './support/values.js';

/** Diagnoses a question in this turn (cached per question), records it for the grounding check, and returns the outcome. */
export async function diagnoseInTurn(context: ToolContext, question: string): Promise<DiagnoseOutcome> {
  const key = JSON.stringify([question, context.previous?.text ?? null]);
  let outcome = context.turn.diagnosisCache.get(key);
  if (!outcome) {
    const uploads = await uploadEvidence(context);
    outcome = await context.diagnose({
      text: question,
      ...(context.previous ? { previous: context.previous } : {}),
      ...(context.timeZone ? { timeZone: context.timeZone } : {}),
      ...(uploads.evidence.length > 0 ? { extraEvidence: uploads.evidence } : {}),
    });
    if (outcome.kind === 'verdict') {
      // The diagnosis runs on scoped sources; this guard keeps a mis-wired pipeline from leaking another subscription.
      const endpoints = [outcome.verdict.question.source.resourceId, outcome.verdict.question.destination.resourceId];
      if (endpoints.some((id) => id !== null && !inScope(context.scope, id))) {
        outcome = { kind: 'clarify', code: 'question.unknown-name', message: 'An endpoint of this question is not in the estate you may investigate; give a name or an IP address you may see.', candidates: [] };
      }
    }
    context.turn.diagnosisCache.set(key, outcome);
  }
  context.turn.diagnoses.push(outcome);
  return outcome;
}

export const diagnoseConnection = defineTool({
  name: 'diagnose_connection',
  description: [
    'Diagnoses one flow with netproof\'s deterministic rules: parses the question (source, destination, port or service, time window), gathers firewall logs, flow logs, routes, NSG rules, Network Watcher checks and the captures uploaded in this conversation, and returns the verdict: cause, confidence, findings with evidence ids, gaps and next steps.',
    'Call it for every question about why a connection fails or works. Pass the user\'s question in their words; a follow-up such as "and on 443?" keeps the previous question\'s endpoints and window.',
    'If it returns a clarification, ask the user that question instead of guessing.',
  ].join(' '),
  input: z.object({
    question: z.string().min(3).max(500).describe('The flow to diagnose in plain words, e.g. "why can\'t 10.1.0.4 reach vm-app01 on 443 since 09:00?"'),
    page: page.describe('Page of the evidence not cited by findings'),
  }).strict(),
  async run(input, context) {
    return success(outcomeForModel(await diagnoseInTurn(context, input.question), input.page));
  },
});
