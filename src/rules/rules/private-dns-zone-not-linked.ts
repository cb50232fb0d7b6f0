/**
 * `private_dns_zone_not_linked` (contributing): the destination has a private endpoint whose
 * private DNS zone (found by the endpoint's address among the zone's records) is not linked to the
 * VNet that resolves the caller's names: the caller's VNet (or the App Service's integration
 * VNet), or the VNet of the custom DNS servers it uses. The name then resolves to the public endpoint.
 */
import { sameResourceId, type PrivateEndpoint, type VirtualNetwork } from '../../domain/index.js';
import { conversationsAskingDestination } from '../capture.js';
import { analyse, citeResources, evidenceOf, isDestinationName, unique, type Analysis } from '../context.js';
import { privateEndpointByIp, vnetContaining } from '../estate.js';
import { sameIp } from '../net/ip.js';
import type { Rule } from '../types.js';

function endpointsOfDestination(analysis: Analysis): PrivateEndpoint[] {
  const { topology, question } = analysis.input;
  const byName = [...topology.keyVaults.filter((vault) => isDestinationName(analysis, vault.hostName)).map((vault) => vault.id),
    ...topology.webApps.filter((app) => app.hostNames.some((host) => isDestinationName(analysis, host))).map((app) => app.id)];
  const targets = [question.destination.resourceId, ...byName].filter((id): id is string => id !== null);
  const direct = privateEndpointByIp(topology, analysis.flow.destinationIp);
  return topology.privateEndpoints.filter((endpoint) => endpoint === direct || targets.some((target) => sameResourceId(endpoint.targetResourceId, target)));
}

/** The VNets whose DNS settings resolve the caller's queries, or null when resolution happens outside Azure. */
function resolvingVnets(analysis: Analysis): VirtualNetwork[] | null {
  if (analysis.source.kind !== 'azure') return null;
  const vnet = analysis.source.vnet;
  if (vnet.dnsServers.length === 0) return [vnet];
  const servers = vnet.dnsServers.map((server) => vnetContaining(analysis.input.topology, server));
  if (servers.some((server) => server === null)) return null;
  return unique(servers as VirtualNetwork[]);
}

/** The caller's resolver cannot see the private endpoint's zone. */
export const privateDnsZoneNotLinked: Rule = {
  name: 'private-dns-zone-not-linked',
  run(input) {
    const analysis = analyse(input);
    const resolvers = resolvingVnets(analysis);
    if (resolvers === null) return [];
    for (const endpoint of endpointsOfDestination(analysis)) {
      const zones = input.topology.privateDnsZones.filter((zone) => zone.records.some((record) =>
        record.ipAddresses.some((ip) => endpoint.privateIpAddresses.some((address) => sameIp(address, ip)))));
      for (const zone of zones) {
        const linked = resolvers.some((vnet) => zone.virtualNetworkLinks.some((link) => sameResourceId(link.virtualNetworkId, vnet.id)));
        if (linked) continue;
        // A capture that shows the name resolving elsewhere than the endpoint is direct evidence.
        const publicAnswers = evidenceOf(input, 'capture').filter((item) => conversationsAskingDestination(analysis, item.data.report).some((conversation) =>
          (conversation.dns ?? []).some((dns) => isDestinationName(analysis, dns.name) && dns.answers.length > 0
            && !dns.answers.some((answer) => endpoint.privateIpAddresses.some((address) => sameIp(address, answer))))));
        const names = resolvers.map((vnet) => vnet.name).join(', ');
        return [{
          code: 'private_dns_zone_not_linked',
          summary: `The private DNS zone ${zone.name} holds private endpoint ${endpoint.name}'s address, but is not linked to ${names}, which resolves the caller's names: ${analysis.flow.destinationName ?? 'the name'} resolves to the public endpoint.`,
          evidence: unique([...publicAnswers.map((item) => item.id), ...citeResources(analysis, [zone.id, endpoint.id])]),
          confidence: publicAnswers.length > 0 ? 'high' : 'medium',
          nextSteps: [`Link the private DNS zone ${zone.name} to ${names}.`],
        }];
      }
    }
    return [];
  },
};
