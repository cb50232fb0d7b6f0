/**
 * The durable job store. Jobs are plain JSON records with eTags over a botbuilder-like
 * `read/write/delete` storage (botbuilder's MemoryStorage and BlobsStorage fit it as they
 * are), plus an index record of the jobs not yet finished, because such a storage cannot
 * list its keys. Writes are optimistic: a write with a stale eTag fails with
 * {@link JobConflictError}, and the loser rereads instead of acting twice.
 *
 * Two implementations of the storage come with it: {@link MemoryRecordStorage} (one
 * process, tests) and {@link BlobRecordStorage} (several replicas: one blob per record,
 * `If-Match` / `If-None-Match` on the blob's ETag), which takes the narrow part of an
 * `@azure/storage-blob` ContainerClient it needs, so this folder imports no SDK.
 */
import { randomUUID } from 'node:crypto';
import { CaptureJobSchema, TERMINAL_STATES, type CaptureJob } from './job.js';

/** A stored record: plain JSON plus the eTag it was read with. */
export type StoreItem = Record<string, unknown> & { eTag?: string };

/**
 * botbuilder's Storage shape: a write with an eTag other than `*` must match the stored one.
 * (Ours also treat a write without an eTag as a create that fails when the record exists.)
 */
export interface RecordStorage {
  read(keys: string[]): Promise<Record<string, StoreItem>>;
  write(changes: Record<string, StoreItem>): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/** Another writer changed the record since it was read. */
export class JobConflictError extends Error {
  override readonly name = 'JobConflictError';
}

function isConflict(error: unknown): boolean {
  if (error instanceof JobConflictError) return true;
  const status = (error as { statusCode?: number } | null)?.statusCode;
  return status === 412 || status === 409 || /etag conflict|precondition/i.test((error as Error | null)?.message ?? '');
}

/** In-memory storage with eTags (one process). */
export class MemoryRecordStorage implements RecordStorage {
  readonly #items = new Map<string, { json: string; eTag: string }>();

  async read(keys: string[]): Promise<Record<string, StoreItem>> {
    const result: Record<string, StoreItem> = {};
    for (const key of keys) {
      const item = this.#items.get(key);
      if (item) result[key] = { ...(JSON.parse(item.json) as Record<string, unknown>), eTag: item.eTag };
    }
    return result;
  }

  async write(changes: Record<string, StoreItem>): Promise<void> {
    for (const [key, { eTag, ...value }] of Object.entries(changes)) {
      const current = this.#items.get(key);
      // No eTag: a create (the record must not exist); `*`: overwrite; else: it must be unchanged.
      if (eTag === undefined ? current !== undefined : eTag !== '*' && current?.eTag !== eTag) throw new JobConflictError(`eTag conflict on ${key}`);
      this.#items.set(key, { json: JSON.stringify(value), eTag: randomUUID() });
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.#items.delete(key);
  }
}

/** The part of a BlockBlobClient the Blob storage uses. */
export interface BlockBlobLike {
  upload(body: string, contentLength: number, options?: { conditions?: { ifMatch?: string; ifNoneMatch?: string }; blobHTTPHeaders?: { blobContentType?: string } }): Promise<{ etag?: string }>;
  download(offset?: number): Promise<{ etag?: string; readableStreamBody?: NodeJS.ReadableStream }>;
  deleteIfExists(): Promise<unknown>;
}

/** The part of a ContainerClient the Blob storage uses (`@azure/storage-blob` ContainerClient satisfies it). */
export interface BlobContainerLike {
  createIfNotExists(): Promise<unknown>;
  getBlockBlobClient(name: string): BlockBlobLike;
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Records as JSON blobs in one container; the blob ETag is the record's eTag. */
export class BlobRecordStorage implements RecordStorage {
  readonly #container: BlobContainerLike;
  #ready: Promise<unknown> | undefined;

  constructor(container: BlobContainerLike) {
    this.#container = container;
  }

  #blob(key: string): BlockBlobLike {
    // Keys are ours (netproof/capture-jobs/...), never user text; encode anyway so a key is one blob name.
    return this.#container.getBlockBlobClient(`${encodeURIComponent(key)}.json`);
  }

  #ensure(): Promise<unknown> {
    this.#ready ??= this.#container.createIfNotExists();
    return this.#ready;
  }

  async read(keys: string[]): Promise<Record<string, StoreItem>> {
    await this.#ensure();
    const result: Record<string, StoreItem> = {};
    for (const key of keys) {
      try {
        const response = await this.#blob(key).download(0);
        const value = JSON.parse(await readAll(response.readableStreamBody)) as Record<string, unknown>;
        result[key] = { ...value, ...(response.etag ? { eTag: response.etag } : {}) };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
    }
    return result;
  }

  async write(changes: Record<string, StoreItem>): Promise<void> {
    await this.#ensure();
    for (const [key, { eTag, ...value }] of Object.entries(changes)) {
      const body = JSON.stringify(value);
      // No eTag: the record must not exist yet (a create); `*`: overwrite; else: it must be unchanged.
      const conditions = eTag === undefined ? { ifNoneMatch: '*' } : eTag === '*' ? {} : { ifMatch: eTag };
      try {
        await this.#blob(key).upload(body, Buffer.byteLength(body), { conditions, blobHTTPHeaders: { blobContentType: 'application/json' } });
      } catch (error) {
        if (isConflict(error)) throw new JobConflictError(`eTag conflict on ${key}`);
        throw error;
      }
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.#ensure();
    for (const key of keys) await this.#blob(key).deleteIfExists();
  }
}

const PREFIX = 'netproof/capture-jobs';
const INDEX_KEY = `${PREFIX}/index`;

/** A job as read, with the eTag to write it back with. */
export interface StoredJob {
  job: CaptureJob;
  eTag: string | undefined;
}

/** Typed job records plus the index of unfinished jobs. */
export class CaptureJobStore {
  readonly #storage: RecordStorage;

  constructor(storage: RecordStorage) {
    this.#storage = storage;
  }

  static keyOf(jobId: string): string {
    return `${PREFIX}/job/${jobId}`;
  }

  /** A job, or undefined when there is none (or its record no longer parses). */
  async get(jobId: string): Promise<StoredJob | undefined> {
    const key = CaptureJobStore.keyOf(jobId);
    const item = (await this.#storage.read([key]))[key];
    if (!item) return undefined;
    const { eTag, ...stored } = item;
    const parsed = CaptureJobSchema.safeParse(stored);
    if (!parsed.success) throw new Error(`capture job ${jobId}: stored record does not parse: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return { job: parsed.data, eTag };
  }

  /** Creates a job (it must not exist) and lists it in the index. */
  async create(job: CaptureJob): Promise<string | undefined> {
    CaptureJobSchema.parse(job);
    await this.#storage.write({ [CaptureJobStore.keyOf(job.id)]: plain(job) });
    await this.#updateIndex((ids) => (ids.includes(job.id) ? ids : [...ids, job.id]));
    return (await this.get(job.id))?.eTag;
  }

  /** Writes a job back; throws JobConflictError when someone else wrote it since `eTag`. Returns the new eTag. */
  async put(job: CaptureJob, eTag: string | undefined): Promise<string | undefined> {
    CaptureJobSchema.parse(job);
    await this.#storage.write({ [CaptureJobStore.keyOf(job.id)]: { ...plain(job), eTag: eTag ?? '*' } });
    if (TERMINAL_STATES.has(job.state) && job.outbox.length === 0) await this.#updateIndex((ids) => ids.filter((id) => id !== job.id));
    return (await this.get(job.id))?.eTag;
  }

  /** Ids of the jobs not finished (or with messages still to post). */
  async unfinished(): Promise<string[]> {
    const index = (await this.#storage.read([INDEX_KEY]))[INDEX_KEY];
    return Array.isArray(index?.ids) ? (index.ids as unknown[]).filter((id): id is string => typeof id === 'string') : [];
  }

  async #updateIndex(change: (ids: string[]) => string[]): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const current = (await this.#storage.read([INDEX_KEY]))[INDEX_KEY];
      const ids = Array.isArray(current?.ids) ? (current.ids as string[]) : [];
      try {
        await this.#storage.write({ [INDEX_KEY]: { ids: change(ids), ...(current?.eTag ? { eTag: current.eTag } : {}) } });
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
    throw new JobConflictError('capture job index: too many concurrent writers');
  }
}

function plain(job: CaptureJob): StoreItem {
  return JSON.parse(JSON.stringify(job)) as StoreItem;
}

/** True when an error is an eTag conflict of any storage. */
export { isConflict as isStoreConflict };
