/**
 * firewall-app-rule-probe-misleading: HTTPS to a partner API is denied by the
 * application rules' default action, while Network Watcher's connection
 * troubleshoot through the firewall reports Connected (the firewall completes
 * the TCP handshake itself before it sees the SNI).
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { Ids } from '../ids.js';
import { guidFor } from '../random.js';
import { standardExtend } from './common.js';

/** The story. */
export function firewallAppRuleProbeMisleading(): Story {
  const base = baseFor('northwind', { deployed: '2026-08-03T09:41:17.2214809+00:00', connectedSince: '2026-11-21T03:12:55Z' });
  const { estate } = base;
  const ids = new Ids(estate.organisation.subscriptionId);
  const vm = estate.vms.find((candidate) => candidate.name === 'vm-app02');
  if (!vm) throw new Error('vm-app02 missing');
  const partner = { kind: 'public' as const, ip: '203.0.113.200', azure: false, country: 'nl' };
  const now = '2026-11-21T12:10:00Z';
  const firewallConfig = `${ids.firewall(estate)}/azureFirewallIpConfigurations/ipconfig-${estate.firewall.name}`;
  const hopIds = ['source', 'firewall', 'destination'].map((hop) => guidFor(`hop:${hop}:probe`));
  return {
    name: 'firewall-app-rule-probe-misleading',
    description: 'Northwind Traders (fictional), UK South hub and spoke with Azure Firewall Premium (application rules for Azure Monitor, Entra ID, Windows Update and Ubuntu mirrors; default deny). The orders API on vm-app02 was changed this morning to call the payment partner\'s API api.paygate-partner.example (203.0.113.200) over HTTPS; no application rule allows that FQDN yet. The connectivity check pinned here is what Network Watcher answered for vm-app02 -> api.paygate-partner.example:443 at 10:20 UTC.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: { kind: 'vm', name: 'vm-app02' }, destination: partner, protocol: 'TCP', port: 443, fqdn: 'api.paygate-partner.example', perHour: 6, from: '2026-11-21T09:32:00Z', packets: [4, 6], responseBytes: [0, 0] },
    ],
    connectivityCheck: [{
      request: { source: { resourceId: ids.vm(vm) }, destination: { address: 'api.paygate-partner.example', port: 443 }, protocol: 'Tcp', preferredIPVersion: 'IPv4' },
      response: {
        hops: [
          { type: 'Source', id: hopIds[0], address: vm.privateIp, resourceId: `${ids.nic(vm)}/ipConfigurations/ipconfig1`, nextHopIds: [hopIds[1]], previousHopIds: [], issues: [] },
          { type: 'VirtualAppliance', id: hopIds[1], address: estate.firewall.privateIp, resourceId: firewallConfig, nextHopIds: [hopIds[2]], previousHopIds: [hopIds[0]], issues: [] },
          { type: 'Internet', id: hopIds[2], address: partner.ip, nextHopIds: [], previousHopIds: [hopIds[1]], issues: [] },
        ],
        connectionStatus: 'Connected', avgLatencyInMs: 2, minLatencyInMs: 1, maxLatencyInMs: 5, probesSent: 66, probesFailed: 0,
      },
    }],
    extend: standardExtend(base, [{ sourceIp: vm.privateIp, perHour: 3, from: '2026-11-21T09:31:00Z', names: [{ name: 'api.paygate-partner.example' }] }]),
    expect: {
      question: 'vm-app02 can\'t call https://api.paygate-partner.example between 10:00 and 10:30 UTC, yet Network Watcher connection troubleshoot says Connected. Why?',
      status: 'failing', layer: 'path', cause: 'firewall_deny', contributing: ['firewall_probe_misleading'], blockedAt: { component: 'firewall' },
      rationale: 'Window 10:00-10:30 UTC on 2026-11-21; now is 12:10 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it. vm-app02 (10.61.2.5) resolves api.paygate-partner.example to 203.0.113.200 through the firewall\'s DNS proxy (AZFWDnsQuery, NOERROR) and sends it to its 0.0.0.0/0 user route, next hop the firewall 10.60.1.4. No network rule matches TCP 443 to 203.0.113.200, so the application rules decide: AZFWApplicationRule holds every attempt from 10.61.2.5 with Fqdn api.paygate-partner.example, Protocol HTTPS, Action Deny, ActionReason Default Action (no rule collection, no rule): internet-egress allows Azure Monitor, Entra ID, Windows Update and Ubuntu mirrors only. The connectivity check (pinned, 10:20 UTC) reports Connected through the firewall hop: Azure Firewall\'s application rules run as a transparent proxy that completes the TCP handshake with the client before it reads the TLS SNI, so a TCP probe succeeds even though every TLS session is refused; the probe never sends a ClientHello. The firewall logs contradict it, so the probe is misleading (firewall_probe_misleading). NTANetAnalytics at vm-app02 shows the outbound flows allowed by its NSG with a few packets and almost nothing back. Cause firewall_deny at firewall (application rules, default action), confidence high: deny rows for this FQDN and source, and the only contrary signal is explained. Distractors: the jump host\'s threat-intelligence alerts and denies to updates.fastmirror-cdn.example, default-action network denies (vm-app02 -> 10.128.1.10:135), WinRM IDPS alerts in alert mode, Allow rows of vm-app02 to login.microsoftonline.com. Fix: an application rule for api.paygate-partner.example (HTTPS 443) from 10.61.2.0/24.',
    },
  };
}
