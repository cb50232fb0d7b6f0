/**
 * The artifact store (uploads, reports, verdicts, evidence packs): the memory store and
 * the Blob store against Azurite behave the same: bodies round-trip, expiry hides and
 * sweeps, size limits keep nothing, keys are checked.
 */
import { Readable } from 'node:stream';
import { ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactTooLargeError, BlobArtifactStore, MemoryArtifactStore, createArtifactStore, parseArtifactStoreSetting, readArtifact, type ArtifactStore,
} from '../../src/azure/artifacts.js';
import { accountKey, startAzurite, type Azurite } from '../../src/lab/azurite.js';

let azurite: Azurite;
let connectionString: string;

beforeAll(async () => {
  azurite = await startAzurite([]);
  connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${accountKey('devstoreaccount1')};BlobEndpoint=${azurite.accountUrl('devstoreaccount1')};`;
});

afterAll(async () => {
  await azurite?.close();
});

const NOW = new Date('2026-11-20T10:00:00Z');
const LATER = new Date('2026-11-20T11:00:00Z');
const HOUR_AFTER = new Date('2026-11-20T12:00:00Z');

let containers = 0;
const makers: [string, () => ArtifactStore][] = [
  ['memory', () => new MemoryArtifactStore()],
  ['Blob on Azurite', () => new BlobArtifactStore(new ContainerClient(connectionString, `artifacts-${(containers += 1)}-${process.pid}`))],
];

function chunked(total: number, size = 64 * 1024): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const length = Math.min(size, total - sent);
      this.push(Buffer.alloc(length, sent % 251));
      sent += length;
    },
  });
}

describe.each(makers)('the %s store', (_name, make) => {
  it('round-trips strings, buffers and streams with their content type', async () => {
    const store = make();
    await store.put('packs/a', '<!doctype html>ünïcode', { contentType: 'text/html; charset=utf-8', expiresAt: LATER });
    const streamed = await store.put('uploads/x/file', chunked(300_000), { contentType: 'application/octet-stream', expiresAt: LATER });
    expect(streamed.bytes).toBe(300_000);
    const pack = await store.get('packs/a', NOW);
    expect(pack?.contentType).toBe('text/html; charset=utf-8');
    expect((await readArtifact(pack!)).toString('utf8')).toBe('<!doctype html>ünïcode');
    const file = await store.get('uploads/x/file', NOW);
    const bytes = await readArtifact(file!);
    expect(bytes.length).toBe(300_000);
    expect(bytes[70_000]).toBe(65_536 % 251);
  });

  it('hides an artifact once it expires, and sweeps what expired', async () => {
    const store = make();
    await store.put('verdicts/old.json', '{}', { contentType: 'application/json', expiresAt: LATER });
    await store.put('verdicts/new.json', '{}', { contentType: 'application/json', expiresAt: new Date('2026-11-21T00:00:00Z') });
    expect(await store.get('verdicts/old.json', LATER)).toBeNull();
    expect(await store.get('verdicts/unknown.json', NOW)).toBeNull();
    await store.put('verdicts/old2.json', '{}', { contentType: 'application/json', expiresAt: LATER });
    expect(await store.sweep(HOUR_AFTER)).toBeGreaterThanOrEqual(1);
    expect(await store.get('verdicts/old2.json', NOW)).toBeNull();
    expect(await store.get('verdicts/new.json', HOUR_AFTER)).not.toBeNull();
  });

  it('keeps nothing of a body over its limit', async () => {
    const store = make();
    await expect(store.put('uploads/big/file', chunked(1_000_000), { contentType: 'application/octet-stream', expiresAt: LATER, maxBytes: 200_000 }))
      .rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(await store.get('uploads/big/file', NOW)).toBeNull();
  });

  it('deletes, and refuses keys that could escape', async () => {
    const store = make();
    await store.put('packs/b', 'x', { contentType: 'text/plain', expiresAt: LATER });
    await store.delete('packs/b');
    await store.delete('packs/never-there');
    expect(await store.get('packs/b', NOW)).toBeNull();
    for (const key of ['../x', '/abs', 'a/../b', 'a b', '']) {
      await expect(store.put(key, 'x', { contentType: 'text/plain', expiresAt: LATER })).rejects.toThrow(/bad artifact key/);
    }
  });
});

describe('the memory store\'s budget', () => {
  it('drops the oldest artifacts to stay within its budget, and refuses one larger than the budget', async () => {
    const store = new MemoryArtifactStore({ maxTotalBytes: 1_000 });
    for (const name of ['a', 'b', 'c']) await store.put(`uploads/${name}`, Buffer.alloc(400), { contentType: 'application/octet-stream', expiresAt: LATER });
    expect(await store.get('uploads/a', NOW)).toBeNull();
    expect(await store.get('uploads/b', NOW)).not.toBeNull();
    expect(await store.get('uploads/c', NOW)).not.toBeNull();
    // Replacing a key frees its old bytes first.
    await store.put('uploads/c', Buffer.alloc(500), { contentType: 'application/octet-stream', expiresAt: LATER });
    expect(await store.get('uploads/b', NOW)).not.toBeNull();
    await expect(store.put('uploads/huge', chunked(1_001), { contentType: 'application/octet-stream', expiresAt: LATER })).rejects.toBeInstanceOf(ArtifactTooLargeError);
    expect(await store.get('uploads/b', NOW)).not.toBeNull();
  });
});

describe('settings', () => {
  it('reads memory and blob settings', () => {
    expect(parseArtifactStoreSetting('memory')).toEqual({ kind: 'memory' });
    expect(parseArtifactStoreSetting('blob:AccountName=a;AccountKey=k|netproof-artifacts')).toEqual({ kind: 'blob', connectionString: 'AccountName=a;AccountKey=k', container: 'netproof-artifacts' });
    expect(createArtifactStore({ kind: 'memory' }).description).toBe('memory');
    expect(createArtifactStore(parseArtifactStoreSetting(`blob:${connectionString || 'UseDevelopmentStorage=true'}|netproof-artifacts`)).description).toBe('blob:netproof-artifacts');
  });

  it.each(['blob:only-a-connection-string', 'blob:AccountKey=secret-key-value|UPPER', 'file:/tmp'])('rejects %j without echoing secrets', (setting) => {
    expect(() => parseArtifactStoreSetting(setting)).toThrow(/expected/);
    expect(() => parseArtifactStoreSetting(setting)).not.toThrow(/secret-key-value/);
  });
});
