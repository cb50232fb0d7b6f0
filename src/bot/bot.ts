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
  type Activity, type BotAdapter, type ConversationReference, type Storage,
} from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import { readArtifact, type ArtifactStore } from '../azure/artifacts.js';
import type { DiagnoseOutcome, DiagnoseRequest, Diagnoser } from '../diagnose/diagnose.js';
import type { EvidenceDraft } from '../diagnose/ports.js';
import { ParsedQuestionSchema, type ParsedQuestion } from '../diagnose/question.js';
import { CaptureReportSchema, isUserInputError, VerdictSchema, type CaptureReport, type Verdict } from '../domain/index.js';
import { captureCard, proofCard, verdictCard } from '../report/adaptive-card.js';
import { AccessPolicy, withinGrant, GRANT_REFUSAL, type AccessDecision, type Asker } from './access.js';
import {
  INVESTIGATING_TEXT, UPLOAD_IN_CHANNEL_TEXT, SubmitSchema, cardAttachment, clarificationCard, helpCard,
  internalErrorText, isHelpRequest, readingUploadText, uploadErrorCard, verdictLine, type Submit,
} from './cards.js';
import { EXPLAINER_FAILED_NOTICE, explainWithin, type Explainer } from './explainer.js';
import { InvestigationLimiter, isRefusal, refusalMessage, type Slot } from './limits.js';
import { ConversationStore, storedReference, type ConversationRecord, type UploadRef } from './state.js';
import {
  ACCEPTED_FILE_TYPES, acceptedUploadsText, fileUploadsOf, mentionsFiles, openDownload,
  type CaptureAnalyser, type FileUpload,
} from './uploads.js';
import { publishEvidencePack } from './evidence-pack.js';

/** The injected clock. */
export interface Clock {
  now(): Date;
}

/** Everything the bot uses, injected. */
export interface BotServices {
  /** The deterministic pipeline (`src/diagnose/diagnose.ts`). */
  diagnose: Diagnoser;
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

const StoredVerdictSchema = z.object({ verdict: VerdictSchema, question: ParsedQuestionSchema });

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

/** True when the bot is mentioned (with no recipient, any mention counts: some channels omit it). */
export function isBotMentioned(activity: Partial<Activity>): boolean {
  const mentions = TurnContext.getMentions(activity);
  const recipientId = activity.recipient?.id;
  return mentions.some((mention) => (recipientId ? mention.mentioned?.id === recipientId : true));
}

/** The text with the bot's mention removed; guarded because `removeRecipientMention` throws without a recipient. */
export function textWithoutMention(activity: Partial<Activity>): string {
  if (activity.recipient) return cleanText(TurnContext.removeRecipientMention(activity) ?? activity.text ?? '');
  return cleanText(activity.text ?? '');
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

/** The first conversation with a problem (else the first), as a question the parser reads. */
export function questionFromCapture(report: CaptureReport): string | null {
  const problem = report.findings.find((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window') ?? report.findings[0];
  const conversation = report.conversations.find((candidate) => candidate.id === problem?.conversation) ?? report.conversations[0];
  if (!conversation) return null;
  const port = conversation.server.port !== null && conversation.protocol !== 'icmp' && conversation.protocol !== 'icmpv6'
    ? ` on ${conversation.protocol} port ${conversation.server.port}` : '';
  return `why can't ${conversation.client.ip} reach ${conversation.server.ip}${port} between ${conversation.start} and ${conversation.end}`;
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
    const conversationType = conversationTypeOf(activity);
    const personal = conversationType === 'personal';
    const log = this.#services.logger.child({ correlationId, activityId: activity.id ?? null, conversationType });
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
    const turn: Turn = { context, log, correlationId, key, decision, personal };
    if (submitted) return this.#onSubmit(turn, activity.value as unknown);

    const text = personal ? cleanText(activity.text ?? '') : textWithoutMention(activity);
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
      await context.sendActivity({ attachments: [cardAttachment(helpCard({ uploadLimitText: acceptedUploadsText(this.#settings.uploadLimitInBytes), personal }))] });
      return;
    }
    await this.#startInvestigation(turn, { text });
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
      case 'captureToProve':
        await turn.context.sendActivity('Packet captures started from chat are not available in this version. Send me a capture file in a personal chat instead.');
        return;
      case 'askAgain': {
        const window = submit.window?.trim();
        if (!window) {
          await turn.context.sendActivity('Which time window? e.g. "between 08:00 and 09:00 UTC" or "yesterday at 14:00".');
          return;
        }
        return this.#startInvestigation(turn, { text: `and ${window}`, previous: found.question });
      }
    }
  }

  async #loadVerdict(key: string, verdictId: string): Promise<{ verdict: Verdict; question: ParsedQuestion; packUrl: string | null } | null> {
    const record = await this.#store.get(key);
    const ref = record.verdicts.find((candidate) => candidate.id === verdictId);
    if (!ref) return null;
    const stored = await this.#services.artifacts.get(ref.key, this.#services.clock.now());
    if (!stored) return null;
    const parsed = StoredVerdictSchema.safeParse(JSON.parse((await readArtifact(stored)).toString('utf8')));
    return parsed.success ? { ...parsed.data, packUrl: ref.packUrl } : null;
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
      const previous = input.previous ?? record.lastQuestion ?? undefined;
      const upload = REFERS_TO_UPLOAD.test(input.text) ? await this.#latestUpload(record) : null;
      const request: DiagnoseRequest = {
        text: input.text,
        ...(previous ? { previous } : {}),
        ...(timeZone ? { timeZone } : {}),
        ...(upload ? { extraEvidence: [captureEvidence(upload.ref, upload.report)] } : {}),
      };
      let outcome: DiagnoseOutcome = await this.#services.diagnose(request);
      // "why does the capture fail?" names no endpoints: the capture does.
      if (outcome.kind === 'clarify' && upload && !previous && /missing-(?:destination|source)|question\.empty/.test(outcome.code)) {
        const fromCapture = questionFromCapture(upload.report);
        if (fromCapture) {
          turn.log.info('question taken from the referenced capture');
          outcome = await this.#services.diagnose({ ...request, text: fromCapture });
        }
      }
      if (outcome.kind === 'clarify') {
        turn.log.info({ code: outcome.code }, 'clarification');
        return { attachments: [cardAttachment(clarificationCard(input.text, outcome.message, outcome.candidates))] };
      }
      return this.#verdictReply(turn, outcome.verdict, outcome.question, input.text, userName);
    });
  }

  async #verdictReply(turn: Turn, verdict: Verdict, question: ParsedQuestion, text: string, userName: string | null): Promise<Reply> {
    const subscriptions = turn.decision.allowed ? turn.decision.subscriptions : [];
    if (!withinGrant(subscriptions, [verdict.question.source.resourceId, verdict.question.destination.resourceId])) {
      turn.log.info('verdict outside the asker\'s subscriptions: withheld');
      return { text: GRANT_REFUSAL };
    }
    const now = this.#services.clock.now();
    const expiresAt = new Date(now.getTime() + this.#settings.retentionInMs);
    const verdictId = randomBytes(12).toString('base64url');
    const verdictKey = `verdicts/${verdictId}.json`;
    await this.#services.artifacts.put(verdictKey, JSON.stringify({ verdict, question }), { contentType: 'application/json', expiresAt });
    let packUrl: string | null = null;
    try {
      packUrl = (await publishEvidencePack(this.#services.artifacts, verdict, {
        publicUrl: this.#settings.publicUrl, now, retentionInMs: this.#settings.retentionInMs, redact: this.#settings.redactEvidencePacks,
      })).url;
    } catch (error) {
      turn.log.warn({ err: error }, 'could not store the evidence pack');
    }
    await this.#store.update(turn.key, (record) => {
      record.lastQuestion = question;
      record.verdicts.push({ id: verdictId, key: verdictKey, packUrl, createdAt: now.toISOString() });
    });
    let notice: string | null = null;
    let line = verdictLine(verdict);
    if (this.#services.explainer) {
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
      attachments: [cardAttachment(verdictCard(verdict, { verdictId, evidencePackUrl: packUrl, notice }))],
    };
  }

  async #latestUpload(record: ConversationRecord): Promise<{ ref: UploadRef; report: CaptureReport } | null> {
    const ref = record.uploads.at(-1);
    if (!ref) return null;
    const stored = await this.#services.artifacts.get(ref.reportKey, this.#services.clock.now());
    if (!stored) return null;
    const parsed = CaptureReportSchema.safeParse(JSON.parse((await readArtifact(stored)).toString('utf8')));
    return parsed.success ? { ref, report: parsed.data } : null;
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
      const reportKey = `uploads/${uploadId}/report.json`;
      let report: CaptureReport;
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
          report = await this.#services.analyzeCapture(toAnalyser as Readable);
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
      await this.#services.artifacts.put(reportKey, JSON.stringify(report), { contentType: 'application/json', expiresAt });
      await this.#store.update(turn.key, (record) => {
        record.uploads.push({ id: uploadId, fileName: upload.name, fileKey: stored ? fileKey : null, reportKey, createdAt: now.toISOString() });
      });
      turn.log.info({ packets: report.input.packets, conversations: report.conversations.length, findings: report.findings.length }, 'capture analysed');
      const problems = report.findings.filter((finding) => finding.code !== 'retransmissions' && finding.code !== 'zero_window').length;
      return {
        text: `${upload.name}: ${report.input.packets} packets, ${report.conversations.length} conversation(s), ${problems === 0 ? 'no problem seen' : `${problems} problem(s)`}. Ask "why does the capture fail?" to diagnose the flow with it as evidence.`,
        attachments: [cardAttachment(captureCard(report, upload.name))],
      };
    });
  }
}

/** What a turn carries into the work it starts. */
interface Turn {
  context: TurnContext;
  log: Logger;
  correlationId: string;
  key: string;
  decision: Extract<AccessDecision, { allowed: true }> | AccessDecision;
  personal: boolean;
}
