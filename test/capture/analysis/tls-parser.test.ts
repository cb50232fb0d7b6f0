/** TLS records and handshake messages from real captured bytes, however the stream is cut. */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TlsStreamParser, looksLikeTlsRecord, parseClientHello } from '../../../src/capture/analysis/tls-parser.js';
import type { TlsMessage } from '../../../src/capture/packet.js';
import { readCapture } from '../../../src/capture/readers/index.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'capture');

/** Each direction's TCP payload of the first conversation, in capture order (these captures have no loss). */
async function streams(file: string): Promise<{ client: Uint8Array; server: Uint8Array }> {
  const parts = { client: [] as Uint8Array[], server: [] as Uint8Array[] };
  let clientPort: number | null = null;
  await readCapture(join(FIXTURES, file), (packet) => {
    if (!packet.tcp) return;
    clientPort ??= packet.tcp.srcPort;
    if (packet.tcp.payload && packet.tcp.payload.length > 0) parts[packet.tcp.srcPort === clientPort ? 'client' : 'server'].push(packet.tcp.payload.slice()); // lent for the call only
  });
  return { client: Buffer.concat(parts.client), server: Buffer.concat(parts.server) };
}

function parseAll(bytes: Uint8Array, cuts: number[] = []): TlsMessage[] {
  const parser = new TlsStreamParser();
  const messages: TlsMessage[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    messages.push(...parser.push(bytes.subarray(start, cut)));
    start = cut;
  }
  messages.push(...parser.push(bytes.subarray(start)));
  return messages;
}

describe('TLS stream parser', () => {
  it('reads the TLS 1.2 handshake of tls_ok both ways', async () => {
    const { client, server } = await streams('tls_ok.pcap');
    const clientMessages = parseAll(client);
    const hello = clientMessages[0];
    expect(hello?.type).toBe('client_hello');
    if (hello?.type !== 'client_hello') return;
    expect(hello.serverName).toBe('localhost');
    expect(hello.legacyVersion).toBe(0x0303);
    expect(hello.cipherSuites.length).toBeGreaterThan(0);
    expect(clientMessages.map((message) => message.type)).toEqual(['client_hello', 'client_key_exchange', 'change_cipher_spec', 'application_data', 'encrypted_alert']);

    const serverMessages = parseAll(server);
    expect(serverMessages.map((message) => message.type).slice(0, 4)).toEqual(['server_hello', 'certificate', 'handshake', 'server_hello_done']);
    const certificate = serverMessages[1];
    expect(certificate?.type === 'certificate' ? certificate.certificates.length : -1).toBe(2);
    expect(serverMessages.filter((message) => message.type === 'change_cipher_spec')).toHaveLength(1);
  });

  it('reads the negotiated version of a TLS 1.3 ServerHello from supported_versions', async () => {
    const { client, server } = await streams('tls13_ok.pcapng');
    const hello = parseAll(client)[0];
    expect(hello?.type === 'client_hello' ? hello.supportedVersions : []).toContain(0x0304);
    const serverHello = parseAll(server)[0];
    expect(serverHello).toMatchObject({ type: 'server_hello', legacyVersion: 0x0303, selectedVersion: 0x0304 });
  });

  it('gives the same messages wherever the stream is cut into segments', async () => {
    const { client, server } = await streams('tls_client_cert_required.pcap');
    for (const bytes of [client, server]) {
      const whole = parseAll(bytes);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
          expect(parseAll(bytes, cuts)).toEqual(whole);
        }),
        { seed: 4242, numRuns: 200 },
      );
    }
  });

  it('keeps nothing that points into the caller\'s buffer (readers may reuse it)', async () => {
    const { server } = await streams('tls_ok.pcap');
    const whole = parseAll(server);
    const parser = new TlsStreamParser();
    const scratch = new Uint8Array(100);
    const messages: TlsMessage[] = [];
    for (let start = 0; start < server.length; start += scratch.length) {
      const piece = server.subarray(start, start + scratch.length);
      scratch.set(piece);
      messages.push(...parser.push(scratch.subarray(0, piece.length)));
      scratch.fill(0xee);
    }
    expect(messages).toEqual(whole);
  });

  it('stops on bytes that are not TLS and never throws on garbage', () => {
    const parser = new TlsStreamParser();
    expect(parser.push(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual([]);
    expect(parser.active).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const messages = new TlsStreamParser().push(bytes);
        expect(Array.isArray(messages)).toBe(true);
        parseClientHello(bytes);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('recognises a record header', () => {
    expect(looksLikeTlsRecord(Uint8Array.from([22, 3, 1, 0, 200]))).toBe(true);
    expect(looksLikeTlsRecord(Uint8Array.from([71, 69, 84, 32, 47]))).toBe(false);
    expect(looksLikeTlsRecord(Uint8Array.from([22, 3, 1, 0xff, 0xff]))).toBe(false);
  });
});
