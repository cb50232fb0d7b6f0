/**
 * `no_packets_from_source`: nothing from the source reached Azure in a window the logs do cover,
 * so it is blocked before Azure (remote site firewall, on-prem routing, the tunnel). Needs a source
 * outside Azure, a forward path on which the logs would have seen it (a firewall on the path, flow
 * logs at the destination, a capture on the destination), freshness showing those logs cover the
 * window, and not one row of the flow. The gateway's connection says whether the tunnel was up.
 *
 * The positive half of the proof is the site's other hosts: rows of other addresses of the source's
 * site block (`siteOf`) to the destination, or to its VNet, in the same window (the investigation
 * fetches them when it finds nothing of the flow). With them, the finding says how many hosts of the
 * site reached Azure and names one row: the connection carries the site's traffic and the logs see it,
 * so the silence is the source's alone (a rule or route at the site for that host or port). Without
 * them, it says that nothing from the whole site appears either: then the tunnel's data plane or the
 * site's routing towards Azure is as likely as a rule for the host, and the next steps say so.
 *
 * Confidence is medium in every case, by decision. CONTRACTS.md keeps high for direct evidence of the
 * block (a deny row, capture frames, an active route or rule); here the block happens where Azure
 * cannot see, and the conclusion is inferred from absence in a covered window, which is medium by
 * definition. The other hosts' rows answer "your logs are broken", they do not show the block itself,
 * so they strengthen the text and the citations, not the level. Their absence does not lower it
 * either: the cause still holds (nothing from the source arrived, the tunnel is part of "before
 * Azure"), only where at the site it is stopped becomes open. A failed site query is a gap that
 * leaves the finding as it was without it.
 */
import { sameResourceId, type EvidenceOf } from '../../domain/index.js';
import {
  analyse, evidenceOf, firewallRowsForFlow, flowLoggedWithAnalytics, flowRowsForFlow, inWindow, isDestination, isSource, logSourceKind, overlapsWindow, unique,
  type Analysis, type LogSourceKind,
} from '../context.js';
import { anyPrefixContains } from '../net/ip.js';
import { blockedAt, captureSightings, isDenyAction, loggedRuleName } from '../findings.js';
import { logRowNames, ownBlock, SITE_ACTIVITY_SOURCE, SITE_FIREWALL_KINDS, SITE_HOSTS_PER_SOURCE, siteOf } from '../site.js';
import type { Rule } from '../types.js';

/** `a`, `a and b`, `a, b and c`. */
function listed(parts: readonly string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** Freshness items of one kind of source that cover the whole window, with no gap against them. */
function covering(analysis: Analysis, kind: LogSourceKind): EvidenceOf<'source-freshness'>[] {
  const failed = new Set(analysis.input.gaps.map((gap) => gap.source.toLowerCase()));
  return evidenceOf(analysis.input, 'source-freshness').filter(({ data }) => logSourceKind(data.source) === kind
    && !failed.has(data.source.toLowerCase()) && Date.parse(data.coveredUntil) >= analysis.flow.windowEndInMs);
}

type SiteRow = EvidenceOf<'firewall-log'> | EvidenceOf<'flow-log'>;

/** What the logs say about the source's site in the window. */
interface SiteActivity {
  /** The site's block (`siteOf`). */
  site: string;
  /** Rows of other hosts of the site to the destination or its VNet. */
  rows: SiteRow[];
  /** True when the rows reach the destination itself, not only its VNet. */
  toDestination: boolean;
  /** Whether the site was looked at: false when the query failed (a gap) or was not made. */
  checked: boolean;
  /** The gap of a failed site query. */
  gap: string | null;
}

/** The other hosts of the source's site in the window, or null when the source has no site. */
function siteActivity(analysis: Analysis): SiteActivity | null {
  const { input, source, destination, flow } = analysis;
  const site = source.kind === 'on-prem' ? siteOf(input.topology, source.ip) : null;
  if (site === null || flow.destinationIp === null) return null;
  const vnetPrefixes = destination.kind === 'azure' ? destination.vnet.addressPrefixes : [];
  const fromSite = (ip: string | null, to: string | null) => !isSource(analysis, ip) && anyPrefixContains([site], ip)
    && (isDestination(analysis, to) || anyPrefixContains(vnetPrefixes, to));
  const rows: SiteRow[] = [
    ...evidenceOf(input, 'firewall-log').filter(({ data }) => SITE_FIREWALL_KINDS.includes(data.kind) && inWindow(analysis, data.time) && fromSite(data.sourceIp, data.destinationIp)),
    ...evidenceOf(input, 'flow-log').filter(({ data }) => overlapsWindow(analysis, data.flowStart ?? data.intervalStart, data.flowEnd ?? data.intervalEnd)
      && fromSite(data.sourceIp, data.destinationIp)),
  ];
  const failed = input.gaps.find((gap) => gap.source === SITE_ACTIVITY_SOURCE);
  // The investigation looks only when no row names the source at all; otherwise it did not look.
  const sourceIp = flow.sourceIp;
  const looked = sourceIp !== null && !input.evidence.some((item) => logRowNames(item, sourceIp));
  return {
    site, rows, toDestination: rows.some(({ data }) => isDestination(analysis, data.destinationIp)),
    checked: failed === undefined && looked, gap: failed === undefined ? null : `${failed.reason}${failed.detail ? `: ${failed.detail}` : ''}`,
  };
}

/** `2026-11-12 14:02:59 UTC` from an ISO instant. */
function clock(time: string): string {
  return time.length >= 19 ? `${time.slice(0, 10)} ${time.slice(11, 19)} UTC` : time;
}

/** One row a remote admin can look for: who, to where, what Azure did, when, by which rule. */
function describeRow(row: SiteRow): string {
  const port = row.data.destinationPort === null ? '' : `:${row.data.destinationPort}`;
  if (row.kind === 'firewall-log') {
    const { data } = row;
    const rule = loggedRuleName(data);
    return `${data.sourceIp ?? '?'} -> ${data.destinationIp ?? '?'}${port} ${data.action ?? 'logged'} at ${clock(data.time)} in ${data.table}${rule ? ` by rule ${rule}` : ''}`;
  }
  const { data } = row;
  return `${data.sourceIp} -> ${data.destinationIp}${port} ${data.status} in ${data.table} (interval from ${clock(data.intervalStart)})`;
}

/** The example to name: a firewall row (it names a rule) on the question's port, allowed, earliest. */
function exampleRow(analysis: Analysis, rows: readonly SiteRow[]): SiteRow | undefined {
  const score = (row: SiteRow) => (row.kind === 'firewall-log' ? 0 : 4)
    + (row.data.destinationPort === analysis.flow.port ? 0 : 2)
    + (row.kind === 'firewall-log' && isDenyAction(row.data.action) ? 1 : row.kind === 'flow-log' && row.data.status === 'denied' ? 1 : 0)
    + (isDestination(analysis, row.data.destinationIp) ? 0 : 8);
  return [...rows].sort((left, right) => score(left) - score(right))[0];
}

/** The sentence about the site, for the finding's summary. */
function siteSentence(analysis: Analysis, activity: SiteActivity, seenBy: string): string {
  const { site, rows } = activity;
  const destination = analysis.destination;
  const target = activity.toDestination ? analysis.flow.destinationIp ?? 'the destination'
    : destination.kind === 'azure' ? `the destination's VNet ${destination.vnet.name} (${destination.vnet.addressPrefixes.join(', ')})` : 'the destination';
  if (rows.length === 0) {
    if (!activity.checked) return activity.gap === null ? '' : ` Whether other hosts of the site (${site}) reached Azure could not be checked (${activity.gap}).`;
    return ` No other host of the site (${site}) appears in ${seenBy} either, to ${analysis.flow.destinationIp ?? 'the destination'} or its VNet: nothing from the whole site reached Azure in the window, so the tunnel or the site's routing towards Azure may be down, not only a rule for this host.`;
  }
  const hosts = unique(rows.map(({ data }) => (data.sourceIp ?? '').toLowerCase()));
  const capped = (['firewall-log', 'flow-log'] as const).some((kind) => new Set(rows.filter((row) => row.kind === kind).map(({ data }) => data.sourceIp)).size >= SITE_HOSTS_PER_SOURCE);
  const own = ownBlock(analysis.flow.sourceIp);
  const inOwn = own !== null && own !== site ? hosts.filter((host) => anyPrefixContains([own], host)).length : 0;
  const count = `${capped ? 'at least ' : ''}${hosts.length} other host${hosts.length === 1 ? '' : 's'}`;
  const example = exampleRow(analysis, rows);
  return ` In the same window ${count} of the same site (${site}${inOwn > 0 ? `, ${inOwn} of them in the source's own ${own}` : ''}) reached ${target}`
    + `${example ? `, e.g. ${describeRow(example)}` : ''}: the site's traffic does reach Azure and the logs see it.`;
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

    const activity = siteActivity(analysis);
    const connections = source.kind === 'on-prem' ? source.connections : [];
    const tunnel = evidenceOf(input, 'gateway-connection').filter(({ data }) => connections.some((connection) => sameResourceId(connection.id, data.connectionId)));
    const tunnelReportedDown = tunnel.some(({ data }) => data.connectionStatus.toLowerCase() !== 'connected');
    const connection = connections[0] ?? null;
    const sourceIp = analysis.flow.sourceIp ?? 'the source';
    const seenBy = listed([firewallCoverage.length > 0 ? 'the firewall logs' : null, flowCoverage.length > 0 ? 'Traffic Analytics at the destination' : null,
      destinationCaptures.length > 0 ? 'the capture on the destination' : null].filter((part) => part !== null));
    const down = tunnelDown || tunnelReportedDown;
    const wholeSiteSilent = activity !== null && activity.checked && activity.rows.length === 0;
    const target = `${analysis.flow.destinationIp ?? 'Azure'}${analysis.flow.port !== null ? ` port ${analysis.flow.port}` : ''}`;
    return [{
      code: 'no_packets_from_source',
      summary: down
        ? `Nothing from ${sourceIp} can reach Azure: the connection ${connection?.name ?? ''} to its site is not connected.`
        : `Not one packet from ${sourceIp} to ${analysis.flow.destinationIp ?? 'the destination'}${analysis.flow.port !== null ? `:${analysis.flow.port}` : ''} appears in ${seenBy}, which cover the window: it is blocked before Azure.`
          + (activity === null ? '' : siteSentence(analysis, activity, seenBy)),
      evidence: unique([...firewallCoverage.map((item) => item.id), ...flowCoverage.map((item) => item.id), ...destinationCaptures.map((item) => item.id),
        ...tunnel.map((item) => item.id), ...(down ? [] : activity?.rows ?? []).map((item) => item.id)]),
      confidence: 'medium',
      blockedAt: blockedAt('remote-site', connection?.id ?? null, connection?.name ?? null, null),
      nextSteps: down
        ? [`Bring the connection ${connection?.name ?? ''} back up (check the remote VPN device and its IKE logs).`]
        : wholeSiteSilent
          ? [`At the remote site, check that traffic from ${activity.site} towards ${analysis.flow.destinationIp ?? 'Azure'} enters the tunnel${connection ? ` of ${connection.name}` : ''} at all (the VPN device's security associations and counters, the site's routes), then the firewall policy for ${sourceIp} towards ${target}.`]
          : [`At the remote site, check the firewall policy and routing for ${sourceIp} towards ${target}, and that it is sent into the tunnel.`],
      position: 0,
    }];
  },
};
