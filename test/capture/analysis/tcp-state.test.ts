/** Zeek's conn_state over the endpoint state machine, conversation splitting and retransmissions. */
import { describe, expect, it } from 'vitest';
import { CaptureAnalyzer } from '../../../src/capture/analysis/analyzer.js';
import { connState, EndpointState } from '../../../src/capture/analysis/tcp-state.js';
import type { DecodedPacket } from '../../../src/capture/packet.js';
import { CaptureReportSchema, type CaptureReport } from '../../../src/domain/capture-report.js';

const CLIENT = { ip: '10.0.0.4', port: 51234 };
const SERVER = { ip: '10.1.0.5', port: 443 };
const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };

/** One segment: side 'c' or 's', flags like "SA", sequence numbers relative to each side's ISN. */
type Segment = [side: 'c' | 's', flags: string, seq: number, ack: number, length?: number, window?: number];

const ISN = { c: 1000, s: 5000 };

function packets(segments: readonly Segment[], clientPort = CLIENT.port): DecodedPacket[] {
  return segments.map(([side, flags, seq, ack, length = 0, window = 64000], index) => {
    const from = side === 'c' ? { ...CLIENT, port: clientPort } : SERVER;
    const to = side === 'c' ? SERVER : { ...CLIENT, port: clientPort };
    const flagBits = [...flags].reduce((bits, letter) => bits | (FLAG_BITS[letter] ?? 0), 0);
    return {
      frame: index + 1,
      timeInMs: 1_700_000_000_000 + index * 100,
      length: 54 + length,
      ip: { version: 4, src: from.ip, dst: to.ip, protocol: 6 },
      tcp: {
        srcPort: from.port, dstPort: to.port,
        seq: (ISN[side] + seq) >>> 0, ack: flags.includes('A') ? (ISN[side === 'c' ? 's' : 'c'] + ack) >>> 0 : 0,
        flags: flagBits, window, payloadLength: length,
      },
    };
  });
}

function analyze(list: readonly DecodedPacket[]): CaptureReport {
  const analyzer = new CaptureAnalyzer();
  for (const packet of list) analyzer.add(packet);
  return CaptureReportSchema.parse(analyzer.finish({ format: 'pcap', packets: list.length, bytes: 0 }));
}

const HANDSHAKE: Segment[] = [['c', 'S', 0, 0], ['s', 'SA', 0, 1], ['c', 'A', 1, 1]];

describe('conn_state', () => {
  it.each<[string, Segment[], string, boolean, 'client' | 'server' | null]>([
    ['S0: SYN and its retransmissions, no reply', [['c', 'S', 0, 0], ['c', 'S', 0, 0]], 'S0', false, null],
    ['S1: SYN and SYN-ACK without the final ACK (Zeek establishes both ends on the SYN-ACK)', [['c', 'S', 0, 0], ['s', 'SA', 0, 1]], 'S1', false, null],
    ['S1: established, not closed', [...HANDSHAKE, ['c', 'PA', 1, 1, 10]], 'S1', true, null],
    ['SF: normal close', [...HANDSHAKE, ['c', 'FA', 1, 1], ['s', 'FA', 1, 2], ['c', 'A', 2, 2]], 'SF', true, null],
    ['REJ: SYN answered by RST', [['c', 'S', 0, 0], ['s', 'RA', 0, 1]], 'REJ', false, 'server'],
    ['S2: originator closes, no reply', [...HANDSHAKE, ['c', 'FA', 1, 1]], 'S2', true, null],
    ['S3: responder closes, no reply', [...HANDSHAKE, ['s', 'FA', 1, 1]], 'S3', true, null],
    ['RSTO: originator aborts', [...HANDSHAKE, ['c', 'RA', 1, 1]], 'RSTO', true, 'client'],
    ['RSTR: responder resets', [...HANDSHAKE, ['s', 'RA', 1, 1]], 'RSTR', true, 'server'],
    ['RSTOS0: SYN then RST from the originator, no SYN-ACK', [['c', 'S', 0, 0], ['c', 'R', 1, 0]], 'RSTOS0', false, 'client'],
    ['RSTRH: responder SYN-ACK then RST, no SYN', [['s', 'SA', 0, 1], ['s', 'R', 1, 0]], 'RSTRH', false, 'server'],
    ['SH: SYN then FIN from the originator, no SYN-ACK', [['c', 'S', 0, 0], ['c', 'F', 1, 0]], 'SH', false, null],
    ['SHR: responder SYN-ACK then FIN, no SYN', [['s', 'SA', 0, 1], ['s', 'FA', 1, 1]], 'SHR', false, null],
    ['OTH: midstream, no SYN', [['c', 'PA', 1, 1, 10], ['s', 'A', 1, 11]], 'OTH', false, null],
    ['SF from midstream: both sides close', [['c', 'PA', 1, 1, 10], ['s', 'PA', 1, 11, 5], ['c', 'FA', 11, 6], ['s', 'FA', 6, 12], ['c', 'A', 12, 7]], 'SF', false, null],
  ])('%s', (_name, segments, state, handshake, resetBy) => {
    const report = analyze(packets(segments));
    expect(report.conversations).toHaveLength(1);
    const conversation = report.conversations[0];
    expect(conversation?.tcp).toMatchObject({ state, handshake, resetBy });
    expect(conversation?.client).toEqual(CLIENT);
    expect(conversation?.server).toEqual(SERVER);
  });

  it('is the contract table over the endpoint states', () => {
    const { Inactive, SynSent, SynAckSent, Partial, Established, Closed, Reset } = EndpointState;
    expect(connState(Reset, Reset, 0, 0, 'Sr')).toBe('REJ');
    expect(connState(Reset, Reset, 10, 0, 'ShADR')).toBe('RSTR');
    expect(connState(SynAckSent, Reset, 0, 0, '')).toBe('REJ');
    expect(connState(Partial, Reset, 0, 0, '')).toBe('RSTRH');
    expect(connState(Reset, Inactive, 0, 0, 'SR')).toBe('RSTOS0');
    expect(connState(Reset, Inactive, 0, 0, 'DR')).toBe('OTH');
    expect(connState(Reset, Partial, 0, 0, 'SAR')).toBe('OTH');
    expect(connState(Closed, Partial, 0, 0, '')).toBe('SH');
    expect(connState(Partial, Closed, 0, 0, '')).toBe('SHR');
    expect(connState(SynSent, Inactive, 0, 0, 'S')).toBe('S0');
    expect(connState(Partial, Partial, 0, 0, '')).toBe('OTH');
    expect(connState(Established, Established, 0, 0, '')).toBe('S1');
  });
});

describe('originator and responder', () => {
  it('takes the responder of a midstream conversation from a likely server port', () => {
    const report = analyze(packets([['s', 'PA', 1, 1, 100], ['c', 'A', 1, 101]]));
    expect(report.conversations[0]?.client).toEqual(CLIENT);
    expect(report.conversations[0]?.packets).toEqual({ toServer: 1, toClient: 1 });
  });

  it('takes the SYN-ACK sender as the responder', () => {
    const report = analyze(packets([['s', 'SA', 0, 1], ['c', 'A', 1, 1]]));
    expect(report.conversations[0]?.server).toEqual(SERVER);
  });
});

describe('conversations by 4-tuple', () => {
  it('starts a new conversation when a closed port is reused with a new ISN', () => {
    const first = packets([...HANDSHAKE, ['c', 'FA', 1, 1], ['s', 'FA', 1, 2], ['c', 'A', 2, 2]]);
    const second = packets([['c', 'S', 90_000, 0], ['s', 'RA', 0, 90_001]]).map((packet, index) => ({ ...packet, frame: first.length + index + 1 }));
    const report = analyze([...first, ...second]);
    expect(report.conversations.map((conversation) => [conversation.id, conversation.tcp?.state, conversation.firstFrame])).toEqual([
      ['tcp-0', 'SF', 1],
      ['tcp-1', 'REJ', 7],
    ]);
    expect(report.findings.map((finding) => [finding.code, finding.conversation, finding.frames])).toEqual([['tcp_refused', 'tcp-1', [7, 8]]]);
  });

  it('keeps SYN retransmissions (same ISN) in one conversation and counts them', () => {
    const report = analyze(packets([['c', 'S', 0, 0], ['c', 'S', 0, 0], ['c', 'S', 0, 0]]));
    expect(report.conversations).toHaveLength(1);
    expect(report.conversations[0]?.tcp?.retransmissions).toBe(2);
    expect(report.findings.map((finding) => finding.code)).toEqual(['syn_unanswered', 'retransmissions']);
  });
});

describe('retransmissions and zero window', () => {
  it('counts a segment whose range was already sent, not a keep-alive', () => {
    const report = analyze(packets([
      ...HANDSHAKE,
      ['s', 'PA', 1, 1, 1000], ['s', 'PA', 1001, 1, 1000], ['c', 'A', 1, 2001],
      ['s', 'PA', 1001, 1, 1000],
      ['s', 'A', 2000, 1, 0],
      ['c', 'A', 1, 2001, 0, 0],
    ]));
    const tcp = report.conversations[0]?.tcp;
    expect(tcp?.retransmissions).toBe(1);
    expect(report.findings.find((finding) => finding.code === 'retransmissions')?.frames).toEqual([7]);
    expect(report.findings.find((finding) => finding.code === 'zero_window')?.frames).toEqual([9]);
  });

  it('prefers Wireshark\'s own flags when the export carries them', () => {
    const list = packets([...HANDSHAKE, ['s', 'PA', 1, 1, 10]]).map((packet) => packet.tcp ? { ...packet, tcp: { ...packet.tcp, analysis: { retransmission: packet.frame === 4 } } } : packet);
    expect(analyze(list).conversations[0]?.tcp?.retransmissions).toBe(1);
  });
});

describe('TCP findings', () => {
  it.each<[string, Segment[], string[]]>([
    ['refused', [['c', 'S', 0, 0], ['s', 'RA', 0, 1]], ['tcp_refused']],
    ['SYN-ACK never acknowledged', [['c', 'S', 0, 0], ['s', 'SA', 0, 1], ['s', 'SA', 0, 1]], ['synack_unacknowledged', 'retransmissions']],
    ['one-sided (responder only)', [['s', 'SA', 0, 1], ['s', 'R', 1, 0]], ['one_sided']],
    ['one-sided midstream', [['c', 'PA', 1, 1, 10], ['c', 'PA', 11, 1, 10]], ['one_sided']],
    ['reset', [...HANDSHAKE, ['s', 'RA', 1, 1]], ['tcp_reset']],
    ['normal', [...HANDSHAKE, ['c', 'FA', 1, 1], ['s', 'FA', 1, 2], ['c', 'A', 2, 2]], []],
  ])('%s', (_name, segments, codes) => {
    expect(analyze(packets(segments)).findings.map((finding) => finding.code)).toEqual(codes);
  });
});
