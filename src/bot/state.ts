/**
 * Conversation state through botbuilder's `Storage`: the conversation reference (for
 * proactive replies), the last question (for follow-ups), the verdicts and uploads the
 * conversation may refer to (by artifact key only: the bodies live in the artifact
 * store), investigations in flight, and the ids of activities already handled.
 *
 * Storage choices (NETPROOF_STATE_STORE, see `createStateStorage`):
 * - `memory` (default): botbuilder `MemoryStorage`, one replica.
 * - `blob:<connection string>|<container>`: botbuilder-azure-blobs `BlobsStorage`, shared by
 *   several replicas (tested against Azurite).
 * - Cosmos DB (`botbuilder-azure` CosmosDbPartitionedStorage) would fit the same `Storage`
 *   interface, but cannot be tested offline (no emulator runs here), so it is not offered.
 *
 * Writes are optimistic: read with the eTag, write with it, retry on a conflict. Within
 * one process, updates to one key are also serialised so a turn and its background job
 * never lose each other's changes.
 */
import { MemoryStorage, type ConversationReference, type Storage } from 'botbuilder';
import { BlobsStorage } from 'botbuilder-azure-blobs';
import { z } from 'zod';
import { ParsedQuestionSchema, type ParsedQuestion } from '../diagnose/question.js';

/** A verdict the conversation can refer to (card actions carry its id). */
export const VerdictRefSchema = z.object({
  id: z.string(),
  /** Artifact key of `{verdict, question}`. */
  key: z.string(),
  packUrl: z.string().nullable(),
  createdAt: z.string(),
});
export type VerdictRef = z.infer<typeof VerdictRefSchema>;

/** An analysed upload the conversation can refer to. */
export const UploadRefSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  /** Artifact key of the uploaded bytes. */
  fileKey: z.string().nullable(),
  /** Artifact key of the CaptureReport JSON. */
  reportKey: z.string(),
  createdAt: z.string(),
});
export type UploadRef = z.infer<typeof UploadRefSchema>;

/** One conversation's record. */
export const ConversationRecordSchema = z.object({
  reference: z.record(z.string(), z.unknown()).nullable(),
  lastQuestion: ParsedQuestionSchema.nullable(),
  verdicts: z.array(VerdictRefSchema),
  uploads: z.array(UploadRefSchema),
  /** Investigations posted but not yet answered: the acknowledgement's id and when it started. */
  pending: z.array(z.object({ activityId: z.string(), acknowledgementId: z.string().nullable(), startedAt: z.string() })),
  /** Activity ids already answered (redeliveries are ignored), and `capture:<key>` of capture-job messages already posted. */
  handled: z.array(z.string()),
  /** The estate this conversation chose with "use <name>" (lab scenarios); null: picked per question. */
  estate: z.string().nullable().default(null),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

/** How many of each list a record keeps. */
export const RECORD_LIMITS = { verdicts: 10, uploads: 5, handled: 200, pending: 20 } as const;

function emptyRecord(): ConversationRecord {
  return { reference: null, lastQuestion: null, verdicts: [], uploads: [], pending: [], handled: [], estate: null };
}

/** Attempts of one update when other writers keep winning the eTag race. */
const ATTEMPTS = 10;

/** A short random pause before retrying, so two replicas do not collide in lockstep. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20 * (attempt + 1))));
}

/** Typed access to conversation records over any botbuilder Storage. */
export class ConversationStore {
  readonly #storage: Storage;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** The storage key of a conversation (thread ids included: each thread has its own record). */
  static keyOf(channelId: string, conversationId: string): string {
    return `netproof/conversation/${channelId}/${conversationId}`;
  }

  async #read(key: string): Promise<{ record: ConversationRecord; eTag: string | undefined }> {
    const items = await this.#storage.read([key]);
    const item = items[key] as ({ eTag?: string } & Record<string, unknown>) | undefined;
    if (!item) return { record: emptyRecord(), eTag: undefined };
    const { eTag, ...stored } = item;
    const parsed = ConversationRecordSchema.safeParse(stored);
    // A record written by an older, incompatible version starts afresh rather than failing every turn.
    return { record: parsed.success ? parsed.data : emptyRecord(), eTag };
  }

  /** Reads a record (an empty one when there is none). */
  async get(key: string): Promise<ConversationRecord> {
    return (await this.#read(key)).record;
  }

  /** Read-modify-write with optimistic concurrency; `change` may run more than once. Resolves with what it returned. */
  update<T>(key: string, change: (record: ConversationRecord) => T): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#updateNow(key, change));
    this.#queues.set(key, next);
    void next.finally(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    }).catch(() => undefined);
    return next;
  }

  async #updateNow<T>(key: string, change: (record: ConversationRecord) => T): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const { record, eTag } = await this.#read(key);
      const result = change(record);
      trim(record);
      try {
        // A plain JSON copy: Storage implementations may keep the object itself (MemoryStorage clones, others may not).
        await this.#storage.write({ [key]: { ...JSON.parse(JSON.stringify(record)) as ConversationRecord, ...(eTag ? { eTag } : {}) } });
        return result;
      } catch (error) {
        if (!/eTag conflict/i.test((error as Error).message ?? '')) throw error;
        lastError = error;
        await backoff(attempt);
      }
    }
    throw lastError;
  }
}

function trim(record: ConversationRecord): void {
  record.verdicts = record.verdicts.slice(-RECORD_LIMITS.verdicts);
  record.uploads = record.uploads.slice(-RECORD_LIMITS.uploads);
  record.handled = record.handled.slice(-RECORD_LIMITS.handled);
  record.pending = record.pending.slice(-RECORD_LIMITS.pending);
}

/** A conversation reference as stored (plain JSON). */
export function storedReference(reference: Partial<ConversationReference>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(reference)) as Record<string, unknown>;
}

/** The last question, typed. */
export function lastQuestionOf(record: ConversationRecord): ParsedQuestion | undefined {
  return record.lastQuestion ?? undefined;
}

/**
 * The Storage a NETPROOF_STATE_STORE value names: `memory`, or
 * `blob:<connection string>|<container>`. Throws naming the problem (never echoing secrets).
 */
export function createStateStorage(setting: string): Storage {
  const trimmed = setting.trim();
  if (trimmed === '' || trimmed === 'memory') return new MemoryStorage();
  if (trimmed.startsWith('blob:')) {
    const rest = trimmed.slice('blob:'.length);
    const bar = rest.lastIndexOf('|');
    const connectionString = bar === -1 ? '' : rest.slice(0, bar).trim();
    const container = bar === -1 ? '' : rest.slice(bar + 1).trim();
    if (!connectionString || !/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(container)) {
      throw new Error('NETPROOF_STATE_STORE: expected blob:<connection string>|<container> with a container name of 3-63 lowercase letters, digits and hyphens');
    }
    return new BlobsStorage(connectionString, container);
  }
  if (/^cosmos/i.test(trimmed)) {
    throw new Error('NETPROOF_STATE_STORE: Cosmos DB is not supported by this build (it cannot be tested offline); use blob:<connection string>|<container>');
  }
  throw new Error('NETPROOF_STATE_STORE: expected "memory" or "blob:<connection string>|<container>"');
}
