/** The struct-of-arrays TCP state: growth keeps every conversation's state, history, proof frames. */
import { describe, expect, it } from 'vitest';
import { CaptureAnalyzer } from '../../../src/capture/analysis/analyzer.js';
import { EndpointState, PROOF, TcpStateTable } from '../../../src/capture/analysis/tcp-state.js';
import { TCP_FLAGS, type DecodedPacket } from '../../../src/capture/packet.js';

const { SYN, ACK, FIN, RST } = TCP_FLAGS;

describe('TcpStateTable', () => {
  it('keeps each conversation apart across growth: 2,500 handshakes opened before any closes', () => {
    const count = 2_500;
    const packets: DecodedPacket[] = [];
    const segment = (port: number, fromClient: boolean, flags: number, seq: number, ack: number): void => {
      const client = { ip: '10.0.0.4', port };
      const server = { ip: '10.1.0.5', port: 443 };
      const [from, to] = fromClient ? [client, server] : [server, client];
      packets.push({
        frame: packets.length + 1, timeInMs: 1_700_000_000_000 + packets.length, length: 60,
        ip: { version: 4, src: from.ip, dst: to.ip, protocol: 6 },
        tcp: { srcPort: from.port, dstPort: to.port, seq, ack, flags, window: 1000, payloadLength: 0 },
      });
    };
    for (let index = 0; index < count; index += 1) {
      const port = 10_000 + index;
      segment(port, true, SYN, 100, 0);
      segment(port, false, SYN | ACK, 900, 101);
      segment(port, true, ACK, 101, 901);
    }
    for (let index = 0; index < count; index += 1) {
      const port = 10_000 + index;
      segment(port, true, FIN | ACK, 101, 901);
      segment(port, false, FIN | ACK, 901, 102);
      segment(port, true, ACK, 102, 902);
    }
    const analyzer = new CaptureAnalyzer();
    for (const packet of packets) analyzer.add(packet);
    const report = analyzer.finish({ format: 'pcap', packets: packets.length, bytes: 0 });
    expect(report.conversations).toHaveLength(count);
    expect(report.conversations.every((conversation) => conversation.tcp?.state === 'SF' && conversation.tcp.handshake && conversation.tcp.retransmissions === 0)).toBe(true);
    expect(report.conversations[count - 1]?.firstFrame).toBe(3 * (count - 1) + 1);
    expect(report.findings).toEqual([]);
  });

  it('writes Zeek history letters in order, uppercase for the originator', () => {
    const table = new TcpStateTable();
    const conversation = table.open();
    table.process(conversation, true, 100, 0, SYN, 1000, 0, 0);
    table.process(conversation, false, 900, 101, SYN | ACK, 1000, 0, 1);
    table.process(conversation, true, 101, 901, ACK, 1000, 0, 2);
    table.process(conversation, true, 101, 901, ACK, 1000, 10, 3);
    table.process(conversation, false, 901, 111, FIN | ACK, 1000, 0, 4);
    table.process(conversation, true, 111, 902, RST, 0, 0, 5);
    expect(table.history(conversation)).toBe('ShADfR');
    expect(table.endpointState(conversation, true)).toBe(EndpointState.Reset);
    expect(table.endpointState(conversation, false)).toBe(EndpointState.Closed);
    expect(table.firstResetBy(conversation)).toBe('client');
  });

  it('keeps the first 8 SYNs and SYN-ACKs as proof, the first RST and FIN only', () => {
    const table = new TcpStateTable();
    const conversation = table.open();
    for (let frame = 1; frame <= 10; frame += 1) table.remember(conversation, PROOF.SYN, frame);
    table.remember(conversation, PROOF.FIN, 20);
    table.remember(conversation, PROOF.FIN, 21);
    expect(table.proofFrames(conversation, PROOF.SYN)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(table.proofCountOf(conversation, PROOF.SYN)).toBe(8);
    expect(table.proofFrames(conversation, PROOF.FIN)).toEqual([20]);
    expect(table.firstProofFrame(conversation, PROOF.RESET)).toBeUndefined();
    expect(table.proofFrames(conversation, PROOF.SYN_ACK)).toEqual([]);
  });
});
