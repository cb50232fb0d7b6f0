/** IPv4 helpers: whole-address and prefix arithmetic (never substring matching). */

/** An IPv4 address as an unsigned 32-bit number. */
export function ipToNumber(address: string): number {
  const parts = address.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${address}`);
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!Number.isInteger(octet) || octet < 0 || octet > 255 || part === '') throw new Error(`not an IPv4 address: ${address}`);
    value = value * 256 + octet;
  }
  return value;
}

/** True when the text is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  try {
    ipToNumber(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses "a.b.c.d/n" (or a bare address as /32) into network and length. */
export function parsePrefix(prefix: string): { network: number; length: number } {
  const [address, lengthText] = prefix.split('/');
  const length = lengthText === undefined ? 32 : Number(lengthText);
  if (address === undefined || !Number.isInteger(length) || length < 0 || length > 32) throw new Error(`not an IPv4 prefix: ${prefix}`);
  const size = 2 ** (32 - length);
  const network = Math.floor(ipToNumber(address) / size) * size;
  return { network, length };
}

/** True when the address lies inside the prefix. */
export function prefixContains(prefix: string, address: string): boolean {
  const { network, length } = parsePrefix(prefix);
  const size = 2 ** (32 - length);
  const value = ipToNumber(address);
  return value >= network && value < network + size;
}

/** True when prefix `inner` lies entirely inside prefix `outer`. */
export function prefixCovers(outer: string, inner: string): boolean {
  const a = parsePrefix(outer);
  const b = parsePrefix(inner);
  return b.length >= a.length && prefixContains(outer, numberToIp(b.network));
}

/** The prefix length of "a.b.c.d/n". */
export function prefixLength(prefix: string): number {
  return parsePrefix(prefix).length;
}

/** An unsigned 32-bit number as a dotted quad. */
export function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** True for RFC 1918, RFC 6598 and other non-public ranges the builder treats as private. */
export function isPrivate(address: string): boolean {
  return ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].some((prefix) => prefixContains(prefix, address));
}
