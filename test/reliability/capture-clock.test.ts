/**
 * Capture jobs over several lab scenarios: `netproof start` gives the engine one clock (the first
 * estate's), but each scenario has its own `now`. Every time of a job (created, confirmation
 * deadline, start, stop, audit) must be on the clock of the estate the job runs in.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import type { ManualClock } from '../../src/lab/index.js';
import { captureEstatesOf, createRuntime, type Runtime } from '../../src/main.js';
import { APPROVER, LabScheduler, SCENARIOS, engine, runUntil } from '../capture-jobs/helpers.js';

let runtime: Runtime;
beforeAll(async () => {
  // The first scenario's clock is two weeks before the capture scenario's.
  runtime = await createRuntime(parseConfig({}), { scenarioDirectories: ['rdp-remote-site', 'nothing-listening'].map((name) => join(SCENARIOS, name)), frozenClock: true });
}, 60_000);
afterAll(async () => { await runtime?.close(); });

describe('a capture job in the second of several lab scenarios', () => {
  it('runs on its own scenario\'s clock, not the engine\'s (the first scenario\'s)', async () => {
    const [first, capturing] = runtime.estates;
    if (!first || !capturing || !runtime.lab) throw new Error('no lab');
    expect(capturing.name).toBe('nothing-listening');
    expect(capturing.now().getTime() - first.now().getTime()).toBeGreaterThan(24 * 3_600_000);
    // As netproof start wires it: the engine's clock is the first estate's, the estates come from captureEstatesOf.
    const scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => first.now());
    const { jobs, audit } = engine(runtime, scheduler, { estates: captureEstatesOf(runtime) });
    const conversation = { conversation: { id: 'a:clock' }, serviceUrl: 'https://smba.trafficmanager.net/emea/' };
    const proposedAt = capturing.now();
    const proposed = await jobs.proposeFromText('capture traffic from vm-app02 to vm-sql01 on 1433 for 2 minutes', { estate: 'nothing-listening', conversation, requestedBy: APPROVER });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    expect(proposed.job.createdAt).toBe(proposedAt.toISOString());
    expect(Date.parse(proposed.job.confirmBy)).toBeGreaterThan(proposedAt.getTime());

    expect((await jobs.confirm(proposed.job.id, APPROVER)).ok).toBe(true);
    await runUntil(jobs, scheduler, async () => (await jobs.get(proposed.job.id))?.state === 'done', 5_000);
    const done = await jobs.get(proposed.job.id);
    const startedAt = Date.parse(done?.startedAt ?? '');
    expect(startedAt).toBeGreaterThanOrEqual(proposedAt.getTime());
    expect(startedAt).toBeLessThan(capturing.now().getTime());
    expect(Date.parse(done?.stopAt ?? '') - startedAt).toBe(120_000);
    // The audit trail is on the same clock: nothing dated in the first scenario's time.
    const entries = audit.entries.filter((entry) => entry.jobId === proposed.job.id);
    expect(entries.length).toBeGreaterThan(2);
    for (const entry of entries) expect(Date.parse(entry.at), entry.action).toBeGreaterThanOrEqual(proposedAt.getTime());
    await jobs.close();
  }, 60_000);
});
