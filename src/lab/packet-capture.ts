/**
 * Packet captures: Network Watcher captures on VMs and scale sets (`.../networkWatchers/{nw}/packetCaptures/{pc}`)
 * and VPN gateway captures (`virtualNetworkGateways/{gw}/startPacketCapture|stopPacketCapture`). A capture runs
 * in lab time; when it stops, the scenario's capture file for its target is written to blob storage (Azurite).
 *
 * The error codes for a missing extension and for the concurrent-capture limit are the lab's own wording:
 * Azure's exact codes for these were not verified.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Fault } from '../domain/scenario.js';
import { armError, json, type LabRequest, type LabResponse } from './http.js';
import { idKey, parseBlobUrl, parseResourceId } from './ids.js';
import { acceptLongRunning } from './lro.js';
import type { CaptureSession, LabState, ScenarioState } from './state.js';

type Body = Record<string, unknown>;

/** Azure's default capture time limit (5 hours). */
const DEFAULT_TIME_LIMIT_IN_SECONDS = 18_000;

/** Concurrent captures per scenario before the lab refuses another (Azure's limit is per region and far larger). */
export const CONCURRENT_CAPTURE_LIMIT = 100;

/** A pcap file with no packets: global header only (little-endian, Ethernet). */
export const EMPTY_PCAP = Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex');

function record(value: unknown): Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** True when the VM or scale set has the Network Watcher agent extension. */
export function hasNetworkWatcherExtension(scenario: ScenarioState, targetId: string): boolean {
  const isAgent = (extension: Body): boolean => {
    const properties = record(extension.properties);
    return /^NetworkWatcherAgent/i.test(text(properties.type) ?? '') || /^AzureNetworkWatcherExtension$/i.test(text(extension.name) ?? '');
  };
  if (scenario.index.children(`${targetId}/extensions`).some((extension) => isAgent(extension.body))) return true;
  const target = scenario.index.get(targetId);
  const profile = record(record(record(target?.body.properties).virtualMachineProfile).extensionProfile).extensions;
  return Array.isArray(profile) && profile.some((extension) => isAgent(record(extension)));
}

/** The scenario's capture file for a target, as an absolute path. */
function captureFileFor(scenario: ScenarioState, targetId: string): { file: string; runningForInSeconds: number | undefined } | undefined {
  const capture = scenario.scenario.packetCaptures.find((candidate) => idKey(candidate.target) === idKey(targetId));
  if (!capture || !scenario.loaded.directory) return undefined;
  return { file: resolve(scenario.loaded.directory, capture.file), runningForInSeconds: capture.runningForInSeconds };
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/** Where Network Watcher writes a capture given only a storage account id. */
function defaultStoragePath(storageId: string, targetId: string, at: Date): string {
  const account = parseResourceId(storageId).name.toLowerCase();
  const stamp = `${two(at.getUTCHours())}_${two(at.getUTCMinutes())}_${two(at.getUTCSeconds())}_${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
  const day = `${at.getUTCFullYear()}/${two(at.getUTCMonth() + 1)}/${two(at.getUTCDate())}`;
  return `https://${account}.blob.core.windows.net/network-watcher-logs${targetId.toLowerCase()}/${day}/packetcapture_${stamp}.cap`;
}

function captureBody(session: CaptureSession, provisioningState: string): Body {
  return {
    name: session.name,
    id: session.id,
    etag: `W/"${createHash('sha1').update(`${session.id}|${session.startedAtInMs}`).digest('hex').slice(0, 32)}"`,
    properties: { ...session.properties, provisioningState },
  };
}

/** Stops a running capture and writes its file; a storage failure turns it into an Error. */
async function finish(state: LabState, session: CaptureSession, reason: string): Promise<void> {
  if (session.status !== 'Running') return;
  session.status = 'Stopped';
  session.stopReason = reason;
  if (!session.storagePath) return;
  const location = parseBlobUrl(session.storagePath);
  const forbidden = session.faults.some((fault) => fault.kind === 'storage-forbidden');
  if (!location || forbidden || !state.storage.hasAccount(location.account)) {
    session.status = 'Error';
    session.errors = ['StorageFailed'];
    return;
  }
  const content = session.file ? await readFile(session.file) : EMPTY_PCAP;
  await state.storage.write(location.account, location.container, location.blobName || `${session.name}.cap`, content);
}

/** Brings a capture up to the lab clock: a capture past its time stops by itself. */
async function refresh(state: LabState, scenario: ScenarioState, session: CaptureSession): Promise<void> {
  if (session.status === 'Running' && scenario.now().getTime() >= session.startedAtInMs + session.runsForInMs) {
    await finish(state, session, 'TimeExceeded');
  }
}

function sessionKey(networkWatcherId: string, name: string): string {
  return `${idKey(networkWatcherId)}/packetcaptures/${name.toLowerCase()}`;
}

function watcherLocation(scenario: ScenarioState, networkWatcherId: string): string {
  return text(scenario.index.get(networkWatcherId)?.body.location) ?? 'global';
}

/** PUT .../packetCaptures/{pc}: 201 + Azure-AsyncOperation, as Azure answers. */
export function createCapture(state: LabState, scenario: ScenarioState, request: LabRequest, networkWatcherId: string, name: string, faults: readonly Fault[]): LabResponse {
  const properties = record(record(request.body).properties);
  const target = text(properties.target);
  if (!target) return armError(400, 'InvalidRequestFormat', 'properties.target is required.');
  if (!scenario.index.get(target)) return armError(404, 'NotFound', `Resource ${target} not found.`);
  const key = sessionKey(networkWatcherId, name);
  if (scenario.captures.get(key)?.status === 'Running') {
    return armError(409, 'Conflict', `Packet capture ${name} is running. Stop or delete it before creating another with the same name.`);
  }
  if (faults.some((fault) => fault.kind === 'extension-missing') || !hasNetworkWatcherExtension(scenario, target)) {
    return armError(
      400,
      'AzureNetworkWatcherExtensionNotInstalled',
      `The AzureNetworkWatcherExtension VM extension is not installed on ${target}. Install the Network Watcher agent extension, then retry.`,
    );
  }
  const running = [...scenario.captures.values()].filter((session) => session.status === 'Running').length;
  if (faults.some((fault) => fault.kind === 'capture-limit') || running >= CONCURRENT_CAPTURE_LIMIT) {
    return armError(400, 'PacketCaptureLimitReached', 'The number of concurrent packet capture sessions has reached its limit. Stop a capture, then retry.');
  }
  const now = scenario.now();
  const storageLocation = record(properties.storageLocation);
  let storagePath = text(storageLocation.storagePath) ?? '';
  if (!storagePath && text(storageLocation.storageId)) storagePath = defaultStoragePath(String(storageLocation.storageId), target, now);
  if (!storagePath && !text(storageLocation.filePath) && !text(storageLocation.localPath)) {
    return armError(400, 'InvalidRequestFormat', 'properties.storageLocation needs a storageId, a storagePath or a filePath.');
  }
  const timeLimitInSeconds = typeof properties.timeLimitInSeconds === 'number' ? properties.timeLimitInSeconds : DEFAULT_TIME_LIMIT_IN_SECONDS;
  const capture = captureFileFor(scenario, target);
  const runsForInSeconds = Math.min(capture?.runningForInSeconds ?? timeLimitInSeconds, timeLimitInSeconds);
  const session: CaptureSession = {
    id: `${networkWatcherId}/packetCaptures/${name}`,
    name,
    networkWatcherId,
    properties: {
      target,
      targetType: text(properties.targetType) ?? 'AzureVM',
      ...(properties.scope ? { scope: properties.scope } : {}),
      bytesToCapturePerPacket: properties.bytesToCapturePerPacket ?? 0,
      totalBytesPerSession: properties.totalBytesPerSession ?? 1_073_741_824,
      timeLimitInSeconds,
      storageLocation: { ...storageLocation, ...(storagePath ? { storagePath } : {}) },
      filters: Array.isArray(properties.filters) ? properties.filters : [],
    },
    startedAtInMs: now.getTime(),
    runsForInMs: runsForInSeconds * 1000,
    status: 'Running',
    stopReason: undefined,
    errors: [],
    file: capture?.file,
    storagePath,
    faults: faults.filter((fault) => fault.kind === 'capture-failure' || fault.kind === 'storage-forbidden'),
  };
  if (session.faults.some((fault) => fault.kind === 'capture-failure')) {
    session.status = 'Error';
    session.errors = ['CaptureFailed'];
  }
  scenario.captures.set(key, session);
  const subscriptionId = parseResourceId(networkWatcherId).subscriptionId ?? '';
  return acceptLongRunning(
    state,
    request,
    subscriptionId,
    watcherLocation(scenario, networkWatcherId),
    json(200, captureBody(session, 'Succeeded')),
    201,
    captureBody(session, 'Updating'),
  );
}

function missing(name: string): LabResponse {
  return armError(404, 'NotFound', `Packet capture ${name} not found.`);
}

/** GET .../packetCaptures/{pc}. */
export async function getCapture(state: LabState, scenario: ScenarioState, networkWatcherId: string, name: string): Promise<LabResponse> {
  const session = scenario.captures.get(sessionKey(networkWatcherId, name));
  if (!session) return missing(name);
  await refresh(state, scenario, session);
  return json(200, captureBody(session, 'Succeeded'));
}

/** GET .../packetCaptures. */
export async function listCaptures(state: LabState, scenario: ScenarioState, networkWatcherId: string): Promise<LabResponse> {
  const prefix = `${idKey(networkWatcherId)}/packetcaptures/`;
  const sessions = [...scenario.captures.entries()].filter(([key]) => key.startsWith(prefix)).map(([, session]) => session);
  for (const session of sessions) await refresh(state, scenario, session);
  return json(200, { value: sessions.map((session) => captureBody(session, 'Succeeded')) });
}

/** POST .../packetCaptures/{pc}/queryStatus (long-running). */
export async function captureStatus(state: LabState, scenario: ScenarioState, request: LabRequest, networkWatcherId: string, name: string): Promise<LabResponse> {
  const session = scenario.captures.get(sessionKey(networkWatcherId, name));
  if (!session) return missing(name);
  await refresh(state, scenario, session);
  const status: Body = {
    name: session.name,
    id: session.id,
    captureStartTime: new Date(session.startedAtInMs).toISOString(),
    packetCaptureStatus: session.status,
    packetCaptureError: session.errors,
  };
  if (session.stopReason) status.stopReason = session.stopReason;
  const subscriptionId = parseResourceId(networkWatcherId).subscriptionId ?? '';
  return acceptLongRunning(state, request, subscriptionId, watcherLocation(scenario, networkWatcherId), json(200, status));
}

/** POST .../packetCaptures/{pc}/stop (long-running): stops it and writes the file. */
export async function stopCapture(state: LabState, scenario: ScenarioState, request: LabRequest, networkWatcherId: string, name: string): Promise<LabResponse> {
  const session = scenario.captures.get(sessionKey(networkWatcherId, name));
  if (!session) return missing(name);
  await refresh(state, scenario, session);
  await finish(state, session, 'Manual');
  const subscriptionId = parseResourceId(networkWatcherId).subscriptionId ?? '';
  return acceptLongRunning(state, request, subscriptionId, watcherLocation(scenario, networkWatcherId), json(200, {}));
}

/** DELETE .../packetCaptures/{pc} (long-running): forgets it; a running capture is discarded unwritten. */
export function deleteCapture(state: LabState, scenario: ScenarioState, request: LabRequest, networkWatcherId: string, name: string): LabResponse {
  const key = sessionKey(networkWatcherId, name);
  if (!scenario.captures.has(key)) return { status: 204 };
  scenario.captures.delete(key);
  const subscriptionId = parseResourceId(networkWatcherId).subscriptionId ?? '';
  return acceptLongRunning(state, request, subscriptionId, watcherLocation(scenario, networkWatcherId), { status: 200 });
}

/** The JSON string a VPN gateway answers a capture operation with. */
function gatewayStatus(status: string): string {
  return JSON.stringify({ Status: status, Data: null });
}

/** POST virtualNetworkGateways/{gw}/startPacketCapture (long-running). */
export function startGatewayCapture(state: LabState, scenario: ScenarioState, request: LabRequest, gatewayId: string, faults: readonly Fault[]): LabResponse {
  const gateway = scenario.index.get(gatewayId);
  if (!gateway) return armError(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/virtualNetworkGateways/${parseResourceId(gatewayId).name}' was not found.`);
  const key = idKey(gatewayId);
  if (scenario.gatewayCaptures.has(key)) return armError(400, 'PacketCaptureAlreadyRunning', `A packet capture is already running on ${gateway.body.name as string}.`);
  if (faults.some((fault) => fault.kind === 'capture-failure')) {
    return acceptLongRunning(state, request, gateway.subscriptionId ?? '', text(gateway.body.location) ?? 'global', armError(500, 'InternalServerError', 'Starting the packet capture failed.'));
  }
  scenario.gatewayCaptures.set(key, { gatewayId: gateway.id, startedAtInMs: scenario.now().getTime(), filterData: text(record(request.body).filterData) });
  return acceptLongRunning(state, request, gateway.subscriptionId ?? '', text(gateway.body.location) ?? 'global', json(200, gatewayStatus('Successful')));
}

function compactStamp(at: Date): string {
  return `${at.getUTCFullYear()}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}T${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`;
}

/** POST virtualNetworkGateways/{gw}/stopPacketCapture with `{sasUrl}` (long-running): writes the file into that container. */
export async function stopGatewayCapture(state: LabState, scenario: ScenarioState, request: LabRequest, gatewayId: string, faults: readonly Fault[]): Promise<LabResponse> {
  const gateway = scenario.index.get(gatewayId);
  if (!gateway) return armError(404, 'ResourceNotFound', `The Resource 'Microsoft.Network/virtualNetworkGateways/${parseResourceId(gatewayId).name}' was not found.`);
  const key = idKey(gatewayId);
  const session = scenario.gatewayCaptures.get(key);
  if (!session) return armError(400, 'PacketCaptureNotRunning', `No packet capture is running on ${gateway.body.name as string}.`);
  const sasUrl = text(record(request.body).sasUrl);
  const location = sasUrl ? parseBlobUrl(sasUrl) : undefined;
  if (!location) return armError(400, 'InvalidRequestFormat', 'sasUrl must be the URL of a blob container with a SAS token.');
  scenario.gatewayCaptures.delete(key);
  const region = text(gateway.body.location) ?? 'global';
  if (faults.some((fault) => fault.kind === 'storage-forbidden') || !state.storage.hasAccount(location.account)) {
    return acceptLongRunning(state, request, gateway.subscriptionId ?? '', region, armError(403, 'StorageAccessForbidden', `The gateway could not write to ${location.account}/${location.container}.`));
  }
  const capture = captureFileFor(scenario, gatewayId);
  const content = capture ? await readFile(capture.file) : EMPTY_PCAP;
  const blobName = `${location.blobName ? `${location.blobName.replace(/\/$/, '')}/` : ''}${String(gateway.body.name)}_IN_0_${compactStamp(new Date(session.startedAtInMs))}.pcap`;
  await state.storage.write(location.account, location.container, blobName, content);
  return acceptLongRunning(state, request, gateway.subscriptionId ?? '', region, json(200, gatewayStatus('Successful')));
}

/**
 * A scenario's capture files are what a packet capture on their target records. The lab
 * also presents each as a capture someone already ran and finished (status Stopped,
 * TimeExceeded), listed on the target region's Network Watcher with its file in blob
 * storage, so an investigation finds "a capture where one exists" as it would in Azure.
 */
export async function seedFinishedCaptures(state: LabState): Promise<void> {
  for (const scenario of state.scenarios) {
    const resources = scenario.scenario.resources;
    for (const capture of scenario.scenario.packetCaptures) {
      const target = scenario.index.get(capture.target);
      const location = text(target?.body.location)?.toLowerCase();
      const watcher = resources.find((resource) => resource.type.toLowerCase() === 'microsoft.network/networkwatchers' && resource.location?.toLowerCase() === location)
        ?? resources.find((resource) => resource.type.toLowerCase() === 'microsoft.network/networkwatchers');
      const accounts = resources.filter((resource) => resource.type.toLowerCase() === 'microsoft.storage/storageaccounts' && state.storage.hasAccount(resource.name.toLowerCase()));
      const account = accounts.find((resource) => resource.location?.toLowerCase() === location) ?? accounts[0];
      if (!target || !watcher || !account || !scenario.loaded.directory) continue;
      const finishedAt = new Date(scenario.now().getTime() - 15 * 60_000);
      const name = `finished-${parseResourceId(capture.target).name.toLowerCase()}`;
      const storagePath = defaultStoragePath(account.id, capture.target, finishedAt);
      const blob = parseBlobUrl(storagePath);
      if (!blob) continue;
      const content = await readFile(resolve(scenario.loaded.directory, capture.file));
      await state.storage.write(blob.account, blob.container, blob.blobName, content);
      const timeLimitInSeconds = capture.runningForInSeconds ?? 600;
      scenario.captures.set(sessionKey(watcher.id, name), {
        id: `${watcher.id}/packetCaptures/${name}`,
        name,
        networkWatcherId: watcher.id,
        properties: {
          target: capture.target, targetType: 'AzureVM', bytesToCapturePerPacket: 0, totalBytesPerSession: 1_073_741_824,
          timeLimitInSeconds, storageLocation: { storageId: account.id, storagePath }, filters: [],
        },
        startedAtInMs: finishedAt.getTime() - timeLimitInSeconds * 1000,
        runsForInMs: timeLimitInSeconds * 1000,
        status: 'Stopped',
        stopReason: 'TimeExceeded',
        errors: [],
        file: resolve(scenario.loaded.directory, capture.file),
        storagePath,
        faults: [],
      });
    }
  }
}
