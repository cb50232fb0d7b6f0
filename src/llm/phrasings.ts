/**
 * How people say each cause in plain words, so the grounding check can tell when
 * prose asserts a cause the verdict did not decide, or denies the one it did, even
 * without naming a code. Each phrasing lists the causes it is compatible with: a
 * generic "the firewall blocks it" fits every firewall cause; "the certificate is
 * not trusted" fits every certificate cause. The table is the specification;
 * test/llm/grounding.test.ts holds one example sentence per row.
 */
import { CAUSES, type CauseCode } from '../domain/index.js';

/** One way of saying a cause. */
export interface Phrasing {
  /** Applied to normalised lower-case text. A named group `negation` inside the match makes it a denial. */
  pattern: RegExp;
  /** The causes this phrasing is compatible with. */
  causes: readonly CauseCode[];
  /** `asserts`: saying it claims one of `causes`. `denies`: saying it claims none of them holds. */
  claim: 'asserts' | 'denies';
  /** The match does not count when the text just before it ends with this (e.g. "host" before "firewall"). */
  notAfter?: RegExp;
}

/** "on the subnet", "in the hub": where the subject sits, between it and its verb. */
const PLACE = String.raw`(?:\s+(?:on|of|for|at|in)\s+(?:the\s+|its\s+)?(?:subnet|nic|network\s+interface|destination|source|hub|spoke|[a-z0-9][\w.-]*\d[\w.-]*))?`;
const FIREWALL_CAUSES: readonly CauseCode[] = ['firewall_deny', 'firewall_threat_intel_deny', 'firewall_idps_deny'];
const CERTIFICATE_CAUSES: readonly CauseCode[] = ['tls_self_signed', 'tls_incomplete_chain', 'tls_hostname_mismatch', 'tls_expired', 'tls_handshake_failure'];
const TLS_CAUSES: readonly CauseCode[] = [...CERTIFICATE_CAUSES, 'tls_protocol_mismatch'];

/** Words that may sit between a subject and its verb ("the firewall is silently dropping"). */
const FILL = String.raw`(?:\s+(?:is|was|are|were|has|have|been|had|that|which|actually|explicitly|clearly|currently|still|also|itself|silently|simply|just|here|likely|probably|must|might|may|could|would|will|be|now|\w+ly))*\s+`;
/** An inline negation that turns an assertion into a denial. */
const NEGATION = String.raw`(?<negation>(?:not|never|does not|doesn't|do not|don't|did not|didn't|is not|isn't|was not|wasn't|are not|aren't|cannot|can't|won't)\s+)?`;
const BLOCK = String.raw`(?:block(?:s|ed|ing)?|den(?:y|ies|ied|ying)|drop(?:s|ped|ping)?|reject(?:s|ed|ing)?|stop(?:s|ped|ping)?|refus(?:e|es|ed|ing)|filter(?:s|ed|ing)?|discard(?:s|ed|ing)?)`;
const BLOCKED = String.raw`(?:blocked|denied|dropped|rejected|stopped|refused|filtered|discarded)`;
const FIREWALL = String.raw`(?:azure\s+)?(?:firewall|azfw)(?:'s)?(?:\s+(?:network|application|app|nat|deny)\s+rule|\s+rule|\s+policy|\s+default\s+action)?(?:\s+[a-z0-9][\w.-]*\d[\w.-]*)?${PLACE}`;
/** A firewall that is not Azure Firewall: the host's own, or the remote site's. */
const OTHER_FIREWALL = /(?:host|windows|os|guest|local|remote[- ]site(?:'s)?|on-?prem(?:ises)?(?:'s)?|site(?:'s)?|linux|server(?:'s)?|vm(?:'s)?|office|branch|palo alto|fortigate|pfsense|third-party|vault(?:'s)?|storage(?:'s)?|paas|key vault(?:'s)?|account(?:'s)?|sql(?:'s)?|app service(?:'s)?|ufw|iptables|'s)\s+$/u;
const NSG = String.raw`(?:nsg|network\s+security\s+group|security\s+rule|security\s+group)(?:\s+rule)?(?:\s+"?[a-z0-9][\w.-]*"?)?${PLACE}`;

const phrase = (source: string, causes: readonly CauseCode[], claim: Phrasing['claim'] = 'asserts', notAfter?: RegExp): Phrasing =>
  ({ pattern: new RegExp(source, 'gu'), causes, claim, ...(notAfter ? { notAfter } : {}) });

/** The table: phrasings per cause. */
export const PHRASINGS: readonly Phrasing[] = [
  // Azure Firewall (any of its deny causes).
  phrase(String.raw`\b${FIREWALL}${FILL}${NEGATION}${BLOCK}\b`, FIREWALL_CAUSES, 'asserts', OTHER_FIREWALL),
  phrase(String.raw`\b${BLOCKED}\s+(?:at|by|in)\s+(?:the\s+|an\s+|its\s+)?(?:hub\s+)?${FIREWALL}`, FIREWALL_CAUSES, 'asserts', undefined),
  phrase(String.raw`\b${FIREWALL}\s+(?:is\s+(?:fine|ok|okay|healthy|not\s+(?:the\s+)?(?:problem|cause|issue|culprit|to\s+blame|involved))|lets\s+(?:it|the\s+\w+)\s+through)`, FIREWALL_CAUSES, 'denies', OTHER_FIREWALL),
  phrase(String.raw`\bthreat[- ]intel(?:ligence)?(?:\s+(?:feed|mode|filtering))?${FILL}${NEGATION}${BLOCK}\b`, ['firewall_threat_intel_deny']),
  phrase(String.raw`\b${BLOCKED}\s+by\s+(?:the\s+)?(?:firewall(?:'s)?\s+)?threat[- ]intel(?:ligence)?`, ['firewall_threat_intel_deny']),
  phrase(String.raw`\b(?:known\s+)?malicious\s+(?:ip|address|destination|domain|fqdn)`, ['firewall_threat_intel_deny']),
  phrase(String.raw`\b(?:idps|intrusion\s+(?:detection|prevention)(?:\s+system)?)(?:\s+signature)?${FILL}${NEGATION}${BLOCK}\b`, ['firewall_idps_deny']),
  phrase(String.raw`\b${BLOCKED}\s+by\s+(?:the\s+)?(?:firewall(?:'s)?\s+)?(?:idps|intrusion\s+(?:detection|prevention))`, ['firewall_idps_deny']),
  // Network security groups.
  phrase(String.raw`\b${NSG}${FILL}${NEGATION}${BLOCK}\b`, ['nsg_deny']),
  phrase(String.raw`\b${BLOCKED}\s+(?:at|by|in)\s+(?:the\s+|an\s+|its\s+)?(?:subnet\s+|nic\s+|destination\s+|source\s+)?${NSG}`, ['nsg_deny']),
  phrase(String.raw`\b(?:nsg|network\s+security\s+group)s?\s+(?:is|are)\s+(?:fine|ok|okay|not\s+(?:the\s+)?(?:problem|cause|issue|culprit))`, ['nsg_deny'], 'denies'),
  // Before Azure.
  phrase(String.raw`\bnever\s+(?:reached|reaches|reach|arrived|arrives|made\s+it|got|gets)\s+(?:to\s+|in\s+|at\s+|into\s+)?(?:azure|the\s+hub|the\s+vnet|the\s+gateway)`, ['no_packets_from_source']),
  phrase(String.raw`\b(?:did\s+not|didn't|does\s+not|doesn't|do\s+not|don't)\s+(?:reach|arrive\s+(?:at|in)|make\s+it\s+(?:to|into)|get\s+to)\s+(?:azure|the\s+hub|the\s+vnet|the\s+gateway)`, ['no_packets_from_source']),
  phrase(String.raw`\b(?:nothing|no\s+(?:packets?|traffic|flows?))(?:\s+from\s+[\w.:-]+)?(?:\s+ever)?\s+(?:reached|reaches|arrived|arrives|came|comes)\b`, ['no_packets_from_source']),
  phrase(String.raw`\b${BLOCKED}\s+before\s+(?:it\s+(?:reaches|reached|gets\s+to)\s+)?azure`, ['no_packets_from_source']),
  phrase(String.raw`\b(?:remote[- ]site|on-?prem(?:ises)?|office|branch|site)(?:'s)?\s+(?:firewall|router|routing|device|network|side)${FILL}${NEGATION}${BLOCK}\b`, ['no_packets_from_source']),
  phrase(String.raw`\b(?:vpn\s+)?tunnel\s+(?:is|was)\s+down\b`, ['no_packets_from_source']),
  // Routes and peerings.
  phrase(String.raw`\bno\s+route\b(?!\s+(?:problem|issue))`, ['no_route']),
  phrase(String.raw`\bblack\s?hole`, ['no_route']),
  phrase(String.raw`\bnext\s+hop(?:\s+type)?\s+(?:is\s+)?none\b`, ['no_route']),
  phrase(String.raw`\bnext\s+hop(?:\s+ip)?(?:\s+address)?\s+(?:is\s+)?(?:invalid|wrong|unreachable|not\s+(?:a\s+)?running)`, ['next_hop_invalid']),
  phrase(String.raw`\b(?:nva|network\s+virtual\s+appliance|virtual\s+appliance)(?:\s+[\w.-]+)?\s+(?:is\s+)?(?:down|not\s+running|stopped|deallocated)`, ['next_hop_invalid']),
  phrase(String.raw`\bip\s+forwarding\s+(?:is\s+)?(?:off|disabled|not\s+enabled)`, ['next_hop_invalid']),
  phrase(String.raw`\bpeering(?:\s+[\w.-]+)?\s+(?:is\s+|was\s+)?(?:not\s+connected|disconnected|initiated|in\s+(?:the\s+)?(?:initiated|disconnected)\s+state)`, ['peering_not_connected']),
  phrase(String.raw`\b(?:allow\s+)?forwarded\s+traffic\s+(?:is\s+)?(?:not\s+allowed|off|disabled|blocked)`, ['peering_blocks_transit']),
  phrase(String.raw`\bgateway\s+transit\s+(?:is\s+)?(?:off|disabled|not\s+(?:enabled|allowed))`, ['peering_blocks_transit']),
  phrase(String.raw`\b(?:use\s+)?remote\s+gateways?\s+(?:is\s+|are\s+)?(?:off|disabled|not\s+(?:enabled|used|set))`, ['peering_blocks_transit']),
  phrase(String.raw`\basymmetric(?:al)?(?:\s+(?:routing|route|path))?`, ['asymmetric_routing']),
  phrase(String.raw`\b(?:return|reply)\s+(?:traffic|path|packets?)\s+(?:takes|take|goes|go|uses|use)\s+(?:a\s+)?different\s+(?:path|route|way)`, ['asymmetric_routing']),
  // The destination's transport.
  phrase(String.raw`\b(?:connection|it|port\s+\d+)\s+(?:is\s+|was\s+|gets\s+)?(?:actively\s+)?refused`, ['tcp_refused']),
  phrase(String.raw`\brefus(?:es|ed|ing)\s+the\s+connection`, ['tcp_refused']),
  phrase(String.raw`\b(?:nothing|no\s+(?:service|process|application|app|one))\s+(?:is\s+)?listen(?:s|ing)\b`, ['tcp_refused']),
  phrase(String.raw`\bnot\s+listening\b`, ['tcp_refused']),
  phrase(String.raw`\bport\s+(?:\d+\s+)?(?:is\s+)?closed\b`, ['tcp_refused']),
  phrase(String.raw`\b(?:answers|responds|replies)\s+(?:to\s+the\s+syn\s+)?with\s+(?:a\s+|an\s+)?(?:rst|reset)`, ['tcp_refused']),
  phrase(String.raw`\bport\s+unreachable\b`, ['tcp_refused']),
  phrase(String.raw`\b(?:host|windows|os|guest|local|linux)\s+firewall${FILL}${NEGATION}${BLOCK}\b`, ['tcp_refused', 'tcp_no_response']),
  phrase(String.raw`\bnothing\s+(?:answers|responds|replies)\b`, ['tcp_no_response']),
  phrase(String.raw`\b(?:does\s+not|doesn't|did\s+not|didn't|never)\s+(?:answer|respond|reply)(?:s|ed)?\b`, ['tcp_no_response', 'dns_failure', 'no_packets_from_source', 'asymmetric_routing']),
  phrase(String.raw`\bno\s+(?:tcp\s+)?(?:response|answer|reply|syn-?ack)\b`, ['tcp_no_response', 'dns_failure', 'no_packets_from_source', 'asymmetric_routing']),
  phrase(String.raw`\b(?:service|application|app|process)\s+(?:is\s+)?(?:hung|hanging|down|crashed)\b`, ['tcp_no_response']),
  phrase(String.raw`\b(?:vm|server|host|destination)\s+(?:is\s+)?(?:down|powered\s+off|stopped|deallocated)\b`, ['tcp_no_response']),
  phrase(String.raw`\bsyns?\s+(?:go\s+|goes\s+|are\s+|were\s+|is\s+)?unanswered`, ['tcp_no_response']),
  phrase(String.raw`\b(?:connection|session)\s+(?:is\s+|was\s+|gets\s+|got\s+)?reset\b`, ['tcp_reset', 'tcp_refused', 'firewall_deny']),
  phrase(String.raw`\bresets?\s+the\s+(?:connection|session)`, ['tcp_reset', 'tcp_refused', 'firewall_deny']),
  // TLS.
  phrase(String.raw`\bself[- ]signed\b`, ['tls_self_signed']),
  phrase(String.raw`\b(?:incomplete|broken)\s+(?:certificate\s+)?chain\b`, ['tls_incomplete_chain']),
  phrase(String.raw`\b(?:missing|omits|omitted|without|lacks)\s+(?:the\s+|its\s+|an\s+)?intermediate`, ['tls_incomplete_chain']),
  phrase(String.raw`\bintermediate(?:\s+(?:certificate|ca))?s?\s+(?:is\s+|are\s+)?missing`, ['tls_incomplete_chain']),
  phrase(String.raw`\b(?:host\s?name|name|san|subject)\s+mismatch`, ['tls_hostname_mismatch']),
  phrase(String.raw`\b(?:certificate|cert)${FILL}(?:does\s+not|doesn't)\s+(?:cover|match|include)\s+(?:the\s+)?(?:host\s?name|name|fqdn)`, ['tls_hostname_mismatch']),
  phrase(String.raw`\bnot\s+(?:valid|issued)\s+for\s+(?:the\s+)?(?:host\s?name|name|fqdn)`, ['tls_hostname_mismatch']),
  phrase(String.raw`\b(?:certificate|cert)(?:'s)?${FILL}${NEGATION}expired\b`, ['tls_expired']),
  phrase(String.raw`\bexpired\s+(?:certificate|cert)`, ['tls_expired']),
  phrase(String.raw`\b(?:certificate|cert)\s+(?:is\s+)?not\s+yet\s+valid`, ['tls_expired']),
  phrase(String.raw`\bno\s+(?:shared|common|mutual)\s+(?:tls\s+)?(?:version|protocol|cipher)`, ['tls_protocol_mismatch']),
  phrase(String.raw`\b(?:protocol|version|cipher(?:\s+suite)?)\s+mismatch`, ['tls_protocol_mismatch']),
  phrase(String.raw`\bclient\s+certificate\s+(?:is\s+)?required`, ['tls_handshake_failure']),
  phrase(String.raw`\b(?:requires|asks\s+for|requested|demands)\s+a\s+client\s+certificate`, ['tls_handshake_failure']),
  phrase(String.raw`\b(?:tls\s+)?handshake\s+(?:fails|failed|failure|breaks|aborts)`, TLS_CAUSES),
  phrase(String.raw`\b(?:certificate|cert)${FILL}${NEGATION}(?:invalid|untrusted|trusted|rejected|wrong)\b`, CERTIFICATE_CAUSES),
  phrase(String.raw`\b(?:untrusted|invalid|bad)\s+(?:certificate|cert)`, CERTIFICATE_CAUSES),
  phrase(String.raw`\bcertificate\s+(?:problem|error|issue)`, CERTIFICATE_CAUSES),
  // Application layer.
  phrase(String.raw`\bsnat(?:s|ted|ting|ed)?\b`, ['snat_source_changed']),
  phrase(String.raw`\bsource\s+(?:ip\s+|address\s+)?(?:is\s+|gets\s+)?(?:changed|translated|rewritten)`, ['snat_source_changed']),
  phrase(String.raw`\bsees?\s+(?:the\s+|an\s+)?(?:firewall(?:'s)?|azurefirewallsubnet)\s+(?:ip|address)`, ['snat_source_changed']),
  phrase(String.raw`\b(?:key\s+vault|vault|storage(?:\s+account)?|paas(?:\s+resource)?|sql\s+server|app\s+service)(?:'s)?\s+(?:own\s+)?(?:firewall|network\s+rules?|network\s+acls?|ip\s+rules?)${FILL}${NEGATION}${BLOCK}\b`, ['paas_network_deny']),
  phrase(String.raw`\bclient\s+address\s+is\s+not\s+authori[sz]ed`, ['paas_network_deny']),
  phrase(String.raw`\bisaddressauthorized\s+(?:is\s+|=\s*)?false`, ['paas_network_deny']),
  phrase(String.raw`\b(?:ip|address)\s+(?:is\s+)?not\s+(?:in\s+)?(?:the\s+)?(?:allowed|allow\s?list|authori[sz]ed|permitted)`, ['paas_network_deny']),
  phrase(String.raw`\bpublic\s+network\s+access\s+(?:is\s+)?disabled`, ['paas_network_deny']),
  phrase(String.raw`\b(?:lacks|missing|has\s+no|without)\s+(?:the\s+|a\s+|an\s+)?(?:permission|rbac\s+role|role\s+assignment|access\s+policy)`, ['paas_auth_deny']),
  phrase(String.raw`\b(?:authentication|authori[sz]ation)\s+(?:fails|failed|is\s+refused|is\s+denied|denied|error)`, ['paas_auth_deny']),
  phrase(String.raw`\b(?:identity|caller|principal|user|app|application|managed\s+identity|service\s+principal)\s+(?:is\s+)?not\s+authori[sz]ed`, ['paas_auth_deny']),
  phrase(String.raw`\b(?:rbac|access\s+polic(?:y|ies))${FILL}${NEGATION}${BLOCK}\b`, ['paas_auth_deny']),
  // DNS.
  phrase(String.raw`\b(?:does\s+not|doesn't|did\s+not|didn't|cannot|can't|can\s+not|fails\s+to|failed\s+to|won't)\s+resolve`, ['dns_failure']),
  phrase(String.raw`\b(?:name|dns)\s+resolution\s+(?:fails|failed|failing|is\s+failing|is\s+broken|error)`, ['dns_failure']),
  phrase(String.raw`\b(?:nxdomain|servfail)\b`, ['dns_failure']),
  phrase(String.raw`\bdns\s+(?:fails|failed|failure|is\s+broken|lookups?\s+fail(?:s|ed)?)`, ['dns_failure']),
  // It works.
  phrase(String.raw`\b(?:connection|connectivity|flow|path|traffic|network\s+path|network)${FILL}(?:works|is\s+working|succeeds|succeeded|is\s+fine|is\s+ok|is\s+okay|is\s+healthy|gets\s+through|is\s+allowed\s+(?:end\s+to\s+end|all\s+the\s+way|both\s+ways))`, ['path_ok']),
  phrase(String.raw`\b(?:is|are)\s+(?:fully\s+)?reachable\b`, ['path_ok']),
  phrase(String.raw`\bnothing\s+(?:in\s+azure\s+|on\s+the\s+path\s+|in\s+the\s+network\s+)?(?:blocks|is\s+blocking|stops|drops|denies)`, ['path_ok']),
  phrase(String.raw`\b(?:packets?|traffic)\s+(?:flows?|flowing|pass(?:es)?|passing)\s+(?:in\s+)?both\s+(?:ways|directions)`, ['path_ok']),
  // A code written out ("nsg_deny", "nsg deny").
  ...Object.keys(CAUSES).map((code) => phrase(String.raw`\b${code.replace(/_/gu, '[_ ]')}\b`, [code as CauseCode])),
];

/** Words before a phrase, in its clause, that negate it. */
export const NEGATING_PREFIX = /(?:\b(?:not|no|never|neither|nor|without|cannot|unlikely|excluded?|ruled?\s+out)\b|n't\b)/u;
/** Words before a phrase, in its clause, that make it a hypothesis or a step, not a claim. */
export const HYPOTHETICAL_PREFIX = /\b(?:if|whether|unless|check|checking|verify|confirm|test|rule\s+out|to\s+see|in\s+case|when\s+asked|for\s+example|e\.g\.)\b/u;
