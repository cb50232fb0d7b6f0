/**
 * IP addresses and prefixes in a question. A whole run of address characters is
 * validated as one address, so 192.168.10.52 is never read as 192.168.10.5, and
 * 999.1.1.1 is refused rather than skipped.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** An address, a prefix or a malformed address found in the text. */
export type AddressMatch = { start: number; end: number } & AddressReading;

/** What a run of address characters is. */
export type AddressReading =
  | { type: 'address'; ip: string; port: number | null; portText: string | null }
  | { type: 'prefix'; prefix: string }
  | { type: 'invalid'; text: string; reason: string };

/** Canonical text of an IPv6 address (lower case, zeros compressed), as URL hosts are written. */
export function canonicalIp(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  return new URL(`http://[${ip}]`).hostname.slice(1, -1);
}

/** True for an IPv4 or IPv6 address in canonical text. */
export function isCanonicalIp(text: string): boolean {
  return (isIPv4(text) || isIPv6(text)) && canonicalIp(text) === text;
}

const RUN = /[0-9A-Fa-f:.[\]/]+/g;
const BOUNDARY = /[\p{L}\p{N}_-]/u;
const DOTTED_QUAD = /^(\d+(?:\.\d+){3})(?:\/(\d+))?(?::(\d+))?$/;
const BRACKETED_V6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/;
const BARE_V6 = /^([0-9A-Fa-f:.]+)(?:\/(\d+))?$/;

function portOf(text: string | undefined): number | null {
  return text === undefined ? null : Number(text);
}

function interpret(run: string): AddressReading | null {
  const quad = DOTTED_QUAD.exec(run);
  if (quad) {
    const [, ip = '', length, port] = quad;
    if (!isIPv4(ip)) return { type: 'invalid', text: run, reason: `${ip} is not a valid IPv4 address` };
    if (length !== undefined) {
      if (port !== undefined || Number(length) > 32) return { type: 'invalid', text: run, reason: `${run} is not a valid prefix` };
      return { type: 'prefix', prefix: `${ip}/${Number(length)}` };
    }
    return { type: 'address', ip, port: portOf(port), portText: port ?? null };
  }
  const bracketed = BRACKETED_V6.exec(run);
  if (bracketed) {
    const [, ip = '', port] = bracketed;
    if (!isIPv6(ip)) return { type: 'invalid', text: run, reason: `${ip} is not a valid IPv6 address` };
    return { type: 'address', ip: canonicalIp(ip), port: portOf(port), portText: port ?? null };
  }
  const bare = BARE_V6.exec(run);
  // An IPv6 address needs a hex digit and two colons; "14:00" and "::" are not addresses to investigate.
  if (bare && /[0-9A-Fa-f]/.test(bare[1] ?? '') && (bare[1] ?? '').split(':').length > 2) {
    const [, ip = '', length] = bare;
    if (!isIPv6(ip)) return null;
    if (length !== undefined) {
      if (Number(length) > 128) return { type: 'invalid', text: run, reason: `${run} is not a valid prefix` };
      return { type: 'prefix', prefix: `${canonicalIp(ip)}/${Number(length)}` };
    }
    return { type: 'address', ip: canonicalIp(ip), port: null, portText: null };
  }
  return null;
}

/** Every address, prefix and malformed dotted quad in `text`, in order. */
export function findAddresses(text: string): AddressMatch[] {
  const matches: AddressMatch[] = [];
  for (const match of text.matchAll(RUN)) {
    let run = match[0];
    const start = match.index;
    if (start > 0 && BOUNDARY.test(text[start - 1] ?? '')) continue;
    if (BOUNDARY.test(text[start + run.length] ?? '')) continue;
    let found = interpret(run);
    // Sentence punctuation after an address: "reach 10.0.0.4." or "from 10.0.0.4: it fails".
    while (!found && /[.:]$/.test(run)) {
      run = run.slice(0, -1);
      found = interpret(run);
    }
    if (found) matches.push({ ...found, start, end: start + run.length });
  }
  return matches;
}
