/**
 * Where the compiled JavaScript of a module is, for code that must run it in another thread or
 * process (the capture worker, the lab's child process): next to this file when running from a
 * build (`dist/`, `.bench-out/`), else, when running from TypeScript source (vitest), in the
 * package's `dist/`, since a worker or a child cannot load `.ts`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package's root: the nearest folder above this file that holds a package.json. */
export function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
  return folder;
}

/**
 * The compiled module at `path` under `src/` (`capture/index.js`, `lab/process-child.js`).
 * Throws, naming the missing file and the command that makes it, when it is not built.
 */
export function builtModuleUrl(path: string, what: string): URL {
  const sibling = new URL(`./${path}`, import.meta.url);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const built = join(packageRoot(), 'dist', 'src', path);
  if (existsSync(built)) return pathToFileURL(built);
  throw new Error(`${what} is not built: run \`npm run build\` (dist/src/${path} is missing)`);
}
