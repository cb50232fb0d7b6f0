/**
 * The built-in scenarios: they validate, the builder reproduces the committed
 * files byte for byte, and each is internally consistent in the spirit of
 * shared/scenarios/README.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { analyzeCapture } from '../../../src/capture/index.js';
import { ScenarioExpectationSchema, ScenarioSchema } from '../../../src/domain/scenario.js';
import { composeScenario, MINIMUM_ROWS, serialise } from '../../../src/lab/estate/compose.js';
import { isIpv4, prefixContains } from '../../../src/lab/estate/ip.js';
import { STORIES } from '../../../src/lab/estate/scenarios.js';

const folder = join(process.cwd(), 'src', 'lab', 'scenarios');
const names = readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
type Json = Record<string, unknown>;
const load = (name: string, file: string): Json => JSON.parse(readFileSync(join(folder, name, file), 'utf8')) as Json;

/** Every object with an `id` inside a resource body (sub-resources included). */
function collectIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) { for (const item of value) collectIds(item, into); return; }
  if (value && typeof value === 'object') {
    const record = value as Json;
    if (typeof record.id === 'string' && record.id.startsWith('/subscriptions/') && Object.keys(record).length > 1) into.add(record.id.toLowerCase());
    for (const child of Object.values(record)) collectIds(child, into);
  }
}

/** Every string inside a value that looks like a resource id. */
function collectReferences(value: unknown, into: string[]): void {
  if (typeof value === 'string') { if (value.startsWith('/subscriptions/')) into.push(value); return; }
  if (Array.isArray(value)) { for (const item of value) collectReferences(item, into); return; }
  if (value && typeof value === 'object') for (const child of Object.values(value as Json)) collectReferences(child, into);
}

/** The prefixes of every subnet by subnet id. */
function subnets(resources: Json[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const resource of resources) {
    if (resource.type !== 'Microsoft.Network/virtualNetworks') continue;
    for (const subnet of ((resource.properties as Json).subnets as Json[])) map.set(String(subnet.id).toLowerCase(), String((subnet.properties as Json).addressPrefix));
  }
  return map;
}

/** The power state of a VM by id (`running`, `deallocated`, `stopped`), or `running` for no VM. */
function powerOf(resources: Json[], vmId: string): string {
  const vm = resources.find((resource) => resource.type === 'Microsoft.Compute/virtualMachines' && String(resource.id).toLowerCase() === vmId.toLowerCase());
  const statuses = (((vm?.properties as Json | undefined)?.instanceView as Json | undefined)?.statuses as Json[] | undefined) ?? [];
  const power = statuses.map((status) => String(status.code)).find((code) => code.startsWith('PowerState/'));
  return power?.slice('PowerState/'.length) ?? 'running';
}

/** Reads the IPv4 addresses of every packet of a classic pcap file (Ethernet link type). */
function pcapAddresses(file: string): Set<string> {
  const data = readFileSync(file);
  const little = data.readUInt32LE(0) === 0xa1b2c3d4;
  const read32 = (offset: number): number => (little ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  const addresses = new Set<string>();
  let offset = 24;
  while (offset + 16 <= data.length) {
    const captured = read32(offset + 8);
    const frame = offset + 16;
    if (data.readUInt16BE(frame + 12) === 0x0800) {
      addresses.add([...data.subarray(frame + 26, frame + 30)].join('.'));
      addresses.add([...data.subarray(frame + 30, frame + 34)].join('.'));
    }
    offset = frame + captured;
  }
  return addresses;
}

describe('built-in scenarios', () => {
  it('include the copied example and every built story', () => {
    expect(names).toContain('rdp-remote-site');
    for (const factory of STORIES) expect(names).toContain(factory().name);
  });

  describe.each(names)('%s', (name) => {
    const scenario = load(name, 'scenario.json');
    const expectation = load(name, 'expect.json');
    const resources = scenario.resources as Json[];
    const nowMs = Date.parse(String(scenario.now));
    const tables = scenario.tables as Record<string, Json[]>;

    it('validates with ScenarioSchema and ScenarioExpectationSchema', () => {
      expect(ScenarioSchema.safeParse(scenario).error).toBeUndefined();
      expect(ScenarioExpectationSchema.safeParse(expectation).error).toBeUndefined();
      expect(String(expectation.rationale ?? '').length).toBeGreaterThan(200);
    });

    it('resolves every resource id it references', () => {
      const known = new Set<string>();
      collectIds(resources, known);
      for (const resource of resources) known.add(String(resource.id).toLowerCase());
      const subscriptions = new Set([String(scenario.subscriptionId), ...((scenario.subscriptionIds as string[] | undefined) ?? [])].map((id) => `/subscriptions/${id}`.toLowerCase()));
      const references: string[] = [];
      collectReferences(resources, references);
      collectReferences(Object.keys(scenario.effectiveRoutes as Json), references);
      collectReferences(scenario.effectiveSecurityRules, references);
      collectReferences((scenario.packetCaptures as Json[]).map((capture) => capture.target), references);
      const unresolved = references.filter((id) => !known.has(id.toLowerCase()) && !subscriptions.has(id.toLowerCase()));
      expect([...new Set(unresolved)]).toEqual([]);
      const rowIds = Object.values(tables).flat().map((row) => row._ResourceId).filter((id): id is string => typeof id === 'string');
      expect([...new Set(rowIds.filter((id) => !known.has(id.toLowerCase())))]).toEqual([]);
    });

    it('puts every private IP inside its subnet', () => {
      const prefixes = subnets(resources);
      for (const resource of resources) {
        if (resource.type !== 'Microsoft.Network/networkInterfaces') continue;
        for (const config of (resource.properties as Json).ipConfigurations as Json[]) {
          const properties = config.properties as Json;
          const prefix = prefixes.get(String((properties.subnet as Json).id).toLowerCase());
          expect(prefix, `${String(resource.name)} subnet`).toBeDefined();
          expect(prefixContains(prefix ?? '', String(properties.privateIPAddress)), `${String(resource.name)} ${String(properties.privateIPAddress)} in ${prefix ?? ''}`).toBe(true);
        }
      }
    });

    it('sends every VirtualAppliance next hop to a firewall or an IP-forwarding NVA', () => {
      const appliances = new Set<string>();
      for (const resource of resources) {
        const properties = resource.properties as Json | undefined;
        if (resource.type === 'Microsoft.Network/azureFirewalls') appliances.add(String((properties?.hubIPAddresses as Json).privateIPAddress));
        if (resource.type === 'Microsoft.Network/networkInterfaces' && properties?.enableIPForwarding === true && powerOf(resources, String((properties.virtualMachine as Json | undefined)?.id ?? '')) === 'running') {
          for (const config of properties.ipConfigurations as Json[]) appliances.add(String((config.properties as Json).privateIPAddress));
        }
      }
      const hops: string[] = [];
      for (const resource of resources.filter((candidate) => candidate.type === 'Microsoft.Network/routeTables')) {
        for (const route of (resource.properties as Json).routes as Json[]) {
          const properties = route.properties as Json;
          if (properties.nextHopType === 'VirtualAppliance') hops.push(String(properties.nextHopIpAddress));
        }
      }
      for (const routes of Object.values(scenario.effectiveRoutes as Record<string, Json[]>)) {
        for (const route of routes) if (route.nextHopType === 'VirtualAppliance') hops.push(...(route.nextHopIpAddress as string[]));
      }
      // A story about a broken next hop names an address that is, by design, no appliance.
      const allowed = expectation.cause === 'next_hop_invalid' ? hops.filter((hop) => !appliances.has(hop)).slice(0, 1) : [];
      expect(hops.filter((hop) => !appliances.has(hop) && !allowed.includes(hop))).toEqual([]);
    });

    it('keeps every row at or before now, with whole IPv4 addresses', () => {
      for (const [table, rows] of Object.entries(tables)) {
        for (const row of rows) {
          for (const column of ['TimeGenerated', 'TimeProcessed', '_IngestionTime']) {
            if (row[column] !== undefined) expect(Date.parse(String(row[column])), `${table}.${column}`).toBeLessThanOrEqual(nowMs);
          }
          for (const column of ['SourceIp', 'DestinationIp', 'SrcIp', 'CallerIpAddress']) {
            if (typeof row[column] === 'string' && row[column] !== '') expect(isIpv4(String(row[column])), `${table}.${column} ${String(row[column])}`).toBe(true);
          }
          if (table === 'NTANetAnalytics' && row.DestIp !== '') expect(isIpv4(String(row.DestIp))).toBe(true);
        }
      }
    });

    it('holds at least twenty rows in every table present', () => {
      for (const [table, rows] of Object.entries(tables)) expect(rows.length, table).toBeGreaterThanOrEqual(MINIMUM_ROWS);
    });

    it('has Traffic Analytics rows only for intervals processed by now', () => {
      const intervals = new Map<string, number>();
      for (const resource of resources) {
        if (resource.type !== 'Microsoft.Network/networkWatchers/flowLogs') continue;
        const analytics = ((resource.properties as Json).flowAnalyticsConfiguration as Json).networkWatcherFlowAnalyticsConfiguration as Json;
        const parts = String(resource.id).split('/');
        intervals.set(`NetworkWatcherRG/${parts[8] ?? ''}/${parts[10] ?? ''}`.toLowerCase(), Number(analytics.trafficAnalyticsInterval));
      }
      for (const row of tables.NTANetAnalytics ?? []) {
        const start = Date.parse(String(row.FlowIntervalStartTime));
        const end = Date.parse(String(row.FlowIntervalEndTime));
        expect(intervals.get(String(row.FlowLogResourceId).toLowerCase()), String(row.FlowLogResourceId)).toBe((end - start) / 60_000);
        expect(Date.parse(String(row.TimeProcessed))).toBeGreaterThan(end);
        expect(Date.parse(String(row.TimeGenerated))).toBeGreaterThanOrEqual(Date.parse(String(row.TimeProcessed)));
        expect(Date.parse(String(row.FlowStartTime))).toBeGreaterThanOrEqual(start);
        expect(Date.parse(String(row.FlowEndTime))).toBeLessThan(end);
      }
    });

    it('reads nothing from a stopped or deallocated VM: no effective routes or rules, no flow-log rows at its NIC', () => {
      const stopped = resources.filter((resource) => resource.type === 'Microsoft.Compute/virtualMachines' && powerOf(resources, String(resource.id)) !== 'running');
      for (const vm of stopped) {
        const nics = (((vm.properties as Json).networkProfile as Json).networkInterfaces as Json[]).map((nic) => String(nic.id));
        for (const nic of nics) {
          expect(Object.keys(scenario.effectiveRoutes as Json), nic).not.toContain(nic);
          expect(Object.keys(scenario.effectiveSecurityRules as Json), nic).not.toContain(nic);
          const mac = String(((resources.find((resource) => resource.id === nic)?.properties as Json | undefined)?.macAddress) ?? '').replace(/-/g, '');
          expect((tables.NTANetAnalytics ?? []).filter((row) => row.MacAddress === mac), nic).toEqual([]);
          expect((tables.AzureNetworkAnalytics_CL ?? []).filter((row) => row.MACAddress_s === mac), nic).toEqual([]);
        }
      }
    });

    it('has Traffic Analytics rows only from enabled flow logs, and legacy rows only from NSG flow logs', () => {
      const flowLogs = resources.filter((resource) => resource.type === 'Microsoft.Network/networkWatchers/flowLogs');
      const key = (resource: Json): string => { const parts = String(resource.id).split('/'); return `NetworkWatcherRG/${parts[8] ?? ''}/${parts[10] ?? ''}`.toLowerCase(); };
      const enabled = new Set(flowLogs.filter((resource) => (resource.properties as Json).enabled === true).map(key));
      const nsgLogs = new Set(flowLogs.filter((resource) => String((resource.properties as Json).targetResourceId).includes('/networkSecurityGroups/')).map((resource) => String((resource.properties as Json).targetResourceId).split('/').pop()?.toLowerCase()));
      for (const row of tables.NTANetAnalytics ?? []) expect(enabled.has(String(row.FlowLogResourceId).toLowerCase()), String(row.FlowLogResourceId)).toBe(true);
      for (const row of tables.AzureNetworkAnalytics_CL ?? []) {
        expect(nsgLogs.has(String(row.NSGList_s).split('/').pop()?.toLowerCase()), String(row.NSGList_s)).toBe(true);
        const start = Date.parse(String(row.FlowIntervalStartTime_t));
        const end = Date.parse(String(row.FlowIntervalEndTime_t));
        expect(end - start).toBe(3_600_000);
        expect(Date.parse(String(row.TimeProcessed_t))).toBeGreaterThan(end);
        expect(Date.parse(String(row.TimeGenerated))).toBeGreaterThanOrEqual(Date.parse(String(row.TimeProcessed_t)));
        expect(Date.parse(String(row.FlowStartTime_t))).toBeGreaterThanOrEqual(start);
      }
      if (tables.AzureNetworkAnalytics_CL !== undefined) expect(nsgLogs.size).toBeGreaterThan(0);
    });

    it('has every packet capture on disk, with addresses of the estate', () => {
      const known = new Set<string>();
      for (const resource of resources) {
        const properties = resource.properties as Json | undefined;
        if (resource.type === 'Microsoft.Network/networkInterfaces') for (const config of properties?.ipConfigurations as Json[]) known.add(String((config.properties as Json).privateIPAddress));
        if (resource.type === 'Microsoft.Network/azureFirewalls') known.add(String((properties?.hubIPAddresses as Json).privateIPAddress));
      }
      const firewallSubnets = resources.filter((resource) => resource.type === 'Microsoft.Network/virtualNetworks').flatMap((vnet) => ((vnet.properties as Json).subnets as Json[]).filter((subnet) => subnet.name === 'AzureFirewallSubnet').map((subnet) => String((subnet.properties as Json).addressPrefix)));
      const onPrem = resources.filter((resource) => resource.type === 'Microsoft.Network/localNetworkGateways').flatMap((gateway) => ((gateway.properties as Json).localNetworkAddressSpace as Json).addressPrefixes as string[]);
      for (const capture of scenario.packetCaptures as Json[]) {
        const file = join(folder, name, String(capture.file));
        expect(existsSync(file), String(capture.file)).toBe(true);
        for (const address of pcapAddresses(file)) {
          expect(known.has(address) || [...onPrem, ...firewallSubnets].some((prefix) => prefixContains(prefix, address)), `${String(capture.file)}: ${address}`).toBe(true);
        }
      }
    });

    // A capture dated before its certificates' notBefore (or after notAfter) makes the analyser report
    // tls_expired on a handshake that, in the story, succeeded: the capture is dated where the certificates hold.
    it('has captures whose certificates are valid at the capture time (no tls_expired unless that is the cause)', async () => {
      for (const capture of scenario.packetCaptures as Json[]) {
        const report = await analyzeCapture(join(folder, name, String(capture.file)));
        const codes = report.findings.map((finding) => finding.code);
        if (expectation.cause === 'tls_expired') expect(codes, String(capture.file)).toContain('tls_expired');
        else expect(codes, String(capture.file)).not.toContain('tls_expired');
      }
    });
  });

  describe.each(STORIES.map((factory) => [factory().name, factory] as const))('builder reproduces %s', (name, factory) => {
    it('byte for byte', () => {
      const { scenario, expect: expectation } = composeScenario(factory());
      expect(serialise(scenario) === readFileSync(join(folder, name, 'scenario.json'), 'utf8')).toBe(true);
      expect(serialise(expectation)).toBe(readFileSync(join(folder, name, 'expect.json'), 'utf8'));
      for (const [file, content] of Object.entries(factory().extraExpectations ?? {})) expect(serialise(content)).toBe(readFileSync(join(folder, name, file), 'utf8'));
    });
  });
});

describe('address comparison', () => {
  it.each([
    ['10.41.1.0/24', '10.41.1.5', true],
    ['10.41.1.5/32', '10.41.1.52', false],
    ['172.21.10.5/32', '172.21.10.5', true],
    ['192.168.0.0/17', '192.168.128.1', false],
  ])('%s contains %s: %s', (prefix, address, expected) => {
    expect(prefixContains(prefix, address)).toBe(expected);
  });
});

/** expect-coverage.json: the expected coverage report (CONTRACTS.md section 6) of a scenario. */
const CoverageExpectationSchema = z.object({
  notes: z.string(),
  vnets: z.array(z.object({
    id: z.string(), name: z.string(), region: z.string(), flowLogs: z.enum(['vnet', 'nsg-only', 'none', 'disabled']),
    trafficAnalytics: z.object({ enabled: z.boolean(), intervalMinutes: z.union([z.literal(10), z.literal(60)]), workspaceResourceId: z.string() }).nullable(),
    storageSameRegion: z.boolean().nullable(), coveredByPolicy: z.string().nullable(),
  })),
  firewalls: z.array(z.object({ id: z.string(), name: z.string(), resourceSpecificLogs: z.boolean().nullable(), flowTrace: z.boolean().nullable() })),
  plan: z.object({
    assignments: z.array(z.object({ region: z.string(), policyDefinitionId: z.string(), acceptedPolicyDefinitionIds: z.array(z.string()),
      parameters: z.object({ vnetRegion: z.string(), storageId: z.string(), networkWatcherName: z.string(), workspaceResourceId: z.string(), workspaceRegion: z.string(), timeInterval: z.enum(['10', '60']), retentionDays: z.string() }) })),
    missing: z.array(z.object({ region: z.string(), reason: z.string() })),
    noNewAssignment: z.array(z.object({ region: z.string(), coveredBy: z.string() })),
  }),
});

const FLOW_LOG_DEFINITIONS = ['3e9965dc-cc13-47ca-8259-a4252fd0cf7b', '052c180e-287d-44c3-86ef-01aeae2d9774'];

describe.each(names.filter((name) => existsSync(join(folder, name, 'expect-coverage.json'))))('coverage expectation of %s', (name) => {
  const scenario = load(name, 'scenario.json');
  const resources = scenario.resources as Json[];
  const coverage = CoverageExpectationSchema.parse(load(name, 'expect-coverage.json'));
  const ofType = (type: string): Json[] => resources.filter((resource) => resource.type === type);
  const lower = (value: unknown): string => String(value).toLowerCase();
  const flowLogs = ofType('Microsoft.Network/networkWatchers/flowLogs');
  const assignments = ofType('Microsoft.Authorization/policyAssignments').filter((assignment) => FLOW_LOG_DEFINITIONS.some((definition) => lower((assignment.properties as Json).policyDefinitionId).endsWith(definition)));
  const regionOfAssignment = (assignment: Json): string => String((((assignment.properties as Json).parameters as Json).vnetRegion as Json).value);
  const storageRegion = (id: unknown): string | undefined => ofType('Microsoft.Storage/storageAccounts').find((storage) => lower(storage.id) === lower(id))?.location as string | undefined;

  it('lists every VNet once, in its own region', () => {
    const vnets = ofType('Microsoft.Network/virtualNetworks');
    expect(coverage.vnets.map((vnet) => lower(vnet.id)).sort()).toEqual(vnets.map((vnet) => lower(vnet.id)).sort());
    for (const vnet of coverage.vnets) expect(vnet.region, vnet.name).toBe(vnets.find((candidate) => lower(candidate.id) === lower(vnet.id))?.location);
  });

  it('derives each VNet\'s flowLogs, Traffic Analytics, storage region and policy from the resources', () => {
    const vnets = ofType('Microsoft.Network/virtualNetworks');
    for (const expected of coverage.vnets) {
      const vnet = vnets.find((candidate) => lower(candidate.id) === lower(expected.id)) as Json;
      const nsgs = ((vnet.properties as Json).subnets as Json[]).map((subnet) => ((subnet.properties as Json).networkSecurityGroup as Json | undefined)?.id).filter((id) => id !== undefined).map(lower);
      const own = flowLogs.filter((log) => lower((log.properties as Json).targetResourceId) === lower(expected.id));
      const onNsgs = flowLogs.filter((log) => nsgs.includes(lower((log.properties as Json).targetResourceId)) && (log.properties as Json).enabled === true);
      const active = own.find((log) => (log.properties as Json).enabled === true);
      const state = active ? 'vnet' : onNsgs.length > 0 ? 'nsg-only' : own.length > 0 ? 'disabled' : 'none';
      expect(expected.flowLogs, expected.name).toBe(state);
      const covering = active ?? onNsgs[0];
      const analytics = ((covering?.properties as Json | undefined)?.flowAnalyticsConfiguration as Json | undefined)?.networkWatcherFlowAnalyticsConfiguration as Json | undefined;
      expect(expected.trafficAnalytics, expected.name).toEqual(analytics ? { enabled: analytics.enabled, intervalMinutes: analytics.trafficAnalyticsInterval, workspaceResourceId: analytics.workspaceResourceId } : null);
      const storage = (covering ?? own[0])?.properties as Json | undefined;
      expect(expected.storageSameRegion, expected.name).toBe(storage ? storageRegion(storage.storageId) === expected.region : null);
      expect(expected.coveredByPolicy, expected.name).toBe(assignments.find((assignment) => regionOfAssignment(assignment) === expected.region)?.id ?? null);
    }
  });

  it('derives each firewall\'s diagnostics from its diagnostic settings', () => {
    const firewalls = ofType('Microsoft.Network/azureFirewalls');
    expect(coverage.firewalls.map((firewall) => lower(firewall.id)).sort()).toEqual(firewalls.map((firewall) => lower(firewall.id)).sort());
    for (const expected of coverage.firewalls) {
      const settings = ofType('Microsoft.Insights/diagnosticSettings').filter((setting) => lower(setting.id).startsWith(`${lower(expected.id)}/providers/`));
      const enabled = (setting: Json, category: string): boolean => ((setting.properties as Json).logs as Json[]).some((log) => log.category === category && log.enabled === true);
      const dedicated = settings.filter((setting) => (setting.properties as Json).logAnalyticsDestinationType === 'Dedicated');
      expect(expected.resourceSpecificLogs, expected.name).toBe(dedicated.some((setting) => enabled(setting, 'AZFWNetworkRule')));
      const firewall = firewalls.find((candidate) => lower(candidate.id) === lower(expected.id)) as Json;
      const tcpLogging = ((firewall.properties as Json).additionalProperties as Json)['Network.AdditionalLogs.EnableTcpConnectionLogging'] === 'True';
      expect(expected.flowTrace, expected.name).toBe(tcpLogging && dedicated.some((setting) => enabled(setting, 'AZFWFlowTrace')));
    }
  });

  it('plans one assignment per uncovered region that has storage, and names the regions without', () => {
    const regions = [...new Set(coverage.vnets.map((vnet) => vnet.region))].sort();
    const covered = new Set(assignments.map(regionOfAssignment));
    const withStorage = new Set(ofType('Microsoft.Storage/storageAccounts').map((storage) => storage.location));
    expect(coverage.plan.assignments.map((assignment) => assignment.region).sort()).toEqual(regions.filter((region) => !covered.has(region) && withStorage.has(region)));
    expect(coverage.plan.missing.map((missing) => missing.region).sort()).toEqual(regions.filter((region) => !covered.has(region) && !withStorage.has(region)));
    expect(coverage.plan.noNewAssignment.map((entry) => entry.region).sort()).toEqual(regions.filter((region) => covered.has(region)));
    const workspace = ofType('Microsoft.OperationalInsights/workspaces')[0];
    for (const assignment of coverage.plan.assignments) {
      const parameters = assignment.parameters;
      expect(parameters.vnetRegion).toBe(assignment.region);
      expect(storageRegion(parameters.storageId)).toBe(assignment.region);
      expect(ofType('Microsoft.Network/networkWatchers').find((watcher) => lower(watcher.id) === lower(parameters.networkWatcherName))?.location).toBe(assignment.region);
      expect(lower(parameters.workspaceResourceId)).toBe(lower(workspace?.id));
      expect(parameters.workspaceRegion).toBe(workspace?.location);
      expect(assignment.acceptedPolicyDefinitionIds).toContain(assignment.policyDefinitionId);
    }
  });
});
