/** ICMP and ICMPv6 message meanings (RFC 792, RFC 4443), for `icmp[].meaning` and summaries. */

const ICMP_UNREACHABLE_CODES: Readonly<Record<number, string>> = {
  0: 'network unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  5: 'source route failed',
  6: 'destination network unknown',
  7: 'destination host unknown',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  11: 'network unreachable for type of service',
  12: 'host unreachable for type of service',
  13: 'communication administratively prohibited',
  14: 'host precedence violation',
  15: 'precedence cutoff in effect',
};

const ICMPV6_UNREACHABLE_CODES: Readonly<Record<number, string>> = {
  0: 'no route to destination',
  1: 'communication administratively prohibited',
  2: 'beyond scope of source address',
  3: 'address unreachable',
  4: 'port unreachable',
  5: 'source address failed ingress/egress policy',
  6: 'reject route to destination',
};

/** True for ICMP error messages (they quote the packet they are about). */
export function isIcmpError(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 3 || type === 4 || type === 5 || type === 11 || type === 12 : type >= 1 && type <= 4;
}

/** True for destination unreachable. */
export function isDestinationUnreachable(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 3 : type === 1;
}

/** True for an echo request (ping). */
export function isEchoRequest(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 8 : type === 128;
}

/** True for an echo reply. */
export function isEchoReply(version: 4 | 6, type: number): boolean {
  return version === 4 ? type === 0 : type === 129;
}

/** A readable meaning of an ICMP message, e.g. "port unreachable". */
export function icmpMeaning(version: 4 | 6, type: number, code: number): string {
  if (version === 4) {
    switch (type) {
      case 0: return 'echo reply';
      case 3: return ICMP_UNREACHABLE_CODES[code] ?? `destination unreachable (code ${code})`;
      case 4: return 'source quench';
      case 5: return 'redirect';
      case 8: return 'echo request';
      case 11: return code === 1 ? 'fragment reassembly time exceeded' : 'time to live exceeded in transit';
      case 12: return 'parameter problem';
      default: return `ICMP type ${type} code ${code}`;
    }
  }
  switch (type) {
    case 1: return ICMPV6_UNREACHABLE_CODES[code] ?? `destination unreachable (code ${code})`;
    case 2: return 'packet too big';
    case 3: return code === 1 ? 'fragment reassembly time exceeded' : 'hop limit exceeded in transit';
    case 4: return 'parameter problem';
    case 128: return 'echo request';
    case 129: return 'echo reply';
    default: return `ICMPv6 type ${type} code ${code}`;
  }
}
