/**
 * Findings about trainability (Part B, trained trials on tasks with a T axis), one per task condition:
 *
 *  - better-than (finding, per T): model A learns the task better than model B — a lower final loss
 *    relative to the trivial baseline, the study's continuous endpoint. Pairs: a deep shortcut/residual/
 *    highway model against the plain one of the same depth, activation and gain; a plain model initialised
 *    at a ≠ 1 against the plain one at a = 1 of the same depth; gated cells (LSTM, GRU) against the vanilla
 *    tanh RNN (else plain L = 1 at a = 1). Paired by seed: one-sided paired t test of log(final mse /
 *    baseline) (a diverged trial counts as 0); held if the Holm-adjusted p ≤ 0.05, did not hold if the 95%
 *    CI of the mean paired difference lies wholly on B's side. Success counts are shown alongside; a T at
 *    which both solved on every shared seed is censored (training stops at the threshold) and not tested,
 *    nor is one with fewer than two shared seeds; a pair with no informative T gives one "inconclusive"
 *    line. Cells skipped by design are not trials and are left out here (they enter the T₅₀ fit only).
 *    (Success itself is binary: with 3–5 seeds an exact test on it cannot reach p ≤ 0.05 after correction,
 *    so it is the T₅₀ fit's endpoint, not a pairwise test's.)
 *  - Le et al. 2015 (finding, only in that paper's setting: the adding problem at 150 ≤ T ≤ 400, LSTM and
 *    IRNN): the model ends below the trivial baseline. One-sample t test of log(final mse / baseline) < 0
 *    over seeds; did not hold if the 95% CI lies wholly ≥ 0.
 */
import type { Draft } from './findings.js';
import { meanTest } from './inference.js';
import { isUntrained, type ModelInfo, type StudyData, type TrialView } from './data.js';
import { finalLogRatio, isImplied, trainedSource } from './trainability.js';
import { ciText, fmt, pText } from './stats.js';

const TOPIC = 'trainability';
/** Le, Jaitly & Hinton 2015 ran the adding problem at T = 150, 200, 300 and 400. */
const LE_RANGE = [150, 400] as const;

type Pair = { a: ModelInfo; b: ModelInfo; why: string };

const sameExtras = (a: ModelInfo, b: ModelInfo) => a.activation === b.activation && a.depth === b.depth;

/** The pre-specified comparisons among the models the study has. */
export function comparisons(models: readonly ModelInfo[]): Pair[] {
  const pairs: Pair[] = [];
  const plain = models.filter((m) => m.family === 'plain');
  for (const m of models.filter((x) => x.deep && x.family !== 'plain')) {
    const b = plain.find((p) => sameExtras(p, m) && p.gain === m.gain);
    if (b && m.depth >= 2) pairs.push({ a: m, b, why: 'a remedy against the plain transition of the same depth' });
  }
  for (const m of plain.filter((x) => x.gain !== 1)) {
    const b = plain.find((p) => sameExtras(p, m) && p.gain === 1);
    if (b) pairs.push({ a: m, b, why: `initialisation at a = ${fmt(m.gain)} against a = 1` });
  }
  const tanh =
    models.find((m) => m.family === 'vanilla-tanh') ??
    plain.find((p) => p.depth === 1 && p.gain === 1 && p.activation === 'tanh');
  for (const m of models.filter((x) => x.family === 'lstm' || x.family === 'gru'))
    if (tanh) pairs.push({ a: m, b: tanh, why: 'a gated cell against an ungated one' });
  return pairs;
}

/** finalLogRatio, with a diverged trial at 0 (no better than the baseline) when the task has a baseline. */
function logRatio(v: TrialView): number | null {
  if (v.trial.status === 'diverged') return v.task.baseline !== null && v.task.baseline > 0 ? 0 : null;
  return finalLogRatio(v);
}

function bySeed(views: readonly TrialView[]): Map<number, { solved: boolean; log: number }> {
  const out = new Map<number, { solved: boolean; log: number }>();
  for (const v of views) {
    const log = logRatio(v);
    if (log !== null) out.set(v.trial.seed, { solved: v.solved, log });
  }
  return out;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function pairDrafts(source: readonly TrialView[], task: string, { a, b, why }: Pair): Draft[] {
  const claim = `${a.label} learns ${task} better than ${b.label} (${why}): a lower final loss relative to the baseline.`;
  const rule =
    'per T, paired by seed: one-sided paired t test of log(final mse / baseline), A lower than B (a diverged trial counts as 0, no better than the baseline); held if the Holm-adjusted p ≤ 0.05; did not hold if the 95% CI of the mean paired difference lies wholly on the side of B; a T at which both solved on every shared seed carries no information (training stops at the solved threshold, so both losses are censored there) and is not tested; success counts are shown alongside.';
  const onTask = source.filter((v) => v.task.name === task && !isImplied(v) && v.trial.status !== 'failed'); // crashed: missing data
  const Ts = [...new Set(onTask.map((v) => v.task.T!))].sort((x, y) => x - y);
  const out: Draft[] = [];
  const empty: string[] = [];
  const usedAll: TrialView[] = [];
  for (const T of Ts) {
    const va = onTask.filter((v) => v.task.T === T && v.model.key === a.key),
      vb = onTask.filter((v) => v.task.T === T && v.model.key === b.key);
    if (va.length === 0 || vb.length === 0) continue;
    const sa = bySeed(va),
      sb = bySeed(vb);
    const seeds = [...sa.keys()].filter((s) => sb.has(s)).sort((x, y) => x - y);
    const n = seeds.length;
    if (n === 0) continue;
    const ka = seeds.filter((s) => sa.get(s)!.solved).length,
      kb = seeds.filter((s) => sb.get(s)!.solved).length;
    const counts = `T = ${T}: ${ka}/${n} vs ${kb}/${n}`;
    usedAll.push(...va, ...vb);
    // B − A per seed: positive when A ends lower (better)
    const diffs = seeds.map((s) => sb.get(s)!.log - sa.get(s)!.log);
    if ((ka === n && kb === n) || n < 2 || diffs.every((d) => d === 0)) {
      empty.push(`${counts}${ka === n && kb === n ? ' (both solved: censored)' : n < 2 ? ' (one shared seed)' : ''}`);
      continue;
    }
    const t = meanTest(diffs)!;
    const unpaired = va.length + vb.length - 2 * n;
    const la = mean(seeds.map((s) => sa.get(s)!.log)),
      lb = mean(seeds.map((s) => sb.get(s)!.log));
    const nums =
      `${a.label} solved ${ka}/${n}, ${b.label} ${kb}/${n}; mean log(final mse / baseline) ${fmt(la, 3)} vs ${fmt(lb, 3)}; ` +
      `mean paired difference (A − B) ${fmt(-t.mean, 3)}, 95% CI ${ciText(-t.hi, -t.lo)}, ${n} seeds${unpaired ? `; ${unpaired} unpaired trials left out` : ''}`;
    const used = [...va, ...vb].filter((v) => seeds.includes(v.trial.seed));
    out.push({
      id: `success:${task}:T=${T}:${a.key}|${b.key}`,
      kind: 'finding',
      topic: TOPIC,
      claim: `${claim.slice(0, -1)} at T = ${T}.`,
      rule,
      used,
      evidence: nums,
      numbers: { T, n, solvedA: ka, solvedB: kb, logA: la, logB: lb, diff: -t.mean, lo: -t.hi, hi: -t.lo, p: t.p },
      p: t.p,
      contrary: t.hi <= 0,
      ci: { lo: -t.hi, hi: -t.lo, of: 'mean paired difference of log(final mse / baseline), A − B' },
      say: (v, ph) =>
        `${task} · T = ${T}: ${v === 'held' ? `${a.label} learns it better than ${b.label}` : v === 'did not hold' ? `${a.label} does not learn it better than ${b.label}` : `${a.label} vs ${b.label}: difference not shown`} — ${nums}; ${pText(t.p, ph)}.`,
    });
  }
  if (out.length === 0 && empty.length) {
    out.push({
      id: `success:${task}:none:${a.key}|${b.key}`,
      kind: 'finding',
      topic: TOPIC,
      claim,
      rule,
      used: usedAll,
      evidence: empty.join('; '),
      numbers: {},
      p: null,
      ci: null,
      contrary: false,
      untested: true,
      say: () =>
        `${task}: ${a.label} vs ${b.label} — no T carried information (${empty.join('; ')}), so nothing is tested.`,
    });
  }
  return out;
}

function leDrafts(source: readonly TrialView[]): Draft[] {
  const out: Draft[] = [];
  const cells = new Map<string, TrialView[]>();
  for (const v of source) {
    const T = v.task.T!;
    if (v.task.kind !== 'adding' || T < LE_RANGE[0] || T > LE_RANGE[1] || isImplied(v)) continue;
    if (v.model.family !== 'lstm' && v.model.family !== 'vanilla-relu-id') continue;
    const k = `${v.task.key}\u0000${v.model.key}`;
    cells.set(k, [...(cells.get(k) ?? []), v]);
  }
  for (const views of cells.values()) {
    const { task, model } = views[0];
    if (task.baseline === null || !(task.baseline > 0)) continue;
    const logs = views.map(finalLogRatio);
    const diverged = logs.filter((x) => x === null).length;
    const t = meanTest(logs.filter((x): x is number => x !== null).map((x) => -x));
    const claim = `${model.label} gets below the trivial baseline on ${task.label}, as Le, Jaitly & Hinton (2015) report for LSTM and IRNN on the adding problem at T = 150–400 (their setting; here ${task.label}).`;
    const rule =
      'one-sample t test over seeds of log(final mse / baseline) < 0; held if the Holm-adjusted p ≤ 0.05; did not hold if its 95% CI lies wholly ≥ 0; diverged trials are counted and named, not averaged.';
    const base = {
      id: `le2015:${task.key}:${model.key}`,
      kind: 'finding' as const,
      topic: 'literature',
      claim,
      rule,
      used: views,
    };
    if (!t) {
      out.push({
        ...base,
        evidence: `${logs.length - diverged} finished trials`,
        numbers: {},
        p: null,
        ci: null,
        contrary: false,
        untested: true,
        say: () =>
          `${model.label} on ${task.label}: fewer than two finished trials, so the comparison with Le et al. (2015) is not made.`,
      });
      continue;
    }
    const nums = `mean log(final mse / baseline) ${fmt(-t.mean, 3)}, 95% CI ${ciText(-t.hi, -t.lo)}, ${t.n} seeds${diverged ? `, ${diverged} diverged` : ''}`;
    out.push({
      ...base,
      evidence: nums,
      p: t.p,
      contrary: t.hi <= 0,
      ci: { lo: -t.hi, hi: -t.lo, of: 'mean log(final mse / baseline)' },
      numbers: { T: task.T, mean: -t.mean, lo: -t.hi, hi: -t.lo, n: t.n, diverged },
      say: (v, ph) =>
        `${model.label} on ${task.label} ${v === 'held' ? 'ends below the trivial baseline' : v === 'did not hold' ? 'does not get below the trivial baseline' : 'is not shown to get below the trivial baseline'}, in the setting of Le et al. (2015) — ${nums}; ${pText(t.p, ph)}.`,
    });
  }
  return out;
}

/** Part B drafts: the per-T success comparisons and the literature claims made in their papers' setting. */
export function successDrafts(data: StudyData): Draft[] {
  const source = trainedSource(data);
  const tasks = [...new Set(source.map((v) => v.task.name))];
  // Partners are chosen among the models trained on the task (an untrained Part A model of the same shape is no partner).
  const trainedOn = (t: string) =>
    data.models.filter((m) => source.some((v) => v.task.name === t && v.model.key === m.key));
  return [
    ...tasks.flatMap((t) => comparisons(trainedOn(t)).flatMap((p) => pairDrafts(source, t, p))),
    // the literature claims also read trained tasks of one fixed length (e.g. a budget check at T = 256)
    ...leDrafts(data.trials.filter((v) => !isUntrained(v) && v.task.T !== null)),
  ];
}
