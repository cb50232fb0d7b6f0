/** Fault injection: per scenario (`faults[]`), per lab, or per request (header `x-netproof-fault: <json Fault>`). */
import { FaultSchema, type Fault } from '../domain/scenario.js';
import { formatJsonPath } from './scenario-loader.js';

/** The lab surfaces a fault can target (FaultSchema's `target`, less `all`). */
export type Surface = 'logs' | 'resourceGraph' | 'arm' | 'networkWatcher' | 'packetCapture' | 'storage';

/** The request header that carries a per-request fault. */
export const FAULT_HEADER = 'x-netproof-fault';

/** What a fault is matched against. */
export interface FaultRequest {
  surface: Surface;
  /** e.g. `query`, `resources`, `get`, `list`, `nextHop`, `create`, `queryStatus`, `stop`. */
  operation: string;
  path: string;
  /** Log Analytics: the query text (a fault's `match.table` must appear in it as a word). */
  query?: string;
}

/** A fault set that counts how often each fault has fired (`times`). */
export class FaultSet {
  private readonly entries: { fault: Fault; fired: number }[];

  constructor(faults: readonly Fault[] = []) {
    this.entries = faults.map((fault) => ({ fault, fired: 0 }));
  }

  /** Adds a fault (tests inject faults into a running lab this way). */
  add(fault: Fault): void {
    this.entries.push({ fault: FaultSchema.parse(fault), fired: 0 });
  }

  /** Removes every fault. */
  clear(): void {
    this.entries.length = 0;
  }

  /** The faults that apply to this request, counting each as fired. */
  take(request: FaultRequest): Fault[] {
    const taken: Fault[] = [];
    for (const entry of this.entries) {
      if (entry.fault.times !== undefined && entry.fired >= entry.fault.times) continue;
      if (!faultMatches(entry.fault, request)) continue;
      entry.fired += 1;
      taken.push(entry.fault);
    }
    return taken;
  }
}

function mentionsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`, 'i').test(text);
}

/** True when the fault targets this request's surface, operation, path and table. */
export function faultMatches(fault: Fault, request: FaultRequest): boolean {
  if (fault.target !== 'all' && fault.target !== request.surface) return false;
  const match = fault.match;
  if (!match) return true;
  if (match.operation && match.operation.toLowerCase() !== request.operation.toLowerCase()) return false;
  if (match.path && !request.path.toLowerCase().includes(match.path.toLowerCase())) return false;
  // A missing table applies whether or not the query names it; any other fault only to queries that do.
  if (match.table && fault.kind !== 'missing-table' && !mentionsWord(request.query ?? '', match.table)) return false;
  return true;
}

/** Parses the fault header; throws an Error naming what was wrong. */
export function parseFaultHeader(value: string): Fault {
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch {
    throw new Error(`${FAULT_HEADER} is not JSON`);
  }
  const result = FaultSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue ? formatJsonPath(issue.path) : '';
    throw new Error(`${FAULT_HEADER}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid fault'}`);
  }
  return result.data;
}
