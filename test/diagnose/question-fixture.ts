/** A small estate for the question parser tests. */
import type { KnownName, ParseContext, ParseOutcome, ParsedQuestion } from '../../src/diagnose/question.js';

const id = (type: string, name: string) => `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/${type}/${name}`;

export const NAMES: KnownName[] = [
  { name: 'vm-app01', kind: 'virtualMachine', resourceId: id('Microsoft.Compute/virtualMachines', 'vm-app01'), ips: ['10.201.1.4'] },
  { name: 'vm-app01-nic', kind: 'networkInterface', resourceId: id('Microsoft.Network/networkInterfaces', 'vm-app01-nic'), ips: ['10.201.1.4'] },
  { name: 'vm-app02', kind: 'virtualMachine', resourceId: id('Microsoft.Compute/virtualMachines', 'vm-app02'), ips: ['10.201.1.5'] },
  { name: 'vm-web01', kind: 'virtualMachine', resourceId: id('Microsoft.Compute/virtualMachines', 'vm-web01'), ips: ['10.201.2.4'] },
  { name: 'vm-v6', kind: 'virtualMachine', resourceId: id('Microsoft.Compute/virtualMachines', 'vm-v6'), ips: ['fd00:10::4'] },
  { name: 'kv-prod', kind: 'keyVault', resourceId: id('Microsoft.KeyVault/vaults', 'kv-prod'), ips: ['10.202.0.5'] },
  { name: 'pe-kv-prod', kind: 'privateEndpoint', resourceId: id('Microsoft.Network/privateEndpoints', 'pe-kv-prod'), ips: ['10.202.0.5'] },
  { name: 'app-orders-prod', kind: 'webApp', resourceId: id('Microsoft.Web/sites', 'app-orders-prod'), ips: [] },
  { name: 'afw-hub', kind: 'azureFirewall', resourceId: id('Microsoft.Network/azureFirewalls', 'afw-hub'), ips: ['10.0.1.4'] },
];

export const NOW = new Date('2026-11-20T14:30:00Z');

export function context(overrides: Partial<ParseContext> = {}): ParseContext {
  return { now: NOW, names: NAMES, ...overrides };
}

export function byName(name: string): KnownName {
  const known = NAMES.find((candidate) => candidate.name === name);
  if (!known) throw new Error(`no ${name} in the fixture`);
  return known;
}

/** The question of an outcome, or a failure that shows the clarification. */
export function questionOf(outcome: ParseOutcome): ParsedQuestion {
  if (outcome.kind !== 'question') throw new Error(`expected a question, got ${outcome.code}: ${outcome.message}`);
  return outcome.question;
}

/** The flow of a question: what must not depend on the phrasing. */
export function flowOf(question: ParsedQuestion) {
  return {
    source: question.source.name ?? question.source.ip ?? question.source.prefix,
    destination: question.destination.name ?? question.destination.ip ?? question.destination.prefix,
    protocol: question.protocol,
    port: question.port,
  };
}
