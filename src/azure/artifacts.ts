/**
 * Where the bot keeps what users hand it and what it hands back: uploaded captures,
 * their reports, verdicts and evidence packs. Every artifact carries an expiry (the
 * retention period); an expired artifact reads as absent and `sweep` deletes it.
 *
 * Two stores, selected by one setting (`artifactStoreSetting`):
 * - `memory`: one process, lost on restart (the default, and the tests).
 * - `blob:<connection string>|<container>`: Azure Blob storage (Azurite in the lab), for
 *   several replicas. The expiry is blob metadata; a storage lifecycle-management rule
 *   ("delete blobs older than N days" on the container) is the backstop when no replica
 *   runs `sweep`.
 */
import { Readable } from 'node:stream';
import { ContainerClient, type BlobDownloadResponseParsed } from '@azure/storage-blob';

/** Options of one write. */
export interface PutArtifactOptions {
  contentType: string;
  /** After this instant the artifact reads as absent. */
  expiresAt: Date;
  /** Most bytes accepted; a longer body fails the write (and nothing is kept). */
  maxBytes?: number;
}

/** An artifact read back. */
export interface StoredArtifact {
  stream: Readable;
  contentType: string;
  expiresAt: Date;
  /** Length in bytes, when the store knows it. */
  bytes: number | null;
}

/** Thrown when a body exceeds `maxBytes` (the write is rolled back). */
export class ArtifactTooLargeError extends Error {
  override readonly name = 'ArtifactTooLargeError';
}

/** Uploads, reports, verdicts and evidence packs, each with an expiry. */
export interface ArtifactStore {
  /** What kind of store this is, for logs and `netproof doctor` (`memory`, `blob:<container>`). */
  readonly description: string;
  /** Stores a body under a key (replacing any earlier one); resolves with the bytes written. */
  put(key: string, body: Readable | Buffer | string, options: PutArtifactOptions): Promise<{ bytes: number }>;
  /** Reads an artifact; null when unknown or expired at `now`. */
  get(key: string, now: Date): Promise<StoredArtifact | null>;
  /** Deletes an artifact; absent keys are fine. */
  delete(key: string): Promise<void>;
  /** Deletes every artifact expired at `now`; resolves with how many. */
  sweep(now: Date): Promise<number>;
}

/** Keys are `/`-separated words of letters, digits, `.`, `_` and `-` (no `..`, no leading `/`). */
const KEY = /^(?!.*\.\.)[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/;

function checkKey(key: string): void {
  if (!KEY.test(key) || key.length > 512) throw new Error(`bad artifact key: ${JSON.stringify(key)}`);
}

/** Reads a whole artifact into memory (for the small ones: reports, verdicts, packs). */
export async function readArtifact(stored: StoredArtifact, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stored.stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > maxBytes) {
      stored.stream.destroy();
      throw new ArtifactTooLargeError(`artifact larger than ${maxBytes} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

async function* chunksOf(body: Readable | Buffer | string, maxBytes: number | undefined): AsyncGenerator<Buffer> {
  const source: Iterable<unknown> | AsyncIterable<unknown> = typeof body === 'string' || Buffer.isBuffer(body) ? [Buffer.from(body)] : body;
  let total = 0;
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (maxBytes !== undefined && total > maxBytes) {
      if (body instanceof Readable) body.destroy();
      throw new ArtifactTooLargeError(`larger than the ${maxBytes}-byte limit`);
    }
    yield buffer;
  }
}

interface MemoryEntry {
  chunks: Buffer[];
  bytes: number;
  contentType: string;
  expiresAt: Date;
}

/** Default memory budget of the in-process store. */
export const MEMORY_STORE_BYTES = 512 * 1024 * 1024;

/**
 * The in-process store: a map of buffers. Lost on restart; one replica only. It holds at
 * most `maxTotalBytes`: past that, the oldest artifacts are dropped first (an upload
 * of a few hundred MB must not pin the bot's memory for the whole retention period).
 */
export class MemoryArtifactStore implements ArtifactStore {
  readonly description = 'memory';
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #maxTotalBytes: number;
  #totalBytes = 0;

  constructor(options: { maxTotalBytes?: number } = {}) {
    this.#maxTotalBytes = options.maxTotalBytes ?? MEMORY_STORE_BYTES;
  }

  async put(key: string, body: Readable | Buffer | string, options: PutArtifactOptions): Promise<{ bytes: number }> {
    checkKey(key);
    const limit = Math.min(options.maxBytes ?? Number.POSITIVE_INFINITY, this.#maxTotalBytes);
    const chunks: Buffer[] = [];
    let bytes = 0;
    for await (const chunk of chunksOf(body, Number.isFinite(limit) ? limit : undefined)) {
      chunks.push(chunk);
      bytes += chunk.length;
    }
    this.#remove(key);
    // Map order is insertion order: the first entries are the oldest.
    for (const [oldest] of this.#entries) {
      if (this.#totalBytes + bytes <= this.#maxTotalBytes) break;
      this.#remove(oldest);
    }
    this.#entries.set(key, { chunks, bytes, contentType: options.contentType, expiresAt: options.expiresAt });
    this.#totalBytes += bytes;
    return { bytes };
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#totalBytes -= entry.bytes;
  }

  async get(key: string, now: Date): Promise<StoredArtifact | null> {
    checkKey(key);
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt.getTime() <= now.getTime()) {
      this.#remove(key);
      return null;
    }
    return { stream: Readable.from(entry.chunks), contentType: entry.contentType, expiresAt: entry.expiresAt, bytes: entry.bytes };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.#remove(key);
  }

  async sweep(now: Date): Promise<number> {
    let removed = 0;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt.getTime() <= now.getTime()) {
        this.#remove(key);
        removed += 1;
      }
    }
    return removed;
  }
}

/** Metadata key of the expiry (Blob metadata names are C# identifiers, case-insensitive). */
const EXPIRES_METADATA = 'netproofexpiresat';

function expiryOf(metadata: Record<string, string> | undefined): Date | null {
  const value = metadata?.[EXPIRES_METADATA];
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 404;
}

/** Azure Blob storage (or Azurite): one block blob per artifact, the expiry in its metadata. */
export class BlobArtifactStore implements ArtifactStore {
  readonly description: string;
  readonly #container: Pick<ContainerClient, 'createIfNotExists' | 'getBlockBlobClient' | 'getBlobClient' | 'listBlobsFlat' | 'containerName'>;
  #ready: Promise<unknown> | undefined;

  constructor(container: ContainerClient) {
    this.#container = container;
    this.description = `blob:${container.containerName}`;
  }

  #init(): Promise<unknown> {
    this.#ready ??= this.#container.createIfNotExists().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async put(key: string, body: Readable | Buffer | string, options: PutArtifactOptions): Promise<{ bytes: number }> {
    checkKey(key);
    await this.#init();
    let bytes = 0;
    const counted = Readable.from((async function* () {
      for await (const chunk of chunksOf(body, options.maxBytes)) {
        bytes += chunk.length;
        yield chunk;
      }
    })());
    const blob = this.#container.getBlockBlobClient(key);
    try {
      await blob.uploadStream(counted, 4 * 1024 * 1024, 4, {
        blobHTTPHeaders: { blobContentType: options.contentType },
        metadata: { [EXPIRES_METADATA]: options.expiresAt.toISOString() },
      });
    } catch (error) {
      // uploadStream commits nothing when the source fails; the error is the source's.
      throw error instanceof ArtifactTooLargeError || (error as { cause?: unknown }).cause instanceof ArtifactTooLargeError
        ? new ArtifactTooLargeError(`larger than the ${options.maxBytes}-byte limit`)
        : error;
    }
    return { bytes };
  }

  async get(key: string, now: Date): Promise<StoredArtifact | null> {
    checkKey(key);
    await this.#init();
    let response: BlobDownloadResponseParsed;
    try {
      response = await this.#container.getBlobClient(key).download();
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const expiresAt = expiryOf(response.metadata);
    const body = response.readableStreamBody as Readable | undefined;
    if (!expiresAt || expiresAt.getTime() <= now.getTime() || !body) {
      body?.destroy();
      if (expiresAt && expiresAt.getTime() <= now.getTime()) await this.delete(key);
      return null;
    }
    return { stream: body, contentType: response.contentType ?? 'application/octet-stream', expiresAt, bytes: response.contentLength ?? null };
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    await this.#init();
    await this.#container.getBlobClient(key).deleteIfExists();
  }

  async sweep(now: Date): Promise<number> {
    await this.#init();
    let removed = 0;
    for await (const item of this.#container.listBlobsFlat({ includeMetadata: true })) {
      const expiresAt = expiryOf(item.metadata);
      if (expiresAt && expiresAt.getTime() <= now.getTime()) {
        await this.#container.getBlobClient(item.name).deleteIfExists();
        removed += 1;
      }
    }
    return removed;
  }
}

/** A parsed store setting. */
export type ArtifactStoreSetting = { kind: 'memory' } | { kind: 'blob'; connectionString: string; container: string };

/**
 * Parses `memory` or `blob:<connection string>|<container>` (the same shape as
 * NETPROOF_STATE_STORE). Throws naming the problem; never echoes the connection string.
 */
export function parseArtifactStoreSetting(setting: string): ArtifactStoreSetting {
  const trimmed = setting.trim();
  if (trimmed === '' || trimmed === 'memory') return { kind: 'memory' };
  if (trimmed.startsWith('blob:')) {
    const rest = trimmed.slice('blob:'.length);
    const bar = rest.lastIndexOf('|');
    const connectionString = bar === -1 ? '' : rest.slice(0, bar).trim();
    const container = bar === -1 ? '' : rest.slice(bar + 1).trim();
    if (!connectionString || !/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(container)) {
      throw new Error('expected blob:<connection string>|<container> with a container name of 3-63 lowercase letters, digits and hyphens');
    }
    return { kind: 'blob', connectionString, container };
  }
  throw new Error(`expected "memory" or "blob:<connection string>|<container>", got a value starting "${trimmed.slice(0, 8)}"`);
}

/** Builds the store a setting names. */
export function createArtifactStore(setting: ArtifactStoreSetting): ArtifactStore {
  if (setting.kind === 'memory') return new MemoryArtifactStore();
  return new BlobArtifactStore(new ContainerClient(setting.connectionString, setting.container));
}
