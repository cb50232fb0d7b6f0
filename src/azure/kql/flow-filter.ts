/** The flow a log query looks for, validated once, and the KQL predicates built from it. */
import type { Protocol } from '../../domain/index.js';
import { kqlDatetime, kqlString, kqlStringList } from './literals.js';
import {
  type Cidr, type DnsName, type IpAddress, type Port, type ResourceId, type ValidatedWindow,
  validateDnsName, validateIpOrCidr, validatePort, validateResourceId, validateRowCap, validateWindow,
} from './validate.js';

/** An address or a prefix. */
export type AddressMatch = { ip: IpAddress } | { cidr: Cidr };

/** What a caller asks for, as plain values (validated by {@link validateFlowFilter}). */
export interface FlowFilterInput {
  /** Source address or prefix (`192.168.10.5`, `192.168.10.0/24`). */
  source?: string | null;
  /** Destination address or prefix. */
  destination?: string | null;
  /** Names the destination is known by (application rules and DNS log names, not addresses). */
  destinationNames?: readonly string[];
  port?: number | null;
  protocol?: Protocol;
  window: { start: string; end: string };
  /** Row cap per table (default 500). */
  maxRows?: number;
  /** Restrict to one resource (a firewall, a VNet...). */
  resourceId?: string | null;
}

/** A validated flow filter: every field is safe to put in a query. */
export interface FlowFilter {
  source: AddressMatch | null;
  destination: AddressMatch | null;
  destinationNames: DnsName[];
  port: Port | null;
  protocol: Protocol;
  window: ValidatedWindow;
  maxRows: number;
  resourceId: ResourceId | null;
}

/** Validates every field; throws UserInputError naming the bad value. */
export function validateFlowFilter(input: FlowFilterInput): FlowFilter {
  return {
    source: input.source ? validateIpOrCidr(input.source) : null,
    destination: input.destination ? validateIpOrCidr(input.destination) : null,
    destinationNames: [...new Set((input.destinationNames ?? []).map(validateDnsName))].sort(),
    port: input.port === null || input.port === undefined ? null : validatePort(input.port),
    protocol: input.protocol ?? 'any',
    window: validateWindow(input.window),
    maxRows: validateRowCap(input.maxRows ?? 500),
    resourceId: input.resourceId ? validateResourceId(input.resourceId) : null,
  };
}

/** The address a match names, for display. */
export function describeAddress(match: AddressMatch | null): string {
  if (match === null) return 'any';
  return 'ip' in match ? match.ip : match.cidr;
}

/**
 * A predicate on a string column holding an address. Addresses compare whole
 * (`==`, never `contains`/`startswith`: 192.168.10.52 is not 192.168.10.5).
 */
export function addressPredicate(column: string, match: AddressMatch): string {
  if ('ip' in match) {
    return match.ip.includes(':') ? `${column} =~ ${kqlString(match.ip)}` : `${column} == ${kqlString(match.ip)}`;
  }
  return match.cidr.includes(':')
    ? `ipv6_is_in_range(${column}, ${kqlString(match.cidr)})`
    : `ipv4_is_in_range(${column}, ${kqlString(match.cidr)})`;
}

/** `where` clauses as lines. */
export function whereLines(predicates: readonly (string | null)[]): string[] {
  return predicates.filter((predicate): predicate is string => predicate !== null).map((predicate) => `| where ${predicate}`);
}

/** `TimeGenerated between (start .. end)`. */
export function timePredicate(column: string, window: ValidatedWindow): string {
  return `${column} between (${kqlDatetime(window.start)} .. ${kqlDatetime(window.end)})`;
}

/** Source/destination predicate, optionally matching the reverse direction too (replies logged by flow trace, IDPS). */
export function endpointsPredicate(
  filter: FlowFilter, sourceColumn: string, destinationColumn: string, bothDirections: boolean,
  portColumns?: { destination: string; source: string },
): string | null {
  const forward = [
    filter.source ? addressPredicate(sourceColumn, filter.source) : null,
    filter.destination ? addressPredicate(destinationColumn, filter.destination) : null,
    filter.port !== null && portColumns ? `${portColumns.destination} == ${filter.port}` : null,
  ].filter((part): part is string => part !== null);
  if (forward.length === 0) return null;
  if (!bothDirections) return forward.join(' and ');
  const reverse = [
    filter.source ? addressPredicate(destinationColumn, filter.source) : null,
    filter.destination ? addressPredicate(sourceColumn, filter.destination) : null,
    filter.port !== null && portColumns ? `${portColumns.source} == ${filter.port}` : null,
  ].filter((part): part is string => part !== null);
  return `(${forward.join(' and ')}) or (${reverse.join(' and ')})`;
}

/** The firewall's Protocol value for a question's protocol, or null for any. */
export function firewallProtocol(protocol: Protocol): string | null {
  switch (protocol) {
    case 'tcp': return 'TCP';
    case 'udp': return 'UDP';
    case 'icmp': return 'ICMP';
    case 'icmpv6': return 'ICMPv6';
    default: return null;
  }
}

/** `Column in~ ("a", "b")`, or null for no names. */
export function namesPredicate(column: string, names: readonly string[]): string | null {
  return names.length === 0 ? null : `${column} in~ ${kqlStringList(names)}`;
}
