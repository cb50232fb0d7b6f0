/**
 * DNS messages from UDP payload bytes (RFC 1035), into the `DnsMessage` the JSON readers
 * produce. Strict enough to serve as a heuristic on non-standard ports: a payload that
 * does not parse completely is not DNS.
 */
import type { DnsMessage } from '../packet.js';
import { formatIpv6 } from '../../domain/net.js';

/** Ports where DNS is expected without a heuristic (DNS, mDNS, LLMNR). */
export const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353, 5355]);

/** DNS type names for the report; other types print as TYPE<n>. */
export const DNS_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR',
  41: 'OPT', 43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 50: 'NSEC3', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY', 257: 'CAA',
};

/** Type name as the report prints it. */
export function dnsTypeName(type: number): string {
  return DNS_TYPE_NAMES[type] ?? `TYPE${type}`;
}

/** Reads a (possibly compressed) name at `offset`; returns the name and the offset after it. */
function readName(bytes: Uint8Array, start: number): { name: string; next: number } | null {
  const labels: string[] = [];
  let offset = start;
  let next = -1;
  let jumps = 0;
  for (;;) {
    if (offset >= bytes.length) return null;
    const length = bytes[offset] ?? 0;
    if ((length & 0xc0) === 0xc0) {
      if (offset + 1 >= bytes.length || ++jumps > 32) return null;
      const pointer = ((length & 0x3f) << 8) | (bytes[offset + 1] ?? 0);
      if (next < 0) next = offset + 2;
      if (pointer >= bytes.length) return null;
      offset = pointer;
      continue;
    }
    if ((length & 0xc0) !== 0) return null;
    if (length === 0) {
      if (next < 0) next = offset + 1;
      break;
    }
    if (offset + 1 + length > bytes.length) return null;
    let label = '';
    for (let index = offset + 1; index < offset + 1 + length; index += 1) label += String.fromCharCode(bytes[index] ?? 0);
    labels.push(label);
    offset += 1 + length;
  }
  return { name: labels.join('.'), next };
}

function u16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

/** Parses a DNS message; null when the bytes are not a well-formed query or response. */
export function parseDnsMessage(bytes: Uint8Array): DnsMessage | null {
  if (bytes.length < 12) return null;
  const id = u16(bytes, 0);
  const flags = u16(bytes, 2);
  const opcode = (flags >> 11) & 0xf;
  if (opcode > 5) return null;
  const questionCount = u16(bytes, 4);
  const answerCount = u16(bytes, 6);
  const authorityCount = u16(bytes, 8);
  const additionalCount = u16(bytes, 10);
  if (questionCount === 0 || questionCount > 16) return null;
  let offset = 12;
  const questions: DnsMessage['questions'] = [];
  for (let index = 0; index < questionCount; index += 1) {
    const name = readName(bytes, offset);
    if (!name || name.next + 4 > bytes.length) return null;
    questions.push({ name: name.name, type: u16(bytes, name.next) });
    offset = name.next + 4;
  }
  const answers: DnsMessage['answers'] = [];
  const records = answerCount + authorityCount + additionalCount;
  for (let index = 0; index < records; index += 1) {
    const name = readName(bytes, offset);
    if (!name || name.next + 10 > bytes.length) return null;
    const type = u16(bytes, name.next);
    const dataLength = u16(bytes, name.next + 8);
    const dataStart = name.next + 10;
    if (dataStart + dataLength > bytes.length) return null;
    if (index < answerCount) {
      const data = recordData(bytes, type, dataStart, dataLength);
      if (data !== null) answers.push({ name: name.name, type, data });
    }
    offset = dataStart + dataLength;
  }
  return { id, response: (flags & 0x8000) !== 0, rcode: flags & 0xf, questions, answers };
}

function recordData(bytes: Uint8Array, type: number, start: number, length: number): string | null {
  if (type === 1 && length === 4) return Array.from(bytes.subarray(start, start + 4)).join('.');
  if (type === 28 && length === 16) return formatIpv6(bytes.subarray(start, start + 16));
  if (type === 5 || type === 12 || type === 2) return readName(bytes, start)?.name ?? null;
  return null;
}
