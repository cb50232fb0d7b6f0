/**
 * Faults through the whole pipeline: the lab injects throttling (429 + Retry-After), 5xx,
 * timeouts, partial answers, missing tables and 403 on every surface, one at a time and all
 * together, and the diagnosis still answers with a verdict that names its gaps (source and
 * reason). Retries are checked by counting the requests the lab received (a recording proxy
 * sits between the SDK clients and the lab), never by timing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/domain/scenario.js';
import type { Gap, Verdict } from '../../src/domain/index.js';
import { VerdictSchema } from '../../src/domain/index.js';
import { LAB_RETRY, startProxiedEstate, type ProxiedEstate, type RecordedRequest } from './harness.js';

/** The scenario's own question (vm-app01 -> vm-fs01 SMB, denied by a firewall network rule). */
const NAMED = "why can't vm-app01 map the orders share on vm-fs01 (10.62.2.4) over SMB between 08:00 and 09:00 UTC?";
/** The same flow by address only, so it can be asked while the estate cannot be read. */
const BY_ADDRESS = "why can't 10.61.2.4 reach 10.62.2.4 on port 445 between 08:00 and 09:00 UTC?";
const TIMEOUT_IN_MS = 1_500;

/** Gap sources each lab surface feeds (what the adapters name in their gaps). */
const LOG_SOURCES = /^(AZFW\w+|NTANetAnalytics|AzureNetworkAnalytics_CL|AzureDiagnostics|AZKVAuditLogs|Azure Firewall logs|ingestion)$/;
/**
 * The estate's gap: the adapter names it `Azure Resource Graph`, the pipeline's timeout `resourceGraph`
 * (reported: one source, two names; src/diagnose/diagnose.ts is its owner's to align).
 */
const RESOURCE_GRAPH = /^(Azure Resource Graph|resourceGraph)$/;
const NETWORK_WATCHER_SOURCES = ['connectivityCheck', 'effectiveRoutes', 'effectiveSecurityRules', 'ipFlowVerify', 'nextHop'];

let estate: ProxiedEstate;
let baseline: Verdict;

async function verdictOf(text: string): Promise<Verdict> {
  const outcome = await estate.diagnose({ text });
  expect(outcome.kind, outcome.kind === 'clarify' ? outcome.message : '').toBe('verdict');
  if (outcome.kind !== 'verdict') throw new Error('no verdict');
  // Whatever failed, the answer is a valid Verdict whose findings cite evidence that exists.
  const verdict = VerdictSchema.parse(outcome.verdict);
  const ids = new Set(verdict.evidence.map((item) => item.id));
  for (const finding of verdict.findings) for (const id of finding.evidence) expect(ids.has(id)).toBe(true);
  return verdict;
}

/** The gaps the fault added (the scenario has gaps of its own, e.g. AZFWNatRule does not exist). */
function newGaps(verdict: Verdict): Gap[] {
  const known = new Set(baseline.gaps.map((gap) => `${gap.source}|${gap.reason}`));
  return verdict.gaps.filter((gap) => !known.has(`${gap.source}|${gap.reason}`));
}

const isLogQuery = (request: RecordedRequest) => /\/v1\/workspaces\/[^/]+\/query/i.test(request.url);
const isNetworkWatcher = (request: RecordedRequest) => /\/(nextHop|ipFlowVerify|connectivityCheck|effectiveRouteTable|effectiveNetworkSecurityGroups)\?/i.test(request.url);
/** How often each distinct request (method, path, body) reached the lab. */
function attempts(requests: readonly RecordedRequest[]): number[] {
  const counts = new Map<string, number>();
  for (const request of requests) {
    const key = `${request.method} ${request.url.split('?')[0]} ${request.body}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.values()];
}

beforeAll(async () => {
  estate = await startProxiedEstate('firewall-network-rule-deny', { NETPROOF_LIMITS_SOURCE_TIMEOUT_MS: String(TIMEOUT_IN_MS) });
  // The first question also pays the lab's KQL language service start-up (seconds of blocked event loop).
  await estate.diagnose({ text: NAMED });
  estate.reset();
  baseline = await verdictOf(NAMED);
}, 60_000);
afterAll(async () => { await estate?.close(); });
beforeEach(() => estate.reset());

describe('one fault at a time: the verdict arrives and names the gap', () => {
  it('the baseline decides firewall_deny with the scenario\'s own gaps only', () => {
    expect(baseline.cause).toBe('firewall_deny');
    expect(baseline.gaps.every((gap) => gap.source === 'AZFWNatRule' && gap.reason === 'not-enabled')).toBe(true);
  });

  it.each<[string, Fault, Gap['reason']]>([
    ['logs throttled', { target: 'logs', kind: 'throttle', retryAfterInSeconds: 0 }, 'throttled'],
    ['logs 503', { target: 'logs', kind: 'server-error', status: 503 }, 'failed'],
    ['logs 403', { target: 'logs', kind: 'forbidden' }, 'no-permission'],
    ['logs timeout', { target: 'logs', kind: 'timeout', latencyInMs: 20_000 }, 'timeout'],
    ['logs partial', { target: 'logs', kind: 'partial' }, 'failed'],
  ])('%s: every log source is a gap of that reason, nothing else is', async (_name, fault, reason) => {
    estate.lab.injectFault(fault);
    const verdict = await verdictOf(NAMED);
    const added = newGaps(verdict);
    expect(added.length).toBeGreaterThan(0);
    for (const gap of added) {
      expect(gap.source).toMatch(LOG_SOURCES);
      expect(gap.reason).toBe(reason);
      expect(gap.detail.length).toBeGreaterThan(0);
    }
    expect(added.map((gap) => gap.source)).toEqual(expect.arrayContaining(['NTANetAnalytics']));
    // The logs being down leaves the configuration evidence: the verdict is still made of the rest.
    expect(verdict.evidence.some((item) => item.source === 'effectiveRoutes')).toBe(true);
  });

  it('a partial answer keeps its rows: the deny is still found, and the gap says it is partial', async () => {
    estate.lab.injectFault({ target: 'logs', kind: 'partial', match: { table: 'AZFWNetworkRule' } });
    const verdict = await verdictOf(NAMED);
    expect(verdict.cause).toBe('firewall_deny');
    expect(newGaps(verdict).map((gap) => gap.source)).toContain('AZFWNetworkRule');
  });

  it('a missing table is not-enabled for that table only', async () => {
    estate.lab.injectFault({ target: 'logs', kind: 'missing-table', match: { table: 'NTANetAnalytics' } });
    const verdict = await verdictOf(NAMED);
    const added = newGaps(verdict);
    expect(added.length).toBeGreaterThan(0);
    for (const gap of added) expect(gap).toMatchObject({ source: 'NTANetAnalytics', reason: 'not-enabled' });
    expect(verdict.cause).toBe('firewall_deny');
  });

  it.each<[string, Fault, Gap['reason']]>([
    ['throttled', { target: 'networkWatcher', kind: 'throttle', retryAfterInSeconds: 0 }, 'throttled'],
    ['503', { target: 'networkWatcher', kind: 'server-error', status: 503 }, 'failed'],
    ['403', { target: 'networkWatcher', kind: 'forbidden' }, 'no-permission'],
    ['timeout', { target: 'networkWatcher', kind: 'timeout', latencyInMs: 20_000 }, 'timeout'],
  ])('Network Watcher %s: each Network Watcher source is a gap of that reason', async (_name, fault, reason) => {
    estate.lab.injectFault(fault);
    const verdict = await verdictOf(NAMED);
    const added = newGaps(verdict);
    expect([...new Set(added.map((gap) => gap.source))].sort()).toEqual(NETWORK_WATCHER_SOURCES);
    for (const gap of added) expect(gap.reason).toBe(reason);
    // The firewall logs still show the deny.
    expect(verdict.cause).toBe('firewall_deny');
  });

  it.each<[string, Fault, Gap['reason']]>([
    ['throttled', { target: 'packetCapture', kind: 'throttle', retryAfterInSeconds: 0 }, 'throttled'],
    ['500', { target: 'packetCapture', kind: 'server-error' }, 'failed'],
    ['403', { target: 'packetCapture', kind: 'forbidden' }, 'no-permission'],
  ])('packet capture listing %s: a packetCaptures gap', async (_name, fault, reason) => {
    estate.lab.injectFault(fault);
    const verdict = await verdictOf(NAMED);
    const added = newGaps(verdict);
    expect(added.length).toBeGreaterThan(0);
    for (const gap of added) expect(gap).toMatchObject({ source: 'packetCaptures', reason });
  });

  it.each<[string, Fault, Gap['reason']]>([
    ['throttled', { target: 'resourceGraph', kind: 'throttle', retryAfterInSeconds: 0 }, 'throttled'],
    ['503', { target: 'resourceGraph', kind: 'server-error', status: 503 }, 'failed'],
    ['403', { target: 'resourceGraph', kind: 'forbidden' }, 'no-permission'],
    ['timeout', { target: 'resourceGraph', kind: 'timeout', latencyInMs: 20_000 }, 'timeout'],
  ])('Resource Graph %s: a question by address still gets a verdict with the estate gap', async (_name, fault, reason) => {
    estate.lab.injectFault(fault);
    const verdict = await verdictOf(BY_ADDRESS);
    expect(verdict.status).toBe('unknown');
    expect(verdict.gaps).toEqual(expect.arrayContaining([expect.objectContaining({ source: expect.stringMatching(RESOURCE_GRAPH), reason })]));
  });

  // With the estate unreadable, a question by name is told why, not that the name is unknown.
  it('Resource Graph throttled: a question by name says the estate could not be read, not that the name is unknown', async () => {
    estate.lab.injectFault({ target: 'resourceGraph', kind: 'throttle', retryAfterInSeconds: 0 });
    const outcome = await estate.diagnose({ text: NAMED });
    expect(outcome.kind === 'clarify' ? outcome.message : '').toMatch(/throttl|could not be read|try again/i);
  });
});

describe('faults together', () => {
  it.each<[string, Fault]>([
    ['everything throttled', { target: 'all', kind: 'throttle', retryAfterInSeconds: 0 }],
    ['everything 403', { target: 'all', kind: 'forbidden' }],
    ['everything times out', { target: 'all', kind: 'timeout', latencyInMs: 20_000 }],
  ])('%s: an unknown verdict that lists the estate as a gap', async (_name, fault) => {
    estate.lab.injectFault(fault);
    const verdict = await verdictOf(BY_ADDRESS);
    expect(verdict).toMatchObject({ status: 'unknown', cause: 'insufficient_evidence' });
    expect(verdict.gaps.map((gap) => gap.source)).toEqual(expect.arrayContaining([expect.stringMatching(RESOURCE_GRAPH), 'NTANetAnalytics']));
  });

  it('logs throttled, Network Watcher forbidden, captures failing and one table missing, at once', async () => {
    estate.lab.injectFault({ target: 'logs', kind: 'throttle', retryAfterInSeconds: 0, match: { table: 'NTANetAnalytics' } });
    estate.lab.injectFault({ target: 'logs', kind: 'missing-table', match: { table: 'AZFWFlowTrace' } });
    estate.lab.injectFault({ target: 'networkWatcher', kind: 'forbidden' });
    estate.lab.injectFault({ target: 'packetCapture', kind: 'server-error', status: 502 });
    const verdict = await verdictOf(NAMED);
    const reasons = new Set(newGaps(verdict).map((gap) => `${gap.source}:${gap.reason}`));
    expect(reasons).toEqual(new Set([
      'NTANetAnalytics:throttled', 'AZFWFlowTrace:not-enabled', 'packetCaptures:failed',
      ...NETWORK_WATCHER_SOURCES.map((source) => `${source}:no-permission`),
    ]));
    // The firewall's own deny row is untouched, so the cause stands.
    expect(verdict.cause).toBe('firewall_deny');
  });
});

describe('retries, counted at the lab', () => {
  it('throttled and 5xx calls are tried 1 + maxRetries times, forbidden ones once', async () => {
    estate.lab.injectFault({ target: 'logs', kind: 'throttle', retryAfterInSeconds: 0 });
    await verdictOf(NAMED);
    const throttled = estate.calls().filter(isLogQuery);
    expect(new Set(attempts(throttled))).toEqual(new Set([1 + LAB_RETRY.maxRetries]));

    estate.reset();
    estate.lab.injectFault({ target: 'networkWatcher', kind: 'server-error', status: 503 });
    await verdictOf(NAMED);
    expect(new Set(attempts(estate.calls().filter(isNetworkWatcher)))).toEqual(new Set([1 + LAB_RETRY.maxRetries]));

    estate.reset();
    estate.lab.injectFault({ target: 'all', kind: 'forbidden' });
    await verdictOf(BY_ADDRESS);
    // Nothing is retried, and the estate is read once: the plan after the topology step gets the failed read from
    // memory (a failed read is kept 15 s), where it used to read a forbidden Resource Graph a second time.
    const graph = (request: RecordedRequest) => /Microsoft\.ResourceGraph/i.test(request.url);
    expect(new Set(attempts(estate.calls().filter((request) => !graph(request))))).toEqual(new Set([1]));
    expect(attempts(estate.calls().filter(graph))).toEqual([1]);
  });

  it('a throttle that clears within the retries costs one extra request and leaves no gap', async () => {
    const before = estate.proxy.requests.length;
    await verdictOf(NAMED);
    const plain = estate.proxy.requests.length - before;
    estate.reset();
    estate.lab.injectFault({ target: 'logs', kind: 'throttle', retryAfterInSeconds: 0, times: 1, match: { table: 'NTANetAnalytics' } });
    const verdict = await verdictOf(NAMED);
    expect(newGaps(verdict)).toEqual([]);
    expect(estate.proxy.requests.length - before - plain).toBe(plain + 1);
  });

  it('Retry-After is honoured: a 60 s Retry-After means no second try within the 1.5 s budget', async () => {
    // An SDK that ignored Retry-After would come back after its 200 ms backoff, three times per call.
    estate.lab.injectFault({ target: 'networkWatcher', kind: 'throttle', retryAfterInSeconds: 60 });
    const verdict = await verdictOf(NAMED);
    const calls = estate.calls().filter(isNetworkWatcher);
    expect(calls.length).toBeGreaterThan(0);
    expect(new Set(attempts(calls))).toEqual(new Set([1]));
    for (const source of NETWORK_WATCHER_SOURCES) expect(verdict.gaps).toContainEqual(expect.objectContaining({ source, reason: 'timeout' }));
  });

  it('once a source times out, its calls stop: no retry reaches the lab after the answer', async () => {
    // Found by this test: LogsQueryClient.queryWorkspace drops its abortSignal option, and a query queued
    // behind the concurrency limit started after its source had given up with no deadline at all; each
    // went on being retried (three 504s) after the answer was out.
    estate.lab.injectFault({ target: 'logs', kind: 'timeout', latencyInMs: 20_000 });
    await verdictOf(NAMED);
    const atAnswer = estate.calls().filter(isLogQuery).length;
    // Longer than the lab's own `Prefer: wait` answer (ceil(1.5 s) = 2 s) plus the SDK's first retry delay.
    await new Promise((resolve) => setTimeout(resolve, 2_000 + 800));
    const later = estate.calls().filter(isLogQuery);
    expect(later.length).toBe(atAnswer);
    expect(new Set(attempts(later))).toEqual(new Set([1]));
  });
});
