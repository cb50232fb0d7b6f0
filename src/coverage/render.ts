/** The coverage report as text for a terminal or a chat (pure). */
import type { CoverageReport, VnetCoverage } from '../domain/coverage.js';

const STATE: Record<VnetCoverage['flowLogs'], string> = {
  vnet: 'VNet flow logs', 'nsg-only': 'NSG flow logs only (retiring 30 Sep 2027)', none: 'no flow logs', disabled: 'VNet flow log disabled',
};

/** One VNet in a line. */
export function describeVnet(vnet: VnetCoverage): string {
  const analytics = vnet.trafficAnalytics ? (vnet.trafficAnalytics.enabled ? `Traffic Analytics ${vnet.trafficAnalytics.intervalMinutes} min` : 'Traffic Analytics off') : 'no Traffic Analytics';
  const storage = vnet.storageSameRegion === null ? '' : vnet.storageSameRegion ? ', storage in region' : ', storage in ANOTHER region';
  const retention = vnet.retentionDays === null ? '' : `, retention ${vnet.retentionDays === 0 ? 'forever' : `${vnet.retentionDays} d`}`;
  const policy = vnet.coveredByPolicy ? `, policy ${vnet.coveredByPolicy.split('/').pop() ?? ''}` : '';
  return `${vnet.name}: ${STATE[vnet.flowLogs]}, ${analytics}${storage}${retention}${policy}`;
}

/** The report and its plan as Markdown. */
export function renderCoverageMarkdown(report: CoverageReport): string {
  const lines: string[] = ['# Flow log coverage', ''];
  for (const region of report.regions) {
    lines.push(`## ${region.region}: ${region.vnets} VNets (${region.vnet} VNet flow logs, ${region.nsgOnly} NSG only, ${region.disabled} disabled, ${region.none} none)${region.coveredByPolicy ? `, policy ${region.coveredByPolicy.split('/').pop() ?? ''}` : ''}`);
    for (const vnet of report.vnets.filter((candidate) => candidate.region === region.region)) lines.push(`- ${describeVnet(vnet)}`);
    lines.push('');
  }
  if (report.firewalls.length > 0) {
    lines.push('## Azure Firewalls');
    const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
    for (const firewall of report.firewalls) lines.push(`- ${firewall.name} (${firewall.region}): resource-specific tables ${yesNo(firewall.resourceSpecificLogs)}, flow trace ${yesNo(firewall.flowTrace)}`);
    lines.push('');
  }
  lines.push('## Plan');
  for (const entry of report.plan.noNewAssignment) {
    const waiting = report.vnets.filter((vnet) => vnet.region === entry.region && (vnet.flowLogs !== 'vnet' || !vnet.trafficAnalytics?.enabled)).map((vnet) => vnet.name);
    lines.push(`- ${entry.region}: already handled by ${entry.coveredBy.split('/').pop() ?? ''}; no new assignment.${waiting.length > 0 ? ` Still a gap: ${waiting.join(', ')} (start a remediation task of that assignment, or fix by hand).` : ''}`);
  }
  for (const assignment of report.plan.assignments) {
    lines.push(`- ${assignment.region}: assign ${assignment.policyDefinitionId.split('/').pop() ?? ''} as ${assignment.name} at ${assignment.scope} (storage ${assignment.parameters.storageId.split('/').pop() ?? ''}, ${assignment.parameters.networkWatcherName.split('/').pop() ?? ''}, Traffic Analytics every ${assignment.parameters.timeInterval} minutes); remediates ${assignment.vnets.join(', ')}.`);
    for (const note of assignment.notes) lines.push(`  - ${note}`);
  }
  for (const entry of report.plan.missing) lines.push(`- ${entry.region}: cannot plan: ${entry.reason}.`);
  if (report.plan.commands.length > 0) lines.push('', '```sh', ...report.plan.commands, '```');
  if (report.plan.templates.length > 0) lines.push('', `The ARM deployment template${report.plan.templates.length > 1 ? 's are' : ' is'} in the JSON report (--json, plan.templates).`);
  for (const warning of report.warnings) lines.push(`Warning: ${warning}`);
  return lines.join('\n');
}
