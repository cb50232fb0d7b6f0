/**
 * The investigation: a plan of which evidence sources apply to a question, run in
 * parallel with a timeout per source. A source that fails, times out, is not
 * enabled or is forbidden becomes a gap; the answer still comes. Evidence ids are
 * assigned in plan order (and each source's own row order), never in the order
 * answers arrive, so the same inputs give the same verdict byte for byte.
 */
import { setMaxListeners } from 'node:events';
import { sameResourceId, type Evidence, type Gap, type Topology } from '../domain/index.js';
import { anyPrefixContains, sameIp } from '../domain/net.js';
import { logRowNames, SITE_ACTIVITY_SOURCE, SITE_FIREWALL_KINDS, SITE_HOSTS_PER_SOURCE, siteOf } from '../rules/index.js';
import type { PlacedEndpoint } from './endpoints.js';
import type { EvidenceDraft, EvidenceSources, FlowSelector, SourceOutcome, SourceTiming } from './ports.js';

/** One step of the plan. */
export interface PlanStep {
  /** Stable name, e.g. `firewallLogs`, `effectiveRoutes:<nic>`. */
  name: string;
  /** The source named in a gap if the step fails as a whole. */
  source: string;
  run(signal: AbortSignal): Promise<SourceOutcome>;
}

/** The placed endpoints and the flow a plan is made for. */
export interface PlanInput {
  flow: FlowSelector;
  source: PlacedEndpoint;
  destination: PlacedEndpoint;
  topology: Topology;
}

/** Log tables whose freshness decides whether absence in the window means anything. */
function freshnessTables(input: PlanInput): string[] {
  const tables = ['NTANetAnalytics'];
  if (input.topology.firewalls.length > 0) tables.unshift('AZFWNetworkRule');
  if (input.destination.kind === 'keyVault') tables.push('AZKVAuditLogs');
  return tables;
}

/** Decides which sources apply to the question, in a fixed order. */
export function planInvestigation(input: PlanInput, sources: EvidenceSources): PlanStep[] {
  const { flow, source, destination, topology } = input;
  const steps: PlanStep[] = [];
  const add = (name: string, sourceName: string, run: (signal: AbortSignal) => Promise<SourceOutcome>) => steps.push({ name, source: sourceName, run });

  // Firewall logs only where a firewall exists to be on a path.
  if (topology.firewalls.length > 0) add('firewallLogs', 'AZFWNetworkRule', (signal) => sources.firewallLogs(flow, signal));
  add('flowLogs', 'NTANetAnalytics', (signal) => sources.flowLogs(flow, signal));
  add('freshness', 'ingestion', (signal) => sources.freshness(freshnessTables(input), signal));
  if (destination.kind === 'keyVault' && destination.resourceId) {
    const vaultId = destination.resourceId;
    add('keyVaultLogs', 'AZKVAuditLogs', (signal) => sources.keyVaultLogs(vaultId, flow, signal));
  }
  // Gateway evidence only for on-prem endpoints.
  for (const endpoint of [source, destination]) {
    if (endpoint.kind === 'remoteSite' && endpoint.gatewayId) {
      const gatewayId = endpoint.gatewayId;
      add(`gateway:${gatewayId}`, 'virtualNetworkGateway', (signal) => sources.gateway(gatewayId, flow, signal));
    }
  }
  for (const endpoint of [source, destination]) {
    const nicId = endpoint.networkInterfaceId;
    if (!nicId || endpoint.kind !== 'virtualMachine') continue;
    add(`effectiveRoutes:${nicId}`, 'effectiveRoutes', (signal) => sources.effectiveRoutes(nicId, signal));
    add(`effectiveSecurityRules:${nicId}`, 'effectiveSecurityRules', (signal) => sources.effectiveSecurityRules(nicId, signal));
  }
  // Next hop both ways: the forward path from the source, the return path from the destination.
  if (source.kind === 'virtualMachine' && source.virtualMachineId && source.networkInterfaceId && source.ip && flow.destinationIp) {
    const { virtualMachineId, networkInterfaceId, ip } = source;
    const destinationIp = flow.destinationIp;
    add('nextHop:forward', 'nextHop', (signal) => sources.nextHop(virtualMachineId, networkInterfaceId, ip, destinationIp, signal));
  }
  if (destination.kind === 'virtualMachine' && destination.virtualMachineId && destination.networkInterfaceId && destination.ip && flow.sourceIp) {
    const { virtualMachineId, networkInterfaceId, ip } = destination;
    const sourceIp = flow.sourceIp;
    add('nextHop:return', 'nextHop', (signal) => sources.nextHop(virtualMachineId, networkInterfaceId, ip, sourceIp, signal));
  }
  const transport: 'TCP' | 'UDP' | null = flow.protocol === 'udp' ? 'UDP' : flow.protocol === 'tcp' || flow.protocol === 'any' ? 'TCP' : null;
  if (destination.kind === 'virtualMachine' && destination.virtualMachineId && destination.ip && flow.sourceIp && flow.port !== null && transport) {
    const request = { vmId: destination.virtualMachineId, direction: 'Inbound' as const, protocol: transport, localIp: destination.ip, localPort: String(flow.port), remoteIp: flow.sourceIp, remotePort: '*' };
    add('ipFlowVerify:inbound', 'ipFlowVerify', (signal) => sources.ipFlowVerify(request, signal));
  }
  // The address when the question gives one; else the name, which Network Watcher resolves from the source VM.
  const probeTarget = flow.destinationIp ?? flow.destinationFqdn;
  if (source.kind === 'virtualMachine' && source.virtualMachineId && probeTarget) {
    const request = {
      sourceVmId: source.virtualMachineId,
      destinationAddress: probeTarget,
      port: flow.port,
      protocol: flow.protocol === 'icmp' ? ('Icmp' as const) : ('Tcp' as const),
    };
    add('connectivityCheck', 'connectivityCheck', (signal) => sources.connectivityCheck(request, signal));
  }
  // Captures only where one exists: finished captures on the VMs of the flow.
  for (const endpoint of [destination, source]) {
    if (endpoint.kind === 'virtualMachine' && endpoint.virtualMachineId) {
      const vmId = endpoint.virtualMachineId;
      add(`captures:${vmId}`, 'packetCapture', (signal) => sources.existingCaptures(vmId, signal));
    }
  }
  return steps;
}

/**
 * Rows of other hosts of the site to the target, one per host and log source (the earliest: the adapters
 * order rows by time), at most SITE_HOSTS_PER_SOURCE hosts each; firewall rows only of the kinds that
 * record an initiated flow (SITE_FIREWALL_KINDS).
 */
function siteRows(drafts: readonly EvidenceDraft[], site: string, target: string, sourceIp: string): EvidenceDraft[] {
  const hosts = { 'firewall-log': new Set<string>(), 'flow-log': new Set<string>() };
  return drafts.filter((draft) => {
    if (draft.kind !== 'firewall-log' && draft.kind !== 'flow-log') return false;
    if (draft.kind === 'firewall-log' && !SITE_FIREWALL_KINDS.includes(draft.data.kind)) return false;
    const host = draft.data.sourceIp;
    if (host === null || sameIp(host, sourceIp) || !anyPrefixContains([site], host) || !anyPrefixContains([target], draft.data.destinationIp)) return false;
    const seen = hosts[draft.kind];
    if (seen.has(host.toLowerCase()) || seen.size >= SITE_HOSTS_PER_SOURCE) return false;
    seen.add(host.toLowerCase());
    return true;
  });
}

const gapKey = (gap: Gap) => `${gap.source.toLowerCase()}|${gap.reason}`;

/**
 * The follow-up of a plan whose logs hold no row of a flow from an on-premises source: the same window's
 * rows of other hosts of the source's site (its connection's prefix holding it, else its /24) to the
 * destination on any port, else to the destination's VNet. They are the positive half of "no packets from
 * the source": the site's traffic does cross the same connection into the logs. Addresses come from the
 * estate and the question's validated addresses, never from text; the adapters validate them again. A gap
 * the plan already reported (a table not enabled) is not repeated; any other failure is a gap of its own.
 */
export function planSiteActivity(input: PlanInput, earlier: readonly SourceOutcome[], sources: EvidenceSources): PlanStep[] {
  const { flow, source, destination, topology } = input;
  const sourceIp = flow.sourceIp;
  const destinationIp = flow.destinationIp;
  // An address of a remote site: behind a connection's prefixes, or only in the gateway's learned ones.
  if ((source.kind !== 'remoteSite' && source.kind !== 'external') || sourceIp === null || destinationIp === null) return [];
  if (earlier.some((outcome) => outcome.evidence.some((draft) => logRowNames(draft, sourceIp)))) return [];
  const site = siteOf(topology, sourceIp);
  if (site === null) return [];
  const network = topology.virtualNetworks.find((candidate) => sameResourceId(candidate.id, destination.virtualNetworkId));
  const targets = [destinationIp, ...(network?.addressPrefixes ?? [])];
  const reported = new Set(earlier.flatMap((outcome) => outcome.gaps).map(gapKey));
  return [{
    name: 'siteActivity',
    source: SITE_ACTIVITY_SOURCE,
    async run(signal) {
      const failures = new Map<string, Gap>();
      const outcomeOf = (evidence: EvidenceDraft[]): SourceOutcome => ({
        evidence,
        gaps: [...failures.values()].map((gap) => ({ source: SITE_ACTIVITY_SOURCE, reason: gap.reason, detail: `${gap.source}: ${gap.detail}` })),
      });
      for (const target of targets) {
        const selector: FlowSelector = { sourceIp: site, destinationIp: target, destinationFqdn: null, protocol: 'any', port: null, window: flow.window };
        const outcomes = await Promise.all([
          ...(topology.firewalls.length > 0 ? [sources.firewallLogs(selector, signal)] : []),
          sources.flowLogs(selector, signal),
        ]);
        for (const gap of outcomes.flatMap((outcome) => outcome.gaps)) {
          if (!reported.has(gapKey(gap)) && !failures.has(gapKey(gap))) failures.set(gapKey(gap), gap);
        }
        const rows = siteRows(outcomes.flatMap((outcome) => outcome.evidence), site, target, sourceIp);
        if (rows.length > 0) return outcomeOf(rows);
      }
      return outcomeOf([]);
    },
  }];
}

/** Options of a run. */
export interface RunOptions {
  sourceTimeoutInMs: number;
  /** Monotonic milliseconds, for timings only (never part of the verdict). */
  monotonicNow: () => number;
}

/** The outcome of a run, in plan order. */
export interface RunResult {
  outcomes: SourceOutcome[];
  timings: SourceTiming[];
}

/** Runs every step at once, each bounded by its own timeout; failures become gaps. */
export async function runPlan(steps: PlanStep[], options: RunOptions): Promise<RunResult> {
  const timings: SourceTiming[] = new Array(steps.length);
  const outcomes = await Promise.all(steps.map(async (step, index) => {
    const started = options.monotonicNow();
    const controller = new AbortController();
    // One source fans out into many requests (a query per table and workspace), each listening for the abort.
    setMaxListeners(64, controller.signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => { controller.abort(); resolve('timeout'); }, options.sourceTimeoutInMs);
    });
    try {
      const result = await Promise.race([step.run(controller.signal), timeout]);
      if (result === 'timeout') {
        timings[index] = { step: step.name, durationInMs: options.monotonicNow() - started, outcome: 'timeout' };
        return { evidence: [], gaps: [{ source: step.source, reason: 'timeout', detail: `no answer within ${options.sourceTimeoutInMs} ms` } satisfies Gap] };
      }
      timings[index] = { step: step.name, durationInMs: options.monotonicNow() - started, outcome: result.gaps.length > 0 && result.evidence.length === 0 ? 'gap' : 'ok' };
      return result;
    } catch (error) {
      // Adapters map Azure failures to gaps themselves; anything thrown here is unexpected, yet the answer still comes.
      timings[index] = { step: step.name, durationInMs: options.monotonicNow() - started, outcome: 'gap' };
      return { evidence: [], gaps: [{ source: step.source, reason: 'failed', detail: error instanceof Error ? error.message : String(error) } satisfies Gap] };
    } finally {
      clearTimeout(timer);
    }
  }));
  return { outcomes, timings };
}

/** Numbers evidence drafts `e1`, `e2`, ... in the order given. */
export function numberEvidence(drafts: EvidenceDraft[], firstIndex = 1): Evidence[] {
  return drafts.map((draft, index) => ({ ...draft, id: `e${firstIndex + index}` }) as Evidence);
}
