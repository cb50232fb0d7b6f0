/** What the lab holds while it runs: the scenarios, their indexes, faults, captures and pending operations. */
import type { Fault, Scenario } from '../domain/scenario.js';
import { scenarioTime, type LabClock } from './clock.js';
import type { FaultSet } from './faults.js';
import type { LabResponse } from './http.js';
import type { LoadedScenario } from './scenario-loader.js';
import type { ResourceIndex } from './store.js';

/** A Network Watcher packet capture in progress or done. */
export interface CaptureSession {
  id: string;
  name: string;
  networkWatcherId: string;
  /** The PUT body's `properties`, echoed back. */
  properties: Record<string, unknown>;
  /** Lab time (ms since epoch) the capture started. */
  startedAtInMs: number;
  /** Lab milliseconds it runs before stopping by itself. */
  runsForInMs: number;
  status: 'Running' | 'Stopped' | 'Error';
  stopReason: string | undefined;
  errors: string[];
  /** Absolute path of the scenario's capture file for the target; none means an empty capture. */
  file: string | undefined;
  storagePath: string;
  /** Faults decided at creation (capture-failure, storage-forbidden). */
  faults: Fault[];
}

/** A VPN gateway packet capture started with startPacketCapture. */
export interface GatewayCaptureSession {
  gatewayId: string;
  startedAtInMs: number;
  filterData: string | undefined;
}

/** One served scenario. */
export interface ScenarioState {
  loaded: LoadedScenario;
  scenario: Scenario;
  index: ResourceIndex;
  faults: FaultSet;
  /** Subscriptions this scenario answers for (lowercase). */
  subscriptions: string[];
  captures: Map<string, CaptureSession>;
  gatewayCaptures: Map<string, GatewayCaptureSession>;
  /** The scenario's time now. */
  now(): Date;
}

/** Writes capture files to blob storage (Azurite). */
export interface CaptureStorage {
  /** Known storage accounts (lowercase). */
  hasAccount(account: string): boolean;
  write(account: string, container: string, blobName: string, content: Buffer): Promise<void>;
}

/** The running lab's state, shared by every surface. */
export interface LabState {
  scenarios: ScenarioState[];
  bySubscription: Map<string, ScenarioState>;
  byWorkspace: Map<string, ScenarioState>;
  clock: LabClock;
  /** Faults for every scenario (startLab's `faults`, plus any a test adds). */
  labFaults: FaultSet;
  /** Results of long-running operations, by operation id. */
  operations: Map<string, LabResponse>;
  storage: CaptureStorage;
  /** Items per page of ARM lists and Resource Graph answers without `$top`. */
  pageSize: number;
}

/** Builds the scenario's clock reader. */
export function scenarioNow(scenario: Scenario, clock: LabClock): () => Date {
  return () => scenarioTime(scenario.now, clock);
}
