/** Headless Chromium for the e2e tier: Debian's chromium driven by playwright-core, offline-safe flags. */
import { chromium, type Browser } from 'playwright-core';

/** Where Debian installs Chromium (`.ci/run` installs the package). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launches Chromium headless (playwright gives it a fresh profile) with the flags that keep it from reaching the network on its own. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}
