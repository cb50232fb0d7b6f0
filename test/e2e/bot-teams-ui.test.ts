/**
 * End to end in a browser: headless Chromium on the Agents Playground's Teams UI, in
 * front of the compiled `netproof start` on a lab scenario. A user types the question
 * in the personal chat; the answer line and the verdict card render (facts, buttons);
 * "Show the proof" renders the proof card. Every request the page makes to anything
 * but loopback is blocked, so the run never leaves the machine.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotAndPlayground, type BotAndPlayground } from './bot-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const QUESTION = "why can't 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?";

let running: BotAndPlayground;
let browser: Browser;
let page: Page;
const blocked: string[] = [];

beforeAll(async () => {
  // .ci/run installs Debian's chromium; without it this tier must fail, not skip.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium`);
  running = await startBotAndPlayground('rdp-remote-site');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.route('**/*', async (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || route.request().url().startsWith('data:')) return route.continue();
    blocked.push(route.request().url());
    return route.abort();
  });
  await page.goto(running.base);
  await page.getByText('Personal Chat', { exact: true }).first().click();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

describe('netproof in the Teams UI of the Agents Playground', () => {
  it('answers a typed question with the answer line and the verdict card, and shows the proof on a click', async () => {
    const composer = page.locator('[data-lexical-editor="true"]');
    await composer.click();
    await page.keyboard.type(QUESTION);
    await page.locator('button[aria-label="Send Message"]').click();

    const verdict = page.locator('.ac-adaptiveCard').filter({ has: page.locator('.ac-fact-title', { hasText: 'Flow' }) }).last();
    await verdict.waitFor({ timeout: 60_000 });
    const titles = await verdict.locator('.ac-fact-title').allInnerTexts();
    expect(titles).toEqual(expect.arrayContaining(['Flow', 'Cause', 'Confidence']));
    expect((await verdict.locator('.ac-fact-value').allInnerTexts()).join(' ')).toContain('vm-app01');
    const buttons = await verdict.locator('button[aria-label]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')));
    // netproof start wires the capture job engine: a failing verdict offers to prove it with a capture.
    expect(buttons).toEqual(['Show the proof', 'Evidence pack', 'Ask again with another time window', 'Prove it with a capture']);
    // The evidence pack is a link to the bot's own server.
    expect(await verdict.locator('button[aria-label="Evidence pack"]').getAttribute('title')).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${running.botPort}/evidence/[A-Za-z0-9_-]{43}$`));
    // The acknowledgement was replaced by the answer line (rendered from Markdown).
    await expect.poll(async () => page.getByText(/^(OK|FAILING|UNKNOWN): /).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.getByText(/^Looking at firewall logs/).count()).toBe(0);
    await verdict.scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('./screenshots/teams-verdict-card.png', import.meta.url).pathname });

    await verdict.locator('button[aria-label="Show the proof"]').click();
    const proof = page.locator('.ac-adaptiveCard', { hasText: /Proof, page 1 of \d+/ });
    await proof.waitFor({ timeout: 30_000 });
    expect(await proof.count()).toBeGreaterThan(0);
    await proof.last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: new URL('./screenshots/teams-proof-card.png', import.meta.url).pathname });
    expect(blocked.every((url) => !url.startsWith('http://127.0.0.1'))).toBe(true);
  });
});
