/**
 * The evidence pack: the verdict as one self-contained HTML page (no external
 * resources: inline CSS, inline SVG, no scripts) for someone without Azure access,
 * e.g. a remote site's admin. Optionally redacted: resource ids, subscription ids
 * and internal names other than the flow's own addresses are replaced.
 */
import { CAUSES, CONTRIBUTING, GAP_REASONS, type CaptureReport, type Conversation, type EvidenceItem, type Verdict } from '../domain/index.js';
import { sameIp } from '../domain/net.js';
import { describeBlockedAt, describeFlow } from './markdown.js';

/** One packet on a ladder diagram. */
export interface LadderStep {
  frame: number;
  /** ISO time. */
  time: string;
  from: 'client' | 'server';
  label: string;
}

/** A conversation drawn as a ladder (client and server lines, one arrow per packet). */
export interface Ladder {
  title: string;
  client: string;
  server: string;
  steps: LadderStep[];
}

/** Options of the evidence pack. */
export interface EvidencePackOptions {
  /** Replace resource ids, subscription ids and resource names. */
  redact?: boolean;
  /** Ladder diagrams of captured conversations. */
  ladders?: Ladder[];
  /** When the pack was made (ISO), shown in the footer. */
  generatedAt: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** Builds a redactor that replaces ARM ids, GUIDs and the estate's resource names consistently. */
export function createRedactor(verdict: Verdict): (text: string) => string {
  const names = new Set<string>();
  for (const item of verdict.evidence) {
    for (const match of JSON.stringify(item.data).matchAll(/\/providers\/[^"]*?\/([A-Za-z0-9._-]+)(?="|\/)/g)) if (match[1]) names.add(match[1]);
  }
  const flowNames = [verdict.question.source.name, verdict.question.destination.name].filter((name): name is string => Boolean(name));
  for (const name of flowNames) names.delete(name);
  const aliases = new Map<string, string>();
  const alias = (value: string, prefix: string) => {
    const key = value.toLowerCase();
    if (!aliases.has(key)) aliases.set(key, `${prefix}-${aliases.size + 1}`);
    return aliases.get(key) ?? prefix;
  };
  const ordered = [...names].filter((name) => name.length >= 3).sort((left, right) => right.length - left.length);
  return (text: string) => {
    let result = text.replace(/\/subscriptions\/[^\s"'<>,;)]+/gi, (id) => alias(id, 'resource'));
    result = result.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, (guid) => alias(guid, 'id'));
    for (const name of ordered) {
      result = result.replace(new RegExp(`(?<![A-Za-z0-9_-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_-])`, 'gi'), (found) => alias(found, 'name'));
    }
    return result;
  };
}

/** Draws a ladder diagram as inline SVG. */
export function renderLadderSvg(ladder: Ladder, clean: (text: string) => string = (text) => text): string {
  const width = 640;
  const rowHeight = 28;
  const top = 48;
  const left = 120;
  const right = width - 120;
  const height = top + ladder.steps.length * rowHeight + 24;
  const rows = ladder.steps.map((step, index) => {
    const y = top + index * rowHeight + 14;
    const [x1, x2] = step.from === 'client' ? [left, right] : [right, left];
    const head = step.from === 'client' ? `${x2 - 8},${y - 5} ${x2},${y} ${x2 - 8},${y + 5}` : `${x2 + 8},${y - 5} ${x2},${y} ${x2 + 8},${y + 5}`;
    return `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="#1F4E8C" stroke-width="1.5"/>`
      + `<polygon points="${head}" fill="#1F4E8C"/>`
      + `<text x="${(left + right) / 2}" y="${y - 4}" text-anchor="middle" font-size="11">${escapeHtml(clean(step.label))}</text>`
      + `<text x="8" y="${y + 4}" font-size="10" fill="#555">#${step.frame} ${escapeHtml(step.time.slice(11, 23))}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(clean(ladder.title))}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`
    + `<text x="${left}" y="20" text-anchor="middle" font-size="12" font-weight="bold">${escapeHtml(clean(ladder.client))}</text>`
    + `<text x="${right}" y="20" text-anchor="middle" font-size="12" font-weight="bold">${escapeHtml(clean(ladder.server))}</text>`
    + `<line x1="${left}" y1="28" x2="${left}" y2="${height - 8}" stroke="#999"/><line x1="${right}" y1="28" x2="${right}" y2="${height - 8}" stroke="#999"/>`
    + rows + '</svg>';
}

/** At most this many conversations (and findings) of a capture are written into a pack. */
export const PACK_CONVERSATIONS = 25;

/** The data of an evidence item as the pack prints it, and a line saying what of it is left out (null: nothing). */
interface PackData {
  data: Record<string, unknown>;
  note: string | null;
}

/** The report of a capture evidence item (`data.report` with conversations and findings), or null. */
function captureReportOf(item: EvidenceItem): CaptureReport | null {
  const report = item.data.report as Partial<CaptureReport> | null | undefined;
  return typeof report === 'object' && report !== null && Array.isArray(report.conversations) && Array.isArray(report.findings)
    ? report as CaptureReport : null;
}

/** True when the conversation goes to the flow's destination address: on its port (when the question gives one), or from its source on any port. */
function aboutFlow(verdict: Verdict, conversation: Conversation): boolean {
  const { source, destination, port } = verdict.question;
  if (!sameIp(conversation.server.ip, destination.ip)) return false;
  return port === null || conversation.server.port === null || conversation.server.port === port || sameIp(conversation.client.ip, source.ip);
}

/** A count the pipeline recorded in the data (`totals`), else the one of the report as it is. */
function totalOf(item: EvidenceItem, key: 'conversations' | 'findings', fallback: number): number {
  const totals = item.data.totals as Record<string, unknown> | undefined;
  return typeof totals?.[key] === 'number' ? totals[key] : fallback;
}

/**
 * A capture in the pack: a remote admin reads the conversations about the flow and those the capture's
 * findings cite, not tens of thousands of them. At most PACK_CONVERSATIONS conversations and findings
 * are written, with the totals (the Verdict's, when the pipeline already left some out) and a line
 * that says how many others are left out and where the whole report is.
 */
function packData(verdict: Verdict, item: EvidenceItem): PackData {
  const report = captureReportOf(item);
  if (report === null) return { data: item.data, note: null };
  const conversationTotal = totalOf(item, 'conversations', report.conversations.length);
  const findingTotal = totalOf(item, 'findings', report.findings.length);
  let shown = report.conversations;
  if (shown.length > PACK_CONVERSATIONS) {
    const cited = new Set(report.findings.map((finding) => finding.conversation));
    const flow = shown.filter((conversation) => aboutFlow(verdict, conversation));
    const flowIds = new Set(flow.map((conversation) => conversation.id));
    shown = [...flow, ...shown.filter((conversation) => !flowIds.has(conversation.id) && cited.has(conversation.id))].slice(0, PACK_CONVERSATIONS);
  }
  const shownIds = new Set(shown.map((conversation) => conversation.id));
  const findings = report.findings.filter((finding) => shownIds.has(finding.conversation)).slice(0, PACK_CONVERSATIONS);
  const leftOut = { conversations: conversationTotal - shown.length, findings: findingTotal - findings.length };
  if (leftOut.conversations === 0 && leftOut.findings === 0) return { data: item.data, note: null };
  const fileName = typeof item.data.fileName === 'string' ? item.data.fileName : 'the capture file';
  return {
    data: { ...item.data, report: { ...report, conversations: shown, findings }, totals: { conversations: conversationTotal, findings: findingTotal }, leftOut },
    note: `${report.input.packets} packets, ${conversationTotal} conversations, ${findingTotal} capture findings. `
      + `Shown: ${shown.length} conversations (about the flow, then those the capture's findings cite) and ${findings.length} of their findings; `
      + `${leftOut.conversations} other conversations and ${leftOut.findings} findings are left out: the full capture report is the analysis of ${fileName}.`,
  };
}

/** Collects the times evidence mentions, for the timeline. */
function timeline(verdict: Verdict): { time: string; text: string }[] {
  const events: { time: string; text: string }[] = [
    { time: verdict.question.window.start, text: 'Window of the question starts' },
    { time: verdict.question.window.end, text: 'Window of the question ends' },
  ];
  for (const item of verdict.evidence) {
    const data = item.data as Record<string, unknown>;
    const time = [data.time, data.intervalStart, data.flowStart].find((value): value is string => typeof value === 'string');
    if (time) events.push({ time, text: `${item.id} ${item.source}: ${item.summary}` });
  }
  return events.sort((left, right) => left.time.localeCompare(right.time) || left.text.localeCompare(right.text));
}

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;color:#1b1b1b;padding:0 1rem}
h1{font-size:1.4rem}h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.verdict{border-left:6px solid #c62828;background:#fdf3f3;padding:.8rem 1rem}.verdict.ok{border-color:#2e7d32;background:#f1f8f1}.verdict.unknown{border-color:#8d6e00;background:#fff8e1}
dl{display:grid;grid-template-columns:10rem 1fr;gap:.2rem 1rem}dt{font-weight:600}code,pre{font-family:ui-monospace,Consolas,monospace;font-size:12px}
pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;white-space:pre-wrap}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top;font-size:12px}
.finding{margin:1rem 0;padding:.5rem 1rem;border:1px solid #ddd}footer{margin-top:3rem;color:#666;font-size:12px}`;

/** Renders the evidence pack. */
export function renderEvidencePack(verdict: Verdict, options: EvidencePackOptions): string {
  const clean = options.redact ? createRedactor(verdict) : (text: string) => text;
  const text = (value: string) => escapeHtml(clean(value));
  const byId = new Map(verdict.evidence.map((item) => [item.id, item]));
  const blocked = describeBlockedAt(verdict);
  const findings = verdict.findings.map((finding) => {
    const evidence = finding.evidence.map((id) => byId.get(id)).filter((item) => item !== undefined).map((item) =>
      `<li><strong>${text(item.id)}</strong> <code>${text(item.source)}</code>: ${text(item.summary)}<pre>${text(item.query)}</pre></li>`).join('');
    return `<div class="finding"><h3>${text(finding.id)} <code>${text(finding.code)}</code></h3><p>${text(finding.summary)}</p><ul>${evidence}</ul></div>`;
  }).join('');
  const evidenceRows = verdict.evidence.map((item) => {
    const { data, note } = packData(verdict, item);
    return `<tr id="${text(item.id)}"><td>${text(item.id)}</td><td><code>${text(item.source)}</code></td><td>${text(item.summary)}<pre>${text(item.query)}</pre>`
      + `${note === null ? '' : `<p>${text(note)}</p>`}<details><summary>data</summary><pre>${text(JSON.stringify(data, null, 2))}</pre></details></td></tr>`;
  }).join('');
  const gaps = verdict.gaps.map((gap) => `<li><code>${text(gap.source)}</code> ${text(gap.reason)} (${text(GAP_REASONS[gap.reason])}): ${text(gap.detail)}</li>`).join('');
  const steps = verdict.nextSteps.map((step) => `<li>${text(step)}</li>`).join('');
  const events = timeline(verdict).map((event) => `<tr><td><code>${text(event.time)}</code></td><td>${text(event.text)}</td></tr>`).join('');
  const ladders = (options.ladders ?? []).map((ladder) => `<figure><figcaption>${text(ladder.title)}</figcaption>${renderLadderSvg(ladder, clean)}</figure>`).join('');
  const contributing = verdict.contributing.map((code) => `<li><code>${code}</code>: ${text(CONTRIBUTING[code])}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>netproof evidence pack: ${text(verdict.summary)}</title><style>${STYLE}</style></head>
<body>
<h1>netproof evidence pack</h1>
<div class="verdict ${verdict.status}"><p><strong>${text(verdict.status.toUpperCase())}</strong>: ${text(verdict.summary)}</p>
<dl><dt>Flow</dt><dd>${text(describeFlow(verdict))}</dd><dt>Cause</dt><dd><code>${verdict.cause}</code>: ${text(CAUSES[verdict.cause].meaning)}</dd>
${blocked ? `<dt>Blocked at</dt><dd>${text(blocked)}</dd>` : ''}<dt>Confidence</dt><dd>${verdict.confidence}</dd><dt>Layer</dt><dd>${verdict.layer}</dd></dl>
${contributing ? `<p>Contributing:</p><ul>${contributing}</ul>` : ''}</div>
<h2>Proof</h2>${findings || '<p>No finding.</p>'}
${ladders ? `<h2>Packets</h2>${ladders}` : ''}
<h2>Timeline</h2><table><tr><th>time (UTC)</th><th>event</th></tr>${events}</table>
<h2>Gaps</h2>${gaps ? `<ul>${gaps}</ul>` : '<p>None: every source answered.</p>'}
<h2>Next steps</h2>${steps ? `<ol>${steps}</ol>` : '<p>None.</p>'}
<h2>All evidence</h2><table><tr><th>id</th><th>source</th><th>what and how to rerun it</th></tr>${evidenceRows}</table>
<footer>Generated by netproof at ${text(options.generatedAt)}${options.redact ? '; redacted: resource ids, subscription ids and internal names are replaced by aliases' : ''}.</footer>
</body></html>
`;
}
