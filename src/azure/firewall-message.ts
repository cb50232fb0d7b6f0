/**
 * The legacy Azure Firewall log line (`msg_s` of AzureDiagnostics), parsed in every
 * variant the docs and the Sentinel samples show (AZURE.md section 1):
 *
 *   TCP request from 10.0.2.4:51990 to 13.69.65.17:443. Action: Deny
 *   TCP request from 10.0.0.1:49832 to 10.0.0.2:443 was allowed. Action: Allow. Rule Collection: RC-NetRules, Rule: Allow-HTTPS-Outbound
 *   ICMP Type=8 request from 101.202.3.4 to 12.23.13.14. Action: Deny.
 *   TCP request from 193.238.46.72:50522 to 40.119.154.83:3389 was DNAT'ed to 10.0.2.4:3389
 *   TCP request from 1.2.3.4:51890 to 5.6.7.8:443. Action: drop. Signature: 2028816. IDS: <desc>. Priority: 3. Classification: Unknown Traffic
 *   HTTP request from 10.0.0.5:54074 to somemaliciousdomain.com:80. Action: Alert. ThreatIntel: Bot Networks
 *   HTTPS request from 10.0.0.1:49553 to x.azure.com:443. Action: Allow. Policy: P. Rule Collection Group: G. Rule Collection: C. Rule: R. Web Category: ComputersAndTechnology
 *   HTTP  request from 10.0.0.1:53717 to ocsp.usertrust.com:80. Url: ocsp.usertrust.com/MFEk=. Action: Deny. No rule matched. Proceeding with default action
 *   HTTPS request from 10.0.0.1:6065. Action: Deny. Reason: SNI TLS extension was missing.
 *
 * and the DNS proxy line (`DNS Request: 10.0.0.4:53763 - 41229 A IN api.contoso.com. udp 58 false 512 NOERROR qr,rd,ra 106 0.000284s`).
 */
import { isIP } from 'node:net';
import type { FirewallLogRecord } from '../domain/index.js';

/** What a message says, before the row's time and resource are added. */
export type ParsedFirewallMessage = Omit<FirewallLogRecord, 'time' | 'table' | 'firewallId' | 'ingestedAt'>;

const HEAD = /^(?<protocol>[A-Za-z0-9]+)(?: Type=(?<icmpType>\d+))?\s+request from (?<source>\[[^\]]+\]|[^\s:[]+?)(?::(?<sourcePort>\d+))?(?: to (?<destination>\[[^\]]+\]|[^\s:[]+?)(?::(?<destinationPort>\d+))?)?(?=\.?(?:\s|$))\.?(?<rest>.*)$/s;
const DNAT = /was DNAT'ed to (?<ip>\[[^\]]+\]|[^\s:]+?)(?::(?<port>\d+))?(?=\.?(?:\s|$))/;
const KEYS = /(?:^|[\s.,])(Action|Policy|Rule Collection Group|Rule Collection|Rule|Web Category|Url|Reason|ThreatIntel|Signature|IDS|Priority|Classification):\s/g;
const DNS = /^DNS Request:\s+(?<source>\[[^\]]+\]|[^\s:]+):(?<sourcePort>\d+)\s+[-–]\s+(?<queryId>\d+)\s+(?<type>\S+)\s+(?<class>\S+)\s+(?<name>\S+)\s+(?<transport>\S+)\s+\d+\s+\S+\s+\d+\s+(?<rcode>[A-Z]+)\b/;

function bare(address: string | undefined): string | null {
  if (address === undefined) return null;
  return address.startsWith('[') ? address.slice(1, -1) : address;
}

function port(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

function fields(rest: string): Map<string, string> {
  const found = new Map<string, string>();
  const marks: { key: string; start: number; end: number }[] = [];
  for (const match of rest.matchAll(KEYS)) {
    const key = match[1] ?? '';
    marks.push({ key, start: match.index + match[0].indexOf(key), end: match.index + match[0].length });
  }
  marks.forEach((mark, index) => {
    const next = marks[index + 1];
    const value = rest.slice(mark.end, next ? next.start : rest.length).replace(/[\s.,]+$/, '').trim();
    if (!found.has(mark.key)) found.set(mark.key, value);
  });
  return found;
}

function empty(): ParsedFirewallMessage {
  return {
    kind: 'network', action: null, actionReason: null, protocol: null, sourceIp: null, sourcePort: null, destinationIp: null,
    destinationPort: null, fqdn: null, targetUrl: null, policy: null, ruleCollectionGroup: null, ruleCollection: null, rule: null,
    flag: null, translatedIp: null, translatedPort: null, description: null, signatureId: null, queryName: null, responseCode: null,
  };
}

/** The kind an operation name or category says (AzureFirewallNatRuleLog -> nat ...), or null. */
export function kindOfOperation(operationName: string | null, category: string | null): ParsedFirewallMessage['kind'] | null {
  const name = `${operationName ?? ''} ${category ?? ''}`.toLowerCase();
  if (name.includes('natrule')) return 'nat';
  if (name.includes('threatintel')) return 'threat-intel';
  if (name.includes('idslog') || name.includes('idps')) return 'idps';
  if (name.includes('dnsproxy') || name.includes('dnsquery')) return 'dns';
  if (name.includes('applicationrule')) return 'application';
  if (name.includes('networkrule')) return 'network';
  return null;
}

/**
 * Parses one `msg_s`. Returns null for a line that is not a request log (e.g. a DNS
 * proxy error line), which the caller keeps as a warning rather than guessing.
 */
export function parseFirewallMessage(message: string, operationName: string | null = null, category: string | null = null): ParsedFirewallMessage | null {
  const line = message.trim();
  const dns = DNS.exec(line);
  if (dns?.groups) {
    return {
      ...empty(), kind: 'dns', protocol: dns.groups.transport?.toUpperCase() ?? null, sourceIp: bare(dns.groups.source),
      sourcePort: port(dns.groups.sourcePort), queryName: dns.groups.name ?? null, responseCode: dns.groups.rcode ?? null,
    };
  }
  const head = HEAD.exec(line);
  if (!head?.groups) return null;
  const groups = head.groups;
  const rest = groups.rest ?? '';
  const values = fields(rest);
  const record = empty();
  record.protocol = (groups.protocol ?? '').toUpperCase();
  record.sourceIp = bare(groups.source);
  record.sourcePort = port(groups.sourcePort);
  const destination = bare(groups.destination);
  if (destination !== null && isIP(destination) !== 0) record.destinationIp = destination;
  else record.fqdn = destination;
  record.destinationPort = port(groups.destinationPort);
  if (groups.icmpType !== undefined) record.description = `ICMP type ${groups.icmpType}`;

  const dnat = DNAT.exec(rest);
  if (dnat?.groups) {
    record.translatedIp = bare(dnat.groups.ip);
    record.translatedPort = port(dnat.groups.port);
  }
  const action = values.get('Action');
  record.action = action ? (/^[A-Za-z]+/.exec(action)?.[0] ?? null) : null;
  if (record.action !== null) record.action = record.action.charAt(0).toUpperCase() + record.action.slice(1).toLowerCase();
  record.policy = values.get('Policy') || null;
  record.ruleCollectionGroup = values.get('Rule Collection Group') || null;
  record.ruleCollection = values.get('Rule Collection') || null;
  record.rule = values.get('Rule') || null;
  record.targetUrl = values.get('Url') || null;
  record.signatureId = values.get('Signature') || null;
  const reason = values.get('Reason') ?? null;
  // "No rule matched. Proceeding with default action" is what AZFW* tables call "Default Action".
  if (/no rule matched/i.test(rest)) record.actionReason = 'Default Action';
  else if (reason !== null) record.actionReason = reason;
  const threat = values.get('ThreatIntel');
  const ids = values.get('IDS');
  if (threat) record.description = threat;
  if (ids) record.description = [ids, values.get('Classification')].filter(Boolean).join(' / ');
  if (record.description === null && reason !== null && record.actionReason !== reason) record.description = reason;

  record.kind = kindOfOperation(operationName, category) ?? (
    record.translatedIp !== null ? 'nat'
      : threat ? 'threat-intel'
        : record.signatureId !== null || ids ? 'idps'
          : record.protocol === 'HTTP' || record.protocol === 'HTTPS' || values.has('Web Category') ? 'application'
            : 'network');
  return record;
}
