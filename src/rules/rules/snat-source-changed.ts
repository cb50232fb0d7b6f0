/**
 * `snat_source_changed`: an Azure Firewall application rule proxies the flow, so the server sees
 * an address of the AzureFirewallSubnet, not the client's. Application-rule rows of the flow are
 * joined with what the server saw: a capture on the destination, Traffic Analytics at the
 * destination, or the PaaS resource's own log naming a firewall-subnet caller. A client-side
 * capture joins the rows exactly on source address, source port and FQDN.
 */
import { sameResourceId } from '../../domain/index.js';
import { analyse, evidenceOf, firewallRowsForFlow, inWindow, isDestination, overlapsWindow, unique } from '../context.js';
import { blockedAt, captureSightings, firewallBehind, firewallOnPath } from '../findings.js';
import type { Rule } from '../types.js';

/** The server sees the firewall's address because an application rule proxies the flow. */
export const snatSourceChanged: Rule = {
  name: 'snat-source-changed',
  run(input) {
    const analysis = analyse(input);
    const appRows = firewallRowsForFlow(analysis, ['application']).filter(({ data }) => data.action?.toLowerCase() === 'allow');
    if (appRows.length === 0) return [];
    const sightings = captureSightings(analysis);
    // Exact join: a client-side conversation whose source port and SNI match an application-rule row.
    const joined = sightings.filter((sighting) => sighting.fromSource && appRows.some(({ data }) => data.sourcePort !== null
      && data.sourcePort === sighting.conversation.client.port
      && (data.fqdn === null || sighting.conversation.tls?.serverName == null || data.fqdn.toLowerCase() === sighting.conversation.tls.serverName.toLowerCase())));
    const serverSide = sightings.filter((sighting) => !sighting.fromSource && firewallBehind(analysis, sighting.conversation.client.ip) !== null);
    const flowRows = evidenceOf(input, 'flow-log').filter(({ data }) => isDestination(analysis, data.destinationIp)
      && firewallBehind(analysis, data.sourceIp) !== null && overlapsWindow(analysis, data.flowStart ?? data.intervalStart, data.flowEnd ?? data.intervalEnd)
      && (analysis.flow.port === null || data.destinationPort === analysis.flow.port));
    const destinationId = analysis.input.question.destination.resourceId;
    const vaultRows = evidenceOf(input, 'keyvault-log').filter(({ data }) => inWindow(analysis, data.time)
      && firewallBehind(analysis, data.callerIp) !== null && (destinationId === null || sameResourceId(data.vaultId, destinationId)));
    const seenAt = [...serverSide.map((sighting) => sighting.conversation.client.ip), ...flowRows.map((row) => row.data.sourceIp), ...vaultRows.map((row) => row.data.callerIp)];
    const first = appRows[0]!.data;
    const firewall = firewallBehind(analysis, seenAt[0] ?? null) ?? firewallOnPath(analysis, first.firewallId).firewall;
    const { position } = firewallOnPath(analysis, firewall?.id ?? first.firewallId);
    const rule = [first.ruleCollectionGroup, first.ruleCollection, first.rule].filter((part) => part !== null).join('/') || null;
    return [{
      code: 'snat_source_changed',
      summary: `Azure Firewall ${firewall?.name ?? ''} application rule ${rule ?? ''} proxies ${first.sourceIp ?? 'the client'} to ${first.fqdn ?? 'the destination'}, so the server sees ${seenAt[0] ?? 'an AzureFirewallSubnet address'} instead of the client's address.`,
      evidence: unique([...appRows.map((row) => row.id), ...joined.map((sighting) => sighting.evidence.id), ...serverSide.map((sighting) => sighting.evidence.id),
        ...flowRows.map((row) => row.id), ...vaultRows.map((row) => row.id)]),
      confidence: seenAt.length > 0 || joined.length > 0 ? 'high' : 'medium',
      blockedAt: blockedAt('firewall', firewall?.id ?? first.firewallId, firewall?.name ?? null, rule),
      nextSteps: [
        `Allow the AzureFirewallSubnet prefix (the firewall's SNAT addresses) on the server, or use a network rule (which keeps the client address for private destinations) instead of application rule ${rule ?? ''}.`,
      ],
      position,
    }];
  },
};
