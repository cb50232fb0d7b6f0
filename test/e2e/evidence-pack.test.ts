/**
 * The evidence pack, as a remote admin opens it: a real verdict from the lab,
 * rendered to HTML and opened in headless Chromium with every request intercepted.
 * Nothing may leave the page; the screenshot goes into the README.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { createRuntime } from '../../src/main.js';
import { renderEvidencePack } from '../../src/report/html.js';
import type { Verdict } from '../../src/domain/index.js';
import { launchChromium } from './browser.js';

const scenario = new URL('../../src/lab/scenarios/rdp-remote-site', import.meta.url).pathname;
let browser: Browser;
let verdict: Verdict;

beforeAll(async () => {
  const runtime = await createRuntime(parseConfig({}), { scenarioDirectories: [scenario], frozenClock: true });
  try {
    const outcome = await runtime.estates[0]!.diagnose({ text: "why can't 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?" });
    if (outcome.kind !== 'verdict') throw new Error(outcome.message);
    verdict = outcome.verdict;
  } finally {
    await runtime.close();
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('evidence pack in a browser', () => {
  it.each([false, true])('opens offline (redacted: %s): no request leaves the page, the verdict and its proof render', async (redact) => {
    const folder = mkdtempSync(join(tmpdir(), 'netproof-pack-'));
    const file = join(folder, 'pack.html');
    writeFileSync(file, renderEvidencePack(verdict, { generatedAt: '2026-11-12T17:45:00.000Z', redact }));
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const requests: string[] = [];
    await page.route('**/*', async (route) => {
      const url = route.request().url();
      requests.push(url);
      if (url === pathToFileURL(file).href) await route.continue();
      else await route.abort();
    });
    await page.goto(pathToFileURL(file).href);
    expect(requests).toEqual([pathToFileURL(file).href]);
    const text = await page.locator('body').innerText();
    expect(text).toContain(verdict.summary);
    expect(text).toContain('no_packets_from_source');
    for (const finding of verdict.findings) expect(text).toContain(finding.id);
    if (redact) {
      expect(text).not.toMatch(/\/subscriptions\//i);
      expect(text).toContain('192.168.10.5');
    } else {
      await page.screenshot({ path: new URL('./screenshots/evidence-pack.png', import.meta.url).pathname, fullPage: false });
    }
    await page.close();
  });
});
