/**
 * The seam for the LLM: given the verdict and the turn, an Explainer returns prose that
 * restates the verdict for the person who asked. It never decides anything: the card
 * still shows the rules' verdict. It may fail or time out; the bot then answers from the
 * rules alone and says so on the card.
 */
import type { ParsedQuestion } from '../diagnose/question.js';
import type { Verdict } from '../domain/index.js';

/** What the explainer is given. */
export interface ExplainInput {
  verdict: Verdict;
  question: ParsedQuestion;
  /** The user's words, mention removed. */
  text: string;
  /** The asker's display name, when Teams sends it. */
  userName: string | null;
}

/** Turns a verdict into prose; rejects (or honours the abort signal) when it cannot. */
export type Explainer = (input: ExplainInput, signal: AbortSignal) => Promise<string>;

/** The notice on a card when the explainer failed. */
export const EXPLAINER_FAILED_NOTICE = 'The assistant could not phrase this answer; it comes from the rules alone.';

/** Runs an explainer with a deadline; null when it fails, times out or returns nothing. */
export async function explainWithin(explainer: Explainer, input: ExplainInput, timeoutInMs: number): Promise<{ prose: string } | { error: unknown }> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`the explainer did not answer within ${timeoutInMs} ms`);
      controller.abort(error);
      reject(error);
    }, timeoutInMs);
  });
  try {
    const prose = await Promise.race([explainer(input, controller.signal), deadline]);
    if (typeof prose !== 'string' || prose.trim() === '') return { error: new Error('the explainer returned no text') };
    return { prose: prose.trim() };
  } catch (error) {
    return { error };
  } finally {
    clearTimeout(timer);
  }
}
