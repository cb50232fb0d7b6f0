/**
 * The prompts: plain Markdown files in `prompts/` at the package root, read once at
 * start-up. The directory is found from this module's own location, so it works
 * from `src/` under vitest and from `dist/src/` after a build.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The prompts the assistant uses. */
export interface Prompts {
  /** The system prompt of every turn. */
  system: string;
  /** Added when the assistant explains a verdict it is given (no tools). */
  explainVerdict: string;
  /** Sent back when an answer fails the grounding check; `{{reasons}}` is filled in. */
  answerRejected: string;
}

const FILES: Record<keyof Prompts, string> = {
  system: 'system.md',
  explainVerdict: 'explain-verdict.md',
  answerRejected: 'answer-rejected.md',
};

/** The package root: the nearest folder above this module whose package.json is netproof's. */
export function packageRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let directory = start;
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (parsed.name === 'netproof') return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`cannot find the netproof package root above ${start}`);
    directory = parent;
  }
}

/** Reads every prompt; a missing file is a broken installation and throws naming it. */
export function loadPrompts(directory: string = join(packageRoot(), 'prompts')): Prompts {
  const read = (file: string) => {
    const path = join(directory, file);
    if (!existsSync(path)) throw new Error(`prompt file missing: ${path}`);
    return readFileSync(path, 'utf8').trim();
  };
  return {
    system: read(FILES.system),
    explainVerdict: read(FILES.explainVerdict),
    answerRejected: read(FILES.answerRejected),
  };
}

/** Fills `{{name}}` placeholders; an unknown placeholder is a bug in a prompt file. */
export function fillPrompt(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/gu, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`prompt placeholder {{${name}}} has no value`);
    return value;
  });
}
