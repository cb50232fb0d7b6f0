/** The conversation's uploaded captures: analysed once per turn, and offered to the diagnosis as evidence. */
import { analyzeCapture } from '../../src/capture/index.js';
import type { CaptureReport } from '../../src/domain/index.js';
import type { EvidenceDraft } from '../../src/diagnose/ports.js';
import type { ConversationUpload, ToolContext } from './tool.js';

/** The upload with this id or file name. */
export function findUpload(context: ToolContext, reference: string): ConversationUpload | null {
  return context.uploads.find((upload) => upload.id === reference) ?? context.uploads.find((upload) => upload.fileName === reference) ?? null;
}

/** The upload's capture report, analysing it on first use in this turn. */
export async function captureReportOf(context: ToolContext, upload: ConversationUpload): Promise<CaptureReport> {
  const known = context.turn.captureReports.get(upload.id) ?? upload.report;
  if (known) return known;
  if (!upload.open) throw new Error(`upload ${upload.fileName} has no content`);
  const report = await analyzeCapture(await upload.open(), context.captureOptions);
  context.turn.captureReports.set(upload.id, report);
  return report;
}

/** Evidence drafts for every upload of the conversation (a capture the user gave is evidence for the diagnosis). */
export async function uploadEvidence(context: ToolContext): Promise<{ evidence: EvidenceDraft[]; problems: string[] }> {
  const evidence: EvidenceDraft[] = [];
  const problems: string[] = [];
  for (const upload of context.uploads) {
    try {
      const report = await captureReportOf(context, upload);
      evidence.push({
        kind: 'capture', source: 'upload', query: `uploaded capture ${upload.fileName}`,
        summary: `capture ${upload.fileName}: ${report.input.packets} packets, ${report.conversations.length} conversations, ${report.findings.length} observations`,
        data: { targetId: upload.targetId ?? null, fileName: upload.fileName, report },
      });
    } catch (error) {
      problems.push(`${upload.fileName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { evidence, problems };
}
