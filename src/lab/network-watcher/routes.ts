/** Next hop as Network Watcher computes it: longest prefix over a NIC's Active effective routes. */
import { parsePrefix, parseIpv4, prefixContains } from './addresses.js';

/** One item of an effectiveRouteTable answer. */
export interface EffectiveRoute {
  name?: string | null;
  source?: string;
  state?: string;
  addressPrefix?: string[];
  nextHopIpAddress?: string[];
  nextHopType?: string;
}

/** Equal prefixes: a user route beats a gateway (BGP) route, which beats a system route. */
const SOURCE_RANK: Record<string, number> = { user: 3, virtualnetworkgateway: 2, default: 1 };

/** The winning route and the prefix it won with. */
export interface SelectedRoute {
  route: EffectiveRoute;
  prefix: string;
}

/** Longest-prefix match over Active routes (Invalid ones are ignored); undefined when nothing matches. */
export function selectRoute(routes: readonly EffectiveRoute[], destination: string): SelectedRoute | undefined {
  const address = parseIpv4(destination);
  if (address === undefined) return undefined;
  let best: { selected: SelectedRoute; length: number; rank: number } | undefined;
  for (const route of routes) {
    if ((route.state ?? 'Active').toLowerCase() !== 'active') continue;
    for (const prefixText of route.addressPrefix ?? []) {
      const prefix = parsePrefix(prefixText);
      if (!prefix || !prefixContains(prefix, address)) continue;
      const rank = SOURCE_RANK[(route.source ?? '').toLowerCase()] ?? 0;
      if (!best || prefix.length > best.length || (prefix.length === best.length && rank > best.rank)) {
        best = { selected: { route, prefix: prefixText }, length: prefix.length, rank };
      }
    }
  }
  return best?.selected;
}
