/**
 * The verdict as Markdown: the verdict first, then the proof (each finding with
 * its evidence and the exact KQL or REST call), then the gaps and next steps.
 */
import { CAUSES, CONTRIBUTING, GAP_REASONS, type EvidenceItem, type Verdict } from '../domain/index.js';

/** A query is KQL unless it reads like an HTTP call. */
function fence(query: string): string {
  const language = /^(GET|POST|PUT|DELETE|PATCH)\s/.test(query) ? 'http' : /^az\s/.test(query) ? 'sh' : 'kusto';
  const longestRun = Math.max(2, ...[...query.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = '`'.repeat(longestRun + 1);
  return `${ticks}${language}\n${query}\n${ticks}`;
}

/** Describes the flow of the question in one line. */
export function describeFlow(verdict: Verdict): string {
  const { source, destination, protocol, port, window } = verdict.question;
  const name = (endpoint: typeof source) => [endpoint.name, endpoint.ip].filter(Boolean).join(' ') || 'unknown';
  const service = protocol === 'any' ? '' : ` ${protocol.toUpperCase()}${port !== null ? `/${port}` : ''}`;
  return `${name(source)} -> ${name(destination)}${service}, ${window.start} to ${window.end}`;
}

/** One line for where the flow is blocked. */
export function describeBlockedAt(verdict: Verdict): string | null {
  const blocked = verdict.blockedAt;
  if (!blocked) return null;
  const parts = [blocked.component, blocked.name, blocked.rule ? `rule ${blocked.rule}` : null].filter(Boolean);
  return parts.join(', ');
}

function evidenceLine(item: EvidenceItem): string {
  return `- **${item.id}** \`${item.source}\`: ${item.summary}`;
}

/**
 * Cited items grouped by the query that produced them (in the order first cited), the query once
 * after its items: rows of one table share one query, which a reader reruns once.
 */
function evidenceBlocks(items: readonly EvidenceItem[]): string[] {
  const groups = new Map<string, EvidenceItem[]>();
  for (const item of items) groups.set(item.query, [...(groups.get(item.query) ?? []), item]);
  return [...groups].map(([query, members]) => `${members.map(evidenceLine).join('\n')}\n\n${fence(query)}`);
}

/** Renders the whole verdict. */
export function renderVerdictMarkdown(verdict: Verdict): string {
  const lines: string[] = [];
  const statusWord = verdict.status === 'ok' ? 'OK' : verdict.status === 'failing' ? 'FAILING' : 'UNKNOWN';
  lines.push(`## ${statusWord}: ${verdict.summary}`, '');
  lines.push(`- **Flow:** ${describeFlow(verdict)}`);
  lines.push(`- **Cause:** \`${verdict.cause}\`: ${CAUSES[verdict.cause].meaning}`);
  const blocked = describeBlockedAt(verdict);
  if (blocked) lines.push(`- **Blocked at:** ${blocked}`);
  lines.push(`- **Layer:** ${verdict.layer}; **confidence:** ${verdict.confidence}`);
  for (const code of verdict.contributing) lines.push(`- **Contributing:** \`${code}\`: ${CONTRIBUTING[code]}`);
  lines.push('');

  const byId = new Map(verdict.evidence.map((item) => [item.id, item]));
  if (verdict.findings.length > 0) {
    lines.push('### Proof', '');
    for (const finding of verdict.findings) {
      lines.push(`#### ${finding.id} \`${finding.code}\``, '', finding.summary, '');
      const items = finding.evidence.map((id) => byId.get(id)).filter((item): item is EvidenceItem => item !== undefined);
      for (const block of evidenceBlocks(items)) lines.push(block, '');
    }
  }
  if (verdict.gaps.length > 0) {
    lines.push('### Gaps', '');
    for (const gap of verdict.gaps) lines.push(`- \`${gap.source}\` ${gap.reason} (${GAP_REASONS[gap.reason]}): ${gap.detail}`);
    lines.push('');
  }
  if (verdict.nextSteps.length > 0) {
    lines.push('### Next steps', '');
    verdict.nextSteps.forEach((step, index) => lines.push(`${index + 1}. ${step}`));
    lines.push('');
  }
  const cited = new Set(verdict.findings.flatMap((finding) => finding.evidence));
  const uncited = verdict.evidence.filter((item) => !cited.has(item.id));
  if (uncited.length > 0) lines.push(`_${uncited.length} further evidence item(s) were gathered and are in the JSON and the evidence pack._`, '');
  return lines.join('\n');
}
