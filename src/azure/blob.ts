/**
 * Packet capture files from Blob storage (Network Watcher writes them at `storagePath`),
 * streamed with a size limit: the capture readers consume the stream, nothing is loaded whole.
 */
import { Readable, Transform } from 'node:stream';
import type { BlobClient, BlobServiceClient } from '@azure/storage-blob';
import { gapFromError, withDeadline } from './errors.js';
import { type SourceResult, failure, success } from './result.js';

/** The one method needed of a BlobClient. */
export type BlobDownloadClient = Pick<BlobClient, 'download'>;

/** Container and blob name of a storage path, virtual-hosted (`acct.blob.core.windows.net/c/b`) or path-style (`host:port/acct/c/b`, Azurite). */
export function blobLocation(storagePath: string): { account: string; container: string; blobName: string } {
  const url = new URL(storagePath);
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const virtualHosted = /\.blob\./i.test(url.hostname);
  const account = virtualHosted ? (url.hostname.split('.')[0] ?? '') : (segments.shift() ?? '');
  const container = segments.shift();
  if (!account || !container || segments.length === 0) throw new Error(`not a blob URL: ${storagePath}`);
  return { account, container, blobName: segments.join('/') };
}

/** A BlobClient for a storage path from a service client of the same account. */
export function blobClientFor(service: Pick<BlobServiceClient, 'getContainerClient'>, storagePath: string): BlobClient {
  const { container, blobName } = blobLocation(storagePath);
  return service.getContainerClient(container).getBlobClient(blobName);
}

/** Thrown inside the stream when a blob exceeds its limit. */
export class BlobTooLargeError extends Error {
  override readonly name = 'BlobTooLargeError';
}

/** A transform that fails once more than `maxBytes` pass through it. */
export function limitBytes(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new BlobTooLargeError(`the file is larger than the ${maxBytes}-byte limit`));
      else callback(null, chunk);
    },
  });
}

/** Limits of a download. */
export interface BlobDownloadOptions {
  maxBytes: number;
  /** Budget until the download starts answering (the stream itself is then the caller's). */
  timeoutInMs: number;
  abortSignal?: AbortSignal;
}

/**
 * Opens a capture blob as a size-limited stream. A blob whose declared length is already
 * over the limit is refused before any byte is read (gap `unsupported`).
 */
export async function openBlobStream(client: BlobDownloadClient, source: string, options: BlobDownloadOptions): Promise<SourceResult<{ stream: Readable; contentLength: number | null }>> {
  try {
    const response = await withDeadline(options.timeoutInMs, (abortSignal) => client.download(0, undefined, { abortSignal }), options.abortSignal);
    const contentLength = response.contentLength ?? null;
    if (contentLength !== null && contentLength > options.maxBytes) {
      (response.readableStreamBody as Readable | undefined)?.destroy();
      return failure({ source, reason: 'unsupported', detail: `${contentLength} bytes is over the ${options.maxBytes}-byte capture limit` });
    }
    const body = response.readableStreamBody;
    if (!body) return failure({ source, reason: 'failed', detail: 'the download has no body' });
    const stream = Readable.from(body as AsyncIterable<Buffer>).pipe(limitBytes(options.maxBytes));
    return success({ stream, contentLength });
  } catch (error) {
    return failure(gapFromError(source, error));
  }
}

/** Downloads a whole (small) blob into memory, within the limit. */
export async function downloadBlob(client: BlobDownloadClient, source: string, options: BlobDownloadOptions): Promise<SourceResult<Buffer>> {
  const opened = await openBlobStream(client, source, options);
  if (!opened.ok) return opened;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of opened.value.stream) chunks.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof BlobTooLargeError) return failure({ source, reason: 'unsupported', detail: error.message });
    return failure(gapFromError(source, error));
  }
  return success(Buffer.concat(chunks));
}
