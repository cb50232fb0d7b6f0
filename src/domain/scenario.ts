/** The scenario folder format, the lab's input (CONTRACTS.md section 4). */
import { z } from 'zod';
import { CauseCodeSchema, ComponentSchema, ContributingCodeSchema, LayerSchema, StatusSchema } from './vocabulary.js';

/** An ARM GET body: id, name, type, location and properties; anything else Azure sends is kept. */
export const ArmResourceSchema = z.looseObject({
  id: z.string().startsWith('/subscriptions/', { message: 'a resource id starts with /subscriptions/' }),
  name: z.string().min(1),
  type: z.string().min(1),
  location: z.string().optional(),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type ArmResource = z.infer<typeof ArmResourceSchema>;

/** A pinned Network Watcher answer, matched on the request's fields. */
export const PinnedAnswerSchema = z.object({
  request: z.record(z.string(), z.unknown()),
  response: z.record(z.string(), z.unknown()),
});

/** A Log Analytics row: column name to value (datetimes as ISO strings). `_IngestionTime` feeds `ingestion_time()`. */
export const TableRowSchema = z.record(z.string(), z.unknown());

/** Which lab surface a fault applies to. */
export const FaultTargetSchema = z.enum(['logs', 'resourceGraph', 'arm', 'networkWatcher', 'packetCapture', 'storage', 'all']);

/** What a fault does. */
export const FaultKindSchema = z.enum([
  'latency',            // delay the answer by latencyInMs
  'throttle',           // 429 with Retry-After
  'server-error',       // 5xx (status, default 500)
  'timeout',            // never answer within the client's timeout (holds the request for latencyInMs, default 120 s)
  'partial',            // Log Analytics: 200 with a PartialError and the rows so far
  'missing-table',      // Log Analytics: the table named in match.table does not exist
  'forbidden',          // 403 AuthorizationFailed
  'capture-failure',    // packet capture ends in Error with packetCaptureError
  'extension-missing',  // the capture target lacks AzureNetworkWatcherExtension
  'storage-forbidden',  // the capture cannot write to its storage account
  'capture-limit',      // too many concurrent packet captures
]);

/** A fault injected by the lab, per scenario (here) or per request (header `x-netproof-fault`). */
export const FaultSchema = z.object({
  target: FaultTargetSchema,
  kind: FaultKindSchema,
  /** Narrows the fault: a table, an operation name (e.g. `nextHop`), or a path fragment. */
  match: z.object({ table: z.string().optional(), operation: z.string().optional(), path: z.string().optional() }).optional(),
  latencyInMs: z.number().int().nonnegative().optional(),
  retryAfterInSeconds: z.number().int().nonnegative().optional(),
  status: z.number().int().optional(),
  /** Apply to the first N matching requests only (default: all). */
  times: z.number().int().positive().optional(),
});
export type Fault = z.infer<typeof FaultSchema>;

/** A packet capture file the lab returns for a capture on a target. */
export const ScenarioCaptureSchema = z.object({
  /** VM, scale set or virtual network gateway resource id. */
  target: z.string(),
  /** Path relative to the scenario folder. */
  file: z.string(),
  /** How long the lab keeps the capture Running, in seconds of lab time (default: the request's time limit). */
  runningForInSeconds: z.number().int().nonnegative().optional(),
});

/** scenario.json. */
export const ScenarioSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  /** The lab clock. */
  now: z.iso.datetime({ offset: true }),
  subscriptionId: z.string().min(1),
  subscriptionIds: z.array(z.string()).optional(),
  workspaceId: z.string().min(1),
  resources: z.array(ArmResourceSchema),
  effectiveRoutes: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).default({}),
  effectiveSecurityRules: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).default({}),
  nextHop: z.array(PinnedAnswerSchema).default([]),
  ipFlowVerify: z.array(PinnedAnswerSchema).default([]),
  connectivityCheck: z.array(PinnedAnswerSchema).default([]),
  tables: z.record(z.string(), z.array(TableRowSchema)).default({}),
  packetCaptures: z.array(ScenarioCaptureSchema).default([]),
  faults: z.array(FaultSchema).default([]),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

/** expect.json beside a scenario used as a test case. */
export const ScenarioExpectationSchema = z.object({
  question: z.string().min(1),
  status: StatusSchema,
  layer: LayerSchema,
  cause: CauseCodeSchema,
  contributing: z.array(ContributingCodeSchema),
  blockedAt: z.object({ component: ComponentSchema }).nullable(),
  /** Why, for people; never served. */
  rationale: z.string().optional(),
});
export type ScenarioExpectation = z.infer<typeof ScenarioExpectationSchema>;
