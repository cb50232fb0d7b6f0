/**
 * Evidence packs behind unguessable, expiring links served by the bot's own HTTP server.
 *
 * The link carries a random 32-byte token (base64url). The artifact store keeps the pack
 * under the token's SHA-256, so someone who can list the store's blobs still cannot
 * build a link. An unknown or expired token answers 404 with nothing of any pack.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ArtifactStore } from '../azure/artifacts.js';
import type { Verdict } from '../domain/index.js';
import { renderEvidencePack, type Ladder } from '../report/html.js';

/** The path prefix of evidence-pack links. */
export const EVIDENCE_PATH = '/evidence';

/** Headers of every evidence-pack answer (and of its 404). */
export const EVIDENCE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'private, no-store',
  'X-Robots-Tag': 'noindex, nofollow',
};

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

function keyOf(token: string): string {
  return `packs/${createHash('sha256').update(token).digest('hex')}`;
}

/** Options of a pack. */
export interface PublishOptions {
  /** The bot's public base URL (NETPROOF_PUBLIC_URL). */
  publicUrl: string;
  now: Date;
  retentionInMs: number;
  redact?: boolean;
  ladders?: Ladder[];
}

/** Renders and stores a pack; resolves with its link and expiry. */
export async function publishEvidencePack(store: ArtifactStore, verdict: Verdict, options: PublishOptions): Promise<{ url: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const html = renderEvidencePack(verdict, {
    generatedAt: options.now.toISOString(),
    ...(options.redact ? { redact: true } : {}),
    ...(options.ladders ? { ladders: options.ladders } : {}),
  });
  const expiresAt = new Date(options.now.getTime() + options.retentionInMs);
  await store.put(keyOf(token), html, { contentType: 'text/html; charset=utf-8', expiresAt });
  const base = options.publicUrl.replace(/\/+$/, '');
  return { url: `${base}${EVIDENCE_PATH}/${token}`, expiresAt };
}

/** The express handler of `GET /evidence/:token`. */
export function evidencePackHandler(store: ArtifactStore, now: () => Date, onError: (error: unknown) => void) {
  return async (request: Request, response: Response): Promise<void> => {
    response.set(EVIDENCE_HEADERS);
    const token = String(request.params.token ?? '');
    const notFound = () => {
      response.status(404).type('text/plain').send('Not found: this evidence pack does not exist or has expired.');
    };
    if (!TOKEN.test(token)) return notFound();
    let stored;
    try {
      stored = await store.get(keyOf(token), now());
    } catch (error) {
      onError(error);
      response.status(503).type('text/plain').send('The evidence store is unavailable; try again shortly.');
      return;
    }
    if (!stored) return notFound();
    response.status(200).type('text/html; charset=utf-8');
    stored.stream.on('error', (error) => {
      onError(error);
      response.destroy();
    });
    stored.stream.pipe(response);
  };
}
