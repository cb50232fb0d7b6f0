/** DNS from UDP payload bytes: real responses, compression, and garbage. */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDnsMessage } from '../../../src/capture/analysis/dns.js';
import { readCapture } from '../../../src/capture/readers/index.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'capture');

async function udpPayloads(file: string): Promise<Uint8Array[]> {
  const payloads: Uint8Array[] = [];
  await readCapture(join(FIXTURES, file), (packet) => {
    if (packet.udp?.payload) payloads.push(packet.udp.payload.slice()); // lent for the call only
  });
  return payloads;
}

describe('DNS parser', () => {
  it('reads a query and its NOERROR answer', async () => {
    const [query, response] = await udpPayloads('dns_ok.pcap');
    expect(parseDnsMessage(query ?? new Uint8Array())).toMatchObject({ id: 0x5b55, response: false, questions: [{ name: 'www.corpus.test', type: 1 }] });
    expect(parseDnsMessage(response ?? new Uint8Array())).toMatchObject({ id: 0x5b55, response: true, rcode: 0, answers: [{ name: 'www.corpus.test', type: 1, data: '127.0.0.5' }] });
  });

  it('reads compressed names, CNAME chains and AAAA answers from a real resolver', async () => {
    const messages = (await udpPayloads('zeek_dns_pcapng_multi_interface.pcapng')).map(parseDnsMessage);
    const apple = messages.find((message) => message?.response && message.questions[0]?.name === 'www.apple.com');
    expect(apple?.answers.filter((answer) => answer.type === 1).map((answer) => answer.data)).toEqual(['23.194.101.24']);
    expect(apple?.answers.some((answer) => answer.type === 5)).toBe(true);
    const aaaa = messages.find((message) => message?.response && message.questions[0]?.type === 28);
    expect(aaaa?.answers.map((answer) => answer.data)).toEqual(['2607:f8b0:4023:2007::66', '2607:f8b0:4023:2007::8b', '2607:f8b0:4023:2007::71', '2607:f8b0:4023:2007::8a']);
  });

  it('reads NXDOMAIN with an authority section', async () => {
    const [, response] = await udpPayloads('zeek_dns_nxdomain_nsec3.pcap');
    expect(parseDnsMessage(response ?? new Uint8Array())).toMatchObject({ rcode: 3, answers: [], questions: [{ name: 'foobar.sshfp.net' }] });
  });

  it('returns null for bytes that are not DNS, never throws', () => {
    expect(parseDnsMessage(new TextEncoder().encode('hello, this is not a DNS message at all'))).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const message = parseDnsMessage(bytes);
      expect(message === null || message.questions.length > 0).toBe(true);
    }), { seed: 11, numRuns: 500 });
  });

  it('survives a compression pointer loop', () => {
    const looped = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
    expect(parseDnsMessage(looped)).toBeNull();
  });
});
