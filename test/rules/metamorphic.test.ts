/** Metamorphic: renaming every resource changes no decision (rules read structure and values, never names). */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/domain/index.js';
import { decide } from '../../src/rules/index.js';
import { ID, IP, estate, firewallLog, freshness, input, peering, question, routeTable } from './builder.js';

function renameEverything(topology: Topology): Topology {
  let counter = 0;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, key === 'name' && typeof inner === 'string' ? `renamed-${counter++}` : visit(inner)]));
    }
    return value;
  };
  return visit(structuredClone(topology)) as Topology;
}

const covered = [freshness('AZFWNetworkRule', '2026-11-12T17:00:00Z'), freshness('NTANetAnalytics', '2026-11-12T16:00:00Z')];

describe('renaming every resource', () => {
  it.each([
    ['no packets from the branch', estate(), [...covered, firewallLog({ sourceIp: IP.branchNeighbour })], question(), 'no_packets_from_source'],
    ['GatewaySubnet without the UDR', estate((t) => { routeTable(t, ID.gatewayRoutes).routes = []; }), [], question(), 'asymmetric_routing'],
    ['spoke BGP bypass', estate((t) => { routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }), [], question(), 'asymmetric_routing'],
    ['peering disconnected', estate((t) => { peering(t, ID.spokeToHub).state = 'Initiated'; }), [], question(), 'peering_not_connected'],
    ['GatewaySubnet UDR to nobody', estate((t) => { routeTable(t, ID.gatewayRoutes).routes[0]!.nextHopIpAddress = '10.200.1.9'; }), [], question(), 'next_hop_invalid'],
    ['vault reached over its public address: policy denies, zone not linked', estate(), [], question({ source: IP.app, destination: '52.1.1.1', destinationName: 'kv-app.vault.azure.net', destinationId: ID.vault, port: 443 }), 'firewall_deny'],
  ])('%s: same decision', (_name, topology, evidence, asked, cause) => {
    const original = decide(input({ topology, evidence, question: asked }));
    expect(original.cause).toBe(cause);
    const renamed = decide(input({ topology: renameEverything(topology), evidence, question: asked }));
    expect(renamed.cause).toBe(original.cause);
    expect(renamed.contributing).toEqual(original.contributing);
    expect(renamed.confidence).toBe(original.confidence);
    expect(renamed.blockedAt?.component ?? null).toBe(original.blockedAt?.component ?? null);
    expect(renamed.blockedAt?.resourceId ?? null).toBe(original.blockedAt?.resourceId ?? null);
  });
});
