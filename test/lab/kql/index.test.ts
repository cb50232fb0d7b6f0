import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKql, KqlError, runKql, type KqlContext, type KqlRow } from '../../../src/lab/kql/index.js';
import { LOG_ANALYTICS_SCHEMAS, RESOURCE_GRAPH_SCHEMAS } from '../../../src/lab/kql/schemas.js';

const now = new Date('2026-11-12T17:45:00Z');
const hour = 3_600_000;

function firewallRow(time: string, sourceIp: string, destinationIp: string, destinationPort: number, action: string, rule: string, extra: KqlRow = {}): KqlRow {
  return {
    TenantId: 'e0859a6c-91e5-4b1c-b75b-5a1213b77911', TimeGenerated: time, Protocol: 'TCP', SourceIp: sourceIp, SourcePort: 50_000 + destinationPort % 1000,
    DestinationIp: destinationIp, DestinationPort: destinationPort, Action: action, ActionReason: rule === '' ? 'Default Action' : '',
    Policy: 'ctd-hub-eus2-afwp', RuleCollectionGroup: rule === '' ? '' : 'DefaultNetworkRuleCollectionGroup', RuleCollection: rule === '' ? '' : 'onprem-to-azure',
    Rule: rule, SourceSystem: 'Azure', Type: 'AZFWNetworkRule', _ResourceId: '/subscriptions/x/resourcegroups/rg/providers/microsoft.network/azurefirewalls/fw',
    _SubscriptionId: 'x', _BilledSize: 441, _IsBillable: 'True', ...extra,
  };
}

const networkRule: KqlRow[] = [
  firewallRow('2026-11-12T13:20:04.101Z', '10.200.20.4', '10.201.1.4', 3389, 'Allow', 'rdp-jump-to-spokes'),
  firewallRow('2026-11-12T14:02:59.452Z', '192.168.10.21', '10.201.1.4', 443, 'Allow', 'https-onprem-to-apps', { _IngestionTime: '2026-11-12T14:05:00Z' }),
  firewallRow('2026-11-12T14:07:31Z', '192.168.20.11', '10.201.1.5', 3389, 'Allow', 'rdp-onprem-to-spokes'),
  firewallRow('2026-11-12T14:12:00Z', '192.168.10.52', '10.201.1.4', 3389, 'Deny', ''),
  firewallRow('2026-11-12T14:41:10.5Z', '10.200.20.4', '10.201.1.4', 3389, 'Allow', 'rdp-jump-to-spokes'),
  firewallRow('2026-11-12T16:30:00Z', '192.168.30.15', '10.202.1.4', 1433, 'Deny', ''),
  firewallRow('2026-11-12T17:20:00Z', '192.168.10.5', '10.201.1.4', 445, 'Deny', ''),
];

const natRule: KqlRow[] = [{
  TenantId: 't', TimeGenerated: '2026-11-12T15:00:00Z', Protocol: 'TCP', SourceIp: '198.51.100.7', SourcePort: 40_000, DestinationIp: '20.122.41.120',
  DestinationPort: 3389, TranslatedIp: '10.201.1.4', TranslatedPort: 3389, Policy: 'p', RuleCollectionGroup: 'g', RuleCollection: 'c', Rule: 'dnat-rdp',
  SourceSystem: 'Azure', Type: 'AZFWNatRule', _ResourceId: 'r', _SubscriptionId: 's', _BilledSize: 400, _IsBillable: 'True',
}];

const context: KqlContext = { tables: { AZFWNetworkRule: networkRule, AZFWNatRule: natRule }, now, schemas: LOG_ANALYTICS_SCHEMAS };

const time = (row: KqlRow): number => Date.parse(row.TimeGenerated as string);
/** A datetime as Log Analytics writes it: whole seconds carry no fraction. */
const iso = (milliseconds: number): string => new Date(milliseconds).toISOString().replace('.000Z', 'Z');
const pick = (rows: KqlRow[], ...names: string[]): unknown[][] => rows.map((row) => names.map((name) => row[name]));

function run(query: string, overrides: Partial<KqlContext> = {}): ReturnType<typeof runKql> {
  return runKql(query, { ...context, ...overrides });
}

describe('runKql: where', () => {
  const cases: [string, (row: KqlRow) => boolean][] = [
    ['SourceIp == "192.168.10.5"', (row) => row.SourceIp === '192.168.10.5'],
    ['SourceIp != "10.200.20.4"', (row) => row.SourceIp !== '10.200.20.4'],
    ['Action =~ "deny"', (row) => (row.Action as string).toLowerCase() === 'deny'],
    ['Action !~ "DENY"', (row) => (row.Action as string).toLowerCase() !== 'deny'],
    ['DestinationPort in (3389, 22)', (row) => [3389, 22].includes(row.DestinationPort as number)],
    ['DestinationPort !in (3389)', (row) => row.DestinationPort !== 3389],
    ['Action in~ ("DENY", "drop")', (row) => ['deny', 'drop'].includes((row.Action as string).toLowerCase())],
    ['Action in ("deny")', () => false],
    ['SourceIp has "192.168.10.5"', (row) => row.SourceIp === '192.168.10.5'],
    ['SourceIp !has "192.168.10.5"', (row) => row.SourceIp !== '192.168.10.5'],
    ['SourceIp contains "192.168.10.5"', (row) => (row.SourceIp as string).includes('192.168.10.5')],
    ['SourceIp !contains "192.168"', (row) => !(row.SourceIp as string).includes('192.168')],
    ['SourceIp startswith "192.168.1"', (row) => (row.SourceIp as string).startsWith('192.168.1')],
    ['Rule endswith "SPOKES"', (row) => (row.Rule as string).toLowerCase().endsWith('spokes')],
    ['TimeGenerated between (datetime(2026-11-12T14:00:00Z) .. datetime(2026-11-12T14:30:00Z))',
      (row) => time(row) >= Date.parse('2026-11-12T14:00:00Z') && time(row) <= Date.parse('2026-11-12T14:30:00Z')],
    ['TimeGenerated between (datetime(2026-11-12 14:00) .. 1h)', (row) => time(row) >= Date.parse('2026-11-12T14:00:00Z') && time(row) <= Date.parse('2026-11-12T15:00:00Z')],
    ['DestinationPort between (400 .. 1500)', (row) => (row.DestinationPort as number) >= 400 && (row.DestinationPort as number) <= 1500],
    ['Action == "Deny" and DestinationPort == 3389 or SourceIp == "10.200.20.4"',
      (row) => (row.Action === 'Deny' && row.DestinationPort === 3389) || row.SourceIp === '10.200.20.4'],
    ['not(Action == "Allow")', (row) => row.Action !== 'Allow'],
    ['DestinationPort >= 1000 and DestinationPort < 3389', (row) => (row.DestinationPort as number) >= 1000 && (row.DestinationPort as number) < 3389],
    ['TimeGenerated > datetime(2026-11-12T14:41:10.5Z)', (row) => time(row) > Date.parse('2026-11-12T14:41:10.5Z')],
    ['TimeGenerated <= datetime(2026-11-12T14:41:10.5Z)', (row) => time(row) <= Date.parse('2026-11-12T14:41:10.5Z')],
    ['TimeGenerated > ago(4h)', (row) => time(row) > now.getTime() - 4 * hour],
    ['TimeGenerated > ago(30m)', (row) => time(row) > now.getTime() - hour / 2],
    ['TimeGenerated < now(-3h)', (row) => time(row) < now.getTime() - 3 * hour],
    ['TimeGenerated > now() - 10d', () => true],
    ['isempty(Rule)', (row) => row.Rule === ''],
    ['isnotempty(Rule)', (row) => row.Rule !== ''],
    ['tostring(DestinationPort) == "3389"', (row) => row.DestinationPort === 3389],
    ['toint("443") == DestinationPort', (row) => row.DestinationPort === 443],
    ['tolower(Action) == "deny"', (row) => row.Action === 'Deny'],
    ['toupper(Action) == "ALLOW"', (row) => row.Action === 'Allow'],
    ['strcat(SourceIp, ":", DestinationPort) == "192.168.10.52:3389"', (row) => `${row.SourceIp as string}:${row.DestinationPort as number}` === '192.168.10.52:3389'],
    ['ipv4_is_in_range(SourceIp, "192.168.10.0/24")', (row) => (row.SourceIp as string).startsWith('192.168.10.')],
    ['iff(Action == "Deny", DestinationPort, 0) > 0', (row) => row.Action === 'Deny'],
    ['SourceIp matches regex @"^192\\.168\\.(10|20)\\."', (row) => /^192\.168\.(10|20)\./.test(row.SourceIp as string)],
    ['ingestion_time() > datetime(2026-11-12T14:04:00Z) and TimeGenerated < datetime(2026-11-12T14:04:00Z)', (row) => row.SourceIp === '192.168.10.21'],
  ];

  it.each(cases)('where %s', (condition, expected) => {
    const result = run(`AZFWNetworkRule | where ${condition} | project TimeGenerated, SourceIp, DestinationPort`);
    const rows = networkRule.filter(expected);
    expect(result.rows).toEqual(rows.map((row) => [iso(time(row)), row.SourceIp, row.DestinationPort]));
  });
});

describe('runKql: tabular operators', () => {
  it('keeps the declared column types and writes datetimes as Log Analytics does', () => {
    const result = run('AZFWNetworkRule | take 1 | project TimeGenerated, DestinationPort, _BilledSize, Action');
    expect(result.columns).toEqual([
      { name: 'TimeGenerated', type: 'datetime' }, { name: 'DestinationPort', type: 'int' }, { name: '_BilledSize', type: 'real' }, { name: 'Action', type: 'string' },
    ]);
    expect(result.rows).toEqual([['2026-11-12T13:20:04.101Z', 3389, 441, 'Allow']]);
  });

  it('returns every declared column for a table name alone, never the ingestion time', () => {
    const result = run('AZFWNetworkRule');
    expect(result.columns.map((column) => column.name)).toEqual(LOG_ANALYTICS_SCHEMAS.AZFWNetworkRule!.map((column) => column.name));
    expect(result.rows).toHaveLength(networkRule.length);
  });

  it('project-away, project-rename and extend', () => {
    const away = run('AZFWNetworkRule | project SourceIp, DestinationIp, Rule | project-away Rule');
    expect(away.rows).toEqual(pick(networkRule, 'SourceIp', 'DestinationIp'));
    const renamed = run('AZFWNetworkRule | project SourceIp, DestinationPort | project-rename Source = SourceIp, Port = DestinationPort');
    expect(renamed.columns.map((column) => column.name)).toEqual(['Source', 'Port']);
    expect(renamed.rows).toEqual(pick(networkRule, 'SourceIp', 'DestinationPort'));
    const extended = run('AZFWNetworkRule | extend Flow = strcat(SourceIp, "->", DestinationIp), Next = DestinationPort + 1 | project Flow, Next');
    expect(extended.columns).toEqual([{ name: 'Flow', type: 'string' }, { name: 'Next', type: 'long' }]);
    expect(extended.rows).toEqual(networkRule.map((row) => [`${row.SourceIp as string}->${row.DestinationIp as string}`, (row.DestinationPort as number) + 1]));
  });

  it('order by, sort by, take, limit, top', () => {
    const byTime = [...networkRule].sort((a, b) => time(a) - time(b));
    expect(run('AZFWNetworkRule | order by TimeGenerated asc | project SourceIp').rows).toEqual(pick(byTime, 'SourceIp'));
    expect(run('AZFWNetworkRule | sort by TimeGenerated desc | project SourceIp').rows).toEqual(pick([...byTime].reverse(), 'SourceIp'));
    expect(run('AZFWNetworkRule | sort by TimeGenerated | take 2 | project SourceIp').rows).toEqual(pick([...byTime].reverse().slice(0, 2), 'SourceIp'));
    expect(run('AZFWNetworkRule | limit 3').rows).toHaveLength(3);
    const byPort = [...networkRule].sort((a, b) => (a.DestinationPort as number) - (b.DestinationPort as number) || time(a) - time(b));
    expect(run('AZFWNetworkRule | top 2 by DestinationPort asc | project DestinationPort').rows).toEqual(pick(byPort.slice(0, 2), 'DestinationPort'));
  });

  it('distinct and count', () => {
    const sources = [...new Set(networkRule.map((row) => row.SourceIp))];
    expect(run('AZFWNetworkRule | distinct SourceIp').rows).toEqual(sources.map((source) => [source]));
    expect(run('AZFWNetworkRule | where Action == "Deny" | count').rows).toEqual([[networkRule.filter((row) => row.Action === 'Deny').length]]);
  });

  it('summarize count, countif, min, max, dcount, make_set by a column', () => {
    const result = run('AZFWNetworkRule | summarize Hits = count(), Denied = countif(Action == "Deny"), First = min(TimeGenerated), Last = max(TimeGenerated), Sources = dcount(SourceIp), Ports = make_set(DestinationPort) by DestinationIp | order by DestinationIp asc');
    expect(result.columns).toEqual([
      { name: 'DestinationIp', type: 'string' }, { name: 'Hits', type: 'long' }, { name: 'Denied', type: 'long' }, { name: 'First', type: 'datetime' },
      { name: 'Last', type: 'datetime' }, { name: 'Sources', type: 'long' }, { name: 'Ports', type: 'dynamic' },
    ]);
    const destinations = [...new Set(networkRule.map((row) => row.DestinationIp as string))].sort();
    expect(result.rows).toEqual(destinations.map((destination) => {
      const rows = networkRule.filter((row) => row.DestinationIp === destination);
      const times = rows.map(time);
      return [
        destination, rows.length, rows.filter((row) => row.Action === 'Deny').length, iso(Math.min(...times)),
        iso(Math.max(...times)), new Set(rows.map((row) => row.SourceIp)).size,
        [...new Set(rows.map((row) => row.DestinationPort))],
      ];
    }));
  });

  it('summarize count() by bin(TimeGenerated, 1h) and with no by clause', () => {
    const result = run('AZFWNetworkRule | summarize count() by bin(TimeGenerated, 1h) | order by TimeGenerated asc');
    expect(result.columns).toEqual([{ name: 'TimeGenerated', type: 'datetime' }, { name: 'count_', type: 'long' }]);
    const buckets = new Map<number, number>();
    for (const row of networkRule) buckets.set(Math.floor(time(row) / hour) * hour, (buckets.get(Math.floor(time(row) / hour) * hour) ?? 0) + 1);
    expect(result.rows).toEqual([...buckets].sort((a, b) => a[0] - b[0]).map(([start, count]) => [iso(start), count]));
    expect(run('AZFWNetworkRule | where SourceIp == "nobody" | summarize count()').rows).toEqual([[0]]);
    expect(run('AZFWNetworkRule | where SourceIp == "nobody" | summarize count() by SourceIp').rows).toEqual([]);
  });

  it('summarize arg_max(TimeGenerated, *) keeps the latest row of each group', () => {
    const result = run('AZFWNetworkRule | summarize arg_max(TimeGenerated, *) by SourceIp | project SourceIp, TimeGenerated, DestinationPort, Action');
    const latest = new Map<string, KqlRow>();
    for (const row of networkRule) {
      const seen = latest.get(row.SourceIp as string);
      if (seen === undefined || time(row) > time(seen)) latest.set(row.SourceIp as string, row);
    }
    expect(result.rows.map((row) => [row[0], row[2], row[3]])).toEqual([...latest.values()].map((row) => [row.SourceIp, row.DestinationPort, row.Action]));
  });

  it('let of a scalar, and of a tabular expression', () => {
    const result = run('let window = 4h; let source = "10.200.20.4"; AZFWNetworkRule | where TimeGenerated > ago(window) and SourceIp == source | count');
    expect(result.rows).toEqual([[networkRule.filter((row) => time(row) > now.getTime() - 4 * hour && row.SourceIp === '10.200.20.4').length]]);
    const tabular = run('let denied = AZFWNetworkRule | where Action == "Deny"; denied | project SourceIp');
    expect(tabular.rows).toEqual(pick(networkRule.filter((row) => row.Action === 'Deny'), 'SourceIp'));
  });

  it('union: with isfuzzy=true a missing table is skipped; without it the query fails', () => {
    const result = run('union isfuzzy=true AZFWNetworkRule, AZFWNatRule, AZFWThreatIntel | summarize count() by Type | order by Type asc');
    expect(result.rows).toEqual([['AZFWNatRule', natRule.length], ['AZFWNetworkRule', networkRule.length]]);
    const piped = run('AZFWNetworkRule | union AZFWNatRule | where DestinationPort == 3389 | count');
    expect(piped.rows).toEqual([[[...networkRule, ...natRule].filter((row) => row.DestinationPort === 3389).length]]);
    expect(() => run('union AZFWNetworkRule, AZFWThreatIntel | count')).toThrow(KqlError);
  });

  it('applies the API timespan to TimeGenerated in addition to the query', () => {
    const timespan = { start: new Date('2026-11-12T14:00:00Z'), end: new Date('2026-11-12T15:00:00Z') };
    const result = run('AZFWNetworkRule | where Action == "Allow" | project SourceIp', { timespan });
    expect(result.rows).toEqual(pick(networkRule.filter((row) => row.Action === 'Allow' && time(row) >= timespan.start.getTime() && time(row) <= timespan.end.getTime()), 'SourceIp'));
  });

  it('caps the rows at maxRows', () => {
    expect(run('AZFWNetworkRule', { maxRows: 2 }).rows).toHaveLength(2);
  });

  it('infers column types when no schema is declared', () => {
    const result = runKql('Events | where Port > 100 | project When, Port, Ok, Bag', {
      tables: { Events: [{ When: '2026-11-12T14:00:00Z', Port: 443, Ok: true, Bag: { a: 1 } }, { When: '2026-11-12T15:00:00Z', Port: 53, Ok: false, Bag: null }] },
      now,
    });
    expect(result.columns).toEqual([{ name: 'When', type: 'datetime' }, { name: 'Port', type: 'long' }, { name: 'Ok', type: 'bool' }, { name: 'Bag', type: 'dynamic' }]);
    expect(result.rows).toEqual([['2026-11-12T14:00:00Z', 443, true, { a: 1 }]]);
  });
});

describe('runKql: Resource Graph dynamic members', () => {
  const resources: KqlRow[] = [
    {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic-vm-app01', name: 'nic-vm-app01',
      type: 'microsoft.network/networkinterfaces', location: 'eastus2', resourceGroup: 'rg', subscriptionId: 's', tenantId: 't', kind: '',
      tags: { env: 'prod' }, properties: { ipConfigurations: [{ name: 'ipconfig1', properties: { privateIPAddress: '10.201.1.4' } }], 'enable Accelerated': true },
    },
    {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic-vm-app02', name: 'nic-vm-app02',
      type: 'microsoft.network/networkinterfaces', location: 'eastus2', resourceGroup: 'rg', subscriptionId: 's', tenantId: 't', kind: '',
      tags: {}, properties: { ipConfigurations: [{ name: 'ipconfig1', properties: { privateIPAddress: '10.201.1.5' } }] },
    },
    { id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-app01', name: 'vm-app01', type: 'microsoft.compute/virtualmachines', location: 'eastus2', resourceGroup: 'rg', subscriptionId: 's', tenantId: 't', kind: '', tags: null, properties: {} },
  ];
  const graph: KqlContext = { tables: { Resources: resources }, now, schemas: RESOURCE_GRAPH_SCHEMAS };

  it('reads nested properties with dots, indexes and brackets', () => {
    const result = runKql('Resources | where type =~ "Microsoft.Network/networkInterfaces" | extend ip = tostring(properties.ipConfigurations[0].properties.privateIPAddress) | where ip == "10.201.1.4" | project name, ip, accelerated = properties["enable Accelerated"], env = tags.env', graph);
    expect(result.columns).toEqual([{ name: 'name', type: 'string' }, { name: 'ip', type: 'string' }, { name: 'accelerated', type: 'dynamic' }, { name: 'env', type: 'dynamic' }]);
    expect(result.rows).toEqual([['nic-vm-app01', '10.201.1.4', true, 'prod']]);
  });

  it('gives null for a missing member, never an error', () => {
    const result = runKql('Resources | project name, ip = properties.ipConfigurations[0].properties.privateIPAddress | where isnull(ip)', graph);
    expect(result.rows).toEqual([['vm-app01', null]]);
  });
});

describe('runKql: refusals', () => {
  it.each([
    ['AZFWNetworkRule | join kind=inner (AZFWNatRule) on SourceIp', 'BadArgumentError'],
    ['AZFWNetworkRule | parse Rule with a "-" b', 'BadArgumentError'],
    ['AZFWNetworkRule | extend Rules = pack_array(Rule) | mv-expand Rules', 'BadArgumentError'],
    ['AZFWNetworkRule | extend x = base64_encode_tostring(Rule)', 'BadArgumentError'],
    ['AZFWNetworkRule | summarize percentile(DestinationPort, 50)', 'BadArgumentError'],
    ['AZFWNetworkRule | where SourceIpp == "192.168.10.5"', 'SemanticError'],
    ['AZFWThreatIntel | take 1', 'SemanticError'],
    ['AZFWNetworkRule | where', 'SyntaxError'],
    ['AZFWNetworkRule | where DestinationPort == "3389" +', 'SyntaxError'],
  ])('%s -> %s', (query, code) => {
    let thrown: unknown;
    try {
      run(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KqlError);
    expect((thrown as KqlError).code).toBe(code);
    expect((thrown as KqlError).message.length).toBeGreaterThan(0);
  });

  it('names the misspelled column with the language service\'s message', () => {
    expect(() => run('AZFWNetworkRule | where SourceIpp == "1"')).toThrow("The name 'SourceIpp' does not refer to any known column, table, variable or function.");
  });
});

describe('checkKql', () => {
  it('accepts a correct query and reports a misspelled column or table', () => {
    expect(checkKql('AZFWNetworkRule | where SourceIp == "10.0.0.1" and DestinationPort == 3389 | project TimeGenerated, Action', LOG_ANALYTICS_SCHEMAS)).toEqual([]);
    expect(checkKql('AZFWNetworkRule | where DestinationIpAddress == "10.0.0.1"', LOG_ANALYTICS_SCHEMAS))
      .toEqual(["The name 'DestinationIpAddress' does not refer to any known column, table, variable or function."]);
    expect(checkKql('AZFWApplicationRule | where DestinationIp == "10.0.0.1"', LOG_ANALYTICS_SCHEMAS)).toHaveLength(1);
    expect(checkKql('AZFWNetworkRules | take 1', LOG_ANALYTICS_SCHEMAS)).toHaveLength(1);
  });
});

describe('property: random where/project/take pipelines', () => {
  const columns = ['SourceIp', 'DestinationIp', 'DestinationPort', 'Action', 'Rule', 'TimeGenerated', 'Nonexistent'];
  const operators = ['==', '!=', '=~', '!~', 'has', '!has', 'contains', '!contains', 'startswith', 'endswith', '<', '>', '>=', 'in', '!in', 'like', '~~'];
  const literals = ['"192.168.10.5"', '"Deny"', '3389', '443', 'datetime(2026-11-12T14:00:00Z)', 'ago(1h)', '1h', '""', '("a", "b")', '(3389, 22)', 'dynamic(null)', 'true'];
  const condition = fc.tuple(fc.constantFrom(...columns), fc.constantFrom(...operators), fc.constantFrom(...literals)).map(([column, operator, value]) => `${column} ${operator} ${value}`);
  const stage = fc.oneof(
    fc.array(condition, { minLength: 1, maxLength: 3 }).chain((parts) => fc.constantFrom('and', 'or').map((join) => `where ${parts.join(` ${join} `)}`)),
    fc.subarray(columns, { minLength: 1 }).map((picked) => `project ${picked.join(', ')}`),
    fc.integer({ min: -1, max: 10 }).map((count) => `take ${count}`),
    fc.constantFrom('count', 'distinct Action', 'summarize count() by Action', 'order by TimeGenerated asc', 'top 2 by DestinationPort'),
  );

  it('never fails with anything but KqlError, and never returns more rows than the table holds', () => {
    fc.assert(fc.property(fc.array(stage, { minLength: 1, maxLength: 4 }), (stages) => {
      const query = ['AZFWNetworkRule', ...stages].join(' | ');
      try {
        const result = run(query);
        expect(result.rows.length).toBeLessThanOrEqual(networkRule.length);
        for (const row of result.rows) expect(row).toHaveLength(result.columns.length);
      } catch (error) {
        if (!(error instanceof KqlError)) throw error;
      }
    }), { seed: 20261112, numRuns: 150 });
  });

  it('a filter and its negation split the rows (for conditions that are never null)', () => {
    const stringColumns = ['SourceIp', 'DestinationIp', 'Action', 'Rule'];
    const stringOperators = ['==', '=~', 'has', 'contains', 'startswith', 'endswith'];
    const needles = ['"192.168.10.5"', '"deny"', '"10.201"', '"spokes"', '""', '"Allow"'];
    fc.assert(fc.property(fc.constantFrom(...stringColumns), fc.constantFrom(...stringOperators), fc.constantFrom(...needles), (column, operator, needle) => {
      const positive = run(`AZFWNetworkRule | where ${column} ${operator} ${needle} | count`).rows[0]![0] as number;
      const negative = run(`AZFWNetworkRule | where not(${column} ${operator} ${needle}) | count`).rows[0]![0] as number;
      expect(positive + negative).toBe(networkRule.length);
    }), { seed: 7, numRuns: 60 });
  });
});
