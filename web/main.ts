/**
 * The explorable page: controls → measure() (web/explore.ts) → Vega-Lite plots; the training view
 * (web/train-view.ts); the results view (web/results-view.ts). The kernels are the library's WebAssembly,
 * loaded once from the bundled assets, on several threads (Web Workers over a SharedArrayBuffer) when the
 * page is cross-origin isolated, one otherwise; `?threads=N` asks for N (1: one thread). For tests and the
 * curious, the last results sit on `window.recurPage`.
 */
import embed from 'vega-embed';
import threadsWasmUrl from '../build/kernels-threads.wasm?url';
import wasmUrl from '../build/kernels.wasm?url';
import workerUrl from '../src/kernels/wasm/web-thread-worker.ts?worker&url';
import { type WasmBackend, createWasmBackendAsync, loadWasm, webThreadsAvailable } from '../src/index.js';
import { DEFAULT_SETTINGS, TRANSITIONS, measure } from './explore.js';
import { setupResults } from './results-view.js';
import { decaySpec, singularSpec, trajectorySpec } from './specs.js';
import { trainTask } from './train.js';
import type { PageState } from './state.js';
import { setupTraining } from './train-view.js';
import { $, errors, fail, fmt, readSettings, view } from './ui.js';

const page: PageState = {
  ready: false,
  threads: 0,
  mode: '',
  measurement: null,
  plotted: 0,
  training: { running: false, task: 'adding', losses: [], plotted: 0, snapshots: 0, heatmapRows: 0, summary: null },
  results: { figures: [], shown: null, trials: 0 },
  errors,
};
(window as unknown as { recurPage: PageState }).recurPage = page;

let backend: WasmBackend;
let pending = 0;

/** Measure and plot the current settings (coalesced: a burst of slider moves measures once, at the end). */
function update(): void {
  const id = ++pending;
  requestAnimationFrame(async () => {
    if (id !== pending) return;
    const s = readSettings();
    $('depth-out').textContent = String(s.depth);
    $('scale-out').textContent = s.scale.toFixed(2);
    $('T-out').textContent = String(s.T);
    try {
      const m = measure(s, backend);
      $('rate').textContent = `${fmt(m.rate)}  [${fmt(m.rateCi[0])}, ${fmt(m.rateCi[1])}]`;
      $('bound').textContent = m.boundPerStep === null ? 'none (gated cell)' : fmt(m.boundPerStep);
      $('lyapunov').textContent = fmt(m.lyapunov);
      $('ratio').textContent = (m.norm[0] / m.norm[s.T - 1]).toExponential(2);
      $('explained').textContent = `${(100 * m.trajectory.explained).toFixed(0)}%`;
      $('ms').textContent = `${m.ms.toFixed(0)} ms`;
      await Promise.all([
        embed('#decay-plot', decaySpec(m), view),
        embed('#sv-plot', singularSpec(m), view),
        embed('#path-plot', trajectorySpec(m), view),
      ]);
      if (id === pending) {
        page.measurement = m;
        page.plotted++;
      }
    } catch (e) {
      fail(e);
    }
  });
}

/** The threads to ask for: `?threads=N`, else one per core up to 4. */
function wantedThreads(): number {
  const asked = new URLSearchParams(location.search).get('threads');
  const n = asked === null ? Math.min(4, navigator.hardwareConcurrency || 1) : Math.floor(Number(asked));
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

async function start(): Promise<void> {
  const select = $<HTMLSelectElement>('transition');
  for (const t of TRANSITIONS) select.add(new Option(t, t, false, t === DEFAULT_SETTINGS.transition));
  await loadWasm(wasmUrl);
  const want = wantedThreads();
  if (want > 1 && webThreadsAvailable()) await loadWasm(threadsWasmUrl, { file: 'kernels-threads.wasm' });
  backend = await createWasmBackendAsync({ threads: want, workerUrl });
  page.threads = backend.threads;
  page.mode =
    backend.threads > 1
      ? `${backend.threads} threads (Web Workers sharing the kernels' memory; the page is cross-origin isolated)`
      : want > 1
        ? 'one thread (the page is not cross-origin isolated, so it cannot share memory with workers)'
        : 'one thread (as asked)';
  $('mode').textContent = page.mode;
  for (const id of ['transition', 'depth', 'scale', 'hidden', 'T', 'seed']) $(id).addEventListener('input', update);
  page.bench = setupTraining(page, () => backend);
  setupResults(page);
  // With `backoffMs: 0` on a fresh backend of as many threads every large call is split, however busy the machine.
  page.run = async (s, steps, options = {}) => {
    const be =
      options.backoffMs === undefined || backend.threads === 1
        ? backend
        : await createWasmBackendAsync({ threads: backend.threads, workerUrl, backoffMs: options.backoffMs });
    try {
      const m = measure(s, be);
      const r = await trainTask(s, be, { steps, snapshotEvery: 0 });
      const losses = Array.from(r.result.history.loss);
      const splitCalls = be.threadStats()?.dispatches ?? 0;
      return { norm: m.norm, rate: m.rate, lyapunov: m.lyapunov, losses, splitCalls };
    } finally {
      if (be !== backend) await be.dispose();
    }
  };
  $('status').textContent = `recur: wasm backend, ${page.mode}`;
  page.ready = true;
  update();
}

start().catch(fail);
