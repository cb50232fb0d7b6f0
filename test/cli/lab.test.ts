import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLab, runLab } from '../../src/cli/lab.js';
import { UserInputError } from '../../src/domain/errors.js';
import { startLab, type Lab } from '../../src/lab/index.js';

const scenarioDirectory = 'test/fixtures/scenarios/example-rdp-remote-site';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ scenarios: [scenarioDirectory], storage: false });
});
afterAll(async () => {
  await lab?.close();
});

describe('netproof lab', () => {
  it('prints endpoints, the routing keys of each scenario, and a query that works as printed', async () => {
    const text = describeLab(lab);
    const scenario = lab.scenarios[0]!.scenario;
    expect(text).toContain(lab.endpoints.logAnalytics);
    expect(text).toContain(`subscription=${scenario.subscriptionId}  workspace=${scenario.workspaceId}`);
    // The printed curl example, run as printed (without the shell).
    const url = /curl -s -X POST (\S+) /.exec(text)?.[1];
    const body = /-d '(\{.*\})'/.exec(text)?.[1];
    expect(url).toBe(`${lab.endpoints.logAnalytics}/workspaces/${scenario.workspaceId}/query`);
    const response = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body! });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { tables: { rows: [string, number][] }[] };
    const table = Object.keys(scenario.tables)[0]!;
    const now = Date.parse(scenario.now);
    const inWeek = scenario.tables[table]!.filter((row) => Date.parse(String(row.TimeGenerated)) >= now - 7 * 86_400_000);
    expect(result.tables[0]?.rows.reduce((sum, row) => sum + row[1], 0)).toBe(inWeek.length);
    const list = /curl -s '([^']+)'/.exec(text)?.[1];
    expect((await fetch(list!)).status).toBe(200);
  });

  it('refuses a bad port before starting anything', async () => {
    await expect(runLab({ scenario: [scenarioDirectory], port: 70_000 })).rejects.toBeInstanceOf(UserInputError);
  });

  it('refuses a port in use with a clear message', async () => {
    const port = Number(new URL(lab.endpoints.arm).port);
    const error = await startLab({ scenarios: [scenarioDirectory], storage: false, port }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as Error).message).toContain(`port ${port} on 127.0.0.1 is in use`);
  });
});
