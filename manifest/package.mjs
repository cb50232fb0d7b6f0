#!/usr/bin/env node
// @ts-check
/* global structuredClone */
/**
 * Builds the Teams app package: manifest.json with the bot id filled in, plus the two
 * icons, zipped flat (Teams wants the three files at the root of the zip).
 *
 *   npm run manifest:package -- --bot-id <guid> [--out netproof-teams-app.zip]
 *
 * Plain JavaScript so it runs right after `npm ci`, with no build. Exit 0: written;
 * 2: bad arguments or a bad manifest (one line on stderr).
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const MANIFEST_DIRECTORY = dirname(fileURLToPath(import.meta.url));
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A fixed time for every entry, so the same inputs give the same zip. */
const ENTRY_TIME = new Date('2026-01-01T00:00:00Z');

/** A problem the user fixes (exit 2). */
export class PackageError extends Error {}

/**
 * The manifest with the bot id in every bot (and in webApplicationInfo when present).
 * @param {Record<string, any>} manifest
 * @param {string} botId
 */
export function withBotId(manifest, botId) {
  if (!GUID.test(botId)) throw new PackageError(`--bot-id must be the bot's Microsoft App ID (a GUID), got ${JSON.stringify(botId)}`);
  if (!Array.isArray(manifest.bots) || manifest.bots.length === 0) throw new PackageError('manifest.json declares no bot');
  const copy = structuredClone(manifest);
  for (const bot of copy.bots) bot.botId = botId.toLowerCase();
  return copy;
}

/**
 * Writes the package; resolves with the path written.
 * @param {{ botId: string, out: string, manifestDirectory?: string }} options
 */
export async function packageManifest(options) {
  const directory = options.manifestDirectory ?? MANIFEST_DIRECTORY;
  /** @type {Record<string, any>} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8'));
  } catch (error) {
    throw new PackageError(`cannot read ${join(directory, 'manifest.json')}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const filled = withBotId(manifest, options.botId);
  const icons = [filled.icons?.color, filled.icons?.outline].filter((name) => typeof name === 'string');
  if (icons.length !== 2) throw new PackageError('manifest.json must name icons.color and icons.outline');
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(filled, null, 2)}\n`), 'manifest.json', { mtime: ENTRY_TIME, mode: 0o100644 });
  for (const icon of icons) {
    let bytes;
    try {
      bytes = readFileSync(join(directory, icon));
    } catch {
      throw new PackageError(`the icon ${icon} named in manifest.json is missing`);
    }
    zip.addBuffer(bytes, icon, { mtime: ENTRY_TIME, mode: 0o100644, compress: false });
  }
  const out = resolve(options.out);
  await new Promise((resolvePromise, reject) => {
    const stream = createWriteStream(out);
    stream.on('error', reject);
    stream.on('close', () => resolvePromise(undefined));
    zip.outputStream.on('error', reject).pipe(stream);
    zip.end();
  });
  return out;
}

/**
 * Parses `--bot-id <guid> [--out file]`.
 * @param {string[]} argv
 */
export function parseArguments(argv) {
  let botId = '';
  let out = 'netproof-teams-app.zip';
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    const [flag, inline] = (argument ?? '').split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++index] ?? '';
    if (flag === '--bot-id') botId = value();
    else if (flag === '--out') out = value();
    else if (flag === '--help' || flag === '-h') return { help: true, botId, out };
    else throw new PackageError(`unknown argument ${JSON.stringify(argument)}; usage: --bot-id <guid> [--out file.zip]`);
  }
  if (!botId) throw new PackageError('--bot-id <guid> is required (the Azure Bot\'s Microsoft App ID)');
  if (!out) throw new PackageError('--out needs a file name');
  return { help: false, botId, out };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parseArguments(process.argv.slice(2));
    if (options.help) {
      process.stdout.write('usage: npm run manifest:package -- --bot-id <guid> [--out netproof-teams-app.zip]\n');
    } else {
      const written = await packageManifest(options);
      process.stdout.write(`${written}\n`);
    }
  } catch (error) {
    if (error instanceof PackageError) {
      process.stderr.write(`manifest:package: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      throw error;
    }
  }
}
