import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KqlError, runKql, type KqlContext, type KqlRow } from '../../../src/lab/kql/index.js';
import { LOG_ANALYTICS_SCHEMAS } from '../../../src/lab/kql/schemas.js';

// Queries an engineer would type, over the example scenario's real-shaped tables;
// each expectation is computed here with plain array code.
const scenario = JSON.parse(readFileSync(new URL('../../fixtures/scenarios/example-rdp-remote-site/scenario.json', import.meta.url), 'utf8')) as {
  now: string;
  tables: Record<string, KqlRow[]>;
};
const context: KqlContext = { tables: scenario.tables, now: new Date(scenario.now), schemas: LOG_ANALYTICS_SCHEMAS };
const table = (name: string): KqlRow[] => scenario.tables[name] ?? [];
const time = (value: unknown): number => Date.parse(value as string);
const iso = (milliseconds: number): string => new Date(milliseconds).toISOString().replace('.000Z', 'Z');
const windowStart = Date.parse('2026-11-12T14:00:00Z');
const windowEnd = Date.parse('2026-11-12T14:30:00Z');

describe('the example scenario through runKql', () => {
  it('the firewall window query of the issue: nothing from 192.168.10.5', () => {
    const result = runKql('AZFWNetworkRule | where TimeGenerated between (datetime(2026-11-12T14:00:00Z) .. datetime(2026-11-12T14:30:00Z)) and SourceIp == "192.168.10.5" | project TimeGenerated, SourceIp, DestinationIp, DestinationPort, Action, Rule | order by TimeGenerated asc', context);
    expect(result.columns.map((column) => column.name)).toEqual(['TimeGenerated', 'SourceIp', 'DestinationIp', 'DestinationPort', 'Action', 'Rule']);
    expect(result.rows).toEqual(table('AZFWNetworkRule').filter((row) => row.SourceIp === '192.168.10.5' && time(row.TimeGenerated) >= windowStart && time(row.TimeGenerated) <= windowEnd));
    expect(result.rows).toEqual([]);
  });

  it('the same window from the branch: every row, in time order', () => {
    const result = runKql('AZFWNetworkRule | where TimeGenerated between (datetime(2026-11-12T14:00:00Z) .. datetime(2026-11-12T14:30:00Z)) and ipv4_is_in_range(SourceIp, "192.168.0.0/16") | project TimeGenerated, SourceIp, DestinationIp, DestinationPort, Action, Rule | order by TimeGenerated asc', context);
    const expected = table('AZFWNetworkRule')
      .filter((row) => (row.SourceIp as string).startsWith('192.168.') && time(row.TimeGenerated) >= windowStart && time(row.TimeGenerated) <= windowEnd)
      .sort((a, b) => time(a.TimeGenerated) - time(b.TimeGenerated))
      .map((row) => [iso(time(row.TimeGenerated)), row.SourceIp, row.DestinationIp, row.DestinationPort, row.Action, row.Rule]);
    expect(expected.length).toBeGreaterThan(0);
    expect(result.rows).toEqual(expected);
  });

  it('compares whole addresses: 192.168.10.5 never matches 192.168.10.52, while contains does', () => {
    const all = ['AZFWNetworkRule', 'AZFWFlowTrace', 'AZFWIdpsSignature', 'AZFWThreatIntel'];
    const union = `union isfuzzy=true ${all.join(', ')}`;
    const whole = runKql(`${union} | where SourceIp == "192.168.10.5" or DestinationIp == "192.168.10.5" | count`, context);
    const has = runKql(`${union} | where SourceIp has "192.168.10.5" or DestinationIp has "192.168.10.5" | count`, context);
    const contains = runKql(`${union} | where SourceIp contains "192.168.10.5" | count`, context);
    const rows = all.flatMap(table);
    expect(whole.rows).toEqual([[rows.filter((row) => row.SourceIp === '192.168.10.5' || row.DestinationIp === '192.168.10.5').length]]);
    expect(has.rows).toEqual(whole.rows);
    const substring = rows.filter((row) => (row.SourceIp as string).includes('192.168.10.5')).length;
    expect(substring).toBeGreaterThan(0);
    expect(contains.rows).toEqual([[substring]]);
  });

  it('Traffic Analytics flows from the branch per interval', () => {
    const result = runKql('NTANetAnalytics | where SubType == "FlowLog" and FlowType == "S2S" and FlowIntervalStartTime >= datetime(2026-11-12T14:00:00Z) and FlowIntervalStartTime < datetime(2026-11-12T14:30:00Z) | summarize Flows = count(), Sources = make_set(SrcIp) by FlowIntervalStartTime | order by FlowIntervalStartTime asc', context);
    const rows = table('NTANetAnalytics').filter((row) => row.SubType === 'FlowLog' && row.FlowType === 'S2S' && time(row.FlowIntervalStartTime) >= windowStart && time(row.FlowIntervalStartTime) < windowEnd);
    const starts = [...new Set(rows.map((row) => time(row.FlowIntervalStartTime)))].sort((a, b) => a - b);
    expect(result.rows).toEqual(starts.map((start) => {
      const group = rows.filter((row) => time(row.FlowIntervalStartTime) === start);
      return [iso(start), group.length, [...new Set(group.map((row) => row.SrcIp))]];
    }));
  });

  it('latest ingestion per table with ingestion_time()', () => {
    const result = runKql('NTANetAnalytics | summarize Latest = max(ingestion_time())', context);
    const latest = Math.max(...table('NTANetAnalytics').map((row) => time(row._IngestionTime ?? row.TimeGenerated)));
    expect(result.rows).toEqual([[iso(latest)]]);
    expect(runKql('NTANetAnalytics | take 1', context).columns.map((column) => column.name)).not.toContain('_IngestionTime');
  });

  it('default-action denies by source and destination, busiest first', () => {
    const result = runKql('AZFWNetworkRule | where Action == "Deny" and ActionReason == "Default Action" | summarize Attempts = count() by SourceIp, DestinationIp, DestinationPort | top 3 by Attempts desc', context);
    const counts = new Map<string, number>();
    for (const row of table('AZFWNetworkRule').filter((candidate) => candidate.Action === 'Deny' && candidate.ActionReason === 'Default Action')) {
      const key = JSON.stringify([row.SourceIp, row.DestinationIp, row.DestinationPort]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const expected = [...counts].map(([key, count]) => [...(JSON.parse(key) as unknown[]), count]).sort((a, b) => (b[3] as number) - (a[3] as number));
    expect(result.rows.map((row) => row[3])).toEqual(expected.slice(0, 3).map((row) => row[3]));
    for (const row of result.rows) expect(expected).toContainEqual(row);
  });

  it('VPN gateway IKE events in AzureDiagnostics', () => {
    const result = runKql('AzureDiagnostics | where ResourceType == "VIRTUALNETWORKGATEWAYS" and Category == "IKEDiagnosticLog" and Message has "Dead peer detection" | project TimeGenerated, remoteIP_s, Level | order by TimeGenerated asc', context);
    const expected = table('AzureDiagnostics')
      .filter((row) => row.ResourceType === 'VIRTUALNETWORKGATEWAYS' && row.Category === 'IKEDiagnosticLog' && /dead peer detection/i.test(row.Message as string))
      .sort((a, b) => time(a.TimeGenerated) - time(b.TimeGenerated))
      .map((row) => [iso(time(row.TimeGenerated)), row.remoteIP_s, row.Level]);
    expect(expected.length).toBeGreaterThan(0);
    expect(result.rows).toEqual(expected);
  });

  it('a table the scenario lacks does not exist', () => {
    expect(() => runKql('AZFWNatRule | take 1', context)).toThrow(KqlError);
    expect(runKql('union isfuzzy=true AZFWNatRule, AZFWNetworkRule | count', context).rows).toEqual([[table('AZFWNetworkRule').length]]);
  });
});
