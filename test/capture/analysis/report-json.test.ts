/** The streamed JSON report (`netproof capture --json`) is exactly JSON.stringify(report, null, 2). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureAnalyzer } from '../../../src/capture/analysis/analyzer.js';
import { analyzeCapture, analyzeCaptureStreamed, captureReportJson } from '../../../src/capture/index.js';
import type { DecodedPacket } from '../../../src/capture/packet.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'capture');
const CAPTURES = readdirSync(FIXTURES).filter((name) => /\.(pcap|pcapng|json)$/.test(name) && name !== 'labels.json').sort();

function streamedText(analyzer: CaptureAnalyzer, warnings: string[] = []): string {
  return [...captureReportJson(analyzer.finishStreamed({ format: 'pcap', packets: 0, bytes: 0 }, warnings))].join('');
}

function wholeText(analyzer: CaptureAnalyzer, warnings: string[] = []): string {
  return JSON.stringify(analyzer.finish({ format: 'pcap', packets: 0, bytes: 0 }, warnings), null, 2);
}

/** `count` TCP conversations of one SYN each (no SYN-ACK: each has a syn_unanswered finding). */
function synOnly(count: number): DecodedPacket[] {
  return Array.from({ length: count }, (_, index) => ({
    frame: index + 1, timeInMs: 1_700_000_000_000 + index, length: 60,
    ip: { version: 4, src: '10.0.0.4', dst: '10.1.0.5', protocol: 6 },
    tcp: { srcPort: 20_000 + index, dstPort: 443, seq: 7, ack: 0, flags: 0x02, window: 1000, payloadLength: 0 },
  }));
}

describe('captureReportJson', () => {
  it.each(CAPTURES)('%s: the same text as JSON.stringify of the whole report', async (name) => {
    const path = join(FIXTURES, name);
    const whole = JSON.stringify(await analyzeCapture(path), null, 2);
    const streamed = [...captureReportJson(await analyzeCaptureStreamed(path))].join('');
    expect(streamed).toBe(whole);
  });

  it.each([0, 1, 1023, 1024, 1025, 2049])('%i conversations, with warnings', (count) => {
    const packets = synOnly(count);
    const streaming = new CaptureAnalyzer();
    const whole = new CaptureAnalyzer();
    for (const packet of packets) {
      streaming.add(packet);
      whole.add(packet);
    }
    const warnings = count % 2 === 0 ? [] : ['capture ends mid-packet at byte 81234; "211" packets read\nsecond line'];
    expect(streamedText(streaming, warnings)).toBe(wholeText(whole, warnings));
  });
});
