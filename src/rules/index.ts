/**
 * The rules: pure functions from evidence to findings, and `decide`, which chooses the cause.
 * One rule per file in rules/; the route model and path walker in routes/; NSG and firewall
 * evaluation in security/.
 */
import { asymmetricRouting } from './rules/asymmetric-routing.js';
import { dnsFailure } from './rules/dns-failure.js';
import { firewallBypassed } from './rules/firewall-bypassed.js';
import { firewallDeny } from './rules/firewall-deny.js';
import { firewallIdpsDeny } from './rules/firewall-idps-deny.js';
import { firewallProbeMisleading } from './rules/firewall-probe-misleading.js';
import { firewallThreatIntelDeny } from './rules/firewall-threat-intel-deny.js';
import { flowLogCoverage } from './rules/flow-log-coverage.js';
import { logsNotYetIngested } from './rules/logs-not-yet-ingested.js';
import { nextHopInvalid } from './rules/next-hop-invalid.js';
import { noPacketsFromSource } from './rules/no-packets-from-source.js';
import { noRoute } from './rules/no-route.js';
import { nsgDeny } from './rules/nsg-deny.js';
import { paasDeny } from './rules/paas-deny.js';
import { pathOk } from './rules/path-ok.js';
import { peeringBlocksTransit } from './rules/peering-blocks-transit.js';
import { peeringNotConnected } from './rules/peering-not-connected.js';
import { privateDnsZoneNotLinked } from './rules/private-dns-zone-not-linked.js';
import { snatSourceChanged } from './rules/snat-source-changed.js';
import { tcpNoResponse } from './rules/tcp-no-response.js';
import { tcpRefused } from './rules/tcp-refused.js';
import { tcpReset } from './rules/tcp-reset.js';
import { tlsFailure } from './rules/tls-failure.js';
import { decideFrom, runRules } from './engine.js';
import type { Decision, Rule, RuleInput } from './types.js';

export type { Decision, Rule, RuleFinding, RuleInput } from './types.js';
export { chooseCause, decideFrom, runRules } from './engine.js';
export { analyse } from './context.js';
export { focusCapture, type FocusedCapture } from './capture.js';
export { logRowNames, ownBlock, SITE_ACTIVITY_SOURCE, SITE_FIREWALL_KINDS, SITE_HOSTS_PER_SOURCE, siteOf, sitePrefix } from './site.js';
export { computeSubnetRoutes, longestPrefixMatch, compareRoutes, fromEffectiveRoutes, type ModelRoute, type SubnetRoutes } from './routes/model.js';
export { walkPath, computedRouteViews, type PathResult, type Hop, type PathProblem } from './routes/path.js';
export { evaluateSecurityRules, type NsgDecision } from './security/nsg.js';
export { evaluateFirewall, type FirewallDecision } from './security/firewall-policy.js';

/** Every rule, in the order a flow meets what they check (the order of findings in a decision). */
export const RULES: Rule[] = [
  dnsFailure,
  privateDnsZoneNotLinked,
  noPacketsFromSource,
  nsgDeny,
  noRoute,
  nextHopInvalid,
  peeringNotConnected,
  peeringBlocksTransit,
  firewallDeny,
  firewallThreatIntelDeny,
  firewallIdpsDeny,
  asymmetricRouting,
  firewallBypassed,
  tcpRefused,
  tcpNoResponse,
  tcpReset,
  tlsFailure,
  snatSourceChanged,
  paasDeny,
  pathOk,
  logsNotYetIngested,
  flowLogCoverage,
  firewallProbeMisleading,
];

/** Runs every rule and chooses the cause, contributing codes and confidence. */
export function decide(input: RuleInput): Decision {
  return decideFrom(input, runRules(RULES, input));
}
