/**
 * Injection: user text and names never reach a KQL query or a REST path unvalidated. Hostile
 * values (quotes, pipes, `let`, comments, newlines, Unicode look-alikes, path traversal,
 * over-long values), each carrying a marker, go into every field of every LLM tool, into the
 * question text, and into the resource lookup and the facade's id-taking methods. The lab,
 * behind a recording proxy, must never receive the marker, and every query it receives keeps
 * its structure: outside string literals nothing but the builder's own text, and inside them
 * only address, name and id characters.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { isUserInputError } from '../../src/domain/errors.js';
import { validateResourceId } from '../../src/azure/kql/validate.js';
import { newTurnRecord, runTool, scopeSources, TOOLS, type Tool, type ToolContext } from '../../tools/index.js';
import { outsideLiterals } from './fuzz-targets.js';
import { startProxiedEstate, type ProxiedEstate, type RecordedRequest } from './harness.js';

const MARKER = 'zqx';
/** Look-alikes (a Cyrillic a, full-width digits): valid names by their characters, which match no resource. */
const LOOKALIKES = [`vm-\u0430pp01-${MARKER}`, `\uFF11\uFF10.0.0.1-${MARKER}`];
/** Each one invalid as an address, a prefix, a DNS name and an ARM id, or a name no resource has. */
const PAYLOADS = [
  `10.0.0.1" or 1==1 //${MARKER}`,
  `vm-app01' | take 1000 //${MARKER}`,
  `vm-app01\n| union * | where ${MARKER}`,
  `let ${MARKER} = 1; AZFWNetworkRule`,
  `vm-app01 /* ${MARKER} */`,
  `vm-app01\u2028| ${MARKER}`,
  `vm-app01\uFF5C take ${MARKER}`,
  ...LOOKALIKES,
  `../../${MARKER}`,
  `%2e%2e%2f${MARKER}`,
  `vm-app01;${MARKER}`,
  `10.0.0.1\u0000${MARKER}`,
  `\u202E${MARKER}10.0.0.1`,
  `\${${MARKER}}`,
  `${MARKER}-`.repeat(1_000),
];
const NAMED = "why can't vm-app01 map the orders share on vm-fs01 (10.62.2.4) over SMB between 08:00 and 09:00 UTC?";
const WINDOW = { start: '2026-11-12T08:00:00Z', end: '2026-11-12T09:00:00Z' };

let estate: ProxiedEstate;
beforeAll(async () => {
  estate = await startProxiedEstate('firewall-network-rule-deny');
  await estate.diagnose({ text: NAMED });
}, 60_000);
afterAll(async () => { await estate?.close(); });
beforeEach(() => estate.reset());

/** What the lab received must hold no marker, and every log query must keep its shape. */
function expectNothingReachedTheLab(requests: readonly RecordedRequest[]): void {
  for (const request of requests) {
    expect(`${request.url}\n${request.body}`.toLowerCase()).not.toContain(MARKER);
    expect(request.url).toMatch(/^[\w\-./?=&%~:()$,]*$/);
    if (!/\/query\b/.test(request.url) || request.body === '') continue;
    const query = (JSON.parse(request.body) as { query?: string }).query ?? '';
    const skeleton = outsideLiterals(query);
    expect(skeleton).not.toMatch(/\/\/|\/\*|;|\blet\b|\bunion\b/);
    for (const literal of query.match(/"(?:[^"\\]|\\.)*"/g) ?? []) expect(literal).toMatch(/^"[\w.:/*\- ()]*"$/);
  }
}

function contextOf(): ToolContext {
  const scope = { subscriptionIds: [estate.subscriptionId] };
  const sources = scopeSources(estate.sources, scope);
  return {
    diagnose: (request) => diagnose(request, { sources, now: estate.now(), sourceTimeoutInMs: 30_000, monotonicNow: () => performance.now() }),
    sources, scope, now: estate.now(), signal: new AbortController().signal, previous: undefined, timeZone: undefined, uploads: [], captureOptions: {},
    turn: newTurnRecord(), limits: { captureSeconds: 600, captureBytes: 1024 * 1024, windowInMinutes: 7 * 24 * 60 },
  };
}

/** A valid call of each tool, whose fields the test then replaces one by one. */
const VALID: Record<string, Record<string, unknown>> = {
  analyze_capture: { upload: 'capture.pcap' },
  check_connectivity: { sourceVm: 'vm-app01', destinationIp: '10.62.2.4', port: 445 },
  diagnose_connection: { question: NAMED },
  find_resource: { name: 'vm-app01' },
  get_effective_routes: { vm: 'vm-app01', destinationIp: '10.62.2.4' },
  get_effective_security_rules: { vm: 'vm-app01' },
  get_flow_log_coverage: { vnet: 'vnet-spoke1' },
  get_next_hop: { vm: 'vm-app01', destinationIp: '10.62.2.4' },
  query_firewall_logs: { sourceIp: '10.61.2.4', destinationIp: '10.62.2.4', port: 445, start: WINDOW.start, end: WINDOW.end },
  query_flow_logs: { sourceIp: '10.61.2.4', destinationIp: '10.62.2.4', start: WINDOW.start, end: WINDOW.end },
  query_key_vault_logs: { vault: 'kv-prod', start: WINDOW.start, end: WINDOW.end },
  start_packet_capture: { vm: 'vm-app01', durationInSeconds: 60, remoteIp: '10.61.2.4' },
  verify_ip_flow: { vm: 'vm-fs01', direction: 'Inbound', protocol: 'TCP', localPort: 445, remoteIp: '10.61.2.4' },
};
/** Fields that take free text by design: the tool may run, the text still never reaches the lab. */
const FREE_TEXT = new Set(['diagnose_connection.question', 'analyze_capture.upload']);

function fieldsOf(tool: Tool): string[] {
  const shape = (tool.input as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

describe('every LLM tool, every field', () => {
  it('covers the whole catalogue', () => {
    expect(TOOLS.map((tool) => tool.name).sort()).toEqual(Object.keys(VALID).sort());
  });

  it.each(TOOLS.map((tool) => [tool.name, tool] as const))('%s refuses hostile values or keeps them away from Azure', async (name, tool) => {
    const fields = fieldsOf(tool);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) {
      for (const payload of PAYLOADS) {
        const input = { ...VALID[name], [field]: payload };
        const result = await runTool(tool, JSON.stringify(input), contextOf());
        if (!FREE_TEXT.has(`${name}.${field}`)) {
          // Only look-alikes pass validation (they are letters and digits), and then they find nothing.
          if (result.ok) expect(LOOKALIKES, `${name}.${field}`).toContain(payload);
          else expect(['invalid_arguments', 'not_found']).toContain(result.error.code);
        }
        // The model sees one-line errors it can act on, never a stack.
        if (!result.ok) expect(result.error.message).not.toMatch(/\n\s+at /);
      }
    }
    expectNothingReachedTheLab(estate.calls());
  });
});

describe('the question text', () => {
  it.each(PAYLOADS.map((payload) => [JSON.stringify(payload.slice(0, 40)), payload] as const))('%s in a question never reaches the lab', async (_label, payload) => {
    for (const text of [`why can't vm-app01 reach ${payload} on 445?`, `why can't ${payload} reach vm-fs01 between 08:00 and 09:00 UTC?`, `${NAMED} ${payload}`]) {
      const outcome = await estate.diagnose({ text });
      expect(['verdict', 'clarify']).toContain(outcome.kind);
      if (outcome.kind === 'clarify') expect(outcome.message).not.toContain('\n');
    }
    expectNothingReachedTheLab(estate.calls());
  });
});

describe('resource lookup and ARM ids', () => {
  it('findResources: hostile names match nothing and are never sent; hostile addresses are refused', async () => {
    const found = await estate.facade.findResources(PAYLOADS);
    expect(found.ok).toBe(true);
    if (found.ok) expect(found.value.found).toEqual([]);
    for (const payload of PAYLOADS) {
      await expect(estate.facade.findResources(['vm-app01'], [payload])).rejects.toSatisfy(isUserInputError);
    }
    expectNothingReachedTheLab(estate.calls());
  });

  const subscription = '/subscriptions/49139229-fdf6-46ab-9a1d-5389ee7e6ea7';
  const nic = `${subscription}/resourceGroups/nwt-app/providers/Microsoft.Network/networkInterfaces/nic-vm-app01`;
  const hostileIds = [
    ...PAYLOADS.map((payload) => `${nic}${payload}`),
    ...PAYLOADS.map((payload) => `${subscription}/resourceGroups/${payload}/providers/Microsoft.Network/networkInterfaces/nic`),
    `${subscription}/resourceGroups/nwt-app/providers/Microsoft.Network/networkWatchers/../networkInterfaces/nic-${MARKER}`,
    `${subscription}/resourceGroups/../providers/Microsoft.Network/networkInterfaces/nic-${MARKER}`,
    `${nic}/..`,
    `${nic}/../../${MARKER}`,
  ];

  it('validateResourceId refuses every hostile id, path traversal included', () => {
    for (const id of hostileIds) expect(() => validateResourceId(id), id.slice(0, 160)).toThrow(/not a valid resource id/);
  });

  it('every facade method that takes an id refuses hostile ones before sending anything', async () => {
    const facade = estate.facade;
    const calls: Array<(id: string) => unknown> = [
      (id) => facade.effectiveRoutes(id),
      (id) => facade.effectiveSecurityRules(id),
      (id) => facade.gatewayConnection(id),
      (id) => facade.nextHop({ networkWatcherId: id, vmId: id, sourceIp: '10.61.2.4', destinationIp: '10.62.2.4' }),
      (id) => facade.ipFlowVerify({ networkWatcherId: id, vmId: id, direction: 'Inbound', protocol: 'TCP', localIp: '10.62.2.4', localPort: 445, remoteIp: '10.61.2.4', remotePort: 5000 }),
      (id) => facade.connectivityCheck({ networkWatcherId: id, sourceResourceId: id, destination: { address: '10.62.2.4', port: 445 } }),
      (id) => facade.keyVaultLogs({ vaultId: id, window: WINDOW }),
      (id) => facade.gatewayLogs({ gatewayId: id, window: WINDOW }),
      (id) => facade.freshness([{ table: 'AZFWNetworkRule', resourceId: id as never, expectedDelayInMinutes: 10 }], WINDOW.end),
      (id) => facade.listPacketCaptures(id),
      (id) => facade.packetCaptureStatus(id, 'capture'),
    ];
    for (const call of calls) {
      for (const id of hostileIds) {
        let refused = false;
        try {
          await call(id);
        } catch (error) {
          refused = error instanceof Error;
        }
        expect(refused, id.slice(0, 160)).toBe(true);
      }
    }
    // Addresses and names too: a hostile destination address or capture name is refused.
    for (const payload of PAYLOADS) {
      const watcher = `${subscription}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_westeurope`;
      expect(() => facade.connectivityCheck({ networkWatcherId: watcher, sourceResourceId: nic, destination: { address: payload, port: 445 } })).toThrow();
      expect(() => facade.startPacketCapture(watcher, payload, {} as never)).toThrow();
      expect(() => facade.firewallLogs({ source: payload, window: WINDOW })).toThrow();
      expect(() => facade.flowLogs({ destinationNames: [payload], window: WINDOW })).toThrow();
    }
    expect(estate.calls()).toEqual([]);
  });
});
