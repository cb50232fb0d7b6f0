/**
 * A lab estate whose SDK clients reach the lab through a recording proxy on loopback,
 * so tests count and read the requests the lab actually received (retries, query texts,
 * REST paths) instead of measuring time. Wired as src/main.ts wires a scenario estate:
 * the same facade, evidence sources, retry bounds and diagnosis pipeline.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { AzureEvidenceSources, createEmulatorClients } from '../../src/azure/index.js';
import { parseConfig, type Config } from '../../src/config.js';
import { diagnose, type Diagnoser } from '../../src/diagnose/diagnose.js';
import type { EvidenceSources } from '../../src/diagnose/ports.js';
import { ManualClock, startLab, type Lab } from '../../src/lab/index.js';
import { scenarioTime } from '../../src/lab/clock.js';
import { evidenceSourcesOf } from '../../src/main.js';

/** One request as the lab received it. */
export interface RecordedRequest {
  method: string;
  /** Path and query string, percent-decoded where possible. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** 0 until the lab answers (or when the client gave up first). */
  status: number;
  /** Response headers the lab sent. */
  responseHeaders: IncomingHttpHeaders;
}

/** A recording reverse proxy in front of one origin. */
export interface RecordingProxy {
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Starts a proxy on 127.0.0.1 that forwards every request to `target` unchanged (Host included) and records it. */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      // Recorded on arrival: a request the client abandons (its timeout) still counts.
      const record: RecordedRequest = {
        method: incoming.method ?? 'GET', url: decoded(incoming.url ?? '/'), headers: incoming.headers, body: body.toString('utf8'), status: 0, responseHeaders: {},
      };
      requests.push(record);
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          record.status = answer.statusCode ?? 0;
          record.responseHeaders = answer.headers;
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      // The client gave up (its timeout): the lab sees the connection close too.
      outgoing.on('close', () => { if (!outgoing.writableEnded) forward.destroy(); });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/** A built-in scenario folder by name (or an absolute folder). */
export function scenarioDirectory(name: string): string {
  return isAbsolute(name) ? name : fileURLToPath(new URL(`../../src/lab/scenarios/${name}`, import.meta.url));
}

/** A scenario estate behind the recording proxy. */
export interface ProxiedEstate {
  lab: Lab;
  proxy: RecordingProxy;
  config: Config;
  facade: AzureEvidenceSources;
  sources: EvidenceSources;
  diagnose: Diagnoser;
  now(): Date;
  subscriptionId: string;
  /** Requests the lab received since the last `reset()`, the long-running-operation polls left out. */
  calls(): RecordedRequest[];
  /** Forgets recorded requests and injected faults, and wires a fresh facade (no cached estate). */
  reset(): void;
  close(): Promise<void>;
}

/** The retry bounds src/main.ts gives lab estates. */
export const LAB_RETRY = { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 };

/** Starts the lab on one scenario (frozen clock) and an estate that reaches it through the proxy. */
export async function startProxiedEstate(scenario: string, environment: Record<string, string> = {}, options: { storage?: boolean; token?: string } = {}): Promise<ProxiedEstate> {
  const config = parseConfig(environment);
  const clock = new ManualClock();
  const lab = await startLab({ scenarios: [scenarioDirectory(scenario)], clock, storage: options.storage ?? false });
  const proxy = await startRecordingProxy(lab.endpoints.arm);
  const loaded = lab.scenarios[0]!.scenario;
  const through = (url: string) => url.replace(lab.endpoints.arm, proxy.origin);
  const labEndpoints = lab.endpointsFor(loaded.name);
  const storage = lab.storage;
  const clients = createEmulatorClients(
    { logAnalytics: through(labEndpoints.logAnalytics), arm: through(labEndpoints.arm), resourceGraph: through(labEndpoints.resourceGraph) },
    {
      retry: LAB_RETRY,
      ...(options.token ? { token: options.token } : {}),
      ...(storage ? { blobService: (accountUrl: string) => {
        const url = new URL(accountUrl);
        const account = /\.blob\./i.test(url.hostname) ? url.hostname.split('.')[0] ?? '' : url.pathname.split('/').filter(Boolean)[0] ?? '';
        return new BlobServiceClient(storage.accountUrl(account), storage.credential(account));
      } } : {}),
    },
  );
  const subscriptionIds = [...new Set([loaded.subscriptionId, ...(loaded.subscriptionIds ?? [])])];
  const now = () => scenarioTime(loaded.now, clock);
  // A fresh facade per reset: the facade caches the estate it read, and a test's faults must meet a fresh read.
  const wire = () => {
    const facade = new AzureEvidenceSources({
      clients, subscriptionIds, workspaceIds: [loaded.workspaceId],
      limits: { maxRows: config.NETPROOF_LIMITS_QUERY_ROWS, sourceTimeoutInMs: config.NETPROOF_LIMITS_SOURCE_TIMEOUT_MS, captureMaxBytes: config.NETPROOF_LIMITS_CAPTURE_BYTES },
    });
    const sources = evidenceSourcesOf(facade, now, { maxCaptureBytes: config.NETPROOF_LIMITS_CAPTURE_BYTES });
    const pipeline: Diagnoser = (request) => diagnose(request, { sources, now: now(), sourceTimeoutInMs: config.NETPROOF_LIMITS_SOURCE_TIMEOUT_MS, monotonicNow: () => performance.now() });
    return { facade, sources, diagnose: pipeline };
  };
  let wired = wire();
  let from = 0;
  return {
    lab, proxy, config, now, subscriptionId: loaded.subscriptionId,
    get facade() { return wired.facade; },
    get sources() { return wired.sources; },
    get diagnose() { return wired.diagnose; },
    calls: () => proxy.requests.slice(from).filter((request) => !/\/locations\/[^/]+\/(operations|operationresults)\//i.test(request.url)),
    reset() {
      from = proxy.requests.length;
      lab.clearFaults();
      wired = wire();
    },
    async close() {
      await proxy.close();
      await lab.close();
    },
  };
}
