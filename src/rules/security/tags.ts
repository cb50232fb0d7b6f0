/** What the VirtualNetwork service tag covers for a subnet, from the route model. */
import type { Topology } from '../../domain/index.js';
import { computeSubnetRoutes } from '../routes/model.js';
import type { TagContext } from './nsg.js';

/**
 * Azure's VirtualNetwork tag: the VNet's address space, peered VNets, on-prem prefixes of a
 * gateway, and the prefixes of user-defined routes (a 0.0.0.0/0 UDR makes it cover everything).
 */
export function tagContextFor(topology: Topology, subnetId: string): TagContext {
  const routes = computeSubnetRoutes(topology, subnetId).routes;
  const virtualNetworkPrefixes = routes
    .filter((route) => route.state === 'Active' && ['vnet', 'peering', 'gateway', 'user'].includes(route.origin.kind))
    .map((route) => route.addressPrefix);
  return { virtualNetworkPrefixes };
}
