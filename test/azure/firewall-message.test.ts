/** The legacy msg_s parser on every variant of AZURE.md section 1. */
import { describe, expect, it } from 'vitest';
import { parseFirewallMessage } from '../../src/azure/firewall-message.js';

describe('parseFirewallMessage', () => {
  it.each([
    ['TCP request from 10.0.2.4:51990 to 13.69.65.17:443. Action: Deny', null,
      { kind: 'network', protocol: 'TCP', sourceIp: '10.0.2.4', sourcePort: 51990, destinationIp: '13.69.65.17', destinationPort: 443, action: 'Deny' }],
    ['TCP request from 10.0.0.1:49832 to 10.0.0.2:443 was allowed. Action: Allow. Rule Collection: RC-NetRules, Rule: Allow-HTTPS-Outbound', null,
      { kind: 'network', sourceIp: '10.0.0.1', destinationIp: '10.0.0.2', destinationPort: 443, action: 'Allow', ruleCollection: 'RC-NetRules', rule: 'Allow-HTTPS-Outbound' }],
    ['ICMP Type=8 request from 101.202.3.4 to 12.23.13.14. Action: Deny.', null,
      { kind: 'network', protocol: 'ICMP', sourceIp: '101.202.3.4', sourcePort: null, destinationIp: '12.23.13.14', destinationPort: null, action: 'Deny', description: 'ICMP type 8' }],
    ["TCP request from 193.238.46.72:50522 to 40.119.154.83:3389 was DNAT'ed to 10.0.2.4:3389", 'AzureFirewallNatRuleLog',
      { kind: 'nat', sourceIp: '193.238.46.72', destinationIp: '40.119.154.83', destinationPort: 3389, translatedIp: '10.0.2.4', translatedPort: 3389, action: null }],
    ['TCP request from 1.2.3.4:51890 to 5.6.7.8:443. Action: drop. Signature: 2028816. IDS: ET POLICY Something. Priority: 3. Classification: Unknown Traffic', 'AzureFirewallIDSLog',
      { kind: 'idps', action: 'Drop', signatureId: '2028816', description: 'ET POLICY Something / Unknown Traffic', destinationPort: 443 }],
    ['HTTP request from 10.0.0.5:54074 to somemaliciousdomain.com:80. Action: Alert. ThreatIntel: Bot Networks', 'AzureFirewallThreatIntelLog',
      { kind: 'threat-intel', protocol: 'HTTP', fqdn: 'somemaliciousdomain.com', destinationIp: null, destinationPort: 80, action: 'Alert', description: 'Bot Networks' }],
    ['HTTPS request from 10.0.0.1:49553 to x.azure.com:443. Action: Allow. Policy: P. Rule Collection Group: G. Rule Collection: C. Rule: R. Web Category: ComputersAndTechnology', 'AzureFirewallApplicationRuleLog',
      { kind: 'application', fqdn: 'x.azure.com', action: 'Allow', policy: 'P', ruleCollectionGroup: 'G', ruleCollection: 'C', rule: 'R' }],
    ['HTTP  request from 10.0.0.1:53717 to ocsp.usertrust.com:80. Url: ocsp.usertrust.com/MFEk=. Action: Deny. No rule matched. Proceeding with default action', 'AzureFirewallApplicationRuleLog',
      { kind: 'application', protocol: 'HTTP', fqdn: 'ocsp.usertrust.com', targetUrl: 'ocsp.usertrust.com/MFEk=', action: 'Deny', actionReason: 'Default Action' }],
    ['HTTPS request from 10.0.0.1:6065. Action: Deny. Reason: SNI TLS extension was missing.', 'AzureFirewallApplicationRuleLog',
      { kind: 'application', sourceIp: '10.0.0.1', sourcePort: 6065, fqdn: null, destinationIp: null, action: 'Deny', actionReason: 'SNI TLS extension was missing' }],
    ['TCP request from 10.1.0.4:50000 to 10.2.0.4:1433. Action: Deny. Reason: No rule matched. Proceeding with default action.', null,
      { kind: 'network', action: 'Deny', actionReason: 'Default Action', destinationPort: 1433 }],
    ['DNS Request: 10.0.0.4:53763 - 41229 A IN api.contoso.com. udp 58 false 512 NOERROR qr,rd,ra 106 0.000284s', 'AzureFirewallDnsProxy',
      { kind: 'dns', sourceIp: '10.0.0.4', sourcePort: 53763, queryName: 'api.contoso.com.', responseCode: 'NOERROR', protocol: 'UDP' }],
  ])('%s', (message, operation, expected) => {
    expect(parseFirewallMessage(message, operation)).toMatchObject(expected);
  });

  it('infers the kind without an operation name', () => {
    expect(parseFirewallMessage("TCP request from 1.1.1.1:1 to 2.2.2.2:3389 was DNAT'ed to 10.0.0.4:3389")?.kind).toBe('nat');
    expect(parseFirewallMessage('HTTP request from 10.0.0.5:54074 to bad.example:80. Action: Alert. ThreatIntel: Bot Networks')?.kind).toBe('threat-intel');
  });

  it('returns null for lines that are not request logs', () => {
    expect(parseFirewallMessage(' Error: 2 time.windows.com.reddog.microsoft.com. A: read udp 10.0.1.5:49126->168.63.129.160:53: i/o timeout')).toBeNull();
  });

  it('keeps 192.168.10.52 distinct from 192.168.10.5', () => {
    expect(parseFirewallMessage('TCP request from 192.168.10.52:50000 to 10.201.1.4:3389. Action: Allow')?.sourceIp).toBe('192.168.10.52');
  });
});
