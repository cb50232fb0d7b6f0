/**
 * `netproof doctor`: checks the configuration and the rights of the identity netproof
 * runs with, and prints what is missing with the least-privilege role that fixes it.
 *
 * The configuration checks are here. The Azure checks go through an `AzureDoctorProbe`:
 * by default the composition root's (`doctorProbeOf` in src/main.ts: the same SDK clients
 * and facade the bot uses, against Azure or, with NETPROOF_SCENARIO, the lab), so this
 * file makes no Azure call of its own. Exit status: 0 when nothing is missing, 2 when
 * something is (warnings alone keep 0).
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArtifactStoreSetting } from '../azure/artifacts.js';
import { parseAccessFile, type AccessFile } from '../bot/access.js';
import { loadConfig, type Config } from '../config.js';

/** Least-privilege Azure roles netproof needs, and what for. */
export const ROLES = {
  reader: { name: 'Reader', scope: 'each subscription', why: 'read the estate (Resource Graph, ARM): VNets, routes, NSGs, firewalls, flow-log settings, diagnostic settings' },
  logAnalyticsReader: { name: 'Log Analytics Reader', scope: 'each workspace', why: 'query firewall logs, Traffic Analytics and Key Vault logs' },
  networkContributor: { name: 'Network Contributor', scope: 'the Network Watcher resource group (or a custom role with the networkWatchers/* actions)', why: 'run Network Watcher operations: next hop, IP flow verify, effective routes and rules, connection troubleshoot, packet captures' },
  storageBlobDataReader: { name: 'Storage Blob Data Reader', scope: 'the packet-capture storage account', why: 'download packet captures' },
} as const;

/** A role, by key. */
export type RoleKey = keyof typeof ROLES;

/** How a check came out. `missing` makes the exit status 2. */
export type CheckStatus = 'ok' | 'missing' | 'warning' | 'skipped';

/** One line of the report. */
export interface CheckResult {
  /** What was checked, e.g. `subscription 0000...`. */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it. */
  fix?: string;
  /** The role that grants it (Azure checks). */
  role?: RoleKey;
}

/** A probe's answer: fine, or why not. */
export type ProbeOutcome = { ok: true; detail?: string } | { ok: false; reason: 'no-permission' | 'not-found' | 'failed'; detail: string };

/** Flow-log state of a VNet, as `netproof coverage` reports it. */
export type FlowLogState = 'vnet' | 'nsg-only' | 'none' | 'disabled';

/** The Azure calls doctor needs; each answers for the identity netproof runs with. */
export interface AzureDoctorProbe {
  /** GET the subscription (Reader). */
  readSubscription(subscriptionId: string): Promise<ProbeOutcome>;
  /** Run `print 1` in the workspace (Log Analytics Reader). */
  queryWorkspace(workspaceId: string): Promise<ProbeOutcome>;
  /** Regions that have VNets, and regions that have a Network Watcher (Reader). */
  networkWatchers(subscriptionId: string): Promise<{ ok: true; vnetRegions: string[]; watcherRegions: string[] } | Extract<ProbeOutcome, { ok: false }>>;
  /** Whether the identity may run Network Watcher operations (e.g. a permissions check on `Microsoft.Network/networkWatchers/nextHop/action`). */
  networkWatcherOperations(subscriptionId: string): Promise<ProbeOutcome>;
  /** Flow-log state per VNet (Reader). */
  flowLogs(subscriptionId: string): Promise<{ ok: true; vnets: { id: string; name: string; region: string; flowLogs: FlowLogState }[] } | Extract<ProbeOutcome, { ok: false }>>;
  /** Whether each Azure Firewall sends resource-specific logs to a workspace (Reader). */
  firewallDiagnostics(subscriptionId: string): Promise<{ ok: true; firewalls: { id: string; name: string; resourceSpecificLogs: boolean | null }[] } | Extract<ProbeOutcome, { ok: false }>>;
  /** Read a blob listing of the capture storage account (Storage Blob Data Reader). */
  readCaptureStorage(storageAccountId: string): Promise<ProbeOutcome>;
}

const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
const missing = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'missing', detail, fix });
const warning = (name: string, detail: string, fix?: string): CheckResult => ({ name, status: 'warning', detail, ...(fix ? { fix } : {}) });

/** Hides all but the start of an id. */
function short(id: string): string {
  return id.length > 12 ? `${id.slice(0, 8)}…` : id;
}

/** Checks of the configuration alone (no network). `readText` reads a file (injected for tests). */
export async function configurationChecks(config: Config, readText: (path: string) => Promise<string> = (path) => readFile(path, 'utf8')): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  // Bot identity.
  if (!config.MicrosoftAppId) {
    results.push(warning('bot identity', 'no MicrosoftAppId: the bot accepts unauthenticated local traffic only and listens on loopback', 'register an Azure Bot and set MicrosoftAppId, MicrosoftAppPassword (or a managed identity), MicrosoftAppType and MicrosoftAppTenantId'));
  } else {
    results.push(ok('bot identity', `MicrosoftAppId ${config.MicrosoftAppId}, ${config.MicrosoftAppType}`));
    if (config.MicrosoftAppType !== 'UserAssignedMSI' && !config.MicrosoftAppPassword) {
      results.push(missing('MicrosoftAppPassword', 'the app id has no secret', 'set MicrosoftAppPassword to a client secret of the app registration (or use MicrosoftAppType=UserAssignedMSI)'));
    }
    if (config.MicrosoftAppType !== 'MultiTenant' && !config.MicrosoftAppTenantId) {
      results.push(missing('MicrosoftAppTenantId', `${config.MicrosoftAppType} needs the tenant id`, 'set MicrosoftAppTenantId'));
    }
    if (config.NETPROOF_ALLOWED_TENANTS.length === 0 && !config.MicrosoftAppTenantId) {
      results.push(missing('NETPROOF_ALLOWED_TENANTS', 'no tenant is allowed: the bot would refuse everyone', 'set NETPROOF_ALLOWED_TENANTS to the Entra tenant ids whose users may use the bot'));
    }
    if (!config.NETPROOF_PUBLIC_URL) {
      results.push(missing('NETPROOF_PUBLIC_URL', 'evidence-pack links would point at 127.0.0.1', 'set NETPROOF_PUBLIC_URL to the bot\'s public https base URL'));
    } else if (!config.NETPROOF_PUBLIC_URL.startsWith('https://')) {
      results.push(warning('NETPROOF_PUBLIC_URL', 'not https: evidence-pack links would travel in clear text', 'serve the bot behind https'));
    }
  }
  if (config.NETPROOF_ALLOWED_TENANTS.length > 0) results.push(ok('NETPROOF_ALLOWED_TENANTS', `${config.NETPROOF_ALLOWED_TENANTS.length} tenant(s)`));

  // The estate.
  if (config.NETPROOF_SCENARIO) {
    const isDirectory = await stat(config.NETPROOF_SCENARIO).then((info) => info.isDirectory(), () => false);
    results.push(isDirectory ? ok('NETPROOF_SCENARIO', `lab scenario ${config.NETPROOF_SCENARIO}`) : missing('NETPROOF_SCENARIO', `${config.NETPROOF_SCENARIO} is not a directory`, 'point it at a scenario folder (with scenario.json)'));
  } else if (config.AZURE_SUBSCRIPTION_ID.length === 0) {
    results.push(warning('AZURE_SUBSCRIPTION_ID', 'not set: the bot investigates the embedded lab\'s built-in scenarios, not Azure', 'set AZURE_SUBSCRIPTION_ID (comma-separated) and AZURE_LOG_ANALYTICS_WORKSPACE_ID'));
  } else {
    results.push(ok('AZURE_SUBSCRIPTION_ID', `${config.AZURE_SUBSCRIPTION_ID.length} subscription(s)`));
    if (config.AZURE_LOG_ANALYTICS_WORKSPACE_ID.length === 0) {
      results.push(missing('AZURE_LOG_ANALYTICS_WORKSPACE_ID', 'no workspace: no firewall logs, flow logs or Key Vault logs can be queried', 'set AZURE_LOG_ANALYTICS_WORKSPACE_ID to the workspace(s) the firewall and Traffic Analytics write to'));
    } else {
      results.push(ok('AZURE_LOG_ANALYTICS_WORKSPACE_ID', `${config.AZURE_LOG_ANALYTICS_WORKSPACE_ID.length} workspace(s)`));
    }
  }

  // The LLM.
  const openai = Boolean(config.OPENAI_API_KEY || config.OPENAI_BASE_URL);
  const azureOpenai = Boolean(config.AZURE_OPENAI_ENDPOINT);
  if (!openai && !azureOpenai) results.push(warning('LLM', 'none configured: answers come from the rules alone (which is fine)'));
  else if (azureOpenai && !config.AZURE_OPENAI_DEPLOYMENT) results.push(missing('AZURE_OPENAI_DEPLOYMENT', 'AZURE_OPENAI_ENDPOINT is set without a deployment', 'set AZURE_OPENAI_DEPLOYMENT'));
  else if (openai && !config.OPENAI_MODEL && !azureOpenai) results.push(missing('OPENAI_MODEL', 'an OpenAI-compatible endpoint is set without a model', 'set OPENAI_MODEL'));
  else results.push(ok('LLM', azureOpenai ? `Azure OpenAI deployment ${config.AZURE_OPENAI_DEPLOYMENT}` : `model ${config.OPENAI_MODEL}`));

  // Files and stores.
  if (config.NETPROOF_ACCESS_FILE) {
    let file: AccessFile | null = null;
    try {
      file = parseAccessFile(await readText(config.NETPROOF_ACCESS_FILE), config.NETPROOF_ACCESS_FILE);
    } catch (error) {
      results.push(missing('NETPROOF_ACCESS_FILE', (error as Error).message, 'fix the file (format: see src/bot/access.ts)'));
    }
    if (file) {
      const grants = [file.default, ...Object.values(file.users), ...Object.values(file.teams), ...Object.values(file.channels), ...Object.values(file.chats)];
      const configured = new Set(config.AZURE_SUBSCRIPTION_ID.map((id) => id.toLowerCase()));
      const unknown = [...new Set(grants.flatMap((grant) => (grant === '*' ? [] : grant)).filter((id) => configured.size > 0 && !configured.has(id.toLowerCase())))];
      results.push(unknown.length > 0
        ? warning('NETPROOF_ACCESS_FILE', `grants subscriptions netproof does not investigate: ${unknown.join(', ')}`, 'add them to AZURE_SUBSCRIPTION_ID or remove them from the file')
        : ok('NETPROOF_ACCESS_FILE', `${Object.keys(file.users).length} user(s), ${Object.keys(file.teams).length} team(s), ${Object.keys(file.channels).length} channel(s), ${Object.keys(file.chats).length} chat(s)`));
    }
  } else {
    results.push(ok('NETPROOF_ACCESS_FILE', 'not set: everyone in an allowed tenant may investigate every configured subscription'));
  }
  try {
    const setting = parseArtifactStoreSetting(config.NETPROOF_STATE_STORE);
    results.push(setting.kind === 'memory'
      ? warning('NETPROOF_STATE_STORE', 'memory: conversation state, uploads and evidence packs are lost on restart; one replica only', 'for several replicas set blob:<connection string>|<container>')
      : ok('NETPROOF_STATE_STORE', `Blob container ${setting.container} (artifacts in ${setting.container.slice(0, 53)}-artifacts)`));
  } catch (error) {
    results.push(missing('NETPROOF_STATE_STORE', (error as Error).message, 'use memory or blob:<connection string>|<container>'));
  }
  if (config.NETPROOF_EXTRA_CA_FILE) {
    const text = await readText(config.NETPROOF_EXTRA_CA_FILE).catch((error: NodeJS.ErrnoException) => `unreadable: ${error.code ?? String(error)}`);
    results.push(text.includes('-----BEGIN CERTIFICATE-----')
      ? ok('NETPROOF_EXTRA_CA_FILE', `${(text.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length} certificate(s)`)
      : missing('NETPROOF_EXTRA_CA_FILE', text.startsWith('unreadable') ? text : 'holds no PEM certificate', 'point it at a PEM file of trusted roots'));
  }
  if (config.NETPROOF_CAPTURE_STORAGE_ID && !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i.test(config.NETPROOF_CAPTURE_STORAGE_ID)) {
    results.push(missing('NETPROOF_CAPTURE_STORAGE_ID', 'not a storage account resource id', 'use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>'));
  }
  return results;
}

function failed(name: string, outcome: Extract<ProbeOutcome, { ok: false }>, role: RoleKey): CheckResult {
  const grant = ROLES[role];
  return {
    name,
    status: 'missing',
    role,
    detail: outcome.reason === 'no-permission' ? `no permission: ${outcome.detail}` : `${outcome.reason}: ${outcome.detail}`,
    fix: outcome.reason === 'no-permission' ? `grant the identity ${grant.name} on ${grant.scope} (to ${grant.why})` : 'check the id and that the identity can reach it',
  };
}

/** Checks of the identity's rights through the probe. */
export async function azureChecks(config: Config, probe: AzureDoctorProbe): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const subscriptionId of config.AZURE_SUBSCRIPTION_ID) {
    const name = `subscription ${short(subscriptionId)}`;
    const readable = await probe.readSubscription(subscriptionId);
    if (!readable.ok) {
      results.push(failed(`${name}: readable`, readable, 'reader'));
      continue;
    }
    results.push({ ...ok(`${name}: readable`, readable.detail ?? 'the estate can be read'), role: 'reader' });

    const watchers = await probe.networkWatchers(subscriptionId);
    if (!watchers.ok) results.push(failed(`${name}: Network Watcher`, watchers, 'reader'));
    else {
      const have = new Set(watchers.watcherRegions.map((region) => region.toLowerCase()));
      const without = [...new Set(watchers.vnetRegions.map((region) => region.toLowerCase()))].filter((region) => !have.has(region)).sort();
      results.push(without.length > 0
        ? missing(`${name}: Network Watcher`, `no Network Watcher in ${without.join(', ')} (VNets there cannot be checked)`, 'enable Network Watcher in those regions (it is created automatically when a VNet is created, unless opted out)')
        : ok(`${name}: Network Watcher`, `present in every VNet region (${watchers.vnetRegions.length > 0 ? [...new Set(watchers.vnetRegions)].sort().join(', ') : 'no VNets'})`));
    }
    const operations = await probe.networkWatcherOperations(subscriptionId);
    results.push(operations.ok ? { ...ok(`${name}: Network Watcher operations`, operations.detail ?? 'allowed'), role: 'networkContributor' } : failed(`${name}: Network Watcher operations`, operations, 'networkContributor'));

    const flowLogs = await probe.flowLogs(subscriptionId);
    if (!flowLogs.ok) results.push(failed(`${name}: flow logs`, flowLogs, 'reader'));
    else {
      const uncovered = flowLogs.vnets.filter((vnet) => vnet.flowLogs !== 'vnet');
      results.push(uncovered.length > 0
        ? missing(`${name}: flow logs`, `${uncovered.length} of ${flowLogs.vnets.length} VNet(s) without VNet flow logs: ${uncovered.slice(0, 10).map((vnet) => `${vnet.name} (${vnet.flowLogs})`).join(', ')}`, 'run `netproof coverage` for the Azure Policy plan that enables them')
        : ok(`${name}: flow logs`, `VNet flow logs on all ${flowLogs.vnets.length} VNet(s)`));
    }
    const firewalls = await probe.firewallDiagnostics(subscriptionId);
    if (!firewalls.ok) results.push(failed(`${name}: firewall diagnostics`, firewalls, 'reader'));
    else {
      const off = firewalls.firewalls.filter((firewall) => firewall.resourceSpecificLogs !== true);
      results.push(off.length > 0
        ? missing(`${name}: firewall diagnostics`, `${off.map((firewall) => firewall.name).join(', ')} send no resource-specific logs (AZFW* tables) to a workspace`, 'add a diagnostic setting with destination type "Resource specific" for the Azure Firewall log categories')
        : ok(`${name}: firewall diagnostics`, firewalls.firewalls.length === 0 ? 'no Azure Firewall' : `resource-specific logs on ${firewalls.firewalls.length} firewall(s)`));
    }
  }
  for (const workspaceId of config.AZURE_LOG_ANALYTICS_WORKSPACE_ID) {
    const queryable = await probe.queryWorkspace(workspaceId);
    results.push(queryable.ok
      ? { ...ok(`workspace ${short(workspaceId)}: queryable`, queryable.detail ?? 'a query ran'), role: 'logAnalyticsReader' }
      : failed(`workspace ${short(workspaceId)}: queryable`, queryable, 'logAnalyticsReader'));
  }
  if (config.NETPROOF_CAPTURE_STORAGE_ID) {
    const readable = await probe.readCaptureStorage(config.NETPROOF_CAPTURE_STORAGE_ID);
    results.push(readable.ok
      ? { ...ok('capture storage: readable', readable.detail ?? 'blobs can be listed'), role: 'storageBlobDataReader' }
      : failed('capture storage: readable', readable, 'storageBlobDataReader'));
  }
  return results;
}

const LABELS: Record<CheckStatus, string> = { ok: 'ok', missing: 'MISSING', warning: 'warning', skipped: 'skipped' };

/** The report as text: one line per check, the fix indented below what is not ok. */
export function renderDoctorReport(sections: { title: string; results: CheckResult[] }[]): string {
  const lines: string[] = ['netproof doctor', ''];
  for (const section of sections) {
    lines.push(`${section.title}:`);
    for (const result of section.results) {
      lines.push(`  ${LABELS[result.status].padEnd(8)} ${result.name}: ${result.detail}`);
      if (result.fix && result.status !== 'ok') lines.push(`  ${''.padEnd(8)}   fix: ${result.fix}`);
    }
    lines.push('');
  }
  const all = sections.flatMap((section) => section.results);
  const missingCount = all.filter((result) => result.status === 'missing').length;
  const roles = [...new Set(all.filter((result) => result.status === 'missing' && result.role).map((result) => result.role as RoleKey))];
  if (roles.length > 0) {
    lines.push('Roles to grant (least privilege):');
    for (const role of roles) lines.push(`  ${ROLES[role].name} on ${ROLES[role].scope}: to ${ROLES[role].why}`);
    lines.push('');
  }
  lines.push(missingCount === 0 ? 'Nothing is missing.' : `${missingCount} thing(s) missing.`);
  return `${lines.join('\n')}\n`;
}

/** Options of `netproof doctor`. */
export interface DoctorOptions {
  config?: Config;
  /** The Azure checks; default: the composition root's probe over the configured estate (Azure, or NETPROOF_SCENARIO in the lab); null skips them (and says so). */
  probe?: AzureDoctorProbe | null;
  write?: (text: string) => void;
}

/** Runs `netproof doctor`; resolves with the exit status (the command line sets it on the process). */
export async function runDoctor(options: DoctorOptions = {}): Promise<number> {
  const config = options.config ?? loadConfig();
  const configuration = await configurationChecks(config);
  let azure: CheckResult[];
  let title = 'Azure (as the identity netproof runs with)';
  const lab = Boolean(config.NETPROOF_SCENARIO);
  if (!lab && config.AZURE_SUBSCRIPTION_ID.length === 0 && config.AZURE_LOG_ANALYTICS_WORKSPACE_ID.length === 0) {
    azure = [{ name: 'Azure rights', status: 'skipped', detail: 'no Azure estate configured (AZURE_SUBSCRIPTION_ID)' }];
  } else if (options.probe === null) {
    azure = [{ name: 'Azure rights', status: 'skipped', detail: 'no Azure probe was given: the identity\'s rights were not checked' }];
  } else if (options.probe) {
    azure = await azureChecks(config, options.probe);
  } else if (lab && configuration.some((result) => result.name === 'NETPROOF_SCENARIO' && result.status === 'missing')) {
    azure = [{ name: 'Azure rights', status: 'skipped', detail: 'the lab scenario cannot be loaded (see above)' }];
  } else {
    // The composition root's probe: the same clients the bot uses, against Azure or the lab scenario.
    const { createRuntime, doctorProbeOf } = await import('../main.js');
    const runtime = await createRuntime(config, { frozenClock: true, builtInScenarios: false });
    try {
      const estate = runtime.estates[0];
      if (!estate) throw new Error('doctor: the runtime has no estate');
      if (runtime.lab) title = `Azure (the lab scenario ${estate.name}, through the same SDK clients)`;
      // In the lab the scenario names its subscriptions and workspace; against Azure they are the configured ones.
      const targets = runtime.lab ? { ...config, AZURE_SUBSCRIPTION_ID: estate.subscriptionIds, AZURE_LOG_ANALYTICS_WORKSPACE_ID: estate.workspaceIds } : config;
      azure = await azureChecks(targets, doctorProbeOf(runtime, estate));
    } finally {
      await runtime.close();
    }
  }
  const text = renderDoctorReport([{ title: 'Configuration', results: configuration }, { title, results: azure }]);
  (options.write ?? ((value: string) => process.stdout.write(value)))(text);
  return [...configuration, ...azure].some((result) => result.status === 'missing') ? 2 : 0;
}
