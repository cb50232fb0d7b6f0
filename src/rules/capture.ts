/**
 * A capture report as the rules consult it: its conversations indexed once by server address, TLS
 * server name and DNS name asked, and its observations by conversation, so a rule looks up the few
 * conversations about the flow instead of walking every one (an upload can hold tens of thousands).
 * `focusCapture` keeps those conversations (and the ones the capture's own findings cite) for the
 * Verdict, with the totals of what it left out.
 */
import type { CaptureFinding, CaptureReport, Conversation } from '../domain/index.js';
import { analyse, type Analysis } from './context.js';
import { parseIp } from './net/ip.js';
import type { RuleInput } from './types.js';

/** Positions (in report order) of conversations, under a key. */
type Positions = Map<string, number[]>;

/** The lookups of one report. */
interface CaptureIndex {
  /** By the server's address (parsed: every notation of one address shares a key). */
  byServer: Positions;
  /** By the TLS server name, lowercased. */
  byServerName: Positions;
  /** By a DNS name asked, lowercased without its trailing dot. */
  byDnsName: Positions;
  /** Observations of each conversation id, in report order. */
  findings: Map<string, CaptureFinding[]>;
  /** What was indexed: the lists and their lengths. */
  of: { conversations: Conversation[]; conversationCount: number; findings: CaptureFinding[]; findingCount: number };
}

const indexes = new WeakMap<CaptureReport, CaptureIndex>();

function add(positions: Positions, key: string, position: number): void {
  const list = positions.get(key);
  if (list === undefined) positions.set(key, [position]);
  // A conversation asking the same name twice is listed once.
  else if (list[list.length - 1] !== position) list.push(position);
}

/** The key of an address (family and value), or null when the text is not one. */
function addressKey(ip: string | null): string | null {
  const address = parseIp(ip);
  return address === null ? null : `${address.version}:${address.value}`;
}

/** A DNS name as the rules compare it. */
function dnsKey(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** True when the index was built from the report as it is now. */
function current(index: CaptureIndex, report: CaptureReport): boolean {
  const { of } = index;
  return of.conversations === report.conversations && of.conversationCount === report.conversations.length
    && of.findings === report.findings && of.findingCount === report.findings.length;
}

/** Indexes the report once; a report whose lists were replaced or grew since is indexed again. */
function indexOf(report: CaptureReport): CaptureIndex {
  const cached = indexes.get(report);
  if (cached !== undefined && current(cached, report)) return cached;
  const index: CaptureIndex = {
    byServer: new Map(), byServerName: new Map(), byDnsName: new Map(), findings: new Map(),
    of: { conversations: report.conversations, conversationCount: report.conversations.length, findings: report.findings, findingCount: report.findings.length },
  };
  // Captures repeat a handful of server addresses: each text is parsed once.
  const keys = new Map<string, string | null>();
  report.conversations.forEach((conversation, position) => {
    const text = conversation.server.ip;
    let key = keys.get(text);
    if (key === undefined) {
      key = addressKey(text);
      keys.set(text, key);
    }
    if (key !== null) add(index.byServer, key, position);
    const serverName = conversation.tls?.serverName;
    if (serverName != null) add(index.byServerName, serverName.toLowerCase(), position);
    for (const dns of conversation.dns ?? []) add(index.byDnsName, dnsKey(dns.name), position);
  });
  for (const finding of report.findings) {
    const list = index.findings.get(finding.conversation);
    if (list === undefined) index.findings.set(finding.conversation, [finding]);
    else list.push(finding);
  }
  indexes.set(report, index);
  return index;
}

/** The conversations at these positions, in report order, each once. */
function atPositions(report: CaptureReport, ...lists: (number[] | undefined)[]): Conversation[] {
  const positions = [...new Set(lists.flatMap((list) => list ?? []))].sort((left, right) => left - right);
  return positions.map((position) => report.conversations[position]!);
}

/**
 * Conversations to the flow's destination, in report order: to its address or (TLS) its name, on the
 * flow's port and protocol when the question gives them. Whoever the client is.
 */
export function conversationsToDestination(analysis: Analysis, report: CaptureReport): Conversation[] {
  const index = indexOf(report);
  const { flow } = analysis;
  const address = flow.destinationIp === null ? null : addressKey(flow.destinationIp);
  const candidates = atPositions(report,
    address === null ? undefined : index.byServer.get(address),
    flow.destinationName === null ? undefined : index.byServerName.get(flow.destinationName));
  return candidates.filter((conversation) => (flow.port === null || conversation.server.port === null || conversation.server.port === flow.port)
    && (flow.protocol === 'any' || conversation.protocol === flow.protocol));
}

/** Conversations that ask DNS for the flow's destination name, in report order. */
export function conversationsAskingDestination(analysis: Analysis, report: CaptureReport): Conversation[] {
  const name = analysis.flow.destinationName;
  return name === null ? [] : atPositions(report, indexOf(report).byDnsName.get(name));
}

/** The capture's observations about one conversation. */
export function observationsOf(report: CaptureReport, conversationId: string): CaptureFinding[] {
  return indexOf(report).findings.get(conversationId) ?? [];
}

/** A report cut down to what a Verdict needs, with what was left out. */
export interface FocusedCapture {
  report: CaptureReport;
  /** Conversations and observations of the whole report. */
  totals: { conversations: number; findings: number };
  /** How many of them the focused report leaves out. */
  leftOut: { conversations: number; findings: number };
}

/** At most this many conversations that only the capture's own findings make interesting are kept. */
export const CITED_CONVERSATIONS_KEPT = 50;

/**
 * The report with only the conversations the rules consult for this question (to the destination,
 * DNS for its name) and, up to `CITED_CONVERSATIONS_KEPT`, those the capture's findings cite; the
 * findings of the conversations kept; the totals. Everything a rule reads is kept, so the rules
 * decide the same on the focused report as on the whole one.
 */
export function focusCapture(input: RuleInput, report: CaptureReport): FocusedCapture {
  const analysis = analyse(input);
  const aboutFlow = new Set([...conversationsToDestination(analysis, report), ...conversationsAskingDestination(analysis, report)]);
  const index = indexOf(report);
  let cited = 0;
  const conversations = report.conversations.filter((conversation) => {
    if (aboutFlow.has(conversation)) return true;
    if (cited >= CITED_CONVERSATIONS_KEPT || !index.findings.has(conversation.id)) return false;
    cited += 1;
    return true;
  });
  const kept = new Set(conversations.map((conversation) => conversation.id));
  const findings = report.findings.filter((finding) => kept.has(finding.conversation));
  return {
    report: { input: report.input, warnings: report.warnings, conversations, findings },
    totals: { conversations: report.conversations.length, findings: report.findings.length },
    leftOut: { conversations: report.conversations.length - conversations.length, findings: report.findings.length - findings.length },
  };
}
