/**
 * `netproof doctor`: configuration checks from parsed environments, Azure checks through
 * a probe that answers like Azure would (allowed, 403, missing pieces), the report's
 * wording and least-privilege roles, the exit status; and the composition root's probe against
 * lab scenarios (real findings, and 403s injected by the lab).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { azureChecks, configurationChecks, renderDoctorReport, runDoctor, type AzureDoctorProbe, type CheckResult } from '../../src/cli/doctor.js';
import { parseConfig } from '../../src/config.js';

const SUB = '00000000-0000-0000-0000-000000000001';
const WORKSPACE = '11111111-1111-1111-1111-111111111111';

function byName(results: CheckResult[], name: string): CheckResult | undefined {
  return results.find((result) => result.name === name);
}

/** A probe over a described estate; `denied` lists calls answered 403. */
function probe(options: { denied?: string[]; watcherRegions?: string[]; flowLogs?: ('vnet' | 'none' | 'nsg-only')[]; firewallLogs?: boolean } = {}): AzureDoctorProbe & { calls: string[] } {
  const calls: string[] = [];
  const denied = new Set(options.denied ?? []);
  const no = (what: string) => ({ ok: false as const, reason: 'no-permission' as const, detail: `AuthorizationFailed on ${what}` });
  return {
    calls,
    readSubscription: async (id) => (calls.push(`subscription ${id}`), denied.has('subscription') ? no('subscription') : { ok: true }),
    queryWorkspace: async (id) => (calls.push(`workspace ${id}`), denied.has('workspace') ? no('workspace') : { ok: true }),
    networkWatchers: async () => ({ ok: true, vnetRegions: ['westeurope', 'northeurope', 'westeurope'], watcherRegions: options.watcherRegions ?? ['westeurope', 'northeurope'] }),
    networkWatcherOperations: async () => (denied.has('operations') ? no('networkWatchers/nextHop/action') : { ok: true }),
    flowLogs: async () => ({ ok: true, vnets: (options.flowLogs ?? ['vnet', 'vnet']).map((state, index) => ({ id: `/vnet${index}`, name: `vnet-${index}`, region: 'westeurope', flowLogs: state })) }),
    firewallDiagnostics: async () => ({ ok: true, firewalls: [{ id: '/fw', name: 'fw-hub', resourceSpecificLogs: options.firewallLogs ?? true }] }),
    readCaptureStorage: async () => (denied.has('storage') ? no('storage') : { ok: true }),
  };
}

describe('configuration checks', () => {
  it('calls a local, lab-only setup fine but says what it is', async () => {
    const results = await configurationChecks(parseConfig({}));
    expect(results.filter((result) => result.status === 'missing')).toEqual([]);
    expect(byName(results, 'bot identity')?.status).toBe('warning');
    expect(byName(results, 'AZURE_SUBSCRIPTION_ID')?.detail).toMatch(/built-in scenarios/);
    expect(byName(results, 'LLM')?.detail).toMatch(/rules alone/);
  });

  it('names what an authenticated bot lacks', async () => {
    const results = await configurationChecks(parseConfig({ MicrosoftAppId: 'a0000000-0000-0000-0000-000000000000', MicrosoftAppType: 'SingleTenant', AZURE_SUBSCRIPTION_ID: SUB }));
    const missing = results.filter((result) => result.status === 'missing').map((result) => result.name);
    expect(missing).toEqual(['MicrosoftAppPassword', 'MicrosoftAppTenantId', 'NETPROOF_ALLOWED_TENANTS', 'NETPROOF_PUBLIC_URL', 'AZURE_LOG_ANALYTICS_WORKSPACE_ID']);
  });

  it('checks the access file, the state store, the extra CA and the capture storage id', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'netproof-doctor-'));
    writeFileSync(join(directory, 'access.json'), JSON.stringify({ version: 1, users: { alice: ['00000000-0000-0000-0000-0000000000ff'] } }));
    writeFileSync(join(directory, 'bad.json'), '{"version": 2}');
    writeFileSync(join(directory, 'ca.pem'), 'not a certificate');
    const base = { AZURE_SUBSCRIPTION_ID: SUB, AZURE_LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE };
    const good = await configurationChecks(parseConfig({ ...base, NETPROOF_ACCESS_FILE: join(directory, 'access.json') }));
    expect(byName(good, 'NETPROOF_ACCESS_FILE')).toMatchObject({ status: 'warning', detail: expect.stringMatching(/0000000000ff/) });
    const bad = await configurationChecks(parseConfig({
      ...base, NETPROOF_ACCESS_FILE: join(directory, 'bad.json'), NETPROOF_STATE_STORE: 'blob:AccountKey=very-secret|X',
      NETPROOF_EXTRA_CA_FILE: join(directory, 'ca.pem'), NETPROOF_CAPTURE_STORAGE_ID: 'mystorage',
    }));
    expect(bad.filter((result) => result.status === 'missing').map((result) => result.name))
      .toEqual(['NETPROOF_ACCESS_FILE', 'NETPROOF_STATE_STORE', 'NETPROOF_EXTRA_CA_FILE', 'NETPROOF_CAPTURE_STORAGE_ID']);
    expect(JSON.stringify(bad)).not.toContain('very-secret');
  });
});

describe('Azure checks', () => {
  const config = parseConfig({ AZURE_SUBSCRIPTION_ID: SUB, AZURE_LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE, NETPROOF_CAPTURE_STORAGE_ID: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/captures` });

  it('is all ok when every right and setting is there', async () => {
    const fake = probe();
    const results = await azureChecks(config, fake);
    expect(results.filter((result) => result.status !== 'ok')).toEqual([]);
    expect(fake.calls).toEqual([`subscription ${SUB}`, `workspace ${WORKSPACE}`]);
  });

  it('names the missing role for each forbidden call', async () => {
    const results = await azureChecks(config, probe({ denied: ['workspace', 'operations', 'storage'] }));
    const missing = results.filter((result) => result.status === 'missing');
    expect(missing.map((result) => [result.name, result.role])).toEqual([
      ['subscription 00000000…: Network Watcher operations', 'networkContributor'],
      ['workspace 11111111…: queryable', 'logAnalyticsReader'],
      ['capture storage: readable', 'storageBlobDataReader'],
    ]);
    const report = renderDoctorReport([{ title: 'Azure', results }]);
    expect(report).toContain('grant the identity Log Analytics Reader on each workspace');
    expect(report).toContain('Network Contributor on the Network Watcher resource group');
    expect(report).toContain('Storage Blob Data Reader on the packet-capture storage account');
    expect(report).toMatch(/3 thing\(s\) missing\.\n$/);
  });

  it('stops at an unreadable subscription and asks for Reader', async () => {
    const results = await azureChecks(config, probe({ denied: ['subscription'] }));
    expect(results[0]).toMatchObject({ status: 'missing', role: 'reader', fix: expect.stringContaining('Reader on each subscription') });
    expect(results.filter((result) => result.name.startsWith('subscription'))).toHaveLength(1);
  });

  it('reports regions without Network Watcher, VNets without flow logs, firewalls without resource-specific logs', async () => {
    const results = await azureChecks(config, probe({ watcherRegions: ['westeurope'], flowLogs: ['vnet', 'none', 'nsg-only'], firewallLogs: false }));
    const detail = (suffix: string) => results.find((result) => result.name.endsWith(suffix))?.detail ?? '';
    expect(detail('Network Watcher')).toBe('no Network Watcher in northeurope (VNets there cannot be checked)');
    expect(detail('flow logs')).toBe('2 of 3 VNet(s) without VNet flow logs: vnet-1 (none), vnet-2 (nsg-only)');
    expect(detail('firewall diagnostics')).toMatch(/fw-hub send no resource-specific logs/);
  });
});

describe('runDoctor', () => {
  it('exits 0 when nothing is missing, and says the Azure rights were not checked without a probe', async () => {
    let output = '';
    const status = await runDoctor({ config: parseConfig({ AZURE_SUBSCRIPTION_ID: SUB, AZURE_LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE }), probe: null, write: (text) => { output += text; } });
    expect(status).toBe(0);
    expect(output).toMatch(/skipped\s+Azure rights: no Azure probe was given/);
    expect(output).toMatch(/Nothing is missing\.\n$/);
  });

  it('exits 2 when something is missing', async () => {
    let output = '';
    const status = await runDoctor({ config: parseConfig({ AZURE_SUBSCRIPTION_ID: SUB, AZURE_LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE }), probe: probe({ denied: ['workspace'] }), write: (text) => { output += text; } });
    expect(status).toBe(2);
    expect(output).toMatch(/MISSING\s+workspace 11111111…: queryable: no permission/);
    expect(output).toContain('Roles to grant (least privilege):');
  });
});

describe('runDoctor against the lab (the composition root\'s probe over the real SDK clients)', () => {
  const scenario = (name: string) => join(import.meta.dirname, '..', '..', 'src', 'lab', 'scenarios', name);
  const run = async (environment: Record<string, string>) => {
    let output = '';
    const status = await runDoctor({ config: parseConfig(environment), write: (text) => { output += text; } });
    return { status, output };
  };

  it('reports what coverage-mixed-estate really lacks (flow logs, a firewall\'s resource-specific logs) and what it has', async () => {
    const { status, output } = await run({ NETPROOF_SCENARIO: scenario('coverage-mixed-estate') });
    expect(status).toBe(2);
    expect(output).toContain('Azure (the lab scenario coverage-mixed-estate, through the same SDK clients):');
    expect(output).toMatch(/ok\s+subscription 5460ade7…: readable: Resource Graph returned \d+ resource\(s\)/);
    expect(output).toMatch(/ok\s+subscription 5460ade7…: Network Watcher: present in every VNet region \(eastus2, northeurope, westeurope\)/);
    expect(output).toMatch(/ok\s+subscription 5460ade7…: Network Watcher operations: next hop ran on vm-app01/);
    expect(output).toContain('MISSING  subscription 5460ade7…: flow logs: 5 of 9 VNet(s) without VNet flow logs: fab-us-app-eus2-vnet (none), fab-us-hub-eus2-vnet (none), fab-dr-app-neu-vnet (nsg-only), fab-dr-data-neu-vnet (none), fab-sandbox-weu-vnet (disabled)');
    expect(output).toContain('MISSING  subscription 5460ade7…: firewall diagnostics: fab-hub-neu-afw send no resource-specific logs');
    expect(output).toMatch(/ok\s+workspace c9b0c4ba…: queryable/);
    expect(output).toMatch(/2 thing\(s\) missing\.\n$/);
  }, 60_000);

  it('finds nothing missing in rdp-remote-site', async () => {
    const { status, output } = await run({ NETPROOF_SCENARIO: scenario('rdp-remote-site') });
    expect(output).toMatch(/ok\s+subscription 72e01a46…: flow logs: VNet flow logs on all 3 VNet\(s\)/);
    expect(output).toMatch(/ok\s+subscription 72e01a46…: firewall diagnostics: resource-specific logs on 1 firewall\(s\)/);
    expect(output).toMatch(/Nothing is missing\.\n$/);
    expect(status).toBe(0);
  }, 60_000);

  it('names Log Analytics Reader and Network Contributor when the lab answers 403 to the workspace and to Network Watcher', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'netproof-doctor-lab-'));
    const copy = JSON.parse(readFileSync(join(scenario('rdp-remote-site'), 'scenario.json'), 'utf8')) as Record<string, unknown>;
    copy.faults = [{ target: 'logs', kind: 'forbidden' }, { target: 'networkWatcher', kind: 'forbidden' }];
    writeFileSync(join(directory, 'scenario.json'), JSON.stringify(copy));
    const { status, output } = await run({ NETPROOF_SCENARIO: directory });
    expect(status).toBe(2);
    expect(output).toMatch(/MISSING\s+subscription 72e01a46…: Network Watcher operations: no permission/);
    expect(output).toMatch(/MISSING\s+workspace e0859a6c…: queryable: no permission/);
    expect(output).toContain('Log Analytics Reader on each workspace');
    expect(output).toContain('Network Contributor on the Network Watcher resource group');
  }, 60_000);
});
