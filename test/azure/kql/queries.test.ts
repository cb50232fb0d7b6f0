/** Every generated query passes the Kusto language service against the declared schemas; injection never reaches a query. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkKql } from '../../../src/lab/kql/index.js';
import { LOG_ANALYTICS_SCHEMAS } from '../../../src/lab/kql/schemas.js';
import { FIREWALL_TABLES, firewallTableQuery, legacyFirewallQuery } from '../../../src/azure/kql/firewall.js';
import { validateFlowFilter, type FlowFilterInput } from '../../../src/azure/kql/flow-filter.js';
import { legacyTrafficAnalyticsQuery, trafficAnalyticsQuery } from '../../../src/azure/kql/flow-logs.js';
import { gatewayDiagnosticsQuery, keyVaultAuditQuery, legacyKeyVaultAuditQuery } from '../../../src/azure/kql/diagnostics.js';
import { freshnessQuery } from '../../../src/azure/kql/freshness.js';
import { kqlString } from '../../../src/azure/kql/literals.js';
import {
  type Instant, validateCidr, validateDnsName, validateInstant, validateIp, validatePort, validateResourceId, validateWindow,
} from '../../../src/azure/kql/validate.js';
import { UserInputError } from '../../../src/domain/index.js';

const window = { start: '2026-11-12T14:00:00Z', end: '2026-11-12T14:30:00Z' };
const vault = validateResourceId('/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-prod');
const gateway = validateResourceId('/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/gw');

const flows: [string, FlowFilterInput][] = [
  ['ip to ip, tcp port', { source: '192.168.10.5', destination: '10.201.1.4', port: 3389, protocol: 'tcp', window }],
  ['prefix source', { source: '192.168.10.0/24', destination: '10.201.1.4', window }],
  ['ipv6 and names', { source: '2001:db8::5', destinationNames: ['kv-prod.vault.azure.net'], port: 443, protocol: 'tcp', window }],
  ['destination only, udp', { destination: '10.0.0.4', port: 53, protocol: 'udp', window, resourceId: vault }],
];

function allQueries(input: FlowFilterInput): string[] {
  const filter = validateFlowFilter(input);
  const now = validateInstant('2026-11-12T17:45:00Z');
  return [
    ...FIREWALL_TABLES.map((table) => firewallTableQuery(table, filter)?.query).filter((query): query is string => query !== undefined),
    ...[legacyFirewallQuery(filter)?.query].filter((query): query is string => query !== undefined),
    trafficAnalyticsQuery(filter, 10).query,
    legacyTrafficAnalyticsQuery(filter, 60).query,
    keyVaultAuditQuery({ vaultId: vault, window: filter.window, caller: filter.source, maxRows: 10 }).query,
    legacyKeyVaultAuditQuery({ vaultId: vault, window: filter.window, caller: filter.source, maxRows: 10 }).query,
    gatewayDiagnosticsQuery({ gatewayId: gateway, window: filter.window, maxRows: 10 }).query,
    ...['NTANetAnalytics', 'AzureNetworkAnalytics_CL', 'AzureDiagnostics', 'AZFWNetworkRule', 'AZKVAuditLogs']
      .map((table) => freshnessQuery({ table, resourceId: table === 'AzureNetworkAnalytics_CL' ? null : vault }, now, 1440).query),
  ];
}

describe('generated KQL against the Log Analytics schemas', () => {
  it.each(flows)('%s: no syntax or unknown-name errors', (_name, input) => {
    const queries = allQueries(input);
    expect(queries.length).toBeGreaterThan(12);
    for (const query of queries) expect({ query, errors: checkKql(query, LOG_ANALYTICS_SCHEMAS) }).toEqual({ query, errors: [] });
  });

  it('the check can fail: a misspelled column is reported', () => {
    const query = firewallTableQuery('AZFWNetworkRule', validateFlowFilter(flows[0]![1]))!.query.replace('DestinationPort ==', 'DestinationPrt ==');
    expect(checkKql(query, LOG_ANALYTICS_SCHEMAS).join(' ')).toMatch(/DestinationPrt/);
  });

  it('matches addresses whole, never by substring', () => {
    const query = firewallTableQuery('AZFWNetworkRule', validateFlowFilter(flows[0]![1]))!.query;
    expect(query).toContain('SourceIp == "192.168.10.5"');
    expect(query).not.toMatch(/contains|startswith/);
  });

  it('selects Traffic Analytics by flow times with a wider ingestion prefilter', () => {
    const query = trafficAnalyticsQuery(validateFlowFilter(flows[0]![1]), 10).query;
    expect(query).toContain('TimeGenerated between (datetime(2026-11-12T14:00:00.000Z) .. datetime(2026-11-12T16:40:00.000Z))');
    expect(query).toContain('FlowIntervalStartTime < datetime(2026-11-12T14:30:00.000Z) and FlowIntervalEndTime > datetime(2026-11-12T14:00:00.000Z)');
  });

  it('application rules are matched on source and names (the table has no DestinationIp)', () => {
    const filter = validateFlowFilter({ destination: '10.0.0.4', window });
    expect(firewallTableQuery('AZFWApplicationRule', filter)).toBeNull();
    const named = firewallTableQuery('AZFWApplicationRule', validateFlowFilter(flows[2]![1]))!.query;
    expect(named).toContain('Fqdn in~ ("kv-prod.vault.azure.net")');
    expect(named).not.toContain('DestinationIp');
  });
});

describe('validators', () => {
  it.each([
    ['192.168.10.5', true], ['2001:db8::5', true], ['192.168.10.256', false], ['fe80::1%eth0', false], ['10.0.0.1"', false], ['', false],
  ])('ip %j -> %s', (value, valid) => {
    if (valid) expect(validateIp(value)).toBe(value.toLowerCase());
    else expect(() => validateIp(value)).toThrow(UserInputError);
  });

  it('normalises and bounds the rest', () => {
    expect(validateCidr('192.168.10.0/24')).toBe('192.168.10.0/24');
    expect(() => validateCidr('192.168.10.0/33')).toThrow(UserInputError);
    expect(validatePort(3389)).toBe(3389);
    expect(() => validatePort(65536)).toThrow(UserInputError);
    expect(validateInstant('2026-11-12T09:00:00-05:00')).toBe('2026-11-12T14:00:00.000Z');
    expect(() => validateWindow({ start: window.end, end: window.start })).toThrow(UserInputError);
    expect(validateDnsName('Vm-App01.corp.contoso.com.')).toBe('vm-app01.corp.contoso.com');
    expect(() => validateResourceId('/subscriptions/x/resourceGroups/rg"|take 1')).toThrow(UserInputError);
  });

  it('string literals escape quotes, backslashes and everything outside printable ASCII', () => {
    expect(kqlString('a"b\\c\nd\u2028é')).toBe('"a\\"b\\\\c\\u000ad\\u2028\\u00e9"');
  });
});

describe('injection attempts (fast-check, fixed seed)', () => {
  const payloads = fc.oneof(
    fc.constantFrom('"', '\\"', '|', '| take 1', ';', 'let x = 1;', '//', '/*', '\n', '\r\n', '\u2028', '\uFF5C', '\u037E', '\u201C', '\u0000', "'"),
    fc.string({ maxLength: 20 }),
  );
  const attack = fc.tuple(fc.constantFrom('192.168.10.5', '10.0.0.0/8', 'vm-app01.contoso.com', '2001:db8::1', ''), payloads, fc.boolean())
    .map(([base, payload, before]) => (before ? `${payload}${base}` : `${base}${payload}`))
    .filter((value) => !/^[0-9.]*$/.test(value));
  const overlong = fc.integer({ min: 300, max: 2000 }).map((length) => '1'.repeat(length));

  function tryBuild(field: 'source' | 'destination' | 'name' | 'resource', value: string): string[] | null {
    try {
      const input: FlowFilterInput = { window, ...(field === 'source' ? { source: value } : field === 'destination' ? { destination: value } : field === 'name' ? { destinationNames: [value] } : { resourceId: value }) };
      return allQueries(input);
    } catch (error) {
      if (error instanceof UserInputError) return null;
      throw error;
    }
  }

  it('is rejected by the validators, or is harmless and appears only inside a literal', () => {
    fc.assert(fc.property(fc.constantFrom('source', 'destination', 'name', 'resource') as fc.Arbitrary<'source' | 'destination' | 'name' | 'resource'>, fc.oneof(attack, overlong), (field, value) => {
      const queries = tryBuild(field, value);
      if (queries === null) return true;
      // Whatever got through is plain address/name text: no quote, pipe, semicolon, slash-slash or control character.
      expect(value).toMatch(/^[A-Za-z0-9.:\-_/]+$/);
      for (const query of queries) {
        expect([...query].filter((character) => (character < ' ' && character !== '\n') || character > '~')).toEqual([]);
        expect(checkKql(query, LOG_ANALYTICS_SCHEMAS)).toEqual([]);
      }
      return true;
    }), { seed: 20261112, numRuns: 150 });
  });

  it('rejects classic injections in every field', () => {
    for (const value of ['192.168.10.5" or 1==1 //', '192.168.10.5\n| take 1000', 'let x=1; AZFWNetworkRule', '192.168.10.5\uFF5C take 1', '192.168.10.５']) {
      expect(tryBuild('source', value)).toBeNull();
      expect(tryBuild('name', value)).toBeNull();
    }
  });
});

// Keeps the Instant brand honest: only validateInstant makes one.
const _instant: Instant = validateInstant('2026-11-12T00:00:00Z');
void _instant;
