/**
 * The Teams app package script: run as `npm run manifest:package` would run it, then
 * unzipped with a reader written here (central directory + inflateRaw, independent of
 * the zip library that wrote it): three files at the root, the bot id filled in, the
 * manifest still valid against the v1.30 schema, icons byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { AppManifestUtils } = require('@microsoft/app-manifest') as { AppManifestUtils: { validateAgainstSchema(manifest: unknown): Promise<string[]> } };
const MANIFEST = join(import.meta.dirname, '..', '..', 'manifest');
const SCRIPT = join(MANIFEST, 'package.mjs');

/** Reads every entry of a zip through its central directory. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let index = 0; index < count; index += 1) {
    expect(zip.readUInt32LE(offset)).toBe(0x02014b50);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.subarray(offset + 46, offset + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    const content = method === 8 ? inflateRawSync(data) : Buffer.from(data);
    expect(content.length).toBe(size);
    entries.set(name, content);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('manifest:package', () => {
  it('zips manifest.json with the bot id and the two icons at the root', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'netproof-manifest-')), 'app.zip');
    const botId = 'AB12CD34-0000-4000-8000-1234567890AB';
    const { stdout } = await run(process.execPath, [SCRIPT, '--bot-id', botId, '--out', out]);
    expect(stdout.trim()).toBe(out);
    const entries = unzip(readFileSync(out));
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '{}') as { bots: { botId: string }[]; id: string };
    expect(manifest.bots.map((bot) => bot.botId)).toEqual([botId.toLowerCase()]);
    const original = JSON.parse(readFileSync(join(MANIFEST, 'manifest.json'), 'utf8')) as { id: string };
    expect(manifest.id).toBe(original.id);
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    expect(entries.get('color.png')?.equals(readFileSync(join(MANIFEST, 'color.png')))).toBe(true);
    expect(entries.get('outline.png')?.equals(readFileSync(join(MANIFEST, 'outline.png')))).toBe(true);
  });

  it('gives the same bytes for the same inputs', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'netproof-manifest-'));
    const botId = '11111111-2222-3333-4444-555555555555';
    await run(process.execPath, [SCRIPT, '--bot-id', botId, '--out', join(directory, 'a.zip')]);
    await run(process.execPath, [SCRIPT, `--bot-id=${botId}`, `--out=${join(directory, 'b.zip')}`]);
    expect(readFileSync(join(directory, 'a.zip')).equals(readFileSync(join(directory, 'b.zip')))).toBe(true);
  });

  it.each([
    [['--bot-id', 'not-a-guid'], /must be the bot's Microsoft App ID \(a GUID\)/],
    [[], /--bot-id <guid> is required/],
    [['--bot-id', '11111111-2222-3333-4444-555555555555', '--colour', 'red'], /unknown argument "--colour"/],
  ])('refuses %j with one line and exit 2', async (argv, message) => {
    const failure = await run(process.execPath, [SCRIPT, ...argv]).then(() => null, (error: { code: number; stderr: string }) => error);
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(message);
    expect(failure?.stderr.trim().split('\n')).toHaveLength(1);
  });
});
