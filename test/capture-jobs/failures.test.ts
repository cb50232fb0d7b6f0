/**
 * Failures injected through the lab's faults, each reported in the thread with what to
 * do and each leaving no capture running; the unauthenticated mode; a target without
 * the extension refused before anything is asked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/domain/scenario.js';
import type { ManualClock } from '../../src/lab/index.js';
import type { Runtime } from '../../src/main.js';
import { expectValidCard } from '../bot/helpers.js';
import { APPROVER, LabScheduler, STRANGER, engine, estatesOf, runUntil, settle, startRuntime } from './helpers.js';

let runtime: Runtime;
let scheduler: LabScheduler;
const conversation = { conversation: { id: 'a:personal-chat-1' } };
const ASK = 'capture traffic from vm-app02 to vm-sql01 on 1433 for 2 minutes';

beforeAll(async () => {
  runtime = await startRuntime(['nothing-listening']);
  const estate = runtime.estates[0];
  if (!estate || !runtime.lab) throw new Error('no lab');
  scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => estate.now());
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

afterEach(() => runtime.lab?.clearFaults());

describe.each<{ fault: Fault; code: string; says: RegExp; todo: RegExp; started: boolean }>([
  { fault: { target: 'packetCapture', kind: 'extension-missing' }, code: 'extension-missing', says: /AzureNetworkWatcherExtension|Nothing was started/, todo: /extension set/, started: false },
  { fault: { target: 'packetCapture', kind: 'capture-limit', match: { operation: 'create' } }, code: 'capture-limit', says: /Nothing was started/, todo: /packet-capture list/, started: false },
  { fault: { target: 'packetCapture', kind: 'capture-failure' }, code: 'capture-error', says: /CaptureFailed/, todo: /extension/, started: true },
  { fault: { target: 'packetCapture', kind: 'storage-forbidden' }, code: 'storage-forbidden', says: /StorageFailed/, todo: /Storage Blob Data Contributor|NETPROOF_CAPTURE_STORAGE_ID/, started: true },
])('fault $fault.kind', ({ fault, code, says, todo, started }) => {
  it(`fails as ${code}, says what to do, and leaves nothing running`, async () => {
    runtime.lab?.injectFault(fault);
    const { jobs, notifier, audit } = engine(runtime, scheduler);
    const proposed = await jobs.proposeFromText(ASK, { estate: 'nothing-listening', conversation, requestedBy: APPROVER });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    expect((await jobs.confirm(proposed.job.id, APPROVER)).ok).toBe(true);
    await runUntil(jobs, scheduler, async () => (await jobs.get(proposed.job.id))?.state === 'failed', 5_000, 10 * 60_000);
    const job = await jobs.get(proposed.job.id);
    expect(job?.failure?.code).toBe(code);
    const failure = notifier.posts.find((post) => post.message.kind === 'failure')?.message;
    expect(failure?.text).toMatch(says);
    expect(failure?.text).toMatch(todo);
    for (const card of failure?.cards ?? []) expectValidCard(card);
    expect(notifier.keys().filter((key) => key === 'failed')).toHaveLength(1);
    expect(notifier.keys().includes('started')).toBe(started);
    // Nothing keeps running in Azure: never created, or stopped (Error / Stopped).
    const status = await runtime.estates[0]?.facade.packetCaptureStatus(job?.plan.networkWatcherId ?? '', job?.plan.captureName ?? '');
    if (started) expect(status?.ok && status.value.packetCaptureStatus).not.toBe('Running');
    else expect(status?.ok).toBe(false);
    expect(audit.entries.map((entry) => entry.action)).toEqual(['requested', 'confirmed', ...(started ? ['started'] : []), 'failed']);
    expect(audit.entries.at(-1)?.detail).toMatchObject({ failure: { code } });
    expect(await jobs.active()).toEqual([]);
    await jobs.close();
  });
});

describe('identity and approvers', () => {
  it('unauthenticated local mode refuses a real capture but runs the lab', async () => {
    const [labEstate] = estatesOf(runtime);
    if (!labEstate) throw new Error('no estate');
    const { jobs, audit } = engine(runtime, scheduler, { authenticated: false, estates: [labEstate, { ...labEstate, name: 'azure', lab: false }] });
    const real = await jobs.proposeFromText(ASK, { estate: 'azure', conversation, requestedBy: APPROVER });
    if (real.kind !== 'confirm') throw new Error(real.text);
    expect(JSON.stringify(real.card)).toContain('unauthenticated local mode');
    const refused = await jobs.confirm(real.job.id, APPROVER);
    expect(refused).toMatchObject({ ok: false, code: 'unauthenticated' });
    if (!refused.ok) expect(refused.text).toMatch(/MicrosoftAppId/);
    expect((await jobs.get(real.job.id))?.state).toBe('pending-confirmation');

    const lab = await jobs.proposeFromText(ASK, { estate: 'nothing-listening', conversation, requestedBy: APPROVER });
    if (lab.kind !== 'confirm') throw new Error(lab.text);
    expect((await jobs.confirm(lab.job.id, APPROVER)).ok).toBe(true);
    await runUntil(jobs, scheduler, async () => (await jobs.get(lab.job.id))?.state === 'done', 5_000, 10 * 60_000);
    expect(audit.entries.filter((entry) => entry.action === 'refused').map((entry) => entry.detail)).toEqual([{ reason: 'unauthenticated' }]);
    await jobs.close({ releaseLeases: true });
    await jobs.cancel(real.job.id, APPROVER);
  });

  it('with no approvers configured nobody confirms a real capture; in the lab anyone may', async () => {
    const [labEstate] = estatesOf(runtime);
    if (!labEstate) throw new Error('no estate');
    const { jobs } = engine(runtime, scheduler, { approvers: [], estates: [labEstate, { ...labEstate, name: 'azure', lab: false }] });
    const real = await jobs.proposeFromText(ASK, { estate: 'azure', conversation, requestedBy: APPROVER });
    if (real.kind !== 'confirm') throw new Error(real.text);
    expect(await jobs.confirm(real.job.id, APPROVER)).toMatchObject({ ok: false, code: 'no-approvers' });
    const lab = await jobs.proposeFromText(ASK, { estate: 'nothing-listening', conversation, requestedBy: STRANGER });
    if (lab.kind !== 'confirm') throw new Error(lab.text);
    expect(await jobs.confirm(lab.job.id, STRANGER)).toMatchObject({ ok: true });
    await jobs.stop(lab.job.id, STRANGER);
    await runUntil(jobs, scheduler, async () => (await jobs.get(lab.job.id))?.state === 'done', 5_000, 10 * 60_000);
    await jobs.cancel(real.job.id, APPROVER);
    await settle(jobs);
    await jobs.close();
  });

  it('refuses a target without the Network Watcher extension before asking anyone, with the command to fix it', async () => {
    const { jobs } = engine(runtime, scheduler);
    const estate = runtime.estates[0];
    const loaded = await estate?.facade.estate();
    if (!loaded?.ok) throw new Error('no estate');
    // vm-app02's extensions, as if the agent were missing: plan against a copy of the estate.
    const bare = {
      ...loaded.value,
      topology: { ...loaded.value.topology, virtualMachines: loaded.value.topology.virtualMachines.map((machine) => machine.name === 'vm-sql01' ? { ...machine, extensions: ['AzureMonitorWindowsAgent'] } : machine) },
    };
    const [labEstate] = estatesOf(runtime);
    if (!labEstate) throw new Error('no estate');
    const { jobs: bareJobs } = engine(runtime, scheduler, { estates: [{ ...labEstate, azure: Object.assign(Object.create(Object.getPrototypeOf(estate?.facade)) as object, estate?.facade, { estate: async () => ({ ok: true as const, value: bare }) }) as typeof labEstate.azure }] });
    const refused = await bareJobs.proposeFromText(ASK, { estate: 'nothing-listening', conversation, requestedBy: APPROVER });
    expect(refused).toMatchObject({ kind: 'refused', code: 'extension-missing' });
    expect(refused.text).toMatch(/az vm extension set --resource-group nwt-data-rg --vm-name vm-sql01 --publisher Microsoft.Azure.NetworkWatcher/);
    await jobs.close();
    await bareJobs.close();
  });
});
