import { describe, expect, it } from 'vitest';
import { contains, portRangeContains, serviceTagContains } from '../../../src/lab/network-watcher/addresses.js';
import { selectRoute, type EffectiveRoute } from '../../../src/lab/network-watcher/routes.js';
import { evaluateFlow, type EffectiveSecurityGroup, type Flow } from '../../../src/lab/network-watcher/security.js';

const route = (prefix: string, source: string, nextHopType: string, state = 'Active'): EffectiveRoute => ({
  source,
  state,
  addressPrefix: [prefix],
  nextHopType,
  nextHopIpAddress: nextHopType === 'VirtualAppliance' ? ['10.0.1.4'] : [],
});

describe('next hop selection', () => {
  const routes = [
    route('0.0.0.0/0', 'Default', 'Internet', 'Invalid'),
    route('0.0.0.0/0', 'User', 'VirtualAppliance'),
    route('10.1.0.0/16', 'Default', 'VNetPeering'),
    route('10.1.0.0/16', 'VirtualNetworkGateway', 'VirtualNetworkGateway'),
    route('10.2.0.0/16', 'VirtualNetworkGateway', 'VirtualNetworkGateway'),
    route('10.2.0.0/16', 'User', 'None'),
    route('10.3.0.0/16', 'User', 'VirtualAppliance', 'Invalid'),
    route('10.3.0.0/16', 'Default', 'VNetPeering'),
  ];
  it.each([
    ['8.8.8.8', 'VirtualAppliance', '0.0.0.0/0'],
    ['10.1.2.3', 'VirtualNetworkGateway', '10.1.0.0/16'],
    ['10.2.2.3', 'None', '10.2.0.0/16'],
    ['10.3.2.3', 'VNetPeering', '10.3.0.0/16'],
    ['10.30.2.3', 'VirtualAppliance', '0.0.0.0/0'],
  ])('%s -> %s', (destination, type, prefix) => {
    expect(selectRoute(routes, destination)).toMatchObject({ route: { nextHopType: type }, prefix });
  });

  it('matches nothing when only Invalid routes cover the address', () => {
    expect(selectRoute([route('0.0.0.0/0', 'Default', 'Internet', 'Invalid')], '8.8.8.8')).toBeUndefined();
  });
});

describe('addresses are compared whole', () => {
  it.each([
    ['192.168.10.5/32', '192.168.10.52', false],
    ['192.168.10.5', '192.168.10.5', true],
    ['192.168.10.0/28', '192.168.10.15', true],
    ['192.168.10.0/28', '192.168.10.16', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['10.0.0.0/8', 'fe80::1', false],
  ])('%s contains %s: %s', (prefix, address, expected) => {
    expect(contains(prefix, address)).toBe(expected);
  });

  it.each([
    ['Internet', '13.107.42.14', true],
    ['Internet', '10.1.2.3', false],
    ['VirtualNetwork', '10.9.9.9', true],
    ['AzureLoadBalancer', '168.63.129.16', true],
    ['Storage', '20.1.1.1', false],
  ])('unexpanded tag %s covers %s: %s', (tag, address, expected) => {
    expect(serviceTagContains(tag, address, ['10.9.0.0/16'])).toBe(expected);
  });

  it.each([
    ['*', 80, true],
    ['80-85', 85, true],
    ['80-85', 86, false],
    ['3389', 3389, true],
    ['0-65535', undefined, true],
  ])('port range %s covers %s: %s', (range, port, expected) => {
    expect(portRangeContains(range, port)).toBe(expected);
  });
});

describe('NSG evaluation order', () => {
  const rule = (name: string, priority: number, access: string, direction: string, source = '0.0.0.0/0', port = '0-65535') => ({
    name,
    priority,
    access,
    direction,
    protocol: 'Tcp',
    sourceAddressPrefix: source,
    destinationAddressPrefix: '0.0.0.0/0',
    sourcePortRange: '0-65535',
    destinationPortRange: port,
  });
  const subnet: EffectiveSecurityGroup = {
    networkSecurityGroup: { id: 'subnet-nsg' },
    association: { subnet: { id: 'snet' } },
    effectiveSecurityRules: [rule('securityRules/allow-rdp', 100, 'Allow', 'Inbound', '192.168.0.0/16', '3389'), rule('securityRules/deny-out', 200, 'Deny', 'Outbound')],
  };
  const nic: EffectiveSecurityGroup = {
    networkSecurityGroup: { id: 'nic-nsg' },
    association: { networkInterface: { id: 'nic' } },
    effectiveSecurityRules: [rule('securityRules/nic-allow-all-in', 100, 'Allow', 'Inbound'), rule('securityRules/nic-allow-out', 100, 'Allow', 'Outbound')],
  };
  const flow = (direction: Flow['direction'], source: string, port: number): Flow => ({
    direction,
    protocol: 'TCP',
    sourceAddress: direction === 'Inbound' ? source : '10.0.0.4',
    sourcePort: 50000,
    destinationAddress: direction === 'Inbound' ? '10.0.0.4' : source,
    destinationPort: port,
  });

  it('inbound: subnet first, then NIC; both must allow', () => {
    const allowed = evaluateFlow([nic, subnet], flow('Inbound', '192.168.1.1', 3389));
    expect(allowed.verdicts.map((verdict) => verdict.appliedTo)).toEqual(['snet', 'nic']);
    expect(allowed).toMatchObject({ access: 'Allow', ruleName: 'securityRules/nic-allow-all-in' });
    // The NIC allows everything, yet the subnet has no allow for 22: the default deny applies.
    expect(evaluateFlow([nic, subnet], flow('Inbound', '192.168.1.1', 22))).toMatchObject({ access: 'Deny', ruleName: 'defaultSecurityRules/DenyAllInBound' });
  });

  it('outbound: NIC first, then subnet', () => {
    const denied = evaluateFlow([subnet, nic], flow('Outbound', '8.8.8.8', 443));
    expect(denied.verdicts.map((verdict) => verdict.appliedTo)).toEqual(['nic', 'snet']);
    expect(denied).toMatchObject({ access: 'Deny', ruleName: 'securityRules/deny-out' });
  });

  it('prefers expanded prefixes when present', () => {
    const group: EffectiveSecurityGroup = {
      association: { subnet: { id: 'snet' } },
      effectiveSecurityRules: [{ ...rule('defaultSecurityRules/AllowVnetInBound', 100, 'Allow', 'Inbound', 'VirtualNetwork'), expandedSourceAddressPrefix: ['172.16.5.0/24'] }],
    };
    expect(evaluateFlow([group], flow('Inbound', '172.16.5.9', 80)).access).toBe('Allow');
    expect(evaluateFlow([group], flow('Inbound', '10.0.0.9', 80)).access).toBe('Deny');
  });
});
