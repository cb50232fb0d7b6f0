/**
 * The lab in a child process (`startLabProcess`, `createRuntime({ labProcess: true })`): the same
 * answers as the lab in process, reached over loopback; faults and clock advances reach the child;
 * close() stops it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { builtInScenariosDirectory, ManualClock } from '../../src/lab/index.js';
import { createRuntime, type Runtime } from '../../src/main.js';

const SCENARIO = join(builtInScenariosDirectory(), 'rdp-remote-site');
const QUESTION = "why can't 192.168.10.5 RDP to vm-app01?";

/** Polls until the check passes (a message to the child and the next HTTP request travel on separate channels). */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function hasNoPermissionGap(runtime: Runtime): Promise<boolean> {
  const outcome = await runtime.estates[0]!.diagnose({ text: QUESTION });
  if (outcome.kind !== 'verdict') throw new Error('not a verdict');
  return outcome.verdict.gaps.some((gap) => gap.reason === 'no-permission');
}

async function verdictOf(runtime: Runtime): Promise<unknown> {
  const outcome = await runtime.estates[0]!.diagnose({ text: QUESTION });
  if (outcome.kind !== 'verdict') throw new Error(`not a verdict: ${outcome.kind}`);
  // Timings are wall-clock and differ run to run; everything else is the rules' answer.
  return { ...outcome.verdict, timings: undefined };
}

describe('the lab in a child process', () => {
  let inProcess: Runtime;
  let child: Runtime;
  beforeAll(async () => {
    inProcess = await createRuntime(parseConfig({}), { scenarioDirectories: [SCENARIO], frozenClock: true });
    child = await createRuntime(parseConfig({}), { scenarioDirectories: [SCENARIO], frozenClock: true, labProcess: true });
  }, 120_000);
  afterAll(async () => {
    await inProcess?.close();
    await child?.close();
  });

  it('answers a question with the same verdict as the lab in process', async () => {
    const expected = await verdictOf(inProcess);
    expect(await verdictOf(child)).toEqual(expected);
    expect(child.lab?.endpoints.arm).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(child.lab?.endpoints.arm).not.toBe(inProcess.lab?.endpoints.arm);
  }, 60_000);

  it('passes injected faults to the child, and clears them', async () => {
    expect(await hasNoPermissionGap(child)).toBe(false);
    child.lab!.injectFault({ target: 'logs', kind: 'forbidden' });
    expect(await eventually(() => hasNoPermissionGap(child))).toBe(true);
    child.lab!.clearFaults();
    expect(await eventually(async () => !(await hasNoPermissionGap(child)))).toBe(true);
  }, 60_000);

  it('moves the child clock with the parent one', async () => {
    const estate = child.estates[0]!;
    const before = estate.now().getTime();
    expect(child.lab!.clock).toBeInstanceOf(ManualClock);
    (child.lab!.clock as ManualClock).advance(3_600_000);
    expect(estate.now().getTime() - before).toBe(3_600_000);
    // The child answers with its own clock: Log Analytics' now() moved by the same hour.
    const childNow = async (): Promise<number> => {
      const logs = await fetch(`${child.lab!.endpoints.logAnalytics}/workspaces/${child.lab!.scenarios[0]!.scenario.workspaceId}/query`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer lab' },
        body: JSON.stringify({ query: 'AZFWNetworkRule | take 1 | extend Now = now() | project Now' }),
      });
      const body = await logs.json() as { tables: { rows: unknown[][] }[] };
      return Date.parse(String(body.tables[0]?.rows[0]?.[0]));
    };
    expect(await eventually(async () => (await childNow()) === estate.now().getTime())).toBe(true);
  }, 60_000);

  it('stops the child on close', async () => {
    const runtime = await createRuntime(parseConfig({}), { scenarioDirectories: [SCENARIO], frozenClock: true, labProcess: true });
    const url = runtime.lab!.endpoints.arm;
    expect((await fetch(`${url}/subscriptions?api-version=2022-12-01`)).status).toBeLessThan(500);
    await runtime.close();
    await expect(fetch(`${url}/subscriptions?api-version=2022-12-01`)).rejects.toThrow();
  }, 60_000);
});

describe('Azurite does not outlive the process that started it', () => {
  it('is gone once a process that started it ends on an uncaught error, without close()', async () => {
    const { spawn } = await import('node:child_process');
    const azurite = new URL('../../dist/src/lab/azurite.js', import.meta.url).href;
    // A process that starts Azurite, prints where it listens, and dies of an uncaught error.
    const script = `const { startAzurite } = await import(${JSON.stringify(azurite)}); const a = await startAzurite([]); console.log(a.url); throw new Error('dies');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0];
    expect(url).toBeDefined();
    // Killed on the way out: its port answers nothing (a little time for the kill to land).
    let answered = true;
    for (let attempt = 0; attempt < 50 && answered; attempt += 1) {
      answered = await fetch(`${url}/devstoreaccount1?comp=list`).then(() => true, () => false);
      if (answered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answered).toBe(false);
  }, 60_000);
});
