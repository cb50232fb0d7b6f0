/**
 * Services, ports and protocols in a question. An explicit port beats a
 * service's default port ("RDP on 3390"); an explicit protocol beats the service's.
 */
import type { Protocol } from '../../domain/vocabulary.js';

/** A well-known service: its name as shown to the user, default port and protocol. */
export interface Service { name: string; port: number | null; protocol: Protocol }

/**
 * Service words, most specific first (masked once matched, so "winrm https" is not also HTTPS).
 * Choices: Kerberos is TCP and UDP (protocol any); Redis is 6379 unless TLS is named;
 * "TLS"/"SSL" alone is HTTPS's 443; DNS and NTP are UDP.
 */
const SERVICE_WORDS: Array<{ pattern: RegExp; service: Service }> = [
  { pattern: /\bwinrm\s*(?:over\s*)?(?:https|ssl|tls)\b/gu, service: { name: 'WinRM (HTTPS)', port: 5986, protocol: 'tcp' } },
  { pattern: /\bredis\s*(?:over\s*)?(?:tls|ssl)\b/gu, service: { name: 'Redis (TLS)', port: 6380, protocol: 'tcp' } },
  { pattern: /\b(?:rdp|remote desktop)\b/gu, service: { name: 'RDP', port: 3389, protocol: 'tcp' } },
  { pattern: /\b(?:ssh|sftp|scp)\b/gu, service: { name: 'SSH', port: 22, protocol: 'tcp' } },
  { pattern: /\b(?:winrm|ps ?remoting|powershell remoting)\b/gu, service: { name: 'WinRM', port: 5985, protocol: 'tcp' } },
  { pattern: /\bldaps\b/gu, service: { name: 'LDAPS', port: 636, protocol: 'tcp' } },
  { pattern: /\bldap\b/gu, service: { name: 'LDAP', port: 389, protocol: 'tcp' } },
  { pattern: /\bredis\b/gu, service: { name: 'Redis', port: 6379, protocol: 'tcp' } },
  { pattern: /\bhttps\b/gu, service: { name: 'HTTPS', port: 443, protocol: 'tcp' } },
  { pattern: /\bhttp\b/gu, service: { name: 'HTTP', port: 80, protocol: 'tcp' } },
  { pattern: /\b(?:tls|ssl)\b/gu, service: { name: 'TLS', port: 443, protocol: 'tcp' } },
  // What users see of a TLS failure: "a certificate error", "your connection is not private".
  { pattern: /\b(?:certificates?|certs?|connection is not private|not secure|handshake failure)\b/gu, service: { name: 'TLS', port: 443, protocol: 'tcp' } },
  { pattern: /\bmysql\b/gu, service: { name: 'MySQL', port: 3306, protocol: 'tcp' } },
  { pattern: /\b(?:postgres(?:ql)?|psql)\b/gu, service: { name: 'PostgreSQL', port: 5432, protocol: 'tcp' } },
  { pattern: /\b(?:ms ?sql|sql server|azure sql|sql|tds)\b/gu, service: { name: 'SQL', port: 1433, protocol: 'tcp' } },
  { pattern: /\b(?:smb|cifs|file shares?|azure files)\b/gu, service: { name: 'SMB', port: 445, protocol: 'tcp' } },
  { pattern: /\bdns\b/gu, service: { name: 'DNS', port: 53, protocol: 'udp' } },
  { pattern: /\b(?:kerberos|krb5?)\b/gu, service: { name: 'Kerberos', port: 88, protocol: 'any' } },
  { pattern: /\bntp\b/gu, service: { name: 'NTP', port: 123, protocol: 'udp' } },
  { pattern: /\b(?:ping(?:s|ing|ed)?|icmp(?:v6)?)\b/gu, service: { name: 'ping', port: null, protocol: 'icmp' } },
];

/** The service usually behind a port, for naming it ("and on 443?" -> HTTPS). */
export const SERVICE_BY_PORT: ReadonlyMap<number, Service> = new Map(
  SERVICE_WORDS.map(({ service }) => service)
    .filter((service) => service.port !== null && service.name !== 'TLS')
    .map((service) => [service.port as number, service]),
);

/** A service, port or protocol found in the text. */
export type ServiceMatch = { start: number; end: number; text: string } & (
  | { type: 'service'; service: Service }
  | { type: 'port'; port: number; protocol: 'tcp' | 'udp' | null }
  | { type: 'protocol'; protocol: 'tcp' | 'udp' | 'icmp' }
  | { type: 'invalid-port'; port: string }
);

const PORT_FORMS: RegExp[] = [
  /\b(?<protocol>tcp|udp)\s*[/:]\s*(?<port>\d{1,6})\b/gu,
  /\b(?<port>\d{1,6})\s*\/\s*(?<protocol>tcp|udp)\b/gu,
  /\bports?\s*(?:number\s*|no\.?\s*)?[:#]?\s*(?<port>\d{1,6})\b(?:\s*\/\s*(?<protocol>tcp|udp)\b|\s+(?:over\s+)?(?<protocolAfter>tcp|udp)\b)?/gu,
  /\b(?<protocol>tcp|udp)\s+(?:port\s+)?(?<port>\d{1,6})\b/gu,
  // "unreachable on 3389": a bare number after "on" is a port when nothing says it is a time or a count.
  /\bon\s+(?<port>\d{2,6})\b(?!\s*(?:[:.]\d|am\b|pm\b|min|hour|day|week|\/))/gu,
];

/** Replaces `start..end` of `text` by the mask character, keeping positions. */
export function mask(text: string, start: number, end: number): string {
  return text.slice(0, start) + '\u0001'.repeat(end - start) + text.slice(end);
}

/** Every port, service and protocol word in `lower` (lower-cased, other entities masked). */
export function findServices(lower: string): ServiceMatch[] {
  let text = lower;
  const matches: ServiceMatch[] = [];
  for (const form of PORT_FORMS) {
    for (const match of text.matchAll(form)) {
      const portText = match.groups?.port ?? '';
      const protocolText = match.groups?.protocol ?? match.groups?.protocolAfter ?? null;
      const port = Number(portText);
      const base = { start: match.index, end: match.index + match[0].length, text: match[0] };
      matches.push(port >= 1 && port <= 65535
        ? { ...base, type: 'port', port, protocol: protocolText === 'tcp' || protocolText === 'udp' ? protocolText : null }
        : { ...base, type: 'invalid-port', port: portText });
    }
    for (const match of matches) text = mask(text, match.start, match.end);
  }
  for (const { pattern, service } of SERVICE_WORDS) {
    for (const match of text.matchAll(pattern)) {
      const icmpv6 = match[0] === 'icmpv6';
      matches.push({
        start: match.index, end: match.index + match[0].length, text: match[0], type: 'service',
        service: icmpv6 ? { ...service, protocol: 'icmpv6' } : service,
      });
    }
    for (const match of matches) text = mask(text, match.start, match.end);
  }
  for (const match of text.matchAll(/\b(?:over\s+|via\s+)?(?<protocol>tcp|udp)\b/gu)) {
    const protocol = match.groups?.protocol === 'udp' ? 'udp' : 'tcp';
    matches.push({ start: match.index, end: match.index + match[0].length, text: match[0], type: 'protocol', protocol });
  }
  return matches.sort((a, b) => a.start - b.start);
}
