/**
 * The explorable page in a real browser (Debian's chromium driven by playwright-core): it loads with no
 * console errors; moving the depth control replots the gradient decay with the numbers the library computes
 * in Node for the same settings; training 200 steps fills the loss plot. Takes docs/browser-page.png.
 *
 * Needs /usr/bin/chromium (or RECUR_CHROMIUM=path). Without it these tests are SKIPPED, loudly:
 * `apt-get install chromium` enables them (.ci/run does so).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { measure, type Measurement } from '../../web/explore.js';
import { trainAdding } from '../../web/train.js';

const chromium = process.env.RECUR_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromium);
if (!haveChromium) {
  const line = '!'.repeat(100);
  console.warn(
    `${line}\nSKIPPED test/web/page.test.ts (the explorable page in a browser: loads without errors, same numbers ` +
      `as Node, trains 200 steps):\n${chromium} is missing. Enable with \`apt-get install chromium\` ` +
      `(or set RECUR_CHROMIUM to a Chromium binary).\n${line}`,
  );
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const root = new URL('../../', import.meta.url).pathname;

interface PageState {
  ready: boolean;
  measurement: Measurement | null;
  plotted: number;
  training: { running: boolean; losses: number[]; plotted: number; summary: { stepsPerSecond: number } | null };
  errors: string[];
}

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

describe.skipIf(!haveChromium)('the explorable page (web/) in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let close: () => Promise<void>;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const vite = await import('vite');
    const configFile = `${root}web/vite.config.ts`;
    await vite.build({ configFile, logLevel: 'error' });
    const server = await vite.preview({ configFile, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
    close = () => new Promise((resolve) => server.httpServer.close(() => resolve()));
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview did not say where it listens');
    const { chromium: launcher } = await import('playwright-core');
    browser = await launcher.launch({ executablePath: chromium, args: FLAGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(
      () => (globalThis as unknown as { recurPage?: PageState }).recurPage?.plotted === 1,
      null,
      {
        timeout: 120_000,
      },
    );
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await close?.();
  });

  const state = (): Promise<PageState> =>
    page.evaluate(() => (globalThis as unknown as { recurPage: PageState }).recurPage);

  it('loads with no console errors and plots the default settings', async () => {
    const s = await state();
    expect(consoleErrors).toEqual([]);
    expect(s.errors).toEqual([]);
    expect(await page.locator('#decay-plot svg').count()).toBe(1);
  });

  it('moving the depth control replots the decay with the numbers Node computes for the same settings', async () => {
    const before = (await state()).plotted;
    await page.locator('#depth').fill('4');
    await page.waitForFunction(
      (n) => (globalThis as unknown as { recurPage: PageState }).recurPage.plotted > n,
      before,
      { timeout: 120_000 },
    );
    const m = (await state()).measurement as Measurement;
    expect(m.settings.depth).toBe(4);
    const backend = createWasmBackend({ variant: 'simd' });
    const node = measure(m.settings, backend);
    const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    const worst = Math.max(...m.norm.map((x, i) => rel(x, node.norm[i])));
    console.log(`page vs Node, ${m.settings.transition} L=4: largest relative difference of ‖∂L/∂h_t‖ ${worst}`);
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(rel(m.rate, node.rate)).toBeLessThanOrEqual(1e-6);
    expect(rel(m.lyapunov, node.lyapunov)).toBeLessThanOrEqual(1e-6);
    // deeper plain transition, faster decay than at L = 2 (the page's default)
    const shallow = measure({ ...m.settings, depth: 2 }, backend);
    expect(m.rate).toBeLessThan(shallow.rate);
  }, 180_000);

  it('trains 200 steps in the page and the loss plot fills in', async () => {
    await page.locator('#steps').fill('200');
    await page.locator('#train').click();
    await page.waitForFunction(
      () => (globalThis as unknown as { recurPage: PageState }).recurPage.training.summary !== null,
      null,
      {
        timeout: 150_000,
      },
    );
    const s = await state();
    expect(s.training.losses.length).toBe(200);
    expect(s.training.plotted).toBe(200);
    expect(s.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.locator('#loss-plot canvas').count()).toBe(1);
    const settings = (s.measurement as Measurement).settings;
    const node = await trainAdding(settings, createWasmBackend({ variant: 'simd' }), { steps: 200 });
    console.log(
      `adding problem, ${settings.transition} L=${settings.depth} H=${settings.hidden} T=${settings.T}, batch 32: ` +
        `page ${s.training.summary?.stepsPerSecond.toFixed(1)} steps/s, Node ${node.stepsPerSecond.toFixed(1)} steps/s`,
    );
    // same seed, same settings: the page's losses are Node's
    const nodeLosses = Array.from(node.result.history.loss);
    expect(
      Math.max(...s.training.losses.map((x, i) => Math.abs(x - nodeLosses[i]) / nodeLosses[i])),
    ).toBeLessThanOrEqual(1e-6);
    mkdirSync(`${root}docs`, { recursive: true });
    await page.screenshot({ path: `${root}docs/browser-page.png`, fullPage: true });
  }, 240_000);
});
