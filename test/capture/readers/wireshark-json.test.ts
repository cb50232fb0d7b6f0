import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TlsMessage } from '../../../src/capture/packet.js';
import { collect, chunked, FIXTURES, fixtureBytes } from './fixtures.js';

const path = (name: string, suffix = '.json.gz'): string => `${FIXTURES}${name}/${name}${suffix}`;
const tlsOf = async (name: string): Promise<{ frame: number; tls: TlsMessage[] }[]> =>
  (await collect(path(name))).packets.filter((packet) => packet.tls).map((packet) => ({ frame: packet.frame, tls: packet.tls! }));

describe('Wireshark JSON: TLS', () => {
  it('keeps every duplicate tls.record and certificate (TLS 1.2 with a client certificate request)', async () => {
    const messages = await tlsOf('tls_client_cert_required');
    const types = messages.map((entry) => [entry.frame, entry.tls.map((message) => message.type)]);
    expect(types).toEqual([
      [4, ['client_hello']],
      [6, ['server_hello', 'certificate', 'handshake', 'certificate_request', 'server_hello_done']],
      [8, ['certificate', 'client_key_exchange', 'change_cipher_spec']],
      [9, ['alert']],
    ]);
    const [hello] = messages[0]!.tls;
    expect(hello).toMatchObject({ type: 'client_hello', serverName: 'localhost', legacyVersion: 0x0303, supportedVersions: [] });
    expect(hello?.type === 'client_hello' && hello.cipherSuites.slice(0, 3)).toEqual([0xc02c, 0xc030, 0x009f]);
    const certificate = messages[1]!.tls[1]!;
    const chain = certificate.type === 'certificate' ? certificate.certificates.map((der) => new X509Certificate(der)) : [];
    expect(chain.map((entry) => entry.subject.split('\n').at(-1))).toEqual(['CN=localhost', 'CN=Corpus Test Intermediate CA']);
    expect(chain[0]!.checkIssued(chain[1]!)).toBe(true);
    expect(messages[2]!.tls[0]).toEqual({ type: 'certificate', certificates: [] });
    expect(messages[3]!.tls[0]).toEqual({ type: 'alert', level: 2, description: 40 });
  });

  it('reads TLS 1.3: supported_versions, the selected version, protected records as application data', async () => {
    const messages = await tlsOf('tls13_ok');
    const hello = messages[0]!.tls[0]!;
    expect(hello.type === 'client_hello' && hello.supportedVersions).toEqual([0x0304]);
    expect(messages[1]!.tls[0]).toMatchObject({ type: 'server_hello', legacyVersion: 0x0303, selectedVersion: 0x0304 });
    expect(messages[1]!.tls.slice(1).map((message) => message.type)).toEqual(expect.arrayContaining(['change_cipher_spec', 'application_data']));
    expect(messages.flatMap((entry) => entry.tls).some((message) => message.type === 'certificate')).toBe(false);
  });

  it('reads an encrypted alert as encrypted_alert', async () => {
    const messages = (await tlsOf('tls_ok')).flatMap((entry) => entry.tls);
    expect(messages.filter((message) => message.type === 'encrypted_alert')).toHaveLength(2);
  });

  it('reads the --no-duplicate-keys form (arrays) the same as duplicate keys', async () => {
    const arrays = await collect(path('tls_client_cert_required', '.no-duplicate-keys.json.gz'));
    const duplicates = await collect(path('tls_client_cert_required'));
    expect(arrays.result.warnings).toEqual([]);
    expect(arrays.packets).toEqual(duplicates.packets);
  });

  it('gives the same packets whatever the chunk size (packets split across chunks)', async () => {
    const bytes = fixtureBytes(path('tls_client_cert_required'));
    const whole = await collect(chunked(bytes, bytes.length));
    for (const size of [1, 3, 64, 4099]) expect((await collect(chunked(bytes, size))).packets).toEqual(whole.packets);
  });
});

describe('Wireshark JSON: DNS, ICMP, TCP', () => {
  it('reads DNS questions, answers and rcode', async () => {
    const ok = (await collect(path('dns_ok'))).packets.map((packet) => packet.dns);
    expect(ok[1]).toMatchObject({ response: true, rcode: 0, questions: [{ name: 'www.corpus.test', type: 1 }], answers: [{ name: 'www.corpus.test', type: 1, data: '127.0.0.5' }] });
    expect(ok[0]).toMatchObject({ response: false, answers: [] });
    expect(ok[0]!.id).toBe(ok[1]!.id);
    const nxdomain = (await collect(path('dns_nxdomain'))).packets.map((packet) => packet.dns);
    expect(nxdomain[1]).toMatchObject({ response: true, rcode: 3, questions: [{ name: 'missing.corpus.test', type: 1 }] });
  });

  it('reads the packet an ICMP port unreachable quotes, and not its DNS as the packet own', async () => {
    const packets = (await collect(path('dns_port_unreachable'))).packets;
    expect(packets[1]!.icmp).toEqual({ version: 4, type: 3, code: 3, quoted: { src: '127.0.0.1', dst: '127.0.0.1', protocol: 17, srcPort: packets[0]!.udp!.srcPort, dstPort: 5302 } });
    expect(packets[1]!.dns).toBeUndefined();
    expect(packets[0]!.dns?.questions).toEqual([{ name: 'www.corpus.test', type: 1 }]);
  });

  it('reads Wireshark TCP analysis flags', async () => {
    const zero = (await collect(path('tcp_zero_window'))).packets.filter((packet) => packet.tcp?.analysis?.zeroWindow);
    expect(zero.length).toBeGreaterThan(0);
    expect(zero.every((packet) => packet.tcp!.window === 0)).toBe(true);
  });

  it('keeps the nanoseconds of frame.time_epoch as a millisecond fraction', async () => {
    const packets = (await collect(path('tcp_refused'))).packets;
    // frame.time_epoch "1795700010.746870000" in the export.
    expect(packets[0]!.timeInMs).toBe(1795700010746.87);
  });
});
