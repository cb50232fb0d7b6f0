/**
 * `startLab`: the Azure emulator on loopback. One HTTP server answers Log Analytics (`/v1`), ARM and Network
 * Watcher (`/subscriptions/...`) and Resource Graph (`/providers/Microsoft.ResourceGraph/...`); Azurite serves blobs.
 * Several scenarios at once are routed by subscription id (ARM, Network Watcher, Resource Graph scope) and by
 * workspace id (Log Analytics); each scenario needs its own.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserInputError } from '../domain/errors.js';
import { FaultSchema, type Fault, type Scenario } from '../domain/scenario.js';
import { armGet, notFound } from './arm.js';
import { startAzurite, type Azurite } from './azurite.js';
import { RealClock, type LabClock } from './clock.js';
import { FAULT_HEADER, FaultSet, parseFaultHeader, type Surface } from './faults.js';
import { gatewayRoutes } from './gateways.js';
import { warmUpKql } from './kql/index.js';
import { seedFinishedCaptures } from './packet-capture.js';
import { armError, bodyObject, json, logsError, readJsonBody, sleep, type LabRequest, type LabResponse } from './http.js';
import { parseResourceId, segments } from './ids.js';
import { runLogsQuery, scenarioForWorkspace, workspaceNotFound, type LogsQueryBody, type LogsScope } from './log-analytics.js';
import { acceptLongRunning, operationResult, operationStatus } from './lro.js';
import {
  connectivityCheck,
  effectiveNetworkSecurityGroups,
  effectiveRouteTable,
  ipFlowVerify,
  networkConfigurationDiagnostic,
  nextHop,
} from './network-watcher/operations.js';
import {
  captureStatus,
  createCapture,
  deleteCapture,
  getCapture,
  listCaptures,
  startGatewayCapture,
  stopCapture,
  stopGatewayCapture,
} from './packet-capture.js';
import { runGraphQuery } from './resource-graph.js';
import { loadScenario, parseScenario, type LoadedScenario } from './scenario-loader.js';
import { scenarioNow, type CaptureStorage, type LabState, type ScenarioState } from './state.js';
import { ResourceIndex } from './store.js';

/** What to serve. */
export interface StartLabOptions {
  /** Scenario folders, parsed scenarios, or loaded scenarios. */
  scenarios: readonly (string | Scenario | LoadedScenario)[];
  /** Port on 127.0.0.1 (default: ephemeral). */
  port?: number;
  /** Faults for every scenario, in addition to each scenario's own. */
  faults?: readonly Fault[];
  /** Lab time (default: real time, starting at each scenario's `now`). */
  clock?: LabClock;
  /** Items per page of ARM lists and Resource Graph answers without `$top` (default 100). */
  pageSize?: number;
  /** Start Azurite for packet capture files (default true). Without it, captures that write to storage end in Error. */
  storage?: boolean;
}

/** Where the lab answers. */
export interface LabEndpoints {
  /** Log Analytics query API base, `http://127.0.0.1:P/v1` (LogsQueryClient `endpoint`). */
  logAnalytics: string;
  /** ARM base, `http://127.0.0.1:P` (NetworkManagementClient `endpoint`). */
  arm: string;
  /** Resource Graph base (the ARM base). */
  resourceGraph: string;
  /** Azurite's blob endpoint, `http://127.0.0.1:Q` (path-style: `/<account>/<container>/<blob>`); undefined without storage. */
  blob: string | undefined;
}

/** A running lab. */
export interface Lab {
  endpoints: LabEndpoints;
  /** Endpoints that reach one scenario alone, `http://127.0.0.1:P/scenarios/{name}[/v1]`, whatever ids it shares. */
  endpointsFor(scenarioName: string): LabEndpoints;
  /**
   * Scenarios the root endpoints cannot reach whole: an earlier scenario claims their workspace or a
   * subscription of theirs. Use endpointsFor(name) for them.
   */
  shadowed: readonly string[];
  /** The scenarios served, in the order given. */
  scenarios: readonly LoadedScenario[];
  clock: LabClock;
  /** Adds a fault for every scenario while the lab runs. */
  injectFault(fault: Fault): void;
  /** Removes the faults added by startLab's `faults` and injectFault (scenario faults stay). */
  clearFaults(): void;
  /** Azurite, when storage is on. */
  storage: Azurite | undefined;
  close(): Promise<void>;
}

/** The endpoints of a lab whose HTTP server is at `base` (`http://127.0.0.1:P`, or a scenario's prefix under it). */
export function labEndpointsAt(base: string, blob: string | undefined): LabEndpoints {
  return { logAnalytics: `${base}/v1`, arm: base, resourceGraph: base, blob };
}

/** The endpoints that reach one scenario alone; an unknown name is a user error listing the known ones. */
export function scenarioEndpoints(origin: string, blob: string | undefined, loaded: readonly LoadedScenario[], name: string): LabEndpoints {
  if (!loaded.some((entry) => entry.scenario.name.toLowerCase() === name.toLowerCase())) {
    throw new UserInputError('lab.unknown-scenario', `the lab serves no scenario named ${name}`, loaded.map((entry) => entry.scenario.name));
  }
  return labEndpointsAt(`${origin}/scenarios/${encodeURIComponent(name)}`, blob);
}

function toLoaded(entry: Scenario | LoadedScenario): LoadedScenario {
  return 'scenario' in entry ? entry : { directory: undefined, scenario: parseScenario('scenario', entry), expectation: undefined };
}

/** Subscriptions a scenario answers for: its declared ones and every one its resource ids name. */
function subscriptionsOf(scenario: Scenario, index: ResourceIndex): string[] {
  const all = [scenario.subscriptionId, ...(scenario.subscriptionIds ?? []), ...index.subscriptions()];
  return [...new Set(all.map((subscription) => subscription.toLowerCase()))];
}

function buildState(loaded: readonly LoadedScenario[], clock: LabClock, faults: readonly Fault[], pageSize: number, storage: CaptureStorage): LabState {
  const state: LabState = {
    scenarios: [],
    bySubscription: new Map(),
    byWorkspace: new Map(),
    clock,
    labFaults: new FaultSet(faults.map((fault) => FaultSchema.parse(fault))),
    operations: new Map(),
    storage,
    pageSize,
  };
  for (const entry of loaded) {
    const index = new ResourceIndex(entry.scenario.resources);
    const scenarioState: ScenarioState = {
      loaded: entry,
      scenario: entry.scenario,
      index,
      faults: new FaultSet(entry.scenario.faults),
      subscriptions: subscriptionsOf(entry.scenario, index),
      captures: new Map(),
      gatewayCaptures: new Map(),
      now: scenarioNow(entry.scenario, clock),
    };
    // The first scenario to claim a workspace or subscription owns it at the root; the others stay
    // reachable under their own prefix, /scenarios/{name}.
    const workspace = entry.scenario.workspaceId.toLowerCase();
    if (!state.byWorkspace.has(workspace)) state.byWorkspace.set(workspace, scenarioState);
    for (const subscription of scenarioState.subscriptions) {
      if (!state.bySubscription.has(subscription)) state.bySubscription.set(subscription, scenarioState);
    }
    state.scenarios.push(scenarioState);
  }
  return state;
}

/** The lab as seen under `/scenarios/{name}`: that scenario alone, sharing everything else. */
function scenarioView(state: LabState, scenario: ScenarioState): LabState {
  return {
    ...state,
    scenarios: [scenario],
    bySubscription: new Map(scenario.subscriptions.map((subscription) => [subscription, scenario])),
    byWorkspace: new Map([[scenario.scenario.workspaceId.toLowerCase(), scenario]]),
  };
}

/** Scenarios the root cannot reach whole, because an earlier scenario claims one of their ids. */
function shadowedScenarios(state: LabState): string[] {
  return state.scenarios
    .filter(
      (scenario) =>
        state.byWorkspace.get(scenario.scenario.workspaceId.toLowerCase()) !== scenario ||
        scenario.subscriptions.some((subscription) => state.bySubscription.get(subscription) !== scenario),
    )
    .map((scenario) => scenario.scenario.name);
}

/** Refuses two scenarios with one name: the name is the path prefix that picks a scenario. */
function checkNames(loaded: readonly LoadedScenario[]): void {
  const seen = new Map<string, LoadedScenario>();
  for (const entry of loaded) {
    const key = entry.scenario.name.toLowerCase();
    const other = seen.get(key);
    if (other) {
      throw new UserInputError(
        'scenario.conflict',
        `two scenarios are named ${entry.scenario.name} (${other.directory ?? 'given as data'} and ${entry.directory ?? 'given as data'}); the lab serves each under /scenarios/{name}, so names must differ`,
      );
    }
    seen.set(key, entry);
  }
}

/** Storage account names of every scenario. */
function storageAccounts(loaded: readonly LoadedScenario[]): string[] {
  return loaded.flatMap((entry) =>
    entry.scenario.resources.filter((resource) => resource.type.toLowerCase() === 'microsoft.storage/storageaccounts').map((resource) => resource.name.toLowerCase()),
  );
}

const NO_STORAGE: CaptureStorage = {
  hasAccount: () => false,
  write: () => Promise.reject(new Error('the lab runs without storage')),
};

/** Starts the lab on 127.0.0.1; resolves once the HTTP server and Azurite listen. */
export async function startLab(options: StartLabOptions): Promise<Lab> {
  const loaded = await Promise.all(options.scenarios.map((entry) => (typeof entry === 'string' ? loadScenario(entry) : toLoaded(entry))));
  if (loaded.length === 0) throw new UserInputError('scenario.none', 'the lab needs at least one scenario');
  const clock = options.clock ?? new RealClock();
  const storageWanted = options.storage ?? true;
  checkNames(loaded);
  const azurite = storageWanted ? await startAzurite(storageAccounts(loaded)) : undefined;
  const state = buildState(loaded, clock, options.faults ?? [], options.pageSize ?? 100, azurite ?? NO_STORAGE);
  if (azurite) await seedFinishedCaptures(state);
  const views = new Map(state.scenarios.map((scenario) => [scenario.scenario.name.toLowerCase(), scenarioView(state, scenario)]));
  const closing = new AbortController();
  const server = createServer((request, response) => {
    void serve(state, views, request, response, closing.signal);
  });
  try {
    await listen(server, options.port ?? 0);
  } catch (error) {
    await azurite?.close();
    if ((error as { code?: unknown }).code === 'EADDRINUSE') {
      throw new UserInputError('lab.port-in-use', `port ${options.port ?? 0} on 127.0.0.1 is in use; pick another with --port, or leave it out for an ephemeral port`);
    }
    throw error;
  }
  // The KQL language service takes seconds to start: pay it right after the lab listens (the endpoints are
  // printed first), not inside the first query's own time budget.
  setImmediate(warmUpKql);
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  let closed = false;
  return {
    endpoints: labEndpointsAt(origin, azurite?.url),
    endpointsFor: (name) => scenarioEndpoints(origin, azurite?.url, loaded, name),
    shadowed: shadowedScenarios(state),
    scenarios: loaded,
    clock,
    storage: azurite,
    injectFault: (fault) => state.labFaults.add(fault),
    clearFaults: () => state.labFaults.clear(),
    async close() {
      if (closed) return;
      closed = true;
      closing.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await azurite?.close();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Parses, routes, applies faults, answers; a bug becomes a 500 rather than a crash. */
async function serve(root: LabState, views: ReadonlyMap<string, LabState>, incoming: IncomingMessage, outgoing: ServerResponse, closing: AbortSignal): Promise<void> {
  const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
  let path = `/${segments(safeDecode(url.pathname)).join('/')}`;
  let origin = `http://${incoming.headers.host ?? '127.0.0.1'}`;
  let state = root;
  // `/scenarios/{name}/...` picks one scenario, whatever ids it shares with others.
  const prefixed = /^\/scenarios\/([^/]+)(\/.*)?$/i.exec(path);
  if (prefixed) {
    const view = views.get((prefixed[1] ?? '').toLowerCase());
    if (!view) return write(outgoing, armError(404, 'NotFound', `The lab serves no scenario named ${prefixed[1] ?? ''}.`));
    state = view;
    origin = `${origin}/scenarios/${encodeURIComponent(view.scenarios[0]?.scenario.name ?? '')}`;
    path = prefixed[2] ?? '/';
  }
  const isLogs = path.toLowerCase().startsWith('/v1/');
  let response: LabResponse;
  try {
    let body: unknown;
    try {
      body = await readJsonBody(incoming);
    } catch {
      response = isLogs
        ? logsError(400, 'BadArgumentError', 'The request body is not valid JSON')
        : armError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
      return write(outgoing, response);
    }
    const request: LabRequest = { method: (incoming.method ?? 'GET').toUpperCase(), path, query: url.searchParams, headers: incoming.headers, body, origin };
    const held = new AbortController();
    const onClose = (): void => held.abort();
    outgoing.once('close', onClose);
    closing.addEventListener('abort', onClose, { once: true });
    response = await route(state, request, AbortSignal.any([held.signal, closing]));
    closing.removeEventListener('abort', onClose);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    response = isLogs ? logsError(500, 'InternalServerError', `The lab failed: ${message}`) : armError(500, 'InternalServerError', `The lab failed: ${message}`);
  }
  write(outgoing, response);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function write(outgoing: ServerResponse, response: LabResponse): void {
  if (outgoing.writableEnded || outgoing.destroyed) return;
  const headers: Record<string, string> = { 'x-ms-request-id': randomUUID(), 'x-ms-correlation-request-id': randomUUID(), ...response.headers };
  let payload: Buffer | undefined;
  if (response.body !== undefined) {
    payload = Buffer.isBuffer(response.body) ? response.body : Buffer.from(JSON.stringify(response.body), 'utf8');
    if (!Buffer.isBuffer(response.body)) headers['Content-Type'] = 'application/json; charset=utf-8';
  }
  headers['Content-Length'] = String(payload?.length ?? 0);
  outgoing.writeHead(response.status, headers);
  outgoing.end(payload);
}

/** The request's surface-independent view for fault matching. */
interface Routed {
  surface: Surface;
  operation: string;
  scenario: ScenarioState | undefined;
  /** Log Analytics query text (for `match.table`). */
  query?: string;
  /** ARM action, for AuthorizationFailed. */
  action: string;
  /** Log Analytics `Prefer: wait=N`: the server gives up on a query after this long. */
  waitInMs?: number;
  scope: string;
  handle(faults: Fault[]): LabResponse | Promise<LabResponse>;
}

async function route(state: LabState, request: LabRequest, signal: AbortSignal): Promise<LabResponse> {
  const lower = request.path.toLowerCase();
  // Long-running operation polling never fails by injection: the fault belongs to the operation itself.
  const operationMatch = /^\/subscriptions\/[^/]+\/providers\/microsoft\.network\/locations\/[^/]+\/(operations|operationresults)\/([^/]+)$/.exec(lower);
  if (operationMatch && request.method === 'GET') {
    const operationId = segments(request.path).at(-1) ?? '';
    return operationMatch[1] === 'operations' ? operationStatus(state, operationId) : operationResult(state, operationId);
  }
  let headerFault: Fault | undefined;
  const headerValue = request.headers[FAULT_HEADER];
  if (typeof headerValue === 'string') {
    try {
      headerFault = parseFaultHeader(headerValue);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return lower.startsWith('/v1/') ? logsError(400, 'BadArgumentError', message) : armError(400, 'InvalidFault', message);
    }
  }
  if (lower === '/v1/$batch' && request.method === 'POST') return batch(state, request, headerFault, signal);
  const routed = classify(state, request);
  if ('status' in routed) return routed;
  const faultRequest = { surface: routed.surface, operation: routed.operation, path: request.path, query: routed.query };
  const faults = [
    ...(headerFault ? [headerFault] : []),
    ...(routed.scenario ? routed.scenario.faults.take(faultRequest) : []),
    ...state.labFaults.take(faultRequest),
  ].filter((fault) => headerFault !== fault || faultMatchesLoosely(fault, routed.surface));
  const failed = await genericFault(faults, routed, signal);
  if (failed) return failed;
  return routed.handle(faults);
}

/** A header fault still has to target the request's surface (or `all`). */
function faultMatchesLoosely(fault: Fault, surface: Surface): boolean {
  return fault.target === 'all' || fault.target === surface;
}

/** Latency, then the first of timeout, throttle, server error, forbidden, in the surface's own error shape. */
async function genericFault(faults: readonly Fault[], routed: Routed, signal: AbortSignal): Promise<LabResponse | undefined> {
  const logs = routed.surface === 'logs';
  for (const fault of faults) if (fault.kind === 'latency') await sleep(fault.latencyInMs ?? 1000, signal);
  for (const fault of faults) {
    switch (fault.kind) {
      case 'timeout':
        // Log Analytics stops a query at the client's `Prefer: wait=N`; other surfaces hold until the client gives up.
        await sleep(Math.min(fault.latencyInMs ?? 120_000, routed.waitInMs ?? Number.POSITIVE_INFINITY), signal);
        return logs
          ? logsError(504, 'GatewayTimeout', 'The query did not complete within the requested wait time.')
          : armError(504, 'GatewayTimeout', 'The gateway did not receive a response from the service in time.');
      case 'throttle': {
        const retryAfter = String(fault.retryAfterInSeconds ?? 1);
        const response =
          routed.surface === 'resourceGraph'
            ? armError(429, 'RateLimiting', 'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed.', {
                details: [{ code: 'RateLimiting', message: 'Please see https://aka.ms/resourcegraph-throttling for help.' }],
              })
            : logs
              ? logsError(429, 'ThrottledError', 'Too many requests: the query was throttled. Retry after the time in the Retry-After header.')
              : armError(429, 'SubscriptionRequestsThrottled', `Number of requests for this subscription exceeded the limit. Please try again after '${retryAfter}' seconds.`);
        response.headers = { ...response.headers, 'Retry-After': retryAfter };
        if (routed.surface === 'resourceGraph') response.headers['x-ms-user-quota-resets-after'] = `00:00:${retryAfter.padStart(2, '0')}`;
        return response;
      }
      case 'server-error': {
        const status = fault.status ?? 500;
        const code = status === 503 ? 'ServiceUnavailable' : status === 502 ? 'BadGateway' : status === 504 ? 'GatewayTimeout' : 'InternalServerError';
        return logs ? logsError(status, code, 'The service failed to process the request.') : armError(status, code, 'Encountered internal server error. Diagnostic information: the lab injected this failure.');
      }
      case 'forbidden':
        return logs
          ? logsError(403, 'InsufficientAccessError', 'The provided credentials have insufficient access to perform the requested operation')
          : armError(
              403,
              'AuthorizationFailed',
              `The client 'netproof-lab' with object id '00000000-0000-0000-0000-000000000000' does not have authorization to perform action '${routed.action}' over scope '${routed.scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
            );
      default:
        break;
    }
  }
  return undefined;
}

/** `POST /v1/$batch`: each request answered on its own, faults included. */
async function batch(state: LabState, request: LabRequest, headerFault: Fault | undefined, signal: AbortSignal): Promise<LabResponse> {
  const requests = bodyObject(request).requests;
  if (!Array.isArray(requests)) return logsError(400, 'BadArgumentError', 'The batch needs a requests array');
  const responses = [];
  for (const item of requests) {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const id = entry.id;
    const workspace = typeof entry.workspace === 'string' ? entry.workspace : '';
    const scenario = scenarioForWorkspace(state, workspace);
    const body = (typeof entry.body === 'object' && entry.body !== null ? entry.body : {}) as LogsQueryBody;
    let answer: LabResponse;
    if (!scenario) {
      answer = workspaceNotFound(workspace);
    } else {
      const query = typeof body.query === 'string' ? body.query : '';
      const faultRequest = { surface: 'logs' as const, operation: 'query', path: `/v1/workspaces/${workspace}/query`, query };
      const faults = [...(headerFault && faultMatchesLoosely(headerFault, 'logs') ? [headerFault] : []), ...scenario.faults.take(faultRequest), ...state.labFaults.take(faultRequest)];
      const routed: Routed = { surface: 'logs', operation: 'query', scenario, query, action: 'Microsoft.OperationalInsights/workspaces/query/read', scope: workspace, handle: () => json(200, {}) };
      answer = (await genericFault(faults, routed, signal)) ?? runLogsQuery(state, { kind: 'workspace', scenario }, body, faults);
    }
    responses.push({ id, status: answer.status, body: answer.body, headers: answer.headers ?? {} });
  }
  return json(200, { responses });
}

const NETWORK_WATCHER_OPERATIONS = ['nexthop', 'ipflowverify', 'connectivitycheck', 'networkconfigurationdiagnostic'];

function subscriptionNotFound(subscriptionId: string): LabResponse {
  return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
}

/** Decides which surface answers, for which scenario, and how. */
function classify(state: LabState, request: LabRequest): Routed | LabResponse {
  const { method, path } = request;
  const lower = path.toLowerCase();
  const parts = segments(path);
  const lowerParts = parts.map((part) => part.toLowerCase());

  if (lower.startsWith('/v1/')) {
    const waitInMs = preferWaitInMs(request.headers.prefer);
    const body = (method === 'GET' ? { query: request.query.get('query') ?? undefined, timespan: request.query.get('timespan') ?? undefined } : bodyObject(request)) as LogsQueryBody;
    const query = typeof body.query === 'string' ? body.query : '';
    if (lowerParts[1] === 'workspaces' && lowerParts[3] === 'query' && parts.length === 4) {
      const workspace = parts[2] ?? '';
      const scenario = scenarioForWorkspace(state, workspace);
      if (!scenario) return workspaceNotFound(workspace);
      return {
        surface: 'logs',
        operation: 'query',
        scenario,
        query,
        action: 'Microsoft.OperationalInsights/workspaces/query/read',
        scope: workspace,
        waitInMs,
        handle: (faults) => runLogsQuery(state, { kind: 'workspace', scenario }, body, faults),
      };
    }
    if (lowerParts[1] === 'subscriptions' && lowerParts.at(-1) === 'query') {
      const resourceId = `/${parts.slice(1, -1).join('/')}`;
      const scenario = state.bySubscription.get(parseResourceId(resourceId).subscriptionId?.toLowerCase() ?? '');
      if (!scenario) return logsError(404, 'ResourceNotFoundError', `The resource ${resourceId} could not be found`);
      if (!scenario.index.get(resourceId) && parseResourceId(resourceId).type !== '') {
        return logsError(404, 'ResourceNotFoundError', `The resource ${resourceId} could not be found`);
      }
      const scope: LogsScope = { kind: 'resource', scenario, resourceId };
      return {
        surface: 'logs',
        operation: 'query',
        scenario,
        query,
        action: 'Microsoft.Insights/logs/read',
        scope: resourceId,
        waitInMs,
        handle: (faults) => runLogsQuery(state, scope, body, faults),
      };
    }
    return logsError(404, 'PathNotFoundError', `The requested path does not exist: ${path}`);
  }

  if (lower === '/providers/microsoft.resourcegraph/resources' && method === 'POST') {
    return {
      surface: 'resourceGraph',
      operation: 'resources',
      scenario: undefined,
      action: 'Microsoft.ResourceGraph/resources/read',
      scope: '/',
      handle: () => runGraphQuery(state, bodyObject(request)),
    };
  }

  if (lowerParts[0] !== 'subscriptions' || parts.length < 2) return armError(404, 'NotFound', `The lab does not serve ${method} ${path}.`);
  const subscriptionId = parts[1] ?? '';
  const scenario = state.bySubscription.get(subscriptionId.toLowerCase());
  if (!scenario) return subscriptionNotFound(subscriptionId);
  const last = lowerParts.at(-1) ?? '';
  const beforeLast = lowerParts.at(-2) ?? '';
  const ownerId = `/${parts.slice(0, -1).join('/')}`;
  const base = { scenario, scope: path };
  const body = bodyObject(request);

  // Network Watcher diagnostics.
  if (method === 'POST' && NETWORK_WATCHER_OPERATIONS.includes(last) && lowerParts.at(-3) === 'networkwatchers') {
    const operation = parts.at(-1) ?? last;
    const watcher = scenario.index.get(ownerId);
    return {
      ...base,
      surface: 'networkWatcher',
      operation,
      action: `Microsoft.Network/networkWatchers/${operation}/action`,
      handle: () => {
        if (!watcher) return notFound(ownerId);
        const result =
          last === 'nexthop' ? nextHop(scenario, body) : last === 'ipflowverify' ? ipFlowVerify(scenario, body) : last === 'connectivitycheck' ? connectivityCheck(scenario, body) : networkConfigurationDiagnostic(scenario, body);
        // Validation errors answer at once; results arrive through the long-running operation, as Azure does.
        if (result.status >= 400) return result;
        return acceptLongRunning(state, request, subscriptionId, String(watcher.body.location ?? 'global'), result);
      },
    };
  }
  if (method === 'POST' && (last === 'effectiveroutetable' || last === 'effectivenetworksecuritygroups') && lowerParts.at(-3) === 'networkinterfaces') {
    const operation = parts.at(-1) ?? last;
    return {
      ...base,
      surface: 'networkWatcher',
      operation,
      action: `Microsoft.Network/networkInterfaces/${operation}/action`,
      handle: () => {
        const nic = scenario.index.get(ownerId);
        if (!nic) return notFound(ownerId);
        const result = last === 'effectiveroutetable' ? effectiveRouteTable(scenario, nic) : effectiveNetworkSecurityGroups(scenario, nic);
        return acceptLongRunning(state, request, subscriptionId, String(nic.body.location ?? 'global'), result);
      },
    };
  }

  // Packet captures.
  const captureAt = lowerParts.lastIndexOf('packetcaptures');
  if (captureAt >= 2 && lowerParts[captureAt - 2] === 'networkwatchers') {
    const watcherId = `/${parts.slice(0, captureAt).join('/')}`;
    const name = parts[captureAt + 1];
    const action = parts[captureAt + 2]?.toLowerCase();
    const operation = !name ? 'list' : action === 'querystatus' ? 'queryStatus' : action === 'stop' ? 'stop' : method === 'PUT' ? 'create' : method === 'DELETE' ? 'delete' : 'get';
    return {
      ...base,
      surface: 'packetCapture',
      operation,
      action: `Microsoft.Network/networkWatchers/packetCaptures/${operation === 'get' || operation === 'list' ? 'read' : operation === 'create' ? 'write' : operation === 'delete' ? 'delete' : `${operation}/action`}`,
      handle: async (faults) => {
        if (!scenario.index.get(watcherId)) return notFound(watcherId);
        if (!name) return method === 'GET' ? listCaptures(state, scenario, watcherId) : methodNotAllowed(method, path);
        if (action === 'querystatus' && method === 'POST') return captureStatus(state, scenario, request, watcherId, name);
        if (action === 'stop' && method === 'POST') return stopCapture(state, scenario, request, watcherId, name);
        if (action !== undefined) return methodNotAllowed(method, path);
        if (method === 'PUT') return createCapture(state, scenario, request, watcherId, name, faults);
        if (method === 'GET') return getCapture(state, scenario, watcherId, name);
        if (method === 'DELETE') return deleteCapture(state, scenario, request, watcherId, name);
        return methodNotAllowed(method, path);
      },
    };
  }
  if (method === 'POST' && beforeLast !== '' && lowerParts.at(-3) === 'virtualnetworkgateways') {
    const operation = parts.at(-1) ?? last;
    if (last === 'startpacketcapture' || last === 'stoppacketcapture') {
      return {
        ...base,
        surface: 'packetCapture',
        operation,
        action: `Microsoft.Network/virtualNetworkGateways/${operation}/action`,
        handle: (faults) =>
          last === 'startpacketcapture' ? startGatewayCapture(state, scenario, request, ownerId, faults) : stopGatewayCapture(state, scenario, request, ownerId, faults),
      };
    }
    if (last === 'getbgppeerstatus' || last === 'getlearnedroutes' || last === 'getadvertisedroutes') {
      return {
        ...base,
        surface: 'arm',
        operation,
        action: `Microsoft.Network/virtualNetworkGateways/${operation}/action`,
        handle: () => {
          const gateway = scenario.index.get(ownerId);
          if (!gateway) return notFound(ownerId);
          const result = gatewayRoutes(gateway, last, request);
          if (result.status >= 400) return result;
          return acceptLongRunning(state, request, subscriptionId, String(gateway.body.location ?? 'global'), result);
        },
      };
    }
  }

  if (method === 'GET') {
    const parsed = parseResourceId(path);
    return {
      ...base,
      surface: 'arm',
      operation: lowerParts.length % 2 === 1 ? 'list' : 'get',
      action: `${parsed.type || 'Microsoft.Resources/subscriptions'}/read`,
      handle: () => armGet(request, state, scenario),
    };
  }
  return methodNotAllowed(method, path);
}

/** `Prefer: wait=60, include-statistics=true` -> 60000. */
function preferWaitInMs(prefer: string | string[] | undefined): number | undefined {
  const text = Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '');
  const match = /(?:^|[,\s])wait=(\d+)/i.exec(text);
  return match ? Number(match[1]) * 1000 : undefined;
}

function methodNotAllowed(method: string, path: string): LabResponse {
  return armError(405, 'MethodNotAllowed', `The lab is read-only apart from packet captures: ${method} ${path} is not served.`);
}
