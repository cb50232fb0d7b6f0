/**
 * The built-in scenarios: they validate, the builder reproduces the committed
 * files byte for byte, and each is internally consistent in the spirit of
 * shared/scenarios/README.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
        if (resource.type === 'Microsoft.Network/networkInterfaces' && properties?.enableIPForwarding === true) {
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
  });

  describe.each(STORIES.map((factory) => [factory().name, factory] as const))('builder reproduces %s', (name, factory) => {
    it('byte for byte', () => {
      const { scenario, expect: expectation } = composeScenario(factory());
      expect(serialise(scenario) === readFileSync(join(folder, name, 'scenario.json'), 'utf8')).toBe(true);
      expect(serialise(expectation)).toBe(readFileSync(join(folder, name, 'expect.json'), 'utf8'));
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
