/** Compiled modules for workers and child processes, found from TypeScript source (vitest runs it). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtModuleUrl, packageRoot } from '../src/built-module.js';

describe('builtModuleUrl', () => {
  it('finds the package root by its package.json', () => {
    expect(existsSync(join(packageRoot(), 'package.json'))).toBe(true);
    expect(packageRoot()).toBe(fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, ''));
  });

  it.each(['capture/index.js', 'lab/process-child.js'])('takes %s from dist/ when running from source', (path) => {
    const url = builtModuleUrl(path, 'it');
    expect(fileURLToPath(url)).toBe(join(packageRoot(), 'dist', 'src', path));
    expect(existsSync(url)).toBe(true);
  });

  it('names the missing file and the command that builds it', () => {
    expect(() => builtModuleUrl('lab/no-such-module.js', 'the example')).toThrow('the example is not built: run `npm run build` (dist/src/lab/no-such-module.js is missing)');
  });
});
