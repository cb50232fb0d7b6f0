/** Analyzer behaviour the corpus has no case for, built on real packets where possible. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CaptureAnalyzer, isoMilliseconds } from '../../../src/capture/analysis/analyzer.js';
import type { DecodedPacket } from '../../../src/capture/packet.js';
import { readCapture } from '../../../src/capture/readers/index.js';
import { CaptureReportSchema, type CaptureReport } from '../../../src/domain/capture-report.js';
import { keep } from '../readers/fixtures.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'capture');

async function read(file: string): Promise<DecodedPacket[]> {
  const packets: DecodedPacket[] = [];
  await readCapture(join(FIXTURES, file), (packet) => packets.push(keep(packet)));
  return packets;
}

function analyze(packets: readonly DecodedPacket[], options: ConstructorParameters<typeof CaptureAnalyzer>[0] = {}): CaptureReport {
  const analyzer = new CaptureAnalyzer(options);
  for (const packet of packets) analyzer.add(packet);
  return CaptureReportSchema.parse(analyzer.finish({ format: 'pcap', packets: packets.length, bytes: 0 }));
}

describe('CaptureAnalyzer', () => {
  it('reports a reset right after the ClientHello, not a plain reset', async () => {
    const packets = await read('tls_ok.pcap');
    const clientHello = packets[3];
    const synAck = packets[1];
    if (!clientHello?.tcp || !synAck?.tcp || !synAck.ip) throw new Error('fixture changed');
    const reset: DecodedPacket = {
      frame: 5, timeInMs: clientHello.timeInMs + 1, length: 54,
      ip: { ...synAck.ip },
      tcp: { ...synAck.tcp, seq: (synAck.tcp.seq + 1) >>> 0, ack: (clientHello.tcp.seq + clientHello.tcp.payloadLength) >>> 0, flags: 0x14, payloadLength: 0, payload: new Uint8Array() },
    };
    const report = analyze([...packets.slice(0, 4), reset]);
    expect(report.conversations[0]?.tcp).toMatchObject({ state: 'RSTR', resetBy: 'server' });
    expect(report.conversations[0]?.tls).toMatchObject({ serverName: 'localhost', version: '1.2', handshakeComplete: false, chain: 'not-visible' });
    expect(report.findings.map((finding) => [finding.code, finding.frames])).toEqual([['reset_after_client_hello', [4, 5]]]);
  });

  it('ties an ICMP error to the flow it quotes, instead of calling the SYN unanswered', () => {
    const syn: DecodedPacket = { frame: 1, timeInMs: 1_000, length: 74, ip: { version: 4, src: '10.0.0.4', dst: '10.1.0.5', protocol: 6 }, tcp: { srcPort: 40000, dstPort: 3389, seq: 1, ack: 0, flags: 0x02, window: 64240, payloadLength: 0 } };
    const unreachable: DecodedPacket = {
      frame: 2, timeInMs: 1_001, length: 102, ip: { version: 4, src: '10.1.0.1', dst: '10.0.0.4', protocol: 1 },
      icmp: { version: 4, type: 3, code: 13, quoted: { src: '10.0.0.4', dst: '10.1.0.5', protocol: 6, srcPort: 40000, dstPort: 3389 } },
    };
    const report = analyze([syn, unreachable]);
    expect(report.conversations).toHaveLength(1);
    expect(report.conversations[0]?.icmp).toEqual([{ type: 3, code: 13, meaning: 'communication administratively prohibited', frame: 2 }]);
    expect(report.findings.map((finding) => [finding.code, finding.frames])).toEqual([['icmp_unreachable', [2]]]);
  });

  it('counts conversations beyond the limit without tracking them, and says so', async () => {
    const packets = await read('mixed_streams.pcap');
    const report = analyze(packets, { maxConversations: 2 });
    expect(report.conversations.map((conversation) => conversation.id)).toEqual(['tcp-0', 'tcp-1']);
    expect(report.warnings).toEqual([expect.stringMatching(/^more than 2 conversations/)]);
  });

  it('judges certificate validity at the capture\'s time, whatever the clock says', async () => {
    const report = analyze(await read('tls_expired_cert.pcap'));
    const tls = report.conversations[0]?.tls;
    expect(tls?.certificates[0]?.notAfter.startsWith('2021-01-01')).toBe(true);
    expect(report.findings.map((finding) => finding.code)).toEqual(['tls_expired']);
    expect(report.findings[0]?.summary).toContain('expired on 2021-01-01');
  });

  it.each(['tls_ok.pcap', 'tls_self_signed.pcap', 'tls_client_cert_required.pcap', 'dns_ok.pcap', 'dns_nxdomain.pcap', 'mixed_streams.pcap'])(
    'keeps no view of a payload beyond the sink call (%s: readers lend their buffer)',
    async (file) => {
      const packets = await read(file);
      const scrubbed = new CaptureAnalyzer();
      for (const packet of packets) {
        const lent = { ...packet, ...(packet.tcp ? { tcp: { ...packet.tcp } } : {}), ...(packet.udp ? { udp: { ...packet.udp } } : {}) };
        if (lent.tcp?.payload) lent.tcp.payload = lent.tcp.payload.slice();
        if (lent.udp?.payload) lent.udp.payload = lent.udp.payload.slice();
        scrubbed.add(lent);
        lent.tcp?.payload?.fill(0xee);
        lent.udp?.payload?.fill(0xee);
      }
      const input = { format: 'pcap' as const, packets: packets.length, bytes: 0 };
      expect(CaptureReportSchema.parse(scrubbed.finish(input))).toEqual(analyze(packets));
    },
  );

  it('formats times as Date does, truncated to the millisecond, in any order', () => {
    const reference = (timeInMs: number) => new Date(Math.floor(Math.round(timeInMs * 1000) / 1000)).toISOString();
    const times = fc.oneof(
      fc.double({ min: -62_000_000_000_000, max: 253_402_300_799_999, noNaN: true }),
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_005_000 }).map((ms) => ms + 0.999_999_6),
      fc.constantFrom(0, 999.9999996, 1_000, 1_999.5, -0.4, -1, 1_764_165_426_023.0007),
    );
    fc.assert(fc.property(fc.array(times, { minLength: 1, maxLength: 20 }), (list) => {
      for (const timeInMs of list) expect(isoMilliseconds(timeInMs)).toBe(reference(timeInMs));
    }), { seed: 99, numRuns: 300 });
  });

  it('keeps times to the millisecond and frames 1-based', async () => {
    const report = analyze(await read('tcpdump_tcp_handshake_nanosecond.pcap'));
    expect(report.conversations[0]?.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(report.conversations[0]).toMatchObject({ firstFrame: 1, lastFrame: 3 });
  });
});
