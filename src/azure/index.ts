/**
 * AzureEvidenceSources: every Azure adapter behind one facade, which the investigation
 * calls. Each method validates its input (a bad value throws UserInputError), runs with
 * the per-source timeout, and returns a SourceResult: evidence drafts in a deterministic
 * order, or the gap that says why there are none.
 */
import type { PacketCapture, PacketCaptureQueryStatusResult, PacketCaptureResult } from '@azure/arm-network';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Readable } from 'node:stream';
import type { Instant } from './kql/validate.js';
import { isIP } from 'node:net';
import { validateDnsName, validateInstant, validateIp, validateIpOrCidr, validatePort, validateResourceId, validateRowCap, validateWindow } from './kql/validate.js';
import { type FlowFilterInput, validateFlowFilter } from './kql/flow-filter.js';
import type { FirewallTable } from './kql/firewall.js';
import type { TrafficAnalyticsInterval } from './kql/flow-logs.js';
import { blobClientFor, openBlobStream } from './blob.js';
import { queryKeyVaultLogs, queryGatewayLogs } from './diagnostic-logs.js';
import { gapFromError, withDeadline } from './errors.js';
import { queryFirewallLogs } from './firewall-logs.js';
import { queryFlowLogs } from './flow-logs.js';
import { type FreshnessTarget, measureFreshness } from './freshness.js';
import type { LogsClient } from './log-analytics.js';
import {
  type CallOptions, type GatewayOperations, type NetworkInterfaceOperations, type NetworkWatcherOperations,
  checkConnectivity, getEffectiveRoutes, getEffectiveSecurityRules, getGatewayConnection, getNextHop, verifyIpFlow,
} from './network-watcher.js';
import { parseResourceId } from './resource-ids.js';
import { type CaptureStorageAccount, type GatewayCaptureOperations, listBlobUrls, listStorageAccounts, startGatewayCapture, stopGatewayCapture } from './gateway-capture.js';
import { type Estate, type ResourceGraphQueryClient, type ResourceLookup, findInEstate, loadEstate, topologyEvidence } from './resource-graph.js';
import { type EvidenceDraft, type EvidenceDraftOf, type SourceResult, failure, success } from './result.js';

export type { EvidenceDraft, EvidenceDraftOf, SourceResult } from './result.js';
export type { Estate, ResolvedEndpoint, ResourceLookup } from './resource-graph.js';
export type { FlowFilterInput } from './kql/flow-filter.js';
export type { FreshnessTarget } from './freshness.js';
export type { ArmResource } from './topology.js';
export { buildTopology } from './topology.js';
export { resourceEvidence, topologyEvidence } from './resource-graph.js';
export { EXPECTED_DELAY_IN_MINUTES } from './freshness.js';
export { createAzureClients, createEmulatorClients, type AzureClients, type RetryBounds } from './clients.js';
export { gapFromError } from './errors.js';
export { armGetOf, loadCoverageFacts, type ArmGet, type CoverageClients } from './policy.js';
export { blobAccountOf, gatewayCaptureStatus, type CaptureStorageAccount, type GatewayCaptureOperations } from './gateway-capture.js';

/** A packet capture as listed on its Network Watcher. */
export interface PacketCaptureSummary {
  name: string;
  target: string;
  provisioningState: string | null;
  /** The blob URL of its file, when it writes to storage. */
  storagePath: string | null;
}

/** What the facade needs of the packet-capture API. */
export type PacketCaptureOperations = Pick<import('@azure/arm-network').NetworkManagementClient['packetCaptures'], 'create' | 'getStatus' | 'stop' | 'delete' | 'list'>;

/** The operations the facade needs of one subscription's NetworkManagementClient. */
export interface NetworkOperations extends GatewayOperations {
  networkWatchers: NetworkWatcherOperations;
  networkInterfaces: NetworkInterfaceOperations;
  packetCaptures: PacketCaptureOperations;
}

/** The clients the facade uses (the real SDK clients satisfy these). */
export interface EvidenceClients {
  logs: LogsClient;
  resourceGraph: ResourceGraphQueryClient;
  network(subscriptionId: string): NetworkOperations;
  blobService?(accountUrl: string): Pick<BlobServiceClient, 'getContainerClient'>;
}

/** Limits (the composition root passes the NETPROOF_LIMITS_* values). */
export interface EvidenceLimits {
  /** Rows per log query (default 500). */
  maxRows: number;
  /** Budget of one source call, retries included (default 30 s). */
  sourceTimeoutInMs: number;
  /** Log queries in flight at once (default 4). */
  concurrency: number;
  /** Polling interval of long-running ARM operations (default 2 s). */
  pollIntervalInMs: number;
  /** Largest capture file read from Blob storage (default 100 MiB). */
  captureMaxBytes: number;
  /** How long the estate read from Resource Graph is reused before it is read again (default 5 min). */
  estateMaxAgeInMs: number;
  /** How long a failed estate read is answered from memory (default 15 s): one question's steps and a burst of questions do not each retry a throttled or forbidden Resource Graph. */
  estateFailureMaxAgeInMs: number;
}

/** The facade's configuration. */
export interface AzureEvidenceSourcesOptions {
  clients: EvidenceClients;
  subscriptionIds: readonly string[];
  workspaceIds: readonly string[];
  limits?: Partial<EvidenceLimits>;
  /** Milliseconds of a monotonic clock, for the estate's age (default `performance.now`; tests move it). */
  monotonicNow?: () => number;
}

const DEFAULT_LIMITS: EvidenceLimits = {
  maxRows: 500, sourceTimeoutInMs: 30_000, concurrency: 4, pollIntervalInMs: 2_000, captureMaxBytes: 100 * 1024 * 1024,
  estateMaxAgeInMs: 5 * 60_000, estateFailureMaxAgeInMs: 15_000,
};

/** The Azure evidence sources, one method per question the investigation can ask. */
export class AzureEvidenceSources {
  private readonly clients: EvidenceClients;
  private readonly subscriptionIds: readonly string[];
  private readonly workspaceIds: readonly string[];
  private readonly limits: EvidenceLimits;
  private readonly monotonicNow: () => number;
  /** The estate read in flight or done, with when it was done (null while in flight). */
  private estateLoad: { result: Promise<SourceResult<Estate>>; settledAt: number | null; ok: boolean } | undefined;

  constructor(options: AzureEvidenceSourcesOptions) {
    this.clients = options.clients;
    this.subscriptionIds = options.subscriptionIds;
    this.workspaceIds = options.workspaceIds;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  private logOptions(abortSignal?: AbortSignal) {
    return { timeoutInMs: this.limits.sourceTimeoutInMs, concurrency: this.limits.concurrency, ...(abortSignal ? { abortSignal } : {}) };
  }

  private callOptions(abortSignal?: AbortSignal): CallOptions {
    return { timeoutInMs: this.limits.sourceTimeoutInMs, updateIntervalInMs: this.limits.pollIntervalInMs, ...(abortSignal ? { abortSignal } : {}) };
  }

  private networkFor(resourceId: string): NetworkOperations {
    const parts = parseResourceId(resourceId);
    if (parts === null) throw new Error(`not a resource id: ${resourceId}`);
    return this.clients.network(parts.subscriptionId);
  }

  /** Azure Firewall decisions about a flow (AZFW* tables one by one, plus legacy AzureDiagnostics msg_s). */
  firewallLogs(flow: FlowFilterInput & { tables?: readonly FirewallTable[] }, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraft[]>> {
    const filter = validateFlowFilter({ maxRows: this.limits.maxRows, ...flow });
    return queryFirewallLogs(this.clients.logs, this.workspaceIds, filter, { ...this.logOptions(abortSignal), ...(flow.tables ? { tables: flow.tables } : {}) });
  }

  /** Traffic Analytics flows of a flow whose activity overlaps the window (legacy table only when NTANetAnalytics is missing). */
  flowLogs(flow: FlowFilterInput, intervalInMinutes: TrafficAnalyticsInterval = 60, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraft[]>> {
    const filter = validateFlowFilter({ maxRows: this.limits.maxRows, ...flow });
    return queryFlowLogs(this.clients.logs, this.workspaceIds, filter, { ...this.logOptions(abortSignal), intervalInMinutes });
  }

  /** Key Vault audit rows of a vault in a window, optionally from one caller address. */
  keyVaultLogs(input: { vaultId: string; window: { start: string; end: string }; callerIp?: string | null; maxRows?: number }, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraft[]>> {
    const filter = {
      vaultId: validateResourceId(input.vaultId), window: validateWindow(input.window),
      caller: input.callerIp ? validateIpOrCidr(input.callerIp) : null, maxRows: validateRowCap(input.maxRows ?? this.limits.maxRows),
    };
    return queryKeyVaultLogs(this.clients.logs, this.workspaceIds, filter, this.logOptions(abortSignal));
  }

  /** Tunnel, IKE, route and gateway events of a virtual network gateway in a window. */
  gatewayLogs(input: { gatewayId: string; window: { start: string; end: string }; maxRows?: number }, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraft[]>> {
    const filter = { gatewayId: validateResourceId(input.gatewayId), window: validateWindow(input.window), maxRows: validateRowCap(input.maxRows ?? this.limits.maxRows) };
    return queryGatewayLogs(this.clients.logs, this.workspaceIds, filter, this.logOptions(abortSignal));
  }

  /** Measured freshness (newest event, newest ingestion, covered-until) of each log source at `now`. */
  freshness(targets: readonly FreshnessTarget[], now: string, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraft[]>> {
    const validated = targets.map((target) => ({ ...target, resourceId: target.resourceId ? validateResourceId(target.resourceId) : null }));
    return measureFreshness(this.clients.logs, this.workspaceIds, validated, validateInstant(now) as Instant, this.logOptions(abortSignal));
  }

  /** Network Watcher next hop from a VM (and its NIC) towards an address. */
  nextHop(input: { networkWatcherId: string; vmId: string; nicId?: string | null; sourceIp: string; destinationIp: string }, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'next-hop'>>> {
    const request = {
      targetResourceId: validateResourceId(input.vmId), sourceIPAddress: validateIp(input.sourceIp), destinationIPAddress: validateIp(input.destinationIp),
      ...(input.nicId ? { targetNicResourceId: validateResourceId(input.nicId) } : {}),
    };
    return getNextHop(this.networkFor(input.networkWatcherId), validateResourceId(input.networkWatcherId), request, this.callOptions(abortSignal));
  }

  /** Network Watcher IP flow verify: does the effective NSG allow this packet in/out of the VM. */
  ipFlowVerify(input: { networkWatcherId: string; vmId: string; nicId?: string | null; direction: 'Inbound' | 'Outbound'; protocol: 'TCP' | 'UDP'; localIp: string; localPort: number; remoteIp: string; remotePort: number }, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'ip-flow-verify'>>> {
    const request = {
      targetResourceId: validateResourceId(input.vmId), direction: input.direction, protocol: input.protocol,
      localIPAddress: validateIp(input.localIp), localPort: String(validatePort(input.localPort)),
      remoteIPAddress: validateIp(input.remoteIp), remotePort: String(validatePort(input.remotePort)),
      ...(input.nicId ? { targetNicResourceId: validateResourceId(input.nicId) } : {}),
    };
    return verifyIpFlow(this.networkFor(input.networkWatcherId), validateResourceId(input.networkWatcherId), request, this.callOptions(abortSignal));
  }

  /** Network Watcher connection troubleshoot from a VM to an address or resource and port. */
  connectivityCheck(input: { networkWatcherId: string; sourceResourceId: string; destination: { address?: string; resourceId?: string; port: number }; protocol?: 'Tcp' | 'Http' | 'Https' | 'Icmp' }, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'connectivity-check'>>> {
    const request = {
      source: { resourceId: validateResourceId(input.sourceResourceId) },
      destination: {
        // Azure takes an IP address or a host name here (it resolves the name from the source VM).
        ...(input.destination.address ? { address: isIP(input.destination.address) !== 0 ? validateIp(input.destination.address) : validateDnsName(input.destination.address) } : {}),
        ...(input.destination.resourceId ? { resourceId: validateResourceId(input.destination.resourceId) } : {}),
        port: validatePort(input.destination.port),
      },
      protocol: input.protocol ?? 'Tcp',
      // The logs the verdict compares against carry IPv4 unless the question gives an IPv6 address.
      preferredIPVersion: isIP(input.destination.address ?? '') === 6 ? 'IPv6' as const : 'IPv4' as const,
    };
    return checkConnectivity(this.networkFor(input.networkWatcherId), validateResourceId(input.networkWatcherId), request, this.callOptions(abortSignal));
  }

  /** The effective route table of a NIC. */
  effectiveRoutes(networkInterfaceId: string, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'effective-routes'>>> {
    return getEffectiveRoutes(this.networkFor(networkInterfaceId), validateResourceId(networkInterfaceId), this.callOptions(abortSignal));
  }

  /** The effective security rules (subnet and NIC NSGs) of a NIC. */
  effectiveSecurityRules(networkInterfaceId: string, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'effective-security-rules'>>> {
    return getEffectiveSecurityRules(this.networkFor(networkInterfaceId), validateResourceId(networkInterfaceId), this.callOptions(abortSignal));
  }

  /** A gateway connection's status and counters, with the gateway's learned routes and BGP peers. */
  gatewayConnection(connectionId: string, abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'gateway-connection'>>> {
    return getGatewayConnection(this.networkFor(connectionId), validateResourceId(connectionId), this.callOptions(abortSignal));
  }

  /**
   * The estate (ARM bodies and Topology) through Resource Graph. One read serves every caller while
   * it runs and for `estateMaxAgeInMs` after (the estate changes: a route table edited an hour ago
   * must be seen), a failed read for `estateFailureMaxAgeInMs`. The shared read has its own deadline:
   * a caller's signal ends that caller's wait, not the read the others wait for.
   */
  estate(abortSignal?: AbortSignal): Promise<SourceResult<Estate>> {
    const now = this.monotonicNow();
    const current = this.estateLoad;
    const fresh = current !== undefined && (current.settledAt === null
      || now - current.settledAt < (current.ok ? this.limits.estateMaxAgeInMs : this.limits.estateFailureMaxAgeInMs));
    let load = current;
    if (!fresh || load === undefined) {
      const started = { result: loadEstate(this.clients.resourceGraph, this.subscriptionIds, { timeoutInMs: this.limits.sourceTimeoutInMs }), settledAt: null as number | null, ok: false };
      void started.result.then((result) => {
        started.settledAt = this.monotonicNow();
        started.ok = result.ok;
      });
      this.estateLoad = started;
      load = started;
    }
    if (!abortSignal) return load.result;
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(failure({ source: 'Azure Resource Graph', reason: 'timeout', detail: 'the estate was still being read when this step had to answer' }));
      if (abortSignal.aborted) return onAbort();
      abortSignal.addEventListener('abort', onAbort, { once: true });
      void load.result.then((result) => {
        abortSignal.removeEventListener('abort', onAbort);
        resolve(result);
      });
    });
  }

  /** The topology as evidence. */
  async topology(abortSignal?: AbortSignal): Promise<SourceResult<EvidenceDraftOf<'topology'>>> {
    const estate = await this.estate(abortSignal);
    return estate.ok ? success(topologyEvidence(estate.value.topology, this.subscriptionIds), estate.warnings ?? []) : estate;
  }

  /** Resolves names ("vm-app01", "kv-prod", a host name) and addresses to resource, NIC, subnet and VNet; unknown names get closest matches. */
  async findResources(names: readonly string[], ips: readonly string[] = [], abortSignal?: AbortSignal): Promise<SourceResult<ResourceLookup>> {
    const validatedIps = ips.map(validateIp);
    const estate = await this.estate(abortSignal);
    return estate.ok ? success(findInEstate(estate.value, names, validatedIps)) : estate;
  }

  /** Opens a capture file written by Network Watcher at `storagePath` as a size-limited stream. */
  async openCapture(storagePath: string, abortSignal?: AbortSignal): Promise<SourceResult<{ stream: Readable; contentLength: number | null }>> {
    if (!this.clients.blobService) return failure({ source: 'Blob storage', reason: 'not-enabled', detail: 'no storage client is configured' });
    const url = new URL(storagePath);
    const accountUrl = /\.blob\./i.test(url.hostname) ? url.origin : `${url.origin}/${url.pathname.split('/').filter(Boolean)[0] ?? ''}`;
    const client = blobClientFor(this.clients.blobService(accountUrl), storagePath);
    return openBlobStream(client, 'Blob storage', { maxBytes: this.limits.captureMaxBytes, timeoutInMs: this.limits.sourceTimeoutInMs, ...(abortSignal ? { abortSignal } : {}) });
  }

  /** Starts a Network Watcher packet capture. A write: the caller must hold an authorised user's confirmation. */
  startPacketCapture(networkWatcherId: string, name: string, capture: PacketCapture): Promise<SourceResult<PacketCaptureResult>> {
    const watcher = parseResourceId(validateResourceId(networkWatcherId));
    if (watcher === null || !/^[\w.-]{1,80}$/.test(name)) throw new Error(`bad packet capture target: ${networkWatcherId} ${name}`);
    return this.guard('packetCaptures', (abortSignal) => this.networkFor(networkWatcherId).packetCaptures.create(watcher.resourceGroup, watcher.name, name, capture, { abortSignal, updateIntervalInMs: this.limits.pollIntervalInMs }));
  }

  /** The status of a packet capture (Running, Stopped, Error with its reasons). */
  packetCaptureStatus(networkWatcherId: string, name: string): Promise<SourceResult<PacketCaptureQueryStatusResult>> {
    const watcher = parseResourceId(validateResourceId(networkWatcherId));
    if (watcher === null) throw new Error(`bad Network Watcher id: ${networkWatcherId}`);
    return this.guard('packetCaptures', (abortSignal) => this.networkFor(networkWatcherId).packetCaptures.getStatus(watcher.resourceGroup, watcher.name, name, { abortSignal, updateIntervalInMs: this.limits.pollIntervalInMs }));
  }

  /** Stops a packet capture (the file is then complete at its storage path). */
  stopPacketCapture(networkWatcherId: string, name: string): Promise<SourceResult<void>> {
    const watcher = parseResourceId(validateResourceId(networkWatcherId));
    if (watcher === null) throw new Error(`bad Network Watcher id: ${networkWatcherId}`);
    return this.guard('packetCaptures', (abortSignal) => this.networkFor(networkWatcherId).packetCaptures.stop(watcher.resourceGroup, watcher.name, name, { abortSignal, updateIntervalInMs: this.limits.pollIntervalInMs }));
  }

  /** The packet captures a Network Watcher holds: target, state and where each file was written. */
  listPacketCaptures(networkWatcherId: string, abortSignal?: AbortSignal): Promise<SourceResult<PacketCaptureSummary[]>> {
    const watcher = parseResourceId(validateResourceId(networkWatcherId));
    if (watcher === null) throw new Error(`bad Network Watcher id: ${networkWatcherId}`);
    return this.guard('packetCaptures', async (deadline) => {
      const signal = abortSignal ? AbortSignal.any([abortSignal, deadline]) : deadline;
      const captures: PacketCaptureSummary[] = [];
      for await (const capture of this.networkFor(networkWatcherId).packetCaptures.list(watcher.resourceGroup, watcher.name, { abortSignal: signal })) {
        captures.push({
          name: capture.name ?? '',
          target: capture.target ?? '',
          provisioningState: capture.provisioningState ?? null,
          storagePath: capture.storageLocation?.storagePath ?? null,
        });
      }
      return captures.sort((left, right) => left.name.localeCompare(right.name));
    });
  }

  /** Deletes a packet capture resource (not its file). */
  deletePacketCapture(networkWatcherId: string, name: string): Promise<SourceResult<void>> {
    const watcher = parseResourceId(validateResourceId(networkWatcherId));
    if (watcher === null) throw new Error(`bad Network Watcher id: ${networkWatcherId}`);
    return this.guard('packetCaptures', (abortSignal) => this.networkFor(networkWatcherId).packetCaptures.delete(watcher.resourceGroup, watcher.name, name, { abortSignal, updateIntervalInMs: this.limits.pollIntervalInMs }));
  }

  /** Starts a packet capture on a virtual network gateway. A write: the caller must hold an authorised user's confirmation. */
  startGatewayPacketCapture(gatewayId: string, filterData: string | null): Promise<SourceResult<string>> {
    const network = this.gatewayCaptureClient(gatewayId);
    if (network === null) return Promise.resolve(failure({ source: 'gatewayPacketCapture', reason: 'not-enabled', detail: 'the network client has no gateway packet capture operations' }));
    return startGatewayCapture(network, validateResourceId(gatewayId), filterData, this.callOptions());
  }

  /** Stops a gateway packet capture; the gateway writes its file into the container `sasUrl` grants. */
  stopGatewayPacketCapture(gatewayId: string, sasUrl: string): Promise<SourceResult<string>> {
    const network = this.gatewayCaptureClient(gatewayId);
    if (network === null) return Promise.resolve(failure({ source: 'gatewayPacketCapture', reason: 'not-enabled', detail: 'the network client has no gateway packet capture operations' }));
    return stopGatewayCapture(network, validateResourceId(gatewayId), sasUrl, this.callOptions());
  }

  /** Blob URLs of the capture files under a container prefix (`https://acct.blob.core.windows.net/container/prefix/`). */
  async listCaptureFiles(prefixUrl: string, abortSignal?: AbortSignal): Promise<SourceResult<string[]>> {
    if (!this.clients.blobService) return failure({ source: 'Blob storage', reason: 'not-enabled', detail: 'no storage client is configured' });
    const url = new URL(prefixUrl);
    const accountUrl = /\.blob\./i.test(url.hostname) ? url.origin : `${url.origin}/${url.pathname.split('/').filter(Boolean)[0] ?? ''}`;
    return listBlobUrls(this.clients.blobService(accountUrl), prefixUrl, { timeoutInMs: this.limits.sourceTimeoutInMs, ...(abortSignal ? { abortSignal } : {}) });
  }

  /** The storage accounts of the estate's subscriptions (where a packet capture may write its file). */
  storageAccounts(abortSignal?: AbortSignal): Promise<SourceResult<CaptureStorageAccount[]>> {
    return listStorageAccounts(this.clients.resourceGraph, this.subscriptionIds, { timeoutInMs: this.limits.sourceTimeoutInMs, ...(abortSignal ? { abortSignal } : {}) });
  }

  private gatewayCaptureClient(gatewayId: string): GatewayCaptureOperations | null {
    const network = this.networkFor(gatewayId) as { virtualNetworkGateways?: Partial<GatewayCaptureOperations['virtualNetworkGateways']> };
    const gateways = network.virtualNetworkGateways;
    return typeof gateways?.startPacketCapture === 'function' && typeof gateways.stopPacketCapture === 'function' ? network as GatewayCaptureOperations : null;
  }

  private async guard<T>(source: string, run: (abortSignal: AbortSignal) => Promise<T>): Promise<SourceResult<T>> {
    try {
      return success(await withDeadline(this.limits.sourceTimeoutInMs, run));
    } catch (error) {
      return failure(gapFromError(source, error));
    }
  }
}
