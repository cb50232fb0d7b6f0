/**
 * Plans: durations and sizes read from words, limits, filters and the create body (VM and
 * scale set), the LLM tool's request, configured storage, the cards; and a VPN gateway
 * capture for an on-premises flow run end to end against the lab (start, stop with a
 * SAS URL, file found in the container, analysed, posted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isCaptureRequest, isStopRequest, packetCaptureBody, planFromText, planFromToolRequest, readBytes, readDuration, type CaptureJob, type CapturePlan, type PlanContext,
} from '../../src/capture-jobs/index.js';
import type { ManualClock } from '../../src/lab/index.js';
import type { Runtime } from '../../src/main.js';
import { captureConfirmationCard, captureFailureCard, captureProgressCard } from '../../src/report/capture-confirmation-card.js';
import { expectValidCard, textOf } from '../bot/helpers.js';
import { APPROVER, LabScheduler, engine, runUntil, startRuntime } from './helpers.js';

describe('words', () => {
  it.each([
    ['for 2 minutes', 120], ['for 90 seconds', 90], ['for 30s', 30], ['for an hour', 3600], ['for 1.5 min', 90], ['for 5 mins', 300], ['on 3389', null],
  ])('duration of "%s" is %s s', (text, seconds) => {
    expect(readDuration(`capture traffic from a to b ${text}`)).toBe(seconds);
  });

  it.each([['up to 50 MB', 50 * 1024 ** 2], ['max 1 GB', 1024 ** 3], ['512 KiB', 512 * 1024], ['on port 443', null]])('size of "%s"', (text, bytes) => {
    expect(readBytes(text)).toBe(bytes);
  });

  it.each([
    ['capture traffic from 192.168.10.5 to vm-app01 on 3389 for 2 minutes', true], ['please start a packet capture on vm-app01', true],
    ['why can\'t 10.0.0.4 reach vm-app01?', false], ['run capture on vm-web01', true],
  ])('"%s" asks for a capture: %s', (text, expected) => {
    expect(isCaptureRequest(text)).toBe(expected);
  });

  it.each([['stop the capture', true], ['please stop capturing', true], ['cancel the packet capture', true], ['stop', false], ['why did the capture stop?', false]])('"%s" asks to stop: %s', (text, expected) => {
    expect(isStopRequest(text)).toBe(expected);
  });
});

let runtime: Runtime;
let scheduler: LabScheduler;
let context: Omit<PlanContext, 'jobId'>;

beforeAll(async () => {
  runtime = await startRuntime(['rdp-remote-site']);
  const estate = runtime.estates[0];
  if (!estate || !runtime.lab) throw new Error('no lab');
  scheduler = new LabScheduler(runtime.lab.clock as ManualClock, () => estate.now());
  const loaded = await estate.facade.estate();
  const accounts = await estate.facade.storageAccounts();
  if (!loaded.ok || !accounts.ok) throw new Error('no estate');
  context = { estate: loaded.value, storageAccounts: accounts.value, now: estate.now(), limits: { maxDurationInSeconds: 600, maxBytes: 100 * 1024 ** 2 } };
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

function plan(text: string, extra: Partial<PlanContext> = {}): CapturePlan {
  const outcome = planFromText(text, { ...context, jobId: 'job123abc', ...extra });
  if (outcome.kind !== 'plan') throw new Error(`${outcome.message} ${outcome.whatToDo}`);
  return outcome.plan;
}

function jobOf(captured: CapturePlan): CaptureJob {
  return {
    id: 'job123abc', state: 'pending-confirmation', createdAt: '2026-11-20T10:30:00.000Z', updatedAt: '2026-11-20T10:30:00.000Z', conversation: {}, estate: 'lab', lab: true,
    requestedBy: APPROVER, confirmedBy: null, plan: captured, confirmBy: '2026-11-20T10:45:00.000Z', startedAt: null, stopAt: null, stopRequestedBy: null,
    polls: 0, retries: 0, nextStepAt: null, azureStatus: null, filePath: null, failure: null, lease: null, outbox: [], posted: [],
  };
}

describe('plans over the rdp-remote-site estate', () => {
  it('the issue\'s example: a capture on the destination VM, filtered on both ends and the port', () => {
    const captured = plan('capture traffic from 192.168.10.5 to vm-app01 on 3389 for 2 minutes');
    expect(captured).toMatchObject({
      kind: 'network-watcher', targetName: 'vm-app01', targetType: 'AzureVM', durationInSeconds: 120, region: 'eastus2',
      storage: { accountName: 'ctdflowlogseus2', chosenBy: 'region' }, filterData: null,
    });
    expect(captured.filters).toEqual([{ protocol: 'TCP', localIPAddress: expect.any(String), remoteIPAddress: '192.168.10.5', localPort: '3389' }]);
    expect(packetCaptureBody(captured)).toEqual({
      target: captured.targetId, totalBytesPerSession: 100 * 1024 ** 2, timeLimitInSeconds: 120,
      storageLocation: { storageId: captured.storage.storageId, storagePath: 'https://ctdflowlogseus2.blob.core.windows.net/netproof-captures/netproof-job123abc.cap' },
      filters: captured.filters,
    });
    expect(captured.question).toBe('why can\'t 192.168.10.5 reach vm-app01 on TCP port 3389?');
  });

  it('cuts a duration or size over the limit and says so; defaults to the limits', () => {
    const long = plan('capture traffic from 192.168.10.5 to vm-app01 on 3389 for 2 hours up to 5 GB');
    expect(long.durationInSeconds).toBe(600);
    expect(long.totalBytes).toBe(100 * 1024 ** 2);
    expect(long.notes.join(' ')).toMatch(/at most 600 s.*at most 104857600 bytes/);
    expect(plan('capture traffic from 192.168.10.5 to vm-app01 on 3389').durationInSeconds).toBe(600);
  });

  it('uses NETPROOF_CAPTURE_STORAGE_ID when set', () => {
    const storageId = '/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/sec-rg/providers/Microsoft.Storage/storageAccounts/seccaptures';
    expect(plan('capture traffic from 192.168.10.5 to vm-app01 on 3389', { storageId }).storage).toEqual({
      storageId, accountName: 'seccaptures', chosenBy: 'configured', storagePath: 'https://seccaptures.blob.core.windows.net/netproof-captures/netproof-job123abc.cap',
    });
  });

  it('a scale set target gets targetType AzureVMSS and a scope of all instances', () => {
    const captured = { ...plan('capture traffic from 192.168.10.5 to vm-app01 on 3389'), targetType: 'AzureVMSS' as const, scope: { include: [], exclude: [] } };
    expect(packetCaptureBody(captured)).toMatchObject({ targetType: 'AzureVMSS', scope: { include: [], exclude: [] } });
  });

  it('takes the LLM tool\'s pending request as it is (VM, duration, filters)', () => {
    const vm = context.estate.topology.virtualMachines.find((machine) => machine.name === 'vm-app01');
    if (!vm) throw new Error('no vm-app01');
    const outcome = planFromToolRequest({
      virtualMachineId: vm.id, virtualMachineName: vm.name, durationInSeconds: 60, maxBytes: 10 * 1024 ** 2,
      filters: [{ protocol: 'TCP', localIp: '10.1.1.4', remoteIp: '192.168.10.5', localPort: 3389, remotePort: null }],
    }, 'why can\'t 192.168.10.5 RDP to vm-app01?', { ...context, jobId: 'tool00001' });
    if (outcome.kind !== 'plan') throw new Error(outcome.message);
    expect(outcome.plan).toMatchObject({ targetName: 'vm-app01', durationInSeconds: 60, totalBytes: 10 * 1024 ** 2, filters: [{ protocol: 'TCP', localIPAddress: '10.1.1.4', remoteIPAddress: '192.168.10.5', localPort: '3389' }] });
  });

  it('refuses a flow with no VM to capture on, saying what to ask', () => {
    const outcome = planFromText('capture traffic from 10.200.0.1 to 10.200.0.2 on 80', { ...context, jobId: 'none00001' });
    expect(outcome).toMatchObject({ kind: 'refused', code: 'no-target' });
  });

  it('every card validates and states target, filters, limits, storage, cost and privacy', () => {
    for (const captured of [plan('capture traffic from 192.168.10.5 to vm-app01 on 3389 for 2 minutes'), plan('capture traffic from 192.168.10.5 to vm-app01 on 3389 at the VPN gateway for 2 minutes')]) {
      const job = jobOf(captured);
      const confirmation = captureConfirmationCard(job, { whoMayConfirm: 'a capture approver (NETPROOF_CAPTURE_APPROVERS)' });
      expectValidCard(confirmation);
      const text = textOf(confirmation);
      for (const words of [captured.targetName, '2 min', '100 MiB', captured.storage.accountName, 'Cost and privacy', 'capture approver']) expect(text).toContain(words);
      expect(confirmation.actions).toHaveLength(2);
      expectValidCard(captureProgressCard({ ...job, state: 'running', startedAt: '2026-11-20T10:31:00.000Z', stopAt: '2026-11-20T10:33:00.000Z' }, 'running'));
      expectValidCard(captureFailureCard({ ...job, state: 'failed', failure: { code: 'capture-limit', message: 'too many', whatToDo: 'stop one' } }));
    }
  });
});

describe('a VPN gateway capture for an on-premises flow', () => {
  it('starts on the gateway, stops with a SAS URL after the duration, finds the file, analyses it and posts once', async () => {
    const sasRequests: string[] = [];
    const { jobs, notifier, audit } = engine(runtime, scheduler, {
      sas: { containerSasUrl: async ({ containerUrl }) => { sasRequests.push(containerUrl); return `${containerUrl}?sv=2025-05-05&sp=cw&se=2026-11-20T12%3A00%3A00Z&sig=lab`; } },
    });
    const proposed = await jobs.proposeFromText('capture traffic from 192.168.10.5 to vm-app01 on 3389 at the VPN gateway for 2 minutes', {
      estate: runtime.estates[0]?.name ?? '', conversation: { id: 'gw' }, requestedBy: APPROVER,
    });
    if (proposed.kind !== 'confirm') throw new Error(proposed.text);
    expect(proposed.job.plan).toMatchObject({ kind: 'vpn-gateway', targetName: 'ctd-hub-eus2-vgw', targetType: 'VirtualNetworkGateway', networkWatcherId: null });
    expect(JSON.parse(proposed.job.plan.filterData ?? '{}')).toMatchObject({ Filters: [{ SourceSubnets: ['192.168.10.5/32'], DestinationPort: [3389], Protocol: 6 }] });
    expectValidCard(proposed.card);
    expect((await jobs.confirm(proposed.job.id, APPROVER)).ok).toBe(true);
    await runUntil(jobs, scheduler, async () => ['done', 'failed'].includes((await jobs.get(proposed.job.id))?.state ?? ''), 10_000, 10 * 60_000);
    const job = await jobs.get(proposed.job.id);
    expect(job?.state, JSON.stringify(job?.failure)).toBe('done');
    expect(sasRequests).toEqual([proposed.job.plan.storage.storagePath]);
    expect(job?.filePath).toMatch(new RegExp(`/netproof-captures/netproof-${proposed.job.id}/ctd-hub-eus2-vgw_IN_0_\\d{8}T\\d{6}\\.pcap$`));
    expect(notifier.keys()).toEqual(['started', 'stopping', 'stopped', 'result']);
    // The SAS URL is a secret: it is in no message and no audit entry.
    expect(JSON.stringify([notifier.posts, audit.entries])).not.toContain('sig=lab');
    expect(audit.entries.map((entry) => entry.action)).toEqual(['requested', 'confirmed', 'started', 'stopped', 'result']);
    await jobs.close();
  });
});
