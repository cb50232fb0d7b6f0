/**
 * The Azure SDK clients netproof uses, built once by the composition root: with
 * DefaultAzureCredential against Azure, or against an emulator over http (the lab):
 * `allowInsecureConnection`, the bearer policy removed (it refuses http) and a header
 * policy in its place (AZURE.md section 8). Retries are bounded: the SDK pipelines retry
 * 429/5xx honouring Retry-After up to `maxRetries`, each try limited by `perTryTimeoutInMs`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TokenCredential } from '@azure/core-auth';
import type { Pipeline, PipelinePolicy } from '@azure/core-rest-pipeline';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { DefaultAzureCredential } from '@azure/identity';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { BlobServiceClient } from '@azure/storage-blob';

/** Retry and timeout bounds of every client. */
export interface RetryBounds {
  /** Retries after the first try (429, 5xx, connection errors). */
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
  /** One HTTP try's limit; 0 for none. */
  perTryTimeoutInMs: number;
}

/** Defaults: three retries, 0.8-10 s apart, 60 s per try. */
export const DEFAULT_RETRY_BOUNDS: RetryBounds = { maxRetries: 3, retryDelayInMs: 800, maxRetryDelayInMs: 10_000, perTryTimeoutInMs: 60_000 };

/** The clients, one NetworkManagementClient per subscription. */
export interface AzureClients {
  logs: LogsQueryClient;
  resourceGraph: ResourceGraphClient;
  network(subscriptionId: string): NetworkManagementClient;
  /** A BlobServiceClient of a storage account URL (`https://acct.blob.core.windows.net`). */
  blobService(accountUrl: string): BlobServiceClient;
}

function perTryTimeoutPolicy(timeoutInMs: number): PipelinePolicy {
  return {
    name: 'netproofPerTryTimeout',
    sendRequest: (request, next) => {
      if (timeoutInMs > 0 && !request.timeout) request.timeout = timeoutInMs;
      return next(request);
    },
  };
}

/**
 * The abort signal of the source call in progress, for SDK methods that drop their `abortSignal`
 * option: `LogsQueryClient.queryWorkspace` (@azure/monitor-query-logs 1.0) keeps only `Prefer` and
 * `requestOptions`, so without this a query went on being retried after its deadline.
 */
export const callSignal = new AsyncLocalStorage<AbortSignal>();

/** Gives a request the call's signal when the SDK lost it (placed before the retry policy, so retry delays end too). */
function callSignalPolicy(): PipelinePolicy {
  return {
    name: 'netproofCallSignal',
    sendRequest: (request, next) => {
      const signal = callSignal.getStore();
      if (signal && !request.abortSignal) request.abortSignal = signal;
      return next(request);
    },
  };
}

function commonOptions(bounds: RetryBounds) {
  return { retryOptions: { maxRetries: bounds.maxRetries, retryDelayInMs: bounds.retryDelayInMs, maxRetryDelayInMs: bounds.maxRetryDelayInMs } };
}

function finish<T extends { pipeline: Pipeline }>(client: T, bounds: RetryBounds, emulatorToken: string | null): T {
  client.pipeline.addPolicy(callSignalPolicy());
  client.pipeline.addPolicy(perTryTimeoutPolicy(bounds.perTryTimeoutInMs));
  if (emulatorToken !== null) {
    client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
    client.pipeline.addPolicy({
      name: 'netproofEmulatorAuthorization',
      sendRequest: (request, next) => {
        request.headers.set('authorization', `Bearer ${emulatorToken}`);
        return next(request);
      },
    });
  }
  return client;
}

/** Clients against Azure with DefaultAzureCredential (or the credential given). */
export function createAzureClients(options: { credential?: TokenCredential; retry?: Partial<RetryBounds> } = {}): AzureClients {
  const credential = options.credential ?? new DefaultAzureCredential();
  const bounds = { ...DEFAULT_RETRY_BOUNDS, ...options.retry };
  const networks = new Map<string, NetworkManagementClient>();
  return {
    logs: finish(new LogsQueryClient(credential, commonOptions(bounds)), bounds, null),
    resourceGraph: finish(new ResourceGraphClient(credential, commonOptions(bounds)), bounds, null),
    network(subscriptionId) {
      let client = networks.get(subscriptionId);
      if (!client) {
        client = finish(new NetworkManagementClient(credential, subscriptionId, commonOptions(bounds)), bounds, null);
        networks.set(subscriptionId, client);
      }
      return client;
    },
    blobService: (accountUrl) => new BlobServiceClient(accountUrl, credential, { retryOptions: { maxTries: bounds.maxRetries + 1, tryTimeoutInMs: bounds.perTryTimeoutInMs || undefined } }),
  };
}

/** Where an emulator answers. */
export interface EmulatorEndpoints {
  /** Log Analytics base including `/v1` (the client uses it verbatim). */
  logAnalytics: string;
  /** ARM base (Network Watcher, NICs, gateways). */
  arm: string;
  /** Resource Graph base (usually the ARM base). */
  resourceGraph: string;
}

/** A credential an emulator never checks (the bearer policy that would call it is removed). */
const emulatorCredential: TokenCredential = { getToken: () => Promise.resolve({ token: 'emulator', expiresOnTimestamp: 4_102_444_800_000 }) };

/**
 * Clients against an emulator over http. Blob storage needs the account's own credential
 * (Azurite's shared key), so `blobService` is passed in by whoever knows it.
 */
export function createEmulatorClients(endpoints: EmulatorEndpoints, options: { retry?: Partial<RetryBounds>; token?: string; blobService?: (accountUrl: string) => BlobServiceClient } = {}): AzureClients {
  const bounds = { ...DEFAULT_RETRY_BOUNDS, ...options.retry };
  const token = options.token ?? 'emulator';
  const insecure = { allowInsecureConnection: true, ...commonOptions(bounds) };
  const networks = new Map<string, NetworkManagementClient>();
  return {
    logs: finish(new LogsQueryClient(emulatorCredential, { endpoint: endpoints.logAnalytics, ...insecure }), bounds, token),
    resourceGraph: finish(new ResourceGraphClient(emulatorCredential, { endpoint: endpoints.resourceGraph, ...insecure }), bounds, token),
    network(subscriptionId) {
      let client = networks.get(subscriptionId);
      if (!client) {
        client = finish(new NetworkManagementClient(emulatorCredential, subscriptionId, { endpoint: endpoints.arm, ...insecure }), bounds, token);
        networks.set(subscriptionId, client);
      }
      return client;
    },
    blobService: options.blobService ?? ((accountUrl) => new BlobServiceClient(accountUrl, undefined, { retryOptions: { maxTries: bounds.maxRetries + 1 } })),
  };
}
