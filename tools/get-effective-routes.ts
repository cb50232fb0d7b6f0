/** get_effective_routes: the effective route table of a VM's NIC, optionally the route a destination takes. */
import { z } from 'zod';
import { parsePrefix, prefixContains } from '../src/domain/net.js';
import type { EffectiveRoute } from '../src/domain/index.js';
import { nicAnswer } from './support/estate.js';
import { isToolResult } from './support/outcome.js';
import { defineTool, success } from './support/tool.js';
import { ipAddress, page, paginate, resourceName } from './support/values.js';

const SOURCE_RANK: Record<string, number> = { User: 0, VirtualNetworkGateway: 1, Default: 2 };

/** The Active route a destination takes: longest prefix, then User over BGP over Default. */
function winningRoute(routes: readonly EffectiveRoute[], destinationIp: string): { route: EffectiveRoute; prefix: string } | null {
  const candidates = routes.filter((route) => route.state.toLowerCase() === 'active').flatMap((route) =>
    route.addressPrefixes.filter((prefix) => prefixContains(prefix, destinationIp)).map((prefix) => ({ route, prefix })));
  // Every candidate contains the destination, so its prefix parses.
  const prefixLength = (prefix: string) => parsePrefix(prefix)?.prefixLength ?? 0;
  candidates.sort((a, b) => prefixLength(b.prefix) - prefixLength(a.prefix) || (SOURCE_RANK[a.route.source] ?? 3) - (SOURCE_RANK[b.route.source] ?? 3));
  return candidates[0] ?? null;
}

export const getEffectiveRoutes = defineTool({
  name: 'get_effective_routes',
  description: [
    'Reads the effective routes of a VM\'s network interface (system, user-defined and gateway-learned, Active or Invalid).',
    'With destinationIp it also says which Active route that destination takes (longest prefix match).',
  ].join(' '),
  input: z.object({
    vm: resourceName.describe('A VM name or a network interface name'),
    destinationIp: ipAddress.optional(),
    page,
  }).strict(),
  async run(input, context) {
    const found = await nicAnswer(input.vm, context, 'effective-routes', (nicId, signal) => context.sources.effectiveRoutes(nicId, signal));
    if (isToolResult(found)) return found;
    const { networkInterface: nic, answer: table } = found;
    const routes = table.data.routes.map((route) => ({
      prefixes: route.addressPrefixes, nextHopType: route.nextHopType, nextHopIps: route.nextHopIpAddresses, source: route.source, state: route.state, name: route.name,
    }));
    const shown = paginate(routes, input.page);
    const winner = input.destinationIp ? winningRoute(table.data.routes, input.destinationIp) : null;
    return success({
      networkInterface: nic.name,
      routes: shown.items,
      paging: { page: shown.page, pages: shown.pages, total: shown.total, more: shown.more },
      ...(input.destinationIp ? {
        destination: {
          ip: input.destinationIp,
          route: winner ? { prefix: winner.prefix, nextHopType: winner.route.nextHopType, nextHopIps: winner.route.nextHopIpAddresses, source: winner.route.source, name: winner.route.name } : null,
        },
      } : {}),
      query: table.query,
    });
  },
});
