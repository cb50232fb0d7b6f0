/**
 * firewall-idps-deny: IDPS was switched to Alert and deny last night; the freight
 * booking integration posts to a carrier's legacy HTTP endpoint with Basic
 * authentication, which an Emerging Threats policy signature matches, so the
 * firewall drops the request after the network rule allowed the connection.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, standardExtend } from './common.js';

/** The story. */
export function firewallIdpsDeny(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-12-02T19:33:08Z' });
  const { estate } = base;
  estate.firewall.idpsMode = 'Deny';
  // The noisy WinRM policy signature was kept in Alert when the policy moved to Deny (SEC-3141).
  estate.firewall.idpsSignatureOverrides = [{ id: '2024548', mode: 'Alert' }];
  const carrierIp = '203.0.113.140';
  addNetworkRule(base, 'partner-egress', 1500, 'Allow', { name: 'carrier-booking-http', protocols: ['TCP'], sources: [base.addresses.appTierPrefix], destinations: [carrierIp], ports: ['8080'], description: 'Coastline Carriers booking API (legacy HTTP, CHG-2608-311)' });
  const carrier = { kind: 'public' as const, ip: carrierIp, azure: false, country: 'au' };
  const signature = { signatureId: '2006380', category: 'Potential Corporate Privacy Violation', description: 'ET POLICY Outgoing Basic Auth Base64 HTTP Password detected unencrypted', severity: 1, probability: 1 };
  const booking = (name: string, perHour: number) => ({ source: { kind: 'vm' as const, name }, destination: carrier, protocol: 'TCP' as const, port: 8080, perHour, packets: [6, 10] as [number, number], responseBytes: [900, 2_400] as [number, number], idps: signature });
  const now = '2026-12-03T09:40:00Z';
  return {
    name: 'firewall-idps-deny',
    description: 'Tailwind Logistics (fictional), Australia East hub and spoke with Azure Firewall Premium. The firewall policy\'s IDPS mode was changed from Alert to "Alert and deny" at 21:00 UTC yesterday (SEC-3141), keeping one noisy WinRM signature (2024548) in Alert. The freight booking service on vm-app01 and vm-app02 posts bookings to Coastline Carriers\' legacy API at http://203.0.113.140:8080 (plain HTTP with Basic authentication) through the network rule partner-egress/carrier-booking-http. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      booking('vm-app01', 5),
      booking('vm-app02', 5),
    ],
    extend: standardExtend(base),
    expect: {
      question: 'why do bookings from vm-app01 to the carrier API at 203.0.113.140:8080 time out this morning?',
      status: 'failing', layer: 'path', cause: 'firewall_idps_deny', contributing: [], blockedAt: { component: 'firewall' },
      rationale: 'Window: this morning, 2026-12-03 (say 00:00-09:30 UTC); now is 09:40 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it up to about 09:20. vm-app01 (10.81.2.4) sends 203.0.113.140 to its 0.0.0.0/0 route, the firewall 10.80.1.4. Each connection appears in AZFWNetworkRule as Allow by DefaultNetworkRuleCollectionGroup/partner-egress/carrier-booking-http, and AZFWFlowTrace shows the SYN-ACK coming back from 203.0.113.140:8080 but never a FIN: the TCP handshake completes. Then AZFWIdpsSignature holds, for the same source port, SignatureId 2006380 "ET POLICY Outgoing Basic Auth Base64 HTTP Password detected unencrypted", Severity 1, Action drop: the policy\'s intrusionDetection mode is Deny, and this signature has no override (only 2024548 is kept in Alert), so the request carrying the Basic credentials and the rest of the flow are dropped. NTANetAnalytics at nic-vm-app01 shows the outbound flows allowed by the NSG with one packet back (the SYN-ACK) and none completed. The WinRM rows in AZFWIdpsSignature (signature 2024548, Action alert) are a distractor: that signature is overridden to Alert and those sessions complete. Cause firewall_idps_deny at firewall (signature 2006380), confidence high: drop rows naming the signature for the very connections, nothing contradicts. Not firewall_deny: the network rule allows the flow. Next steps: move the integration to HTTPS (the signature exists because the password crosses the internet in clear text); as a stop-gap, an IDPS bypass for 10.81.2.0/24 -> 203.0.113.140:8080 or a signature override of 2006380 to Alert, approved by security.',
    },
  };
}
