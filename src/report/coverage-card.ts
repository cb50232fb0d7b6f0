/**
 * The flow-log coverage summary as an Adaptive Card (schema 1.5): counts per region, the top
 * gaps, the firewalls' logging and what the plan proposes. Capped like every card netproof sends;
 * the full report and the plan (template, commands) are in `netproof coverage`.
 */
import type { CoverageReport, VnetCoverage } from '../domain/coverage.js';
import { CARD_BYTE_LIMIT, trimText, type AdaptiveCard } from './adaptive-card.js';

/** Gaps listed on the card, worst first. */
export const COVERAGE_CARD_TOP_GAPS = 8;
/** Regions listed on the card. */
const MAX_REGIONS = 12;

const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
const GAP_ORDER: Record<VnetCoverage['flowLogs'], number> = { none: 0, disabled: 1, 'nsg-only': 2, vnet: 3 };
const GAP_TEXT: Record<VnetCoverage['flowLogs'], string> = {
  none: 'no flow logs', disabled: 'VNet flow log disabled', 'nsg-only': 'NSG flow logs only (retiring 30 Sep 2027)', vnet: 'VNet flow logs without Traffic Analytics',
};

const textBlock = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: trimText(text, 1_000), wrap: true, ...extra });
const factSet = (entries: [string, string][]) => ({ type: 'FactSet', facts: entries.map(([title, value]) => ({ title: trimText(title, 60), value: trimText(value, 300) })) });
const lastSegment = (id: string) => id.split('/').pop() ?? id;

/** Options of the coverage card. */
export interface CoverageCardOptions {
  /** The estate's name (the lab scenario or `azure`). */
  estateName?: string;
  /** A link to the full report and plan, when the bot has one. */
  reportUrl?: string | null;
}

function gapsOf(report: CoverageReport): VnetCoverage[] {
  return report.vnets
    .filter((vnet) => vnet.flowLogs !== 'vnet' || !vnet.trafficAnalytics?.enabled)
    .sort((left, right) => GAP_ORDER[left.flowLogs] - GAP_ORDER[right.flowLogs] || Number(left.coveredByPolicy !== null) - Number(right.coveredByPolicy !== null)
      || left.region.localeCompare(right.region) || left.name.localeCompare(right.name));
}

/** The coverage summary card. */
export function coverageCard(report: CoverageReport, options: CoverageCardOptions = {}): AdaptiveCard {
  const gaps = gapsOf(report);
  const count = (state: VnetCoverage['flowLogs']) => report.vnets.filter((vnet) => vnet.flowLogs === state).length;
  const body: unknown[] = [
    textBlock(`Flow log coverage${options.estateName ? `: ${options.estateName}` : ''}`, { size: 'Large', weight: 'Bolder' }),
    textBlock(`${report.vnets.length} VNets in ${report.regions.length} region${report.regions.length === 1 ? '' : 's'}: ${count('vnet')} with VNet flow logs, ${count('nsg-only')} NSG only, ${count('disabled')} disabled, ${count('none')} none.`,
      { color: gaps.length === 0 ? 'Good' : 'Attention' }),
    textBlock('Per region', { weight: 'Bolder', spacing: 'Medium' }),
    factSet(report.regions.slice(0, MAX_REGIONS).map((region) => [region.region, [
      `${region.vnets} VNets: ${region.vnet} VNet flow logs, ${region.nsgOnly} NSG only, ${region.disabled} disabled, ${region.none} none`,
      region.coveredByPolicy ? `policy ${lastSegment(region.coveredByPolicy)}` : 'no flow-log policy',
    ].join(' · ')])),
  ];
  if (report.regions.length > MAX_REGIONS) body.push(textBlock(`… and ${report.regions.length - MAX_REGIONS} more regions.`, { isSubtle: true }));
  if (gaps.length > 0) {
    body.push(textBlock('Top gaps', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(factSet(gaps.slice(0, COVERAGE_CARD_TOP_GAPS).map((vnet) => [vnet.name, `${vnet.region}: ${GAP_TEXT[vnet.flowLogs]}${vnet.coveredByPolicy ? ' (policy assigned, awaiting remediation)' : ''}`])));
    if (gaps.length > COVERAGE_CARD_TOP_GAPS) body.push(textBlock(`… and ${gaps.length - COVERAGE_CARD_TOP_GAPS} more.`, { isSubtle: true }));
  }
  if (report.firewalls.length > 0) {
    const yesNo = (value: boolean | null) => (value === null ? 'unknown' : value ? 'yes' : 'no');
    body.push(textBlock('Azure Firewalls', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(factSet(report.firewalls.slice(0, COVERAGE_CARD_TOP_GAPS).map((firewall) => [firewall.name, `resource-specific tables ${yesNo(firewall.resourceSpecificLogs)}, flow trace ${yesNo(firewall.flowTrace)}`])));
  }
  const plan = [
    ...report.plan.assignments.map((assignment) => `${assignment.region}: assign the built-in flow-log policy (Traffic Analytics every ${assignment.parameters.timeInterval} minutes, storage ${lastSegment(assignment.parameters.storageId)})`),
    ...report.plan.missing.map((entry) => `${entry.region}: cannot plan yet, ${entry.reason}`),
    ...report.plan.noNewAssignment.map((entry) => `${entry.region}: handled by ${lastSegment(entry.coveredBy)}`),
  ];
  if (plan.length > 0) {
    body.push(textBlock('Plan', { weight: 'Bolder', spacing: 'Medium' }));
    body.push(textBlock(plan.slice(0, MAX_REGIONS).map((line) => `- ${line}`).join('\n')));
    if (report.plan.assignments.length > 0) body.push(textBlock('The ARM template and az commands are in `netproof coverage` (review before deploying).', { isSubtle: true }));
  }
  if (report.warnings.length > 0) body.push(textBlock(`Could not read: ${report.warnings.join('; ')}`, { isSubtle: true, color: 'Warning' }));
  const card: AdaptiveCard = { type: 'AdaptiveCard', $schema: SCHEMA, version: '1.5', body, msteams: { width: 'Full' } };
  if (options.reportUrl) card.actions = [{ type: 'Action.OpenUrl', title: 'Full report and plan', url: options.reportUrl }];
  // Belt and braces: a huge estate must still fit Teams' limit.
  while (Buffer.byteLength(JSON.stringify(card), 'utf8') > CARD_BYTE_LIMIT && card.body.length > 3) card.body.splice(card.body.length - 2, 1);
  return card;
}
