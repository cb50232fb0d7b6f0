/**
 * Network Watcher speaks IPv4 alone: its prefixes and addresses are dotted quads, compared whole (a
 * substring match is a bug) with the domain's arithmetic. IPv6 never matches here. Service tags and
 * port ranges, as NSG evaluation reads them, are the lab's own.
 */
import { ipv4PrefixContains, parseIpv4 } from '../../domain/net.js';

/** True when the text is a prefix or address that contains the address text. */
export function contains(prefixText: string, addressText: string): boolean {
  return ipv4PrefixContains(prefixText, addressText) === true;
}

/** RFC 1918, shared address space and the Azure platform address: never "Internet". */
const NOT_INTERNET = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '168.63.129.16/32', '169.254.0.0/16', '127.0.0.0/8'];

/**
 * Whether a service tag the scenario left unexpanded covers an address. Effective rules normally carry
 * `expanded*` prefixes; without them the lab approximates: `Internet` is public address space,
 * `VirtualNetwork` the given virtual network prefixes (else private space), `AzureLoadBalancer` 168.63.129.16.
 * Any other tag matches nothing.
 */
export function serviceTagContains(tag: string, address: string, virtualNetworkPrefixes: readonly string[]): boolean {
  switch (tag.toLowerCase()) {
    case '*':
    case 'any':
      return true;
    case 'internet':
      return parseIpv4(address.trim()) !== null && !NOT_INTERNET.some((prefix) => contains(prefix, address));
    case 'virtualnetwork': {
      const prefixes = virtualNetworkPrefixes.length > 0 ? virtualNetworkPrefixes : NOT_INTERNET.slice(0, 4);
      return prefixes.some((prefix) => contains(prefix, address));
    }
    case 'azureloadbalancer':
      return address.trim() === '168.63.129.16';
    default:
      return false;
  }
}

/** True for a port range text (`*`, `80`, `80-85`) that covers the port; an absent port matches any range. */
export function portRangeContains(range: string, port: number | undefined): boolean {
  if (port === undefined) return true;
  const text = range.trim();
  if (text === '*' || text.toLowerCase() === 'any') return true;
  const [low, high] = text.split('-').map((part) => Number(part.trim()));
  if (low === undefined || Number.isNaN(low)) return false;
  return port >= low && port <= (high === undefined || Number.isNaN(high) ? low : high);
}
