/**
 * The readable summary of a CaptureReport (the default output of `netproof capture FILE`):
 * one line per conversation, problems first, each naming the frames that prove it; then warnings.
 */
import type { CaptureReport, Conversation } from '../../domain/capture-report.js';
import { PERFORMANCE_OBSERVATIONS } from '../../domain/vocabulary.js';
import { flowText } from './findings.js';

function frameList(frames: readonly number[]): string {
  if (frames.length === 0) return 'no frame';
  return `${frames.length === 1 ? 'frame' : 'frames'} ${frames.join(', ')}`;
}

function describe(conversation: Conversation): string {
  const parts: string[] = [];
  if (conversation.tcp) {
    parts.push(conversation.tcp.state);
    if (conversation.tcp.handshake) parts.push('handshake');
    if (conversation.tcp.resetBy) parts.push(`reset by ${conversation.tcp.resetBy}`);
  }
  if (conversation.tls) {
    const tls = conversation.tls;
    const tlsParts: string[] = [];
    if (tls.serverName) tlsParts.push(`SNI ${tls.serverName}`);
    tlsParts.push(tls.handshakeComplete ? 'handshake complete' : 'handshake not complete');
    tlsParts.push(`chain ${tls.chain}`);
    const fatal = tls.alerts.find((alert) => alert.level === 'fatal' && alert.description !== 'encrypted');
    if (fatal) tlsParts.push(`${fatal.from} alert ${fatal.description} in frame ${fatal.frame}`);
    parts.push(`TLS ${tls.version ?? '?'} (${tlsParts.join('; ')})`);
  }
  for (const question of conversation.dns ?? []) {
    const answer = question.rcode === null ? 'no response' : question.answers.length > 0 ? `${question.rcode} ${question.answers.join(' ')}` : question.rcode;
    parts.push(`DNS ${question.type} ${question.name}: ${answer}`);
  }
  for (const icmp of conversation.icmp ?? []) parts.push(`ICMP ${icmp.meaning} (frame ${icmp.frame})`);
  parts.push(`${conversation.packets.toServer}/${conversation.packets.toClient} packets`);
  parts.push(`frames ${conversation.firstFrame}-${conversation.lastFrame}`);
  return parts.join(', ');
}

/** Renders the report as plain text lines. */
export function renderCaptureSummary(report: CaptureReport): string {
  const byConversation = new Map<string, CaptureReport['findings']>();
  for (const finding of report.findings) {
    const list = byConversation.get(finding.conversation) ?? [];
    list.push(finding);
    byConversation.set(finding.conversation, list);
  }
  const isProblem = (finding: CaptureReport['findings'][number]) => !PERFORMANCE_OBSERVATIONS.includes(finding.code);
  const problems = report.conversations.filter((conversation) => (byConversation.get(conversation.id) ?? []).some(isProblem));
  const signals = report.conversations.filter((conversation) => !problems.includes(conversation) && (byConversation.get(conversation.id) ?? []).length > 0);
  const rest = report.conversations.filter((conversation) => !problems.includes(conversation) && !signals.includes(conversation));

  const lines: string[] = [];
  const problemCount = report.findings.filter(isProblem).length;
  lines.push(`${report.input.format}: ${report.input.packets} packets, ${report.input.bytes} bytes, ${report.conversations.length} conversation${report.conversations.length === 1 ? '' : 's'}, ${problemCount === 0 ? 'no problem seen' : `${problemCount} problem${problemCount === 1 ? '' : 's'}`}`);
  const line = (conversation: Conversation) => {
    const head = `${conversation.id.padEnd(8)} ${flowText(conversation)}`;
    const findings = byConversation.get(conversation.id) ?? [];
    if (findings.length === 0) return [`  ${head}  ${describe(conversation)}`];
    return [
      `  ${head}  ${describe(conversation)}`,
      ...findings.map((finding) => `      ${finding.code}: ${finding.summary} [${frameList(finding.frames)}]`),
    ];
  };
  if (problems.length > 0) {
    lines.push('', 'Problems:');
    for (const conversation of problems) lines.push(...line(conversation));
  }
  if (signals.length > 0) {
    lines.push('', 'Performance signals:');
    for (const conversation of signals) lines.push(...line(conversation));
  }
  if (rest.length > 0) {
    lines.push('', problems.length + signals.length > 0 ? 'Other conversations:' : 'Conversations:');
    for (const conversation of rest) lines.push(...line(conversation));
  }
  if (report.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const warning of report.warnings) lines.push(`  ${warning}`);
  }
  return `${lines.join('\n')}\n`;
}
