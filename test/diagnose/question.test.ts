import { describe, expect, it } from 'vitest';
import { clarificationError, parseQuestion, ParsedQuestionSchema, type KnownName } from '../../src/diagnose/question.js';
import { UserInputError } from '../../src/domain/errors.js';
import { byName, context, flowOf, NAMES, questionOf } from './question-fixture.js';

const RDP_TO_APP01 = { source: '192.168.10.5', destination: 'vm-app01', protocol: 'tcp', port: 3389 };
const APP_TO_VAULT_HTTPS = { source: 'app-orders-prod', destination: 'kv-prod', protocol: 'tcp', port: 443 };
const APP02_TO_WEB01_HTTPS = { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 443 };
const SQL_FROM_WEB = { source: 'vm-web01', destination: 'vm-app02', protocol: 'tcp', port: 1433 };
const PING_WEB_TO_APP = { source: 'vm-web01', destination: 'vm-app01', protocol: 'icmp', port: null };

describe('parseQuestion: the same flow, however it is asked', () => {
  it.each([
    ["why can't 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?", RDP_TO_APP01],
    ['vm-app01 unreachable on 3389 from 192.168.10.5 since 2pm', RDP_TO_APP01],
    ['RDP from 192.168.10.5 to 10.201.1.4 fails', RDP_TO_APP01],
    ['@netproof 192.168.10.5 -> vm-app01:3389 at 14:15', RDP_TO_APP01],
    ["can't rdp to vm-app01 from 192.168.10.5 in the last 2 hours", RDP_TO_APP01],
    ['<at>netproof</at> VM-APP01 is not reachable from 192.168.10.5 over remote desktop', RDP_TO_APP01],
    ['192.168.10.5 cannot connect to vm-app01 on port 3389/tcp', RDP_TO_APP01],
    ['Why can’t 192.168.10.5 RDP into vm-app01?', RDP_TO_APP01],
    ['the app service times out talking to kv-prod over https', APP_TO_VAULT_HTTPS],
    ['app-orders-prod cannot reach kv-prod.vault.azure.net on 443', APP_TO_VAULT_HTTPS],
    ['https://kv-prod.vault.azure.net/secrets/db is unreachable from app-orders-prod', APP_TO_VAULT_HTTPS],
    ['connect to kv-prod from the web app over TLS fails', APP_TO_VAULT_HTTPS],
    ['kv-prod.privatelink.vaultcore.azure.net:443 times out from app-orders-prod.azurewebsites.net', APP_TO_VAULT_HTTPS],
    ['from 10.201.1.5 to 10.201.2.4 on port 443', APP02_TO_WEB01_HTTPS],
    ["vm-app02 can't reach vm-web01 via https", APP02_TO_WEB01_HTTPS],
    ['https from vm-app02 to vm-web01 times out', APP02_TO_WEB01_HTTPS],
    ['10.201.1.5 -> 10.201.2.4:443', APP02_TO_WEB01_HTTPS],
    ['is vm-web01 reachable from vm-app02 on tcp/443?', APP02_TO_WEB01_HTTPS],
    ['vm-web01 cannot connect to SQL on vm-app02', SQL_FROM_WEB],
    ['sql server on vm-app02 unreachable from vm-web01', SQL_FROM_WEB],
    ['why does vm-web01 fail to reach vm-app02 on 1433', SQL_FROM_WEB],
    ['mssql from vm-web01 to vm-app02 refused', SQL_FROM_WEB],
    ['vm-web01 -> vm-app02 port 1433', SQL_FROM_WEB],
    ["vm-web01 can't ping vm-app01", PING_WEB_TO_APP],
    ['ping from vm-web01 to 10.201.1.4 fails', PING_WEB_TO_APP],
    ['icmp vm-web01 to vm-app01', PING_WEB_TO_APP],
    ['vm-app01 does not answer pings from vm-web01', PING_WEB_TO_APP],
    ['pinging vm-app01 from 10.201.2.4 times out', PING_WEB_TO_APP],
  ])('%s', (text, flow) => {
    const question = questionOf(parseQuestion(text, context()));
    expect(flowOf(question)).toEqual(flow);
    expect(ParsedQuestionSchema.parse(question)).toEqual(question);
    expect(question.text).toBe(text);
  });

  it('resolves a named destination to its resource, address and kind', () => {
    const question = questionOf(parseQuestion("why can't 192.168.10.5 RDP to vm-app01?", context()));
    const vm = byName('vm-app01');
    expect(question.destination).toEqual({ ip: '10.201.1.4', name: 'vm-app01', resourceId: vm.resourceId, kind: 'virtualMachine', fqdn: null, prefix: null });
    expect(question.source).toEqual({ ip: '192.168.10.5', name: null, resourceId: null, kind: null, fqdn: null, prefix: null });
    expect(question.serviceName).toBe('RDP');
  });
});

describe('parseQuestion: services and ports', () => {
  it.each([
    ['rdp', 3389, 'tcp', 'RDP'], ['ssh', 22, 'tcp', 'SSH'], ['https', 443, 'tcp', 'HTTPS'], ['http', 80, 'tcp', 'HTTP'],
    ['sql', 1433, 'tcp', 'SQL'], ['mssql', 1433, 'tcp', 'SQL'], ['mysql', 3306, 'tcp', 'MySQL'], ['postgres', 5432, 'tcp', 'PostgreSQL'],
    ['smb', 445, 'tcp', 'SMB'], ['winrm', 5985, 'tcp', 'WinRM'], ['winrm over https', 5986, 'tcp', 'WinRM (HTTPS)'],
    ['dns', 53, 'udp', 'DNS'], ['ldap', 389, 'tcp', 'LDAP'], ['ldaps', 636, 'tcp', 'LDAPS'], ['kerberos', 88, 'any', 'Kerberos'],
    ['ntp', 123, 'udp', 'NTP'], ['redis', 6379, 'tcp', 'Redis'], ['redis tls', 6380, 'tcp', 'Redis (TLS)'],
    ['ping', null, 'icmp', 'ping'], ['TLS', 443, 'tcp', 'TLS'], ['TLS on port 8443', 8443, 'tcp', 'TLS'],
    ['RDP on 3390', 3390, 'tcp', 'RDP'], ['port 53/udp', 53, 'udp', 'DNS'], ['tcp/443', 443, 'tcp', 'HTTPS'],
    ['443/tcp', 443, 'tcp', 'HTTPS'], ['udp 5000', 5000, 'udp', null], ['port 8080', 8080, 'tcp', null], ['on port 53', 53, 'udp', 'DNS'],
    ['dns over tcp', 53, 'tcp', 'DNS'], ['', null, 'any', null],
  ])('"%s" -> %s/%s (%s)', (words, port, protocol, serviceName) => {
    const question = questionOf(parseQuestion(`from vm-web01 to vm-app02 ${words}`, context()));
    expect({ port: question.port, protocol: question.protocol, serviceName: question.serviceName }).toEqual({ port, protocol, serviceName });
  });

  it.each([
    ['vm-app01:3389 from vm-web01', 3389],
    ['10.201.1.4:8443 from vm-web01', 8443],
    ['to [fd00:10::4]:22 from vm-web01', 22],
  ])('reads the port written after an endpoint: %s', (text, port) => {
    expect(questionOf(parseQuestion(text, context())).port).toBe(port);
  });

  it('pings between IPv6 addresses are ICMPv6', () => {
    const question = questionOf(parseQuestion('ping fd00:10::4 from fd00:20::9', context()));
    expect(question.protocol).toBe('icmpv6');
    expect(question.destination.name).toBe('vm-v6');
    expect(question.source.ip).toBe('fd00:20::9');
  });
});

describe('parseQuestion: addresses are whole addresses', () => {
  it.each([
    ['from 192.168.10.5 to vm-app01', '192.168.10.5'],
    ['from 192.168.10.52 to vm-app01', '192.168.10.52'],
    ['from 192.168.10.5. to vm-app01', '192.168.10.5'],
    ['from FD00:0020:0000::0009 to vm-app01', 'fd00:20::9'],
    ['from 2001:db8::1 to vm-app01', '2001:db8::1'],
  ])('%s -> source %s', (text, ip) => {
    expect(questionOf(parseQuestion(text, context())).source.ip).toBe(ip);
  });

  it.each([
    ['from 10.10.0.0/16 to vm-app01', '10.10.0.0/16'],
    ['from 2001:db8::/32 to vm-app01', '2001:db8::/32'],
  ])('%s -> source prefix %s', (text, prefix) => {
    const source = questionOf(parseQuestion(text, context())).source;
    expect(source).toMatchObject({ ip: null, prefix });
  });

  it.each([
    'from 999.1.1.1 to vm-app01',
    'from 10.0.0.256 to vm-app01',
    'from 10.0.0.0/33 to vm-app01',
    'vm-app01 unreachable from 1.2.3.4444',
  ])('refuses a malformed address: %s', (text) => {
    const outcome = parseQuestion(text, context());
    expect(outcome).toMatchObject({ kind: 'clarify', code: 'question.invalid-address' });
  });

  it('an address of a known resource is that resource, the VM before its NIC and the vault before its endpoint', () => {
    const toVm = questionOf(parseQuestion('from 10.201.2.4 to 10.201.1.4', context()));
    expect(toVm.destination.name).toBe('vm-app01');
    const toVault = questionOf(parseQuestion('from 10.201.2.4 to 10.202.0.5', context()));
    expect(toVault.destination.name).toBe('kv-prod');
  });
});

describe('parseQuestion: clarifications', () => {
  it.each([
    ["why can't vm-app1 reach kv-prod", 'question.unknown-name', ['vm-app01', 'vm-app02']],
    ['from 10.0.0.4 to kv-prd', 'question.unknown-name', ['kv-prod']],
    ['from 10.0.0.4 to vm-\u0430pp01', 'question.unknown-name', ['vm-app01', 'vm-app02']],
    ['from 10.0.0.4 to kv-prdo.vault.azure.net', 'question.unknown-name', ['kv-prod']],
    ['from vmweb01 to vm-app01', 'question.unknown-name', ['vm-web01']],
    ['is the internet down?', 'question.missing-destination', []],
    ['why does it fail on 443 since 9am', 'question.missing-destination', []],
    ['why is vm-app01 unreachable?', 'question.missing-source', []],
    ['from 10.0.0.4 to vm-app01 on port 70000', 'question.invalid-port', []],
    ['from 10.0.0.4 to vm-app01 on ports 80 and port 443', 'question.ambiguous-port', ['80', '443']],
    ['from 10.0.0.4 to vm-app01 ssh and rdp', 'question.ambiguous-service', ['SSH', 'RDP']],
    ['from vm-app01 to 10.201.1.4', 'question.same-endpoint', []],
    ['from vm-app01 from vm-web01 to kv-prod', 'question.ambiguous-endpoints', ['vm-app01', 'vm-web01']],
    ['   ', 'question.empty', []],
  ])('%s -> %s', (text, code, candidates) => {
    const outcome = parseQuestion(text, context());
    expect(outcome).toMatchObject({ kind: 'clarify', code });
    if (outcome.kind === 'clarify') {
      expect(outcome.candidates).toEqual(candidates);
      expect(outcome.message.length).toBeGreaterThan(10);
    }
  });

  it('lists at most five closest names, best first', () => {
    const many: KnownName[] = Array.from({ length: 12 }, (_, index) => ({
      name: `vm-app${String(index).padStart(2, '0')}`, kind: 'virtualMachine', resourceId: `/vm/${index}`, ips: [],
    }));
    const outcome = parseQuestion('from 10.0.0.4 to vm-app1', context({ names: many }));
    expect(outcome.kind === 'clarify' ? outcome.candidates : []).toEqual(['vm-app01', 'vm-app10', 'vm-app11', 'vm-app00', 'vm-app02']);
  });

  it('asks which app service when the estate has several', () => {
    const names = [...NAMES, { name: 'app-billing-prod', kind: 'webApp', resourceId: '/web/billing', ips: [] }];
    const outcome = parseQuestion('the app service times out talking to kv-prod', context({ names }));
    expect(outcome).toEqual({ kind: 'clarify', code: 'question.ambiguous-name', message: expect.any(String), candidates: ['app-billing-prod', 'app-orders-prod'] });
  });

  it('a PaaS destination needs no source: its own logs name every caller', () => {
    const question = questionOf(parseQuestion('why is kv-prod refusing requests since 8am?', context()));
    expect(question.destination.name).toBe('kv-prod');
    expect(question.source).toEqual({ ip: null, name: null, resourceId: null, kind: null, fqdn: null, prefix: null });
    expect(question.assumptions.join(' ')).toMatch(/no source/);
  });

  it('refuses a paste longer than a question', () => {
    expect(parseQuestion(`from 10.0.0.4 to vm-app01 ${'x'.repeat(5000)}`, context())).toMatchObject({ kind: 'clarify', code: 'question.too-long' });
  });

  it('turns a clarification into the exit-2 UserInputError with its candidates', () => {
    const outcome = parseQuestion('from 10.0.0.4 to kv-prd', context());
    if (outcome.kind !== 'clarify') throw new Error('expected a clarification');
    const error = clarificationError(outcome);
    expect(error).toBeInstanceOf(UserInputError);
    expect({ code: error.code, candidates: error.candidates }).toEqual({ code: 'question.unknown-name', candidates: ['kv-prod'] });
  });
});

describe('parseQuestion: FQDNs and descriptions', () => {
  it.each([
    ['from vm-web01 to kv-prod.vault.azure.net', 'kv-prod', 'kv-prod.vault.azure.net'],
    ['from vm-web01 to KV-PROD.VAULT.AZURE.NET', 'kv-prod', 'kv-prod.vault.azure.net'],
    ['from vm-web01 to app-orders-prod.azurewebsites.net', 'app-orders-prod', 'app-orders-prod.azurewebsites.net'],
    ['from vm-web01 to app-orders-prod.scm.azurewebsites.net', 'app-orders-prod', 'app-orders-prod.scm.azurewebsites.net'],
    ['from vm-web01 to vm-app01.contoso.local', 'vm-app01', 'vm-app01.contoso.local'],
    ['from vm-web01 to the key vault kv-prod', 'kv-prod', null],
  ])('%s -> %s', (text, name, fqdn) => {
    const destination = questionOf(parseQuestion(text, context())).destination;
    expect({ name: destination.name, fqdn: destination.fqdn }).toEqual({ name, fqdn });
  });
});

describe('parseQuestion: follow-ups', () => {
  const previous = questionOf(parseQuestion("why can't 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?", context()));

  it.each([
    ['and on 443?', { ...RDP_TO_APP01, port: 443, protocol: 'tcp' }, 'same'],
    ['what about port 22?', { ...RDP_TO_APP01, port: 22 }, 'same'],
    ['and ssh?', { ...RDP_TO_APP01, port: 22 }, 'same'],
    ['what about yesterday?', RDP_TO_APP01, { start: '2026-11-19T00:00:00.000Z', end: '2026-11-20T00:00:00.000Z' }],
    ['and from 10.201.2.4?', { ...RDP_TO_APP01, source: 'vm-web01' }, 'same'],
    ['what about vm-app02?', { ...RDP_TO_APP01, destination: 'vm-app02' }, 'same'],
    ['and to kv-prod in the last 10 minutes', { ...RDP_TO_APP01, destination: 'kv-prod' }, { start: '2026-11-20T14:20:00.000Z', end: '2026-11-20T14:30:00.000Z' }],
  ])('%s', (text, flow, window) => {
    const question = questionOf(parseQuestion(text, context({ previous })));
    expect(flowOf(question)).toEqual(flow);
    expect(question.window).toEqual(window === 'same' ? previous.window : window);
    expect(question.followUp).toBe(true);
  });

  it('a complete new question keeps nothing of the previous one', () => {
    const question = questionOf(parseQuestion('from vm-web01 to vm-app02', context({ previous })));
    expect(flowOf(question)).toEqual({ source: 'vm-web01', destination: 'vm-app02', protocol: 'any', port: null });
    expect(question.followUp).toBe(false);
    expect(question.window).toEqual({ start: '2026-11-20T13:30:00.000Z', end: '2026-11-20T14:30:00.000Z' });
  });

  it('without a previous question, a follow-up is asked about', () => {
    expect(parseQuestion('and on 443?', context())).toMatchObject({ kind: 'clarify', code: 'question.missing-destination' });
  });
});

describe('parseQuestion: host names', () => {
  it.each([
    ['vm-app02 cannot call https://api.partner.example/v2/pay', 'api.partner.example'],
    ['from vm-app02 to api.partner.example:443', 'api.partner.example'],
    ['vm-app02 -> Billing.Partner-Site.example on 443', 'billing.partner-site.example'],
  ])('an external FQDN is a destination host: %s', (text, fqdn) => {
    const question = questionOf(parseQuestion(text, context()));
    expect(question.destination).toEqual({ ip: null, name: null, resourceId: null, kind: null, fqdn, prefix: null });
    expect(question.source.name).toBe('vm-app02');
  });

  it.each([
    ['from api.partner.example to vm-app01', 'question.unknown-name'],
    ['from 10.0.0.4 to vm-app1.contoso.local', 'question.unknown-name'],
    ['from 10.0.0.4 to vm-\u0430pp01.example.com', 'question.unknown-name'],
    ['from 10.0.0.4 to bad-.example.com', 'question.missing-destination'],
    [`from 10.0.0.4 to ${'a'.repeat(64)}.example.com`, 'question.missing-destination'],
    ['from 10.0.0.4 to chain.pem', 'question.missing-destination'],
  ])('refuses what is no host to look up: %s -> %s', (text, code) => {
    expect(parseQuestion(text, context())).toMatchObject({ kind: 'clarify', code });
  });

  it.each([
    ['vm-app02 gets 403 from https://api.corp.example (vm-web01, 10.201.2.4)', { name: 'vm-web01', ip: '10.201.2.4', fqdn: 'api.corp.example' }],
    ['vm-app02 cannot reach api.corp.example (10.201.2.4) on 443', { name: 'vm-web01', ip: '10.201.2.4', fqdn: 'api.corp.example' }],
    ['from vm-app02 to kv-prod.vault.azure.net (10.202.0.5)', { name: 'kv-prod', ip: '10.202.0.5', fqdn: 'kv-prod.vault.azure.net' }],
    ['from vm-app02 to kv-prod.vault.azure.net', { name: 'kv-prod', ip: null, fqdn: 'kv-prod.vault.azure.net' }],
    ['from vm-app02 to api.partner.example (203.0.113.7)', { name: null, ip: '203.0.113.7', fqdn: 'api.partner.example' }],
  ])('parentheses name the same endpoint: %s', (text, destination) => {
    const question = questionOf(parseQuestion(text, context()));
    expect({ name: question.destination.name, ip: question.destination.ip, fqdn: question.destination.fqdn }).toEqual(destination);
    expect(question.source.name).toBe('vm-app02');
  });

  it('parentheses that contradict the name are two endpoints, asked about', () => {
    expect(parseQuestion('vm-app02 cannot reach vm-web01 (10.201.1.4)', context()))
      .toMatchObject({ kind: 'clarify', code: 'question.ambiguous-endpoints', candidates: ['vm-web01', 'vm-app01'] });
  });
});

describe('parseQuestion: real-life phrasings', () => {
  it.each([
    ['users can ping vm-web01 but https://vm-web01 times out, e.g. from 192.168.10.5', { source: '192.168.10.5', destination: 'vm-web01', protocol: 'tcp', port: 443 }],
    ['ssh to vm-web01 works but rdp fails from vm-app02', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 3389 }],
    ['why does vm-app02 get HTTP 403 from https://vm-web01?', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 443 }],
    ['why does vm-app02 get HTTP 403 from vm-web01?', { source: 'vm-app02', destination: 'vm-web01', protocol: 'any', port: null }],
    ['vm-app02 gets 403 from kv-prod', { source: 'vm-app02', destination: 'kv-prod', protocol: 'tcp', port: 443 }],
    ['users get a certificate error on vm-web01, e.g. 192.168.10.5', { source: '192.168.10.5', destination: 'vm-web01', protocol: 'tcp', port: 443 }],
    ['LDAPS certificate error from vm-app02 to vm-web01', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 636 }],
    ['why can\'t vm-app02 connect to SQL on vm-web01 (10.201.2.4:1433)?', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 1433 }],
    ['the orders API on vm-app02 cannot reach SQL on vm-web01', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 1433 }],
    ['why is vm-web01 refusing vm-app02 on 443?', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 443 }],
    ['is the network blocking 192.168.10.5 from vm-web01 on 443?', { source: '192.168.10.5', destination: 'vm-web01', protocol: 'tcp', port: 443 }],
    ['why does https://vm-web01 show a certificate error to 192.168.10.5?', { source: '192.168.10.5', destination: 'vm-web01', protocol: 'tcp', port: 443 }],
    ['vm-app02 cannot reach vm-web01 on 8443, vm-app01 is fine', { source: 'vm-app02', destination: 'vm-web01', protocol: 'tcp', port: 8443 }],
  ])('%s', (text, flow) => {
    expect(flowOf(questionOf(parseQuestion(text, context())))).toEqual(flow);
  });

  it('says what it assumed about a working service and a comparison', () => {
    const contrast = questionOf(parseQuestion('ping to vm-web01 works but https fails from vm-app02', context()));
    expect(contrast.assumptions).toContain('ping works: the question is about HTTPS');
    const compared = questionOf(parseQuestion('vm-app02 cannot reach vm-web01 on 8443, vm-app01 is fine', context()));
    expect(compared.assumptions).toContain('vm-app01 works: a comparison, not an end of the flow');
  });

  it('a comparison leaves the source to ask for, never guessed', () => {
    expect(parseQuestion('the API on vm-web01:8443 times out, vm-app01 is fine', context())).toMatchObject({ kind: 'clarify', code: 'question.missing-source' });
  });
});
