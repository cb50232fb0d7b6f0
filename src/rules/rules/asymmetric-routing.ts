/**
 * `asymmetric_routing`: forward and return traffic take different paths, so a stateful firewall
 * sees one side only. From the route model (forward and return walks pass different firewalls)
 * and from the firewall's half-flows (AZFWFlowTrace SYN-ACK or INVALID with no SYN in the rule
 * logs). Adds the contributing reason: gateway_subnet_missing_udr,
 * private_endpoint_route_overrides_udr or spoke_bgp_route_bypasses_firewall.
 */
import { sameResourceId, type ContributingCode } from '../../domain/index.js';
import { analyse, citeResources, evidenceOf, firewallRowsForFlow, inWindow, isDestination, isSource, unique, type Analysis } from '../context.js';
import { findSubnet, privateEndpointByIp } from '../estate.js';
import { anyPrefixContains } from '../net/ip.js';
import { blockedAt, captureSightings } from '../findings.js';
import { compareDirections, type Bypass } from '../routes/asymmetry.js';
import type { Rule, RuleFinding } from '../types.js';

const HALF_FLOW_FLAGS = new Set(['syn-ack', 'invalid']);

/** Flow-trace rows of the flow (either orientation) that show only the reply half at the firewall. */
function halfFlowRows(analysis: Analysis) {
  const port = analysis.flow.port;
  return evidenceOf(analysis.input, 'firewall-log').filter(({ data }) => data.kind === 'flow-trace'
    && HALF_FLOW_FLAGS.has((data.flag ?? '').toLowerCase()) && inWindow(analysis, data.time)
    && ((isSource(analysis, data.sourceIp) && isDestination(analysis, data.destinationIp) && (port === null || data.destinationPort === port))
      || (isDestination(analysis, data.sourceIp) && isSource(analysis, data.destinationIp) && (port === null || data.sourcePort === port))));
}

function nextStepFor(analysis: Analysis, bypass: Bypass, firewallIp: string | null): string {
  const { topology } = analysis.input;
  const hop = bypass.hop;
  switch (bypass.reason) {
    case 'gateway_subnet_missing_udr': {
      const target = bypass.bypassing === 'forward' ? analysis.destination : analysis.source;
      const prefix = target.kind === 'azure' ? target.vnet.addressPrefixes.find((candidate) => anyPrefixContains([candidate], target.ip ?? '')) ?? target.vnet.addressPrefixes[0] : null;
      return `Add a route to the GatewaySubnet's route table: ${prefix ?? 'the spoke prefix'} -> VirtualAppliance ${firewallIp ?? 'the firewall'}.`;
    }
    case 'spoke_bgp_route_bypasses_firewall':
      return `Turn off gateway route propagation on the route table of ${hop?.name ?? 'the spoke subnet'} (or add user routes for the on-prem prefixes to ${firewallIp ?? 'the firewall'}), so that its 0.0.0.0/0 route to the firewall carries the return traffic.`;
    case 'private_endpoint_route_overrides_udr': {
      const endpoint = privateEndpointByIp(topology, bypass.hop?.decision?.route?.addressPrefix.split('/')[0] ?? null);
      const endpointSubnet = findSubnet(topology, endpoint?.subnetId);
      const ip = endpoint?.privateIpAddresses[0] ?? '';
      const space = endpointSubnet?.vnet.addressPrefixes.find((prefix) => anyPrefixContains([prefix], ip)) ?? 'the endpoint VNet\'s address space';
      return `Add a user route ${space} (or more specific) -> VirtualAppliance ${firewallIp ?? 'the firewall'} where the flow is routed, and set private endpoint network policies to RouteTableEnabled on ${endpointSubnet?.subnet.name ?? 'the endpoint subnet'}, so the /32 route is invalidated.`;
    }
    default:
      return `Make both directions pass ${firewallIp ?? 'the firewall'}: ${bypass.detail}.`;
  }
}

/** Asymmetric routing around a stateful firewall. */
export const asymmetricRouting: Rule = {
  name: 'asymmetric-routing',
  run(input) {
    const analysis = analyse(input);
    const asymmetry = compareDirections(input.topology, analysis.forward, analysis.reverse);
    const halves = halfFlowRows(analysis);
    const synRows = firewallRowsForFlow(analysis, ['network', 'application']);
    const halfOnly = halves.length > 0 && synRows.length === 0;
    if (asymmetry === null && !halfOnly) return [];

    const bypass = asymmetry?.bypasses[0] ?? null;
    const firewall = input.topology.firewalls.find((candidate) => sameResourceId(candidate.id, bypass?.deviceId))
      ?? input.topology.firewalls.find((candidate) => halves.some((row) => sameResourceId(row.data.firewallId, candidate.id)))
      ?? null;
    const sightings = captureSightings(analysis).filter((sighting) => sighting.observations.some((observation) =>
      observation.code === 'one_sided' || observation.code === 'synack_unacknowledged'));
    const routeEvidence = unique([...analysis.forward?.hops ?? [], ...analysis.reverse?.hops ?? []]
      .flatMap((hop) => (hop.decision?.view.evidenceId != null ? [hop.decision.view.evidenceId] : [])));
    // INVALID rows are the firewall dropping packets it has no state for: the block itself, even when it saw the SYN.
    const direct = halfOnly || (asymmetry !== null && halves.some((row) => (row.data.flag ?? '').toLowerCase() === 'invalid'));
    const confidence = direct || (asymmetry !== null && !asymmetry.computed) ? 'high' : 'medium';
    const reach = analysis.forward?.hops.length ?? 1;
    const findings: RuleFinding[] = [{
      code: 'asymmetric_routing',
      summary: bypass !== null
        ? `Forward and return traffic take different paths: the ${bypass.bypassing} direction does not pass Azure Firewall ${firewall?.name ?? bypass.deviceId} (${bypass.detail}), so the firewall sees one side only and drops it.`
        : `Azure Firewall ${firewall?.name ?? ''} logs only the reply half of the flow (${unique(halves.map((row) => row.data.flag ?? '')).join(', ')}) and no SYN in its rule logs: the forward traffic bypasses it.`,
      evidence: unique([...halves.map((row) => row.id), ...sightings.map((sighting) => sighting.evidence.id), ...routeEvidence,
        ...(asymmetry !== null ? citeResources(analysis, [firewall?.id ?? null, bypass?.intendedRoute?.origin.resourceId ?? null]) : [])]),
      confidence,
      blockedAt: blockedAt('firewall', firewall?.id ?? null, firewall?.name ?? null, null),
      nextSteps: bypass !== null ? [nextStepFor(analysis, bypass, firewall?.privateIpAddress ?? null)] : ['Compare the routes of the GatewaySubnet, the spoke subnets and any private endpoint /32 routes: both directions must pass the firewall.'],
      position: reach + 0.25,
    }];
    const reasons = new Set<ContributingCode>();
    for (const each of asymmetry?.bypasses ?? []) {
      if (each.reason === null || reasons.has(each.reason)) continue;
      reasons.add(each.reason);
      findings.push({
        code: each.reason,
        summary: `On the ${each.bypassing} path ${each.detail}.`,
        evidence: unique([...(each.hop?.decision?.view.evidenceId != null ? [each.hop.decision.view.evidenceId] : []),
          ...citeResources(analysis, [each.intendedRoute?.origin.resourceId ?? null, each.hop?.subnetId ?? null])]),
        confidence: each.hop?.decision?.view.computed === false ? 'high' : 'medium',
        nextSteps: [nextStepFor(analysis, each, firewall?.privateIpAddress ?? null)],
        explains: ['asymmetric_routing'],
      });
    }
    return findings;
  },
};
