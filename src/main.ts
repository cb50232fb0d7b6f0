/**
 * The composition root: reads the configuration, starts the lab when there is no
 * Azure estate to talk to, builds the real Azure SDK clients (pointed at Azure or
 * at the lab), and wires the adapters into the diagnosis pipeline.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  AzureEvidenceSources, armGetOf, createAzureClients, createEmulatorClients, EXPECTED_DELAY_IN_MINUTES, gapFromError, loadCoverageFacts, resourceEvidence, topologyEvidence,
  type AzureClients, type Estate as AzureEstate, type EvidenceDraft as AzureEvidenceDraft, type SourceResult,
} from './azure/index.js';
import { CAPTURE_CONTAINER, type CaptureEstate } from './capture-jobs/index.js';
import type { BotEstate, BotEstates } from './bot/index.js';
import type { AzureDoctorProbe, FlowLogState, ProbeOutcome } from './cli/doctor.js';
import type { Config } from './config.js';
import { diagnose, knownNames, type Diagnoser } from './diagnose/diagnose.js';
import { parseQuestion } from './diagnose/question.js';
import type { EvidenceSources, FlowSelector, SourceOutcome } from './diagnose/ports.js';
import { sameResourceId, UserInputError, type Gap, type Topology } from './domain/index.js';
import { analyzeCapture, type CaptureLimits } from './capture/index.js';
import { DefaultAzureCredential, getBearerTokenProvider } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { createAssistant, type Explainer } from './llm/index.js';
import { listBuiltInScenarios, loadScenario, ManualClock, RealClock, startLab, startLabProcess, type Lab, type LabClock, type LoadedScenario } from './lab/index.js';
import { scenarioTime } from './lab/clock.js';
import { computeCoverage } from './coverage/index.js';
import type { CoverageReport } from './domain/coverage.js';

/** One estate the runtime can investigate: Azure itself, or one lab scenario. */
export interface Estate {
  /** `azure`, or the scenario's name. */
  name: string;
  description: string;
  facade: AzureEvidenceSources;
  /** The subscriptions it covers (the CLI operator may investigate all of them). */
  subscriptionIds: string[];
  /** The Log Analytics workspaces it queries. */
  workspaceIds: string[];
  /** The SDK clients behind the facade (Azure, or the lab's endpoints), for checks beside it (`doctorProbeOf`). */
  clients: AzureClients;
  sources: EvidenceSources;
  diagnose: Diagnoser;
  /** The clock of this estate (the scenario's `now` in the lab). */
  now(): Date;
}

/** Everything the commands and the bot need. */
export interface Runtime {
  estates: Estate[];
  /** The lab, when running against scenarios. */
  lab: Lab | null;
  config: Config;
  /** Extra trusted roots for the TLS chain check, as PEM text. */
  extraCaPem: string | undefined;
  close(): Promise<void>;
}

/** How to build the runtime. */
export interface RuntimeOptions {
  /** Scenario folders; implies the lab. */
  scenarioDirectories?: string[];
  /** Use the built-in scenarios when there is no Azure setting (default true). */
  builtInScenarios?: boolean;
  /** Freeze each scenario's clock at its `now` (ask, tests) instead of letting lab time run (the bot's demo). */
  frozenClock?: boolean;
  /**
   * Run the lab in a child process (`startLabProcess`) rather than in this one, so this process holds
   * only the product, as beside Azure; needs the build (dist/) when running from TypeScript source.
   */
  labProcess?: boolean;
}

function outcomeOf<T extends AzureEvidenceDraft | AzureEvidenceDraft[]>(result: SourceResult<T>): SourceOutcome {
  if (!result.ok) return { evidence: [], gaps: [result.gap] };
  const evidence = Array.isArray(result.value) ? result.value : [result.value];
  return { evidence: evidence as SourceOutcome['evidence'], gaps: result.gaps ?? [] };
}

/** Resource types whose configuration the rules may cite. */
const CITABLE_TYPES = new Set([
  'microsoft.network/virtualnetworks', 'microsoft.network/routetables', 'microsoft.network/networksecuritygroups',
  'microsoft.network/azurefirewalls', 'microsoft.network/firewallpolicies', 'microsoft.network/firewallpolicies/rulecollectiongroups',
  'microsoft.network/virtualnetworkgateways', 'microsoft.network/connections', 'microsoft.network/localnetworkgateways',
  'microsoft.network/privateendpoints', 'microsoft.network/privatednszones', 'microsoft.network/privatednszones/virtualnetworklinks',
  'microsoft.network/networkinterfaces', 'microsoft.network/networkwatchers/flowlogs', 'microsoft.keyvault/vaults', 'microsoft.web/sites',
  'microsoft.insights/diagnosticsettings', 'microsoft.compute/virtualmachines',
]);

function networkWatcherFor(topology: Topology, resourceId: string): string | null {
  const location = [...topology.virtualMachines, ...topology.networkInterfaces].find((item) => sameResourceId(item.id, resourceId))?.location;
  const watcher = topology.networkWatchers.find((candidate) => candidate.location.toLowerCase() === location?.toLowerCase()) ?? topology.networkWatchers[0];
  return watcher?.id ?? null;
}

function trafficAnalyticsInterval(topology: Topology): 10 | 60 {
  const intervals = topology.flowLogs.filter((log) => log.enabled && log.trafficAnalytics?.enabled).map((log) => log.trafficAnalytics?.intervalInMinutes ?? 60);
  return intervals.some((interval) => interval >= 60) || intervals.length === 0 ? 60 : 10;
}

/** The AzureFirewallSubnet prefixes of the estate's firewalls, sorted (the SNAT sources of application rules). */
function firewallSubnetPrefixes(topology: Topology): string[] {
  const subnets = topology.virtualNetworks.flatMap((network) => network.subnets);
  const prefixes = topology.firewalls.flatMap((firewall) => subnets.find((subnet) => sameResourceId(subnet.id, firewall.subnetId))?.addressPrefixes ?? []);
  return [...new Set(prefixes)].sort();
}

function flowFilter(flow: FlowSelector) {
  return {
    source: flow.sourceIp, destination: flow.destinationIp, port: flow.port, protocol: flow.protocol,
    destinationNames: flow.destinationFqdn ? [flow.destinationFqdn] : [],
    window: { start: flow.window.start.toISOString(), end: flow.window.end.toISOString() },
  };
}

const noWatcher = (source: string): SourceOutcome => ({ evidence: [], gaps: [{ source, reason: 'not-found', detail: 'no Network Watcher in the region of the resource' } satisfies Gap] });

/**
 * The reader limits beside the byte cap (NETPROOF_LIMITS_DECOMPRESSED_BYTES, _PACKETS, _CONVERSATIONS),
 * for every capture the runtime analyses: finished captures found in Azure, uploads the LLM analyses.
 */
export function captureReaderLimitsOf(config: Pick<Config, 'NETPROOF_LIMITS_DECOMPRESSED_BYTES' | 'NETPROOF_LIMITS_PACKETS' | 'NETPROOF_LIMITS_CONVERSATIONS'>): Omit<CaptureLimits, 'maxInputBytes'> {
  return {
    maxDecompressedBytes: config.NETPROOF_LIMITS_DECOMPRESSED_BYTES,
    maxPackets: config.NETPROOF_LIMITS_PACKETS,
    maxConversations: config.NETPROOF_LIMITS_CONVERSATIONS,
  };
}

/** Adapts the Azure facade to the investigation's ports. */
export function evidenceSourcesOf(
  facade: AzureEvidenceSources, now: () => Date,
  options: { extraCaPem?: string | undefined; maxCaptureBytes?: number; captureLimits?: Omit<CaptureLimits, 'maxInputBytes'> },
): EvidenceSources {
  const topology = async (signal?: AbortSignal): Promise<Topology | null> => {
    const estate = await facade.estate(signal);
    return estate.ok ? estate.value.topology : null;
  };
  return {
    async topology(signal) {
      const estate = await facade.estate(signal);
      if (!estate.ok) return { topology: null, evidence: [], gaps: [estate.gap] };
      const { topology: model, resources } = estate.value;
      const cited = resources.filter((resource) => CITABLE_TYPES.has(resource.type.toLowerCase())).sort((left, right) => left.id.localeCompare(right.id));
      return {
        topology: model,
        evidence: [topologyEvidence(model, []), ...cited.map((resource) => resourceEvidence(resource))] as SourceOutcome['evidence'],
        gaps: estate.gaps ?? [],
      };
    },
    async firewallLogs(flow, signal) {
      return outcomeOf(await facade.firewallLogs(flowFilter(flow), signal));
    },
    async flowLogs(flow, signal) {
      const model = await topology(signal);
      const interval = model ? trafficAnalyticsInterval(model) : 60;
      // Behind an application rule the server sees a firewall instance address (SNAT), not the
      // client's: the destination's flows from the AzureFirewallSubnet are the other side of the proxy.
      const proxied = flow.destinationIp !== null && flow.sourceIp !== null && model !== null ? firewallSubnetPrefixes(model) : [];
      const results = await Promise.all([
        facade.flowLogs(flowFilter(flow), interval, signal),
        ...proxied.map((prefix) => facade.flowLogs({ ...flowFilter(flow), source: prefix }, interval, signal)),
      ]);
      const outcomes = results.map(outcomeOf);
      const [first] = outcomes;
      // The proxied side adds rows; its failure alone is not a gap of the flow's own logs.
      return { evidence: outcomes.flatMap((outcome) => outcome.evidence), gaps: first?.gaps ?? [] };
    },
    async freshness(tables, signal) {
      const model = await topology(signal);
      const targets = tables.map((table) => ({
        table,
        expectedDelayInMinutes: table === 'NTANetAnalytics' || table === 'AzureNetworkAnalytics_CL'
          ? EXPECTED_DELAY_IN_MINUTES.trafficAnalytics(model ? trafficAnalyticsInterval(model) : 60)
          : table === 'AZKVAuditLogs' ? EXPECTED_DELAY_IN_MINUTES.keyVault : EXPECTED_DELAY_IN_MINUTES.firewall,
      }));
      return outcomeOf(await facade.freshness(targets, now().toISOString(), signal));
    },
    async keyVaultLogs(vaultId, flow, signal) {
      const window = { start: flow.window.start.toISOString(), end: flow.window.end.toISOString() };
      return outcomeOf(await facade.keyVaultLogs({ vaultId, window, callerIp: null }, signal));
    },
    async gateway(gatewayId, flow, signal) {
      const model = await topology(signal);
      const connections = (model?.connections ?? []).filter((connection) => sameResourceId(connection.gatewayId, gatewayId));
      const window = { start: flow.window.start.toISOString(), end: flow.window.end.toISOString() };
      const results = await Promise.all([
        ...connections.map(async (connection) => outcomeOf(await facade.gatewayConnection(connection.id, signal))),
        facade.gatewayLogs({ gatewayId, window }, signal).then(outcomeOf),
      ]);
      return { evidence: results.flatMap((result) => result.evidence), gaps: results.flatMap((result) => result.gaps) };
    },
    async nextHop(vmId, networkInterfaceId, sourceIp, destinationIp, signal) {
      const model = await topology(signal);
      const watcher = model ? networkWatcherFor(model, vmId) : null;
      if (!watcher) return noWatcher('nextHop');
      return outcomeOf(await facade.nextHop({ networkWatcherId: watcher, vmId, nicId: networkInterfaceId, sourceIp, destinationIp }, signal));
    },
    async effectiveRoutes(networkInterfaceId, signal) {
      return outcomeOf(await facade.effectiveRoutes(networkInterfaceId, signal));
    },
    async effectiveSecurityRules(networkInterfaceId, signal) {
      return outcomeOf(await facade.effectiveSecurityRules(networkInterfaceId, signal));
    },
    async ipFlowVerify(request, signal) {
      const model = await topology(signal);
      const watcher = model ? networkWatcherFor(model, request.vmId) : null;
      if (!watcher) return noWatcher('ipFlowVerify');
      const remotePort = request.remotePort === '*' ? 49152 : Number(request.remotePort);
      return outcomeOf(await facade.ipFlowVerify({
        networkWatcherId: watcher, vmId: request.vmId, direction: request.direction, protocol: request.protocol,
        localIp: request.localIp, localPort: Number(request.localPort), remoteIp: request.remoteIp, remotePort,
      }, signal));
    },
    async connectivityCheck(request, signal) {
      const model = await topology(signal);
      const watcher = model ? networkWatcherFor(model, request.sourceVmId) : null;
      if (!watcher) return noWatcher('connectivityCheck');
      return outcomeOf(await facade.connectivityCheck({
        networkWatcherId: watcher, sourceResourceId: request.sourceVmId,
        destination: { address: request.destinationAddress, port: request.port ?? 0 }, protocol: request.protocol,
      }, signal));
    },
    async existingCaptures(vmId, signal) {
      const model = await topology(signal);
      const watcher = model ? networkWatcherFor(model, vmId) : null;
      if (!watcher) return noWatcher('packetCapture');
      const listed = await facade.listPacketCaptures(watcher, signal);
      if (!listed.ok) return { evidence: [], gaps: [listed.gap] };
      const finished = listed.value.filter((capture) => sameResourceId(capture.target, vmId) && capture.storagePath);
      const evidence: SourceOutcome['evidence'] = [];
      const gaps: Gap[] = [];
      for (const capture of finished) {
        const opened = await facade.openCapture(capture.storagePath ?? '', signal);
        if (!opened.ok) { gaps.push(opened.gap); continue; }
        try {
          const report = await analyzeCapture(opened.value.stream, {
            ...(options.extraCaPem ? { extraCaPem: options.extraCaPem } : {}),
            limits: { ...options.captureLimits, ...(options.maxCaptureBytes ? { maxInputBytes: options.maxCaptureBytes } : {}) },
          });
          evidence.push({
            kind: 'capture', source: 'packetCapture',
            query: `GET ${capture.storagePath} (packet capture ${capture.name} on ${vmId})`,
            summary: `capture ${capture.name}: ${report.input.packets} packets, ${report.conversations.length} conversations${report.findings.length > 0 ? `; ${[...new Set(report.findings.map((finding) => finding.code))].join(', ')}` : ''}`,
            data: { targetId: vmId, fileName: capture.storagePath?.split('/').pop() ?? capture.name, report },
          });
        } catch (error) {
          gaps.push({ source: 'packetCapture', reason: 'failed', detail: `capture ${capture.name} could not be read: ${error instanceof Error ? error.message : String(error)}` });
        }
      }
      return { evidence, gaps };
    },
  };
}

function limitsOf(config: Config) {
  return {
    maxRows: config.NETPROOF_LIMITS_QUERY_ROWS,
    sourceTimeoutInMs: config.NETPROOF_LIMITS_SOURCE_TIMEOUT_MS,
    captureMaxBytes: config.NETPROOF_LIMITS_CAPTURE_BYTES,
    estateMaxAgeInMs: config.NETPROOF_LIMITS_ESTATE_MAX_AGE_MS,
  };
}

/** The pipeline bound to a set of evidence sources and a clock. */
function diagnoserOf(sources: EvidenceSources, now: () => Date, config: Config): Diagnoser {
  const timeZone = config.NETPROOF_TIMEZONE;
  return (request) => diagnose(request, {
    sources, now: now(), sourceTimeoutInMs: config.NETPROOF_LIMITS_SOURCE_TIMEOUT_MS, monotonicNow: () => performance.now(),
    ...(timeZone ? { timeZone } : {}),
  });
}

function estateOf(
  name: string, description: string, facade: AzureEvidenceSources, clients: AzureClients, ids: { subscriptionIds: string[]; workspaceIds: string[] },
  now: () => Date, config: Config, extraCaPem: string | undefined,
): Estate {
  const sources = evidenceSourcesOf(facade, now, { extraCaPem, maxCaptureBytes: config.NETPROOF_LIMITS_CAPTURE_BYTES, captureLimits: captureReaderLimitsOf(config) });
  return { name, description, facade, clients, ...ids, sources, now, diagnose: diagnoserOf(sources, now, config) };
}

/** The LLM assistant for an estate, or null when no LLM is configured (the rules then answer alone). */
export function assistantFor(runtime: Runtime, estate: Estate): Explainer | null {
  const { config } = runtime;
  const entraId = config.AZURE_OPENAI_ENDPOINT && !config.AZURE_OPENAI_API_KEY;
  return createAssistant(config, {
    sources: estate.sources,
    createDiagnoser: (scoped) => diagnoserOf(scoped, estate.now, config),
    now: estate.now,
    // get_flow_log_coverage reads the full coverage (policy, storage, firewall diagnostics), then scopes it to the user.
    coverage: (signal) => estateCoverage(runtime, estate, signal),
    captureOptions: { ...(runtime.extraCaPem ? { extraCaPem: runtime.extraCaPem } : {}), limits: { maxInputBytes: config.NETPROOF_LIMITS_UPLOAD_BYTES, ...captureReaderLimitsOf(config) } },
    ...(entraId ? { azureTokenProvider: getBearerTokenProvider(new DefaultAzureCredential(), 'https://cognitiveservices.azure.com/.default') } : {}),
  });
}

/** Builds the runtime from the configuration: Azure when an estate is configured, else the lab. */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const extraCaPem = config.NETPROOF_EXTRA_CA_FILE ? readFileSync(config.NETPROOF_EXTRA_CA_FILE, 'utf8') : undefined;
  const directories = options.scenarioDirectories ?? (config.NETPROOF_SCENARIO ? [config.NETPROOF_SCENARIO] : []);
  const useAzure = directories.length === 0 && config.AZURE_SUBSCRIPTION_ID.length > 0;
  if (useAzure) {
    const clients = createAzureClients();
    const facade = new AzureEvidenceSources({
      clients, subscriptionIds: config.AZURE_SUBSCRIPTION_ID, workspaceIds: config.AZURE_LOG_ANALYTICS_WORKSPACE_ID, limits: limitsOf(config),
    });
    const ids = { subscriptionIds: config.AZURE_SUBSCRIPTION_ID, workspaceIds: config.AZURE_LOG_ANALYTICS_WORKSPACE_ID };
    const estate = estateOf('azure', `subscriptions ${config.AZURE_SUBSCRIPTION_ID.join(', ')}`, facade, clients, ids, () => new Date(), config, extraCaPem);
    return { estates: [estate], lab: null, config, extraCaPem, close: async () => {} };
  }
  const folders = directories.length > 0 ? directories : options.builtInScenarios === false ? [] : listBuiltInScenarios();
  let lab: Lab;
  if (options.labProcess) {
    lab = await startLabProcess({ scenarios: folders, frozenClock: options.frozenClock ?? false });
  } else {
    const scenarios: LoadedScenario[] = await Promise.all(folders.map((directory) => loadScenario(directory)));
    const clock: LabClock = options.frozenClock ? new ManualClock() : new RealClock();
    lab = await startLab({ scenarios, clock });
  }
  const storage = lab.storage;
  const estates = lab.scenarios.map((loaded) => {
    const scenario = loaded.scenario;
    // Scenarios may share subscription or workspace ids; each estate talks to its own scenario's prefix.
    const clients = createEmulatorClients(lab.endpointsFor(scenario.name), {
      retry: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
      ...(storage ? { blobService: (accountUrl: string) => {
        // Azure names the account in the host (acct.blob.core.windows.net); Azurite in the first path segment.
        const url = new URL(accountUrl);
        const account = /\.blob\./i.test(url.hostname) ? url.hostname.split('.')[0] ?? '' : url.pathname.split('/').filter(Boolean)[0] ?? '';
        return new BlobServiceClient(storage.accountUrl(account), storage.credential(account));
      } } : {}),
    });
    const subscriptionIds = [scenario.subscriptionId, ...(scenario.subscriptionIds ?? [])].filter((value, index, all) => all.indexOf(value) === index);
    const facade = new AzureEvidenceSources({ clients, subscriptionIds, workspaceIds: [scenario.workspaceId], limits: limitsOf(config) });
    const now = () => scenarioTime(scenario.now, lab.clock);
    return estateOf(scenario.name, scenario.description ?? scenario.name, facade, clients, { subscriptionIds, workspaceIds: [scenario.workspaceId] }, now, config, extraCaPem);
  });
  return { estates, lab, config, extraCaPem, close: () => lab.close() };
}

/**
 * Picks the estate a question is about when the runtime holds several (the built-in
 * lab scenarios): the first whose names the question resolves against, else the first.
 */
export async function selectEstate(runtime: Runtime, text: string): Promise<Estate> {
  const [first] = runtime.estates;
  if (!first) throw new UserInputError('estate.none', 'no estate to investigate: configure AZURE_SUBSCRIPTION_ID or pass --scenario DIR');
  if (runtime.estates.length === 1) return first;
  for (const estate of runtime.estates) {
    const loaded = await estate.facade.estate();
    if (!loaded.ok) continue;
    const outcome = parseQuestion(text, { now: estate.now(), names: knownNames(loaded.value.topology) });
    if (outcome.kind === 'question') return estate;
  }
  return first;
}

const coverageClients = new WeakMap<Runtime, Map<string, { clients: ReturnType<typeof createAzureClients>; armEndpoint: string }>>();

/**
 * Flow-log coverage of one estate: the estate the facade already read, plus what coverage reads
 * beside it (policy assignments from PolicyResources, storage accounts, the firewalls' diagnostic
 * settings), through clients built like the runtime's. A failed estate read is a gap.
 */
export async function estateCoverage(runtime: Runtime, estate: Estate, signal?: AbortSignal): Promise<{ ok: true; report: CoverageReport } | { ok: false; gap: Gap }> {
  const loaded = await estate.facade.estate(signal);
  if (!loaded.ok) return { ok: false, gap: loaded.gap };
  const perEstate = coverageClients.get(runtime) ?? new Map<string, { clients: ReturnType<typeof createAzureClients>; armEndpoint: string }>();
  coverageClients.set(runtime, perEstate);
  let built = perEstate.get(estate.name);
  if (!built) {
    // In the lab each estate talks to its own scenario's endpoints, as createRuntime wires them.
    const endpoints = runtime.lab?.endpointsFor(estate.name);
    built = endpoints
      ? { clients: createEmulatorClients(endpoints, { retry: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } }), armEndpoint: endpoints.arm }
      : { clients: createAzureClients(), armEndpoint: 'https://management.azure.com' };
    perEstate.set(estate.name, built);
  }
  const scenario = runtime.lab?.scenarios.find((candidate) => candidate.scenario.name === estate.name)?.scenario;
  const subscriptions = scenario
    ? [scenario.subscriptionId, ...(scenario.subscriptionIds ?? [])].filter((value, index, all) => all.indexOf(value) === index)
    : runtime.config.AZURE_SUBSCRIPTION_ID;
  const { clients, armEndpoint } = built;
  const facts = await loadCoverageFacts(
    { resourceGraph: clients.resourceGraph, arm: armGetOf(clients.network(subscriptions[0] ?? ''), armEndpoint) },
    subscriptions, loaded.value, { timeoutInMs: runtime.config.NETPROOF_LIMITS_SOURCE_TIMEOUT_MS, ...(signal ? { abortSignal: signal } : {}) },
  );
  if (!facts.ok) return { ok: false, gap: facts.gap };
  return { ok: true, report: computeCoverage(loaded.value.topology, facts.value) };
}

/** A lab scenario's own question (its expect.json) and folder name, for the bot's scenario list; nulls outside the lab. */
export function scenarioOf(runtime: Runtime, estate: Estate): { question: string | null; folder: string | null } {
  const loaded = runtime.lab?.scenarios.find((candidate) => candidate.scenario.name === estate.name);
  if (!loaded) return { question: null, folder: null };
  return { question: loaded.expectation?.question ?? null, folder: loaded.directory?.split(/[\\/]/).filter(Boolean).pop() ?? null };
}

function probeFailure(gap: Gap): Extract<ProbeOutcome, { ok: false }> {
  const reason = gap.reason === 'no-permission' ? 'no-permission' : gap.reason === 'not-found' ? 'not-found' : 'failed';
  return { ok: false, reason, detail: `${gap.source}: ${gap.detail}` };
}

function inSubscription(subscriptionId: string, resourceId: string): boolean {
  return resourceId.toLowerCase().startsWith(`/subscriptions/${subscriptionId.toLowerCase()}/`);
}

/**
 * The Azure side of `netproof doctor` for one estate, through the same SDK clients and facade the bot uses
 * (so against the lab it checks the emulator): each subscription read through Resource Graph, each workspace
 * asked a one-row query, a Network Watcher in every region with VNets, one Network Watcher operation (next hop,
 * read-only) where a VM allows it, flow logs and firewall diagnostics from the coverage read, and a listing
 * of the capture storage account.
 */
export function doctorProbeOf(runtime: Runtime, estate: Estate): AzureDoctorProbe {
  const limits = limitsOf(runtime.config);
  const perSubscription = new Map<string, Promise<SourceResult<AzureEstate>>>();
  const estateOfSubscription = (subscriptionId: string) => {
    let load = perSubscription.get(subscriptionId);
    if (!load) {
      load = new AzureEvidenceSources({ clients: estate.clients, subscriptionIds: [subscriptionId], workspaceIds: [], limits }).estate();
      perSubscription.set(subscriptionId, load);
    }
    return load;
  };
  let coverage: ReturnType<typeof estateCoverage> | undefined;
  const coverageOnce = () => (coverage ??= estateCoverage(runtime, estate));
  return {
    async readSubscription(subscriptionId) {
      const loaded = await estateOfSubscription(subscriptionId);
      if (!loaded.ok) return probeFailure(loaded.gap);
      const count = loaded.value.resources.length;
      // Resource Graph leaves out subscriptions the identity cannot read instead of failing.
      if (count === 0) return { ok: false, reason: 'not-found', detail: 'Resource Graph returned no resource of it: the identity may lack Reader there, or it is empty' };
      return { ok: true, detail: `Resource Graph returned ${count} resource(s)` };
    },
    async queryWorkspace(workspaceId) {
      try {
        await estate.clients.logs.queryWorkspace(workspaceId, 'AzureDiagnostics | take 1 | project TimeGenerated', { duration: 'PT1H' }, { serverTimeoutInSeconds: 30 });
        return { ok: true, detail: 'a one-row query ran' };
      } catch (error) {
        const gap = gapFromError('Log Analytics', error);
        // A table the workspace lacks still proves the identity may query it.
        if (gap.reason === 'not-enabled') return { ok: true, detail: `the workspace answered (${gap.detail})` };
        return probeFailure(gap);
      }
    },
    async networkWatchers(subscriptionId) {
      const loaded = await estateOfSubscription(subscriptionId);
      if (!loaded.ok) return probeFailure(loaded.gap);
      const { topology } = loaded.value;
      return { ok: true, vnetRegions: topology.virtualNetworks.map((network) => network.location), watcherRegions: topology.networkWatchers.map((watcher) => watcher.location) };
    },
    async networkWatcherOperations(subscriptionId) {
      const loaded = await estateOfSubscription(subscriptionId);
      if (!loaded.ok) return probeFailure(loaded.gap);
      const { topology } = loaded.value;
      for (const machine of topology.virtualMachines) {
        const nic = topology.networkInterfaces.find((candidate) => machine.networkInterfaceIds.some((id) => sameResourceId(id, candidate.id)) && candidate.privateIpAddresses.length > 0);
        const watcher = topology.networkWatchers.find((candidate) => candidate.location.toLowerCase() === machine.location.toLowerCase());
        const address = nic?.privateIpAddresses[0];
        if (!nic || !watcher || !address) continue;
        // Next hop computes a route and changes nothing; it needs the networkWatchers/nextHop/action permission.
        const hop = await estate.facade.nextHop({ networkWatcherId: watcher.id, vmId: machine.id, nicId: nic.id, sourceIp: address, destinationIp: address });
        if (!hop.ok && hop.gap.reason === 'no-permission') return probeFailure(hop.gap);
        return { ok: true, detail: hop.ok ? `next hop ran on ${machine.name} through ${watcher.name}` : `next hop on ${machine.name} was allowed but failed: ${hop.gap.detail}` };
      }
      return { ok: true, detail: 'not tried: no VM with a Network Watcher in its region' };
    },
    async flowLogs(subscriptionId) {
      const outcome = await coverageOnce();
      if (!outcome.ok) return probeFailure(outcome.gap);
      return {
        ok: true,
        vnets: outcome.report.vnets.filter((vnet) => inSubscription(subscriptionId, vnet.id))
          .map((vnet) => ({ id: vnet.id, name: vnet.name, region: vnet.region, flowLogs: vnet.flowLogs as FlowLogState })),
      };
    },
    async firewallDiagnostics(subscriptionId) {
      const outcome = await coverageOnce();
      if (!outcome.ok) return probeFailure(outcome.gap);
      return {
        ok: true,
        firewalls: outcome.report.firewalls.filter((firewall) => inSubscription(subscriptionId, firewall.id))
          .map((firewall) => ({ id: firewall.id, name: firewall.name, resourceSpecificLogs: firewall.resourceSpecificLogs })),
      };
    },
    async readCaptureStorage(storageAccountId) {
      const name = storageAccountId.split('/').filter(Boolean).pop() ?? '';
      const listed = await estate.facade.listCaptureFiles(`https://${name}.blob.core.windows.net/${CAPTURE_CONTAINER}/`);
      if (listed.ok) return { ok: true, detail: `${listed.value.length} capture file(s) in ${CAPTURE_CONTAINER}` };
      // No capture container yet: the account answered, so listing is allowed.
      if (listed.gap.reason === 'not-found') return { ok: true, detail: `the account answered; no ${CAPTURE_CONTAINER} container yet` };
      return probeFailure(listed.gap);
    },
  };
}

/** The runtime's estates as the capture-job engine takes them, each with its clock (a lab scenario's captures change nothing real). */
export function captureEstatesOf(runtime: Runtime): CaptureEstate[] {
  return runtime.estates.map((estate) => ({ name: estate.name, lab: runtime.lab !== null, azure: estate.facade, diagnose: estate.diagnose, now: estate.now }));
}

/**
 * The runtime's estates as the bot takes them: each with its pipeline, its LLM assistant
 * (`assistantFor`, null without LLM settings), its flow-log coverage (`estateCoverage`), and
 * for lab scenarios the folder name and the scenario's own question (the chat's scenario list);
 * a question with no chosen estate goes to `selectEstate`'s.
 */
export function botEstatesOf(runtime: Runtime, options: { assistants?: boolean } = {}): BotEstates {
  const list: BotEstate[] = runtime.estates.map((estate) => {
    const scenario = scenarioOf(runtime, estate);
    return {
      name: estate.name,
      description: estate.description,
      aliases: scenario.folder && scenario.folder !== estate.name ? [scenario.folder] : [],
      example: scenario.question,
      subscriptionIds: estate.subscriptionIds,
      diagnose: estate.diagnose,
      assistant: options.assistants === false ? null : assistantFor(runtime, estate),
      coverage: (signal) => estateCoverage(runtime, estate, signal),
    };
  });
  const byName = new Map(list.map((estate) => [estate.name, estate]));
  return {
    list,
    lab: runtime.lab !== null,
    async select(text) {
      const chosen = await selectEstate(runtime, text);
      const estate = byName.get(chosen.name);
      if (!estate) throw new Error(`selectEstate returned an unknown estate ${chosen.name}`);
      return estate;
    },
  };
}
