/**
 * The real Azure SDK clients, pointed at a running lab over http on loopback (AZURE.md section 8):
 * `allowInsecureConnection`, the bearer policy removed (it refuses http) and a header policy added instead.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { Pipeline, PipelinePolicy } from '@azure/core-rest-pipeline';
import { NetworkManagementClient } from '@azure/arm-network';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { BlobServiceClient } from '@azure/storage-blob';
import { DEVELOPMENT_ACCOUNT } from './azurite.js';
import type { Lab } from './server.js';

/** Retry settings passed to every client (tests shorten them). */
export interface LabRetryOptions {
  maxRetries?: number;
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

/** Which subscription and storage account the clients are for. */
export interface LabClientOptions {
  /** Reach this scenario alone, through its `/scenarios/{name}` endpoints (needed when scenarios share ids). */
  scenario?: string;
  /** NetworkManagementClient's subscription (default: the first scenario's `subscriptionId`). */
  subscriptionId?: string;
  /** The BlobServiceClient's account (default: the first scenario storage account, else Azurite's development account). */
  storageAccount?: string;
  retryOptions?: LabRetryOptions;
}

/** The SDK clients the product uses, as the lab serves them. */
export interface LabClients {
  logs: LogsQueryClient;
  network: NetworkManagementClient;
  resourceGraph: ResourceGraphClient;
  /** Undefined when the lab runs without storage. */
  blob: BlobServiceClient | undefined;
}

/** A credential the lab never checks; the bearer policy that would call it is removed. */
export const labCredential: TokenCredential = {
  getToken: () => Promise.resolve({ token: 'netproof-lab', expiresOnTimestamp: 4_102_444_800_000 }),
};

/** The policy that replaces bearer authentication on http. */
const labAuthorizationPolicy: PipelinePolicy = {
  name: 'netproofLabAuthorization',
  sendRequest: (request, next) => {
    request.headers.set('authorization', 'Bearer netproof-lab');
    return next(request);
  },
};

/** Removes the bearer policy (it refuses non-TLS URLs) and adds a header policy: what any SDK client needs for the lab. */
export function useLabAuthorization(pipeline: Pipeline): void {
  pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
  pipeline.addPolicy(labAuthorizationPolicy);
}

/** Builds the four clients against the lab. */
export function createLabClients(lab: Lab, options: LabClientOptions = {}): LabClients {
  const first = (options.scenario ? lab.scenarios.find((entry) => entry.scenario.name.toLowerCase() === options.scenario?.toLowerCase()) : lab.scenarios[0])?.scenario;
  const endpoints = options.scenario ? lab.endpointsFor(options.scenario) : lab.endpoints;
  const common = { allowInsecureConnection: true, ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}) };
  const logs = new LogsQueryClient(labCredential, { endpoint: endpoints.logAnalytics, ...common });
  useLabAuthorization(logs.pipeline);
  const network = new NetworkManagementClient(labCredential, options.subscriptionId ?? first?.subscriptionId ?? '', { endpoint: endpoints.arm, ...common });
  useLabAuthorization(network.pipeline);
  const resourceGraph = new ResourceGraphClient(labCredential, { endpoint: endpoints.resourceGraph, ...common });
  useLabAuthorization(resourceGraph.pipeline);
  let blob: BlobServiceClient | undefined;
  if (lab.storage) {
    const scenarioAccount = (first ? [first] : [])
      .flatMap((scenario) => scenario.resources)
      .find((resource) => resource.type.toLowerCase() === 'microsoft.storage/storageaccounts')
      ?.name.toLowerCase();
    const account = options.storageAccount ?? (scenarioAccount && lab.storage.accounts.has(scenarioAccount) ? scenarioAccount : DEVELOPMENT_ACCOUNT);
    blob = new BlobServiceClient(lab.storage.accountUrl(account), lab.storage.credential(account), {
      ...(options.retryOptions ? { retryOptions: { maxTries: (options.retryOptions.maxRetries ?? 3) + 1 } } : {}),
    });
  }
  return { logs, network, resourceGraph, blob };
}
