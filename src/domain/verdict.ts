/** The Verdict of `netproof ask --json` (CONTRACTS.md section 3). */
import { z } from 'zod';
import {
  CauseCodeSchema, ComponentSchema, ConfidenceSchema, ContributingCodeSchema, GapReasonSchema,
  LayerSchema, ProtocolSchema, StatusSchema,
} from './vocabulary.js';

/** One end of the flow asked about. */
export const FlowEndpointSchema = z.object({
  ip: z.string().nullable(),
  name: z.string().nullable(),
  resourceId: z.string().nullable(),
});
export type FlowEndpoint = z.infer<typeof FlowEndpointSchema>;

/** A time window, ISO 8601 instants. */
export const WindowSchema = z.object({ start: z.string(), end: z.string() });
export type Window = z.infer<typeof WindowSchema>;

/** The question as understood. */
export const QuestionSchema = z.object({
  text: z.string(),
  source: FlowEndpointSchema,
  destination: FlowEndpointSchema,
  protocol: ProtocolSchema,
  port: z.number().int().nullable(),
  window: WindowSchema,
});
export type Question = z.infer<typeof QuestionSchema>;

/** Where the flow is stopped. */
export const BlockedAtSchema = z.object({
  component: ComponentSchema,
  resourceId: z.string().nullable(),
  name: z.string().nullable(),
  rule: z.string().nullable(),
});
export type BlockedAt = z.infer<typeof BlockedAtSchema>;

/** A conclusion of a rule, citing the evidence it rests on. */
export const FindingSchema = z.object({
  id: z.string(),
  code: z.union([CauseCodeSchema, ContributingCodeSchema]),
  summary: z.string(),
  evidence: z.array(z.string()),
});
export type Finding = z.infer<typeof FindingSchema>;

/** A piece of evidence as the verdict shows it: what it is, and the exact query that produced it. */
export const EvidenceItemSchema = z.object({
  id: z.string(),
  /** The table or API it came from, e.g. `AZFWNetworkRule`, `effectiveRoutes`. */
  source: z.string(),
  /** The KQL or the REST call, so a remote admin can rerun it. */
  query: z.string(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type EvidenceItem = z.infer<typeof EvidenceItemSchema>;

/** A source that gave no evidence, and why. */
export const GapSchema = z.object({
  source: z.string(),
  reason: GapReasonSchema,
  detail: z.string(),
});
export type Gap = z.infer<typeof GapSchema>;

/** The whole verdict. */
export const VerdictSchema = z.object({
  question: QuestionSchema,
  status: StatusSchema,
  layer: LayerSchema,
  cause: CauseCodeSchema,
  contributing: z.array(ContributingCodeSchema),
  blockedAt: BlockedAtSchema.nullable(),
  confidence: ConfidenceSchema,
  summary: z.string(),
  findings: z.array(FindingSchema),
  evidence: z.array(EvidenceItemSchema),
  gaps: z.array(GapSchema),
  nextSteps: z.array(z.string()),
});
export type Verdict = z.infer<typeof VerdictSchema>;

/** The error shape printed with `--json` when the input cannot be used (exit 2). */
export const UserErrorOutputSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), candidates: z.array(z.string()).optional() }),
});
export type UserErrorOutput = z.infer<typeof UserErrorOutputSchema>;
