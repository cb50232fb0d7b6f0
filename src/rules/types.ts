/** The rules' API: what a rule reads, what it concludes, and the decision built from all conclusions. */
import type {
  BlockedAt, CauseCode, Confidence, ContributingCode, Evidence, Gap, Layer, Question, Status, Topology,
} from '../domain/index.js';

/** Everything a rule may consult. Time comes in as `now`; the rules never read a clock. */
export interface RuleInput {
  /** The question, with resolved addresses and resource ids. */
  question: Question;
  topology: Topology;
  /** Evidence with ids assigned. */
  evidence: Evidence[];
  gaps: Gap[];
  now: Date;
  /**
   * The host name the client asks for, when the question gives one beside an address or a
   * resource name (`https://api.contoso.com (vm-api01)`): application rules, SNI and DNS log it.
   */
  destinationFqdn?: string | null;
}

/** A conclusion of one rule, citing the evidence ids it rests on. */
export interface RuleFinding {
  code: CauseCode | ContributingCode;
  summary: string;
  evidence: string[];
  confidence: Confidence;
  blockedAt?: BlockedAt;
  nextSteps?: string[];
  /**
   * Where on the round trip the flow stops: forward hops count up from 0, the return path
   * continues after them. Lower is earlier; `decide` picks the earliest stop.
   */
  position?: number;
  /** For a contributing code: the cause it explains. Left out, it accompanies any cause. */
  explains?: CauseCode[];
}

/** One rule: a pure function from the input to findings. */
export interface Rule {
  name: string;
  run(input: RuleInput): RuleFinding[];
}

/** The rules' combined answer, from which the investigation builds the Verdict. */
export interface Decision {
  status: Status;
  layer: Layer;
  cause: CauseCode;
  contributing: ContributingCode[];
  blockedAt: BlockedAt | null;
  confidence: Confidence;
  summary: string;
  findings: RuleFinding[];
  nextSteps: string[];
}
