/**
 * `firewall_probe_misleading` (contributing): a Network Watcher connectivity check through Azure
 * Firewall reported Connected, but the firewall's application-rule logs contradict it. Application
 * rules run as a transparent proxy that completes the TCP handshake before it reads the SNI or
 * Host, so a TCP probe succeeds although every session is then denied (or the destination never
 * answers). A network rule drops the SYN itself: a probe cannot connect through a network-rule
 * deny, so a Connected probe beside network-rule denies is not explained by the firewall and is
 * not this reason.
 */
import { analyse, evidenceOf, firewallRowsForFlow, unique } from '../context.js';
import { captureSightings, isDenyAction } from '../findings.js';
import { sameIp } from '../net/ip.js';
import { sameResourceId } from '../../domain/index.js';
import type { Rule } from '../types.js';

/** A successful probe that the firewall logs contradict. */
export const firewallProbeMisleading: Rule = {
  name: 'firewall-probe-misleading',
  run(input) {
    const analysis = analyse(input);
    const firewalls = input.topology.firewalls;
    const probes = evidenceOf(input, 'connectivity-check').filter(({ data }) => data.connectionStatus.toLowerCase() === 'connected'
      && data.hops.some((hop) => firewalls.some((firewall) => sameIp(firewall.privateIpAddress, hop.address) || (hop.resourceId !== null && hop.resourceId.toLowerCase().startsWith(firewall.id.toLowerCase())))
        || hop.type.toLowerCase() === 'virtualappliance'));
    if (probes.length === 0) return [];
    const rows = firewallRowsForFlow(analysis, ['application']);
    const denies = rows.filter(({ data }) => isDenyAction(data.action));
    const applicationAllows = rows.filter(({ data }) => data.action?.toLowerCase() === 'allow');
    const silentDestination = captureSightings(analysis).filter((sighting) => sighting.atDestination && sighting.conversation.tcp?.handshake !== true);
    const destinationNeverAnswers = applicationAllows.length > 0 && silentDestination.length > 0;
    if (denies.length === 0 && !destinationNeverAnswers) return [];
    const firewall = firewalls.find((candidate) => sameResourceId(candidate.id, (denies[0] ?? applicationAllows[0])?.data.firewallId)) ?? null;
    return [{
      code: 'firewall_probe_misleading',
      summary: denies.length > 0
        ? `A connectivity check through Azure Firewall ${firewall?.name ?? ''} reported Connected, but its application rules deny the flow (${denies.length} row(s)): the firewall completes the TCP handshake itself before it reads the name, so a TCP probe succeeds where every real session is refused.`
        : `A connectivity check through Azure Firewall ${firewall?.name ?? ''} reported Connected because an application rule answers on behalf of the destination, which itself never completes the handshake.`,
      evidence: unique([...probes.map((probe) => probe.id), ...denies.map((row) => row.id), ...applicationAllows.map((row) => row.id), ...silentDestination.map((sighting) => sighting.evidence.id)]),
      confidence: 'high',
      nextSteps: ['Do not trust a probe through Azure Firewall on its own: read the firewall rule logs (and a capture on the destination) for the real flow.'],
    }];
  },
};
