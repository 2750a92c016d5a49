/**
 * Synthetic trial tables in the shape of the redesigned flagship study, with known answers:
 *
 *  - Part A (training.steps = 0, adding T = 50): plain transitions at depths `depths`, activations tanh and
 *    identity, gains `gains`; decay.init = L·log a + `intercept` for the identity (exact), and
 *    L·(log a + tanhExtra) + noise for tanh; optional exploding run; optional highway variant at a = 1.
 *  - pilot (config.phase = 'pilot'): given final losses per (model, lr).
 *  - Part B (trained, adding at T ∈ Ts): models given with a success rule per (T, seed); cells after a T
 *    where every seed failed are left out (as the runner skips them) when `skipAfterFailure`.
 */
import { parseTaskSpec } from '../../src/tasks/registry.js';
import { ResultStore, type TrialRecord } from '../../src/runner/store.js';
import type { TrialSpec } from '../../src/runner/grid.js';

export interface PartA {
  depths?: number[];
  gains?: number[];
  seeds?: number[];
  intercept?: number;
  /** Extra per-layer rate with tanh (default −0.05): c(a) = log a + tanhExtra. */
  tanhExtra?: number;
  /** Noise amplitude added to tanh slopes (default 0.002). */
  noise?: number;
  /** Mark the tanh run at this (gain, L, seed) as exploding with the given growth rate. */
  exploding?: { gain: number; L: number; seed: number; rate: number };
  highway?: boolean;
  activations?: string[];
}

export interface PartBModel {
  name: string;
  cell: Record<string, unknown>;
  solved: (T: number, seed: number) => boolean;
  /** Final mse per (T, seed) (default 0.002 when solved, else 0.16). */
  loss?: (T: number, seed: number) => number;
  /** decay.init of this model (default −0.05). */
  s?: number;
  /** Record gtt curves at these fractions of training, the slope rising linearly from s to s/2. */
  gttAt?: number[];
}

export interface PartB {
  Ts?: number[];
  seeds?: number[];
  models: PartBModel[];
  skipAfterFailure?: boolean;
}

export interface StudyFixture {
  partA?: PartA;
  pilot?: { model: string; cell: Record<string, unknown>; losses: Record<number, (number | null)[]> }[];
  partB?: PartB;
}

const hashNoise = (k: string): number => {
  let h = 2166136261;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296 - 0.5;
};

let counter = 0;

function write(
  store: ResultStore,
  o: {
    taskName: string;
    T: number;
    modelName: string;
    cell: Record<string, unknown>;
    axes: Record<string, unknown>;
    seed: number;
    steps: number;
    phase?: string;
    lr?: number;
    summary: Record<string, number | null>;
    solved: boolean;
    final?: Record<string, number> | null;
    status?: TrialRecord['status'];
    curves?: TrialRecord['curves'];
  },
): void {
  const index = counter++;
  const training = {
    steps: o.steps,
    batchSize: 32,
    optimizer: { kind: 'adam', lr: o.lr ?? 0.001 },
    evalEvery: 100,
  } as unknown as TrialSpec['training'];
  const spec = {
    key: `trial-${index}`,
    index,
    label: `${o.modelName} · ${o.taskName} · T=${o.T} · seed ${o.seed}`,
    study: 'dt',
    taskName: o.taskName,
    task: parseTaskSpec({ kind: 'adding', T: o.T }),
    modelName: o.modelName,
    model: { cell: o.cell } as unknown as TrialSpec['model'],
    training,
    seed: o.seed,
    instruments: {},
    axes: { 'task.T': o.T, ...o.axes },
    ...(o.phase ? { phase: o.phase } : {}),
  } as TrialSpec;
  const solvedAt = o.solved ? Math.max(1, Math.round(o.steps / 2)) : null;
  const final =
    o.final !== undefined
      ? o.final
      : o.steps > 0
        ? { loss: o.solved ? 0.002 : 0.16, metric: o.solved ? 0.002 : 0.16 }
        : null;
  store.writeTrial(spec, {
    status: o.status ?? 'done',
    steps: o.steps,
    divergedAt: null,
    error: null,
    solvedAt,
    final,
    seconds: 1,
    metrics: [],
    curves: o.curves ?? [],
    summary: o.summary,
  });
}

/** A fresh in-memory store holding study 'dt' built from `f`. */
export function studyStore(f: StudyFixture): ResultStore {
  const store = new ResultStore(':memory:');
  store.saveStudy('dt', 'studies/dt.yaml', { name: 'dt', description: 'synthetic deep-transition study' });
  const a = f.partA;
  if (a) {
    const seeds = a.seeds ?? [1, 2, 3];
    for (const act of a.activations ?? ['tanh', 'identity'])
      for (const gain of a.gains ?? [0.9, 1, 1.25])
        for (const L of a.depths ?? [1, 2, 4, 8])
          for (const seed of seeds) {
            const ex =
              a.exploding &&
              act === 'tanh' &&
              a.exploding.gain === gain &&
              a.exploding.L === L &&
              a.exploding.seed === seed
                ? a.exploding
                : null;
            const s = ex
              ? ex.rate
              : act === 'identity'
                ? L * Math.log(gain) + (a.intercept ?? 0)
                : L * (Math.log(gain) + (a.tanhExtra ?? -0.05)) +
                  (a.noise ?? 0.002) * hashNoise(`${gain}:${L}:${seed}`);
            write(store, {
              taskName: 'adding',
              T: 50,
              modelName: `plain-${act}`,
              cell: {
                kind: 'deep',
                hidden: 16,
                depth: L,
                variant: 'plain',
                activation: act,
                recurrentInit: { kind: 'orthogonal', gain },
              },
              axes: { 'model.cell.depth': L, 'model.cell.recurrentInit.gain': gain },
              seed,
              steps: 0,
              solved: false,
              summary: {
                'decay.init': s,
                'decay.init.exploding': ex ? 1 : 0,
                'lyapunov.init': L * Math.log(gain) - 0.03 * L,
              },
            });
          }
    if (a.highway)
      for (const L of a.depths ?? [1, 2, 4, 8])
        for (const seed of seeds) {
          write(store, {
            taskName: 'adding',
            T: 50,
            modelName: 'highway',
            cell: {
              kind: 'deep',
              hidden: 16,
              depth: L,
              variant: 'highway',
              transformBias: -4,
              recurrentInit: { kind: 'orthogonal', gain: 1 },
            },
            axes: { 'model.cell.depth': L },
            seed,
            steps: 0,
            solved: false,
            summary: { 'decay.init': -0.01 * L + 0.001 * hashNoise(`hw:${L}:${seed}`), 'lyapunov.init': null },
          });
        }
  }
  for (const p of f.pilot ?? [])
    for (const [lr, losses] of Object.entries(p.losses))
      losses.forEach((loss, i) => {
        write(store, {
          taskName: 'adding',
          T: 64,
          modelName: p.model,
          cell: p.cell,
          axes: { 'training.optimizer.lr': Number(lr) },
          seed: i + 1,
          steps: 100,
          phase: 'pilot',
          lr: Number(lr),
          solved: false,
          summary: {},
          final: loss === null ? null : { loss, metric: loss },
          status: loss === null ? 'diverged' : 'done',
        });
      });
  const b = f.partB;
  if (b) {
    for (const m of b.models) {
      let allFailed = false;
      for (const T of b.Ts ?? [16, 32, 64, 128]) {
        if (allFailed && b.skipAfterFailure) continue;
        const seeds = b.seeds ?? [1, 2, 3, 4, 5];
        for (const seed of seeds) {
          const s0 = (m.s ?? -0.05) + 0.001 * hashNoise(`${m.name}:${T}:${seed}`);
          const curves = (m.gttAt ?? []).map((f) => ({
            kind: 'gtt',
            step: Math.round(f * 1000),
            layer: 0,
            data: { t: [1, 2], mean: [1, 1], slope: s0 * (1 - f / 2) },
          }));
          write(store, {
            taskName: 'adding',
            T,
            modelName: m.name,
            cell: m.cell,
            axes: {},
            seed,
            steps: 1000,
            solved: m.solved(T, seed),
            ...(m.loss ? { final: { loss: m.loss(T, seed), metric: m.loss(T, seed) } } : {}),
            summary: { 'decay.init': s0 },
            curves,
          });
        }
        allFailed = seeds.every((s) => !m.solved(T, s));
      }
    }
  }
  return store;
}
