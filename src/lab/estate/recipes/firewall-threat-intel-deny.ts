/**
 * firewall-threat-intel-deny: the shipping-rates partner's address was added to
 * Microsoft's threat-intelligence feed overnight; the firewall policy runs threat
 * intelligence in Alert and deny mode, so the order service's calls are dropped
 * before any rule is evaluated (AZFWThreatIntel Action Deny, not Alert).
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addApplicationRule, standardExtend } from './common.js';

/** The story. */
export function firewallThreatIntelDeny(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-12-01T21:14:37Z' });
  const { estate } = base;
  estate.firewall.threatIntelMode = 'Deny';
  const fqdn = 'rates.shipfast-partner.example';
  const partnerIp = '198.51.100.23';
  addApplicationRule(base, 'partner-apis', 900, { name: 'shipping-rates', protocols: [{ protocolType: 'Https', port: 443 }], sources: [base.addresses.appTierPrefix], fqdns: [fqdn], description: 'ShipFast rates API (CHG-2609-088)' });
  const partner = { kind: 'public' as const, ip: partnerIp, azure: false, country: 'nl' };
  const listedSince = '2026-12-02T05:47:00Z';
  const call = (name: string) => ({ source: { kind: 'vm' as const, name }, destination: partner, protocol: 'TCP' as const, port: 443, fqdn, perHour: 10, packets: [9, 14] as [number, number], responseBytes: [3_000, 6_000] as [number, number] });
  const now = '2026-12-02T10:10:00Z';
  return {
    name: 'firewall-threat-intel-deny',
    description: 'Northwind Traders (fictional), UK South hub and spoke with Azure Firewall Premium. The firewall policy runs threat intelligence in "Alert and deny" mode (SEC-2988, since October). The order service on vm-app01 and vm-app02 calls the ShipFast rates API rates.shipfast-partner.example (198.51.100.23, a shared hosting address in the Netherlands) through the application rule partner-apis/shipping-rates. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { ...call('vm-app01'), to: listedSince },
      { ...call('vm-app02'), to: listedSince },
      { ...call('vm-app01'), from: listedSince, packets: [3, 5], threat: { description: 'Botnet command and control', destinationIp: partnerIp } },
      { ...call('vm-app02'), from: listedSince, packets: [3, 5], threat: { description: 'Botnet command and control', destinationIp: partnerIp } },
    ],
    extend: standardExtend(base, [{ sourceIp: '10.61.2.4', perHour: 4, names: [{ name: fqdn }] }, { sourceIp: '10.61.2.5', perHour: 4, names: [{ name: fqdn }] }]),
    expect: {
      question: 'why can\'t vm-app01 reach the shipping rates API https://rates.shipfast-partner.example (198.51.100.23) since 06:00 UTC today?',
      status: 'failing', layer: 'path', cause: 'firewall_threat_intel_deny', contributing: [], blockedAt: { component: 'firewall' },
      rationale: 'Window from 06:00 UTC on 2026-12-02; now is 10:10 UTC, so firewall logs (minutes) and Traffic Analytics (10 minutes) cover it. vm-app01 (10.61.2.4) resolves rates.shipfast-partner.example to 198.51.100.23 through the firewall\'s DNS proxy (AZFWDnsQuery, NOERROR) and sends it to its 0.0.0.0/0 route, the firewall 10.60.1.4. Until 05:47 UTC AZFWApplicationRule shows the calls Allow by DefaultApplicationRuleCollectionGroup/partner-apis/shipping-rates and NTANetAnalytics at nic-vm-app01 shows them completed with a few kilobytes back. From 05:47 AZFWThreatIntel holds a row for every attempt from 10.61.2.4 and 10.61.2.5 to 198.51.100.23:443, Fqdn rates.shipfast-partner.example, ThreatDescription "Botnet command and control", Action Deny (the policy\'s threatIntelMode is Deny, i.e. Alert and deny), and AZFWApplicationRule has no row for them any more: threat intelligence is evaluated before the rules, so the allow rule never runs. NTANetAnalytics at the source NIC shows the outbound flows allowed by the NSG with no packets back. The only other threat-intelligence rows (vm-jump01 to 203.0.113.80, updates.fastmirror-cdn.example) are also Deny and unrelated. Cause firewall_threat_intel_deny at firewall, confidence high: deny rows naming the feed\'s verdict, nothing contradicts. Not firewall_deny: the application rule would allow the flow. Next steps: ask ShipFast whether 198.51.100.23 is compromised (it is shared hosting); if it is a false positive, add rates.shipfast-partner.example (or the address) to the policy\'s threat-intelligence allow list, which is safer than switching the whole policy back to Alert.',
    },
  };
}
