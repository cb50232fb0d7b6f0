/**
 * diagnose_connection: the whole deterministic pipeline (parse, investigate, rules,
 * verdict). The only tool whose answer may say WHY a connection fails: the final
 * answer is checked against the verdict it returns.
 */
import { z } from 'zod';
import { uploadEvidence } from './support/captures.js';
import { inScope } from './support/scope.js';
import { defineTool, notFound, success } from './support/tool.js';
import { outcomeForModel } from './support/verdict.js';
import { page } from './support/values.js';

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
    const key = JSON.stringify([input.question, context.previous?.text ?? null]);
    let outcome = context.turn.diagnosisCache.get(key);
    if (!outcome) {
      const uploads = await uploadEvidence(context);
      outcome = await context.diagnose({
        text: input.question,
        ...(context.previous ? { previous: context.previous } : {}),
        ...(context.timeZone ? { timeZone: context.timeZone } : {}),
        ...(uploads.evidence.length > 0 ? { extraEvidence: uploads.evidence } : {}),
      });
      if (outcome.kind === 'verdict') {
        // The diagnosis runs on scoped sources; this guard keeps a mis-wired pipeline from leaking another subscription.
        const endpoints = [outcome.verdict.question.source.resourceId, outcome.verdict.question.destination.resourceId];
        const outside = endpoints.find((id) => id !== null && !inScope(context.scope, id));
        if (outside !== undefined) return notFound('An endpoint of this question');
      }
      context.turn.diagnosisCache.set(key, outcome);
    }
    context.turn.diagnoses.push(outcome);
    return success(outcomeForModel(outcome, input.page));
  },
});
