/** The grounding check: answers against verdicts, and cause phrasings in plain words (table-driven, no mocks). */
import { describe, expect, it } from 'vitest';
import type { CauseCode, Verdict } from '../../src/domain/index.js';
import { checkAnswer, checkProse, type SubmittedAnswer } from '../../src/llm/grounding.js';

describe('prose against the verdict\'s cause', () => {
  it.each<[string, CauseCode, string]>([
    ['The Azure Firewall blocks the flow with rule deny-smb.', 'nsg_deny', 'prose_asserts_other_cause'],
    ['The traffic is dropped by the firewall.', 'no_packets_from_source', 'prose_asserts_other_cause'],
    ['The network security group on the subnet denies it.', 'firewall_deny', 'prose_asserts_other_cause'],
    ['Packets never reached Azure.', 'nsg_deny', 'prose_asserts_other_cause'],
    ['The remote site\'s firewall blocks it.', 'firewall_deny', 'prose_asserts_other_cause'],
    ['The name does not resolve.', 'tcp_refused', 'prose_asserts_other_cause'],
    ['The server presents a self-signed certificate.', 'tls_expired', 'prose_asserts_other_cause'],
    ['The certificate has expired.', 'tls_self_signed', 'prose_asserts_other_cause'],
    ['The connection works fine; nothing blocks it.', 'firewall_deny', 'prose_asserts_other_cause'],
    ['Nothing is listening on port 1433.', 'nsg_deny', 'prose_asserts_other_cause'],
    ['The effective next hop is None: there is no route.', 'nsg_deny', 'prose_asserts_other_cause'],
    ['The peering is disconnected.', 'no_route', 'prose_asserts_other_cause'],
    ['Return traffic takes a different path.', 'firewall_deny', 'prose_asserts_other_cause'],
    ['The vault\'s firewall rejects the caller.', 'paas_auth_deny', 'prose_asserts_other_cause'],
    ['The server does not send the intermediate: it is missing the intermediate.', 'tls_hostname_mismatch', 'prose_asserts_other_cause'],
    ['It is a firewall_deny.', 'nsg_deny', 'prose_asserts_other_cause'],
    ['The firewall is fine.', 'firewall_deny', 'prose_denies_cause'],
    ['The firewall does not block it.', 'firewall_deny', 'prose_denies_cause'],
    ['It is not blocked by the NSG.', 'nsg_deny', 'prose_denies_cause'],
  ])('"%s" against %s -> %s', (text, cause, code) => {
    expect(checkProse(text, cause).map((issue) => issue.code)).toContain(code);
  });

  it.each<[string, CauseCode]>([
    ['The Azure Firewall denies the flow with rule deny-smb-between-spokes (f1, e3).', 'firewall_deny'],
    ['It is not the NSG: the firewall blocks it.', 'firewall_deny'],
    ['The NSG allows it, but the firewall drops it.', 'firewall_deny'],
    ['The firewall rule denies it; check whether the NSG blocks it too.', 'firewall_deny'],
    ['Threat intelligence on the firewall blocks the destination.', 'firewall_threat_intel_deny'],
    ['Nothing from 192.168.10.5 reached Azure in the window, so the block is before Azure. The Azure Firewall did not block it.', 'no_packets_from_source'],
    ['The host firewall on vm-app01 rejects the connection, so the connection is refused.', 'tcp_refused'],
    ['NSG nwt-app-snet-nsg denies the flow inbound at the destination by rule DenyAllInboundCustom.', 'nsg_deny'],
    ['The name kv-prod.vault.azure.net does not resolve (NXDOMAIN).', 'dns_failure'],
    ['Packets flow both ways and the connection works: look at the application.', 'path_ok'],
    ['The evidence cannot decide: firewall logs are not yet ingested for the window.', 'insufficient_evidence'],
  ])('"%s" fits %s', (text, cause) => {
    expect(checkProse(text, cause)).toEqual([]);
  });

  it('without a verdict, asserting any cause fails and asking does not', () => {
    expect(checkProse('The NSG blocks it.', null)).toHaveLength(1);
    expect(checkProse('Which port does the application use?', null)).toEqual([]);
  });
});

const verdict: Verdict = {
  question: { text: 'q', source: { ip: '10.0.0.4', name: null, resourceId: null }, destination: { ip: '10.1.0.4', name: 'vm-b', resourceId: null }, protocol: 'tcp', port: 443, window: { start: '2026-11-20T08:00:00Z', end: '2026-11-20T09:00:00Z' } },
  status: 'failing', layer: 'path', cause: 'nsg_deny', contributing: [], blockedAt: { component: 'nsg', resourceId: null, name: 'nsg-b', rule: 'DenyAll' },
  confidence: 'medium', summary: 'NSG nsg-b denies the flow.',
  findings: [{ id: 'f1', code: 'nsg_deny', summary: 'NSG nsg-b denies the flow.', evidence: ['e2'] }],
  evidence: [1, 2, 3].map((index) => ({ id: `e${index}`, source: 'effectiveSecurityRules', query: 'GET ...', summary: 'rules', data: {} })),
  gaps: [], nextSteps: [],
};
const good: SubmittedAnswer = { cause: 'nsg_deny', findingIds: ['f1'], evidenceIds: ['e2'], confidence: 'medium', text: 'NSG nsg-b denies the flow (f1, e2).' };

describe('a structured answer against the verdict', () => {
  it('accepts an answer that agrees', () => {
    expect(checkAnswer(good, { kind: 'verdict', verdict })).toEqual([]);
  });
  it.each<[string, Partial<SubmittedAnswer>, string]>([
    ['another cause', { cause: 'firewall_deny' }, 'cause_mismatch'],
    ['an invented finding', { findingIds: ['f1', 'f7'] }, 'unknown_finding'],
    ['invented evidence', { evidenceIds: ['e2', 'e99'] }, 'unknown_evidence'],
    ['invented evidence in the text', { text: 'NSG nsg-b denies the flow (e42).' }, 'unknown_evidence'],
    ['higher confidence', { confidence: 'high' }, 'confidence_too_high'],
    ['no citation', { findingIds: [] }, 'missing_citation'],
  ])('rejects %s', (_label, change, code) => {
    expect(checkAnswer({ ...good, ...change }, { kind: 'verdict', verdict }).map((issue) => issue.code)).toContain(code);
  });
  it('rejects any answer without a diagnosis, and a cause when the question needs clarifying', () => {
    expect(checkAnswer(good, null).map((issue) => issue.code)).toEqual(['no_diagnosis']);
    expect(checkAnswer(good, { kind: 'clarify', message: 'which destination?' }).map((issue) => issue.code)).toContain('cause_mismatch');
  });
});
