/**
 * The capture analysis: decoded packets in, a CaptureReport out. State lives per
 * conversation (a TCP state machine, a TLS view, DNS questions, ICMP errors, a few
 * frame numbers as proof), never per packet, so memory stays flat on any capture size.
 */
import type { DecodedPacket, DnsMessage } from '../packet.js';
import type { CaptureFinding, CaptureFormat, CaptureReport, Conversation, DnsSummary, IcmpSummary } from '../../domain/capture-report.js';
import { TrustStore } from './certificates.js';
import { DNS_PORTS, dnsTypeName, parseDnsMessage } from './dns.js';
import { addConversationFindings, type ConversationFacts } from './findings.js';
import { icmpMeaning, isEchoReply, isEchoRequest, isIcmpError } from './icmp.js';
import { PROOF, SEGMENT, TcpStateTable } from './tcp-state.js';
import { looksLikeTlsRecord } from './tls-parser.js';
import { TlsSession } from './tls-session.js';

/** Options of one analysis. */
export interface AnalysisOptions {
  /** Extra trusted roots (PEM text) for the chain check, e.g. a private CA. */
  extraCaPem?: string;
  /** Conversations tracked before new ones are only counted (NETPROOF_LIMITS_CONVERSATIONS). */
  maxConversations?: number;
  /** The trust store to use (tests); default Node's roots plus extraCaPem. */
  trustStore?: TrustStore;
}

/** DNS questions kept per conversation. */
const MAX_DNS_PER_CONVERSATION = 64;
/** ICMP errors kept per conversation. */
const MAX_ICMP_PER_CONVERSATION = 16;
/** Ports that are likely servers, as Zeek's likely_server_ports would say for common services. */
const LIKELY_SERVER_PORTS: ReadonlySet<number> = new Set([
  20, 21, 22, 23, 25, 53, 67, 69, 80, 88, 110, 111, 123, 135, 137, 138, 139, 143, 161, 389, 443, 445, 465, 500, 514, 587,
  636, 853, 989, 990, 993, 995, 1194, 1433, 1521, 1723, 1812, 1813, 2049, 3128, 3268, 3306, 3389, 4500, 5060, 5061, 5353,
  5355, 5432, 5671, 5672, 5985, 5986, 6379, 6443, 8080, 8443, 9092, 9200, 27017,
]);

function likelyServerPort(port: number): boolean {
  return LIKELY_SERVER_PORTS.has(port);
}

/** Zeek's guess when the first packet is not a SYN: flip when it comes from a likely server port. */
function flipWithoutSyn(sourcePort: number, destinationPort: number, isSynAck: boolean): boolean {
  if (isSynAck) return true;
  if (!likelyServerPort(sourcePort)) return false;
  if (likelyServerPort(destinationPort)) return sourcePort < destinationPort;
  return true;
}

/** A DNS question and what came back. */
export interface DnsQuestion {
  id: number;
  name: string;
  type: number;
  rcode: number | null;
  answers: string[];
  queryFrame: number;
  responseFrame: number | null;
}

/**
 * One conversation while the capture is read: one object with numbers and strings (the
 * TCP state lives in the analyzer's TcpStateTable under `tcp`), so that the garbage
 * collector has little to copy for each of a long capture's many conversations.
 */
export class ConversationState {
  lastFrame: number;
  endInMs: number;
  packetsToServer = 0;
  packetsToClient = 0;
  bytesToServer = 0;
  bytesToClient = 0;
  /** This conversation's number in the analyzer's TcpStateTable, or -1 when it is not TCP. */
  tcp = -1;
  tls: TlsSession | null = null;
  /** Wireshark's own analysis flags, when the export carries them. */
  exportRetransmissions = 0;
  exportZeroWindows = 0;
  /** For pcap TCP: the first payload was not TLS, so the conversation is not (no TlsSession is made for it). */
  notTls = false;
  dns: DnsQuestion[] | null = null;
  /** For pcap UDP: whether this conversation's payload is DNS (decided on its first payload). */
  dnsPayload: boolean | null = null;
  icmp: IcmpSummary[] | null = null;
  echoRequests = 0;
  echoReplies = 0;

  constructor(
    readonly key: string,
    /** The n of the report's `<protocol>-<n>` id. */
    readonly ordinal: number,
    readonly protocol: Conversation['protocol'],
    readonly clientIp: string,
    readonly clientPort: number | null,
    readonly serverIp: string,
    readonly serverPort: number | null,
    readonly firstFrame: number,
    readonly startInMs: number,
  ) {
    this.lastFrame = firstFrame;
    this.endInMs = startInMs;
  }
}

/** The ISO text of the last whole second isoMilliseconds formatted (conversations come in time order). */
let isoSecond = Number.NaN;
let isoSecondPrefix = '';

/** Truncates to the millisecond, after rounding away float noise below the microsecond. */
export function isoMilliseconds(timeInMs: number): string {
  const milliseconds = Math.floor(Math.round(timeInMs * 1000) / 1000);
  if (!(milliseconds >= 0)) return new Date(milliseconds).toISOString();
  const second = Math.floor(milliseconds / 1000);
  if (second !== isoSecond) {
    const text = new Date(second * 1000).toISOString(); // ...T10:00:00.000Z; throws like Date on a bad time
    isoSecond = second;
    isoSecondPrefix = text.slice(0, -4);
  }
  const fraction = milliseconds - second * 1000;
  return `${isoSecondPrefix}${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}Z`;
}

/**
 * A CaptureReport whose conversations are made one at a time, so that each can be written
 * out and dropped instead of the whole report living at once: `findings` is complete once
 * `conversations()` has been iterated to the end (findings come in conversation order).
 */
export interface StreamedCaptureReport {
  input: CaptureReport['input'];
  warnings: string[];
  /** The report's conversations, in order; iterate once. */
  conversations(): Iterable<Conversation>;
  findings: CaptureFinding[];
}

/** Reads packets one at a time and builds the report at the end. */
export class CaptureAnalyzer {
  /** ICMP conversations by key. */
  private readonly conversations = new Map<string, ConversationState>();
  /** Open TCP and UDP conversations, by protocol and port pair (a number key is cheap to hash per packet). */
  private readonly flows = new FlowTable();
  /** Every conversation in order of first frame (closed ones leave the map but stay here). */
  private readonly ordered: ConversationState[] = [];
  private readonly counters = { tcp: 0, udp: 0, icmp: 0, icmpv6: 0 };
  /** The TCP state of every TCP conversation, by ConversationState.tcp. */
  private readonly tcpStates = new TcpStateTable();
  /** One string per address: conversations share their address text instead of each keeping a packet's. */
  private readonly addresses = new Map<string, string>();
  private readonly maxConversations: number;
  private readonly trust: TrustStore;
  private droppedConversations = 0;
  private sawExportAnalysis = false;
  private packets = 0;

  constructor(options: AnalysisOptions = {}) {
    this.maxConversations = options.maxConversations ?? Number.POSITIVE_INFINITY;
    this.trust = options.trustStore ?? TrustStore.withSystemRoots(options.extraCaPem);
  }

  /** The PacketSink: one call per frame, in capture order. */
  readonly add = (packet: DecodedPacket): void => {
    this.packets += 1;
    const ip = packet.ip;
    if (!ip) return;
    if (packet.tcp) this.addTcp(packet, ip.src, ip.dst);
    else if (packet.udp) this.addUdp(packet, ip.src, ip.dst);
    else if (packet.icmp) this.addIcmp(packet, ip.src, ip.dst);
  };

  private address(text: string): string {
    const known = this.addresses.get(text);
    if (known !== undefined) return known;
    this.addresses.set(text, text);
    return text;
  }

  private create(key: string, protocol: Conversation['protocol'], clientIp: string, clientPort: number | null, serverIp: string, serverPort: number | null, packet: DecodedPacket): ConversationState | null {
    if (this.ordered.length >= this.maxConversations) {
      this.droppedConversations += 1;
      return null;
    }
    const ordinal = this.counters[protocol]++;
    const conversation = new ConversationState(key, ordinal, protocol, this.address(clientIp), clientPort, this.address(serverIp), serverPort, packet.frame, packet.timeInMs);
    if (protocol === 'tcp' || protocol === 'udp') this.flows.add(conversation);
    else this.conversations.set(key, conversation);
    this.ordered.push(conversation);
    return conversation;
  }

  private touch(conversation: ConversationState, packet: DecodedPacket, toServer: boolean): void {
    conversation.lastFrame = packet.frame;
    if (packet.timeInMs > conversation.endInMs) conversation.endInMs = packet.timeInMs;
    if (toServer) {
      conversation.packetsToServer += 1;
      conversation.bytesToServer += packet.length;
    } else {
      conversation.packetsToClient += 1;
      conversation.bytesToClient += packet.length;
    }
  }

  private addTcp(packet: DecodedPacket, src: string, dst: string): void {
    const tcp = packet.tcp;
    if (!tcp) return;
    const states = this.tcpStates;
    let conversation = this.flows.find('tcp', src, tcp.srcPort, dst, tcp.dstPort);
    if (conversation && conversation.tcp >= 0) {
      const fromClient = conversation.clientIp === src && conversation.clientPort === tcp.srcPort;
      if (states.isReuse(conversation.tcp, fromClient, tcp.seq, tcp.flags)) {
        this.flows.remove(conversation);
        conversation = undefined;
      }
    }
    if (!conversation) {
      const syn = (tcp.flags & 0x02) !== 0;
      const ack = (tcp.flags & 0x10) !== 0;
      const flip = !(syn && !ack) && flipWithoutSyn(tcp.srcPort, tcp.dstPort, syn && ack);
      const created = flip
        ? this.create('', 'tcp', dst, tcp.dstPort, src, tcp.srcPort, packet)
        : this.create('', 'tcp', src, tcp.srcPort, dst, tcp.dstPort, packet);
      if (!created) return;
      created.tcp = states.open();
      conversation = created;
    }
    const slot = conversation.tcp;
    if (slot < 0) return;
    const fromClient = conversation.clientIp === src && conversation.clientPort === tcp.srcPort;
    this.touch(conversation, packet, fromClient);

    const segment = states.process(slot, fromClient, tcp.seq, tcp.ack, tcp.flags, tcp.window, tcp.payloadLength, packet.timeInMs);
    const analysis = tcp.analysis;
    if (analysis) {
      this.sawExportAnalysis = true;
      if (analysis.retransmission) {
        conversation.exportRetransmissions += 1;
      }
      if (analysis.zeroWindow) conversation.exportZeroWindows += 1;
    }
    const retransmitted = analysis ? analysis.retransmission === true : (segment & SEGMENT.RETRANSMISSION) !== 0;
    const zeroWindow = analysis ? analysis.zeroWindow === true : (segment & SEGMENT.ZERO_WINDOW) !== 0;
    const frame = packet.frame;
    if (retransmitted) states.remember(slot, PROOF.RETRANSMISSION, frame);
    if (zeroWindow) states.remember(slot, PROOF.ZERO_WINDOW, frame);

    const flags = tcp.flags;
    if ((flags & 0x02) !== 0) {
      if ((flags & 0x10) !== 0) states.remember(slot, PROOF.SYN_ACK, frame);
      else states.remember(slot, PROOF.SYN, frame);
    }
    if ((flags & 0x04) !== 0) states.remember(slot, PROOF.RESET, frame);
    if ((flags & 0x01) !== 0) states.remember(slot, PROOF.FIN, frame);

    const from = fromClient ? 'client' : 'server';
    if (packet.tls && packet.tls.length > 0) {
      conversation.tls ??= new TlsSession();
      for (const message of packet.tls) conversation.tls.add(message, from, packet.frame, packet.timeInMs);
    } else if (!conversation.notTls && tcp.payload && tcp.payload.length > 0 && (flags & 0x04) === 0 && !conversation.tls?.notTls) {
      if (conversation.tls === null) {
        // What TlsSession.addPayload decides on a first payload, without making a session
        // for each of the many conversations that are not TLS.
        if (!looksLikeTlsRecord(tcp.payload)) {
          conversation.notTls = true;
          return;
        }
        conversation.tls = new TlsSession();
      }
      conversation.tls.addPayload(from, tcp.seq, states.initialSequenceOf(slot, fromClient), tcp.payload, packet.frame, packet.timeInMs);
    }
  }

  private addUdp(packet: DecodedPacket, src: string, dst: string): void {
    const udp = packet.udp;
    if (!udp) return;
    let conversation = this.flows.find('udp', src, udp.srcPort, dst, udp.dstPort);
    if (!conversation) {
      const flip = flipWithoutSyn(udp.srcPort, udp.dstPort, false);
      const created = flip
        ? this.create('', 'udp', dst, udp.dstPort, src, udp.srcPort, packet)
        : this.create('', 'udp', src, udp.srcPort, dst, udp.dstPort, packet);
      if (!created) return;
      conversation = created;
    }
    const fromClient = conversation.clientIp === src && conversation.clientPort === udp.srcPort;
    this.touch(conversation, packet, fromClient);
    let dns: DnsMessage | null = packet.dns ?? null;
    if (!dns && udp.payload && udp.payload.length > 0 && conversation.dnsPayload !== false) {
      const wellKnown = DNS_PORTS.has(udp.srcPort) || DNS_PORTS.has(udp.dstPort);
      dns = parseDnsMessage(udp.payload);
      // On other ports the first payload decides, so non-DNS UDP is parsed once only.
      if (!wellKnown && conversation.dnsPayload === null) conversation.dnsPayload = dns !== null;
    }
    if (dns) this.addDns(conversation, dns, packet.frame);
  }

  private addDns(conversation: ConversationState, message: DnsMessage, frame: number): void {
    conversation.dns ??= [];
    const question = message.questions[0];
    if (!question) return;
    const name = question.name.replace(/\.$/, '');
    if (!message.response) {
      const known = conversation.dns.find((entry) => entry.id === message.id && entry.name === name && entry.type === question.type);
      if (!known && conversation.dns.length < MAX_DNS_PER_CONVERSATION) {
        conversation.dns.push({ id: message.id, name, type: question.type, rcode: null, answers: [], queryFrame: frame, responseFrame: null });
      }
      return;
    }
    let entry = conversation.dns.find((candidate) => candidate.id === message.id && candidate.name === name && candidate.type === question.type && candidate.responseFrame === null);
    if (!entry) {
      if (conversation.dns.length >= MAX_DNS_PER_CONVERSATION) return;
      entry = { id: message.id, name, type: question.type, rcode: null, answers: [], queryFrame: frame, responseFrame: null };
      conversation.dns.push(entry);
    }
    entry.rcode = message.rcode;
    entry.responseFrame = frame;
    entry.answers = message.answers.filter((answer) => answer.type === 1 || answer.type === 28 || answer.type === 5).map((answer) => answer.data);
  }

  private addIcmp(packet: DecodedPacket, src: string, dst: string): void {
    const icmp = packet.icmp;
    if (!icmp) return;
    const protocol = icmp.version === 6 ? 'icmpv6' : 'icmp';
    if (isIcmpError(icmp.version, icmp.type) && icmp.quoted) {
      const quoted = icmp.quoted;
      const quotedProtocol = quoted.protocol === 6 ? 'tcp' : quoted.protocol === 17 ? 'udp' : null;
      const target = quotedProtocol && quoted.srcPort !== undefined && quoted.dstPort !== undefined
        ? this.flows.find(quotedProtocol, quoted.src, quoted.srcPort, quoted.dst, quoted.dstPort)
        : undefined;
      if (target) {
        target.icmp ??= [];
        if (target.icmp.length < MAX_ICMP_PER_CONVERSATION) target.icmp.push({ type: icmp.type, code: icmp.code, meaning: icmpMeaning(icmp.version, icmp.type, icmp.code), frame: packet.frame });
        return;
      }
    }
    const echo = isEchoRequest(icmp.version, icmp.type) || isEchoReply(icmp.version, icmp.type);
    const discriminator = echo ? `echo:${icmp.identifier ?? 0}` : `type:${icmp.type}`;
    const key = `${protocol}|${[src, dst].sort().join('|')}|${discriminator}`;
    let conversation = this.conversations.get(key);
    if (!conversation) {
      const flip = isEchoReply(icmp.version, icmp.type);
      const created = this.create(key, protocol, flip ? dst : src, null, flip ? src : dst, null, packet);
      if (!created) return;
      conversation = created;
    }
    // On loopback both ends share an address: echo direction comes from the message type.
    const toServer = isEchoRequest(icmp.version, icmp.type) || (!isEchoReply(icmp.version, icmp.type) && conversation.clientIp === src);
    this.touch(conversation, packet, toServer);
    if (isEchoRequest(icmp.version, icmp.type)) conversation.echoRequests += 1;
    if (isEchoReply(icmp.version, icmp.type)) conversation.echoReplies += 1;
    if (isIcmpError(icmp.version, icmp.type)) {
      conversation.icmp ??= [];
      if (conversation.icmp.length < MAX_ICMP_PER_CONVERSATION) conversation.icmp.push({ type: icmp.type, code: icmp.code, meaning: icmpMeaning(icmp.version, icmp.type, icmp.code), frame: packet.frame });
    }
  }

  /** Packets handed to `add` so far. */
  get packetCount(): number {
    return this.packets;
  }

  /** The report, once the reader is done. */
  finish(input: { format: CaptureFormat; packets: number; bytes: number }, readerWarnings: readonly string[] = []): CaptureReport {
    const streamed = this.finishStreamed(input, readerWarnings);
    const conversations = [...streamed.conversations()];
    return { input: streamed.input, warnings: streamed.warnings, conversations, findings: streamed.findings };
  }

  /** The report, once the reader is done, its conversations made as they are iterated (see StreamedCaptureReport). */
  finishStreamed(input: { format: CaptureFormat; packets: number; bytes: number }, readerWarnings: readonly string[] = []): StreamedCaptureReport {
    const warnings = [...readerWarnings];
    if (this.droppedConversations > 0) {
      warnings.push(`more than ${this.maxConversations} conversations: ${this.droppedConversations} packets of later conversations were counted but not analysed`);
    }
    const findings: CaptureFinding[] = [];
    return { input: { ...input }, warnings, findings, conversations: () => this.summarizeAll(findings) };
  }

  /** Each conversation's report entry in order, its findings appended to `findings` as it is made. */
  private *summarizeAll(findings: CaptureFinding[]): Generator<Conversation> {
    for (const state of this.ordered) {
      const fact = this.summarize(state);
      addConversationFindings(fact, findings);
      yield fact.conversation;
    }
  }

  private summarize(state: ConversationState): ConversationFacts {
    const conversation: Conversation = {
      id: `${state.protocol}-${state.ordinal}`,
      protocol: state.protocol,
      client: { ip: state.clientIp, port: state.clientPort },
      server: { ip: state.serverIp, port: state.serverPort },
      start: isoMilliseconds(state.startInMs),
      end: isoMilliseconds(state.endInMs),
      firstFrame: state.firstFrame,
      lastFrame: state.lastFrame,
      packets: { toServer: state.packetsToServer, toClient: state.packetsToClient },
      bytes: { toServer: state.bytesToServer, toClient: state.bytesToClient },
    };
    const fact: ConversationFacts = { conversation, state, tcp: this.tcpStates, tls: null, retransmissions: 0, zeroWindows: 0 };
    const slot = state.tcp;
    if (slot >= 0) {
      const states = this.tcpStates;
      fact.retransmissions = this.sawExportAnalysis ? state.exportRetransmissions : states.retransmissions(slot);
      fact.zeroWindows = this.sawExportAnalysis ? state.exportZeroWindows : states.zeroWindows(slot);
      conversation.tcp = {
        state: states.connState(slot),
        handshake: states.handshake(slot),
        resetBy: states.firstResetBy(slot),
        retransmissions: fact.retransmissions,
      };
    }
    if (state.tls?.seen) {
      fact.tls = state.tls.facts(this.trust);
      conversation.tls = fact.tls.summary;
    }
    if (state.dns && state.dns.length > 0) conversation.dns = state.dns.map(dnsSummary);
    if (state.icmp && state.icmp.length > 0) conversation.icmp = state.icmp;
    return fact;
  }
}

const RCODES: Readonly<Record<number, DnsSummary['rcode']>> = { 0: 'NOERROR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };

function dnsSummary(question: DnsQuestion): DnsSummary {
  return {
    name: question.name,
    type: dnsTypeName(question.type),
    rcode: question.rcode === null ? null : (RCODES[question.rcode] ?? null),
    answers: question.answers,
  };
}

/**
 * Open TCP and UDP conversations. Looked up once per packet, so keyed by a small integer
 * (the two ports, the same from either direction; one map per protocol) and holding the
 * conversation itself, or a list for the few conversations sharing a port pair, told apart
 * by address.
 */
class FlowTable {
  private readonly tcp = new Map<number, ConversationState | ConversationState[]>();
  private readonly udp = new Map<number, ConversationState | ConversationState[]>();

  /** Both ports in one int32 (a small integer for V8: no number object per lookup). */
  private static key(portA: number, portB: number): number {
    return portA < portB ? ((portA << 16) | portB) : ((portB << 16) | portA);
  }

  find(protocol: 'tcp' | 'udp', src: string, srcPort: number, dst: string, dstPort: number): ConversationState | undefined {
    const entry = (protocol === 'tcp' ? this.tcp : this.udp).get(FlowTable.key(srcPort, dstPort));
    if (entry === undefined) return undefined;
    if (!Array.isArray(entry)) return FlowTable.matches(entry, src, srcPort, dst, dstPort) ? entry : undefined;
    for (const conversation of entry) {
      if (FlowTable.matches(conversation, src, srcPort, dst, dstPort)) return conversation;
    }
    return undefined;
  }

  private static matches(conversation: ConversationState, src: string, srcPort: number, dst: string, dstPort: number): boolean {
    return (conversation.clientIp === src && conversation.clientPort === srcPort && conversation.serverIp === dst && conversation.serverPort === dstPort) ||
      (conversation.clientIp === dst && conversation.clientPort === dstPort && conversation.serverIp === src && conversation.serverPort === srcPort);
  }

  add(conversation: ConversationState): void {
    const map = conversation.protocol === 'tcp' ? this.tcp : this.udp;
    const key = FlowTable.key(conversation.clientPort ?? 0, conversation.serverPort ?? 0);
    const entry = map.get(key);
    if (entry === undefined) map.set(key, conversation);
    else if (Array.isArray(entry)) entry.push(conversation);
    else map.set(key, [entry, conversation]);
  }

  remove(conversation: ConversationState): void {
    const map = conversation.protocol === 'tcp' ? this.tcp : this.udp;
    const key = FlowTable.key(conversation.clientPort ?? 0, conversation.serverPort ?? 0);
    const entry = map.get(key);
    if (entry === undefined) return;
    const remaining = Array.isArray(entry) ? entry.filter((candidate) => candidate !== conversation) : entry === conversation ? [] : [entry];
    if (remaining.length === 0) map.delete(key);
    else map.set(key, remaining.length === 1 ? remaining[0]! : remaining);
  }
}
