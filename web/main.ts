/**
 * The explorable page: controls → measure() (web/explore.ts) → Vega-Lite plots, and a "train" button that
 * runs trainAdding (web/train.ts) without freezing the page. The kernels are the library's WebAssembly,
 * loaded once from the bundled asset. For tests and the curious, the last results sit on `window.recurPage`.
 */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import wasmUrl from '../build/kernels.wasm?url';
import { type Backend, getBackend, loadWasm } from '../src/index.js';
import { DEFAULT_SETTINGS, type Measurement, type Settings, TRANSITIONS, type Transition, measure } from './explore.js';
import { type TrainSummary, trainAdding } from './train.js';

/** What the page exposes for tests: the last measurement, the training state, and errors. */
interface PageState {
  ready: boolean;
  measurement: Measurement | null;
  /** How many measurements have been plotted. */
  plotted: number;
  /** Losses of the current run, and how many of them the plot shows once it is done. */
  training: { running: boolean; losses: number[]; plotted: number; summary: TrainSummary | null };
  errors: string[];
  /** Train the current settings for `steps` steps with no plotting; resolves to steps per second. */
  bench?: (steps: number) => Promise<number>;
}
const page: PageState = {
  ready: false,
  measurement: null,
  plotted: 0,
  training: { running: false, losses: [], plotted: 0, summary: null },
  errors: [],
};
(window as unknown as { recurPage: PageState }).recurPage = page;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const fmt = (x: number | null, digits = 4): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));

function readSettings(): Settings {
  return {
    transition: $<HTMLSelectElement>('transition').value as Transition,
    depth: Number($<HTMLInputElement>('depth').value),
    scale: Number($<HTMLInputElement>('scale').value),
    hidden: Number($<HTMLSelectElement>('hidden').value),
    T: Number($<HTMLInputElement>('T').value),
    seed: Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value) || 0)),
  };
}

const view = { actions: false, renderer: 'svg' as const };

function decaySpec(m: Measurement): TopLevelSpec {
  const T = m.settings.T;
  const gT = m.norm[T - 1];
  const rows = m.t.flatMap((t, i) => {
    const out = [
      { t, value: m.norm[i], series: 'measured ‖∂L/∂h_t‖' },
      { t, value: Math.exp(m.intercept + m.rate * (T - t)), series: `fit: e^(${fmt(m.rate, 3)}·(T−t))` },
    ];
    if (m.boundPerStep !== null) out.push({ t, value: gT * m.boundPerStep ** (T - t), series: 'bound: g_T·β^(T−t)' });
    return out.filter((r) => Number.isFinite(r.value) && r.value > 0);
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 260,
    data: { values: rows },
    mark: { type: 'line', point: false },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 't' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: '‖∂L/∂h_t‖' },
      color: { field: 'series', type: 'nominal', legend: { orient: 'bottom', title: null } },
      strokeDash: { field: 'series', type: 'nominal' },
    },
  };
}

function singularSpec(m: Measurement): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 260,
    data: { values: m.singular.map((s, i) => ({ i: i + 1, s })) },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'i', type: 'quantitative', title: 'index i' },
      y: { field: 's', type: 'quantitative', title: 'σ_i(J_T)' },
    },
  };
}

/** The loss plot reads two named data sets, so training appends points to one live view (no re-embedding). */
function lossSpec(): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 'container',
    height: 220,
    layer: [
      {
        data: { name: 'losses' },
        mark: 'line',
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'training MSE' },
        },
      },
      {
        data: { name: 'baseline' },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { y: { field: 'baseline', type: 'quantitative' } },
      },
    ],
  };
}

let backend: Backend;
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
      $('ms').textContent = `${m.ms.toFixed(0)} ms`;
      await Promise.all([embed('#decay-plot', decaySpec(m), view), embed('#sv-plot', singularSpec(m), view)]);
      if (id === pending) {
        page.measurement = m;
        page.plotted++;
      }
    } catch (e) {
      fail(e);
    }
  });
}

let abort: AbortController | null = null;

async function train(): Promise<void> {
  if (page.training.running) return;
  const s = readSettings();
  const steps = Math.max(1, Math.floor(Number($<HTMLInputElement>('steps').value) || 200));
  page.training = { running: true, losses: [], plotted: 0, summary: null };
  abort = new AbortController();
  $<HTMLButtonElement>('train').disabled = true;
  $<HTMLButtonElement>('stop').disabled = false;
  let plot: Awaited<ReturnType<typeof embed>>['view'] | null = null;
  let drawn = 0,
    lastDraw = 0,
    drawing = false;
  // Append the steps not yet drawn, at most every 500 ms and never two redraws at once.
  const draw = async (): Promise<void> => {
    if (drawing || !plot) return;
    drawing = true;
    const rows = page.training.losses.slice(drawn).map((loss, i) => ({ step: drawn + i + 1, loss }));
    drawn += rows.length;
    await plot.insert('losses', rows).runAsync();
    drawing = false;
  };
  try {
    // canvas: redrawing a growing line as SVG every few hundred ms costs more than the training steps
    plot = (await embed('#loss-plot', lossSpec(), { ...view, renderer: 'canvas' })).view;
    const summary = await trainAdding(s, backend, {
      steps,
      signal: abort.signal,
      onStep: (step, loss) => {
        page.training.losses.push(loss);
        const now = performance.now();
        if (now - lastDraw > 500) {
          lastDraw = now;
          $('train-status').textContent = `step ${step} / ${steps}, loss ${loss.toExponential(3)}`;
          void draw();
        }
      },
    });
    const final = summary.result.final?.metric ?? summary.result.history.loss.at(-1) ?? Number.NaN;
    const verdict =
      summary.solvedBelow !== null && final < summary.solvedBelow
        ? 'solved'
        : final < summary.baseline
          ? 'below the baseline'
          : 'not below the baseline';
    $('train-status').textContent =
      `${summary.result.status} after ${summary.result.steps} steps (${summary.stepsPerSecond.toFixed(0)} steps/s): ` +
      `evaluation MSE ${final.toExponential(3)}, baseline ${summary.baseline.toExponential(3)} — ${verdict}`;
    while (drawing) await new Promise((r) => setTimeout(r, 10));
    await draw();
    await plot.insert('baseline', [{ baseline: summary.baseline }]).runAsync();
    page.training.plotted = drawn;
    page.training.summary = summary;
  } catch (e) {
    fail(e);
  } finally {
    page.training.running = false;
    $<HTMLButtonElement>('train').disabled = false;
    $<HTMLButtonElement>('stop').disabled = true;
  }
}

function fail(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  page.errors.push(msg);
  $('status').textContent = `error: ${msg}`;
  console.error(msg);
}

async function start(): Promise<void> {
  const select = $<HTMLSelectElement>('transition');
  for (const t of TRANSITIONS) select.add(new Option(t, t, false, t === DEFAULT_SETTINGS.transition));
  await loadWasm(wasmUrl);
  backend = getBackend('wasm', { threads: 1 });
  for (const id of ['transition', 'depth', 'scale', 'hidden', 'T', 'seed']) $(id).addEventListener('input', update);
  $('train').addEventListener('click', () => void train());
  $('stop').addEventListener('click', () => abort?.abort());
  $('status').textContent = `recur: wasm backend, one thread`;
  page.bench = async (steps) => (await trainAdding(readSettings(), backend, { steps })).stepsPerSecond;
  page.ready = true;
  update();
}

start().catch(fail);
