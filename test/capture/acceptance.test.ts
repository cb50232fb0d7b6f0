/**
 * Acceptance over the labelled corpus (../shared/corpus/labels.json, copied with its
 * fixtures into test/fixtures/capture): every case, in every format it ships in, gives
 * what the labels say, and every format gives the same report apart from `input`.
 * The large case is left to `npm run bench:capture`; the two 5 MB captures are used as
 * `editcap -s 160` copies (headers intact, payload cut: TCP analysis is unchanged).
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/capture/index.js';
import { CaptureReportSchema, type CaptureReport } from '../../src/domain/capture-report.js';
import { PERFORMANCE_OBSERVATIONS } from '../../src/domain/vocabulary.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'capture');
const SNAPPED: Record<string, string> = {
  'generated/tcp_retransmissions_loss/tcp_retransmissions_loss.pcap': 'tcp_retransmissions_loss.snap160.pcap',
  'generated/http_ok_large/http_ok_large.pcapng': 'http_ok_large.snap160.pcapng',
};

interface TcpLabel {
  tcp_stream: number; client: string; server: string; conn_state: string; handshake_completed: boolean | null; handshake_observed: boolean;
  reset_by: string[] | null; retransmissions: number; packets: { orig: number; resp: number };
}
interface TlsLabel {
  tcp_stream: number; version: string | null; client_offered_versions: string[]; sni: string | null; handshake_completed_basis: string;
  fatal_alert: { from: string; description: string } | null; server_certificates_count: number | null;
  leaf_self_signed: boolean | null; chain_status: string;
}
interface Case {
  category: string;
  files: Record<string, { path: string | null }>;
  ground_truth: {
    tcp_streams?: TcpLabel[]; tls_streams?: TlsLabel[];
    udp_flows?: { orig: string; resp: string; orig_pkts: number; resp_pkts: number }[];
    dns?: { qname: string; qtype: number; rcode: string | null; a: string[]; aaaa: string[] }[];
    icmp?: { counts: Record<string, number>; unreachables: { frame: number; code: number; family: string }[] };
  };
  expected_observations: string[];
}

const labels = JSON.parse(readFileSync(join(FIXTURES, 'labels.json'), 'utf8')) as { cases: Record<string, Case> };

/** "127.0.0.1:80" / "::1:80" / "2001:db8::1:25" -> ip and port (the port is after the last colon). */
function endpoint(text: string): { ip: string; port: number } {
  const index = text.lastIndexOf(':');
  return { ip: text.slice(0, index), port: Number(text.slice(index + 1)) };
}

function fixtureFiles(testCase: Case): string[] {
  const files: string[] = [];
  for (const [kind, file] of Object.entries(testCase.files)) {
    if (!file.path || kind === 'decrypted_json' || kind === 'keylog') continue;
    const local = join(FIXTURES, SNAPPED[file.path] ?? basename(file.path));
    if (existsSync(local)) files.push(local);
  }
  return files;
}

const cases = Object.entries(labels.cases).filter(([, testCase]) => testCase.category !== 'large');

describe('capture corpus acceptance', () => {
  it('has fixtures for every labelled case', () => {
    for (const [name, testCase] of cases) expect(fixtureFiles(testCase).length, name).toBeGreaterThan(0);
  });

  describe.each(cases)('%s', (name, testCase) => {
    const files = fixtureFiles(testCase);
    const reports = new Map<string, Promise<CaptureReport>>();
    const reportOf = (file: string) => {
      let report = reports.get(file);
      if (!report) {
        report = analyzeCapture(file);
        reports.set(file, report);
      }
      return report;
    };

    it.each(files.map((file) => [basename(file), file]))('%s matches the labels', async (_label, file) => {
      const report = CaptureReportSchema.parse(await reportOf(file));
      const truth = testCase.ground_truth;

      const tcp = report.conversations.filter((conversation) => conversation.protocol === 'tcp');
      expect(tcp.length, `${name}: TCP conversations`).toBe(truth.tcp_streams?.length ?? 0);
      for (const stream of truth.tcp_streams ?? []) {
        const conversation = report.conversations.find((candidate) => candidate.id === `tcp-${stream.tcp_stream}`);
        expect(conversation, `tcp-${stream.tcp_stream}`).toBeDefined();
        if (!conversation?.tcp) continue;
        const where = `${name} tcp-${stream.tcp_stream}`;
        expect(conversation.client, where).toEqual(endpoint(stream.client));
        expect(conversation.server, where).toEqual(endpoint(stream.server));
        expect(conversation.tcp.state, where).toBe(stream.conn_state);
        expect(conversation.tcp.handshake, where).toBe(stream.handshake_completed === true && stream.handshake_observed);
        if (stream.reset_by && stream.reset_by.length > 0) expect(stream.reset_by, where).toContain(conversation.tcp.resetBy);
        else expect(conversation.tcp.resetBy, where).toBeNull();
        expect(conversation.tcp.retransmissions, where).toBe(stream.retransmissions);
        expect(conversation.packets, where).toEqual({ toServer: stream.packets.orig, toClient: stream.packets.resp });
      }

      for (const stream of truth.tls_streams ?? []) {
        const tls = report.conversations.find((candidate) => candidate.id === `tcp-${stream.tcp_stream}`)?.tls;
        const where = `${name} tls on tcp-${stream.tcp_stream}`;
        expect(tls, where).toBeDefined();
        if (!tls) continue;
        // The labels' version is the negotiated one; without a ServerHello CONTRACTS.md reports the highest offered.
        const offered = [...stream.client_offered_versions].sort().at(-1) ?? null;
        expect(tls.version, where).toBe((stream.version ?? offered)?.replace('TLS ', '') ?? null);
        expect(tls.serverName, where).toBe(stream.sni);
        expect(tls.chain, where).toBe(stream.chain_status);
        const visible = stream.chain_status !== 'not-visible';
        expect(tls.certificates.length, where).toBe(visible ? (stream.server_certificates_count ?? 0) : 0);
        if (visible && stream.leaf_self_signed !== null) expect(tls.certificates[0]?.selfSigned, where).toBe(stream.leaf_self_signed);
        // TLS 1.3 labels taken from the decrypted view name alerts that are encrypted on the wire.
        const alertsJudged = !(stream.version === 'TLS 1.3' && stream.handshake_completed_basis.includes('decrypted'));
        if (alertsJudged) {
          const fatal = tls.alerts.find((alert) => alert.level === 'fatal' && alert.description !== 'encrypted');
          expect(fatal ? { from: fatal.from, description: fatal.description } : null, where).toEqual(
            stream.fatal_alert ? { from: stream.fatal_alert.from, description: stream.fatal_alert.description } : null,
          );
        }
      }

      const udp = report.conversations.filter((conversation) => conversation.protocol === 'udp');
      expect(udp.map((conversation) => ({ client: conversation.client, server: conversation.server, packets: conversation.packets })), `${name}: UDP`).toEqual(
        (truth.udp_flows ?? []).map((flow) => ({ client: endpoint(flow.orig), server: endpoint(flow.resp), packets: { toServer: flow.orig_pkts, toClient: flow.resp_pkts } })),
      );

      const questions = report.conversations.flatMap((conversation) => conversation.dns ?? []);
      expect(questions.length > 0, `${name}: DNS seen`).toBe((truth.dns ?? []).length > 0);
      for (const label of truth.dns ?? []) {
        const type = label.qtype === 1 ? 'A' : label.qtype === 28 ? 'AAAA' : `TYPE${label.qtype}`;
        const matching = questions.filter((question) => question.name === label.qname && question.type === type);
        expect(matching.length, `${name}: DNS ${label.qname}`).toBeGreaterThan(0);
        for (const question of matching) {
          expect(question.rcode, `${name}: DNS ${label.qname} rcode`).toBe(label.rcode);
          const addresses = question.answers.filter((answer) => /^[\d.]+$|:/.test(answer));
          expect(addresses.sort(), `${name}: DNS ${label.qname} answers`).toEqual([...label.a, ...label.aaaa].sort());
        }
      }

      const unreachableFrames = report.conversations.flatMap((conversation) => (conversation.icmp ?? []).map((icmp) => ({ frame: icmp.frame, code: icmp.code })));
      expect(unreachableFrames.sort((a, b) => a.frame - b.frame), `${name}: ICMP errors`).toEqual(
        (truth.icmp?.unreachables ?? []).map((unreachable) => ({ frame: unreachable.frame, code: unreachable.code })),
      );
      const counts = truth.icmp?.counts ?? {};
      const echo = report.conversations.filter((conversation) => conversation.protocol === 'icmp' || conversation.protocol === 'icmpv6');
      const requests = (counts['icmp.echo_request'] ?? 0) + (counts['icmpv6.echo_request'] ?? 0);
      const replies = (counts['icmp.echo_reply'] ?? 0) + (counts['icmpv6.echo_reply'] ?? 0);
      expect(echo.reduce((sum, conversation) => sum + conversation.packets.toServer, 0), `${name}: echo requests`).toBe(requests);
      expect(echo.reduce((sum, conversation) => sum + conversation.packets.toClient, 0), `${name}: echo replies`).toBe(replies);

      const performance = new Set<string>(PERFORMANCE_OBSERVATIONS);
      const codes = new Set(report.findings.map((finding) => finding.code));
      for (const expected of testCase.expected_observations) expect([...codes], `${name}: expected ${expected}`).toContain(expected);
      const failures = [...codes].filter((code) => !performance.has(code)).sort();
      expect(failures, `${name}: failure observations`).toEqual(testCase.expected_observations.filter((code) => !performance.has(code)).sort());
      for (const finding of report.findings) {
        expect(finding.frames.length, `${name}: ${finding.code} cites frames`).toBeGreaterThan(0);
        expect(report.conversations.some((conversation) => conversation.id === finding.conversation)).toBe(true);
      }
    });

    if (files.length > 1) {
      it('gives the same report from each format', async () => {
        const [first, ...others] = await Promise.all(files.map((file) => reportOf(file)));
        for (const [index, other] of others.entries()) {
          expect({ ...other, input: null }, basename(files[index + 1] ?? '')).toEqual({ ...first, input: null });
        }
      });
    }
  });
});
