import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../../infra/local/runtime.ts';

/** Debian's Chromium (package `chromium`), or the one `CHROMIUM_PATH` names. Playwright downloads no browser here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests leave their screenshots (gitignored): CI keeps them as the run's artifacts. */
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'test-artifacts', 'screenshots');

/**
 * Starts headless Chromium for a browser test. Fails with how to install it when it is missing: a browser test that
 * skipped itself would pass without testing anything.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}. The console's browser tests drive Debian's chromium: ` +
        '`apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium` ' +
        '(.ci/run does this), or set CHROMIUM_PATH to another Chromium.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // As root in a container, with no GPU and no network but loopback: without the background-networking flags
    // Chromium keeps trying Google's services, each refused.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Saves a full-page screenshot as `<SCREENSHOTS_DIR>/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}
