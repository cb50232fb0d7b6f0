/** Small helpers the story recipes share. */
import type { Base } from '../base.js';
import type { Story } from '../compose.js';
import { dnsQueries, gatewayDiagnostics, type DnsTemplate } from '../logs.js';
import type { FirewallApplicationRule, FirewallNetworkRule, NsgRuleSpec, VmSpec } from '../model.js';

/** The usual extra background: DNS proxy queries and gateway rekeys. */
export function standardExtend(base: Base, extraDns: DnsTemplate[] = []): NonNullable<Story['extend']> {
  return (log, random, window) => {
    dnsQueries(log, random, [...base.dns, ...extraDns], window.startMs, window.endMs);
    gatewayDiagnostics(log, base.estate, random, window.startMs, window.endMs);
  };
}

/** Adds a network rule to a named collection of the network rule collection group (creating the collection). */
export function addNetworkRule(base: Base, collection: string, priority: number, action: 'Allow' | 'Deny', rule: FirewallNetworkRule): void {
  const group = base.estate.firewall.ruleCollectionGroups.find((candidate) => candidate.name === 'DefaultNetworkRuleCollectionGroup');
  if (!group) throw new Error('no network rule collection group');
  let found = group.collections.find((candidate) => candidate.name === collection);
  if (!found) {
    found = { kind: 'network', name: collection, priority, action, rules: [] };
    group.collections.push(found);
    group.collections.sort((a, b) => a.priority - b.priority);
  }
  if (found.kind !== 'network') throw new Error(`${collection} is not a network rule collection`);
  found.rules.push(rule);
}

/** Adds an application rule to a named collection of the application rule collection group (creating the collection). */
export function addApplicationRule(base: Base, collection: string, priority: number, rule: FirewallApplicationRule): void {
  const group = base.estate.firewall.ruleCollectionGroups.find((candidate) => candidate.name === 'DefaultApplicationRuleCollectionGroup');
  if (!group) throw new Error('no application rule collection group');
  let found = group.collections.find((candidate) => candidate.name === collection);
  if (!found) {
    found = { kind: 'application', name: collection, priority, action: 'Allow', rules: [] };
    group.collections.push(found);
    group.collections.sort((a, b) => a.priority - b.priority);
  }
  if (found.kind !== 'application') throw new Error(`${collection} is not an application rule collection`);
  found.rules.push(rule);
}

/** Adds a rule to an NSG, keeping rules in priority order. */
export function addNsgRule(base: Base, nsgName: string, rule: NsgRuleSpec): void {
  const nsg = base.estate.nsgs.find((candidate) => candidate.name === nsgName);
  if (!nsg) throw new Error(`unknown NSG ${nsgName}`);
  nsg.rules.push(rule);
  nsg.rules.sort((a, b) => a.priority - b.priority);
}

/** Adds a VM. */
export function addVm(base: Base, vm: VmSpec): void {
  base.estate.vms.push(vm);
}

/** The admin and monitoring rules every server subnet NSG carries, plus a final deny. */
export function serverRules(base: Base, allow: NsgRuleSpec[]): NsgRuleSpec[] {
  const monitoring = base.estate.firewall.ruleCollectionGroups[0]?.collections.flatMap((collection) => collection.kind === 'network' ? collection.rules : []).find((rule) => rule.name === 'winrm-monitoring')?.sources[0] ?? '*';
  return [
    ...allow,
    { name: 'Allow-Admin-From-HubMgmt', priority: 110, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: base.addresses.mgmtPrefix, destination: '*', destinationPorts: ['3389', '22'], description: 'Jump host administration' },
    { name: 'Allow-WinRM-From-Monitoring', priority: 120, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', source: monitoring, destination: '*', destinationPorts: '5985', description: 'On-premises monitoring (SCOM)' },
    { name: 'DenyAllInboundCustom', priority: 4096, direction: 'Inbound', access: 'Deny', protocol: '*', source: '*', destination: '*', destinationPorts: '*', description: 'Everything not allowed above' },
  ];
}

/** Ends the standard flows to a VM on a port at a time (the story's failing flows take over from there). */
export function endFlowsTo(base: Base, vmName: string, port: number, at: string): void {
  for (const flow of base.flows) {
    if (flow.destination.kind === 'vm' && flow.destination.name === vmName && flow.port === port) flow.to = at;
  }
}
