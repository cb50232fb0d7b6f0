import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/domain/index.js';
import { compareRoutes, computeSubnetRoutes, fromEffectiveRoutes, longestPrefixMatch, type ModelRoute } from '../../../src/rules/routes/model.js';
import { ID, IP, estate, peering, routeTable, subnet } from '../builder.js';

function hopFor(topology: Topology, subnetId: string, ip: string) {
  const route = longestPrefixMatch(computeSubnetRoutes(topology, subnetId).routes, ip);
  return route === null ? null : { type: route.nextHopType, ip: route.nextHopIpAddress, prefix: route.addressPrefix, source: route.source };
}

describe('longest-prefix match over computed routes', () => {
  it.each([
    ['GatewaySubnet to the spoke goes to the firewall (UDR beats peering /16 by source)', ID.gatewaySubnet, IP.app, { type: 'VirtualAppliance', ip: IP.firewall, prefix: '10.201.0.0/16', source: 'User' }],
    ['GatewaySubnet to the hub stays local', ID.gatewaySubnet, '10.200.2.4', { type: 'VnetLocal', ip: null, prefix: '10.200.0.0/16', source: 'Default' }],
    ['GatewaySubnet to the branch uses the gateway', ID.gatewaySubnet, IP.branchHost, { type: 'VirtualNetworkGateway', ip: null, prefix: '192.168.0.0/16', source: 'VirtualNetworkGateway' }],
    ['spoke to its own VNet stays local (more specific than 0/0)', ID.appSubnet, '10.201.2.9', { type: 'VnetLocal', ip: null, prefix: '10.201.0.0/16', source: 'Default' }],
    ['spoke to the branch: propagation off, 0/0 to the firewall', ID.appSubnet, IP.branchHost, { type: 'VirtualAppliance', ip: IP.firewall, prefix: '0.0.0.0/0', source: 'User' }],
    ['spoke to the hub uses the peering', ID.appSubnet, IP.nva, { type: 'VNetPeering', ip: null, prefix: '10.200.0.0/16', source: 'Default' }],
    ['spoke to its private endpoint uses the /32', ID.appSubnet, IP.endpoint, { type: 'InterfaceEndpoint', ip: null, prefix: `${IP.endpoint}/32`, source: 'Default' }],
    ['spoke to another spoke: the 0/0 UDR invalidates the 10/8 None route', ID.appSubnet, IP.data, { type: 'VirtualAppliance', ip: IP.firewall, prefix: '0.0.0.0/0', source: 'User' }],
    ['firewall subnet to the internet', ID.firewallSubnet, IP.internet, { type: 'Internet', ip: null, prefix: '0.0.0.0/0', source: 'Default' }],
    ['firewall subnet to an unknown private range hits the None system route', ID.firewallSubnet, '172.20.0.1', { type: 'None', ip: null, prefix: '172.16.0.0/12', source: 'Default' }],
  ])('%s', (_name, subnetId, ip, expected) => {
    expect(hopFor(estate(), subnetId, ip)).toEqual(expected);
  });

  it('equal prefixes: User over BGP over Default, the losers listed as Invalid', () => {
    const topology = estate((draft) => {
      routeTable(draft, ID.spokeRoutes).disableBgpRoutePropagation = false;
      routeTable(draft, ID.spokeRoutes).routes.push({ name: 'branch-blackhole', addressPrefix: '192.168.0.0/16', nextHopType: 'None', nextHopIpAddress: null });
    });
    const routes = computeSubnetRoutes(topology, ID.appSubnet).routes.filter((route) => route.addressPrefix === '192.168.0.0/16');
    expect(routes.map((route) => [route.source, route.state])).toEqual(expect.arrayContaining([
      ['VirtualNetworkGateway', 'Invalid'], ['Default', 'Invalid'], ['User', 'Active'],
    ]));
    expect(hopFor(topology, ID.appSubnet, IP.branchHost)?.type).toBe('None');
  });

  it('a user 0.0.0.0/0 invalidates the system default route', () => {
    const routes = computeSubnetRoutes(estate(), ID.appSubnet).routes.filter((route) => route.addressPrefix === '0.0.0.0/0');
    expect(routes.map((route) => `${route.source}:${route.nextHopType}:${route.state}`).sort()).toEqual(['Default:Internet:Invalid', 'User:VirtualAppliance:Active']);
  });
});

describe('gateway routes and BGP propagation', () => {
  it.each([
    ['propagation on, remote gateways used', false, true, true, 'VirtualNetworkGateway'],
    ['propagation off', true, true, true, 'VirtualAppliance'],
    ['propagation on, remote gateways not used', false, false, true, 'VirtualAppliance'],
    ['propagation on, hub does not offer gateway transit', false, true, false, 'VirtualAppliance'],
  ])('%s -> %s', (_name, disable, useRemote, transit, expected) => {
    const topology = estate((draft) => {
      routeTable(draft, ID.spokeRoutes).disableBgpRoutePropagation = disable;
      peering(draft, ID.spokeToHub).useRemoteGateways = useRemote;
      peering(draft, ID.hubToSpoke).allowGatewayTransit = transit;
    });
    expect(hopFor(topology, ID.appSubnet, IP.branchHost)?.type).toBe(expected);
  });
});

describe('peering states', () => {
  it.each([
    ['Connected', 'VNetPeering'],
    ['Initiated', 'VirtualAppliance'],
    ['Disconnected', 'VirtualAppliance'],
  ])('spoke peering %s -> hub next hop %s', (state, expected) => {
    const topology = estate((draft) => { peering(draft, ID.spokeToHub).state = state; });
    expect(hopFor(topology, ID.appSubnet, IP.nva)?.type).toBe(expected);
  });
});

describe('private endpoint /32 routes', () => {
  const withUdr = (policies: string, prefix: string) => estate((draft) => {
    subnet(draft, ID.endpointSubnet).privateEndpointNetworkPolicies = policies;
    routeTable(draft, ID.gatewayRoutes).routes = [{ name: 'to-fw', addressPrefix: prefix, nextHopType: 'VirtualAppliance', nextHopIpAddress: IP.firewall }];
  });
  it.each([
    ['policies Disabled, UDR as specific as the VNet: /32 stays', 'Disabled', '10.201.0.0/16', 'InterfaceEndpoint'],
    ['policies Enabled, UDR /16 equals the VNet space: /32 invalid', 'Enabled', '10.201.0.0/16', 'VirtualAppliance'],
    ['policies RouteTableEnabled, UDR /24 more specific: /32 invalid', 'RouteTableEnabled', '10.201.2.0/24', 'VirtualAppliance'],
    ['policies Enabled, UDR /8 broader than the VNet space: /32 stays', 'Enabled', '10.0.0.0/8', 'InterfaceEndpoint'],
    ['policies NetworkSecurityGroupEnabled: /32 stays', 'NetworkSecurityGroupEnabled', '10.201.0.0/16', 'InterfaceEndpoint'],
  ])('%s', (_name, policies, prefix, expected) => {
    const topology = withUdr(policies, prefix);
    expect(hopFor(topology, ID.gatewaySubnet, IP.endpoint)?.type).toBe(expected);
    const endpointRoute = computeSubnetRoutes(topology, ID.gatewaySubnet).routes.find((route) => route.nextHopType === 'InterfaceEndpoint');
    expect(endpointRoute?.state).toBe(expected === 'InterfaceEndpoint' ? 'Active' : 'Invalid');
  });

  it('publishes the /32 into directly peered VNets only', () => {
    const spokeSide = computeSubnetRoutes(estate(), ID.dataSubnet).routes.some((route) => route.nextHopType === 'InterfaceEndpoint');
    const hubSide = computeSubnetRoutes(estate(), ID.sharedSubnet).routes.some((route) => route.nextHopType === 'InterfaceEndpoint');
    expect({ spokeSide, hubSide }).toEqual({ spokeSide: false, hubSide: true });
  });
});

describe('Virtual WAN', () => {
  it('reports a hub-connected VNet as unsupported', () => {
    const topology = estate((draft) => { draft.virtualNetworks[1]!.peerings.push({ ...peering(draft, ID.spokeToHub), id: `${ID.spoke}/virtualNetworkPeerings/vwan`, remoteVirtualNetworkId: '/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualHubs/hub1' }); });
    expect(computeSubnetRoutes(topology, ID.appSubnet).unsupported).toHaveLength(1);
    expect(computeSubnetRoutes(estate(), ID.appSubnet).unsupported).toEqual([]);
  });
});

describe('cross-check against Network Watcher', () => {
  const computed = () => computeSubnetRoutes(estate(), ID.appSubnet).routes;
  const asEffective = (routes: ModelRoute[]) => routes.map((route) => ({ addressPrefixes: [route.addressPrefix], nextHopType: route.nextHopType, nextHopIpAddresses: route.nextHopIpAddress ? [route.nextHopIpAddress] : [], source: route.source, state: route.state, name: null }));
  it('finds no difference when Network Watcher agrees', () => {
    expect(compareRoutes(computed(), fromEffectiveRoutes(asEffective(computed())))).toEqual([]);
  });
  it('reports a next hop that differs and a route that is missing', () => {
    const changed = asEffective(computed()).map((route) => route.addressPrefixes[0] === '0.0.0.0/0' && route.source === 'User' ? { ...route, nextHopIpAddresses: ['10.200.1.5'] } : route)
      .filter((route) => route.addressPrefixes[0] !== '10.200.0.0/16');
    const differences = compareRoutes(computed(), fromEffectiveRoutes(changed));
    expect(differences).toHaveLength(2);
    expect(differences.join('\n')).toContain('0.0.0.0/0');
    expect(differences.join('\n')).toContain('10.200.0.0/16');
  });
});
