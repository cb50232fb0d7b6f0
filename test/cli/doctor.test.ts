/**
 * `netproof doctor`: configuration checks from parsed environments, Azure checks through
 * a probe that answers like Azure would (allowed, 403, missing pieces), the report's
 * wording and least-privilege roles, and the exit status.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
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
    const status = await runDoctor({ config: parseConfig({ AZURE_SUBSCRIPTION_ID: SUB, AZURE_LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE }), write: (text) => { output += text; } });
    expect(status).toBe(0);
    expect(output).toMatch(/skipped\s+Azure rights: this build has no Azure probe wired/);
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
