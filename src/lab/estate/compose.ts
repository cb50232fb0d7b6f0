/**
 * Assembles a scenario.json (CONTRACTS.md section 4) from an estate, its
 * traffic and a story's own evidence, and serialises it deterministically.
 */
import { buildResources, type ArmBody } from './arm.js';
import { Ids } from './ids.js';
import type { EstateSpec } from './model.js';
import { Random } from './random.js';
import { effectiveRoutes } from './routing.js';
import { effectiveSecurityGroups } from './security.js';
import { TrafficLog, type FlowTemplate } from './traffic.js';

/** What a story adds on top of the estate and background traffic. */
export interface Story {
  /** Folder and scenario name. */
  name: string;
  description: string;
  /** The lab clock (ISO, UTC). */
  now: string;
  /** How many hours of history the tables hold. */
  historyInHours: number;
  estate: EstateSpec;
  flows: FlowTemplate[];
  /** Story-specific rows and extra background, after the flows have run. */
  extend?: (log: TrafficLog, random: Random, window: { startMs: number; endMs: number }) => void;
  nextHop?: { request: Record<string, unknown>; response: Record<string, unknown> }[];
  ipFlowVerify?: { request: Record<string, unknown>; response: Record<string, unknown> }[];
  connectivityCheck?: { request: Record<string, unknown>; response: Record<string, unknown> }[];
  packetCaptures?: { target: string; file: string }[];
  /** ARM bodies the estate model does not describe (e.g. other regions of a coverage estate), appended as they are. */
  extraResources?: ArmBody[];
  /** Further expectation files written beside expect.json (file name to content), e.g. expect-coverage.json. */
  extraExpectations?: Record<string, unknown>;
  expect: {
    question: string;
    status: 'ok' | 'failing' | 'unknown';
    layer: 'none' | 'dns' | 'path' | 'transport' | 'tls' | 'application';
    cause: string;
    contributing: string[];
    blockedAt: { component: string } | null;
    rationale: string;
  };
}

/** Tables in the order the scenario lists them. */
const TABLE_ORDER = ['AZFWNetworkRule', 'AZFWApplicationRule', 'AZFWNatRule', 'AZFWThreatIntel', 'AZFWIdpsSignature', 'AZFWDnsQuery', 'AZFWFlowTrace', 'NTANetAnalytics', 'AzureNetworkAnalytics_CL', 'AZKVAuditLogs', 'AzureDiagnostics'];

/** The minimum number of rows a table present in a scenario holds. */
export const MINIMUM_ROWS = 20;

/** Builds scenario.json and expect.json objects for a story. */
export function composeScenario(story: Story): { scenario: Record<string, unknown>; expect: Record<string, unknown> } {
  const estate = story.estate;
  const ids = new Ids(estate.organisation.subscriptionId);
  const nowMs = Date.parse(story.now);
  const startMs = nowMs - story.historyInHours * 3_600_000;
  const random = new Random(story.name);
  const log = new TrafficLog(estate, nowMs, random);
  for (const flow of story.flows) log.run(flow, startMs, nowMs);
  story.extend?.(log, random, { startMs, endMs: nowMs });
  log.flushTrafficAnalytics();

  const tables: Record<string, Record<string, unknown>[]> = {};
  const names = Object.keys(log.tables).sort((a, b) => (TABLE_ORDER.indexOf(a) + 100 * Number(!TABLE_ORDER.includes(a))) - (TABLE_ORDER.indexOf(b) + 100 * Number(!TABLE_ORDER.includes(b))));
  for (const name of names) {
    const rows = (log.tables[name] ?? []).filter((row) => Date.parse(String(row.TimeGenerated)) <= nowMs);
    rows.sort((a, b) => Date.parse(String(a.TimeGenerated)) - Date.parse(String(b.TimeGenerated)));
    if (rows.length < MINIMUM_ROWS) throw new Error(`${story.name}: table ${name} has ${rows.length} rows, fewer than ${MINIMUM_ROWS}`);
    tables[name] = rows;
  }

  const running = estate.vms.filter((vm) => (vm.powerState ?? 'running') === 'running');
  const scenario: Record<string, unknown> = {
    name: story.name,
    description: story.description,
    now: story.now,
    subscriptionId: estate.organisation.subscriptionId,
    workspaceId: estate.organisation.workspaceId,
    resources: [...buildResources(estate), ...(story.extraResources ?? [])],
    effectiveRoutes: Object.fromEntries(running.map((vm) => [ids.nic(vm), effectiveRoutes(estate, vm.vnet, vm.subnet)])),
    effectiveSecurityRules: Object.fromEntries(running.map((vm) => [ids.nic(vm), effectiveSecurityGroups(estate, ids, vm)])),
    nextHop: story.nextHop ?? [],
    ipFlowVerify: story.ipFlowVerify ?? [],
    connectivityCheck: story.connectivityCheck ?? [],
    tables,
    packetCaptures: story.packetCaptures ?? [],
    faults: [],
  };
  const expect = { question: story.expect.question, status: story.expect.status, layer: story.expect.layer, cause: story.expect.cause, contributing: story.expect.contributing, blockedAt: story.expect.blockedAt, rationale: story.expect.rationale };
  return { scenario, expect };
}

/** Serialises as the committed files are written (one-space indent, trailing newline). */
export function serialise(value: unknown): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}
