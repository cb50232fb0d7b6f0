import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/domain/index.js';
import { analyse } from '../../../src/rules/context.js';
import { compareDirections } from '../../../src/rules/routes/asymmetry.js';
import { ID, IP, estate, input, peering, question, routeTable, subnet } from '../builder.js';

function paths(topology: Topology, source: string | null = IP.branchHost, destination: string = IP.app, extra: Parameters<typeof question>[0] = {}) {
  const analysis = analyse(input({ topology, question: question({ source, destination, ...extra }) }));
  return {
    forward: analysis.forward?.hops.map((hop) => hop.kind).join(' > '),
    reverse: analysis.reverse?.hops.map((hop) => hop.kind).join(' > '),
    forwardProblem: analysis.forward?.problem?.code ?? null,
    reverseProblem: analysis.reverse?.problem?.code ?? null,
    asymmetry: compareDirections(topology, analysis.forward, analysis.reverse)?.bypasses.map((bypass) => `${bypass.bypassing}:${bypass.reason}`) ?? [],
  };
}

const viaFirewallThere = 'on-prem > gateway > firewall > peering > destination';
const viaFirewallBack = 'source > peering > firewall > gateway > on-prem';

describe('walking the forward and return paths', () => {
  it.each([
    ['branch to spoke VM through the firewall both ways', estate(), { forward: viaFirewallThere, reverse: viaFirewallBack, forwardProblem: null, reverseProblem: null, asymmetry: [] }],
    ['GatewaySubnet without the UDR: forward skips the firewall', estate((t) => { routeTable(t, ID.gatewayRoutes).routes = []; }),
      { forward: 'on-prem > gateway > peering > destination', reverse: viaFirewallBack, forwardProblem: null, reverseProblem: null, asymmetry: ['forward:gateway_subnet_missing_udr'] }],
    ['spoke learns the branch by BGP: return skips the firewall', estate((t) => { routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; }),
      { forward: viaFirewallThere, reverse: 'source > peering > gateway > on-prem', forwardProblem: null, reverseProblem: null, asymmetry: ['return:spoke_bgp_route_bypasses_firewall'] }],
    ['connection down: stops at the gateway', estate((t) => { t.connections[0]!.connectionStatus = 'NotConnected'; }),
      { forward: 'on-prem > gateway', reverse: 'source > peering > firewall > gateway', forwardProblem: 'tunnel_down', reverseProblem: 'tunnel_down', asymmetry: [] }],
    ['spoke side of the peering disconnected', estate((t) => { peering(t, ID.spokeToHub).state = 'Disconnected'; }),
      { forward: 'on-prem > gateway > firewall > peering', forwardProblem: 'peering_not_connected' }],
    ['spoke refuses forwarded traffic from the hub firewall', estate((t) => { peering(t, ID.spokeToHub).allowForwardedTraffic = false; }),
      { forward: 'on-prem > gateway > firewall > peering', forwardProblem: 'peering_blocks_transit' }],
    ['GatewaySubnet UDR to an address nobody holds', estate((t) => { routeTable(t, ID.gatewayRoutes).routes[0]!.nextHopIpAddress = '10.200.1.9'; }),
      { forward: 'on-prem > gateway', forwardProblem: 'next_hop_invalid' }],
    ['GatewaySubnet UDR to an NVA with IP forwarding off', estate((t) => { routeTable(t, ID.gatewayRoutes).routes[0]!.nextHopIpAddress = IP.nva; t.networkInterfaces[2]!.enableIpForwarding = false; }),
      { forward: 'on-prem > gateway', forwardProblem: 'next_hop_invalid' }],
    ['GatewaySubnet UDR to a running NVA with forwarding on', estate((t) => { routeTable(t, ID.gatewayRoutes).routes[0]!.nextHopIpAddress = IP.nva; }),
      { forward: 'on-prem > gateway > appliance > peering > destination', forwardProblem: null, asymmetry: ['return:null', 'forward:gateway_subnet_missing_udr'] }],
    ['blackhole route for the branch on the spoke', estate((t) => { routeTable(t, ID.spokeRoutes).routes.push({ name: 'blackhole', addressPrefix: '192.168.0.0/16', nextHopType: 'None', nextHopIpAddress: null }); }),
      { forward: viaFirewallThere, reverseProblem: 'no_route' }],
    ['spoke without propagation and without a default route: no way back', estate((t) => { routeTable(t, ID.spokeRoutes).routes = []; }),
      { forward: viaFirewallThere, reverseProblem: 'no_route' }],
    ['spoke does not use the remote gateway and has no UDR: transit blocked', estate((t) => { routeTable(t, ID.spokeRoutes).routes = []; routeTable(t, ID.spokeRoutes).disableBgpRoutePropagation = false; peering(t, ID.spokeToHub).useRemoteGateways = false; }),
      { reverseProblem: 'peering_blocks_transit' }],
  ])('%s', (_name, topology, expected) => {
    expect(paths(topology)).toMatchObject(expected);
  });

  it('private endpoint /32 beats the GatewaySubnet UDR while the endpoint subnet returns through the firewall', () => {
    const topology = estate((t) => {
      t.routeTables.push({ id: `${ID.spokeRoutes}-pe`, name: 'rt-pe', location: 'westeurope', disableBgpRoutePropagation: true,
        routes: [{ name: 'default-via-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall }] });
      subnet(t, ID.endpointSubnet).routeTableId = `${ID.spokeRoutes}-pe`;
    });
    expect(paths(topology, IP.branchHost, IP.endpoint, { port: 443 })).toMatchObject({
      forward: 'on-prem > gateway > peering > private-endpoint', reverse: viaFirewallBack, asymmetry: ['forward:private_endpoint_route_overrides_udr'],
    });
    const invalidated = estate((t) => {
      t.routeTables.push({ id: `${ID.spokeRoutes}-pe`, name: 'rt-pe', location: 'westeurope', disableBgpRoutePropagation: true,
        routes: [{ name: 'default-via-firewall', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall }] });
      subnet(t, ID.endpointSubnet).routeTableId = `${ID.spokeRoutes}-pe`;
      subnet(t, ID.endpointSubnet).privateEndpointNetworkPolicies = 'RouteTableEnabled';
    });
    expect(paths(invalidated, IP.branchHost, IP.endpoint, { port: 443 })).toMatchObject({ forward: 'on-prem > gateway > firewall > peering > private-endpoint', asymmetry: [] });
  });

  it('spoke to spoke crosses the hub firewall both ways', () => {
    expect(paths(estate(), IP.data, IP.app, { port: 443 })).toMatchObject({ forward: 'source > peering > firewall > peering > destination', reverse: 'source > peering > firewall > peering > destination', asymmetry: [] });
  });

  it.each([
    [false, 'source > internet'],
    [true, 'source > peering > firewall > internet'],
  ])('an App Service with route-all %s reaches the internet via %s', (routeAll, expected) => {
    const topology = estate((t) => {
      t.webApps.push({ id: ID.webApp, name: 'web-app', location: 'westeurope', hostNames: ['web-app.azurewebsites.net'], virtualNetworkSubnetId: ID.appSubnet, routeAllEnabled: routeAll, outboundIpAddresses: ['40.1.1.1'] });
    });
    const analysis = analyse(input({ topology, question: question({ source: null, sourceId: ID.webApp, destination: IP.internet, port: 443 }) }));
    expect(analysis.forward?.hops.map((hop) => hop.kind).join(' > ')).toBe(expected);
  });
});
