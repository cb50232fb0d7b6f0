/**
 * What the bot says besides the report cards: help, acknowledgements, clarifications
 * with choices, refusals and errors, and the parsing of card submits. The verdict,
 * proof and capture cards come from `src/report/adaptive-card.ts`.
 */
import { z } from 'zod';
import { CARD_BYTE_LIMIT, capCard, messageCard, trimText, type AdaptiveCard } from '../report/adaptive-card.js';
import { describeBlockedAt } from '../report/markdown.js';
import type { Verdict } from '../domain/index.js';

/** The attachment content type of an Adaptive Card. */
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** A card as a message attachment. */
export function cardAttachment(card: AdaptiveCard): { contentType: string; content: AdaptiveCard } {
  return { contentType: ADAPTIVE_CARD, content: card };
}

/** What a card submit may ask (the report's CardAction, plus the bot's own `ask`: a clarification choice). */
/** Longest question a card submit carries. */
const ASK_TEXT_LIMIT = 4_000;

export const SubmitSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('showProof'), verdictId: z.string().min(1).max(64), page: z.coerce.number().int().min(0).max(1000) }),
  z.object({ action: z.literal('askAgain'), verdictId: z.string().min(1).max(64), window: z.string().max(500).optional() }),
  z.object({ action: z.literal('evidencePack'), verdictId: z.string().min(1).max(64) }),
  z.object({ action: z.literal('captureToProve'), verdictId: z.string().min(1).max(64) }),
  z.object({ action: z.literal('ask'), text: z.string().min(1).max(ASK_TEXT_LIMIT) }),
  // Capture-job cards (src/report/capture-confirmation-card.ts): anyone may press; the engine checks the approver.
  z.object({ action: z.literal('captureConfirm'), jobId: z.string().min(1).max(64) }),
  z.object({ action: z.literal('captureCancel'), jobId: z.string().min(1).max(64) }),
  z.object({ action: z.literal('captureStop'), jobId: z.string().min(1).max(64) }),
]);
export type Submit = z.infer<typeof SubmitSchema>;

/** True when the text asks for help. */
export function isHelpRequest(text: string): boolean {
  return /^\s*(?:help|\?|hi|hello|hey|what can you do\??|commands?)\s*[.!?]*\s*$/i.test(text) || text.trim() === '';
}

/** True when the text asks which estates (lab scenarios) there are: "scenarios", "list scenarios", "which scenarios?". */
export function isScenariosRequest(text: string): boolean {
  return /^\s*(?:(?:list|show)(?:\s+(?:the|all))?\s+|which\s+|what\s+)?(?:scenarios|estates)(?:\s+(?:are\s+there|do\s+you\s+have))?\s*[.!?]*\s*$/i.test(text);
}

/** The name in "use <name>" ("use scenario no-route", "switch to no-route"); null for anything else. */
export function useRequestOf(text: string): string | null {
  const match = /^\s*(?:use|switch\s+to|pick)\s+(?:the\s+)?(?:scenario|estate)?\s*[:"']?([A-Za-z0-9][\w.-]{0,100})["']?\s*[.!]*\s*$/i.exec(text);
  return match?.[1] ?? null;
}

/** True when the text asks for flow-log coverage ("flow log coverage", "which VNets have no flow logs?"). */
export function isCoverageRequest(text: string): boolean {
  return /^\s*(?:(?:show|what(?:'s| is)|check)\s+(?:me\s+)?(?:the\s+)?)?flow[- ]?logs?\s+coverage\s*[.!?]*\s*$/i.test(text)
    || /^\s*(?:which|what)\s+vnets?\s+(?:have|has|are)\s+(?:no|without)\s+(?:vnet\s+)?flow[- ]?logs?\b[^]*$/i.test(text);
}

/** Example questions, shown in help. */
export const EXAMPLES = [
  "why can't 192.168.10.5 RDP to vm-app01?",
  "why can't vm-web01 reach kv-prod.vault.azure.net on 443 since 9:00?",
  'and yesterday between 14:00 and 15:00?',
  'why does the capture fail?',
];

/** The help card: what the bot can do, with examples. */
export function helpCard(options: { uploadLimitText: string; personal: boolean; estates?: { current: string | null; count: number; lab: boolean }; captures?: boolean }): AdaptiveCard {
  const estates = options.estates;
  return messageCard('netproof tells you why a connection fails, with proof.', [
    'Ask about one flow, in plain words: the source, the destination, the port or service, and when. I read Azure Firewall logs, VNet flow logs, routes, security rules, Network Watcher, Key Vault logs and captures, and answer with a verdict that cites every piece of evidence.',
    ...EXAMPLES.map((example) => `• "${example}"`),
    options.personal
      ? `Send me a packet capture here (personal chat) and I summarise what the packets show; then ask "why does the capture fail?" to use it as evidence. ${options.uploadLimitText}`
      : 'In a channel or group chat, mention me (@netproof) in your question. To use a packet capture, send the file to me in a personal chat.',
    'On a verdict: "Show the proof" pages through the findings with the exact KQL, "Evidence pack" opens a self-contained page you can hand to someone without Azure access, and "Ask again with another time window" re-runs the question for another time.',
    '"flow log coverage" (or "which VNets have no flow logs?") shows which VNets have VNet flow logs, and the Azure Policy plan that closes the gaps.',
    ...(options.captures
      ? ['"capture traffic from <source> to <destination> on <port> for 2 minutes" (or "Prove it with a capture" on a verdict) proposes a packet capture: nothing starts until a capture approver confirms; "stop the capture" stops it early.']
      : []),
    ...(estates && estates.count > 1
      ? [`${estates.lab ? `This is the demo lab: ${estates.count} built-in scenarios` : `${estates.count} estates`}. "scenarios" lists them; "use <name>" picks one for this conversation (${estates.current ? `now: ${estates.current}` : 'now: whichever one your question names'}).`]
      : []),
  ]);
}

/** The acknowledgement of a question (replaced by the verdict when it is ready). */
export const INVESTIGATING_TEXT = 'Looking at firewall logs, flow logs, routes and security rules… I will update this message with the verdict.';

/** The acknowledgement of an upload. */
export function readingUploadText(fileName: string): string {
  return `Reading ${trimText(fileName, 120)}… I will update this message with what the packets show.`;
}

/** Said in channels and group chats, where Teams does not hand files to bots. */
export const UPLOAD_IN_CHANNEL_TEXT = 'Teams does not hand files shared in channels or group chats to bots. Send the capture to me in a personal chat (open a chat with netproof and attach it there), then ask your question here or there.';

/** One line beside a verdict card: the status, the summary, where it is blocked, the confidence. */
export function verdictLine(verdict: Verdict): string {
  const status = verdict.status === 'ok' ? 'OK' : verdict.status === 'failing' ? 'FAILING' : 'UNKNOWN';
  const blocked = describeBlockedAt(verdict);
  return trimText(`**${status}**: ${verdict.summary}${blocked ? ` Blocked at: ${blocked}.` : ''} (confidence ${verdict.confidence})`, 600);
}

/**
 * The question with a clarified name put in: a clarification that quotes the unclear
 * name ("I don't know "vm-ap01"...") is answered by replacing that name in the question
 * with the choice. Null when the message quotes nothing the question contains.
 */
export function substituteChoice(question: string, clarification: string, choice: string): string | null {
  const quoted = /"([^"]{1,200})"/.exec(clarification)?.[1];
  if (!quoted) return null;
  const index = question.toLowerCase().indexOf(quoted.toLowerCase());
  if (index === -1) return null;
  return `${question.slice(0, index)}${choice}${question.slice(index + quoted.length)}`;
}

/** A clarification: the question back, with the closest matches as buttons when they can be put in. */
export function clarificationCard(question: string, message: string, candidates: readonly string[]): AdaptiveCard {
  const choices = candidates.slice(0, 5).map((candidate) => ({ candidate, text: substituteChoice(question, message, candidate) }));
  // A choice re-asks the whole question: one longer than a submit may carry could not be pressed.
  if (choices.length === 0 || choices.some((choice) => choice.text === null || choice.text.length > ASK_TEXT_LIMIT)) {
    return messageCard('I need one more detail', [message], [...candidates]);
  }
  const base = messageCard('I need one more detail', [message]);
  const actions = choices.map((choice) => ({ type: 'Action.Submit', title: trimText(choice.candidate, 40), data: { action: 'ask', text: choice.text ?? '' } satisfies Submit }));
  // Long questions repeated in every choice: fewer choices rather than a card Teams refuses.
  while (actions.length > 1 && Buffer.byteLength(JSON.stringify({ ...base, actions }), 'utf8') > CARD_BYTE_LIMIT) actions.pop();
  return capCard({ ...base, actions });
}

/** What went wrong with an upload, and what is accepted. */
export function uploadErrorCard(fileName: string, message: string, accepted: string): AdaptiveCard {
  return messageCard(`I could not read ${trimText(fileName, 120)}`, [message, accepted]);
}

/** An internal failure: no details, a reference for the logs. */
export function internalErrorText(correlationId: string): string {
  return `Sorry, something went wrong on my side. Please try again; if it keeps happening, give the team that runs netproof this reference: ${correlationId}.`;
}
