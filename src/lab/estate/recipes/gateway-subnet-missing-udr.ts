/**
 * gateway-subnet-missing-udr: a new operations spoke is reached from on
 * premises straight through the peering (the GatewaySubnet route table was not
 * given its prefix) while its own route table returns everything through the
 * firewall: the firewall drops the SYN-ACKs it has no state for; ping works
 * because the echo replies are allowed as new flows by an ICMP network rule.
 */
import { baseFor } from '../organisations.js';
import type { Story } from '../compose.js';
import { addNetworkRule, addVm, serverRules, standardExtend } from './common.js';

/** The story. */
export function gatewaySubnetMissingUdr(): Story {
  const base = baseFor('tailwind', { deployed: '2026-07-21T23:05:37.7716201+00:00', connectedSince: '2026-11-22T18:51:02Z' });
  const { estate } = base;
  const onPrem = estate.gateway.onPremPrefixes[0] ?? '';
  const opsRg = 'twl-ops-rg';
  estate.vnets.push({ name: 'twl-ops-aue-vnet', resourceGroup: opsRg, addressSpace: ['10.83.0.0/16'], dnsServers: [base.addresses.firewall], flowLog: { enabled: true, intervalInMinutes: 10, trafficAnalytics: true }, subnets: [{ name: 'snet-ops', prefix: '10.83.1.0/24', nsg: 'twl-ops-snet-nsg', routeTable: 'twl-ops-spoke-rt' }] });
  estate.peerings.push({ from: base.names.hub, to: 'twl-ops-aue-vnet', allowForwardedTraffic: true, allowGatewayTransit: true, useRemoteGateways: false }, { from: 'twl-ops-aue-vnet', to: base.names.hub, allowForwardedTraffic: true, allowGatewayTransit: false, useRemoteGateways: true });
  estate.routeTables.push({ name: 'twl-ops-spoke-rt', resourceGroup: opsRg, disableBgpRoutePropagation: true, routes: [
    { name: 'default-route-to-firewall', prefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall },
    { name: 'onprem-to-firewall', prefix: onPrem, nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall },
    { name: 'hub-mgmt-to-firewall', prefix: base.addresses.mgmtPrefix, nextHopType: 'VirtualAppliance', nextHopIp: base.addresses.firewall },
  ] });
  estate.nsgs.push({ name: 'twl-ops-snet-nsg', resourceGroup: opsRg, rules: serverRules(base, [
    { name: 'Allow-HTTPS-From-OnPrem', priority: 100, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: onPrem, destination: '*', destinationPorts: '443', description: 'Operations dashboards' },
    { name: 'Allow-ICMP-From-OnPrem', priority: 105, direction: 'Inbound', access: 'Allow', protocol: 'Icmp', source: onPrem, destination: '*', destinationPorts: '*' },
  ]) });
  addVm(base, { name: 'vm-ops01', resourceGroup: opsRg, vnet: 'twl-ops-aue-vnet', subnet: 'snet-ops', privateIp: '10.83.1.4', os: 'Linux', size: 'Standard_D2s_v5', zone: '2', workload: 'ops-dashboards', created: '2026-11-23T09:38:12.5034417+00:00' });
  addNetworkRule(base, 'onprem-to-azure', 1000, 'Allow', { name: 'https-onprem-to-ops', protocols: ['TCP'], sources: [onPrem], destinations: ['10.83.1.0/24'], ports: ['443'], description: 'Operations dashboards (CHG-2611-204)' });
  const icmpScope = [onPrem, base.addresses.appPrefix, base.addresses.dataPrefix, '10.83.0.0/16'];
  addNetworkRule(base, 'diagnostics', 1400, 'Allow', { name: 'icmp-onprem-and-spokes', protocols: ['ICMP'], sources: icmpScope, destinations: icmpScope, ports: ['*'], description: 'Ping both ways for troubleshooting' });
  const now = '2026-11-23T13:05:00Z';
  const user = { kind: 'onprem' as const, ip: '192.168.40.23' };
  const ops = { kind: 'vm' as const, name: 'vm-ops01' };
  return {
    name: 'gateway-subnet-missing-udr',
    description: 'Tailwind Logistics (fictional) landing zone in Australia East: hub 10.80.0.0/16 with Azure Firewall Premium (flow trace on) and a VPN to the Sydney data centre (192.168.0.0/17); app spoke 10.81.0.0/16, data spoke 10.82.0.0/16, and since 09:40 UTC today an operations spoke 10.83.0.0/16 with vm-ops01 (dashboards on HTTPS). The ops spoke\'s route table sends 0.0.0.0/0 and 192.168.0.0/17 to the firewall; the GatewaySubnet route table (twl-gatewaysubnet-rt) still lists only the app and data spokes. VNet flow logs with Traffic Analytics every 10 minutes.',
    now, historyInHours: 12, estate,
    flows: [
      ...base.flows,
      { source: user, destination: ops, protocol: 'TCP', port: 443, perHour: 6, from: '2026-11-23T10:04:00Z', packets: [3, 4] },
      { source: user, destination: ops, protocol: 'ICMP', port: 0, perHour: 3, from: '2026-11-23T10:06:00Z' },
      { source: { kind: 'onprem', ip: '192.168.41.8' }, destination: ops, protocol: 'TCP', port: 443, perHour: 2, from: '2026-11-23T10:20:00Z', packets: [3, 4] },
    ],
    extend: standardExtend(base),
    expect: {
      question: 'users in Sydney can ping vm-ops01 (10.83.1.4) but https://vm-ops01 times out, e.g. from 192.168.40.23 between 10:30 and 11:00 UTC. Why?',
      status: 'failing', layer: 'path', cause: 'asymmetric_routing', contributing: ['gateway_subnet_missing_udr'], blockedAt: { component: 'firewall' },
      rationale: 'Window 10:30-11:00 UTC on 2026-11-23; now is 13:05 UTC, so firewall logs and Traffic Analytics (10 minutes) cover it. Forward path: the SYN from 192.168.40.23 enters through the VPN gateway; the GatewaySubnet has no NIC, so its path is computed from twl-gatewaysubnet-rt, which sends 10.81.0.0/16 and 10.82.0.0/16 to the firewall 10.80.1.4 but has no route for 10.83.0.0/16, so the hub\'s peering route delivers it straight to vm-ops01: AZFWNetworkRule has no row from 192.168.40.23 (or 192.168.41.8) to 10.83.1.4:443 although https-onprem-to-ops would allow it. NTANetAnalytics at nic-vm-ops01 (twl-ops-aue-vnet, FlowDirection I) shows those flows arriving, allowed by twl-ops-snet-nsg Allow-HTTPS-From-OnPrem, with packets back but no completed flow. Return path: vm-ops01\'s effective routes send 192.168.0.0/17 to the firewall (user route onprem-to-firewall, propagation disabled), so the SYN-ACK reaches a firewall that never saw the SYN: AZFWFlowTrace shows Flag INVALID rows from 10.83.1.4:443 to 192.168.40.23 (retransmitted SYN-ACKs), the packet without state that the firewall drops. Ping works for a different reason, not because the path is symmetric: the echo request also bypasses the firewall, and the echo reply is evaluated as a new flow from 10.83.1.4 to 192.168.40.23 and allowed by diagnostics/icmp-onprem-and-spokes (the ICMP rows in AZFWNetworkRule name that rule). Cause asymmetric_routing at firewall, contributing gateway_subnet_missing_udr. Confidence high for the drop (INVALID flow-trace rows, no SYN in the rule logs); the GatewaySubnet path itself is computed from its route table, not read. Note: the Action value the firewall writes beside Flag INVALID is recorded here as Drop; the documentation describes INVALID as a packet with no state. Distractors: default-action network denies, threat-intelligence alerts, IDPS WinRM alerts in alert mode, and the app and data spokes, which on-prem users reach symmetrically through the firewall. Fix: add 10.83.0.0/16 -> 10.80.1.4 to twl-gatewaysubnet-rt (the hub management route table lacks it too).',
    },
  };
}
