/**
 * `logs_not_yet_ingested` (contributing): part of the question's window is newer than what a
 * source has ingested (Traffic Analytics interval plus up to an hour; firewall logs minutes), so
 * absence in that source proves nothing yet. Only sources that could record this flow count (a
 * firewall on its path, flow logs on its endpoints, the vault it calls), and the reason explains
 * an undecided verdict only: when other evidence decides the cause, the late tail of the window
 * led nowhere.
 */
import { analyse, evidenceOf, sourceCouldRecord } from '../context.js';
import type { Rule, RuleFinding } from '../types.js';

/** Sources that could show the flow but do not cover the window yet. */
export const logsNotYetIngested: Rule = {
  name: 'logs-not-yet-ingested',
  run(input) {
    const analysis = analyse(input);
    const late = evidenceOf(input, 'source-freshness').filter(({ data }) => {
      const coveredUntil = Date.parse(data.coveredUntil);
      return !Number.isNaN(coveredUntil) && coveredUntil < analysis.flow.windowEndInMs && sourceCouldRecord(analysis, data.source);
    });
    const gaps = input.gaps.filter((gap) => gap.reason === 'not-yet-ingested' && sourceCouldRecord(analysis, gap.source));
    if (late.length === 0 && gaps.length === 0) return [];
    const sources = [...late.map(({ data }) => `${data.source} (covered until ${data.coveredUntil}, expected delay ${data.expectedDelayInMinutes} min)`), ...gaps.map((gap) => gap.source)];
    const finding: RuleFinding = {
      code: 'logs_not_yet_ingested',
      summary: `Part of the window is not ingested yet in ${sources.join('; ')}: absence there proves nothing.`,
      evidence: late.map((item) => item.id),
      confidence: 'high',
      nextSteps: [`Ask again after the ingestion delay: ${late.map(({ data }) => `${data.source} needs about ${data.expectedDelayInMinutes} minutes`).join(', ') || 'see the gaps'}.`],
      explains: ['insufficient_evidence'],
    };
    return [finding];
  },
};
