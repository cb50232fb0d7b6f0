/** Port ranges and protocol names as NSGs, firewall rules and logs write them. */
import type { Protocol } from '../../domain/vocabulary.js';

const WILDCARDS = new Set(['*', 'any', '0-65535']);

/**
 * True when one of the ranges (`*`, `443`, `8000-8080`, `80,443`) contains the port.
 * A flow without a port (ICMP, or a question with none) matches wildcard ranges only.
 */
export function portInRanges(ranges: readonly string[], port: number | null): boolean {
  for (const raw of ranges.flatMap((range) => range.split(/[,;]/))) {
    const range = raw.trim().toLowerCase();
    if (range === '') continue;
    if (WILDCARDS.has(range)) return true;
    if (port === null) continue;
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(range);
    if (match === null) continue;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (port >= low && port <= high) return true;
  }
  return false;
}

/**
 * True when a rule's protocol (`*`, `Any`, `All`, `Tcp`, `UDP`, `ICMP`, ...) covers the flow's.
 * A question about `any` protocol matches every rule protocol: the rule decides some flow of it.
 */
export function protocolMatches(ruleProtocol: string, flowProtocol: Protocol): boolean {
  const rule = ruleProtocol.trim().toLowerCase();
  if (rule === '*' || rule === 'any' || rule === 'all' || flowProtocol === 'any') return true;
  if (rule === 'icmp') return flowProtocol === 'icmp' || flowProtocol === 'icmpv6';
  return rule === flowProtocol;
}

/** Normalises a protocol as a log writes it (`TCP`, `6`, `T`, `HTTPS`) to the question's vocabulary, or null. */
export function normaliseLoggedProtocol(logged: string | null): Protocol | null {
  if (logged === null) return null;
  const value = logged.trim().toLowerCase();
  if (value === 'tcp' || value === '6' || value === 't' || value === 'http' || value === 'https') return 'tcp';
  if (value === 'udp' || value === '17' || value === 'u') return 'udp';
  if (value === 'icmp' || value === '1') return 'icmp';
  if (value === 'icmpv6' || value === '58') return 'icmpv6';
  return null;
}

/** True when a logged protocol is compatible with the question's (unknown values do not exclude a row). */
export function loggedProtocolMatches(logged: string | null, flowProtocol: Protocol): boolean {
  const protocol = normaliseLoggedProtocol(logged);
  return protocol === null || flowProtocol === 'any' || protocol === flowProtocol;
}
