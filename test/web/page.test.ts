/**
 * The explorable page in a real browser (Debian's chromium driven by playwright-core): it loads with no
 * console errors and says how many threads it runs on; moving the depth control replots the gradient
 * decay with the numbers the library computes in Node for the same settings; the threaded page (served
 * cross-origin isolated) and the single-threaded one (the same page without the isolation headers) give
 * the same numbers; training adding 200 steps fills the loss plot and the ‖∂L/∂h_t‖ heatmap; copy trains;
 * the results view draws the committed study export. Screenshots go to a temporary folder, or to
 * docs/browser-page.png with RECUR_SCREENSHOT=1.
 *
 * Needs /usr/bin/chromium (or RECUR_CHROMIUM=path). Without it these tests are SKIPPED, loudly:
 * `apt-get install chromium` enables them (.ci/run does so).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend } from '../../src/kernels/wasm/backend.js';
import { measure, type Measurement, type Settings } from '../../web/explore.js';
import type { PageState, RunNumbers } from '../../web/state.js';
import { trainAdding } from '../../web/train.js';
import { chromium, haveChromium, openPage, type Page, type Served, screenshotPath, serveAndLaunch } from './browser.js';

if (!haveChromium) {
  const line = '!'.repeat(100);
  console.warn(
    `${line}\nSKIPPED test/web/page.test.ts (the explorable page in a browser: loads without errors, same numbers ` +
      `as Node, threads, training, results):\n${chromium} is missing. Enable with \`apt-get install chromium\` ` +
      `(or set RECUR_CHROMIUM to a Chromium binary).\n${line}`,
  );
}

type Window = { recurPage: PageState };
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe.skipIf(!haveChromium)('the explorable page (web/) in Chromium', () => {
  let served: Served;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    served = await serveAndLaunch();
    page = await openPage(served, './', consoleErrors);
  }, 240_000);

  afterAll(async () => {
    await served?.close();
  });

  const state = (p: Page = page): Promise<PageState> => p.evaluate(() => (globalThis as unknown as Window).recurPage);

  it('loads with no console errors, plots the default settings and says how many threads it runs on', async () => {
    const s = await state();
    expect(consoleErrors).toEqual([]);
    expect(s.errors).toEqual([]);
    expect(await page.locator('#decay-plot svg').count()).toBe(1);
    expect(await page.locator('#path-plot svg').count()).toBe(1);
    const cores = await page.evaluate(
      () => (globalThis as unknown as { navigator: { hardwareConcurrency: number } }).navigator.hardwareConcurrency,
    );
    expect(s.threads).toBe(Math.min(4, cores));
    expect(await page.locator('#mode').textContent()).toBe(s.mode);
    if (s.threads > 1) expect(s.mode).toMatch(/threads \(Web Workers .*cross-origin isolated\)/);
    expect(s.measurement?.trajectory.points.length).toBe(s.measurement?.settings.T);
  });

  it('moving the depth control replots the decay with the numbers Node computes for the same settings', async () => {
    const before = (await state()).plotted;
    await page.locator('#depth').fill('4');
    await page.waitForFunction((n) => (globalThis as unknown as Window).recurPage.plotted > n, before, {
      timeout: 120_000,
    });
    const m = (await state()).measurement as Measurement;
    expect(m.settings.depth).toBe(4);
    const backend = createWasmBackend({ variant: 'simd' });
    const node = measure(m.settings, backend);
    const worst = Math.max(...m.norm.map((x, i) => rel(x, node.norm[i])));
    console.log(`page vs Node, ${m.settings.transition} L=4: largest relative difference of ‖∂L/∂h_t‖ ${worst}`);
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(rel(m.rate, node.rate)).toBeLessThanOrEqual(1e-6);
    expect(rel(m.lyapunov, node.lyapunov)).toBeLessThanOrEqual(1e-6);
    expect(m.trajectory.points.map((p) => p.pc1)).toEqual(node.trajectory.points.map((p) => p.pc1));
    // deeper plain transition, faster decay than at L = 2 (the page's default)
    const shallow = measure({ ...m.settings, depth: 2 }, backend);
    expect(m.rate).toBeLessThan(shallow.rate);
  }, 180_000);

  it('the threaded page and the single-threaded page (no isolation headers) give the same numbers', async () => {
    const errors: string[] = [];
    const single = await openPage(served, './', errors, { isolated: false });
    const one = await state(single);
    expect(one.threads).toBe(1);
    expect(one.mode).toMatch(/one thread \(the page is not cross-origin isolated/);
    // H = 64, batch 32: the recurrent GEMMs are large enough to be split over the threads
    const s: Settings = { transition: 'deep-plain', depth: 2, scale: 1, hidden: 64, T: 30, seed: 3 };
    // backoffMs 0: the threaded page splits every large call, even on a machine too busy for threads to pay
    const run = (p: Page): Promise<RunNumbers> =>
      p.evaluate(
        ([s, n]) => (globalThis as unknown as Window).recurPage.run?.(s, n, { backoffMs: 0 }) as Promise<RunNumbers>,
        [s, 10] as const,
      );
    const [threaded, alone] = [await run(page), await run(single)];
    console.log(`threads: ${(await state()).threads} vs 1; kernel calls split: ${threaded.splitCalls}`);
    if ((await state()).threads > 1) expect(threaded.splitCalls).toBeGreaterThan(1000);
    expect(alone.splitCalls).toBe(0);
    expect(threaded.losses).toHaveLength(10);
    expect(threaded.losses).toEqual(alone.losses);
    expect(threaded.norm).toEqual(alone.norm);
    expect([threaded.rate, threaded.lyapunov]).toEqual([alone.rate, alone.lyapunov]);
    expect(errors).toEqual([]);
    await single.close();
  }, 180_000);

  it('trains adding 200 steps: the loss plot and the gradient heatmap fill in, with Node’s losses', async () => {
    await page.locator('#steps').fill('200');
    await page.locator('#train').click();
    await page.waitForFunction(() => (globalThis as unknown as Window).recurPage.training.summary !== null, null, {
      timeout: 150_000,
    });
    const s = await state();
    expect(s.training.losses.length).toBe(200);
    expect(s.training.plotted).toBe(200);
    expect(s.training.snapshots).toBe(40);
    expect(s.training.heatmapRows).toBe(40);
    expect(s.errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(await page.locator('#loss-plot canvas').count()).toBe(1);
    expect(await page.locator('#heat-plot canvas').count()).toBe(1);
    expect(await page.locator('#train-status').textContent()).toMatch(/baseline/);
    const settings = (s.measurement as Measurement).settings;
    const node = await trainAdding(settings, createWasmBackend({ variant: 'simd' }), { steps: 200 });
    console.log(
      `adding problem, ${settings.transition} L=${settings.depth} H=${settings.hidden} T=${settings.T}, batch 32: ` +
        `page ${s.training.summary?.stepsPerSecond.toFixed(1)} steps/s, Node ${node.stepsPerSecond.toFixed(1)} steps/s`,
    );
    const nodeLosses = Array.from(node.result.history.loss);
    expect(Math.max(...s.training.losses.map((x, i) => rel(x, nodeLosses[i])))).toBeLessThanOrEqual(1e-6);
  }, 240_000);

  it('trains copy: the cross-entropy falls and the heatmap fills in', async () => {
    await page.locator('#task').selectOption('copy');
    await page.locator('#steps').fill('60');
    await page.locator('#train').click();
    await page.waitForFunction(
      () => {
        const t = (globalThis as unknown as Window).recurPage.training;
        return t.task === 'copy' && t.summary !== null;
      },
      null,
      { timeout: 150_000 },
    );
    const t = (await state()).training;
    expect(t.losses).toHaveLength(60);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(t.losses.slice(-10))).toBeLessThan(0.8 * mean(t.losses.slice(0, 10)));
    expect(t.heatmapRows).toBeGreaterThan(0);
    expect(t.summary?.metric).toBe('xent');
    expect((await state()).errors).toEqual([]);
  }, 180_000);

  it('the results view draws the committed study export (offline: fetched at load), decay vs depth, T₅₀, success', async () => {
    await page.waitForFunction(() =>
      (
        globalThis as unknown as {
          performance: { getEntriesByType(t: string): { name: string; responseEnd: number }[] };
        }
      ).performance
        .getEntriesByType('resource')
        .some((e) => e.name.includes('results.jsonl') && e.responseEnd > 0),
    );
    await page.context().setOffline(true);
    await page.locator('#open-committed').click();
    await page.waitForFunction(() => (globalThis as unknown as Window).recurPage.results.shown !== null, null, {
      timeout: 120_000,
    });
    const r = (await state()).results;
    expect(r.trials).toBeGreaterThan(1000);
    expect(r.figures).toEqual(expect.arrayContaining(['decay-gain', 't50-horizon', 'success-adding']));
    expect(r.shown).toBe('decay-gain');
    for (const id of ['t50-horizon', 'success-adding']) {
      await page.locator('#figure').selectOption(id);
      await page.waitForFunction((x) => (globalThis as unknown as Window).recurPage.results.shown === x, id);
      expect(await page.locator('#result-plot svg').count()).toBe(1);
    }
    expect((await state()).errors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.context().setOffline(false);
    await page.locator('#figure').selectOption('decay-gain');
    await page.screenshot({ path: screenshotPath('browser-page.png', true), fullPage: true });
  }, 180_000);

  it('fits a phone screen (390×844): nothing wider than the viewport but the results figure, which scrolls', async () => {
    const errors: string[] = [];
    const phone = await openPage(served, './', errors, { width: 390, height: 844 });
    const wide = await phone.evaluate(() => {
      type El = { id: string; className: string; getBoundingClientRect(): { right: number } };
      const g = globalThis as unknown as { innerWidth: number; document: { querySelectorAll(s: string): El[] } };
      return [...g.document.querySelectorAll('header, #controls, #readout, .plots, .row')]
        .filter((e) => e.getBoundingClientRect().right > g.innerWidth + 1)
        .map((e) => e.id || e.className);
    });
    expect(wide).toEqual([]);
    await phone.screenshot({ path: screenshotPath('browser-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await phone.close();
  }, 120_000);
});
