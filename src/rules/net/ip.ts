/**
 * IPv4/IPv6 address and prefix math. Addresses are compared whole, as numbers:
 * `192.168.10.5` and `192.168.10.52` are different hosts, never a substring match.
 */

/** An address as a number, with its family. */
export interface IpAddress {
  version: 4 | 6;
  value: bigint;
}

/** A prefix (CIDR block), its network address already masked. */
export interface IpPrefix {
  version: 4 | 6;
  network: bigint;
  prefixLength: number;
}

const IPV4_BITS = 32;
const IPV6_BITS = 128;

function bitsOf(version: 4 | 6): number {
  return version === 4 ? IPV4_BITS : IPV6_BITS;
}

function parseIpv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  const withoutZone = text.split('%')[0] ?? '';
  const halves = withoutZone.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string): number[] | null => {
    if (half === '') return [];
    const groups: number[] = [];
    const pieces = half.split(':');
    for (let index = 0; index < pieces.length; index++) {
      const piece = pieces[index] ?? '';
      if (index === pieces.length - 1 && piece.includes('.')) {
        const embedded = parseIpv4(piece);
        if (embedded === null) return null;
        groups.push(Number(embedded >> 16n), Number(embedded & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return null;
      groups.push(parseInt(piece, 16));
    }
    return groups;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is read as IPv4. Null when it is not one. */
export function parseIp(text: string | null | undefined): IpAddress | null {
  if (text == null) return null;
  const trimmed = text.trim();
  if (trimmed.includes(':')) {
    const value = parseIpv6(trimmed);
    if (value === null) return null;
    if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
    return { version: 6, value };
  }
  const value = parseIpv4(trimmed);
  return value === null ? null : { version: 4, value };
}

/** Parses `a.b.c.d/n` or `x::/n`; a bare address is a host prefix (/32, /128). Null when malformed. */
export function parsePrefix(text: string | null | undefined): IpPrefix | null {
  if (text == null) return null;
  const [addressText, lengthText, extra] = text.trim().split('/');
  if (extra !== undefined || addressText === undefined) return null;
  const address = parseIp(addressText);
  if (address === null) return null;
  const bits = bitsOf(address.version);
  let prefixLength = bits;
  if (lengthText !== undefined) {
    if (!/^\d{1,3}$/.test(lengthText)) return null;
    prefixLength = Number(lengthText);
    // An IPv4-mapped prefix such as ::ffff:10.0.0.0/104 keeps its IPv4 meaning.
    if (addressText.includes(':') && address.version === 4) prefixLength -= 96;
    if (prefixLength < 0 || prefixLength > bits) return null;
  }
  return { version: address.version, network: address.value & maskOf(address.version, prefixLength), prefixLength };
}

function maskOf(version: 4 | 6, prefixLength: number): bigint {
  const bits = BigInt(bitsOf(version));
  const all = (1n << bits) - 1n;
  return prefixLength === 0 ? 0n : (all >> (bits - BigInt(prefixLength))) << (bits - BigInt(prefixLength));
}

/** True when both texts are the same address (whole-address comparison across notations). */
export function sameIp(left: string | null | undefined, right: string | null | undefined): boolean {
  const a = parseIp(left);
  const b = parseIp(right);
  return a !== null && b !== null && a.version === b.version && a.value === b.value;
}

/** True when the prefix contains the address (families must agree). */
export function prefixContains(prefix: IpPrefix | string, address: IpAddress | string | null): boolean {
  const block = typeof prefix === 'string' ? parsePrefix(prefix) : prefix;
  const ip = typeof address === 'string' ? parseIp(address) : address;
  if (block === null || ip === null || block.version !== ip.version) return false;
  return (ip.value & maskOf(block.version, block.prefixLength)) === block.network;
}

/** True when `outer` contains every address of `inner`. */
export function prefixCovers(outer: IpPrefix | string, inner: IpPrefix | string): boolean {
  const a = typeof outer === 'string' ? parsePrefix(outer) : outer;
  const b = typeof inner === 'string' ? parsePrefix(inner) : inner;
  if (a === null || b === null || a.version !== b.version || a.prefixLength > b.prefixLength) return false;
  return (b.network & maskOf(a.version, a.prefixLength)) === a.network;
}

/** True when any of the prefixes contains the address. */
export function anyPrefixContains(prefixes: readonly string[], address: string | null | undefined): boolean {
  const ip = parseIp(address);
  return ip !== null && prefixes.some((prefix) => prefixContains(prefix, ip));
}

/** Private address space: RFC 1918, shared address space 100.64.0.0/10, IPv6 unique local fc00::/7. */
export const PRIVATE_PREFIXES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'] as const;

/** True for an address of private space (RFC 1918, 100.64/10, fc00::/7). */
export function isPrivateIp(address: string | null | undefined): boolean {
  return anyPrefixContains(PRIVATE_PREFIXES, address);
}

/** The address family of a text, or null. */
export function ipVersionOf(text: string): 4 | 6 | null {
  return parsePrefix(text)?.version ?? null;
}
