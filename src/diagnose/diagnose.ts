/**
 * The whole deterministic pipeline behind `netproof ask`, the bot and the LLM's
 * `diagnose_connection` tool: read the estate, parse the question against its
 * names, place the endpoints, run the investigation, let the rules decide, and
 * assemble the Verdict with every piece of evidence numbered in plan order.
 */
import {
  CAUSES, toEvidenceItem, type Evidence, type EvidenceItem, type Gap, type Question, type Topology, type Verdict,
} from '../domain/index.js';
import { decide, focusCapture, type RuleInput } from '../rules/index.js';
import { placeEndpoint } from './endpoints.js';
import { numberEvidence, planInvestigation, planSiteActivity, runPlan } from './investigate.js';
import type { EvidenceDraft, EvidenceSources, FlowSelector, SourceTiming } from './ports.js';
import { parseQuestion, type KnownName, type ParsedQuestion } from './question.js';
import { scopeSources } from '../../tools/support/scope.js';

/** What a turn asks the pipeline. */
export interface DiagnoseRequest {
  text: string;
  /** The previous question of the conversation, for follow-ups. */
  previous?: ParsedQuestion;
  /** The user's time zone (the Teams client's), when no zone is configured. */
  timeZone?: string;
  /** Evidence the conversation already holds (an uploaded capture, a finished capture job). */
  extraEvidence?: EvidenceDraft[];
  /**
   * The subscriptions the asker may investigate; absent: every one the sources cover. The sources are
   * then scoped (the LLM layer's `scopeSources`): resources elsewhere do not exist, rows naming them are dropped.
   */
  subscriptionIds?: string[];
}

/** What the pipeline needs around it. */
export interface DiagnoseDependencies {
  sources: EvidenceSources;
  /** The injected clock: the lab scenario's `now`, or real time. */
  now: Date;
  /** The configured time zone (NETPROOF_TIMEZONE), which wins over the client's. */
  timeZone?: string;
  sourceTimeoutInMs: number;
  /** Monotonic milliseconds for timings (never part of the verdict). */
  monotonicNow: () => number;
}

/** The answer: a verdict, or a question back to the user. */
export type DiagnoseOutcome =
  | { kind: 'verdict'; verdict: Verdict; question: ParsedQuestion; timings: SourceTiming[]; topology: Topology | null }
  | { kind: 'clarify'; code: string; message: string; candidates: string[] };

/** A pipeline bound to its dependencies. */
export type Diagnoser = (request: DiagnoseRequest) => Promise<DiagnoseOutcome>;

const EMPTY_TOPOLOGY: Topology = {
  virtualNetworks: [], routeTables: [], networkSecurityGroups: [], networkInterfaces: [], virtualMachines: [], firewalls: [],
  gateways: [], connections: [], privateEndpoints: [], privateDnsZones: [], keyVaults: [], webApps: [], flowLogs: [],
  diagnosticSettings: [], networkWatchers: [],
};

/**
 * The names a question may use, from the estate. A PaaS resource fronted by a private
 * endpoint answers to its endpoint's addresses too, and one the estate knows only as an
 * endpoint's target (a storage account, a SQL server) is named after the last segment of
 * that target id, so `<account>.blob.core.windows.net` resolves to it.
 */
export function knownNames(topology: Topology): KnownName[] {
  const targetKinds: Record<string, string> = {
    'microsoft.storage/storageaccounts': 'storageAccount', 'microsoft.keyvault/vaults': 'keyVault', 'microsoft.web/sites': 'webApp',
    'microsoft.sql/servers': 'sqlServer', 'microsoft.documentdb/databaseaccounts': 'cosmosDb', 'microsoft.cache/redis': 'redisCache',
    'microsoft.servicebus/namespaces': 'serviceBus', 'microsoft.containerregistry/registries': 'containerRegistry',
    'microsoft.dbformysql/flexibleservers': 'mysqlServer', 'microsoft.dbformysql/servers': 'mysqlServer',
    'microsoft.dbforpostgresql/flexibleservers': 'postgresServer', 'microsoft.dbforpostgresql/servers': 'postgresServer',
  };
  const ipsOfNics = (ids: string[]) => topology.networkInterfaces
    .filter((nic) => ids.some((id) => id.toLowerCase() === nic.id.toLowerCase()))
    .flatMap((nic) => nic.privateIpAddresses);
  const ipsOfEndpointsTo = (id: string) => [...new Set(topology.privateEndpoints
    .filter((endpoint) => endpoint.targetResourceId?.toLowerCase() === id.toLowerCase())
    .flatMap((endpoint) => endpoint.privateIpAddresses))].sort();
  const listed = new Set([...topology.keyVaults, ...topology.webApps].map((resource) => resource.id.toLowerCase()));
  const targets = [...new Map(topology.privateEndpoints.flatMap((endpoint) => {
    const id = endpoint.targetResourceId;
    if (!id || listed.has(id.toLowerCase())) return [];
    const match = /\/providers\/([^/]+\/[^/]+)\/([^/]+)$/u.exec(id);
    const kind = match?.[1] ? targetKinds[match[1].toLowerCase()] : undefined;
    return kind && match?.[2] ? [[id.toLowerCase(), { name: match[2], kind, resourceId: id, ips: ipsOfEndpointsTo(id) }] as const] : [];
  })).values()];
  return [
    ...topology.virtualMachines.map((machine) => ({ name: machine.name, kind: 'virtualMachine', resourceId: machine.id, ips: ipsOfNics(machine.networkInterfaceIds) })),
    ...topology.keyVaults.map((vault) => ({ name: vault.name, kind: 'keyVault', resourceId: vault.id, ips: ipsOfEndpointsTo(vault.id) })),
    ...topology.webApps.map((app) => ({ name: app.name, kind: 'webApp', resourceId: app.id, ips: ipsOfEndpointsTo(app.id) })),
    ...targets,
    ...topology.privateEndpoints.map((endpoint) => ({ name: endpoint.name, kind: 'privateEndpoint', resourceId: endpoint.id, ips: endpoint.privateIpAddresses })),
    ...topology.firewalls.map((firewall) => ({ name: firewall.name, kind: 'azureFirewall', resourceId: firewall.id, ips: firewall.privateIpAddress ? [firewall.privateIpAddress] : [] })),
    ...topology.networkInterfaces.map((nic) => ({ name: nic.name, kind: 'networkInterface', resourceId: nic.id, ips: nic.privateIpAddresses })),
    ...topology.virtualNetworks.map((network) => ({ name: network.name, kind: 'virtualNetwork', resourceId: network.id, ips: [] })),
  ];
}

/** The contract's question (the Verdict's `question`) from the parsed one. */
function contractQuestion(parsed: ParsedQuestion, sourceIp: string | null, destinationIp: string | null): Question {
  return {
    text: parsed.text,
    source: { ip: sourceIp, name: parsed.source.name, resourceId: parsed.source.resourceId },
    destination: { ip: destinationIp, name: parsed.destination.name, resourceId: parsed.destination.resourceId },
    protocol: parsed.protocol,
    port: parsed.port,
    window: parsed.window,
  };
}

/**
 * An evidence item as the Verdict carries it. A capture keeps what the rules consult for this question
 * and the conversations its own findings cite (`focusCapture`), with the totals and how many were left
 * out: the Verdict is stored, rendered and explained, and the whole report is the upload's analysis.
 */
function verdictEvidence(input: RuleInput, item: Evidence): EvidenceItem {
  const shown = toEvidenceItem(item);
  if (item.kind !== 'capture') return shown;
  const focused = focusCapture(input, item.data.report);
  if (focused.leftOut.conversations === 0 && focused.leftOut.findings === 0) return shown;
  return { ...shown, data: { ...shown.data, report: focused.report, totals: focused.totals, leftOut: focused.leftOut } };
}

/** Runs the pipeline for one question. */
export async function diagnose(request: DiagnoseRequest, dependencies: DiagnoseDependencies): Promise<DiagnoseOutcome> {
  const sources = request.subscriptionIds ? scopeSources(dependencies.sources, { subscriptionIds: request.subscriptionIds }) : dependencies.sources;
  const runOptions = { sourceTimeoutInMs: dependencies.sourceTimeoutInMs, monotonicNow: dependencies.monotonicNow };
  let topology: Topology | null = null;
  const topologyRun = await runPlan([{
    name: 'topology',
    source: 'Azure Resource Graph',
    run: async (signal) => {
      const outcome = await sources.topology(signal);
      topology = outcome.topology;
      return outcome;
    },
  }], runOptions);
  const topologyOutcome = topologyRun.outcomes[0] ?? { evidence: [], gaps: [] };
  const estate: Topology = topology ?? EMPTY_TOPOLOGY;

  const timeZone = dependencies.timeZone ?? request.timeZone;
  const parsed = parseQuestion(request.text, {
    now: dependencies.now,
    names: knownNames(estate),
    ...(timeZone ? { timeZone } : {}),
    ...(request.previous ? { previous: request.previous } : {}),
  });
  if (parsed.kind === 'clarify') {
    // With the estate unreadable every name is "unknown": say why instead, and how to ask without names.
    const estateGap = topology === null ? topologyOutcome.gaps[0] : undefined;
    if (estateGap && parsed.code === 'question.unknown-name') {
      return {
        kind: 'clarify', code: 'estate.unreadable', candidates: [],
        message: `The estate could not be read (${estateGap.source}: ${estateGap.reason}, ${estateGap.detail}), so names cannot be resolved: try again in a moment, or name the endpoints by IP address.`,
      };
    }
    return parsed;
  }
  const question = parsed.question;

  const source = placeEndpoint(estate, question.source);
  const destination = placeEndpoint(estate, question.destination);
  const flow: FlowSelector = {
    sourceIp: source.ip,
    destinationIp: destination.ip,
    destinationFqdn: question.destination.fqdn ?? destination.hostName,
    protocol: question.protocol,
    port: question.port,
    window: { start: new Date(question.window.start), end: new Date(question.window.end) },
  };
  const planInput = { flow, source, destination, topology: estate };
  const planned = await runPlan(planInvestigation(planInput, sources), runOptions);
  // What the plan found decides the follow-up; its evidence is numbered after the plan's.
  const followUp = await runPlan(planSiteActivity(planInput, planned.outcomes, sources), runOptions);
  const run = { outcomes: [...planned.outcomes, ...followUp.outcomes], timings: [...planned.timings, ...followUp.timings] };

  const drafts: EvidenceDraft[] = [
    ...topologyOutcome.evidence,
    ...run.outcomes.flatMap((outcome) => outcome.evidence),
    ...(request.extraEvidence ?? []),
  ];
  const evidence: Evidence[] = numberEvidence(drafts);
  const gaps: Gap[] = [...topologyOutcome.gaps, ...run.outcomes.flatMap((outcome) => outcome.gaps)];
  const contract = contractQuestion(question, source.ip ?? question.source.ip, destination.ip ?? question.destination.ip);
  const ruleInput: RuleInput = { question: contract, topology: estate, evidence, gaps, now: dependencies.now, destinationFqdn: flow.destinationFqdn };
  const decision = decide(ruleInput);

  const verdict: Verdict = {
    question: contract,
    status: decision.status,
    layer: decision.layer,
    cause: decision.cause,
    contributing: decision.contributing,
    blockedAt: decision.blockedAt,
    confidence: decision.confidence,
    summary: decision.summary || CAUSES[decision.cause].meaning,
    findings: decision.findings.map((finding, index) => ({ id: `f${index + 1}`, code: finding.code, summary: finding.summary, evidence: finding.evidence })),
    evidence: evidence.map((item) => verdictEvidence(ruleInput, item)),
    gaps,
    nextSteps: [...question.assumptions.map((assumption) => `Assumed: ${assumption}`), ...decision.nextSteps],
  };
  return { kind: 'verdict', verdict, question, timings: [...topologyRun.timings, ...run.timings], topology };
}
