/**
 * The tool catalogue: one file per tool with the matching name, zod-generated schemas,
 * validated arguments, the user's scope, paging. Tools run against the real Azure
 * adapters and the lab (scenario firewall-network-rule-deny) through scoped sources.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTurnRecord, runTool, scopeSources, TOOLS, toolParameters, type AccessScope, type Tool, type ToolContext } from '../../tools/index.js';
import { startLabEstate, type LabEstate } from '../llm/harness.js';

let lab: LabEstate;
beforeAll(async () => { lab = await startLabEstate('firewall-network-rule-deny'); });
afterAll(async () => { await lab?.close(); });

function contextFor(scope: AccessScope): ToolContext {
  const sources = scopeSources(lab.dependencies.sources, scope);
  return {
    diagnose: lab.dependencies.createDiagnoser(sources), sources, scope, now: lab.dependencies.now(), signal: new AbortController().signal,
    previous: undefined, timeZone: undefined, uploads: [], captureOptions: {}, turn: newTurnRecord(),
    limits: { captureSeconds: 600, captureBytes: 1024, windowInMinutes: 7 * 24 * 60 },
  };
}
const tool = (name: string): Tool => {
  const found = TOOLS.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  return found;
};
const call = (name: string, input: unknown, scope: AccessScope = { subscriptionIds: [lab.subscriptionId] }) => runTool(tool(name), JSON.stringify(input), contextFor(scope));

describe('the catalogue', () => {
  it('has one file per tool, named after it, and lists them all', () => {
    const directory = fileURLToPath(new URL('../../tools/', import.meta.url));
    const files = readdirSync(directory).filter((file) => file.endsWith('.ts') && file !== 'index.ts').sort();
    expect(TOOLS.map((candidate) => `${candidate.name.replaceAll('_', '-')}.ts`).sort()).toEqual(files);
  });
  it.each(TOOLS.map((candidate) => [candidate.name, candidate] as const))('%s has a generated object schema and a description for the model', (_name, candidate) => {
    const schema = toolParameters(candidate);
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(candidate.description.length).toBeGreaterThan(60);
  });
});

describe('validated arguments', () => {
  it.each([
    ['query_firewall_logs', { sourceIp: "10.0.0.1' or 1==1" }, 'sourceIp'],
    ['query_firewall_logs', { sourceIp: '10.61.2.4', start: 'yesterday' }, 'start'],
    ['get_next_hop', { vm: 'vm-app01 | take 10', destinationIp: '10.62.2.4' }, 'vm'],
    ['find_resource', { name: 'x', extra: true }, 'extra'],
  ])('%s rejects %j naming %s', async (name, input, field) => {
    const result = await call(name, input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_arguments', retryable: true } });
    if (!result.ok) expect(result.error.message).toContain(field);
  });
});

describe('against the lab', () => {
  it('find_resource finds by name and by IP, with closest names when nothing matches', async () => {
    const byName = await call('find_resource', { name: 'vm-app01' });
    expect(byName.ok && (byName.data as { matches: Array<{ name: string }> }).matches[0]?.name).toBe('vm-app01');
    const byIp = await call('find_resource', { ip: '10.62.2.4' });
    expect(byIp.ok && (byIp.data as { matches: Array<{ name: string }> }).matches.map((match) => match.name)).toContain('vm-fs01');
    const missing = await call('find_resource', { name: 'vm-app-01x' });
    expect(missing.ok && (missing.data as { closestNames: string[] }).closestNames).toContain('vm-app01');
  });

  it('query_firewall_logs summarises and pages the deny rows', async () => {
    const input = { sourceIp: '10.61.2.4', destinationIp: '10.62.2.4', port: 445, start: '2026-11-20T08:00:00Z', end: '2026-11-20T09:00:00Z' };
    const first = await call('query_firewall_logs', input);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    const data = first.data as { summary: { rows: number; byAction: Record<string, number> }; rows: Array<{ ref: string; rule: string | null }>; paging: { pages: number } };
    expect(data.summary.byAction.Deny).toBeGreaterThan(0);
    expect(data.rows.length).toBeLessThanOrEqual(20);
    expect(data.rows[0]?.rule).toContain('deny-smb-between-spokes');
    const beyond = await call('query_firewall_logs', { ...input, page: data.paging.pages + 1 });
    expect(beyond).toMatchObject({ ok: false, error: { code: 'page_out_of_range' } });
  });

  it('get_next_hop and get_effective_routes resolve a VM name to its NIC', async () => {
    const hop = await call('get_next_hop', { vm: 'vm-app01', destinationIp: '10.62.2.4' });
    expect(hop).toMatchObject({ ok: true, data: { vm: 'vm-app01', nextHopType: 'VirtualAppliance' } });
    const routes = await call('get_effective_routes', { vm: 'vm-app01', destinationIp: '10.62.2.4' });
    expect(routes).toMatchObject({ ok: true, data: { destination: { route: { nextHopType: 'VirtualAppliance' } } } });
  });

  it('start_packet_capture never starts anything and honours the duration limit', async () => {
    const context = contextFor({ subscriptionIds: [lab.subscriptionId] });
    const pending = await runTool(tool('start_packet_capture'), JSON.stringify({ vm: 'vm-fs01', durationInSeconds: 60 }), context);
    expect(pending).toMatchObject({ ok: true, data: { status: 'pending-confirmation' } });
    expect(context.turn.captureRequests).toHaveLength(1);
    const tooLong = await call('start_packet_capture', { vm: 'vm-fs01', durationInSeconds: 601 });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
  });
});

describe('the user\'s scope', () => {
  const elsewhere: AccessScope = { subscriptionIds: ['00000000-0000-0000-0000-00000000ffff'] };
  it.each([
    ['get_next_hop', { vm: 'vm-app01', destinationIp: '10.62.2.4' }],
    ['get_effective_security_rules', { vm: 'vm-app01' }],
    ['start_packet_capture', { vm: 'vm-app01', durationInSeconds: 60 }],
  ])('%s: a resource outside the scope is not found', async (name, input) => {
    expect(await call(name, input, elsewhere)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
  it('find_resource sees nothing outside the scope, and firewall rows of other subscriptions are left out', async () => {
    const found = await call('find_resource', { name: 'vm' }, elsewhere);
    expect(found.ok && (found.data as { matches: unknown[] }).matches).toEqual([]);
    const logs = await call('query_firewall_logs', { sourceIp: '10.61.2.4', start: '2026-11-20T08:00:00Z', end: '2026-11-20T09:00:00Z' }, elsewhere);
    expect(logs.ok && (logs.data as { summary: { rows: number } }).summary.rows).toBe(0);
  });
  it('diagnose_connection asks back instead of diagnosing resources outside the scope', async () => {
    const result = await call('diagnose_connection', { question: "why can't vm-app01 reach vm-fs01 on 445?" }, elsewhere);
    expect(result).toMatchObject({ ok: true, data: { kind: 'clarify' } });
  });
});
