/**
 * Network Watcher answers (CONTRACTS.md section 4): a pinned answer from the scenario when one matches the
 * request's fields, else computed from the NIC's effective routes and security rules.
 */
import { createHash } from 'node:crypto';
import { armError, json, type LabResponse } from '../http.js';
import { idKey } from '../ids.js';
import type { ScenarioState } from '../state.js';
import type { StoredResource } from '../store.js';
import { parseIpv4 } from '../../domain/net.js';
import { selectRoute, type EffectiveRoute } from './routes.js';
import { evaluateFlow, evaluateGroup, evaluateRule, orderGroups, type EffectiveSecurityGroup, type Flow, type GroupVerdict } from './security.js';

type Body = Record<string, unknown>;

function record(value: unknown): Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {};
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** True when every field of the pinned request equals the request's (strings without regard to case, objects recursively). */
export function requestMatches(pinned: unknown, actual: unknown): boolean {
  if (typeof pinned === 'object' && pinned !== null && !Array.isArray(pinned)) {
    const actualRecord = record(actual);
    return Object.entries(pinned as Body).every(([key, value]) => {
      const actualKey = Object.keys(actualRecord).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
      return actualKey !== undefined && requestMatches(value, actualRecord[actualKey]);
    });
  }
  if (Array.isArray(pinned)) {
    return Array.isArray(actual) && pinned.length === actual.length && pinned.every((value, index) => requestMatches(value, actual[index]));
  }
  if (typeof pinned === 'string' || typeof pinned === 'number') {
    return text(actual)?.toLowerCase() === String(pinned).toLowerCase();
  }
  return pinned === actual;
}

/** The first pinned answer whose request matches. */
export function pinnedAnswer(answers: readonly { request: Body; response: Body }[], body: Body): Body | undefined {
  return answers.find((answer) => requestMatches(answer.request, body))?.response;
}

/** A NIC's IP configuration as the lab needs it. */
interface IpConfiguration {
  id: string;
  address: string;
  subnetId: string | undefined;
}

function ipConfigurations(nic: StoredResource): IpConfiguration[] {
  const configurations = record(nic.body.properties).ipConfigurations;
  if (!Array.isArray(configurations)) return [];
  return configurations.map((item) => {
    const configuration = record(item);
    const properties = record(configuration.properties);
    return {
      id: text(configuration.id) ?? '',
      address: text(properties.privateIPAddress) ?? '',
      subnetId: text(record(properties.subnet).id),
    };
  });
}

/** The NIC a request is about, and the address it speaks from. */
export interface Target {
  nic: StoredResource;
  configuration: IpConfiguration;
}

function nicsOf(scenario: ScenarioState, resource: StoredResource): StoredResource[] {
  if (resource.type.toLowerCase() === 'microsoft.network/networkinterfaces') return [resource];
  const fromProfile = record(record(resource.body.properties).networkProfile).networkInterfaces;
  const listed = Array.isArray(fromProfile)
    ? fromProfile.map((item) => scenario.index.get(text(record(item).id) ?? '')).filter((nic): nic is StoredResource => nic !== undefined)
    : [];
  if (listed.length > 0) return listed;
  const key = idKey(resource.id);
  return scenario.index
    .ofType(resource.subscriptionId ?? '', 'Microsoft.Network/networkInterfaces')
    .filter((nic) => idKey(text(record(record(nic.body.properties).virtualMachine).id) ?? '') === key);
}

/** Resolves `targetResourceId` (a VM or a NIC), `targetNicResourceId` and the local address to one NIC. */
export function resolveTarget(scenario: ScenarioState, targetId: string | undefined, nicId?: string, address?: string): Target | LabResponse {
  if (!targetId) return armError(400, 'InvalidRequestFormat', 'targetResourceId is required.');
  const resource = scenario.index.get(targetId);
  if (!resource) return armError(404, 'NotFound', `Resource ${targetId} not found.`);
  let nics = nicsOf(scenario, resource);
  if (nicId) nics = nics.filter((nic) => idKey(nic.id) === idKey(nicId));
  for (const nic of nics) {
    const configurations = ipConfigurations(nic);
    const configuration = address ? configurations.find((candidate) => candidate.address === address.trim()) : configurations[0];
    if (configuration) return { nic, configuration };
  }
  if (address) return armError(400, 'InvalidRequestFormat', `No network interface of ${targetId} has the IP address ${address}.`);
  return armError(400, 'InvalidRequestFormat', `${targetId} has no network interface.`);
}

function isResponse(value: Target | LabResponse): value is LabResponse {
  return 'status' in value;
}

/** The NIC's effective routes from the scenario (none when the scenario gives none). */
export function effectiveRoutes(scenario: ScenarioState, nicId: string): EffectiveRoute[] {
  const entry = Object.entries(scenario.scenario.effectiveRoutes).find(([key]) => idKey(key) === idKey(nicId));
  return (entry?.[1] ?? []) as EffectiveRoute[];
}

/** The NIC's effective security groups from the scenario. */
export function effectiveSecurityGroups(scenario: ScenarioState, nicId: string): EffectiveSecurityGroup[] {
  const entry = Object.entries(scenario.scenario.effectiveSecurityRules).find(([key]) => idKey(key) === idKey(nicId));
  return (entry?.[1] ?? []) as EffectiveSecurityGroup[];
}

/** Address prefixes of the scenario's virtual networks and local network gateways (for unexpanded VirtualNetwork tags). */
function virtualNetworkPrefixes(scenario: ScenarioState): string[] {
  const prefixes: string[] = [];
  for (const resource of scenario.index.all()) {
    const properties = record(resource.body.properties);
    const type = resource.type.toLowerCase();
    if (type === 'microsoft.network/virtualnetworks') prefixes.push(...((record(properties.addressSpace).addressPrefixes as string[] | undefined) ?? []));
    if (type === 'microsoft.network/localnetworkgateways') {
      prefixes.push(...((record(properties.localNetworkAddressSpace).addressPrefixes as string[] | undefined) ?? []));
    }
  }
  return prefixes;
}

/** The route table on a subnet, when it has one. */
function subnetRouteTableId(scenario: ScenarioState, subnetId: string | undefined): string | undefined {
  if (!subnetId) return undefined;
  const subnet = scenario.index.get(subnetId);
  return text(record(record(subnet?.body.properties).routeTable).id);
}

/** Next hop from the NIC's routes: `{nextHopType, nextHopIpAddress, routeTableId}`. */
export function computeNextHop(scenario: ScenarioState, target: Target, destination: string): Body {
  const selected = selectRoute(effectiveRoutes(scenario, target.nic.id), destination);
  if (!selected) return { nextHopType: 'None', nextHopIpAddress: '', routeTableId: 'System Route' };
  const user = (selected.route.source ?? '').toLowerCase() === 'user';
  return {
    nextHopType: selected.route.nextHopType ?? 'None',
    nextHopIpAddress: selected.route.nextHopIpAddress?.[0] ?? '',
    routeTableId: user ? (subnetRouteTableId(scenario, target.configuration.subnetId) ?? 'System Route') : 'System Route',
  };
}

/** POST networkWatchers/{nw}/nextHop. */
export function nextHop(scenario: ScenarioState, body: Body): LabResponse {
  const pinned = pinnedAnswer(scenario.scenario.nextHop, body);
  if (pinned) return json(200, pinned);
  const destination = text(body.destinationIPAddress);
  if (!destination || parseIpv4(destination.trim()) === null) return armError(400, 'InvalidRequestFormat', 'destinationIPAddress must be an IPv4 address.');
  const target = resolveTarget(scenario, text(body.targetResourceId), text(body.targetNicResourceId), text(body.sourceIPAddress));
  if (isResponse(target)) return target;
  return json(200, computeNextHop(scenario, target, destination));
}

function portOf(value: unknown): number | undefined {
  const port = text(value);
  if (port === undefined || port.trim() === '*' || port.trim() === '') return undefined;
  const number = Number(port);
  return Number.isInteger(number) ? number : undefined;
}

/** POST networkWatchers/{nw}/ipFlowVerify: `{access, ruleName}`. */
export function ipFlowVerify(scenario: ScenarioState, body: Body): LabResponse {
  const pinned = pinnedAnswer(scenario.scenario.ipFlowVerify, body);
  if (pinned) return json(200, pinned);
  const direction = (text(body.direction) ?? '').toLowerCase();
  if (direction !== 'inbound' && direction !== 'outbound') return armError(400, 'InvalidRequestFormat', 'direction must be Inbound or Outbound.');
  const local = text(body.localIPAddress);
  const remote = text(body.remoteIPAddress);
  if (!local || !remote) return armError(400, 'InvalidRequestFormat', 'localIPAddress and remoteIPAddress are required.');
  const target = resolveTarget(scenario, text(body.targetResourceId), text(body.targetNicResourceId), local);
  if (isResponse(target)) return target;
  const inbound = direction === 'inbound';
  const flow: Flow = {
    direction: inbound ? 'Inbound' : 'Outbound',
    protocol: text(body.protocol) ?? 'TCP',
    sourceAddress: inbound ? remote : local,
    sourcePort: portOf(inbound ? body.remotePort : body.localPort),
    destinationAddress: inbound ? local : remote,
    destinationPort: portOf(inbound ? body.localPort : body.remotePort),
  };
  const verdict = evaluateFlow(effectiveSecurityGroups(scenario, target.nic.id), flow, virtualNetworkPrefixes(scenario));
  return json(200, { access: verdict.access, ruleName: verdict.ruleName });
}

/** `securityRules/X` -> `UserRule_X`, `defaultSecurityRules/X` -> `DefaultRule_X`, as NSG diagnostics name rules. */
export function diagnosticRuleName(name: string): string {
  if (name.startsWith('securityRules/')) return `UserRule_${name.slice('securityRules/'.length)}`;
  if (name.startsWith('defaultSecurityRules/')) return `DefaultRule_${name.slice('defaultSecurityRules/'.length)}`;
  return name;
}

function evaluatedGroup(verdict: GroupVerdict, verbosity: string): Body {
  const evaluated: Body = {
    networkSecurityGroupId: verdict.group.networkSecurityGroup?.id ?? '',
    appliedTo: verdict.appliedTo,
    matchedRule: { ruleName: diagnosticRuleName(verdict.ruleName), action: verdict.access },
  };
  if (verbosity !== 'minimum') {
    evaluated.rulesEvaluationResult = verdict.evaluations.map((evaluation) => ({
      name: diagnosticRuleName(evaluation.rule.name ?? ''),
      protocolMatched: evaluation.protocolMatched,
      sourceMatched: evaluation.sourceMatched,
      sourcePortMatched: evaluation.sourcePortMatched,
      destinationMatched: evaluation.destinationMatched,
      destinationPortMatched: evaluation.destinationPortMatched,
    }));
  }
  return evaluated;
}

/** POST networkWatchers/{nw}/networkConfigurationDiagnostic. */
export function networkConfigurationDiagnostic(scenario: ScenarioState, body: Body): LabResponse {
  const profiles = Array.isArray(body.profiles) ? body.profiles.map(record) : [];
  if (profiles.length === 0) return armError(400, 'InvalidRequestFormat', 'profiles must list at least one profile.');
  const target = resolveTarget(scenario, text(body.targetResourceId), text(body.targetNicResourceId));
  if (isResponse(target)) return target;
  const verbosity = (text(body.verbosityLevel) ?? 'Normal').toLowerCase();
  const groups = effectiveSecurityGroups(scenario, target.nic.id);
  const prefixes = virtualNetworkPrefixes(scenario);
  const results = profiles.map((profile) => {
    const direction = (text(profile.direction) ?? '').toLowerCase() === 'outbound' ? 'Outbound' : 'Inbound';
    const flow: Flow = {
      direction,
      protocol: text(profile.protocol) ?? '*',
      sourceAddress: text(profile.source) ?? '*',
      sourcePort: portOf(profile.sourcePort),
      destinationAddress: text(profile.destination) ?? '*',
      destinationPort: portOf(profile.destinationPort),
    };
    const verdicts = orderGroups(groups, direction).map((group) => {
      const verdict = evaluateGroup(group, flow, prefixes);
      if (verbosity !== 'full') return verdict;
      // Full: every rule of the direction, not only those up to the match.
      const rules = (group.effectiveSecurityRules ?? [])
        .filter((rule) => (rule.direction ?? '').toLowerCase() === direction.toLowerCase())
        .sort((left, right) => (left.priority ?? 65535) - (right.priority ?? 65535));
      return { ...verdict, evaluations: rules.map((rule) => evaluateRule(rule, flow, prefixes)) };
    });
    const access = verdicts.some((verdict) => verdict.access === 'Deny') ? 'Deny' : 'Allow';
    return {
      profile,
      networkSecurityGroupResult: {
        securityRuleAccessResult: access,
        evaluatedNetworkSecurityGroups: verdicts.map((verdict) => evaluatedGroup(verdict, verbosity)),
      },
    };
  });
  return json(200, { results });
}

function hopId(...parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The scenario NIC configuration holding an address, if any. */
function configurationWithAddress(scenario: ScenarioState, address: string): Target | undefined {
  for (const resource of scenario.index.all()) {
    if (resource.type.toLowerCase() !== 'microsoft.network/networkinterfaces') continue;
    const configuration = ipConfigurations(resource).find((candidate) => candidate.address === address);
    if (configuration) return { nic: resource, configuration };
  }
  return undefined;
}

/** The resource that answers on a next-hop address: an Azure Firewall's IP configuration, else a NIC's. */
function hopResourceId(scenario: ScenarioState, address: string): string {
  for (const resource of scenario.index.all()) {
    if (resource.type.toLowerCase() !== 'microsoft.network/azurefirewalls') continue;
    const configurations = record(resource.body.properties).ipConfigurations;
    for (const item of Array.isArray(configurations) ? configurations : []) {
      if (text(record(record(item).properties).privateIPAddress) === address) return text(record(item).id) ?? resource.id;
    }
  }
  return configurationWithAddress(scenario, address)?.configuration.id ?? '';
}

function nsgIssue(origin: 'Inbound' | 'Outbound', ruleName: string): Body {
  return { origin, severity: 'Error', type: 'NetworkSecurityRule', context: [{ RuleName: ruleName }] };
}

/** POST networkWatchers/{nw}/connectivityCheck: Disconnected when the route or either NSG says no, else Connected. */
export function connectivityCheck(scenario: ScenarioState, body: Body): LabResponse {
  const pinned = pinnedAnswer(scenario.scenario.connectivityCheck, body);
  if (pinned) return json(200, pinned);
  const source = record(body.source);
  const destination = record(body.destination);
  const origin = resolveTarget(scenario, text(source.resourceId));
  if (isResponse(origin)) return origin;
  let destinationTarget: Target | undefined;
  let destinationAddress = text(destination.address);
  if (text(destination.resourceId)) {
    const resolved = resolveTarget(scenario, text(destination.resourceId));
    if (isResponse(resolved)) return resolved;
    destinationTarget = resolved;
    destinationAddress = resolved.configuration.address;
  } else if (destinationAddress) {
    destinationTarget = configurationWithAddress(scenario, destinationAddress.trim());
  }
  if (!destinationAddress) return armError(400, 'InvalidRequestFormat', 'destination needs an address or a resourceId.');
  const protocol = (text(body.protocol) ?? 'Tcp').toLowerCase();
  const flowProtocol = protocol === 'icmp' ? 'ICMP' : 'TCP';
  const destinationPort = protocol === 'icmp' ? undefined : (portOf(destination.port) ?? (protocol === 'https' ? 443 : protocol === 'http' ? 80 : undefined));
  const sourceAddress = origin.configuration.address;
  const hops: Body[] = [];
  const sourceHop: Body = { type: 'Source', id: hopId('source', sourceAddress), address: sourceAddress, resourceId: origin.configuration.id, nextHopIds: [], issues: [] };
  hops.push(sourceHop);
  const disconnected = (): LabResponse => json(200, { connectionStatus: 'Disconnected', probesSent: 100, probesFailed: 100, hops: linkHops(hops) });
  if (parseIpv4(destinationAddress.trim()) === null) {
    (sourceHop.issues as Body[]).push({ origin: 'Local', severity: 'Error', type: 'DnsResolution', context: [{ Name: destinationAddress }] });
    return disconnected();
  }
  // The probe's flow through a NIC's effective NSGs, one direction at a time.
  const nsgDecision = (nicId: string, direction: 'Inbound' | 'Outbound') => evaluateFlow(effectiveSecurityGroups(scenario, nicId), {
    direction, protocol: flowProtocol, sourceAddress, sourcePort: undefined, destinationAddress, destinationPort,
  }, virtualNetworkPrefixes(scenario));
  const outbound = nsgDecision(origin.nic.id, 'Outbound');
  if (outbound.access === 'Deny') {
    (sourceHop.issues as Body[]).push(nsgIssue('Outbound', outbound.ruleName));
    return disconnected();
  }
  const hop = computeNextHop(scenario, origin, destinationAddress);
  const hopType = String(hop.nextHopType);
  if (hopType === 'None') {
    (sourceHop.issues as Body[]).push({ origin: 'Outbound', severity: 'Error', type: 'UserDefinedRoute', context: [{ NextHopType: 'None' }] });
    return disconnected();
  }
  if (hopType === 'VirtualAppliance' || hopType === 'VirtualNetworkGateway') {
    const address = String(hop.nextHopIpAddress);
    hops.push({ type: hopType, id: hopId('hop', address), address, resourceId: hopResourceId(scenario, address), nextHopIds: [], issues: [] });
  }
  const destinationHop: Body = {
    type: destinationTarget ? 'VirtualMachine' : hopType === 'Internet' ? 'Internet' : 'VirtualNetwork',
    id: hopId('destination', destinationAddress),
    address: destinationAddress,
    resourceId: destinationTarget?.configuration.id ?? '',
    nextHopIds: [],
    issues: [],
  };
  hops.push(destinationHop);
  if (destinationTarget) {
    const inbound = nsgDecision(destinationTarget.nic.id, 'Inbound');
    if (inbound.access === 'Deny') {
      (destinationHop.issues as Body[]).push(nsgIssue('Inbound', inbound.ruleName));
      return disconnected();
    }
  }
  return json(200, {
    connectionStatus: 'Connected',
    avgLatencyInMs: 1,
    minLatencyInMs: 1,
    maxLatencyInMs: 2,
    probesSent: 100,
    probesFailed: 0,
    hops: linkHops(hops),
  });
}

/** Chains hops: each names the next. */
function linkHops(hops: Body[]): Body[] {
  return hops.map((hop, index) => ({ ...hop, nextHopIds: index + 1 < hops.length ? [hops[index + 1]?.id] : [] }));
}

/** POST networkInterfaces/{nic}/effectiveRouteTable. */
export function effectiveRouteTable(scenario: ScenarioState, nic: StoredResource): LabResponse {
  return json(200, { value: effectiveRoutes(scenario, nic.id) });
}

/** POST networkInterfaces/{nic}/effectiveNetworkSecurityGroups. */
export function effectiveNetworkSecurityGroups(scenario: ScenarioState, nic: StoredResource): LabResponse {
  return json(200, { value: effectiveSecurityGroups(scenario, nic.id) });
}
