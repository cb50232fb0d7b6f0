/** Next hop as Network Watcher computes it: longest prefix over a NIC's Active effective routes. */
import { parseIpv4, parseIpv4Prefix, prefixContains } from '../../domain/net.js';

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
  const value = parseIpv4(destination.trim());
  if (value === null) return undefined;
  const address = { version: 4 as const, value };
  let best: { selected: SelectedRoute; length: number; rank: number } | undefined;
  for (const route of routes) {
    if ((route.state ?? 'Active').toLowerCase() !== 'active') continue;
    for (const prefixText of route.addressPrefix ?? []) {
      const prefix = parseIpv4Prefix(prefixText);
      if (!prefix || !prefixContains(prefix, address)) continue;
      const rank = SOURCE_RANK[(route.source ?? '').toLowerCase()] ?? 0;
      if (!best || prefix.prefixLength > best.length || (prefix.prefixLength === best.length && rank > best.rank)) {
        best = { selected: { route, prefix: prefixText }, length: prefix.prefixLength, rank };
      }
    }
  }
  return best?.selected;
}
