/**
 * VPN gateway reads that are POSTs (long-running in the SDK): getBgpPeerStatus, getLearnedRoutes,
 * getAdvertisedRoutes. The answers come from lab-only keys on the gateway resource: `bgpPeerStatus` (array),
 * `learnedRoutes` (array) and `advertisedRoutes` (object: peer address -> array). Without them: no peers, no routes.
 */
import { armError, json, type LabRequest, type LabResponse } from './http.js';
import type { StoredResource } from './store.js';

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Answers one of the three operations for a gateway. */
export function gatewayRoutes(gateway: StoredResource, operation: string, request: LabRequest): LabResponse {
  const peer = request.query.get('peer') ?? undefined;
  switch (operation.toLowerCase()) {
    case 'getbgppeerstatus': {
      const peers = list(gateway.raw.bgpPeerStatus);
      const value = peer ? peers.filter((item) => (item as { neighbor?: unknown }).neighbor === peer) : peers;
      return json(200, { value });
    }
    case 'getlearnedroutes':
      return json(200, { value: list(gateway.raw.learnedRoutes) });
    case 'getadvertisedroutes': {
      if (!peer) return armError(400, 'InvalidRequestFormat', 'The peer query parameter is required.');
      const byPeer = gateway.raw.advertisedRoutes;
      const routes = typeof byPeer === 'object' && byPeer !== null ? (byPeer as Record<string, unknown>)[peer] : undefined;
      return json(200, { value: list(routes) });
    }
    default:
      return armError(400, 'InvalidRequestFormat', `Unknown gateway operation ${operation}.`);
  }
}
