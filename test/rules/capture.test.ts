/**
 * A large capture among the evidence: the rules look its conversations up by endpoint, and
 * `focusCapture` keeps what they consult. The verdict with 15,000 unrelated conversations around the
 * flow's own equals the verdict with the flow's alone, and equals the one on the focused report.
 */
import { describe, expect, it } from 'vitest';
import type { CaptureFinding, Conversation, ObservationCode } from '../../src/domain/index.js';
import { decide, focusCapture, type RuleInput } from '../../src/rules/index.js';
import { CITED_CONVERSATIONS_KEPT } from '../../src/rules/capture.js';
import { ID, IP, capture, conversation, input, question } from './builder.js';

const OTHERS = 15_000;
const observation = (code: ObservationCode, conversationId = 'tcp-0'): CaptureFinding => ({ code, conversation: conversationId, summary: `observed ${code}`, frames: [3] });
const webQuestion = question({ source: IP.app, destination: '52.1.1.1', destinationName: 'api.contoso.com', port: 443 });
const vaultQuestion = question({ source: IP.app, destination: '52.1.1.1', destinationName: 'kv-app.vault.azure.net', destinationId: ID.vault, port: 443 });
const tlsTo = (serverIp: string, chain: 'incomplete' | 'complete') => conversation({
  client: { ip: IP.app, port: 50123 }, server: { ip: serverIp, port: 443 },
  tls: { version: '1.2', serverName: 'api.contoso.com', handshakeComplete: chain === 'complete', alerts: [], certificates: [], chain },
});

/**
 * Conversations the question is not about: other servers, the destination on another port, DNS for
 * other names; the first 120 with a capture finding of their own (more than focusCapture keeps).
 */
function others(): { conversations: Conversation[]; findings: CaptureFinding[] } {
  const conversations: Conversation[] = [];
  const findings: CaptureFinding[] = [];
  for (let index = 0; index < OTHERS; index += 1) {
    const id = `other-${index}`;
    const client = { ip: `203.0.${(index >> 8) & 255}.${index & 255}`, port: 40000 + (index % 20000) };
    const kind = index % 3;
    conversations.push(kind === 0 ? conversation({ id, client, server: { ip: '198.51.100.7', port: 80 }, state: 'REJ', handshake: false })
      : kind === 1 ? conversation({ id, client, server: { ip: IP.app, port: 9080 } })
        : conversation({ id, protocol: 'udp', tcp: undefined, client, server: { ip: '168.63.129.16', port: 53 }, dns: [{ name: 'other.example.com', type: 'A', rcode: 'NXDOMAIN', answers: [] }] }));
    if (index < 120) findings.push(observation(kind === 2 ? 'dns_nxdomain' : 'tcp_refused', id));
  }
  return { conversations, findings };
}

/** The flow's capture, alone and among the others (before and after them). */
type Case = [description: string, question: RuleInput['question'] | undefined, targetId: string | null, conversations: Conversation[], findings: CaptureFinding[]];

const cases: Case[] = [
  ['RST to the SYN', undefined, ID.appVm, [conversation({ state: 'REJ', handshake: false, packets: { toServer: 1, toClient: 1 } })], [observation('tcp_refused')]],
  ['SYNs unanswered at the destination', undefined, ID.appVm, [conversation({ state: 'S0', handshake: false, packets: { toServer: 3, toClient: 0 } })], [observation('syn_unanswered')]],
  ['the destination in IPv4-mapped notation', undefined, ID.appVm, [conversation({ server: { ip: `::ffff:${IP.app}`, port: 3389 }, state: 'REJ', handshake: false })], [observation('tcp_refused')]],
  ['established connection reset', undefined, ID.appVm, [conversation({ state: 'RSTR', resetBy: 'server' })], [observation('tcp_reset')]],
  ['handshake completes', undefined, ID.appVm, [conversation({})], []],
  ['incomplete chain, by the server name', webQuestion, null, [tlsTo('52.1.1.99', 'incomplete')], [observation('tls_incomplete_chain')]],
  ['TLS completes', webQuestion, null, [tlsTo('52.1.1.1', 'complete')], []],
  ['NXDOMAIN for the destination name', vaultQuestion, null,
    [conversation({ id: 'udp-0', protocol: 'udp', tcp: undefined, client: { ip: IP.app, port: 53000 }, server: { ip: '168.63.129.16', port: 53 }, dns: [{ name: 'KV-APP.vault.azure.net.', type: 'A', rcode: 'NXDOMAIN', answers: [] }] })], []],
  ['the name resolves publicly', vaultQuestion, null,
    [conversation({ id: 'udp-0', protocol: 'udp', tcp: undefined, client: { ip: IP.app, port: 53000 }, server: { ip: '168.63.129.16', port: 53 }, dns: [{ name: 'kv-app.vault.azure.net', type: 'A', rcode: 'NOERROR', answers: ['52.1.1.1'] }] })], []],
];

function ruleInput(questionAsked: RuleInput['question'] | undefined, targetId: string | null, conversations: Conversation[], findings: CaptureFinding[]): RuleInput {
  return input({ ...(questionAsked ? { question: questionAsked } : {}), evidence: [capture(targetId, conversations, findings)] });
}

describe('a large capture among the evidence', () => {
  const padding = others();
  const half = OTHERS / 2;

  it.each(cases)('%s: the same decision with 15,000 other conversations, and on the focused report', (_description, questionAsked, targetId, flowConversations, flowFindings) => {
    const alone = decide(ruleInput(questionAsked, targetId, flowConversations, flowFindings));
    const largeInput = ruleInput(questionAsked, targetId,
      [...padding.conversations.slice(0, half), ...flowConversations, ...padding.conversations.slice(half)], [...padding.findings, ...flowFindings]);
    expect(decide(largeInput)).toEqual(alone);

    const evidence = largeInput.evidence[0]!;
    if (evidence.kind !== 'capture') throw new Error('not a capture');
    const focused = focusCapture(largeInput, evidence.data.report);
    for (const flowConversation of flowConversations) expect(focused.report.conversations).toContain(flowConversation);
    for (const flowFinding of flowFindings) expect(focused.report.findings).toContain(flowFinding);
    expect(focused.totals).toEqual({ conversations: OTHERS + flowConversations.length, findings: padding.findings.length + flowFindings.length });
    expect(focused.leftOut.conversations).toBe(focused.totals.conversations - focused.report.conversations.length);
    expect(focused.leftOut.findings).toBe(focused.totals.findings - focused.report.findings.length);
    const focusedInput: RuleInput = { ...largeInput, evidence: [{ ...evidence, data: { ...evidence.data, report: focused.report } }] };
    expect(decide(focusedInput)).toEqual(alone);
  });

  it('keeps the conversations about the flow and at most CITED_CONVERSATIONS_KEPT of those the capture findings cite (the destination on another port is not about it), in report order', () => {
    const flow = conversation({ id: 'tcp-flow', state: 'REJ', handshake: false });
    const largeInput = ruleInput(undefined, ID.appVm, [...padding.conversations, flow], [...padding.findings, observation('tcp_refused', 'tcp-flow')]);
    const evidence = largeInput.evidence[0]!;
    if (evidence.kind !== 'capture') throw new Error('not a capture');
    const focused = focusCapture(largeInput, evidence.data.report);
    const cited = padding.findings.slice(0, CITED_CONVERSATIONS_KEPT).map((finding) => finding.conversation);
    expect(focused.report.conversations.map((kept) => kept.id)).toEqual([...cited, 'tcp-flow']);
    expect(focused.report.findings.map((finding) => finding.conversation)).toEqual([...cited, 'tcp-flow']);
    expect(focused.leftOut).toEqual({ conversations: OTHERS + 1 - CITED_CONVERSATIONS_KEPT - 1, findings: 120 - CITED_CONVERSATIONS_KEPT });
  });

  it('a report that grew after the rules read it is looked up again', () => {
    const flow = conversation({ id: 'tcp-flow', state: 'REJ', handshake: false });
    const flowFinding = observation('tcp_refused', 'tcp-flow');
    const growing = ruleInput(undefined, ID.appVm, padding.conversations.slice(0, 100), []);
    const evidence = growing.evidence[0]!;
    if (evidence.kind !== 'capture') throw new Error('not a capture');
    const before = decide(growing);
    evidence.data.report.conversations.push(flow);
    evidence.data.report.findings.push(flowFinding);
    const after = decide({ ...growing });
    expect(after).toEqual(decide(ruleInput(undefined, ID.appVm, [flow], [flowFinding])));
    expect(after.cause).not.toBe(before.cause);
  });

  it('without a port in the question, the destination on any port is about the flow', () => {
    const anyPort = question({ source: IP.branchHost, destination: IP.app, port: null });
    const largeInput = ruleInput(anyPort, ID.appVm, padding.conversations, []);
    const evidence = largeInput.evidence[0]!;
    if (evidence.kind !== 'capture') throw new Error('not a capture');
    const focused = focusCapture(largeInput, evidence.data.report);
    expect(focused.report.conversations).toEqual(padding.conversations.filter((candidate) => candidate.server.ip === IP.app));
  });
});
