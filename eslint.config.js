// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vendors = [
  { group: ['@azure/*', '@azure-rest/*'], message: 'The core knows no vendor: Azure SDKs live in src/azure/ (and the lab).' },
  { group: ['openai'], message: 'openai is imported only in src/llm/.' },
  { group: ['botbuilder', 'botbuilder-*', 'botframework-*'], message: 'botbuilder is imported only in src/bot/.' },
];
const io = [
  { group: ['fs', 'node:fs', 'fs/*', 'node:fs/*'], message: 'The pure core does no file I/O: pass data in.' },
];
const lab = { group: ['**/lab/**', '**/lab'], message: 'src/lab/ is imported only by the entry layer (cli.ts, main.ts) and tests.' };
const upper = (names) => names.map((name) => ({ group: [`**/${name}/**`, `**/${name}`], message: `Imports point down the layers: this folder may not import src/${name}/.` }));

const noClockNoEnv = {
  'no-restricted-properties': ['error',
    { object: 'Date', property: 'now', message: 'The clock is an input: take time as an argument.' },
    { object: 'process', property: 'env', message: 'Only src/config.ts reads process.env.' },
  ],
  'no-restricted-syntax': ['error',
    { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The clock is an input: take time as an argument.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.bench-out/**', 'test/.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  // Everything in src/ and tools/: process.env is read in src/config.ts alone.
  {
    files: ['src/**/*.ts', 'tools/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: { 'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config.ts reads process.env.' }] },
  },
  // The pure core: no vendor, no I/O, no clock, no environment.
  {
    files: ['src/domain/**/*.ts', 'src/rules/**/*.ts', 'src/capture/analysis/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...vendors, ...io, lab, ...upper(['azure', 'diagnose', 'report', 'llm', 'bot'])] }], ...noClockNoEnv },
  },
  // Capture readers: file I/O allowed, no vendor SDKs.
  {
    files: ['src/capture/readers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...vendors, lab, ...upper(['azure', 'diagnose', 'report', 'llm', 'bot', 'rules'])] }] },
  },
  // Azure adapters: Azure SDKs only.
  {
    files: ['src/azure/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [vendors[1], vendors[2], lab, ...upper(['diagnose', 'report', 'llm', 'bot'])] }] },
  },
  // Use cases: adapters come in as arguments.
  {
    files: ['src/diagnose/**/*.ts', 'src/report/**/*.ts', 'src/coverage/**/*.ts', 'src/capture-jobs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...vendors, lab, ...upper(['llm', 'bot'])] }], ...noClockNoEnv },
  },
  // The LLM edge and its tools.
  {
    files: ['src/llm/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [vendors[0], vendors[2], lab, ...upper(['bot'])] }] },
  },
  {
    files: ['tools/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...vendors, lab, ...upper(['bot'])] }] },
  },
  // The chat edge: botbuilder lives here and nowhere else.
  {
    files: ['src/bot/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [vendors[0], vendors[1], lab] }] },
  },
  // The lab is an Azure emulator: it may use Azure's own emulator packages, never the product's upper layers.
  {
    files: ['src/lab/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [vendors[1], vendors[2], ...upper(['diagnose', 'report', 'llm', 'bot', 'azure'])] }] },
  },
);
