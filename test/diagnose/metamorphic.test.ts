/**
 * Metamorphic test of the whole pipeline: every built-in scenario, with every resource renamed,
 * every private prefix moved and every time shifted (in the resources, table rows, effective
 * routes and rules, pinned Network Watcher answers, the capture files and the question's text),
 * gives the same verdict as the original. Rules read structure and values, never names, absolute
 * addresses or the calendar.
 *
 * - Names: resource groups and every named segment of every resource id (VMs, NICs, VNets,
 *   subnets, NSGs, route tables, firewalls, policies, peerings, vaults, sites...) become `zq<n>-x`,
 *   wherever they occur: ids, `name` fields, `rg/name` placements in Traffic Analytics, host names
 *   (`<vault>.vault.azure.net`), the question. Names Azure gives a meaning (GatewaySubnet,
 *   AzureFirewallSubnet...) and dotted names (DNS zones) stay.
 * - Addresses: 10.a.b.c -> 10.(a xor 1).b.c, 172.16-31.a.b and 192.168.a.b -> third octet xor 1;
 *   a prefix keeps its length and is masked to it, so aligned prefixes stay aligned
 *   (10.128.0.0/13 stays itself, 10.201.0.0/16 and 10.200.0.0/16 trade places). Public addresses
 *   (Azure DNS 168.63.129.16, partners, service tags) stay.
 * - Times: every ISO timestamp moves by 14 days (two whole weeks, so "Tuesday", "this morning"
 *   and the clock times in the question keep their meaning); capture packets move with them.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiagnoseOutcome } from '../../src/diagnose/diagnose.js';
import type { Runtime } from '../../src/main.js';
import { listBuiltInScenarios } from '../../src/lab/index.js';
import { estateOf, scenarioRuntime } from '../support/scenario-runtime.js';

const SHIFT_IN_MS = 14 * 24 * 60 * 60 * 1000;

/** Names Azure reads a meaning into: never renamed. */
const RESERVED = new Set(['gatewaysubnet', 'azurefirewallsubnet', 'azurefirewallmanagementsubnet', 'azurebastionsubnet', 'routeserversubnet', 'default']);

const ID_PATTERN = /\/subscriptions\/[^/\s"]+\/resourceGroups\/[^/\s"]+(?:\/providers\/[^/\s"]+(?:\/[^/\s"]+\/[^/\s"]+)+)?/gi;

/** Collects every renameable name: resource groups and the named segments of every resource id. */
function namesOf(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(ID_PATTERN)) {
    const parts = match[0].split('/');
    names.add(parts[4]!);
    const providers = parts.indexOf('providers');
    if (providers < 0) continue;
    for (let index = providers + 3; index < parts.length; index += 2) names.add(parts[index]!);
  }
  return [...names].filter((name) => !RESERVED.has(name.toLowerCase()) && !name.includes('.') && name.length >= 4 && /[-\d]/.test(name));
}

/** A replacer of whole names (not inside a longer name: `vm-app01` in `nic-vm-app01` is left to that name's own entry). */
function nameReplacer(names: readonly string[]): (text: string) => string {
  const lowered = [...new Set(names.map((name) => name.toLowerCase()))].sort((left, right) => right.length - left.length || left.localeCompare(right));
  const renamed = new Map(lowered.map((name, index) => [name, `zq${index}-x`]));
  if (lowered.length === 0) return (text) => text;
  const escaped = lowered.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(?<![A-Za-z0-9_-])(${escaped.join('|')})(?![A-Za-z0-9_-])`, 'gi');
  return (text) => text.replace(pattern, (found) => renamed.get(found.toLowerCase()) ?? found);
}

/** Moves a private IPv4 address (as four octets); public ones stay. */
function moveOctets(octets: number[]): number[] {
  const [a, b, c, d] = octets as [number, number, number, number];
  if (a === 10) return [a, b ^ 1, c, d];
  if (a === 172 && b >= 16 && b <= 31) return [a, b, c ^ 1, d];
  if (a === 192 && b === 168) return [a, b, c ^ 1, d];
  return octets;
}

function moveAddresses(text: string): string {
  return text.replace(/(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?(?![\d.])/g, (found, ...groups: string[]) => {
    const octets = groups.slice(0, 4).map(Number);
    if (octets.some((octet) => octet > 255)) return found;
    const length = groups[4] === undefined ? null : Number(groups[4]);
    let value = moveOctets(octets).reduce((sum, octet) => sum * 256 + octet, 0);
    if (length !== null) value = length === 0 ? 0 : Math.floor(value / 2 ** (32 - length)) * 2 ** (32 - length);
    const moved = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
    return length === null ? moved : `${moved}/${length}`;
  });
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function moveTime(text: string): string {
  const match = ISO.exec(text);
  if (match === null) return text;
  const moved = new Date(Date.parse(text) + SHIFT_IN_MS).toISOString();
  // Keep the writing: no fraction stays without one (the zone becomes Z, the same instant).
  return match[2] === undefined ? moved.replace(/\.\d{3}Z$/, 'Z') : moved;
}

/** Applies the transformation to every string and every key of a JSON value. */
function transform(value: unknown, rename: (text: string) => string): unknown {
  const text = (input: string) => moveTime(moveAddresses(rename(input)));
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((item) => transform(item, rename));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [text(key), transform(inner, rename)]));
  }
  return value;
}

/* ----------------------------------------------------------- pcapng rewriting */

function onesComplementAdjust(checksum: number, oldWords: number[], newWords: number[]): number {
  // RFC 1624: HC' = ~(~HC + ~m + m'), over every changed 16-bit word.
  let sum = ~checksum & 0xffff;
  for (let index = 0; index < oldWords.length; index += 1) sum += (~oldWords[index]! & 0xffff) + newWords[index]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Moves the IPv4 addresses of one packet (Ethernet or raw IP) in place, keeping the IP, TCP and UDP checksums right. */
function movePacket(packet: Buffer, linkType: number): void {
  let offset = linkType === 1 ? 14 : linkType === 101 || linkType === 228 ? 0 : -1;
  if (offset < 0) return;
  if (linkType === 1) {
    let etherType = packet.readUInt16BE(12);
    while (etherType === 0x8100 && packet.length >= offset + 4) { etherType = packet.readUInt16BE(offset + 2); offset += 4; }
    if (etherType !== 0x0800) return;
  }
  if (packet.length < offset + 20 || packet[offset]! >> 4 !== 4) return;
  const headerLength = (packet[offset]! & 0x0f) * 4;
  const oldWords = [0, 2, 4, 6].map((delta) => packet.readUInt16BE(offset + 12 + delta));
  for (const at of [offset + 12, offset + 16]) {
    const moved = moveOctets([packet[at]!, packet[at + 1]!, packet[at + 2]!, packet[at + 3]!]);
    moved.forEach((octet, index) => { packet[at + index] = octet; });
  }
  const newWords = [0, 2, 4, 6].map((delta) => packet.readUInt16BE(offset + 12 + delta));
  packet.writeUInt16BE(onesComplementAdjust(packet.readUInt16BE(offset + 10), oldWords, newWords), offset + 10);
  const protocol = packet[offset + 9];
  const transport = offset + headerLength;
  const checksumAt = protocol === 6 ? transport + 16 : protocol === 17 ? transport + 6 : -1;
  const fragmented = (packet.readUInt16BE(offset + 6) & 0x1fff) !== 0;
  if (checksumAt < 0 || fragmented || packet.length < checksumAt + 2) return;
  const checksum = packet.readUInt16BE(checksumAt);
  if (protocol === 17 && checksum === 0) return;
  packet.writeUInt16BE(onesComplementAdjust(checksum, oldWords, newWords), checksumAt);
}

/** Rewrites a pcapng file: packet times move by the shift, IPv4 addresses as everywhere else. */
function movePcapng(input: Buffer): Buffer {
  const output = Buffer.from(input);
  const linkTypes: number[] = [];
  const resolutions: number[] = [];
  let offset = 0;
  while (offset + 12 <= output.length) {
    const type = output.readUInt32LE(offset);
    const length = output.readUInt32LE(offset + 4);
    if (length < 12 || offset + length > output.length) break;
    if (type === 0x0a0d0d0a) { linkTypes.length = 0; resolutions.length = 0; }
    if (type === 1) {
      linkTypes.push(output.readUInt16LE(offset + 8));
      let resolution = 1e6;
      for (let option = offset + 16; option + 4 <= offset + length - 4;) {
        const code = output.readUInt16LE(option);
        const size = output.readUInt16LE(option + 2);
        if (code === 0) break;
        if (code === 9 && size >= 1) {
          const raw = output[option + 4]!;
          resolution = raw & 0x80 ? 2 ** (raw & 0x7f) : 10 ** raw;
        }
        option += 4 + Math.ceil(size / 4) * 4;
      }
      resolutions.push(resolution);
    }
    if (type === 6) {
      const interfaceId = output.readUInt32LE(offset + 8);
      const resolution = resolutions[interfaceId] ?? 1e6;
      const stamp = (BigInt(output.readUInt32LE(offset + 12)) << 32n) | BigInt(output.readUInt32LE(offset + 16));
      const moved = stamp + BigInt(Math.round((SHIFT_IN_MS / 1000) * resolution));
      output.writeUInt32LE(Number(moved >> 32n), offset + 12);
      output.writeUInt32LE(Number(moved & 0xffffffffn), offset + 16);
      const captured = output.readUInt32LE(offset + 20);
      movePacket(output.subarray(offset + 28, offset + 28 + captured), linkTypes[interfaceId] ?? 1);
    }
    offset += length;
  }
  return output;
}

/* ------------------------------------------------------------------ the test */

/** The parts of a verdict that must not change. */
function decisionOf(outcome: DiagnoseOutcome) {
  if (outcome.kind === 'clarify') return { clarify: outcome.code };
  const { verdict } = outcome;
  return {
    status: verdict.status, layer: verdict.layer, cause: verdict.cause, contributing: [...verdict.contributing].sort(),
    component: verdict.blockedAt?.component ?? null, confidence: verdict.confidence,
  };
}

const workspace = mkdtempSync(join(tmpdir(), 'netproof-metamorphic-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** Runtimes shared by every scenario of this file: one lab over the originals, one over the transformed scenarios. */
const runtimes = new Map<'original' | 'moved', Promise<Runtime>>();
afterAll(async () => {
  await Promise.all([...runtimes.values()].map(async (runtime) => (await runtime).close()));
});

/** Starts the runtime over those folders the first time it is asked for, then reuses it. */
function runtimeOver(kind: 'original' | 'moved', directories: () => string[]): Promise<Runtime> {
  let runtime = runtimes.get(kind);
  if (!runtime) {
    runtime = scenarioRuntime(directories());
    runtimes.set(kind, runtime);
  }
  return runtime;
}

/** Writes the transformed scenario into a temporary folder; returns it and the transformed question. */
function transformed(directory: string, question: string): { directory: string; question: string } {
  const text = readFileSync(join(directory, 'scenario.json'), 'utf8');
  const rename = nameReplacer(namesOf(text));
  const scenario = transform(JSON.parse(text), rename) as { name: string };
  const target = join(workspace, `moved-${basename(directory)}`);
  mkdirSync(target, { recursive: true });
  writeFileSync(join(target, 'scenario.json'), JSON.stringify({ ...scenario, name: `moved-${basename(directory)}` }, null, 1));
  const captures = join(directory, 'captures');
  let files: string[] = [];
  try { files = readdirSync(captures); } catch { files = []; }
  if (files.length > 0) {
    mkdirSync(join(target, 'captures'), { recursive: true });
    for (const file of files) {
      // The scenario names its capture files after their targets: the files are renamed with them.
      const content = readFileSync(join(captures, file));
      if (content.readUInt32LE(0) === 0x0a0d0d0a) writeFileSync(join(target, 'captures', rename(file)), movePcapng(content));
      else cpSync(join(captures, file), join(target, 'captures', rename(file)));
    }
  }
  return { directory: target, question: moveAddresses(rename(question)) };
}

describe('transformation helpers', () => {
  it.each([
    ['10.201.1.4', '10.200.1.4'], ['10.200.0.0/16', '10.201.0.0/16'], ['10.128.0.0/13', '10.128.0.0/13'], ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.168.10.5', '192.168.11.5'], ['192.168.0.0/16', '192.168.0.0/16'], ['172.21.10.5', '172.21.11.5'], ['168.63.129.16', '168.63.129.16'],
    ['203.0.113.200', '203.0.113.200'], ['from 10.61.2.5:53312 to 10.62.1.4:1433', 'from 10.60.2.5:53312 to 10.63.1.4:1433'],
  ])('moves %s to %s', (input, output) => {
    expect(moveAddresses(input)).toBe(output);
  });

  it('renames whole names only, case-insensitively, ids and placements alike', () => {
    const rename = nameReplacer(['vm-app01', 'nic-vm-app01', 'rg-app']);
    expect(rename('/subscriptions/s/resourceGroups/RG-APP/providers/Microsoft.Network/networkInterfaces/nic-vm-app01 rg-app/vm-app01 vm-app01.corp.example'))
      .toBe('/subscriptions/s/resourceGroups/zq2-x/providers/Microsoft.Network/networkInterfaces/zq0-x zq2-x/zq1-x zq1-x.corp.example');
  });

  it('shifts times and keeps their writing', () => {
    expect(moveTime('2026-11-20T10:30:00Z')).toBe('2026-12-04T10:30:00Z');
    expect(moveTime('2026-11-20T10:30:00.123Z')).toBe('2026-12-04T10:30:00.123Z');
    expect(moveTime('not a time')).toBe('not a time');
  });
});

const originals = listBuiltInScenarios();
const questions = new Map(originals.map((directory) => [directory, (JSON.parse(readFileSync(join(directory, 'expect.json'), 'utf8')) as { question: string }).question]));
/** Every scenario transformed, written before any is asked, so one lab serves them all (their names differ: `moved-<folder>`). */
const moves = new Map<string, { directory: string; question: string }>();
const movedDirectories = () => originals.map((directory) => moves.get(directory)!.directory);
beforeAll(async () => {
  for (const directory of originals) moves.set(directory, transformed(directory, questions.get(directory)!));
  await runtimeOver('moved', movedDirectories);
}, 120_000);

describe.each(originals.map((directory) => [basename(directory), directory]))('scenario %s', (_name, directory) => {
  it('renamed, moved and shifted, it gives the same verdict', async () => {
    const question = questions.get(directory)!;
    // The golden test already pins the original's whole verdict: read it rather than ask twice.
    const golden = join(import.meta.dirname, '..', 'golden', basename(directory), 'verdict.json');
    const original = existsSync(golden)
      ? decisionOf({ kind: 'verdict', verdict: JSON.parse(readFileSync(golden, 'utf8')) } as DiagnoseOutcome)
      : decisionOf(await estateOf(await runtimeOver('original', () => originals), directory).diagnose({ text: question }));
    const moved = moves.get(directory)!;
    // Every question names a resource or gives an address: the transformation reaches it.
    expect(moved.question).not.toBe(question);
    const runtime = await runtimeOver('moved', movedDirectories);
    expect(decisionOf(await estateOf(runtime, moved.directory).diagnose({ text: moved.question }))).toEqual(original);
  }, 60_000);
});
