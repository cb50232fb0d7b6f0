/**
 * The site of an on-premises source: the address block whose other hosts show whether the site's
 * traffic reaches Azure at all. The investigation asks the logs about it when nothing of the flow
 * is found, and `no_packets_from_source` cites what came back; both take the block from here, so
 * they always mean the same one.
 */
import type { Evidence, Topology } from '../domain/index.js';
import { bitsOf, formatPrefix, parseIp, parsePrefix, prefixContains, prefixOf, sameIp, type IpPrefix } from '../domain/net.js';
import { onPremGatewayFor } from './estate.js';

/** Rows of other hosts kept per log source, one per host: enough to count hosts and name examples, bounded. */
export const SITE_HOSTS_PER_SOURCE = 12;

/**
 * Firewall rows that record a flow as its initiator opened it (a rule's decision). Flow-trace rows log
 * replies too, DNS rows are queries to the firewall's proxy, and alerts log either direction.
 */
export const SITE_FIREWALL_KINDS: readonly string[] = ['network', 'application', 'nat'];

/** The gap source of the site query, so its failure reads as what it is and is told apart from the flow's own logs. */
export const SITE_ACTIVITY_SOURCE = 'other hosts of the site';

/** The source's own block: its /24 (IPv4) or /64 (IPv6); null for a text that is not an address. */
export function ownBlock(sourceIp: string | null): string | null {
  const address = parseIp(sourceIp);
  const block = address === null ? null : prefixOf(address, address.version === 4 ? 24 : 64);
  return block === null ? null : formatPrefix(block);
}

/**
 * The site's block for a source: the most specific prefix of its connection (the local network
 * gateway's address space) that holds the source and other hosts too, else the source's own block.
 */
export function sitePrefix(remotePrefixes: readonly string[], sourceIp: string | null): string | null {
  const address = parseIp(sourceIp);
  if (address === null) return null;
  const containing = remotePrefixes
    .map((text) => parsePrefix(text))
    .filter((prefix): prefix is IpPrefix => prefix !== null && prefix.prefixLength < bitsOf(address.version) && prefixContains(prefix, address))
    .sort((left, right) => right.prefixLength - left.prefixLength)[0];
  return containing !== undefined ? formatPrefix(containing) : ownBlock(sourceIp);
}

/**
 * The site's block for an address of a remote site (the estate's connections or the gateway's learned
 * prefixes hold it): as {@link sitePrefix} over those prefixes; null for an address of no remote site.
 */
export function siteOf(topology: Topology, ip: string | null): string | null {
  const site = onPremGatewayFor(topology, ip);
  if (site === null) return null;
  return sitePrefix([...site.connections.flatMap((connection) => connection.remotePrefixes), ...site.gateway.learnedPrefixes], ip);
}

/** True when a firewall or flow log row (numbered or not) names the address at either end. */
export function logRowNames(item: Pick<Evidence, 'kind' | 'data'>, ip: string): boolean {
  if (item.kind !== 'firewall-log' && item.kind !== 'flow-log') return false;
  const data = item.data as { sourceIp: string | null; destinationIp: string | null };
  return sameIp(data.sourceIp, ip) || sameIp(data.destinationIp, ip);
}
