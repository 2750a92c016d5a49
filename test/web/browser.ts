/**
 * Helpers of the browser tests: build the page and serve it with `vite preview` (cross-origin isolated,
 * as web/vite.config.ts says), launch Debian's chromium through playwright-core, open pages that collect
 * console errors, optionally without the isolation headers (a static host that does not send them).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const chromium = process.env.RECUR_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(chromium);
export const root = new URL('../../', import.meta.url).pathname;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export type Browser = import('playwright-core').Browser;
export type Page = import('playwright-core').Page;

/**
 * Where a screenshot goes: docs/<name> with RECUR_SCREENSHOT=1 when it is README's (`readme`), else a
 * temporary folder (so test runs leave the tree clean).
 */
export function screenshotPath(name: string, readme = false): string {
  if (readme && process.env.RECUR_SCREENSHOT === '1') return join(root, 'docs', name);
  return join(mkdtempSync(join(tmpdir(), 'recur-web-')), name);
}

export interface Served {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Build web/ into web/dist, serve it, launch Chromium. */
export async function serveAndLaunch(): Promise<Served> {
  const vite = await import('vite');
  const configFile = `${root}web/vite.config.ts`;
  await vite.build({ configFile, logLevel: 'error' });
  const server = await vite.preview({ configFile, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not say where it listens');
  const { chromium: launcher } = await import('playwright-core');
  const browser = await launcher.launch({ executablePath: chromium, args: FLAGS, headless: true });
  return {
    url,
    browser,
    close: async () => {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    },
  };
}

/**
 * Open `url` in a new page that records console errors into `errors`; `isolated: false` strips the
 * cross-origin isolation headers from the document, as a host that does not send them.
 */
export async function openPage(
  served: Served,
  path: string,
  errors: string[],
  options: { isolated?: boolean; width?: number; height?: number } = {},
): Promise<Page> {
  const page = await served.browser.newPage({
    viewport: { width: options.width ?? 1100, height: options.height ?? 1000 },
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  if (options.isolated === false) {
    await page.route('**/*', async (route) => {
      if (!route.request().isNavigationRequest()) return route.continue();
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    });
  }
  await page.goto(new URL(path, served.url).href);
  await page.waitForFunction(() => (globalThis as { recurPage?: { plotted: number } }).recurPage?.plotted === 1, null, {
    timeout: 120_000,
  });
  return page;
}
