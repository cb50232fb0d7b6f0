import { readFileSync } from 'node:fs';
import { LogsQueryResultStatus, type LogsQueryPartialResult, type LogsQuerySuccessfulResult } from '@azure/monitor-query-logs';
import type { PipelineResponse } from '@azure/core-rest-pipeline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLabClients, FAULT_HEADER, ManualClock, startLab, type Lab, type LabClients } from '../../src/lab/index.js';

const scenarioDirectory = 'test/fixtures/scenarios/example-rdp-remote-site';
const scenario = JSON.parse(readFileSync(`${scenarioDirectory}/scenario.json`, 'utf8')) as {
  workspaceId: string;
  now: string;
  tables: Record<string, Record<string, unknown>[]>;
};
const workspace = scenario.workspaceId;
const firewallId = '/subscriptions/72e01a46-36d0-4b16-9f69-2e936641b9b4/resourceGroups/ctd-connectivity-rg/providers/Microsoft.Network/azureFirewalls/ctd-hub-eus2-afw';
const window = { startTime: new Date('2026-11-12T14:00:00Z'), endTime: new Date('2026-11-12T14:30:00Z') };
const inWindow = (row: Record<string, unknown>): boolean => {
  const time = Date.parse(String(row.TimeGenerated));
  return time >= window.startTime.getTime() && time <= window.endTime.getTime();
};

let lab: Lab;
let clients: LabClients;

beforeAll(async () => {
  lab = await startLab({ scenarios: [scenarioDirectory], storage: false, clock: new ManualClock() });
  clients = createLabClients(lab, { retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 20 } });
});
afterAll(async () => {
  await lab?.close();
});
afterEach(() => lab.clearFaults());

function success(result: Awaited<ReturnType<LabClients['logs']['queryWorkspace']>>): LogsQuerySuccessfulResult {
  expect(result.status).toBe(LogsQueryResultStatus.Success);
  return result as LogsQuerySuccessfulResult;
}

describe('POST /v1/workspaces/{id}/query through LogsQueryClient', () => {
  it('returns only the rows the query selects, compared whole (192.168.10.5 is not 192.168.10.52)', async () => {
    const query = 'AZFWNetworkRule | where SourceIp == "192.168.10.52" | project TimeGenerated, SourceIp, DestinationIp, DestinationPort | order by TimeGenerated asc';
    const result = success(await clients.logs.queryWorkspace(workspace, query, { duration: 'P2D' }));
    const expected = scenario.tables.AZFWNetworkRule!.filter((row) => row.SourceIp === '192.168.10.52');
    expect(expected.length).toBeGreaterThan(0);
    const table = result.tables[0]!;
    expect(table.name).toBe('PrimaryResult');
    expect(table.columnDescriptors.map((column) => [column.name, column.type])).toEqual([
      ['TimeGenerated', 'datetime'],
      ['SourceIp', 'string'],
      ['DestinationIp', 'string'],
      ['DestinationPort', 'int'],
    ]);
    expect(table.rows.length).toBe(expected.length);
    expect(table.rows[0]?.[0]).toBeInstanceOf(Date);
    const exact = success(await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | where SourceIp == "192.168.10.5" | count', { duration: 'P2D' }));
    expect(exact.tables[0]?.rows).toEqual([[0]]);
  });

  it('applies the timespan (an interval) on top of the query', async () => {
    const result = success(await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', window));
    expect(result.tables[0]?.rows).toEqual([[scenario.tables.AZFWNetworkRule!.filter(inWindow).length]]);
  });

  it('measures a duration back from the scenario clock', async () => {
    const result = success(await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | summarize max(TimeGenerated)', { duration: 'PT1H' }));
    const now = Date.parse(scenario.now);
    const expected = scenario.tables.AZFWNetworkRule!.map((row) => Date.parse(String(row.TimeGenerated))).filter((time) => time >= now - 3_600_000 && time <= now);
    expect((result.tables[0]?.rows[0]?.[0] as Date).getTime()).toBe(Math.max(...expected));
  });

  it('answers a syntax error as Log Analytics does: 400 BadArgumentError with the inner error', async () => {
    const error = await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | where', { duration: 'PT1H' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 400, code: 'BadArgumentError' });
    const details = (error as { details?: { error?: { innererror?: { code?: string } } } }).details;
    expect(details?.error?.innererror?.code).toBe('SyntaxError');
  });

  it('fails for a table the workspace never received, and union isfuzzy=true skips it', async () => {
    await expect(clients.logs.queryWorkspace(workspace, 'AZFWNatRule | count', { duration: 'P2D' })).rejects.toMatchObject({ statusCode: 400 });
    const fuzzy = success(await clients.logs.queryWorkspace(workspace, 'union isfuzzy=true AZFWNatRule, AZFWApplicationRule | count', { duration: 'P2D' }));
    expect(fuzzy.tables[0]?.rows).toEqual([[scenario.tables.AZFWApplicationRule!.length]]);
  });

  it('answers an unknown workspace with 404', async () => {
    await expect(clients.logs.queryWorkspace('99999999-9999-9999-9999-999999999999', 'AZFWNetworkRule | count', { duration: 'PT1H' })).rejects.toMatchObject({
      statusCode: 404,
    });
  });
});

describe('resource-centric and batch queries', () => {
  it('queries the rows of one resource through POST /v1{resourceId}/query', async () => {
    const result = await clients.logs.queryResource(firewallId, 'AZFWNetworkRule | count', { duration: 'P2D' });
    expect((result as LogsQuerySuccessfulResult).tables[0]?.rows).toEqual([[scenario.tables.AZFWNetworkRule!.length]]);
    const other = await clients.logs.queryResource(firewallId.replace('ctd-hub-eus2-afw', 'another-afw'), 'AZFWNetworkRule | count', { duration: 'P2D' }).catch((caught: unknown) => caught);
    expect(other).toMatchObject({ statusCode: 404 });
  });

  it('answers each request of a batch on its own', async () => {
    const results = await clients.logs.queryBatch([
      { workspaceId: workspace, query: 'AZFWApplicationRule | count', timespan: { duration: 'P2D' } },
      { workspaceId: workspace, query: 'NoSuchTable | count', timespan: { duration: 'P2D' } },
    ]);
    expect(results[0]).toMatchObject({ status: LogsQueryResultStatus.Success });
    expect((results[0] as LogsQuerySuccessfulResult).tables[0]?.rows).toEqual([[scenario.tables.AZFWApplicationRule!.length]]);
    expect(results[1]?.status).not.toBe(LogsQueryResultStatus.Success);
  });
});

describe('Log Analytics faults', () => {
  it('partial: 200 with a PartialError beside the rows so far', async () => {
    const result = await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | project SourceIp', { duration: 'P2D' }, {
      requestOptions: { headers: { [FAULT_HEADER]: JSON.stringify({ target: 'logs', kind: 'partial' }) } },
    });
    expect(result.status).toBe(LogsQueryResultStatus.PartialFailure);
    const partial = result as LogsQueryPartialResult;
    expect(partial.partialError.code).toBe('PartialError');
    expect(partial.partialTables[0]?.rows.length).toBe(Math.floor(scenario.tables.AZFWNetworkRule!.length / 2));
  });

  it('missing table: the named table is gone for the query, the others stay', async () => {
    lab.injectFault({ target: 'logs', kind: 'missing-table', match: { table: 'AZFWApplicationRule' } });
    await expect(clients.logs.queryWorkspace(workspace, 'AZFWApplicationRule | count', { duration: 'P2D' })).rejects.toMatchObject({ statusCode: 400 });
    const fuzzy = success(await clients.logs.queryWorkspace(workspace, 'union isfuzzy=true AZFWApplicationRule, AZFWThreatIntel | count', { duration: 'P2D' }));
    expect(fuzzy.tables[0]?.rows).toEqual([[scenario.tables.AZFWThreatIntel!.length]]);
  });

  it('forbidden: 403 InsufficientAccessError', async () => {
    lab.injectFault({ target: 'logs', kind: 'forbidden' });
    await expect(clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', { duration: 'PT1H' })).rejects.toMatchObject({
      statusCode: 403,
      code: 'InsufficientAccessError',
    });
  });

  it('throttle: 429 with Retry-After, which the SDK retry policy honours', async () => {
    lab.injectFault({ target: 'logs', kind: 'throttle', retryAfterInSeconds: 1, times: 1 });
    const seen: [number, string | undefined][] = [];
    const recorder = {
      name: 'recordAttempts',
      sendRequest: async (request: Parameters<Parameters<typeof clients.logs.pipeline.addPolicy>[0]['sendRequest']>[0], next: (request: never) => Promise<PipelineResponse>) => {
        const response = await next(request as never);
        seen.push([response.status, response.headers.get('retry-after')]);
        return response;
      },
    };
    clients.logs.pipeline.addPolicy(recorder, { afterPhase: 'Retry' });
    try {
      const result = success(await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', { duration: 'P2D' }));
      expect(result.tables[0]?.rows).toEqual([[scenario.tables.AZFWNetworkRule!.length]]);
    } finally {
      clients.logs.pipeline.removePolicy({ name: 'recordAttempts' });
    }
    expect(seen).toEqual([
      [429, '1'],
      [200, undefined],
    ]);
  });

  it('server error: 5xx in the Log Analytics error shape', async () => {
    lab.injectFault({ target: 'logs', kind: 'server-error', status: 503 });
    await expect(clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', { duration: 'PT1H' })).rejects.toMatchObject({ statusCode: 503 });
  });

  it('a fault narrowed to a table leaves queries of other tables alone', async () => {
    lab.injectFault({ target: 'logs', kind: 'forbidden', match: { table: 'NTANetAnalytics' } });
    success(await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', { duration: 'PT1H' }));
    await expect(clients.logs.queryWorkspace(workspace, 'NTANetAnalytics | count', { duration: 'PT1H' })).rejects.toMatchObject({ statusCode: 403 });
  });

  it('timeout: the query is held until the server timeout the client asked for (Prefer: wait), then fails with 504', async () => {
    lab.injectFault({ target: 'logs', kind: 'timeout', latencyInMs: 60_000 });
    const noRetries = createLabClients(lab, { retryOptions: { maxRetries: 0 } });
    await expect(
      noRetries.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', { duration: 'PT1H' }, { serverTimeoutInSeconds: 1 }),
    ).rejects.toMatchObject({ statusCode: 504, code: 'GatewayTimeout' });
  });

  it('latency: the answer is delayed, then correct', async () => {
    lab.injectFault({ target: 'logs', kind: 'latency', latencyInMs: 50 });
    const result = success(await clients.logs.queryWorkspace(workspace, 'AZFWNetworkRule | count', { duration: 'P2D' }));
    expect(result.tables[0]?.rows).toEqual([[scenario.tables.AZFWNetworkRule!.length]]);
  });
});
