/** Address and time helpers shared by the binary and text readers. */

/** Formats 4 bytes at `offset` as dotted-quad IPv4 text. */
export function formatIpv4(bytes: Uint8Array, offset: number): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * Formats 16 bytes at `offset` as canonical IPv6 text (RFC 5952, as `node:net` and
 * libuv's BIND-derived inet_ntop print it): lower-case hex, the longest run of two or more
 * zero groups as `::`, IPv4-mapped and IPv4-compatible addresses with a dotted quad.
 */
export function formatIpv6(bytes: Uint8Array, offset: number): string {
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

/**
 * Epoch milliseconds (with fraction) from whole seconds and nanoseconds. Every reader
 * converts through this one function so that the same instant read from pcap, JSON or
 * EK gives the same double: the whole milliseconds are exact, the fraction rounds once.
 */
export function epochMilliseconds(seconds: number, nanoseconds: number): number {
  const wholeMilliseconds = Math.floor(nanoseconds / 1_000_000);
  return seconds * 1000 + wholeMilliseconds + (nanoseconds - wholeMilliseconds * 1_000_000) / 1_000_000;
}
