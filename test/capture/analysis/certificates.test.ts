/** Chain status, host names and validity on the corpus PKI (test root, intermediate, leaf, self-signed, expired, wrong name). */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrustStore, chainStatus, firstOutOfValidity, hostnameMatches, parseCertificates } from '../../../src/capture/analysis/certificates.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'capture');
const pem = (name: string) => readFileSync(join(FIXTURES, `${name}.pem`), 'utf8');
const der = (name: string) => new Uint8Array(new X509Certificate(pem(name)).raw);
const parse = (...names: string[]) => parseCertificates(names.map(der));

const systemOnly = TrustStore.withSystemRoots();

describe('chain status', () => {
  it.each<[string, string[], string | undefined, string]>([
    ['leaf + intermediate link and end at a CA', ['leaf', 'int'], undefined, 'complete'],
    ['a lone leaf whose issuer is neither sent nor known', ['leaf'], undefined, 'incomplete'],
    ['a lone leaf whose intermediate is configured as extra CA', ['leaf'], 'int', 'complete'],
    ['certificates that do not link', ['leaf', 'self'], undefined, 'incomplete'],
    ['a self-signed leaf', ['self'], undefined, 'self-signed'],
    ['a self-signed leaf that is a configured root', ['self'], 'self', 'complete'],
    ['nothing sent', [], undefined, 'not-visible'],
  ])('%s', (_name, names, extra, status) => {
    const trust = extra ? TrustStore.withSystemRoots(pem(extra)) : systemOnly;
    expect(chainStatus(parse(...names), trust)).toBe(status);
  });

  it('summarises certificates as sent', () => {
    const [leaf, intermediate] = parse('leaf', 'int');
    expect(leaf?.summary).toMatchObject({ subject: 'CN=localhost,O=Corpus Test,C=US', issuer: 'CN=Corpus Test Intermediate CA,O=Corpus Test,C=US', selfSigned: false, isCA: false, dnsNames: ['localhost'] });
    expect(intermediate?.summary).toMatchObject({ isCA: true, selfSigned: false, dnsNames: [] });
    expect(parse('self')[0]?.summary.selfSigned).toBe(true);
    expect(parse('root')[0]?.summary).toMatchObject({ selfSigned: true, isCA: true });
    expect(leaf?.summary.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('host name', () => {
  it('checks the SNI against the leaf (RFC 6125), undecidable without SNI', () => {
    const [leaf] = parse('leaf');
    const [wrong] = parse('wrong');
    if (!leaf || !wrong) throw new Error('fixtures missing');
    expect(hostnameMatches(leaf, 'localhost')).toBe(true);
    expect(hostnameMatches(leaf, '127.0.0.1')).toBe(true);
    expect(hostnameMatches(wrong, 'localhost')).toBe(false);
    expect(hostnameMatches(leaf, null)).toBeNull();
  });
});

describe('validity', () => {
  it('judges against the time given (the capture\'s), not the wall clock', () => {
    const expired = parse('expired');
    const notAfter = Date.parse(expired[0]?.summary.notAfter ?? '');
    expect(firstOutOfValidity(expired, notAfter + 1000)).toEqual({ index: 0, expired: true });
    expect(firstOutOfValidity(expired, notAfter - 1000)).toBeNull();
    const chain = parse('leaf', 'int');
    const notBefore = Date.parse(chain[0]?.summary.notBefore ?? '');
    expect(firstOutOfValidity(chain, notBefore - 1000)).toEqual({ index: 0, expired: false });
  });
});
