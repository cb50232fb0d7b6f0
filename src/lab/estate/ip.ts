/**
 * The estate builder's IPv4 helpers: the domain's arithmetic, except that a malformed address or prefix
 * in a recipe is a bug in the recipe and throws rather than quietly matching nothing.
 */
import { parseIpv4, parseIpv4Prefix, prefixContains as domainPrefixContains, prefixCovers as domainPrefixCovers, PRIVATE_PREFIXES, type IpAddress, type IpPrefix } from '../../domain/net.js';

function requireAddress(text: string): IpAddress {
  const value = parseIpv4(text);
  if (value === null) throw new Error(`not an IPv4 address: ${text}`);
  return { version: 4, value };
}

function requirePrefix(text: string): IpPrefix {
  const prefix = parseIpv4Prefix(text);
  if (prefix === null) throw new Error(`not an IPv4 prefix: ${text}`);
  return prefix;
}

/** True when the text is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== null;
}

/** True when the address lies inside the prefix ("a.b.c.d/n", or a bare address as /32). */
export function prefixContains(prefix: string, address: string): boolean {
  return domainPrefixContains(requirePrefix(prefix), requireAddress(address));
}

/** True when prefix `inner` lies entirely inside prefix `outer`. */
export function prefixCovers(outer: string, inner: string): boolean {
  return domainPrefixCovers(requirePrefix(outer), requirePrefix(inner));
}

/** The prefix length of "a.b.c.d/n". */
export function prefixLength(prefix: string): number {
  return requirePrefix(prefix).prefixLength;
}

/** True for RFC 1918, RFC 6598 and other non-public ranges the builder treats as private. */
export function isPrivate(address: string): boolean {
  const ip = requireAddress(address);
  return PRIVATE_PREFIXES.some((prefix) => domainPrefixContains(prefix, ip));
}
