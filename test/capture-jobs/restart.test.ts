/**
 * Durable jobs: the job store over memory and over Blob storage on Azurite (eTags,
 * create-only, conflicts), and a restart: a second CaptureJobs over the same Blob store
 * resumes a job the first one started (after a crash, once the lease lapses; after a
 * clean shutdown, at once) and posts the result exactly once. The audit log as an
 * append blob and as a file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppendBlobAuditLog, BlobRecordStorage, CaptureJobStore, FileAuditLog, JobConflictError, MemoryAuditLog, MemoryRecordStorage, type RecordStorage,
} from '../../src/capture-jobs/index.js';
import type { ManualClock } from '../../src/lab/index.js';
import type { Runtime } from '../../src/main.js';
import { APPROVER, LabScheduler, RecordingNotifier, engine, runUntil, settle, startRuntime } from './helpers.js';

let runtime: Runtime;
let scheduler: LabScheduler;
let service: BlobServiceClient;
let sequence = 0;

beforeAll(async () => {
  runtime = await startRuntime(['tls-incomplete-chain']);
  const estate = runtime.estates[0];
  const storage = runtime.lab?.storage;
  if (!estate || !runtime.lab || !storage) throw new Error('no lab storage');
  scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => estate.now());
  service = new BlobServiceClient(storage.accountUrl('devstoreaccount1'), storage.credential('devstoreaccount1'));
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

function container(): ContainerClient {
  sequence += 1;
  return service.getContainerClient(`netproof-jobs-${sequence}`);
}

describe.each<[string, () => RecordStorage]>([
  ['memory', () => new MemoryRecordStorage()],
  ['Blob (Azurite)', () => new BlobRecordStorage(container())],
])('record storage over %s', (_name, make) => {
  it('creates once, writes with the eTag it read, refuses a stale eTag, deletes', async () => {
    const storage = make();
    await storage.write({ a: { value: 1 } });
    await expect(storage.write({ a: { value: 2 } })).rejects.toBeInstanceOf(JobConflictError);
    const first = (await storage.read(['a', 'missing'])).a;
    expect(first).toMatchObject({ value: 1 });
    expect(first?.eTag).toBeTruthy();
    await storage.write({ a: { value: 3, eTag: first?.eTag } });
    await expect(storage.write({ a: { value: 4, eTag: first?.eTag } })).rejects.toBeInstanceOf(JobConflictError);
    await storage.write({ a: { value: 5, eTag: '*' } });
    expect((await storage.read(['a'])).a).toMatchObject({ value: 5 });
    await storage.delete(['a']);
    expect(await storage.read(['a'])).toEqual({});
  });
});

describe('restart over a Blob store on Azurite', () => {
  it.each([
    ['after a crash, once the first replica\'s lease lapses', false],
    ['after a clean shutdown, at once', true],
  ])('a second instance resumes the job %s and posts the result exactly once', async (_label, clean) => {
    const records = container();
    const notifier = new RecordingNotifier();
    const audit = new MemoryAuditLog();
    const first = engine(runtime, scheduler, { store: new CaptureJobStore(new BlobRecordStorage(records)), notifier, audit, owner: 'replica-a' });
    const proposed = await first.jobs.proposeFromText('capture traffic from 172.21.10.5 to vm-web01 on 443 for 3 minutes', {
      estate: 'tls-incomplete-chain', conversation: { conversation: { id: 'thread-restart' } }, requestedBy: APPROVER,
    });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    expect((await first.jobs.confirm(proposed.job.id, APPROVER)).ok).toBe(true);
    // Two polls while the capture runs, then the first instance goes away.
    await runUntil(first.jobs, scheduler, async () => ((await first.jobs.get(proposed.job.id))?.polls ?? 0) >= 2, 1_000, 120_000);
    expect((await first.jobs.get(proposed.job.id))?.state).toBe('running');
    await first.jobs.close({ releaseLeases: clean });

    // A new process: new engine, same Blob container, same notifier target.
    const second = engine(runtime, scheduler, { store: new CaptureJobStore(new BlobRecordStorage(records)), notifier, audit, owner: 'replica-b' });
    expect(await second.jobs.resume()).toEqual([proposed.job.id]);
    await settle(second.jobs);
    if (!clean) expect((await second.jobs.get(proposed.job.id))?.lease?.owner).toBe('replica-a');
    await runUntil(second.jobs, scheduler, async () => (await second.jobs.get(proposed.job.id))?.state === 'done', 2_000, 10 * 60_000);
    const done = await second.jobs.get(proposed.job.id);
    expect(done?.lease?.owner).toBe('replica-b');
    expect(done?.outbox).toEqual([]);
    expect(notifier.keys()).toEqual(['started', 'stopped', 'result']);
    const result = notifier.posts.at(-1)?.message;
    expect(result?.verdict?.cause).toBe('tls_incomplete_chain');
    expect(result?.verdict?.evidence.some((item) => item.query.includes(proposed.job.plan.captureName))).toBe(true);
    expect(audit.entries.filter((entry) => entry.action === 'started')).toHaveLength(1);
    expect(audit.entries.filter((entry) => entry.action === 'result')).toHaveLength(1);

    // A third start finds nothing to do and posts nothing again.
    const third = engine(runtime, scheduler, { store: new CaptureJobStore(new BlobRecordStorage(records)), notifier, audit, owner: 'replica-c' });
    expect(await third.jobs.resume()).toEqual([]);
    await settle(third.jobs);
    expect(notifier.posts).toHaveLength(3);
    await second.jobs.close();
    await third.jobs.close();
  });

  it('a message whose post failed is posted again later, once', async () => {
    const notifier = new RecordingNotifier();
    const { jobs } = engine(runtime, scheduler, { store: new CaptureJobStore(new BlobRecordStorage(container())), notifier });
    const proposed = await jobs.proposeFromText('capture traffic from 172.21.10.5 to vm-web01 on 443 for 1 minute', { estate: 'tls-incomplete-chain', conversation: { id: 'c' }, requestedBy: APPROVER });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    notifier.failNext = 2;
    await jobs.confirm(proposed.job.id, APPROVER);
    await runUntil(jobs, scheduler, async () => {
      const job = await jobs.get(proposed.job.id);
      return job?.state === 'done' && job.outbox.length === 0;
    }, 2_000, 10 * 60_000);
    expect(notifier.keys()).toEqual(['started', 'stopped', 'result']);
    await jobs.close();
  });
});

describe('audit logs', () => {
  const entry = { at: '2026-11-27T10:05:00.000Z', jobId: 'abc123', action: 'started', actor: 'netproof' as const, estate: 'lab', target: '/subscriptions/x/vm', detail: { stopAt: 'later' } };

  it('append blob: one JSON line per entry', async () => {
    const blobs = container();
    await blobs.createIfNotExists();
    const log = new AppendBlobAuditLog(blobs.getAppendBlobClient('audit/captures.jsonl'));
    await log.append(entry);
    await log.append({ ...entry, action: 'stopped' });
    const text = (await blobs.getBlobClient('audit/captures.jsonl').downloadToBuffer()).toString('utf8');
    expect(text.trim().split('\n').map((line) => (JSON.parse(line) as { action: string }).action)).toEqual(['started', 'stopped']);
  });

  it('file: one JSON line per entry, folder created', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'netproof-audit-'));
    try {
      const log = new FileAuditLog(join(folder, 'nested', 'captures.jsonl'));
      await log.append(entry);
      await log.append({ ...entry, action: 'result' });
      const lines = readFileSync(join(folder, 'nested', 'captures.jsonl'), 'utf8').trim().split('\n');
      expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([entry, { ...entry, action: 'result' }]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
