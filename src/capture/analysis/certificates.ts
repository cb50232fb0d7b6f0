/**
 * The server's certificates as sent: parsed with Node's X509Certificate (OpenSSL), linked
 * into a chain status as CONTRACTS.md section 2 defines it, and checked for host name
 * (RFC 6125 via checkHost/checkIP) and validity at the capture's own time.
 */
import { X509Certificate } from 'node:crypto';
import type { CertificateSummary, ChainStatus } from '../../domain/capture-report.js';
import { isIpAddress } from './addresses.js';

/**
 * Node's bundled roots, loaded on first use: `node:tls` (with `node:net`) costs more
 * start-up than reading a whole small capture, and most captures show no certificate.
 */
function systemRoots(): readonly string[] {
  return process.getBuiltinModule('node:tls').rootCertificates;
}

/** Roots the chain check trusts: Node's bundled roots plus an optional extra PEM. */
export class TrustStore {
  private bySubject: Map<string, X509Certificate[]> | null = null;

  /** `pems`, or a function giving them when a certificate is first checked. */
  constructor(private readonly pems: readonly string[] | (() => readonly string[])) {}

  /** Node's bundled roots plus the certificates in `extraCaPem` (one PEM text, any number of certificates). */
  static withSystemRoots(extraCaPem?: string): TrustStore {
    const extra = splitPem(extraCaPem ?? '');
    return new TrustStore(() => [...systemRoots(), ...extra]);
  }

  /** The trusted certificate that issued `certificate`, if any. */
  issuerOf(certificate: X509Certificate): X509Certificate | null {
    for (const candidate of this.index().get(certificate.issuer) ?? []) {
      if (certificate.checkIssued(candidate) && safeVerify(certificate, candidate)) return candidate;
    }
    return null;
  }

  /** True when `certificate` is itself one of the trusted roots. */
  contains(certificate: X509Certificate): boolean {
    return (this.index().get(certificate.subject) ?? []).some((candidate) => candidate.fingerprint256 === certificate.fingerprint256);
  }

  private index(): Map<string, X509Certificate[]> {
    if (this.bySubject) return this.bySubject;
    const index = new Map<string, X509Certificate[]>();
    for (const pem of typeof this.pems === 'function' ? this.pems() : this.pems) {
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(pem);
      } catch {
        continue; // a broken entry in a user's CA file does not hide the others
      }
      const list = index.get(certificate.subject) ?? [];
      list.push(certificate);
      index.set(certificate.subject, list);
    }
    this.bySubject = index;
    return index;
  }
}

/** Splits a PEM text into its certificate blocks. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function safeVerify(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.verify(issuer.publicKey);
  } catch {
    return false; // an unsupported key type cannot prove the link
  }
}

/** Node prints names one RDN per line in DER order; the report uses RFC 4514 order (CN first). */
export function formatName(name: string): string {
  return name.split('\n').filter(Boolean).reverse().join(',');
}

/** "DNS:a, DNS:b, IP Address:1.2.3.4" -> ["a", "b"]. */
function dnsNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  const names: string[] = [];
  for (const part of subjectAltName.split(/,\s*/)) {
    const match = /^DNS:"?([^"]*)"?$/.exec(part.trim());
    if (match?.[1]) names.push(match[1]);
  }
  return names;
}

/** A parsed certificate plus its summary. */
export interface ParsedCertificate {
  x509: X509Certificate;
  summary: CertificateSummary;
  notBeforeInMs: number;
  notAfterInMs: number;
}

/** Parses DER certificates; unparseable ones are left out (and counted by the caller). */
export function parseCertificates(ders: readonly Uint8Array[]): ParsedCertificate[] {
  const parsed: ParsedCertificate[] = [];
  for (const der of ders) {
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(der);
    } catch {
      continue; // not DER: the chain check then sees a gap, which is what the client saw too
    }
    const notBeforeInMs = Date.parse(x509.validFrom);
    const notAfterInMs = Date.parse(x509.validTo);
    const selfSigned = x509.subject === x509.issuer && safeVerify(x509, x509);
    parsed.push({
      x509,
      notBeforeInMs,
      notAfterInMs,
      summary: {
        subject: formatName(x509.subject),
        issuer: formatName(x509.issuer),
        selfSigned,
        isCA: x509.ca,
        notBefore: new Date(notBeforeInMs).toISOString(),
        notAfter: new Date(notAfterInMs).toISOString(),
        dnsNames: dnsNames(x509.subjectAltName),
      },
    });
  }
  return parsed;
}

/** CONTRACTS.md `tls.chain`, from the certificates as the server sent them (leaf first). */
export function chainStatus(certificates: readonly ParsedCertificate[], trust: TrustStore): ChainStatus {
  const leaf = certificates[0];
  if (!leaf) return 'not-visible';
  if (leaf.summary.selfSigned && !trust.contains(leaf.x509)) return 'self-signed';
  for (let index = 0; index + 1 < certificates.length; index += 1) {
    const child = certificates[index];
    const parent = certificates[index + 1];
    if (!child || !parent || !child.x509.checkIssued(parent.x509) || !safeVerify(child.x509, parent.x509)) return 'incomplete';
  }
  const last = certificates[certificates.length - 1];
  if (!last) return 'not-visible';
  // A configured trust anchor need not be a CA (a pinned self-signed server certificate is not).
  if (last.summary.isCA || trust.contains(last.x509) || trust.issuerOf(last.x509)) return 'complete';
  return 'incomplete';
}

/** Whether the leaf covers the name the client asked for; null when undecidable (no SNI). */
export function hostnameMatches(leaf: ParsedCertificate, serverName: string | null): boolean | null {
  if (!serverName) return null;
  return isIpAddress(serverName) ? leaf.x509.checkIP(serverName) !== undefined : leaf.x509.checkHost(serverName) !== undefined;
}

/** The first certificate outside its validity period at `timeInMs`, if any. */
export function firstOutOfValidity(certificates: readonly ParsedCertificate[], timeInMs: number): { index: number; expired: boolean } | null {
  for (let index = 0; index < certificates.length; index += 1) {
    const certificate = certificates[index];
    if (!certificate) continue;
    if (timeInMs > certificate.notAfterInMs) return { index, expired: true };
    if (timeInMs < certificate.notBeforeInMs) return { index, expired: false };
  }
  return null;
}
