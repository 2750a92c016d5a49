/**
 * Findings and checks about the gradient at initialisation (Part A, depth.ts):
 *
 *  - rate-vs-log-a (finding, plain transitions with a non-linear activation, per task condition and gain a):
 *    the ‖A‖^{LT} argument predicts the per-layer rate c(a) = log a. Tested as equivalence within
 *    ±EQUIV_MARGIN per layer by two one-sided t tests on the regression slope (p = the larger of the two).
 *    held: Holm-adjusted p ≤ α; did not hold: the slope's 95% CI lies wholly outside log a ± EQUIV_MARGIN.
 *  - variant-keeps-gradient (finding, each shortcut/residual/highway line against the plain line with the
 *    same activation and gain, at the deepest depth ≥ 2 both have): paired by seed, d = s_variant − s_plain;
 *    claim d > 0; one-sided paired t. did not hold: the 95% CI of the mean d lies wholly ≤ 0.
 *  - linear control (check, plain transitions with the identity activation): with orthogonal W_l scaled to
 *    a the step Jacobian is a^L times an orthogonal matrix, so c(a) = log a exactly; the check passes when
 *    |c − log a| ≤ LINEAR_TOL.
 */
import { studentTCdf } from '../diagnostics/stats.js';
import { depthLines, plainPartner, slopesBySeed, type DepthLine } from './depth.js';
import { taskWithT, type StudyData } from './data.js';
import type { Draft } from './findings.js';
import { pairedTest } from './inference.js';
import { ciText, fmt, pText } from './stats.js';

/** Equivalence margin for "c(a) = log a", per layer (a per-step decay of 0.02·L). */
export const EQUIV_MARGIN = 0.02;
/** Tolerance of the linear-control check, per layer. */
export const LINEAR_TOL = 1e-3;

const f3 = (x: number) => fmt(x, 3);
const TOPIC = 'gradient at initialisation';

function where(line: DepthLine): string {
  const a = `‖W_l‖ = ${fmt(line.gain)}`;
  return `${line.label} transitions (${a}) on ${taskWithT(line.task)}`;
}

function explodingText(line: DepthLine): string {
  const ex = line.points.filter((p) => p.exploding);
  if (ex.length === 0) return '';
  return `; ${ex.length} of ${line.points.length} trials exploding, kept with their growth rates (${ex
    .slice(0, 6)
    .map((p) => `L = ${p.L}: ${fmt(p.s, 3)}/step`)
    .join(', ')}${ex.length > 6 ? ', …' : ''})`;
}

function fitText(line: DepthLine): string {
  const f = line.fit!;
  return (
    `c = ${f3(f.slope)} per layer, 95% CI ${ciText(f.ci[0], f.ci[1])}, intercept ${f3(f.intercept)}, R² = ${fmt(f.r2, 3)}, ` +
    `${f.n} trials at L = ${line.depths.join(', ')}`
  );
}

function rateDraft(line: DepthLine): Draft {
  const loga = Math.log(line.gain);
  const claim = `${where(line)}: the per-step gradient decay grows with depth at the per-layer rate log a = ${f3(loga)}, as the ‖A‖^{LT} argument predicts (s = L·log a).`;
  const rule = `s (decay.init) regressed on L with intercept over every trial of one T; equivalence to log a within ±${EQUIV_MARGIN} per layer by two one-sided t tests on the slope (n − 2 df); held if the Holm-adjusted p ≤ 0.05, did not hold if the slope's 95% CI lies wholly outside log a ± ${EQUIV_MARGIN}, otherwise inconclusive.`;
  const base = {
    id: `decay-rate:${line.key}`,
    kind: 'finding' as const,
    topic: TOPIC,
    claim,
    rule,
    used: line.points.map((p) => p.view),
  };
  const f = line.fit;
  if (!f || !(f.stderr >= 0)) {
    return {
      ...base,
      evidence: `${line.points.length} measured trials at ${line.depths.length} depths`,
      numbers: {},
      p: null,
      ci: null,
      contrary: false,
      untested: true,
      say: () =>
        `${where(line)}: too few measured trials to fit the rate (${line.points.length} at L = ${line.depths.join(', ') || 'none'}; at least 3 at 2 depths needed).`,
    };
  }
  const df = f.n - 2,
    lo = loga - EQUIV_MARGIN,
    hi = loga + EQUIV_MARGIN;
  const p =
    f.stderr > 0
      ? Math.max(1 - studentTCdf((f.slope - lo) / f.stderr, df), studentTCdf((f.slope - hi) / f.stderr, df))
      : f.slope > lo && f.slope < hi
        ? 0
        : 1;
  const contrary = f.ci[0] > hi || f.ci[1] < lo;
  const lyap = line.lyapunovPerLayer ? `; top Lyapunov exponent / L = ${f3(line.lyapunovPerLayer.mean)}` : '';
  const evidence = `${fitText(line)}; log a = ${f3(loga)}; c − log a = ${f3(f.slope - loga)}${lyap}${explodingText(line)}`;
  return {
    ...base,
    evidence,
    p,
    contrary,
    ci: { lo: f.ci[0], hi: f.ci[1], of: 'the per-layer rate c' },
    numbers: {
      c: f.slope,
      cLo: f.ci[0],
      cHi: f.ci[1],
      intercept: f.intercept,
      r2: f.r2,
      logA: loga,
      exploding: line.exploding,
    },
    say: (v, ph) => {
      const nums = `${fitText(line)}; ${pText(p, ph)}${explodingText(line)}`;
      if (v === 'held')
        return `${where(line)}: the per-step decay grows linearly with depth at the ‖A‖^{LT} rate — ${nums}, within ±${EQUIV_MARGIN} of log a = ${f3(loga)}.`;
      if (v === 'did not hold')
        return `${where(line)}: the per-layer rate is not log a = ${f3(loga)} — ${nums}; it differs from the ‖A‖^{LT} prediction by ${f3(f.slope - loga)} per layer.`;
      return `${where(line)}: the per-layer rate could not be told apart from log a = ${f3(loga)} ± ${EQUIV_MARGIN} nor shown within it — ${nums}.`;
    },
  };
}

function linearCheck(line: DepthLine): Draft | null {
  const f = line.fit;
  if (!f) return null;
  const loga = Math.log(line.gain),
    err = Math.abs(f.slope - loga);
  const ok = err <= LINEAR_TOL;
  return {
    id: `linear-control:${line.key}`,
    kind: 'check',
    topic: 'linear control',
    used: line.points.map((p) => p.view),
    claim: `${where(line)}: with the identity activation the per-layer rate equals log a exactly (the step Jacobian is a^L times an orthogonal matrix).`,
    rule: `passed if |c − log a| ≤ ${LINEAR_TOL} per layer (c: slope of s against L with intercept).`,
    evidence: `${fitText(line)}; log a = ${f3(loga)}; |c − log a| = ${fmt(err, 2)}${explodingText(line)}`,
    numbers: { c: f.slope, logA: loga, error: err },
    p: null,
    ci: { lo: f.ci[0], hi: f.ci[1], of: 'the per-layer rate c' },
    contrary: false,
    verdict: ok ? 'held' : 'did not hold',
    say: () =>
      `${where(line)}: c = ${f3(f.slope)} per layer against log a = ${f3(loga)} (|error| ${fmt(err, 2)}, ${ok ? 'within' : 'beyond'} ${LINEAR_TOL}; R² = ${fmt(f.r2, 3)}, ${f.n} trials)${explodingText(line)}.`,
  };
}

function variantDraft(lines: readonly DepthLine[], line: DepthLine): Draft | null {
  const plain = plainPartner(lines, line);
  if (!plain) return null;
  const common = line.depths.filter((L) => L >= 2 && plain.depths.includes(L));
  const L = common[common.length - 1];
  const id = `decay-variant:${line.key}`;
  const claim = `${where(line)} lose less gradient per step than plain ones with the same activation and gain (at the deepest depth both have).`;
  const rule =
    'paired by seed at the deepest common L ≥ 2: d = s_variant − s_plain; one-sided paired t test of mean d > 0; held if the Holm-adjusted p ≤ 0.05, did not hold if the 95% CI of mean d lies wholly ≤ 0, otherwise inconclusive. Exploding runs enter with their growth rate.';
  const used = [...line.points, ...plain.points].filter((p) => p.L === L).map((p) => p.view);
  const t = L === undefined ? null : pairedTest(slopesBySeed(line, L), slopesBySeed(plain, L));
  const base = { id, kind: 'finding' as const, topic: TOPIC, claim, rule, used };
  if (!t) {
    return {
      ...base,
      evidence: `no depth ≥ 2 with two or more seeds measured in both`,
      numbers: {},
      p: null,
      ci: null,
      contrary: false,
      untested: true,
      say: () =>
        `${where(line)} vs plain: no depth ≥ 2 with at least two seeds measured in both, so no paired comparison.`,
    };
  }
  const exploding = line.points.filter((p) => p.L === L && p.exploding).length;
  const nums =
    `at L = ${L}, mean paired difference ${f3(t.mean)} per step, 95% CI ${ciText(t.lo, t.hi)}, ${t.n} seeds` +
    (exploding ? `; ${exploding} of the variant's runs exploding (growth rate included)` : '');
  return {
    ...base,
    evidence: nums,
    p: t.p,
    contrary: t.hi <= 0,
    ci: { lo: t.lo, hi: t.hi, of: 'the mean paired difference in per-step slope' },
    numbers: { depth: L, diff: t.mean, lo: t.lo, hi: t.hi, n: t.n, exploding },
    say: (v, ph) =>
      `${where(line)} ${v === 'held' ? 'lose less gradient per step than plain ones' : v === 'did not hold' ? 'do not lose less gradient per step than plain ones' : 'vs plain ones: no difference shown'} — ${nums}; ${pText(t.p, ph)}.`,
  };
}

/** Part A drafts: the rate findings, the variant comparisons and the linear-control checks. */
export function depthDrafts(data: StudyData): Draft[] {
  const lines = depthLines(data);
  const out: (Draft | null)[] = [];
  for (const line of lines.filter((l) => l.family === 'plain'))
    out.push(line.activation === 'identity' ? linearCheck(line) : rateDraft(line));
  for (const line of lines.filter((l) => l.family !== 'plain')) out.push(variantDraft(lines, line));
  return out.filter((d): d is Draft => d !== null);
}
