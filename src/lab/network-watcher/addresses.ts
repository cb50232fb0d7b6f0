/** IPv4 addresses and prefixes, compared whole (a substring match is a bug). IPv6 never matches here. */

/** An IPv4 address as an unsigned 32-bit number, or undefined when the text is not one. */
export function parseIpv4(text: string): number | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  let value = 0;
  for (let index = 1; index <= 4; index += 1) {
    const octet = Number(match[index]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** A prefix (`10.0.0.0/8`, or a bare address as /32). */
export interface Ipv4Prefix {
  network: number;
  length: number;
}

/** Parses `a.b.c.d/n` or `a.b.c.d`; undefined for anything else (service tags, IPv6). */
export function parsePrefix(text: string): Ipv4Prefix | undefined {
  const [address, lengthText] = text.trim().split('/');
  const network = parseIpv4(address ?? '');
  if (network === undefined) return undefined;
  const length = lengthText === undefined ? 32 : Number(lengthText);
  if (!Number.isInteger(length) || length < 0 || length > 32) return undefined;
  return { network, length };
}

/** True when the address lies inside the prefix. */
export function prefixContains(prefix: Ipv4Prefix, address: number): boolean {
  if (prefix.length === 0) return true;
  const size = 2 ** (32 - prefix.length);
  return Math.floor(address / size) === Math.floor(prefix.network / size);
}

/** True when the text is a prefix or address that contains the address text. */
export function contains(prefixText: string, addressText: string): boolean {
  const prefix = parsePrefix(prefixText);
  const address = parseIpv4(addressText);
  return prefix !== undefined && address !== undefined && prefixContains(prefix, address);
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
      return parseIpv4(address) !== undefined && !NOT_INTERNET.some((prefix) => contains(prefix, address));
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
