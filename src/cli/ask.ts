/** `netproof ask "<question>" [--scenario DIR] [--json] [--report FILE]`: one turn of the bot's pipeline. */
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { clarificationError } from '../diagnose/question.js';
import { assistantFor, createRuntime, selectEstate } from '../main.js';
import { renderEvidencePack } from '../report/html.js';
import { renderVerdictMarkdown } from '../report/markdown.js';

/** Options of `netproof ask`. */
export interface AskOptions {
  scenario?: string;
  json?: boolean;
  report?: string;
  llm?: boolean;
}

/** Runs one question and prints the answer. */
export async function runAsk(question: string, options: AskOptions): Promise<void> {
  const config = loadConfig();
  const runtime = await createRuntime(config, { ...(options.scenario ? { scenarioDirectories: [options.scenario] } : {}), frozenClock: true });
  try {
    const estate = await selectEstate(runtime, question);
    const assistant = options.llm === false ? null : assistantFor(runtime, estate);
    let verdict;
    let prose: string | null = null;
    if (assistant) {
      const answer = await assistant.answer({ text: question, conversation: {}, scope: { subscriptionIds: estate.subscriptionIds } });
      if (answer.clarify) throw clarificationError({ kind: 'clarify', ...answer.clarify });
      if (!answer.verdict) throw new Error('the assistant returned neither a verdict nor a clarification');
      verdict = answer.verdict;
      prose = answer.prose;
      if (answer.degraded) process.stderr.write(`netproof: ${answer.degraded}\n`);
    } else {
      const outcome = await estate.diagnose({ text: question });
      if (outcome.kind === 'clarify') throw clarificationError(outcome);
      verdict = outcome.verdict;
    }
    if (options.json) process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
    else process.stdout.write(`${prose ? `${prose}\n\n---\n\n` : ''}${renderVerdictMarkdown(verdict)}\n`);
    if (options.report) {
      writeFileSync(options.report, renderEvidencePack(verdict, { generatedAt: estate.now().toISOString() }));
      process.stderr.write(`netproof: evidence pack written to ${options.report}\n`);
    }
  } finally {
    await runtime.close();
  }
}
