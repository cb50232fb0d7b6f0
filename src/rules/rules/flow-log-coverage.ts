/**
 * `flow_logs_not_enabled` / `nsg_flow_logs_deprecated` (contributing): the flow-log
 * configuration of the Azure endpoints of the flow. Covered: an enabled VNet flow log on the NIC,
 * its subnet or its VNet. Only an NSG flow log (retiring 30 September 2027) on the subnet's or the
 * NIC's NSG: deprecated. Nothing: not enabled.
 */
import { sameResourceId, type FlowLog } from '../../domain/index.js';
import { analyse, citeResources, unique, type Analysis } from '../context.js';
import type { Location } from '../estate.js';
import type { Rule, RuleFinding } from '../types.js';

type Coverage = { state: 'vnet' | 'nsg-only' | 'none'; logs: FlowLog[] };

function coverageOf(analysis: Analysis, location: Extract<Location, { kind: 'azure' }>): Coverage {
  const logs = analysis.input.topology.flowLogs.filter((log) => log.enabled);
  const vnetLogs = logs.filter((log) => log.targetKind !== 'networkSecurityGroup' && [location.vnet.id, location.subnet.id, location.nic?.id ?? null]
    .some((id) => sameResourceId(log.targetResourceId, id)));
  if (vnetLogs.length > 0) return { state: 'vnet', logs: vnetLogs };
  const nsgLogs = logs.filter((log) => log.targetKind === 'networkSecurityGroup' && [location.subnet.networkSecurityGroupId, location.nic?.networkSecurityGroupId ?? null]
    .some((id) => sameResourceId(log.targetResourceId, id)));
  return nsgLogs.length > 0 ? { state: 'nsg-only', logs: nsgLogs } : { state: 'none', logs: [] };
}

/** Flow-log coverage of the flow's Azure endpoints. */
export const flowLogCoverage: Rule = {
  name: 'flow-log-coverage',
  run(input) {
    const analysis = analyse(input);
    const endpoints = [analysis.source, analysis.destination].filter((location): location is Extract<Location, { kind: 'azure' }> =>
      location.kind === 'azure' && location.role !== 'firewall');
    const missing: Extract<Location, { kind: 'azure' }>[] = [];
    const deprecated: { location: Extract<Location, { kind: 'azure' }>; logs: FlowLog[] }[] = [];
    for (const location of endpoints) {
      const coverage = coverageOf(analysis, location);
      if (coverage.state === 'none') missing.push(location);
      if (coverage.state === 'nsg-only') deprecated.push({ location, logs: coverage.logs });
    }
    const describe = (location: Extract<Location, { kind: 'azure' }>) => location.name ?? location.ip ?? location.subnet.name;
    const findings: RuleFinding[] = [];
    if (missing.length > 0) {
      findings.push({
        code: 'flow_logs_not_enabled',
        summary: `No VNet flow logs cover ${unique(missing.map(describe)).join(', ')} (VNet ${unique(missing.map((location) => location.vnet.name)).join(', ')}): Traffic Analytics cannot show this flow there.`,
        evidence: citeResources(analysis, missing.map((location) => location.vnet.id)),
        confidence: 'high',
        nextSteps: [`Enable VNet flow logs with Traffic Analytics on ${unique(missing.map((location) => location.vnet.name)).join(', ')} (see netproof coverage for the policy plan).`],
      });
    }
    if (deprecated.length > 0) {
      findings.push({
        code: 'nsg_flow_logs_deprecated',
        summary: `Only NSG flow logs cover ${unique(deprecated.map(({ location }) => describe(location))).join(', ')}; they retire on 30 September 2027.`,
        evidence: citeResources(analysis, deprecated.flatMap(({ logs }) => logs.map((log) => log.id))),
        confidence: 'high',
        nextSteps: [`Replace the NSG flow logs with VNet flow logs on ${unique(deprecated.map(({ location }) => location.vnet.name)).join(', ')}.`],
      });
    }
    return findings;
  },
};
