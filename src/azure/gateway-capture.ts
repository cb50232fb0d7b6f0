/**
 * VPN gateway packet captures (AZURE.md section 3): start with an optional `filterData`
 * string, stop with the SAS URL of a container the gateway writes its file into. Both
 * answer with a JSON string `{"Status":"Successful","Data":null}`. Also: listing the
 * capture files under a container prefix, since the gateway chooses the file name.
 */
import type { NetworkManagementClient } from '@azure/arm-network';
import type { BlobServiceClient } from '@azure/storage-blob';
import { blobLocation } from './blob.js';
import { gapFromError, withDeadline } from './errors.js';
import { parseResourceId } from './resource-ids.js';
import { queryResourceGraph, type ResourceGraphQueryClient } from './resource-graph.js';
import { type SourceResult, failure, success } from './result.js';

/** The gateway operations a capture needs (the real client's `virtualNetworkGateways` satisfies it). */
export interface GatewayCaptureOperations {
  virtualNetworkGateways: Pick<NetworkManagementClient['virtualNetworkGateways'], 'startPacketCapture' | 'stopPacketCapture'>;
}

/** Limits of one call. */
export interface GatewayCaptureCallOptions {
  timeoutInMs: number;
  updateIntervalInMs?: number;
  abortSignal?: AbortSignal;
}

/** The gateway's answer `{"Status": ..., "Data": ...}` (a JSON string); Status `Successful` or what it said. */
export function gatewayCaptureStatus(body: unknown): string {
  const text = typeof body === 'string' ? body : typeof (body as { body?: unknown } | null)?.body === 'string' ? (body as { body: string }).body : '';
  try {
    const parsed = JSON.parse(text) as unknown;
    const inner = typeof parsed === 'string' ? JSON.parse(parsed) as unknown : parsed;
    const status = (inner as { Status?: unknown } | null)?.Status;
    return typeof status === 'string' ? status : 'Unknown';
  } catch {
    return text ? 'Unknown' : 'Successful';
  }
}

function gatewayParts(gatewayId: string): { resourceGroup: string; name: string } {
  const parts = parseResourceId(gatewayId);
  if (parts === null || !/\/virtualNetworkGateways\//i.test(gatewayId)) throw new Error(`not a virtual network gateway id: ${gatewayId}`);
  return { resourceGroup: parts.resourceGroup, name: parts.name };
}

/** Starts a packet capture on a virtual network gateway. A write: the caller must hold an authorised user's confirmation. */
export async function startGatewayCapture(client: GatewayCaptureOperations, gatewayId: string, filterData: string | null, options: GatewayCaptureCallOptions): Promise<SourceResult<string>> {
  const gateway = gatewayParts(gatewayId);
  try {
    const answer = await withDeadline(options.timeoutInMs, (abortSignal) => client.virtualNetworkGateways.startPacketCapture(gateway.resourceGroup, gateway.name, {
      abortSignal, updateIntervalInMs: options.updateIntervalInMs, ...(filterData ? { parameters: { filterData } } : {}),
    }), options.abortSignal);
    return success(gatewayCaptureStatus(answer));
  } catch (error) {
    return failure(gapFromError('gatewayPacketCapture', error));
  }
}

/** Stops a gateway packet capture; the gateway writes its file into the container of `sasUrl`. */
export async function stopGatewayCapture(client: GatewayCaptureOperations, gatewayId: string, sasUrl: string, options: GatewayCaptureCallOptions): Promise<SourceResult<string>> {
  const gateway = gatewayParts(gatewayId);
  try {
    const answer = await withDeadline(options.timeoutInMs, (abortSignal) => client.virtualNetworkGateways.stopPacketCapture(gateway.resourceGroup, gateway.name, { sasUrl }, {
      abortSignal, updateIntervalInMs: options.updateIntervalInMs,
    }), options.abortSignal);
    return success(gatewayCaptureStatus(answer));
  } catch (error) {
    return failure(gapFromError('gatewayPacketCapture', error));
  }
}

/**
 * The blobs under `prefixUrl` (`https://acct.blob.core.windows.net/container/prefix/`), as full
 * blob URLs in name order, at most `maxFiles`.
 */
export async function listBlobUrls(service: Pick<BlobServiceClient, 'getContainerClient'>, prefixUrl: string, options: GatewayCaptureCallOptions & { maxFiles?: number }): Promise<SourceResult<string[]>> {
  const url = new URL(prefixUrl);
  const segments = url.pathname.split('/').filter(Boolean);
  const virtualHosted = /\.blob\./i.test(url.hostname);
  const containerIndex = virtualHosted ? 0 : 1;
  const container = segments[containerIndex];
  if (!container) throw new Error(`not a container URL: ${prefixUrl}`);
  const base = `${url.origin}/${segments.slice(0, containerIndex + 1).join('/')}`;
  const prefix = segments.slice(containerIndex + 1).map(decodeURIComponent).join('/');
  try {
    const names = await withDeadline(options.timeoutInMs, async (abortSignal) => {
      const found: string[] = [];
      const client = service.getContainerClient(container);
      for await (const blob of client.listBlobsFlat({ ...(prefix ? { prefix: prefix.endsWith('/') ? prefix : `${prefix}/` } : {}), abortSignal })) {
        found.push(blob.name);
        if (found.length >= (options.maxFiles ?? 100)) break;
      }
      return found;
    }, options.abortSignal);
    return success(names.sort().map((name) => `${base}/${name.split('/').map(encodeURIComponent).join('/')}`));
  } catch (error) {
    return failure(gapFromError('Blob storage', error));
  }
}

/** The account of a blob or container URL (either style). */
export function blobAccountOf(storageUrl: string): string {
  const url = new URL(storageUrl);
  return /\.blob\./i.test(url.hostname) ? (url.hostname.split('.')[0] ?? '') : (url.pathname.split('/').filter(Boolean)[0] ?? '');
}

/** A storage account a capture can write to. */
export interface CaptureStorageAccount {
  id: string;
  name: string;
  location: string;
}

/** The storage accounts of the subscriptions (Resource Graph), by name: where a capture may write its file. */
export async function listStorageAccounts(client: ResourceGraphQueryClient, subscriptions: readonly string[], options: GatewayCaptureCallOptions): Promise<SourceResult<CaptureStorageAccount[]>> {
  const query = "Resources\n| where type =~ 'microsoft.storage/storageaccounts'\n| project id, name, location\n| order by name asc";
  const result = await queryResourceGraph(client, subscriptions, query, { timeoutInMs: options.timeoutInMs, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) });
  if (!result.ok) return result;
  const accounts = result.value
    .filter((row) => typeof row.id === 'string' && typeof row.name === 'string')
    .map((row) => ({ id: String(row.id), name: String(row.name), location: typeof row.location === 'string' ? row.location : '' }))
    .sort((left, right) => left.name.localeCompare(right.name));
  return success(accounts, result.warnings ?? []);
}

export { blobLocation };
