/**
 * The whole lifecycle against the lab through the real SDK clients: a request in words,
 * the confirmation card, a refused confirm, the approver's confirm, a capture the lab
 * keeps Running over several polls, the stop at its time limit, the file from Azurite,
 * the analysis, the updated verdict posted once, and the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/lab/index.js';
import type { Runtime } from '../../src/main.js';
import { expectValidCard, textOf } from '../bot/helpers.js';
import { APPROVER, LabScheduler, STRANGER, engine, runUntil, settle, startRuntime } from './helpers.js';

let runtime: Runtime;
let scheduler: LabScheduler;

beforeAll(async () => {
  runtime = await startRuntime(['nothing-listening']);
  const estate = runtime.estates[0];
  if (!estate || !runtime.lab) throw new Error('no lab');
  scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => estate.now());
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

const conversation = { conversation: { id: '19:general@thread.tacv2;messageid=1700000100001' }, serviceUrl: 'https://smba.trafficmanager.net/emea/' };

describe('a capture from chat, confirmed by an approver', () => {
  it('plans, refuses a stranger, runs over several polls, stops at its limit and posts the updated verdict once', async () => {
    const { jobs, notifier, audit } = engine(runtime, scheduler);
    const proposed = await jobs.proposeFromText('capture traffic from vm-app02 to vm-sql01 on 1433 for 2 minutes', {
      estate: 'nothing-listening', conversation, requestedBy: STRANGER,
    });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    const { job } = proposed;
    expect(job.plan).toMatchObject({
      kind: 'network-watcher', targetName: 'vm-sql01', targetType: 'AzureVM', durationInSeconds: 120, totalBytes: 100 * 1024 * 1024,
      filters: [{ protocol: 'TCP', localIPAddress: '10.62.1.4', remoteIPAddress: '10.61.2.5', localPort: '1433' }],
      storage: { accountName: 'nwtflowlogsuks', chosenBy: 'region', storagePath: `https://nwtflowlogsuks.blob.core.windows.net/netproof-captures/netproof-${job.id}.cap` },
    });
    expect(job.plan.networkWatcherId).toMatch(/networkWatchers\/NetworkWatcher_uksouth$/);
    expectValidCard(proposed.card);
    const cardText = textOf(proposed.card);
    for (const words of ['vm-sql01', '2 min', '100 MiB', 'nwtflowlogsuks', 'first storage account in uksouth', 'Cost and privacy', '10.62.1.4 port 1433', 'capture approver']) {
      expect(cardText).toContain(words);
    }

    // Anyone in the channel can press Confirm; only an approver's press counts.
    const refused = await jobs.confirm(job.id, STRANGER);
    expect(refused).toMatchObject({ ok: false, code: 'not-approver' });
    if (!refused.ok) expect(refused.text).toMatch(/NETPROOF_CAPTURE_APPROVERS/);
    await settle(jobs);
    expect((await jobs.get(job.id))?.state).toBe('pending-confirmation');

    const confirmed = await jobs.confirm(job.id, APPROVER);
    expect(confirmed.ok).toBe(true);
    await settle(jobs);
    expect((await jobs.get(job.id))?.state).toBe('running');
    const estate = runtime.estates[0];
    const status = await estate?.facade.packetCaptureStatus(job.plan.networkWatcherId ?? '', job.plan.captureName);
    expect(status?.ok && status.value.packetCaptureStatus).toBe('Running');

    // The lab keeps it Running until its 120 s limit: several polls with growing intervals.
    const pollTimes: number[] = [];
    let lastPolls = 0;
    await runUntil(jobs, scheduler, async () => {
      const current = await jobs.get(job.id);
      if (current && current.polls > lastPolls) {
        lastPolls = current.polls;
        pollTimes.push(scheduler.now().getTime());
      }
      return current?.state === 'done' || current?.state === 'failed';
    }, 1_000);
    const finished = await jobs.get(job.id);
    expect(finished?.state, JSON.stringify(finished?.failure)).toBe('done');
    expect(pollTimes.length).toBeGreaterThanOrEqual(2);
    const gaps = pollTimes.slice(1).map((time, index) => time - (pollTimes[index] ?? 0));
    expect(gaps[1] ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(gaps[0] ?? 0);
    expect(finished?.azureStatus).toMatchObject({ status: 'Stopped', stopReason: 'TimeExceeded' });

    // Posted in the thread: started, stopped, result; each key once.
    expect(notifier.keys()).toEqual(['started', 'stopped', 'result']);
    expect(notifier.posts.every((post) => post.conversation === conversation || JSON.stringify(post.conversation) === JSON.stringify(conversation))).toBe(true);
    const result = notifier.posts.at(-1)?.message;
    expect(result?.verdict?.cause).toBe('tcp_refused');
    const captureItems = result?.verdict?.evidence.filter((item) => item.source === 'packetCapture' && item.query.includes(job.plan.captureName)) ?? [];
    expect(captureItems).toHaveLength(1);
    const cited = new Set(result?.verdict?.findings.flatMap((finding) => finding.evidence));
    expect(captureItems.some((item) => cited.has(item.id))).toBe(true);
    expect(result?.text).toMatch(/tcp_refused|refus/i);
    for (const card of result?.cards ?? []) expectValidCard(card);
    expect(textOf(result?.cards[1])).toContain('tcp_refused');
    for (const post of notifier.posts) for (const card of post.message.cards) expectValidCard(card);

    // The capture resource is gone (its file stays), so nothing is left running.
    const after = await estate?.facade.packetCaptureStatus(job.plan.networkWatcherId ?? '', job.plan.captureName);
    expect(after?.ok).toBe(false);

    // Audit: who, when, what.
    expect(audit.entries.map((entry) => entry.action)).toEqual(['requested', 'refused', 'confirmed', 'started', 'stopped', 'result']);
    expect(audit.entries.find((entry) => entry.action === 'confirmed')?.actor).toEqual(APPROVER);
    expect(audit.entries.find((entry) => entry.action === 'refused')?.actor).toEqual(STRANGER);
    expect(audit.entries.every((entry) => entry.jobId === job.id && entry.target === job.plan.targetId && !Number.isNaN(Date.parse(entry.at)))).toBe(true);
    expect(audit.entries.find((entry) => entry.action === 'result')?.detail).toMatchObject({ cause: 'tcp_refused' });
    expect(await jobs.active()).toEqual([]);
    await jobs.close();
  });

  it('"stop the capture" ends it early; the stop is audited with who asked', async () => {
    const { jobs, notifier, audit } = engine(runtime, scheduler);
    const proposed = await jobs.proposeFromText('capture traffic from vm-app02 to vm-sql01 on 1433 for 10 minutes', { estate: 'nothing-listening', conversation, requestedBy: APPROVER });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    await jobs.confirm(proposed.job.id, APPROVER);
    await settle(jobs);
    scheduler.advance(10_000);
    await settle(jobs);
    const [active] = await jobs.active();
    expect(active?.id).toBe(proposed.job.id);
    const stopped = await jobs.stop(proposed.job.id, STRANGER);
    expect(stopped.ok).toBe(true);
    await runUntil(jobs, scheduler, async () => (await jobs.get(proposed.job.id))?.state === 'done', 1_000, 60_000);
    expect((await jobs.get(proposed.job.id))?.azureStatus?.stopReason ?? 'Manual').toBe('Manual');
    expect(notifier.keys()).toEqual(['started', 'stopping', 'stopped', 'result']);
    expect(audit.entries.find((entry) => entry.action === 'stop-requested')?.actor).toEqual(STRANGER);
    expect(audit.entries.find((entry) => entry.action === 'stopped')?.detail).toMatchObject({ reason: 'requested' });
    await jobs.close();
  });

  it('a request nobody confirms lapses: nothing starts', async () => {
    const { jobs, notifier, audit } = engine(runtime, scheduler, { confirmWindowInMs: 60_000 });
    const proposed = await jobs.proposeFromText('capture traffic from vm-app02 to vm-sql01 on 1433', { estate: 'nothing-listening', conversation, requestedBy: APPROVER });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    await runUntil(jobs, scheduler, async () => (await jobs.get(proposed.job.id))?.state === 'expired', 10_000, 120_000);
    expect(await jobs.confirm(proposed.job.id, APPROVER)).toMatchObject({ ok: false, code: 'not-pending' });
    expect(notifier.keys()).toEqual(['expired']);
    expect(audit.entries.map((entry) => entry.action)).toEqual(['requested', 'expired']);
    await jobs.close();
  });
});
