/**
 * IPv4 and IPv6 addresses and prefixes as numbers: parsing, containment, comparison and the
 * canonical text of raw address bytes. The one place every layer (rules, diagnose, capture, the
 * lab, the tools) does address arithmetic. Addresses are compared whole, as numbers:
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

/** The number of bits of an address of that family: 32 or 128. */
export function bitsOf(version: 4 | 6): 32 | 128 {
  return version === 4 ? 32 : 128;
}

/** A dotted quad (`a.b.c.d`, one to three digits an octet, no spaces) as a number; null for anything else. */
export function parseIpv4(text: string): bigint | null {
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

/** IPv6 text (`::` compression, an embedded dotted quad, a `%zone` dropped) as a 128-bit number; null for anything else. */
export function parseIpv6(text: string): bigint | null {
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

/** Parses an IPv4 or IPv6 address (surrounding space ignored); IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is read as IPv4. Null when it is not one. */
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

function maskOf(version: 4 | 6, prefixLength: number): bigint {
  const bits = BigInt(bitsOf(version));
  const all = (1n << bits) - 1n;
  return prefixLength === 0 ? 0n : (all >> (bits - BigInt(prefixLength))) << (bits - BigInt(prefixLength));
}

/** The prefix of that length around an address, its network masked; null when the length does not fit the family. */
export function prefixOf(address: IpAddress, prefixLength: number): IpPrefix | null {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bitsOf(address.version)) return null;
  return { version: address.version, network: address.value & maskOf(address.version, prefixLength), prefixLength };
}

/** Parses `a.b.c.d/n` or `x::/n`; a bare address is a host prefix (/32, /128). Null when malformed. */
export function parsePrefix(text: string | null | undefined): IpPrefix | null {
  if (text == null) return null;
  const [addressText, lengthText, extra] = text.trim().split('/');
  if (extra !== undefined || addressText === undefined) return null;
  const address = parseIp(addressText);
  if (address === null) return null;
  if (lengthText === undefined) return prefixOf(address, bitsOf(address.version));
  if (!/^\d{1,3}$/.test(lengthText)) return null;
  // An IPv4-mapped prefix such as ::ffff:10.0.0.0/104 keeps its IPv4 meaning.
  const mapped = addressText.includes(':') && address.version === 4;
  return prefixOf(address, Number(lengthText) - (mapped ? 96 : 0));
}

/**
 * An IPv4 prefix written with a dotted quad (`a.b.c.d/n`, or a bare address as /32; space around either
 * part ignored), for the places that speak IPv4 alone (Network Watcher's flow checks, KQL's `ipv4_*`
 * functions). Null for anything else: service tags, IPv6, IPv4-mapped IPv6.
 */
export function parseIpv4Prefix(text: string): IpPrefix | null {
  const [addressText, lengthText, extra] = text.split('/').map((part) => part.trim());
  const value = parseIpv4(addressText ?? '');
  if (value === null || extra !== undefined) return null;
  if (lengthText !== undefined && !/^\d{1,3}$/.test(lengthText)) return null;
  return prefixOf({ version: 4, value }, lengthText === undefined ? 32 : Number(lengthText));
}

/** True when an IPv4 prefix text contains an IPv4 address text (dotted quads, surrounding space ignored); null when either is not one. */
export function ipv4PrefixContains(prefixText: string, addressText: string): boolean | null {
  const prefix = parseIpv4Prefix(prefixText);
  const value = parseIpv4(addressText.trim());
  if (prefix === null || value === null) return null;
  return prefixContains(prefix, { version: 4, value });
}

/** True when both texts are the same address (whole-address comparison across notations). */
export function sameIp(left: string | null | undefined, right: string | null | undefined): boolean {
  const a = parseIp(left);
  const b = parseIp(right);
  return a !== null && b !== null && compareIp(a, b) === 0;
}

/** Orders addresses: IPv4 before IPv6, then by value (negative, zero, positive, as `Array.prototype.sort` wants). */
export function compareIp(left: IpAddress, right: IpAddress): number {
  if (left.version !== right.version) return left.version - right.version;
  return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
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

/** The address family of an address or prefix text, or null. */
export function ipVersionOf(text: string): 4 | 6 | null {
  return parsePrefix(text)?.version ?? null;
}

/** The canonical text of a prefix (`192.168.10.0/24`, `fd00::/64`). */
export function formatPrefix(prefix: IpPrefix): string {
  const bytes = new Uint8Array(bitsOf(prefix.version) / 8);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number((prefix.network >> BigInt(8 * (bytes.length - 1 - index))) & 0xffn);
  }
  return `${prefix.version === 4 ? formatIpv4(bytes) : formatIpv6(bytes)}/${prefix.prefixLength}`;
}

/** Formats 4 bytes at `offset` as dotted-quad IPv4 text. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * Formats 16 bytes at `offset` as canonical IPv6 text (RFC 5952, as `node:net` and
 * libuv's BIND-derived inet_ntop print it): lower-case hex, the longest run of two or more
 * zero groups as `::`, IPv4-mapped and IPv4-compatible addresses with a dotted quad.
 */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const groups: number[] = new Array<number>(8);
  for (let index = 0; index < 8; index++) groups[index] = (bytes[offset + 2 * index]! << 8) | bytes[offset + 2 * index + 1]!;
  let bestStart = -1;
  let bestLength = 1;
  for (let index = 0; index < 8; ) {
    if (groups[index] !== 0) {
      index++;
      continue;
    }
    let runEnd = index;
    while (runEnd < 8 && groups[runEnd] === 0) runEnd++;
    if (runEnd - index > bestLength) {
      bestStart = index;
      bestLength = runEnd - index;
    }
    index = runEnd;
  }
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
    return `::${bestLength === 5 ? 'ffff:' : ''}${formatIpv4(bytes, offset + 12)}`;
  }
  if (bestStart < 0) return groups.map((group) => group.toString(16)).join(':');
  const head = groups.slice(0, bestStart).map((group) => group.toString(16)).join(':');
  const tail = groups.slice(bestStart + bestLength).map((group) => group.toString(16)).join(':');
  return `${head}::${tail}`;
}
