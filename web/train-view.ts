/**
 * The training view: "train" runs trainTask (web/train.ts) on the explorer's settings for the chosen task
 * (adding or copy) without freezing the page; the loss curve (with the task's baseline and solved level)
 * and the ‖∂L/∂h_t‖ heatmap over (training step × t) fill in as it trains; the verdict says where the
 * final evaluation stands against the baseline.
 */
import embed from 'vega-embed';
import type { Backend } from '../src/index.js';
import { heatmapSpec, lossSpec } from './specs.js';
import type { TrainingState } from './state.js';
import { pageTask, type TaskName, type TrainSummary, trainTask } from './train.js';
import { $, fail, readSettings, view } from './ui.js';

type View = Awaited<ReturnType<typeof embed>>['view'];

/** Wire the training controls; returns the page's bench function (train with no plotting, steps/s). */
export function setupTraining(
  page: { training: TrainingState },
  backend: () => Backend,
): (steps: number) => Promise<number> {
  let abort: AbortController | null = null;

  async function train(): Promise<void> {
    if (page.training.running) return;
    const s = readSettings();
    const task = $<HTMLSelectElement>('task').value as TaskName;
    const steps = Math.max(1, Math.floor(Number($<HTMLInputElement>('steps').value) || 200));
    const t: TrainingState = {
      running: true,
      task,
      losses: [],
      plotted: 0,
      snapshots: 0,
      heatmapRows: 0,
      summary: null,
    };
    page.training = t;
    abort = new AbortController();
    $<HTMLButtonElement>('train').disabled = true;
    $<HTMLButtonElement>('stop').disabled = false;
    const snapshots: { step: number; norms: number[] }[] = [];
    let loss: View | null = null,
      heat: View | null = null;
    let drawn = 0,
      rows = 0,
      lastDraw = 0,
      drawing = false;
    // Append what is not drawn yet, at most every 500 ms and never two redraws at once.
    const draw = async (): Promise<void> => {
      if (drawing || !loss || !heat) return;
      drawing = true;
      const points = t.losses.slice(drawn).map((value, i) => ({ step: drawn + i + 1, loss: value }));
      drawn += points.length;
      const cells = snapshots
        .slice(rows)
        .flatMap((r) =>
          r.norms
            .map((value, i) => ({ step: r.step + 1, t: i + 1, value }))
            .filter((c) => Number.isFinite(c.value) && c.value > 0),
        );
      rows = snapshots.length;
      await Promise.all([loss.insert('losses', points).runAsync(), heat.insert('cells', cells).runAsync()]);
      drawing = false;
    };
    try {
      // canvas: redrawing growing plots as SVG every few hundred ms costs more than the training steps
      const canvas = { ...view, renderer: 'canvas' as const };
      [loss, heat] = (
        await Promise.all([
          embed('#loss-plot', lossSpec(task === 'copy' ? 'cross-entropy' : 'MSE'), canvas),
          embed('#heat-plot', heatmapSpec(pageTask(task, s.T).T), canvas),
        ])
      ).map((r) => r.view);
      const summary = await trainTask(s, backend(), {
        steps,
        task,
        signal: abort.signal,
        onStep: (step, value) => {
          t.losses.push(value);
          const now = performance.now();
          if (now - lastDraw > 500) {
            lastDraw = now;
            $('train-status').textContent = `step ${step + 1} / ${steps}, loss ${value.toExponential(3)}`;
            void draw();
          }
        },
        onSnapshot: (step, norms) => {
          snapshots.push({ step, norms });
          t.snapshots = snapshots.length;
        },
      });
      $('train-status').textContent = verdict(summary);
      while (drawing) await new Promise((r) => setTimeout(r, 10));
      await draw();
      const levels = [{ level: 'baseline', value: summary.baseline }];
      if (summary.solvedBelow !== null) levels.push({ level: 'solved below', value: summary.solvedBelow });
      await loss.insert('levels', levels).runAsync();
      t.plotted = drawn;
      t.heatmapRows = rows;
      t.summary = summary;
    } catch (e) {
      fail(e);
    } finally {
      t.running = false;
      $<HTMLButtonElement>('train').disabled = false;
      $<HTMLButtonElement>('stop').disabled = true;
    }
  }

  $('train').addEventListener('click', () => void train());
  $('stop').addEventListener('click', () => abort?.abort());
  return async (steps) => (await trainTask(readSettings(), backend(), { steps, snapshotEvery: 0 })).stepsPerSecond;
}

/** "completed after 200 steps (96 steps/s): evaluation MSE 0.0412, baseline 0.167 — below the baseline". */
function verdict(s: TrainSummary): string {
  const final = s.result.final?.metric ?? s.result.history.loss.at(-1) ?? Number.NaN;
  const where =
    s.solvedBelow !== null && final < s.solvedBelow
      ? 'solved'
      : final < s.baseline
        ? `below the baseline (${((100 * final) / s.baseline).toFixed(0)}% of it; solved below ${s.solvedBelow?.toExponential(2) ?? '–'})`
        : 'not below the baseline';
  return (
    `${s.result.status} after ${s.result.steps} steps (${s.stepsPerSecond.toFixed(0)} steps/s): ` +
    `evaluation ${s.metric} ${final.toExponential(3)}, baseline ${s.baseline.toExponential(3)} — ${where}`
  );
}
