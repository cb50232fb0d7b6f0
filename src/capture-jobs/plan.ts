/**
 * Capture plans, deterministically: from a chat message ("capture traffic from
 * 192.168.10.5 to vm-app01 on 3389 for 2 minutes"), from a verdict's flow (the card's
 * "Prove it with a capture") or from the LLM tool's pending request. The flow comes from
 * `parseQuestion`; this file adds the duration and size limits, picks the target (the
 * destination VM or scale set, else the source VM, else for on-premises flows the VPN
 * gateway), its region's Network Watcher, the storage account and the filters.
 *
 * Choices:
 * - The duration defaults to, and is capped at, the configured limit (NETPROOF_LIMITS_CAPTURE_SECONDS);
 *   a longer ask is cut to the limit and the card says so. Bytes likewise (NETPROOF_LIMITS_CAPTURE_BYTES).
 * - Whole packets are captured (no `bytesToCapturePerPacket`): the TLS and TCP analysis needs them.
 * - Storage: NETPROOF_CAPTURE_STORAGE_ID when set, else the target region's first storage account
 *   by name (the card says which and why). The file goes to container `netproof-captures`.
 * - A target without the Network Watcher agent extension is refused before anything is asked,
 *   with the command that installs it.
 */
import type { CaptureStorageAccount, Estate } from '../azure/index.js';
import { knownNames } from '../diagnose/diagnose.js';
import { parseQuestion, type ParsedQuestion } from '../diagnose/question.js';
import { sameResourceId, type Topology, type Verdict } from '../domain/index.js';
import { ipv4PrefixContains } from '../domain/net.js';
import type { CaptureFailureCode, CaptureFilter, CapturePlan } from './job.js';

/** The limits a plan honours. */
export interface CaptureLimits {
  /** Longest capture, seconds (also the default). */
  maxDurationInSeconds: number;
  /** Most bytes one capture writes (also the default). */
  maxBytes: number;
}

/** What planning needs besides the request. */
export interface PlanContext {
  estate: Estate;
  /** Storage accounts of the estate (by name), for when none is configured. */
  storageAccounts: readonly CaptureStorageAccount[];
  now: Date;
  limits: CaptureLimits;
  /** NETPROOF_CAPTURE_STORAGE_ID, when set. */
  storageId?: string | null;
  /** The job id the capture and file are named after. */
  jobId: string;
  timeZone?: string;
}

/** A plan, or why there cannot be one (with what to do). */
export type PlanOutcome =
  | { kind: 'plan'; plan: CapturePlan }
  | { kind: 'refused'; code: CaptureFailureCode | 'not-understood' | 'no-target'; message: string; whatToDo: string };

/** The flow to capture, however it was asked. */
export interface CaptureFlow {
  source: { ip: string | null; name: string | null; resourceId: string | null };
  destination: { ip: string | null; name: string | null; resourceId: string | null };
  protocol: string;
  port: number | null;
  /** The question to diagnose again afterwards. */
  question: string;
  durationInSeconds?: number | null;
  bytes?: number | null;
  /** Capture at the VPN gateway (on-premises flows). */
  atGateway?: boolean;
}

/** The container capture files are written to. */
export const CAPTURE_CONTAINER = 'netproof-captures';

const UNITS: Record<string, number> = { s: 1, sec: 1, secs: 1, second: 1, seconds: 1, m: 60, min: 60, mins: 60, minute: 60, minutes: 60, h: 3600, hr: 3600, hour: 3600, hours: 3600 };

/** "for 2 minutes", "for 90s", "for an hour" -> seconds; null when the text gives no duration. */
export function readDuration(text: string): number | null {
  const match = /\bfor\s+(an?|\d{1,5}(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b/iu.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const count = /^an?$/i.test(match[1]) ? 1 : Number(match[1]);
  const unit = UNITS[match[2].toLowerCase()] ?? (/^h/i.test(match[2]) ? 3600 : /^m/i.test(match[2]) ? 60 : 1);
  return Math.round(count * unit);
}

/** "up to 50 MB", "max 1 GB", "200 MiB" -> bytes; null when the text gives no size. */
export function readBytes(text: string): number | null {
  const match = /\b(\d{1,7}(?:\.\d+)?)\s*(kb|kib|mb|mib|gb|gib)\b/iu.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const unit = match[2].toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : 1024 ** 3;
  return Math.round(Number(match[1]) * factor);
}

/** True when a message asks for a packet capture ("capture traffic from ...", "start a packet capture ..."). */
export function isCaptureRequest(text: string): boolean {
  return /^\s*(?:please\s+)?(?:capture\b|(?:start|run|take)\s+(?:a\s+)?(?:packet\s+)?capture\b)/iu.test(text);
}

/** True when a message asks to stop the running capture ("stop the capture", "stop capturing"). */
export function isStopRequest(text: string): boolean {
  return /^\s*(?:please\s+)?(?:stop|end|cancel)\s+(?:the\s+|this\s+|that\s+)?(?:packet\s+)?captur(?:e|ing)\b/iu.test(text);
}

/** A plan from a chat message. */
export function planFromText(text: string, context: PlanContext): PlanOutcome {
  const parsed = parseQuestion(text, { now: context.now, names: knownNames(context.estate.topology), ...(context.timeZone ? { timeZone: context.timeZone } : {}) });
  if (parsed.kind === 'clarify') return { kind: 'refused', code: 'not-understood', message: parsed.message, whatToDo: 'Say what to capture, e.g. "capture traffic from 192.168.10.5 to vm-app01 on 3389 for 2 minutes".' };
  return planFromFlow({
    ...flowOfQuestion(parsed.question),
    durationInSeconds: readDuration(text),
    bytes: readBytes(text),
    atGateway: /\b(?:vpn|gateway|on-?prem(?:ises)?\s+side)\b/iu.test(text),
  }, context);
}

function flowOfQuestion(question: ParsedQuestion | Verdict['question']): CaptureFlow {
  const endpoint = (side: ParsedQuestion['source']) => ({ ip: side.ip, name: side.name, resourceId: side.resourceId });
  const describe = (side: ParsedQuestion['source']) => side.name ?? side.ip ?? 'unknown';
  const port = question.port !== null ? ` on ${question.protocol === 'udp' ? 'UDP' : 'TCP'} port ${question.port}` : '';
  return {
    source: endpoint(question.source as ParsedQuestion['source']),
    destination: endpoint(question.destination as ParsedQuestion['source']),
    protocol: question.protocol,
    port: question.port,
    question: `why can't ${describe(question.source as ParsedQuestion['source'])} reach ${describe(question.destination as ParsedQuestion['source'])}${port}?`,
  };
}

/** A plan from a verdict's flow ("Prove it with a capture"). */
export function planFromVerdict(verdict: Verdict, context: PlanContext): PlanOutcome {
  return planFromFlow({ ...flowOfQuestion(verdict.question), question: verdict.question.text }, context);
}

/** The LLM tool's pending request (tools/start-packet-capture.ts), as far as a plan needs it. */
export interface ToolCaptureRequest {
  virtualMachineId: string;
  virtualMachineName: string;
  durationInSeconds: number;
  maxBytes: number;
  filters: Array<{ protocol: 'TCP' | 'UDP' | 'Any'; localIp: string | null; remoteIp: string | null; localPort: number | null; remotePort: number | null }>;
}

/** A plan from the LLM tool's request: its VM, duration and filters. */
export function planFromToolRequest(request: ToolCaptureRequest, question: string, context: PlanContext): PlanOutcome {
  const filter = request.filters[0];
  const outcome = planFromFlow({
    source: { ip: filter?.remoteIp ?? null, name: null, resourceId: null },
    destination: { ip: filter?.localIp ?? null, name: request.virtualMachineName, resourceId: request.virtualMachineId },
    protocol: filter?.protocol === 'UDP' ? 'udp' : filter?.protocol === 'TCP' ? 'tcp' : 'any',
    port: filter?.localPort ?? null,
    question,
    durationInSeconds: request.durationInSeconds,
    bytes: request.maxBytes,
  }, context);
  if (outcome.kind !== 'plan') return outcome;
  const filters = request.filters.map((item): CaptureFilter => ({
    protocol: item.protocol,
    ...(item.localIp ? { localIPAddress: item.localIp } : {}),
    ...(item.remoteIp ? { remoteIPAddress: item.remoteIp } : {}),
    ...(item.localPort !== null ? { localPort: String(item.localPort) } : {}),
    ...(item.remotePort !== null ? { remotePort: String(item.remotePort) } : {}),
  }));
  return { kind: 'plan', plan: { ...outcome.plan, filters } };
}

function vmOf(topology: Topology, resourceId: string | null) {
  return resourceId ? topology.virtualMachines.find((machine) => sameResourceId(machine.id, resourceId)) : undefined;
}

function hasAgent(extensions: readonly string[]): boolean {
  return extensions.some((extension) => /^NetworkWatcherAgent|^AzureNetworkWatcherExtension$/i.test(extension));
}

function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '<resource group>';
}

function inPrefix(ip: string, prefix: string): boolean {
  return ipv4PrefixContains(prefix, ip) === true;
}

function pickStorage(accounts: readonly CaptureStorageAccount[], region: string, configured: string | null | undefined, captureName: string, kind: CapturePlan['kind']):
  { storage: CapturePlan['storage'] } | { refused: PlanOutcome } {
  const pathFor = (account: string) => kind === 'network-watcher'
    ? `https://${account}.blob.core.windows.net/${CAPTURE_CONTAINER}/${captureName}.cap`
    : `https://${account}.blob.core.windows.net/${CAPTURE_CONTAINER}/${captureName}/`;
  if (configured) {
    const account = /\/storageAccounts\/([^/]+)$/i.exec(configured)?.[1]?.toLowerCase();
    if (!account) throw new Error(`NETPROOF_CAPTURE_STORAGE_ID is not a storage account resource id: ${configured}`);
    return { storage: { storageId: configured, accountName: account, chosenBy: 'configured', storagePath: pathFor(account) } };
  }
  const first = [...accounts].filter((account) => account.location.toLowerCase() === region.toLowerCase()).sort((left, right) => left.name.localeCompare(right.name))[0];
  if (!first) {
    return { refused: { kind: 'refused', code: 'no-storage', message: `No storage account is configured for captures and none exists in ${region}.`, whatToDo: 'Set NETPROOF_CAPTURE_STORAGE_ID to a storage account in the target region (Network Watcher writes the capture file there).' } };
  }
  const account = first.name.toLowerCase();
  return { storage: { storageId: first.id, accountName: account, chosenBy: 'region', storagePath: pathFor(account) } };
}

/** The gateway capture `filterData` (a JSON string, as the gateway takes it). */
export function gatewayFilterData(flow: CaptureFlow, totalBytes: number): string {
  const filter: Record<string, unknown> = {};
  if (flow.source.ip) filter.SourceSubnets = [`${flow.source.ip}/32`];
  if (flow.destination.ip) filter.DestinationSubnets = [`${flow.destination.ip}/32`];
  if (flow.port !== null) filter.DestinationPort = [flow.port];
  if (flow.protocol === 'tcp') filter.Protocol = 6;
  if (flow.protocol === 'udp') filter.Protocol = 17;
  return JSON.stringify({ TracingFlags: 11, MaxPacketBufferSize: 1500, MaxFileSize: Math.max(1, Math.ceil(totalBytes / 1024 ** 2)), Filters: [filter] });
}

/** A plan from a flow: target, Network Watcher, storage, limits, filters. */
export function planFromFlow(flow: CaptureFlow, context: PlanContext): PlanOutcome {
  const { topology } = context.estate;
  const notes: string[] = [];
  const { maxDurationInSeconds, maxBytes } = context.limits;
  let durationInSeconds = flow.durationInSeconds ?? maxDurationInSeconds;
  if (durationInSeconds > maxDurationInSeconds) {
    notes.push(`Asked for ${durationInSeconds} s; captures last at most ${maxDurationInSeconds} s here (NETPROOF_LIMITS_CAPTURE_SECONDS).`);
    durationInSeconds = maxDurationInSeconds;
  }
  durationInSeconds = Math.max(10, durationInSeconds);
  let totalBytes = flow.bytes ?? maxBytes;
  if (totalBytes > maxBytes) {
    notes.push(`Asked for ${totalBytes} bytes; a capture writes at most ${maxBytes} bytes here (NETPROOF_LIMITS_CAPTURE_BYTES).`);
    totalBytes = maxBytes;
  }
  const captureName = `netproof-${context.jobId}`;
  const protocol: CaptureFilter['protocol'] = flow.protocol === 'tcp' ? 'TCP' : flow.protocol === 'udp' ? 'UDP' : 'Any';

  const destinationVm = vmOf(topology, flow.destination.resourceId);
  const sourceVm = vmOf(topology, flow.source.resourceId);
  const onPremises = [flow.source.ip, flow.destination.ip].some((ip) => ip !== null
    && topology.connections.some((connection) => connection.remotePrefixes.some((prefix) => inPrefix(ip, prefix))));

  if (flow.atGateway || (!destinationVm && !sourceVm && onPremises)) {
    const connection = topology.connections.find((candidate) => [flow.source.ip, flow.destination.ip]
      .some((ip) => ip !== null && candidate.remotePrefixes.some((prefix) => inPrefix(ip, prefix))));
    const gateway = topology.gateways.find((candidate) => sameResourceId(candidate.id, connection?.gatewayId))
      ?? (flow.atGateway && topology.gateways.length === 1 ? topology.gateways[0] : undefined);
    if (!gateway) {
      return { kind: 'refused', code: 'no-target', message: 'Neither end of this flow is reached through a VPN gateway I know.', whatToDo: 'Name a VM to capture on, e.g. "capture traffic from 192.168.10.5 to vm-app01 on 3389".' };
    }
    const picked = pickStorage(context.storageAccounts, gateway.location, context.storageId, captureName, 'vpn-gateway');
    if ('refused' in picked) return picked.refused;
    notes.push('A gateway capture has no time limit of its own: netproof stops it after the duration (and when it restarts, at once if the time has passed).');
    return {
      kind: 'plan',
      plan: {
        kind: 'vpn-gateway', targetId: gateway.id, targetName: gateway.name, targetType: 'VirtualNetworkGateway', scope: null, region: gateway.location,
        networkWatcherId: null, captureName, durationInSeconds, totalBytes, filters: [],
        filterData: gatewayFilterData(flow, totalBytes), storage: picked.storage, question: flow.question, notes,
      },
    };
  }

  const target = destinationVm ?? sourceVm;
  if (!target) {
    return { kind: 'refused', code: 'no-target', message: 'Neither end of this flow is a VM or scale set I can capture on.', whatToDo: 'Name the VM (or scale set) to capture on, e.g. "capture traffic from 10.0.0.4 to vm-app01 on 443 for 2 minutes".' };
  }
  if (!hasAgent(target.extensions)) {
    const scaleSet = target.kind === 'virtualMachineScaleSet';
    return {
      kind: 'refused', code: 'extension-missing',
      message: `${target.name} does not have the Network Watcher agent extension, which a packet capture needs.`,
      whatToDo: `Install it, then ask again: az ${scaleSet ? 'vmss' : 'vm'} extension set --resource-group ${resourceGroupOf(target.id)} --${scaleSet ? 'vmss-name' : 'vm-name'} ${target.name} --publisher Microsoft.Azure.NetworkWatcher --name NetworkWatcherAgentWindows (NetworkWatcherAgentLinux on Linux)${scaleSet ? ', then update the instances' : ''}.`,
    };
  }
  const watcher = topology.networkWatchers.find((candidate) => candidate.location.toLowerCase() === target.location.toLowerCase());
  if (!watcher) {
    return { kind: 'refused', code: 'no-network-watcher', message: `There is no Network Watcher in ${target.location}, where ${target.name} runs.`, whatToDo: `Enable Network Watcher in ${target.location}: az network watcher configure --locations ${target.location} --enabled true --resource-group NetworkWatcherRG.` };
  }
  const picked = pickStorage(context.storageAccounts, target.location, context.storageId, captureName, 'network-watcher');
  if ('refused' in picked) return picked.refused;

  const targetIsDestination = target === destinationVm;
  const local = targetIsDestination ? flow.destination : flow.source;
  const remote = targetIsDestination ? flow.source : flow.destination;
  const filter: CaptureFilter = {
    protocol,
    ...(local.ip ? { localIPAddress: local.ip } : {}),
    ...(remote.ip ? { remoteIPAddress: remote.ip } : {}),
    ...(flow.port !== null ? (targetIsDestination ? { localPort: String(flow.port) } : { remotePort: String(flow.port) }) : {}),
  };
  if (!targetIsDestination) notes.push(`The destination is not a VM: capturing at the source, ${target.name}.`);
  const scaleSet = target.kind === 'virtualMachineScaleSet';
  return {
    kind: 'plan',
    plan: {
      kind: 'network-watcher', targetId: target.id, targetName: target.name, targetType: scaleSet ? 'AzureVMSS' : 'AzureVM',
      scope: scaleSet ? { include: [], exclude: [] } : null, region: target.location, networkWatcherId: watcher.id, captureName,
      durationInSeconds, totalBytes, filters: [filter], filterData: null, storage: picked.storage, question: flow.question, notes,
    },
  };
}

/** The Network Watcher create body (AZURE.md section 3) of a plan. */
export function packetCaptureBody(plan: CapturePlan) {
  return {
    target: plan.targetId,
    ...(plan.targetType === 'AzureVMSS' ? { targetType: 'AzureVMSS' as const, scope: plan.scope ?? { include: [], exclude: [] } } : {}),
    totalBytesPerSession: plan.totalBytes,
    timeLimitInSeconds: plan.durationInSeconds,
    storageLocation: { storageId: plan.storage.storageId, storagePath: plan.storage.storagePath },
    filters: plan.filters,
  };
}
