/**
 * Runs every rule and decides: the cause is the first place on the path where the flow is
 * actually stopped (or refused, for SNAT and PaaS); upstream reasons are contributing; the
 * confidence follows CONTRACTS.md (gaps never raise it).
 */
import {
  CAUSES, CONFIDENCE_RANK, CONTRIBUTING, type CauseCode, type Confidence, type ContributingCode,
} from '../domain/index.js';
import { analyse } from './context.js';
import { SITE_ACTIVITY_SOURCE } from './site.js';
import type { Decision, Rule, RuleFinding, RuleInput } from './types.js';

/**
 * Order of the stages a flow goes through: the name is resolved, packets leave the source's site,
 * cross the path, reach the server's TCP, its TLS, and the application behind a proxy or PaaS.
 */
const STAGE: Record<CauseCode, number> = {
  dns_failure: 0,
  no_packets_from_source: 1,
  nsg_deny: 2, firewall_deny: 2, firewall_threat_intel_deny: 2, firewall_idps_deny: 2, no_route: 2, next_hop_invalid: 2,
  peering_not_connected: 2, peering_blocks_transit: 2, asymmetric_routing: 2,
  tcp_refused: 3, tcp_no_response: 3, tcp_reset: 3,
  tls_self_signed: 4, tls_incomplete_chain: 4, tls_hostname_mismatch: 4, tls_expired: 4, tls_protocol_mismatch: 4, tls_handshake_failure: 4,
  snat_source_changed: 5,
  paas_network_deny: 6, paas_auth_deny: 6,
  path_ok: 9,
  insufficient_evidence: 10,
};

/** Gap reasons that mean a key source is missing (not merely late or switched off by design). */
const MISSING_SOURCE: ReadonlySet<string> = new Set(['no-permission', 'throttled', 'timeout', 'failed', 'not-found']);

function isCause(code: RuleFinding['code']): code is CauseCode {
  return code in CAUSES;
}

function isContributing(code: RuleFinding['code']): code is ContributingCode {
  return code in CONTRIBUTING;
}

function lower(confidence: Confidence): Confidence {
  return confidence === 'high' ? 'medium' : 'low';
}

/**
 * What would decide an undecided question: a capture on the destination VM (on its port) shows
 * whether SYNs arrive and what answers them, which no log or configuration can.
 */
function undecidedNextSteps(input: RuleInput): string[] {
  const { destination, flow } = analyse(input);
  if (destination.kind !== 'azure' || destination.role !== 'virtual-machine') return [];
  const filter = flow.port !== null ? ` filtered on ${flow.protocol === 'any' ? '' : `${flow.protocol.toUpperCase()} `}port ${flow.port}` : '';
  return [`Run a packet capture on ${destination.name ?? destination.ip ?? 'the destination'}${filter} while the client retries: it shows whether the SYNs arrive and what answers them.`];
}

/** Runs the rules in order, collecting their findings. */
export function runRules(rules: readonly Rule[], input: RuleInput): RuleFinding[] {
  return rules.flatMap((rule) => rule.run(input));
}

/** Chooses the cause among findings: earliest stage, then earliest position on the round trip, then the stronger confidence. */
export function chooseCause(findings: readonly RuleFinding[]): RuleFinding | null {
  const causes = findings.filter((finding) => isCause(finding.code) && finding.code !== 'insufficient_evidence');
  let best: RuleFinding | null = null;
  for (const finding of causes) {
    if (best === null) {
      best = finding;
      continue;
    }
    const stage = STAGE[finding.code as CauseCode] - STAGE[best.code as CauseCode];
    const position = (finding.position ?? Number.MAX_SAFE_INTEGER) - (best.position ?? Number.MAX_SAFE_INTEGER);
    const confidence = CONFIDENCE_RANK[best.confidence] - CONFIDENCE_RANK[finding.confidence];
    if (stage < 0 || (stage === 0 && (position < 0 || (position === 0 && confidence < 0)))) best = finding;
  }
  return best;
}

/** Builds the decision from findings already gathered. */
export function decideFrom(input: RuleInput, findings: RuleFinding[]): Decision {
  const chosen = chooseCause(findings);
  const cause: CauseCode = chosen === null ? 'insufficient_evidence' : chosen.code as CauseCode;
  const meaning = CAUSES[cause];
  const contributingFindings = findings.filter((finding) => isContributing(finding.code)
    && (finding.explains === undefined || finding.explains.includes(cause)));
  const contributing = (Object.keys(CONTRIBUTING) as ContributingCode[])
    .filter((code) => contributingFindings.some((finding) => finding.code === code));

  let confidence: Confidence = chosen?.confidence ?? 'low';
  if (chosen !== null && meaning.status === 'failing') {
    // Evidence that the same flow works end to end contradicts a block on the path or in TCP
    // (not a refusal above it: SNAT, TLS and PaaS refusals happen on a working path).
    if (STAGE[cause] <= STAGE.tcp_reset && findings.some((finding) => finding.code === 'path_ok')) confidence = 'low';
    // Inferred conclusions with a key source missing: low. Gaps never raise it.
    // The site's other hosts only add proof beside the flow's own logs: without them the verdict stands as it would have.
    if (confidence === 'medium' && input.gaps.some((gap) => MISSING_SOURCE.has(gap.reason) && gap.source !== SITE_ACTIVITY_SOURCE)) confidence = lower(confidence);
  }

  const nextSteps = [...new Set([
    ...(chosen?.nextSteps ?? []),
    ...contributingFindings.flatMap((finding) => finding.nextSteps ?? []),
    ...(chosen === null ? undecidedNextSteps(input) : []),
    ...(chosen === null ? input.gaps.map((gap) => `${gap.source}: ${gap.reason}${gap.detail ? ` (${gap.detail})` : ''}.`) : []),
  ])];
  const missing = input.gaps.filter((gap) => MISSING_SOURCE.has(gap.reason));
  // A working flow with a reason beside it (uninspected, say): the reason is the news.
  const summary = chosen !== null ? (meaning.status === 'ok' && contributingFindings.length > 0
    ? `${chosen.summary} ${contributingFindings.map((finding) => finding.summary).join(' ')}` : chosen.summary)
    : contributingFindings.length > 0
      ? `The evidence available cannot decide. ${contributingFindings.map((finding) => finding.summary).join(' ')}${missing.length > 0 ? ` Missing: ${missing.map((gap) => `${gap.source} (${gap.reason})`).join(', ')}.` : ''}`
      : input.gaps.length > 0
        ? `The evidence available cannot decide; missing: ${input.gaps.map((gap) => `${gap.source} (${gap.reason})`).join(', ')}.`
        : 'The evidence available cannot decide: no rule found a block, and nothing shows the flow working.';
  const blockedAt = chosen === null || meaning.component === null ? null
    : chosen.blockedAt ?? { component: meaning.component, resourceId: null, name: null, rule: null };
  return {
    status: meaning.status,
    layer: meaning.layer,
    cause,
    contributing,
    blockedAt,
    confidence,
    summary,
    // A contributing reason that explains another cause than the chosen one is left out: every
    // contributing finding of a verdict is one of its contributing codes.
    findings: findings.filter((finding) => !isContributing(finding.code) || contributingFindings.includes(finding)),
    nextSteps,
  };
}
