/**
 * `no_packets_from_source`: nothing from the source reached Azure in a window the logs do cover,
 * so it is blocked before Azure (remote site firewall, on-prem routing, the tunnel). Needs a source
 * outside Azure, a forward path on which the logs would have seen it (a firewall on the path, flow
 * logs at the destination, a capture on the destination), freshness showing those logs cover the
 * window, and not one row of the flow. Rows of other hosts from the same site prove the logs work;
 * the gateway's connection says whether the tunnel was up. Absence is inferred: medium.
 */
import { sameResourceId, type EvidenceOf } from '../../domain/index.js';
import {
  analyse, evidenceOf, firewallRowsForFlow, flowLoggedWithAnalytics, flowRowsForFlow, inWindow, isSource, logSourceKind, overlapsWindow, unique,
  type Analysis, type LogSourceKind,
} from '../context.js';
import { anyPrefixContains } from '../net/ip.js';
import { blockedAt, captureSightings } from '../findings.js';
import type { Rule } from '../types.js';

/** Freshness items of one kind of source that cover the whole window, with no gap against them. */
function covering(analysis: Analysis, kind: LogSourceKind): EvidenceOf<'source-freshness'>[] {
  const failed = new Set(analysis.input.gaps.map((gap) => gap.source.toLowerCase()));
  return evidenceOf(analysis.input, 'source-freshness').filter(({ data }) => logSourceKind(data.source) === kind
    && !failed.has(data.source.toLowerCase()) && Date.parse(data.coveredUntil) >= analysis.flow.windowEndInMs);
}

/** The flow never reached Azure. */
export const noPacketsFromSource: Rule = {
  name: 'no-packets-from-source',
  run(input) {
    const analysis = analyse(input);
    const { source, forward } = analysis;
    if (source.kind !== 'on-prem' && source.kind !== 'internet') return [];
    if (forward === null) return [];
    const tunnelDown = forward.problem?.code === 'tunnel_down';
    if (forward.problem !== null && !tunnelDown) return [];

    const arrived = [
      ...firewallRowsForFlow(analysis, ['network', 'application', 'nat', 'threat-intel', 'idps', 'flow-trace']),
      ...flowRowsForFlow(analysis),
    ];
    const captured = captureSightings(analysis).filter((sighting) => sighting.fromSource);
    if (arrived.length > 0 || captured.length > 0) return [];

    const firewallOnPath = forward.hops.some((hop) => hop.kind === 'firewall');
    const destination = analysis.destination;
    const destinationLogged = flowLoggedWithAnalytics(analysis, destination);
    const firewallCoverage = firewallOnPath ? covering(analysis, 'firewall') : [];
    const flowCoverage = destinationLogged ? covering(analysis, 'flow') : [];
    const destinationCaptures = evidenceOf(input, 'capture').filter((item) => destination.kind === 'azure' && destination.resourceId !== null
      && (sameResourceId(item.data.targetId, destination.resourceId) || sameResourceId(item.data.targetId, destination.nic?.id)));
    if (!tunnelDown && firewallCoverage.length === 0 && flowCoverage.length === 0 && destinationCaptures.length === 0) return [];

    // Rows of other hosts of the same site in the window: the logs do work.
    const sitePrefixes = source.kind === 'on-prem' ? source.connections.flatMap((connection) => connection.remotePrefixes) : [];
    const otherHosts = [
      ...evidenceOf(input, 'firewall-log').filter(({ data }) => inWindow(analysis, data.time) && !isSource(analysis, data.sourceIp) && anyPrefixContains(sitePrefixes, data.sourceIp)),
      ...evidenceOf(input, 'flow-log').filter(({ data }) => overlapsWindow(analysis, data.flowStart ?? data.intervalStart, data.flowEnd ?? data.intervalEnd)
        && !isSource(analysis, data.sourceIp) && anyPrefixContains(sitePrefixes, data.sourceIp)),
    ].slice(0, 5);
    const connections = source.kind === 'on-prem' ? source.connections : [];
    const tunnel = evidenceOf(input, 'gateway-connection').filter(({ data }) => connections.some((connection) => sameResourceId(connection.id, data.connectionId)));
    const tunnelReportedDown = tunnel.some(({ data }) => data.connectionStatus.toLowerCase() !== 'connected');
    const connection = connections[0] ?? null;
    const sourceIp = analysis.flow.sourceIp ?? 'the source';
    const seenBy = [firewallCoverage.length > 0 ? 'the firewall logs' : null, flowCoverage.length > 0 ? 'Traffic Analytics at the destination' : null,
      destinationCaptures.length > 0 ? 'the capture on the destination' : null].filter((part) => part !== null).join(', ');
    return [{
      code: 'no_packets_from_source',
      summary: tunnelDown || tunnelReportedDown
        ? `Nothing from ${sourceIp} can reach Azure: the connection ${connection?.name ?? ''} to its site is not connected.`
        : `Not one packet from ${sourceIp} to ${analysis.flow.destinationIp ?? 'the destination'}${analysis.flow.port !== null ? `:${analysis.flow.port}` : ''} appears in ${seenBy}, which cover the window${otherHosts.length > 0 ? ' and show other hosts of the same site' : ''}: it is blocked before Azure.`,
      evidence: unique([...firewallCoverage.map((item) => item.id), ...flowCoverage.map((item) => item.id), ...destinationCaptures.map((item) => item.id),
        ...tunnel.map((item) => item.id), ...otherHosts.map((item) => item.id)]),
      confidence: 'medium',
      blockedAt: blockedAt('remote-site', connection?.id ?? null, connection?.name ?? null, null),
      nextSteps: tunnelDown || tunnelReportedDown
        ? [`Bring the connection ${connection?.name ?? ''} back up (check the remote VPN device and its IKE logs).`]
        : [`At the remote site, check the firewall policy and routing for ${sourceIp} towards ${analysis.flow.destinationIp ?? 'Azure'}${analysis.flow.port !== null ? ` port ${analysis.flow.port}` : ''}, and that it is sent into the tunnel.`],
      position: 0,
    }];
  },
};
