/**
 * The investigation: a plan of which evidence sources apply to a question, run in
 * parallel with a timeout per source. A source that fails, times out, is not
 * enabled or is forbidden becomes a gap; the answer still comes. Evidence ids are
 * assigned in plan order (and each source's own row order), never in the order
 * answers arrive, so the same inputs give the same verdict byte for byte.
 */
import { setMaxListeners } from 'node:events';
import type { Evidence, Gap, Topology } from '../domain/index.js';
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
