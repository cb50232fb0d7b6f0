/**
 * The investigation's follow-up for a flow from a remote site that no log shows: the rows of other
 * hosts of the site in the same window. With plain sources: when it runs, what it asks (the site's
 * prefix to the destination on any port, then the destination's VNet), how it bounds the rows and
 * how its failures become gaps. Against the lab: the rdp-remote-site question cites them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Gap } from '../../src/domain/index.js';
import { placeEndpoint } from '../../src/diagnose/endpoints.js';
import { planSiteActivity, runPlan, type PlanInput } from '../../src/diagnose/investigate.js';
import type { EvidenceDraft, EvidenceSources, FlowSelector, SourceOutcome } from '../../src/diagnose/ports.js';
import type { Runtime } from '../../src/main.js';
import { listBuiltInScenarios } from '../../src/lab/index.js';
import { SITE_ACTIVITY_SOURCE, SITE_HOSTS_PER_SOURCE } from '../../src/rules/index.js';
import { IP, ID, WINDOW, estate, firewallLog, flowLog } from '../rules/builder.js';
import { estateOf, scenarioRuntime } from '../support/scenario-runtime.js';

const topology = estate();
const window = { start: new Date(WINDOW.start), end: new Date(WINDOW.end) };

function planInput(sourceIp: string): PlanInput {
  const flow: FlowSelector = { sourceIp, destinationIp: IP.app, destinationFqdn: null, protocol: 'tcp', port: 3389, window };
  return {
    flow, topology,
    source: placeEndpoint(topology, { ip: sourceIp, name: null, resourceId: null }),
    destination: placeEndpoint(topology, { ip: IP.app, name: null, resourceId: ID.appVm }),
  };
}

const row = (draft: ReturnType<typeof firewallLog>): EvidenceDraft => ({ source: 'AZFWNetworkRule', query: 'q', summary: 's', ...draft }) as EvidenceDraft;
const flowRow = (draft: ReturnType<typeof flowLog>): EvidenceDraft => ({ source: 'NTANetAnalytics', query: 'q', summary: 's', ...draft }) as EvidenceDraft;

/** Sources that answer the site's queries from a function of the selector, and record what was asked. */
function fakeSources(answer: (kind: 'firewall' | 'flow', flow: FlowSelector) => SourceOutcome | Promise<SourceOutcome>) {
  const asked: { kind: string; flow: FlowSelector }[] = [];
  const unexpected = () => Promise.reject(new Error('not part of the follow-up'));
  const sources = {
    topology: unexpected, freshness: unexpected, keyVaultLogs: unexpected, gateway: unexpected, nextHop: unexpected, effectiveRoutes: unexpected,
    effectiveSecurityRules: unexpected, ipFlowVerify: unexpected, connectivityCheck: unexpected, existingCaptures: unexpected,
    firewallLogs: async (flow: FlowSelector) => { asked.push({ kind: 'firewall', flow }); return answer('firewall', flow); },
    flowLogs: async (flow: FlowSelector) => { asked.push({ kind: 'flow', flow }); return answer('flow', flow); },
  } as EvidenceSources;
  return { sources, asked };
}

const runOptions = { sourceTimeoutInMs: 5_000, monotonicNow: () => 0 };
const nothing: SourceOutcome = { evidence: [], gaps: [] };

describe('planSiteActivity', () => {
  it.each<[string, string, SourceOutcome[]]>([
    ['an Azure source', IP.data, [nothing]],
    ['a flow some log already shows', IP.branchHost, [{ evidence: [row(firewallLog({ destinationPort: 443 }))], gaps: [] }]],
  ])('plans nothing for %s', (_description, sourceIp, earlier) => {
    const { sources } = fakeSources(() => nothing);
    expect(planSiteActivity(planInput(sourceIp), earlier, sources)).toEqual([]);
  });

  it('asks for the site prefix to the destination on any port, and stops there when it has rows', async () => {
    const { sources, asked } = fakeSources((kind) => ({
      evidence: kind === 'firewall'
        ? [row(firewallLog({ sourceIp: IP.branchHost })), row(firewallLog({ sourceIp: IP.branchNeighbour, destinationPort: 443 })), row(firewallLog({ sourceIp: IP.branchNeighbour, destinationPort: 443 }))]
        : [flowRow(flowLog({ sourceIp: IP.branchNeighbour, destinationPort: 443 }))],
      gaps: [],
    }));
    const steps = planSiteActivity(planInput(IP.branchHost), [nothing], sources);
    expect(steps.map((step) => step.source)).toEqual([SITE_ACTIVITY_SOURCE]);
    const { outcomes } = await runPlan(steps, runOptions);
    expect(asked).toEqual([
      { kind: 'firewall', flow: { sourceIp: '192.168.0.0/16', destinationIp: IP.app, destinationFqdn: null, protocol: 'any', port: null, window } },
      { kind: 'flow', flow: { sourceIp: '192.168.0.0/16', destinationIp: IP.app, destinationFqdn: null, protocol: 'any', port: null, window } },
    ]);
    // The source's own row is not the site's; one row per host and log source.
    expect(outcomes[0]?.evidence.map((draft) => `${draft.kind} ${draft.kind === 'firewall-log' || draft.kind === 'flow-log' ? draft.data.sourceIp : ''}`))
      .toEqual([`firewall-log ${IP.branchNeighbour}`, `flow-log ${IP.branchNeighbour}`]);
  });

  it('then the destination\'s VNet, and keeps at most SITE_HOSTS_PER_SOURCE hosts', async () => {
    const many = Array.from({ length: SITE_HOSTS_PER_SOURCE + 5 }, (_unused, index) => row(firewallLog({ sourceIp: `192.168.20.${index + 1}`, destinationIp: IP.endpoint })));
    const { sources, asked } = fakeSources((kind, flow) => (kind === 'firewall' && flow.destinationIp === '10.201.0.0/16' ? { evidence: many, gaps: [] } : nothing));
    const { outcomes } = await runPlan(planSiteActivity(planInput(IP.branchHost), [nothing], sources), runOptions);
    expect(asked.map((entry) => `${entry.kind} ${entry.flow.destinationIp}`)).toEqual([`firewall ${IP.app}`, `flow ${IP.app}`, 'firewall 10.201.0.0/16', 'flow 10.201.0.0/16']);
    expect(outcomes[0]?.evidence).toHaveLength(SITE_HOSTS_PER_SOURCE);
  });

  it('reports a failure as a gap of its own, and not what the plan already reported', async () => {
    const reported: Gap = { source: 'AZFWNatRule', reason: 'not-enabled', detail: 'table AZFWNatRule does not exist' };
    const { sources } = fakeSources((kind) => (kind === 'firewall'
      ? { evidence: [], gaps: [reported, { source: 'Azure Firewall logs', reason: 'throttled', detail: '429' }] }
      : nothing));
    const { outcomes } = await runPlan(planSiteActivity(planInput(IP.branchHost), [{ evidence: [], gaps: [reported] }], sources), runOptions);
    expect(outcomes[0]).toEqual({ evidence: [], gaps: [{ source: SITE_ACTIVITY_SOURCE, reason: 'throttled', detail: 'Azure Firewall logs: 429' }] });
  });

  it('a source that never answers is a timeout gap of the site query', async () => {
    const { sources } = fakeSources(() => new Promise<SourceOutcome>(() => undefined));
    const { outcomes } = await runPlan(planSiteActivity(planInput(IP.branchHost), [nothing], sources), { ...runOptions, sourceTimeoutInMs: 20 });
    expect(outcomes[0]?.gaps).toEqual([{ source: SITE_ACTIVITY_SOURCE, reason: 'timeout', detail: 'no answer within 20 ms' }]);
  });
});

describe('against the lab: the remote site blocks RDP', () => {
  const directory = listBuiltInScenarios().find((candidate) => candidate.endsWith('rdp-remote-site'))!;
  let runtime: Runtime;
  // The teardown beforeAll returns closes the lab after the last test.
  beforeAll(async () => {
    runtime = await scenarioRuntime([directory]);
    return () => runtime.close();
  }, 120_000);

  it('cites rows of other hosts of the branch in the window, none of the source', async () => {
    const outcome = await estateOf(runtime, directory).diagnose({ text: 'why can\'t 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?' });
    if (outcome.kind !== 'verdict') throw new Error(outcome.message);
    const { verdict, timings } = outcome;
    expect(verdict.cause).toBe('no_packets_from_source');
    expect(timings.map((timing) => timing.step)).toContain('siteActivity');
    const finding = verdict.findings.find((candidate) => candidate.code === 'no_packets_from_source')!;
    const cited = verdict.evidence.filter((item) => finding.evidence.includes(item.id) && (item.source === 'AZFWNetworkRule' || item.source === 'NTANetAnalytics') && 'sourceIp' in item.data);
    const hosts = new Set(cited.map((item) => String(item.data.sourceIp)));
    expect(hosts.size).toBeGreaterThan(1);
    expect(hosts).not.toContain('192.168.10.5');
    for (const host of hosts) expect(host).toMatch(/^192\.168\./);
    expect(finding.summary).toContain(`${hosts.size} other hosts of the same site (192.168.0.0/16`);
    expect(finding.summary).toMatch(/e\.g\. 192\.168\.\d+\.\d+ -> 10\.201\.1\.4:\d+ Allow at .* by rule /);
    expect(verdict.gaps.map((gap) => gap.source)).not.toContain(SITE_ACTIVITY_SOURCE);
  });
});
