import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkKql, type KqlColumn, type KqlRow } from '../../../src/lab/kql/index.js';
import { LOG_ANALYTICS_SCHEMAS, RESOURCE_GRAPH_SCHEMAS } from '../../../src/lab/kql/schemas.js';

const scenario = JSON.parse(readFileSync(new URL('../../fixtures/scenarios/example-rdp-remote-site/scenario.json', import.meta.url), 'utf8')) as {
  tables: Record<string, KqlRow[]>;
};

function jsonKind(type: KqlColumn['type']): string {
  switch (type) {
    case 'int': case 'long': case 'real': case 'decimal': return 'number';
    case 'bool': return 'boolean';
    case 'dynamic': return 'any';
    default: return 'string';
  }
}

describe('LOG_ANALYTICS_SCHEMAS', () => {
  it.each(['AZFWNetworkRule', 'AZFWApplicationRule', 'AZFWNatRule', 'AZFWThreatIntel', 'AZFWIdpsSignature', 'AZFWFlowTrace', 'AZFWDnsQuery',
    'NTANetAnalytics', 'AzureNetworkAnalytics_CL', 'AZKVAuditLogs', 'AzureDiagnostics'])('declares %s with TimeGenerated and unique columns', (name) => {
    const columns = LOG_ANALYTICS_SCHEMAS[name];
    expect(columns).toBeDefined();
    expect(columns).toContainEqual({ name: 'TimeGenerated', type: 'datetime' });
    expect(new Set(columns!.map((column) => column.name)).size).toBe(columns!.length);
  });

  it.each(Object.keys(scenario.tables))('declares every column of the example scenario\'s %s rows with a matching type', (name) => {
    const declared = new Map((LOG_ANALYTICS_SCHEMAS[name] ?? []).map((column) => [column.name, column.type]));
    for (const row of scenario.tables[name]!) {
      for (const [column, value] of Object.entries(row)) {
        if (column === '_IngestionTime') continue;
        expect(declared.has(column), `${name}.${column}`).toBe(true);
        const kind = jsonKind(declared.get(column)!);
        if (kind !== 'any' && value !== null) expect(typeof value, `${name}.${column}`).toBe(kind);
      }
    }
  });

  it('follows the reference where tables differ: no DestinationIp in AZFWApplicationRule, no Action in AZFWNatRule', () => {
    expect(checkKql('AZFWApplicationRule | where DestinationIp == "10.0.0.1"', LOG_ANALYTICS_SCHEMAS)).toHaveLength(1);
    expect(checkKql('AZFWNatRule | where Action == "Deny"', LOG_ANALYTICS_SCHEMAS)).toHaveLength(1);
    expect(checkKql('AZFWNatRule | project TranslatedIp, TranslatedPort', LOG_ANALYTICS_SCHEMAS)).toEqual([]);
    expect(checkKql('AZFWFlowTrace | where Flag == "INVALID" | order by TimeGenerated desc | take 100', LOG_ANALYTICS_SCHEMAS)).toEqual([]);
    expect(checkKql('AZKVAuditLogs | where HttpStatusCode == 403 and IsAddressAuthorized == false | project CallerIpAddress, Identity.claim', LOG_ANALYTICS_SCHEMAS)).toEqual([]);
    expect(checkKql('AzureNetworkAnalytics_CL | where SubType_s == "FlowLog" and DestPort_d == 3389 | project FlowStartTime_t, SrcIP_s, DestIP_s', LOG_ANALYTICS_SCHEMAS)).toEqual([]);
  });
});

describe('RESOURCE_GRAPH_SCHEMAS', () => {
  it('declares Resources with dynamic properties and tags', () => {
    expect(RESOURCE_GRAPH_SCHEMAS.Resources).toContainEqual({ name: 'properties', type: 'dynamic' });
    expect(RESOURCE_GRAPH_SCHEMAS.Resources).toContainEqual({ name: 'tags', type: 'dynamic' });
    expect(checkKql('Resources | where type =~ "microsoft.network/networkinterfaces" | project id, ip = properties.ipConfigurations[0].properties.privateIPAddress', RESOURCE_GRAPH_SCHEMAS)).toEqual([]);
    expect(checkKql('Resources | project ids', RESOURCE_GRAPH_SCHEMAS)).toHaveLength(1);
  });
});
