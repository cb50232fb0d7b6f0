import { describe, expect, it } from 'vitest';
import { evaluateFirewall } from '../../../src/rules/security/firewall-policy.js';
import { evaluateSecurityRules, type EvaluatedRule } from '../../../src/rules/security/nsg.js';
import type { FlowTuple } from '../../../src/rules/security/flow.js';
import { IP, estate } from '../builder.js';

const flow = (overrides: Partial<FlowTuple> = {}): FlowTuple => ({ sourceIp: IP.branchHost, sourcePort: 50000, destinationIp: IP.app, destinationPort: 3389, protocol: 'tcp', fqdn: null, ...overrides });
const nsgRule = (overrides: Partial<EvaluatedRule> & Pick<EvaluatedRule, 'name' | 'priority' | 'access'>): EvaluatedRule => ({
  direction: 'Inbound', protocol: '*', sourcePrefixes: ['*'], sourcePortRanges: ['*'], destinationPrefixes: ['*'], destinationPortRanges: ['*'], ...overrides,
});
const tags = { virtualNetworkPrefixes: ['10.201.0.0/16', '10.200.0.0/16', '192.168.0.0/16'] };

describe('NSG evaluation', () => {
  it.each([
    ['lowest priority number wins', [nsgRule({ name: 'deny', priority: 200, access: 'Deny' }), nsgRule({ name: 'allow', priority: 100, access: 'Allow' })], flow(), 'Allow', 'allow'],
    ['port range decides', [nsgRule({ name: 'web', priority: 100, access: 'Allow', destinationPortRanges: ['80-443'] })], flow({ sourceIp: IP.internet }), 'Deny', 'DenyAllInBound'],
    ['VirtualNetwork tag covers on-prem learned prefixes (default rule)', [], flow(), 'Allow', 'AllowVnetInBound'],
    ['Internet source falls to the default deny', [], flow({ sourceIp: IP.internet }), 'Deny', 'DenyAllInBound'],
    ['address compared whole: /32 of a neighbour does not match', [nsgRule({ name: 'deny-one', priority: 100, access: 'Deny', sourcePrefixes: ['192.168.10.52/32'] })], flow(), 'Allow', 'AllowVnetInBound'],
    ['protocol mismatch skips the rule', [nsgRule({ name: 'udp', priority: 100, access: 'Deny', protocol: 'Udp' })], flow(), 'Allow', 'AllowVnetInBound'],
    ['AzureLoadBalancer tag is the platform address', [nsgRule({ name: 'lb', priority: 100, access: 'Deny', sourcePrefixes: ['AzureLoadBalancer'] })], flow({ sourceIp: '168.63.129.16' }), 'Deny', 'lb'],
  ])('%s', (_name, rules, tuple, access, rule) => {
    const decision = evaluateSecurityRules(rules, 'Inbound', tuple, tags);
    expect([decision.access, decision.rule]).toEqual([access, rule]);
  });

  it('an unknown service tag makes the decision undecidable instead of guessed', () => {
    const decision = evaluateSecurityRules([nsgRule({ name: 'storage', priority: 100, access: 'Deny', sourcePrefixes: ['Storage.WestEurope'] })], 'Inbound', flow(), tags);
    expect(decision).toMatchObject({ access: 'Allow', rule: 'AllowVnetInBound', undecidable: true });
  });

  it('outbound default allows the internet', () => {
    expect(evaluateSecurityRules([], 'Outbound', flow({ sourceIp: IP.app, destinationIp: IP.internet, destinationPort: 443 }), tags).rule).toBe('AllowInternetOutBound');
  });
});

describe('Azure Firewall rule matching', () => {
  const firewall = estate().firewalls[0]!;
  it.each([
    ['network rule allows RDP from the branch', flow(), 'Allow', 'rcg-main/net-allow/rdp-branch-to-spokes'],
    ['a neighbour outside the prefix falls to the default deny', flow({ sourceIp: '172.16.0.5' }), 'Deny', 'Default Action'],
    ['wrong port: default deny', flow({ destinationPort: 22 }), 'Deny', 'Default Action'],
    ['application rule by FQDN', flow({ sourceIp: IP.app, destinationIp: IP.internet, destinationPort: 443, fqdn: 'api.contoso.com' }), 'Allow', 'rcg-main/app-allow/web-out'],
    ['application rule FQDN mismatch', flow({ sourceIp: IP.app, destinationIp: IP.internet, destinationPort: 443, fqdn: 'api.fabrikam.com' }), 'Deny', 'Default Action'],
  ])('%s', (_name, tuple, action, rule) => {
    const decision = evaluateFirewall(firewall, tuple);
    expect([decision.action, decision.ruleName]).toEqual([action, rule]);
  });

  it('network rules come before application rules, then group and collection priority', () => {
    const base = firewall.rules[0]!;
    const ordered = {
      ...firewall,
      rules: [
        { ...base, kind: 'application' as const, name: 'app-allow', groupPriority: 100, collectionPriority: 100, protocols: ['Https:443'], targetFqdns: ['*'], destinationPorts: [] },
        { ...base, name: 'late-allow', groupPriority: 300, collectionPriority: 100, destinationPorts: ['443'], destinationAddresses: ['*'] },
        { ...base, name: 'early-deny', action: 'Deny', groupPriority: 300, collectionPriority: 50, destinationPorts: ['443'], destinationAddresses: ['*'] },
      ],
    };
    expect(evaluateFirewall(ordered, flow({ destinationPort: 443, fqdn: 'x.contoso.com' })).ruleName).toBe('rcg-main/net-allow/early-deny');
  });
});
