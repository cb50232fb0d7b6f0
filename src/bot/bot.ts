/**
 * The Teams activity handler. A turn does only quick work: the mention and access
 * gates, redelivery detection, an acknowledgement (typing, then a short message); the
 * investigation or capture analysis runs outside the turn, and its answer replaces the
 * acknowledgement through a proactive `continueConversationAsync` (Teams gives a turn
 * 15 seconds; an investigation may take longer).
 *
 * Every dependency comes in through `BotServices`; nothing here reads the environment
 * or the wall clock.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import {
  ActivityTypes, TeamsActivityHandler, TurnContext,
  type Activity, type BotAdapter, type ConversationReference, type InvokeResponse, type Storage,
} from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import { readArtifact, type ArtifactStore } from '../azure/artifacts.js';
import { isCaptureRequest, isStopRequest, type Actor, type CaptureJobs, type OutboxMessage, type ProposeInput, type ProposeOutcome } from '../capture-jobs/index.js';
import type { DiagnoseOutcome, DiagnoseRequest, Diagnoser } from '../diagnose/diagnose.js';
import type { CoverageReport } from '../domain/coverage.js';
import type { Gap } from '../domain/index.js';
import type { AssistantAnswer, Explainer as Assistant, PacketCaptureRequest } from '../llm/index.js';
import { coverageCard } from '../report/coverage-card.js';
import { scopeCoverage } from '../../tools/get-flow-log-coverage.js';
import type { ToolContext } from '../../tools/support/tool.js';
import type { EvidenceDraft } from '../diagnose/ports.js';
import { ParsedQuestionSchema, type ParsedQuestion } from '../diagnose/question.js';
import { isUserInputError, VerdictSchema, type CaptureReport, type Verdict } from '../domain/index.js';
import { captureCard, proofCard, trimText, verdictCard, type AdaptiveCard } from '../report/adaptive-card.js';
import { AccessPolicy, withinGrant, GRANT_REFUSAL, type AccessDecision, type Asker } from './access.js';
import {
  INVESTIGATING_TEXT, UPLOAD_IN_CHANNEL_TEXT, SubmitSchema, cardAttachment, clarificationCard, helpCard,
  internalErrorText, isCoverageRequest, isHelpRequest, isScenariosRequest, readingUploadText, uploadErrorCard, useRequestOf, verdictLine, type Submit,
} from './cards.js';
import { EXPLAINER_FAILED_NOTICE, explainWithin, type Explainer } from './explainer.js';
import { InvestigationLimiter, isRefusal, refusalMessage, type Slot } from './limits.js';
import { ConversationStore, storedReference, type ConversationRecord, type UploadRef } from './state.js';
import {
  ACCEPTED_FILE_TYPES, acceptedUploadsText, analyseToLines, fileUploadsOf, mentionsFiles, openDownload, readCaptureReport,
  type AnalysedCapture, type CaptureAnalyser, type FileUpload,
} from './uploads.js';
import { publishEvidencePack } from './evidence-pack.js';

/** The injected clock. */
export interface Clock {
  now(): Date;
}

/** One estate the bot can investigate (Azure, or one lab scenario), as the composition root wires it. */
export interface BotEstate {
  /** `azure`, or the lab scenario's name (capture jobs know estates by it). */
  name: string;
  /** What it is, in words. */
  description: string;
  /** Other names "use <name>" accepts (a lab scenario's folder name). */
  aliases?: readonly string[];
  /** A question that works against it (a lab scenario's own question), for the scenario list. */
  example?: string | null;
  /** The subscriptions it covers; empty when unknown. */
  subscriptionIds: readonly string[];
  /** The deterministic pipeline bound to this estate. */
  diagnose: Diagnoser;
  /** The LLM assistant over this estate (`assistantFor`); absent or null: the rules answer alone. */
  assistant?: Assistant | null;
  /** Flow-log coverage of the estate (`estateCoverage`). */
  coverage?: (signal?: AbortSignal) => Promise<{ ok: true; report: CoverageReport } | { ok: false; gap: Gap }>;
}

/** The estates of the runtime (one for Azure, one per lab scenario). */
export interface BotEstates {
  list: readonly BotEstate[];
  /** The estate a question is about when the conversation picked none (`selectEstate`: the first whose names it resolves against). */
  select(text: string): Promise<BotEstate>;
  /** True when they are the embedded lab's scenarios. */
  lab: boolean;
}

/** Everything the bot uses, injected. */
export interface BotServices {
  /** The deterministic pipeline (`src/diagnose/diagnose.ts`); used when `estates` is not given. */
  diagnose: Diagnoser;
  /** The estates to investigate, with the scenario picker ("scenarios", "use <name>"); without them `diagnose` answers everything. */
  estates?: BotEstates;
  /** Packet captures from chat (src/capture-jobs); without it the bot offers none. */
  captureJobs?: CaptureJobs;
  /** Capture analysis (by default in a worker thread: `createWorkerCaptureAnalyser`). */
  analyzeCapture: CaptureAnalyser;
  /** Uploads, reports, verdicts and evidence packs. */
  artifacts: ArtifactStore;
  /** Conversation state (botbuilder Storage: MemoryStorage, BlobsStorage). */
  storage: Storage;
  clock: Clock;
  /** pino, JSON; each turn logs through a child carrying its correlation id. */
  logger: Logger;
  /** Optional LLM phrasing of verdicts; without it the bot answers from the rules alone. */
  explainer?: Explainer;
  /** For downloads of uploaded files (default: global fetch). */
  fetch?: typeof fetch;
}

/** The bot's settings (from `Config` via `botSettingsFromConfig`). */
export interface BotSettings {
  /** MicrosoftAppId; empty for local, unauthenticated use. */
  appId: string;
  /** Base of evidence-pack links (NETPROOF_PUBLIC_URL, default http://127.0.0.1:PORT). */
  publicUrl: string;
  access: AccessPolicy;
  uploadLimitInBytes: number;
  investigationsPerConversation: number;
  investigations: number;
  /** How long uploads, verdicts and evidence packs are kept. */
  retentionInMs: number;
  /** Redact resource ids and names in evidence packs. */
  redactEvidencePacks: boolean;
  explainTimeoutInMs: number;
}

/** The one adapter method the bot needs for answers outside the turn. */
export type ProactiveAdapter = Pick<BotAdapter, 'continueConversationAsync'>;

/** A reply: text and/or one card. */
interface Reply {
  text?: string;
  attachments?: { contentType: string; content: unknown }[];
}

/** Pending work older than this, not running in this process, was cut off (source timeouts are far shorter). */
export const STALE_PENDING_IN_MS = 15 * 60 * 1000;

/** What a cut-off acknowledgement becomes. */
export const INTERRUPTED_TEXT = 'This investigation was interrupted (netproof restarted) before it could answer. Please ask again.';

/** Words that make a later message refer to the latest upload. */
const REFERS_TO_UPLOAD = /\b(?:captures?|uploads?|uploaded|pcap(?:ng)?|trace|the file|packets?)\b/i;

/** A stored verdict: the question is null for the verdict of a finished capture job; `estate` names where it was found. */
const StoredVerdictSchema = z.object({ verdict: VerdictSchema, question: ParsedQuestionSchema.nullable(), estate: z.string().nullable().optional() });

/** Said when a packet-capture button is pressed on a bot that runs no capture jobs. */
export const CAPTURES_UNAVAILABLE_TEXT = 'Packet captures started from chat are not available in this deployment. Send me a capture file in a personal chat instead.';

/** Where a turn keeps its correlation id (TurnContext.turnState). */
const CORRELATION_ID_KEY = Symbol('netproof.correlationId');

/** The correlation id of the turn in `context`, once the bot has started it. */
export function correlationIdOf(context: TurnContext): string | undefined {
  const value: unknown = context.turnState.get(CORRELATION_ID_KEY);
  return typeof value === 'string' ? value : undefined;
}

/** Who pressed or asked, as the capture jobs record it. */
export function actorOf(activity: Activity): Actor {
  return { aadObjectId: activity.from?.aadObjectId ?? null, name: activity.from?.name ?? null };
}

/** The idempotency mark of a capture-job message in a conversation's `handled`. */
export function captureMessageMark(key: string): string {
  return `capture:${key}`;
}

/** Conversation type of an activity ('personal' when Teams omits it, as the emulator does). */
function conversationTypeOf(activity: Activity): string {
  return activity.conversation?.conversationType ?? 'personal';
}

/** Teams markup left in a message after the mention is removed. */
export function cleanText(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The mention entities of an activity; entities come from the wire, so anything else in the list is skipped. */
function mentionsOf(activity: Partial<Activity>): { mentioned?: { id?: unknown }; text?: unknown }[] {
  const entities: unknown = activity.entities;
  if (!Array.isArray(entities)) return [];
  return entities.filter((entity): entity is { type: string; mentioned?: { id?: unknown }; text?: unknown } =>
    typeof entity === 'object' && entity !== null && typeof (entity as { type?: unknown }).type === 'string' && (entity as { type: string }).type.toLowerCase() === 'mention');
}

/** True when the bot is mentioned (with no recipient, any mention counts: some channels omit it). */
export function isBotMentioned(activity: Partial<Activity>): boolean {
  const recipientId = activity.recipient?.id;
  return mentionsOf(activity).some((mention) => (recipientId ? mention.mentioned?.id === recipientId : true));
}

/**
 * The text with the bot's mention removed. Done here rather than with TurnContext.removeRecipientMention,
 * which throws without a recipient, on a mention with no `mentioned`, and on an entity with no type.
 */
export function textWithoutMention(activity: Partial<Activity>): string {
  const text = typeof activity.text === 'string' ? activity.text : '';
  const recipientId = activity.recipient?.id;
  const own = recipientId ? mentionsOf(activity).find((mention) => mention.mentioned?.id === recipientId && typeof mention.text === 'string' && mention.text !== '') : undefined;
  return cleanText(own ? text.replace(own.text as string, '') : text);
}

/** Who asks, and where. */
export function askerOf(activity: Activity): Asker {
  const channelData = (activity.channelData ?? {}) as { tenant?: { id?: string }; team?: { id?: string; aadGroupId?: string }; channel?: { id?: string } };
  return {
    tenantId: activity.conversation?.tenantId ?? channelData.tenant?.id ?? null,
    userId: activity.from?.aadObjectId ?? null,
    conversationType: conversationTypeOf(activity),
    conversationId: (activity.conversation?.id ?? '').split(';')[0] ?? '',
    teamIds: [channelData.team?.aadGroupId, channelData.team?.id].filter((id): id is string => typeof id === 'string' && id !== ''),
    channelId: channelData.channel?.id ?? null,
  };
}

/**
 * Minutes of logs read on each side of a conversation taken from a capture: a refused connection
 * lasts microseconds (its start and end are one instant, which the parser cannot read as a
 * window), flow logs aggregate by the minute, and the capture host's clock may be off a little.
 */
const CAPTURE_WINDOW_MARGIN_IN_MS = 5 * 60_000;

/** The first conversation with a problem (else the first), as a question the parser reads. */
export function questionFromCapture(report: CaptureReport): string | null {
  const problem = report.findings.find((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window') ?? report.findings[0];
  const conversation = report.conversations.find((candidate) => candidate.id === problem?.conversation) ?? report.conversations[0];
  if (!conversation) return null;
  const port = conversation.server.port !== null && conversation.protocol !== 'icmp' && conversation.protocol !== 'icmpv6'
    ? ` on ${conversation.protocol} port ${conversation.server.port}` : '';
  const start = Date.parse(conversation.start);
  const end = Date.parse(conversation.end);
  const window = Number.isFinite(start) && Number.isFinite(end)
    ? ` between ${new Date(start - CAPTURE_WINDOW_MARGIN_IN_MS).toISOString()} and ${new Date(end + CAPTURE_WINDOW_MARGIN_IN_MS).toISOString()}` : '';
  return `why can't ${conversation.client.ip} reach ${conversation.server.ip}${port}${window}`;
}

/** The capture evidence of an upload, as the pipeline takes it. */
export function captureEvidence(upload: Pick<UploadRef, 'fileName'>, report: CaptureReport): EvidenceDraft {
  const problems = report.findings.filter((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window');
  return {
    kind: 'capture',
    source: 'upload',
    query: `netproof capture ${upload.fileName} (the file sent in this conversation)`,
    summary: `${upload.fileName}: ${report.input.packets} packets, ${report.conversations.length} conversations, ${problems.length === 0 ? 'no problem seen' : problems.map((finding) => finding.code).join(', ')}`,
    data: { targetId: null, fileName: upload.fileName, report },
  };
}

/** A tool context carrying only the scope: `scopeCoverage` reads nothing else. */
function scopeOnly(subscriptionIds: string[]): ToolContext {
  const context: Pick<ToolContext, 'scope'> = { scope: { subscriptionIds } };
  return context as ToolContext;
}

/** An estate by name, alias, or a name ending in `-<name>` ("rdp-remote-site" for "example-rdp-remote-site"), case-insensitive. */
export function findEstate(estates: readonly BotEstate[], wanted: string): BotEstate | null {
  const name = wanted.trim().toLowerCase();
  const names = (estate: BotEstate) => [estate.name, ...(estate.aliases ?? [])].map((candidate) => candidate.toLowerCase());
  return estates.find((estate) => names(estate).includes(name))
    ?? estates.find((estate) => names(estate).some((candidate) => candidate.endsWith(`-${name}`)))
    ?? null;
}

/** The estate list in chat: one line each (its short name and a question to try), the current one marked. */
export function estatesText(estates: BotEstates, current: string | null): string {
  const what = estates.lab ? 'lab scenarios' : 'estates';
  const lines = estates.list.map((estate) => {
    const short = [...(estate.aliases ?? []), estate.name].sort((left, right) => left.length - right.length)[0] ?? estate.name;
    const about = estate.example ? `"${trimText(estate.example, 160)}"` : trimText(estate.description.split(/(?<=\.)\s/)[0] ?? estate.description, 160);
    return `- **${short}**${estate.name === current ? ' (in use)' : ''}: ${about}`;
  });
  return [
    `${estates.list.length} ${what}. Say "use <name>" to investigate one in this conversation${current ? ` (now: ${current}; "use auto" lets each question pick)` : ' (now: each question picks the one whose names it uses)'}, then ask its question:`,
    '',
    ...lines,
  ].join('\n');
}

/** netproof in Teams. */
export class NetproofBot extends TeamsActivityHandler {
  readonly #services: BotServices;
  readonly #settings: BotSettings;
  readonly #adapter: ProactiveAdapter;
  readonly #store: ConversationStore;
  readonly #limiter: InvestigationLimiter;
  readonly #inflight = new Set<Promise<void>>();
  /** Activity ids whose work runs in this process (the rest of `pending` may be another replica's, or orphaned). */
  readonly #runningHere = new Set<string>();
  /** Recently seen activities, checked before any state is read (redeliveries can be refused too). */
  readonly #seen = new Map<string, true>();

  constructor(services: BotServices, settings: BotSettings, adapter: ProactiveAdapter) {
    super();
    this.#services = services;
    this.#settings = settings;
    this.#adapter = adapter;
    this.#store = new ConversationStore(services.storage);
    this.#limiter = new InvestigationLimiter({ perConversation: settings.investigationsPerConversation, total: settings.investigations });
    this.onMessage(async (context, next) => {
      await this.#onMessage(context);
      await next();
    });
  }

  /**
   * Runs a turn. TeamsActivityHandler reads `channelData.eventType` of message updates, deletes and
   * conversation updates, and throws when a channel leaves `channelData` out: an empty one is put in.
   */
  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity as Partial<Activity> | undefined;
    if (activity && (activity.channelData === undefined || activity.channelData === null)) activity.channelData = {};
    await super.run(context);
  }

  /**
   * Invokes: the bot's cards only Submit (a message with a value) and it offers no messaging extension,
   * task module, file consent or sign-in, so it takes no invoke. botbuilder's handlers would answer 501,
   * or throw on a malformed value (`adaptiveCard/action` with no action, `fileConsent/invoke` with no
   * value) and fail the turn; an invoke here is the caller's mistake: 400, before any handler reads it.
   */
  protected override onInvokeActivity(_context: TurnContext): Promise<InvokeResponse> {
    return Promise.resolve({ status: 400 });
  }

  /** Resolves when every investigation and analysis started so far has answered. */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** Investigations and analyses running now. */
  get running(): number {
    return this.#limiter.running;
  }

  #track(work: Promise<void>): void {
    this.#inflight.add(work);
    void work.finally(() => this.#inflight.delete(work));
  }

  /** True the first time an activity is seen in this process. */
  #firstSight(activity: Activity): boolean {
    if (!activity.id) return true;
    const key = `${activity.conversation?.id ?? ''}|${activity.id}`;
    if (this.#seen.has(key)) return false;
    this.#seen.set(key, true);
    if (this.#seen.size > 5_000) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return true;
  }

  async #onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const correlationId = randomUUID();
    // The adapter's turn-error handler reports a failure under the same id (`correlationIdOf`).
    context.turnState.set(CORRELATION_ID_KEY, correlationId);
    const conversationType = conversationTypeOf(activity);
    const personal = conversationType === 'personal';
    // The conversation id ties a conversation's turns (one correlation id each) and its capture-job messages together.
    const log = this.#services.logger.child({ correlationId, conversationId: activity.conversation?.id ?? null, activityId: activity.id ?? null, conversationType });
    const submitted = activity.value !== undefined && activity.value !== null && typeof activity.value === 'object';

    // In channels and group chats the bot answers only when mentioned (card submits carry no mention).
    if (!personal && !submitted && !isBotMentioned(activity)) {
      log.debug('not mentioned: ignored');
      return;
    }
    if (!this.#firstSight(activity)) {
      log.info('redelivered activity: already answered');
      return;
    }
    const decision = this.#settings.access.decide(askerOf(activity));
    if (!decision.allowed) {
      log.info({ reason: decision.reason }, 'refused');
      await context.sendActivity(decision.message);
      return;
    }
    const key = ConversationStore.keyOf(activity.channelId ?? 'msteams', activity.conversation?.id ?? 'unknown');
    const staleBefore = this.#services.clock.now().getTime() - STALE_PENDING_IN_MS;
    const { fresh, orphaned } = await this.#store.update(key, (record) => {
      if (activity.id && record.handled.includes(activity.id)) return { fresh: false, orphaned: [] };
      if (activity.id) record.handled.push(activity.id);
      record.reference = storedReference(TurnContext.getConversationReference(activity));
      // Work that started long ago and is not running here was cut off (a restart, a lost replica).
      const orphans = record.pending.filter((item) => !this.#runningHere.has(item.activityId) && Date.parse(item.startedAt) < staleBefore);
      record.pending = record.pending.filter((item) => !orphans.includes(item));
      return { fresh: true, orphaned: orphans };
    });
    if (!fresh) {
      log.info('redelivered activity (seen by another replica): already answered');
      return;
    }
    for (const orphan of orphaned) {
      if (!orphan.acknowledgementId) continue;
      log.warn({ orphanedActivityId: orphan.activityId }, 'an earlier investigation was cut off: telling the user');
      await context.updateActivity({ type: ActivityTypes.Message, id: orphan.acknowledgementId, text: INTERRUPTED_TEXT })
        .catch((error: unknown) => log.warn({ err: error }, 'could not mark the cut-off investigation'));
    }
    const turn: Turn = { context, activity, log, correlationId, key, decision, personal };
    if (submitted) return this.#onSubmit(turn, activity.value as unknown);

    const text = personal ? cleanText(typeof activity.text === 'string' ? activity.text : '') : textWithoutMention(activity);
    const uploads = fileUploadsOf(activity.attachments);
    if (uploads.length > 0 || mentionsFiles(activity.attachments)) {
      if (!personal) {
        await context.sendActivity(UPLOAD_IN_CHANNEL_TEXT);
        return;
      }
      const upload = uploads[0];
      if (upload) return this.#onUpload(turn, upload);
    }
    if (isHelpRequest(text)) {
      log.info('help');
      const estates = this.#services.estates;
      const current = estates ? (await this.#store.get(key)).estate : null;
      await context.sendActivity({ attachments: [cardAttachment(helpCard({
        uploadLimitText: acceptedUploadsText(this.#settings.uploadLimitInBytes), personal, captures: this.#services.captureJobs !== undefined,
        ...(estates ? { estates: { current, count: estates.list.length, lab: estates.lab } } : {}),
      }))] });
      return;
    }
    const estates = this.#services.estates;
    if (estates && isScenariosRequest(text)) return this.#listEstates(turn, estates);
    const wanted = estates ? useRequestOf(text) : null;
    if (estates && wanted !== null) return this.#useEstate(turn, estates, wanted);
    if (isCoverageRequest(text)) return this.#coverage(turn, text);
    const jobs = this.#services.captureJobs;
    if (jobs && isStopRequest(text)) return this.#stopCaptures(turn, jobs);
    if (jobs && isCaptureRequest(text)) {
      const record = await this.#store.get(key);
      const estate = await this.#estateFor(record.estate, text);
      if (this.#grantFor(turn, estate) === null) {
        await context.sendActivity(GRANT_REFUSAL);
        return;
      }
      log.info({ estate: estate.name }, 'capture requested in words');
      await this.#send(turn, await this.#propose(turn, estate.name, (input) => jobs.proposeFromText(text, input)));
      return;
    }
    await this.#startInvestigation(turn, { text });
  }

  async #send(turn: Turn, reply: Reply): Promise<void> {
    await turn.context.sendActivity({ type: ActivityTypes.Message, ...reply });
  }

  /** The estate of a turn: the one the conversation picked, else the one the text names (else the first). */
  async #estateFor(chosen: string | null, text: string): Promise<BotEstate> {
    const estates = this.#services.estates;
    if (!estates) return { name: 'default', description: 'the configured estate', subscriptionIds: [], diagnose: this.#services.diagnose };
    const picked = chosen === null ? undefined : estates.list.find((estate) => estate.name === chosen);
    return picked ?? estates.select(text);
  }

  /**
   * What the asker may see of an estate: null when nothing (the grant and the estate's subscriptions do not meet),
   * else the subscriptions to scope the pipeline to (null: all of them) and the assistant's scope.
   */
  #grantFor(turn: Turn, estate: BotEstate): { restrictTo: string[] | null; scope: string[] } | null {
    const granted = turn.decision.allowed ? turn.decision.subscriptions : [];
    if (granted === '*') return { restrictTo: null, scope: [...estate.subscriptionIds] };
    const mine = new Set(granted.map((id) => id.toLowerCase()));
    if (estate.subscriptionIds.length > 0 && !estate.subscriptionIds.some((id) => mine.has(id.toLowerCase()))) return null;
    return { restrictTo: [...granted], scope: [...granted] };
  }

  async #listEstates(turn: Turn, estates: BotEstates): Promise<void> {
    const current = (await this.#store.get(turn.key)).estate;
    turn.log.info('estates listed');
    await turn.context.sendActivity({ type: ActivityTypes.Message, textFormat: 'markdown', text: estatesText(estates, current) });
  }

  async #useEstate(turn: Turn, estates: BotEstates, wanted: string): Promise<void> {
    const automatic = /^(?:auto|any|default|none)$/i.test(wanted);
    const estate = automatic ? null : findEstate(estates.list, wanted);
    if (!automatic && !estate) {
      turn.log.info({ wanted }, 'unknown estate');
      const close = estates.list.filter((candidate) => [candidate.name, ...(candidate.aliases ?? [])].some((name) => name.toLowerCase().includes(wanted.toLowerCase()))).map((candidate) => candidate.name).slice(0, 5);
      await turn.context.sendActivity(`I know no ${estates.lab ? 'scenario' : 'estate'} called "${wanted}".${close.length > 0 ? ` Did you mean ${close.join(', ')}?` : ''} Say "scenarios" for the list.`);
      return;
    }
    if (estate && this.#grantFor(turn, estate) === null) {
      await turn.context.sendActivity(GRANT_REFUSAL);
      return;
    }
    await this.#store.update(turn.key, (record) => {
      record.estate = estate?.name ?? null;
      // A follow-up must not continue a question asked of another estate.
      record.lastQuestion = null;
    });
    turn.log.info({ estate: estate?.name ?? null }, 'estate chosen');
    await turn.context.sendActivity({
      type: ActivityTypes.Message, textFormat: 'markdown',
      text: estate
        ? `Now investigating **${estate.name}** in this conversation.${estate.example ? ` Try: "${estate.example}"` : ''} (Say "use auto" to let each question pick its ${estates.lab ? 'scenario' : 'estate'}.)`
        : `Each question now picks the ${estates.lab ? 'scenario' : 'estate'} whose names it uses.`,
    });
  }

  async #coverage(turn: Turn, text: string): Promise<void> {
    await this.#runOutsideTurn(turn, 'Reading flow-log settings, policy assignments and firewall diagnostics… I will update this message with the coverage.', async () => {
      const record = await this.#store.get(turn.key);
      const estate = await this.#estateFor(record.estate, text);
      const grant = this.#grantFor(turn, estate);
      if (grant === null) return { text: GRANT_REFUSAL };
      if (!estate.coverage) return { text: 'Flow-log coverage is not available in this deployment; run `netproof coverage` where netproof runs.' };
      const outcome = await estate.coverage();
      if (!outcome.ok) {
        turn.log.warn({ gap: outcome.gap }, 'coverage unavailable');
        return { text: `I could not read the flow-log coverage of ${estate.name} (${outcome.gap.source}: ${outcome.gap.reason}: ${outcome.gap.detail}). Ask again in a minute.` };
      }
      // Only what the asker may investigate (the tool applies the same filter for the LLM).
      const report = grant.restrictTo === null ? outcome.report : scopeCoverage(outcome.report, scopeOnly(grant.restrictTo));
      const open = report.vnets.filter((vnet) => vnet.flowLogs !== 'vnet').length;
      turn.log.info({ estate: estate.name, vnets: report.vnets.length, open }, 'coverage');
      const other = this.#services.estates && this.#services.estates.list.length > 1 && record.estate === null
        ? ` (say "use <name>" to look at another ${this.#services.estates.lab ? 'scenario' : 'estate'})` : '';
      return {
        text: `Flow-log coverage of ${estate.name}${other}: ${report.vnets.length} VNet(s), ${open} without VNet flow logs; ${report.plan.assignments.length} policy assignment(s) would close the gaps.`,
        attachments: [cardAttachment(coverageCard(report, { estateName: estate.name }))],
      };
    });
  }

  /** Plans a capture and answers with its confirmation card, or why not. Refuses a target outside the asker's grant. */
  async #propose(turn: Turn, estateName: string, propose: (input: ProposeInput) => Promise<ProposeOutcome>): Promise<Reply> {
    const activity = turn.activity;
    const timeZone = typeof activity.localTimezone === 'string' && activity.localTimezone !== '' ? activity.localTimezone : undefined;
    const requestedBy = actorOf(activity);
    let outcome: ProposeOutcome;
    try {
      outcome = await propose({
        estate: estateName, conversation: storedReference(TurnContext.getConversationReference(activity)), requestedBy, ...(timeZone ? { timeZone } : {}),
      });
    } catch (error) {
      turn.log.error({ err: error, estate: estateName }, 'could not plan the capture');
      return { text: internalErrorText(turn.correlationId) };
    }
    if (outcome.kind === 'refused') {
      turn.log.info({ code: outcome.code }, 'capture refused');
      return { text: outcome.text };
    }
    const subscriptions = turn.decision.allowed ? turn.decision.subscriptions : [];
    if (!withinGrant(subscriptions, [outcome.job.plan.targetId])) {
      turn.log.info({ jobId: outcome.job.id }, 'capture target outside the asker\'s subscriptions: cancelled');
      await this.#services.captureJobs?.cancel(outcome.job.id, requestedBy);
      return { text: GRANT_REFUSAL };
    }
    turn.log.info({ jobId: outcome.job.id, target: outcome.job.plan.targetName }, 'capture proposed');
    return { attachments: [cardAttachment(outcome.card as unknown as AdaptiveCard)] };
  }

  async #stopCaptures(turn: Turn, jobs: CaptureJobs): Promise<void> {
    const conversationId = turn.activity.conversation?.id;
    const active = await jobs.active((job) => (job.conversation as { conversation?: { id?: string } }).conversation?.id === conversationId);
    if (active.length === 0) {
      await turn.context.sendActivity('No packet capture is running or waiting for confirmation in this conversation.');
      return;
    }
    const actor = actorOf(turn.activity);
    const texts: string[] = [];
    for (const job of active) {
      const outcome = await jobs.stop(job.id, actor);
      turn.log.info({ jobId: job.id, ok: outcome.ok, code: outcome.ok ? null : outcome.code }, 'capture stop requested');
      texts.push(outcome.text);
    }
    await turn.context.sendActivity(texts.join('\n\n'));
  }

  /**
   * Posts a capture-job message into its conversation (the engine's CaptureNotifier). A key already
   * posted (recorded in the conversation's `handled`) is skipped, so a message is posted once even when
   * the engine posts again after a crash. A result's verdict is kept as `capture-<job id>`, so its card's
   * "Show the proof" and "Evidence pack" work.
   */
  async postCaptureMessage(conversation: Record<string, unknown>, message: OutboxMessage): Promise<void> {
    const reference = conversation as Partial<ConversationReference>;
    const key = ConversationStore.keyOf(reference.channelId ?? 'msteams', reference.conversation?.id ?? 'unknown');
    const mark = captureMessageMark(message.key);
    if ((await this.#store.get(key)).handled.includes(mark)) return;
    if (message.kind === 'result' && message.verdict) {
      const jobId = message.key.split(':')[0] ?? message.key;
      await this.#keepVerdict(key, `capture-${jobId}`, message.verdict, null, null);
    }
    await this.#adapter.continueConversationAsync(this.#settings.appId, reference, async (context) => {
      await context.sendActivity({
        type: ActivityTypes.Message, text: message.text,
        attachments: message.cards.map((card) => cardAttachment(card as unknown as AdaptiveCard)),
      });
    });
    await this.#store.update(key, (record) => {
      if (!record.handled.includes(mark)) record.handled.push(mark);
    });
    this.#services.logger.info({ captureMessage: message.key, kind: message.kind, jobId: message.key.split(':')[0] ?? message.key, conversationId: reference.conversation?.id ?? null }, 'capture message posted');
  }

  /** Stores a verdict (and its evidence pack) for the conversation's card actions. */
  async #keepVerdict(key: string, verdictId: string, verdict: Verdict, question: ParsedQuestion | null, estate: string | null): Promise<string | null> {
    const now = this.#services.clock.now();
    const expiresAt = new Date(now.getTime() + this.#settings.retentionInMs);
    const verdictKey = `verdicts/${verdictId}.json`;
    await this.#services.artifacts.put(verdictKey, JSON.stringify({ verdict, question, estate }), { contentType: 'application/json', expiresAt });
    let packUrl: string | null = null;
    try {
      packUrl = (await publishEvidencePack(this.#services.artifacts, verdict, {
        publicUrl: this.#settings.publicUrl, now, retentionInMs: this.#settings.retentionInMs, redact: this.#settings.redactEvidencePacks,
      })).url;
    } catch (error) {
      this.#services.logger.warn({ err: error }, 'could not store the evidence pack');
    }
    await this.#store.update(key, (record) => {
      if (question) record.lastQuestion = question;
      record.verdicts = record.verdicts.filter((ref) => ref.id !== verdictId);
      record.verdicts.push({ id: verdictId, key: verdictKey, packUrl, createdAt: now.toISOString() });
    });
    return packUrl;
  }

  async #onSubmit(turn: Turn, value: unknown): Promise<void> {
    const parsed = SubmitSchema.safeParse(value);
    if (!parsed.success) {
      turn.log.info('unknown card submit');
      await turn.context.sendActivity('I did not understand that button; ask your question in words, or say "help".');
      return;
    }
    const submit: Submit = parsed.data;
    turn.log.info({ action: submit.action }, 'card action');
    if (submit.action === 'ask') return this.#startInvestigation(turn, { text: submit.text });
    if (submit.action === 'captureConfirm' || submit.action === 'captureCancel' || submit.action === 'captureStop') {
      const jobs = this.#services.captureJobs;
      if (!jobs) {
        await turn.context.sendActivity(CAPTURES_UNAVAILABLE_TEXT);
        return;
      }
      // Anyone in the conversation may press; the engine checks who may confirm (approvers, the lab, authentication).
      const actor = actorOf(turn.context.activity);
      const outcome = submit.action === 'captureConfirm' ? await jobs.confirm(submit.jobId, actor)
        : submit.action === 'captureCancel' ? await jobs.cancel(submit.jobId, actor)
          : await jobs.stop(submit.jobId, actor);
      turn.log.info({ jobId: submit.jobId, ok: outcome.ok, code: outcome.ok ? null : outcome.code }, 'capture action answered');
      await turn.context.sendActivity(outcome.text);
      return;
    }
    const found = await this.#loadVerdict(turn.key, submit.verdictId);
    if (!found) {
      await turn.context.sendActivity('That answer has expired or belongs to another conversation; ask the question again.');
      return;
    }
    switch (submit.action) {
      case 'showProof':
        await turn.context.sendActivity({ attachments: [cardAttachment(proofCard(found.verdict, submit.verdictId, submit.page))] });
        return;
      case 'evidencePack':
        await turn.context.sendActivity(found.packUrl ? `Evidence pack: ${found.packUrl}` : 'The evidence pack is not available for this answer.');
        return;
      case 'captureToProve': {
        const jobs = this.#services.captureJobs;
        if (!jobs) {
          await turn.context.sendActivity(CAPTURES_UNAVAILABLE_TEXT);
          return;
        }
        const estateName = found.estate ?? (await this.#estateFor((await this.#store.get(turn.key)).estate, found.verdict.question.text)).name;
        turn.log.info({ estate: estateName }, 'capture to prove a verdict');
        await this.#send(turn, await this.#propose(turn, estateName, (input) => jobs.proposeFromVerdict(found.verdict, input)));
        return;
      }
      case 'askAgain': {
        const window = submit.window?.trim();
        if (!window) {
          await turn.context.sendActivity('Which time window? e.g. "between 08:00 and 09:00 UTC" or "yesterday at 14:00".');
          return;
        }
        // A capture job's verdict keeps no parsed question: ask its question again with the new window.
        if (found.question === null) return this.#startInvestigation(turn, { text: `${found.verdict.question.text} ${window}` });
        return this.#startInvestigation(turn, { text: `and ${window}`, previous: found.question });
      }
    }
  }

  async #loadVerdict(key: string, verdictId: string): Promise<{ verdict: Verdict; question: ParsedQuestion | null; estate: string | null; packUrl: string | null } | null> {
    const record = await this.#store.get(key);
    const ref = record.verdicts.find((candidate) => candidate.id === verdictId);
    if (!ref) return null;
    const stored = await this.#services.artifacts.get(ref.key, this.#services.clock.now());
    if (!stored) return null;
    const parsed = StoredVerdictSchema.safeParse(JSON.parse((await readArtifact(stored)).toString('utf8')));
    return parsed.success ? { verdict: parsed.data.verdict, question: parsed.data.question, estate: parsed.data.estate ?? null, packUrl: ref.packUrl } : null;
  }

  /** Takes a slot, acknowledges, and runs `work` outside the turn; its reply replaces the acknowledgement. */
  async #runOutsideTurn(turn: Turn, acknowledgement: string, work: (slot: Slot) => Promise<Reply>): Promise<void> {
    const slot = this.#limiter.tryAcquire(turn.key);
    if (isRefusal(slot)) {
      turn.log.info({ refused: slot.refused }, 'over the investigation limit');
      await turn.context.sendActivity(refusalMessage(slot));
      return;
    }
    let acknowledgementId: string | null = null;
    try {
      await turn.context.sendActivity({ type: ActivityTypes.Typing });
      acknowledgementId = (await turn.context.sendActivity(acknowledgement))?.id ?? null;
    } catch (error) {
      slot.release();
      throw error;
    }
    const activityId = turn.context.activity.id ?? randomUUID();
    const reference = TurnContext.getConversationReference(turn.context.activity);
    this.#runningHere.add(activityId);
    await this.#store.update(turn.key, (record) => {
      record.pending.push({ activityId, acknowledgementId, startedAt: this.#services.clock.now().toISOString() });
    });
    turn.log.info('acknowledged; working outside the turn');
    this.#track((async () => {
      let reply: Reply;
      try {
        reply = await work(slot);
      } catch (error) {
        turn.log.error({ err: error }, 'turn work failed');
        reply = { text: internalErrorText(turn.correlationId) };
      } finally {
        slot.release();
      }
      await this.#deliver(turn, reference, acknowledgementId, reply);
      await this.#store.update(turn.key, (record) => {
        record.pending = record.pending.filter((item) => item.activityId !== activityId);
      }).catch((error: unknown) => turn.log.warn({ err: error }, 'could not clear the pending investigation'));
      this.#runningHere.delete(activityId);
    })());
  }

  /**
   * Replaces the acknowledgement with the reply (or posts it when the update fails).
   * Teams turns a message with both text and a card into two messages, and refuses an
   * update that would do so ("Activity resulted into multiple skype activities"); so the
   * acknowledgement becomes the text, and the card follows it as its own message.
   */
  async #deliver(turn: Turn, reference: Partial<ConversationReference>, acknowledgementId: string | null, reply: Reply): Promise<void> {
    try {
      await this.#adapter.continueConversationAsync(this.#settings.appId, reference, async (context) => {
        const hasText = reply.text !== undefined && reply.text !== '';
        const hasCards = (reply.attachments?.length ?? 0) > 0;
        if (acknowledgementId) {
          const update: Partial<Activity> = hasText
            ? { type: ActivityTypes.Message, id: acknowledgementId, text: reply.text, textFormat: 'markdown' }
            : { type: ActivityTypes.Message, id: acknowledgementId, text: '', attachments: reply.attachments ?? [] };
          try {
            await context.updateActivity(update);
            if (hasText && hasCards) await context.sendActivity({ type: ActivityTypes.Message, attachments: reply.attachments ?? [], summary: (reply.text ?? '').replace(/\*\*/g, '') });
            return;
          } catch (error) {
            turn.log.warn({ err: error }, 'could not update the acknowledgement; posting the answer instead');
          }
        }
        await context.sendActivity({ type: ActivityTypes.Message, ...reply });
      });
      turn.log.info('answered');
    } catch (error) {
      turn.log.error({ err: error }, 'could not deliver the answer');
    }
  }

  async #startInvestigation(turn: Turn, input: { text: string; previous?: ParsedQuestion }): Promise<void> {
    const activity = turn.context.activity;
    const timeZone = typeof activity.localTimezone === 'string' && activity.localTimezone !== '' ? activity.localTimezone : undefined;
    const userName = activity.from?.name ?? null;
    await this.#runOutsideTurn(turn, INVESTIGATING_TEXT, async () => {
      const record = await this.#store.get(turn.key);
      const estate = await this.#estateFor(record.estate, input.text);
      const grant = this.#grantFor(turn, estate);
      if (grant === null) {
        turn.log.info({ estate: estate.name }, 'no grant in this estate: refused');
        return { text: GRANT_REFUSAL };
      }
      const previous = input.previous ?? record.lastQuestion ?? undefined;
      const upload = REFERS_TO_UPLOAD.test(input.text) ? await this.#latestUpload(turn, record) : null;
      const request: DiagnoseRequest = {
        text: input.text,
        ...(previous ? { previous } : {}),
        ...(timeZone ? { timeZone } : {}),
        ...(upload ? { extraEvidence: [captureEvidence(upload.ref, upload.report)] } : {}),
        // The pipeline sees only the subscriptions the asker may investigate.
        ...(grant.restrictTo ? { subscriptionIds: grant.restrictTo } : {}),
      };
      if (estate.assistant) {
        const answered = await this.#assistantTurn(turn, estate, estate.assistant, grant.scope, { text: input.text, userName, request, upload });
        if (answered) return answered;
      }
      let outcome: DiagnoseOutcome = await estate.diagnose(request);
      // "why does the capture fail?" names no endpoints: the capture does.
      if (outcome.kind === 'clarify' && upload && !previous && /missing-(?:destination|source)|question\.empty/.test(outcome.code)) {
        const fromCapture = questionFromCapture(upload.report);
        if (fromCapture) {
          turn.log.info('question taken from the referenced capture');
          outcome = await estate.diagnose({ ...request, text: fromCapture });
        }
      }
      if (outcome.kind === 'clarify') {
        turn.log.info({ code: outcome.code }, 'clarification');
        return { attachments: [cardAttachment(clarificationCard(input.text, outcome.message, outcome.candidates))] };
      }
      return this.#verdictReply(turn, outcome.verdict, outcome.question, input.text, userName, { estate: estate.name });
    });
  }

  /**
   * One turn through the LLM assistant: it runs the whole turn (tools, grounding, fallback to the rules) and
   * returns the rules' verdict with its checked prose; its proposed captures become confirmation cards.
   * Null when the assistant failed outright (the rules then answer, as without an assistant).
   */
  async #assistantTurn(
    turn: Turn, estate: BotEstate, assistant: Assistant, scope: string[],
    input: { text: string; userName: string | null; request: DiagnoseRequest; upload: { ref: UploadRef; report: CaptureReport } | null },
  ): Promise<Reply | null> {
    let answer: AssistantAnswer;
    try {
      answer = await assistant.answer({
        text: input.text,
        conversation: {
          ...(input.request.previous ? { previous: input.request.previous } : {}),
          ...(input.request.timeZone ? { timeZone: input.request.timeZone } : {}),
          uploads: input.upload ? [{ id: input.upload.ref.id, fileName: input.upload.ref.fileName, report: input.upload.report }] : [],
        },
        scope: { subscriptionIds: scope },
      });
    } catch (error) {
      turn.log.warn({ err: error }, 'assistant failed: answering from the rules alone');
      return null;
    }
    turn.log.info({
      answeredBy: answer.answeredBy, rounds: answer.usage.rounds, tokens: answer.usage.tokens, rejections: answer.rejections,
      fallbackDetail: answer.fallbackDetail, captureRequests: answer.captureRequests.length,
    }, 'assistant turn');
    if (answer.clarify) {
      return { attachments: [cardAttachment(clarificationCard(input.text, answer.clarify.message, answer.clarify.candidates))] };
    }
    if (!answer.verdict || !answer.question) return null;
    const reply = await this.#verdictReply(turn, answer.verdict, answer.question, input.text, input.userName, {
      estate: estate.name, prose: answer.prose, degraded: answer.degraded,
    });
    const cards = await this.#proposeToolCaptures(turn, estate, answer.captureRequests, input.text);
    return { ...reply, attachments: [...(reply.attachments ?? []), ...cards] };
  }

  /** The LLM's start_packet_capture requests, each as a confirmation card (nothing starts without an approver). */
  async #proposeToolCaptures(turn: Turn, estate: BotEstate, requests: readonly PacketCaptureRequest[], text: string): Promise<NonNullable<Reply['attachments']>> {
    const jobs = this.#services.captureJobs;
    if (!jobs || requests.length === 0) return [];
    const cards: NonNullable<Reply['attachments']> = [];
    for (const request of requests.slice(0, 2)) {
      const reply = await this.#propose(turn, estate.name, (input) => jobs.proposeFromToolRequest(request, text, input));
      if (reply.attachments) cards.push(...reply.attachments);
      else if (reply.text) turn.log.info({ reason: reply.text }, 'the assistant\'s capture request was refused');
    }
    return cards;
  }

  async #verdictReply(
    turn: Turn, verdict: Verdict, question: ParsedQuestion, text: string, userName: string | null,
    options: { estate?: string; prose?: string | null; degraded?: string | null } = {},
  ): Promise<Reply> {
    const subscriptions = turn.decision.allowed ? turn.decision.subscriptions : [];
    if (!withinGrant(subscriptions, [verdict.question.source.resourceId, verdict.question.destination.resourceId])) {
      turn.log.info('verdict outside the asker\'s subscriptions: withheld');
      return { text: GRANT_REFUSAL };
    }
    const verdictId = randomBytes(12).toString('base64url');
    const packUrl = await this.#keepVerdict(turn.key, verdictId, verdict, question, options.estate ?? null);
    let notice: string | null = null;
    let line = verdictLine(verdict);
    if (options.prose !== undefined || options.degraded !== undefined) {
      // The assistant already ran: its checked prose, or the rules' line with the reason it could not help.
      if (options.prose) line = options.prose;
      if (options.degraded) {
        notice = options.degraded;
        line = `${line}\n\n_${options.degraded}_`;
      }
    } else if (this.#services.explainer) {
      const explained = await explainWithin(this.#services.explainer, { verdict, question, text, userName }, this.#settings.explainTimeoutInMs);
      if ('prose' in explained) line = explained.prose;
      else {
        turn.log.warn({ err: explained.error }, 'explainer failed: answering from the rules alone');
        notice = EXPLAINER_FAILED_NOTICE;
      }
    }
    turn.log.info({ status: verdict.status, cause: verdict.cause }, 'verdict');
    return {
      text: packUrl ? `${line}\n\nEvidence pack: ${packUrl}` : line,
      attachments: [cardAttachment(verdictCard(verdict, { verdictId, evidencePackUrl: packUrl, notice, offerCapture: this.#services.captureJobs !== undefined && verdict.status !== 'ok' }))],
    };
  }

  /** The conversation's latest upload with its report, read back a line at a time (a large report would stall the event loop read whole). */
  async #latestUpload(turn: Turn, record: ConversationRecord): Promise<{ ref: UploadRef; report: CaptureReport } | null> {
    const ref = record.uploads.at(-1);
    if (!ref) return null;
    const stored = await this.#services.artifacts.get(ref.reportKey, this.#services.clock.now());
    if (!stored) return null;
    try {
      return { ref, report: await readCaptureReport(await readArtifact(stored)) };
    } catch (error) {
      turn.log.warn({ err: error, reportKey: ref.reportKey }, 'the stored capture report is unreadable: answering without it');
      return null;
    }
  }

  async #onUpload(turn: Turn, upload: FileUpload): Promise<void> {
    const accepted = acceptedUploadsText(this.#settings.uploadLimitInBytes);
    if (!ACCEPTED_FILE_TYPES.has(upload.fileType)) {
      turn.log.info({ fileType: upload.fileType }, 'upload of an unaccepted type');
      await turn.context.sendActivity({ attachments: [cardAttachment(uploadErrorCard(upload.name, `A .${upload.fileType || '(no extension)'} file is not a capture.`, accepted))] });
      return;
    }
    await this.#runOutsideTurn(turn, readingUploadText(upload.name), async () => {
      const now = this.#services.clock.now();
      const expiresAt = new Date(now.getTime() + this.#settings.retentionInMs);
      const uploadId = randomBytes(12).toString('base64url');
      const fileKey = `uploads/${uploadId}/file`;
      const reportKey = `uploads/${uploadId}/report.jsonl`;
      let analysed: AnalysedCapture;
      let stored = false;
      try {
        const download = await openDownload(upload.downloadUrl, {
          maxBytes: this.#settings.uploadLimitInBytes,
          fetch: this.#services.fetch ?? fetch,
          // An authenticated bot fetches only https links to host names; local use may download from loopback.
          httpsOnly: this.#settings.appId !== '',
        });
        // One download feeds both the analyser and the store, with backpressure from both.
        const toAnalyser = new PassThrough();
        const toStore = new PassThrough();
        download.on('error', (error) => {
          toAnalyser.destroy(error);
          toStore.destroy(error);
        });
        // Errors of both branches are handled where they matter: the analyser listens on its branch, the store's put rejects.
        toAnalyser.on('error', () => undefined);
        toStore.on('error', () => undefined);
        download.pipe(toAnalyser);
        download.pipe(toStore);
        const storing = this.#services.artifacts.put(fileKey, toStore, { contentType: 'application/octet-stream', expiresAt, maxBytes: this.#settings.uploadLimitInBytes })
          .then(() => { stored = true; }, (error: unknown) => {
            download.unpipe(toStore);
            if (!isUserInputError(error)) turn.log.warn({ err: error }, 'could not keep the uploaded file');
          });
        try {
          analysed = await analyseToLines(this.#services.analyzeCapture, toAnalyser as Readable);
        } catch (error) {
          // Nothing of an unusable file is kept.
          download.destroy();
          toStore.destroy(error instanceof Error ? error : new Error(String(error)));
          throw error;
        } finally {
          // An analysis that stopped early (packet limit) leaves the rest of the file to the store alone.
          download.unpipe(toAnalyser);
          await storing;
        }
      } catch (error) {
        if (isUserInputError(error)) {
          turn.log.info({ code: error.code }, 'unusable upload');
          return { attachments: [cardAttachment(uploadErrorCard(upload.name, error.message, accepted))] };
        }
        throw error;
      }
      // The report's lines as the analyser wrote them: no report is made or stringified on this thread.
      await this.#services.artifacts.put(reportKey, analysed.reportLines, { contentType: 'application/x-ndjson', expiresAt });
      const { summary } = analysed;
      await this.#store.update(turn.key, (record) => {
        record.uploads.push({ id: uploadId, fileName: upload.name, fileKey: stored ? fileKey : null, reportKey, createdAt: now.toISOString() });
      });
      turn.log.info({ packets: summary.input.packets, conversations: summary.conversationCount, findings: summary.findings.length }, 'capture analysed');
      const problems = summary.findings.filter((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window').length;
      return {
        text: `${upload.name}: ${summary.input.packets} packets, ${summary.conversationCount} conversation(s), ${problems === 0 ? 'no problem seen' : `${problems} problem(s)`}. Ask "why does the capture fail?" to diagnose the flow with it as evidence.`,
        attachments: [cardAttachment(captureCard(summary, upload.name))],
      };
    });
  }
}

/** What a turn carries into the work it starts. */
interface Turn {
  context: TurnContext;
  /** The activity, kept apart from the context: work outside the turn may not touch the (revoked) context. */
  activity: Activity;
  log: Logger;
  correlationId: string;
  key: string;
  decision: Extract<AccessDecision, { allowed: true }> | AccessDecision;
  personal: boolean;
}
