import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const { AppManifestUtils } = require('@microsoft/app-manifest') as {
  AppManifestUtils: { validateAgainstSchema(manifest: unknown): Promise<string[]> };
};

const manifestPath = new URL('../../manifest/manifest.json', import.meta.url);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
  manifestVersion: string; icons: { color: string; outline: string };
  bots: { scopes: string[]; supportsFiles: boolean }[];
};

/** Reads width and height from a PNG's IHDR chunk. */
function pngSize(file: URL): { width: number; height: number; colorType: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), colorType: bytes[25] ?? -1 };
}

describe('Teams app manifest', () => {
  it('validates against the bundled v1.30 schema', async () => {
    expect(manifest.manifestVersion).toBe('1.30');
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
  });

  it('fails validation when a required field is missing, so the check can fail', async () => {
    const broken = { ...manifest, icons: undefined };
    expect((await AppManifestUtils.validateAgainstSchema(broken)).length).toBeGreaterThan(0);
  });

  it('declares the bot in personal, team and group chat scopes with file support', () => {
    expect(manifest.bots[0]?.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest.bots[0]?.supportsFiles).toBe(true);
  });

  it('ships a 192x192 colour icon and a 32x32 transparent outline icon', () => {
    expect(pngSize(new URL(`../../manifest/${manifest.icons.color}`, import.meta.url))).toMatchObject({ width: 192, height: 192 });
    const outline = pngSize(new URL(`../../manifest/${manifest.icons.outline}`, import.meta.url));
    expect(outline).toMatchObject({ width: 32, height: 32 });
    expect(outline.colorType).toBe(6); // RGBA: the outline needs transparency
  });
});
