/**
 * Findings: each claim from the theory or the literature that the study can test, decided from the data
 * by an explicit rule and stated with its numbers and its confidence interval. Checks — inequalities the
 * mathematics guarantees (a measured gradient under its theory bound, the linear control's exact rate) —
 * are listed apart and never counted as findings: they test the instruments, not the question.
 *
 * How every finding is decided (the rule printed with it refines this):
 *  - each claim is tested on one task condition (one T: nothing is pooled over T), pairing by seed where
 *    both conditions share seeds (paired t tests: of log(final / baseline) for training, of slopes for the
 *    gradient);
 *  - a comparison that carries no information (both solved on every seed, so both losses are censored at
 *    the threshold; identical values) is not tested; a claim with no informative condition at all is
 *    "inconclusive" and enters no correction;
 *  - all tested claims of the report form one family: Holm's step-down correction at ALPHA. A test whose
 *    smallest attainable p exceeds ALPHA (an exact test on too few discordant pairs: 0.5^d > 0.05 for
 *    d ≤ 4) can decide nothing and is left out of the family (Tarone 1990), its claim "inconclusive";
 *  - held: Holm-adjusted p ≤ ALPHA; did not hold: the 95% CI excludes the predicted effect;
 *    inconclusive: neither;
 *  - a claim is attributed to a paper only in the paper's setting (named in the claim);
 *  - exploding runs are never dropped: they enter with their fitted growth rate and are named.
 */
import type { StudyData, TrialView } from './data.js';
import { depthDrafts } from './findings-depth.js';
import { successDrafts } from './findings-success.js';
import { boundChecks } from './checks.js';
import { holm } from './inference.js';
import type { TrialGtt } from './series.js';

export type Verdict = 'held' | 'did not hold' | 'inconclusive';

export interface Finding {
  /** Stable id, e.g. 'decay-rate:adding · T=200:plain:tanh:1'. */
  id: string;
  /** 'finding': a claim about the question, in the Holm family; 'check': an inequality or identity the mathematics guarantees. */
  kind: 'finding' | 'check';
  /** What it is about (for grouping): 'gradient at initialisation', 'trainability', 'literature', 'theory bound', … */
  topic: string;
  claim: string;
  verdict: Verdict;
  /** The computed sentence shown in the report: verdict, numbers, CI, p. */
  sentence: string;
  /** The numbers in words. */
  evidence: string;
  numbers: Record<string, number | null>;
  /** One-sided p of the claim's test (null: not tested) and its Holm-adjusted value over the report's tests. */
  p: number | null;
  pHolm: number | null;
  /** The confidence interval the verdict rests on, and what it is of. */
  ci: { lo: number; hi: number; of: string } | null;
  /** Distinct seeds and trials behind the finding. */
  seeds: number;
  trials: number;
  /** The verdict rule applied. */
  rule: string;
}

/** A finding before the correction: its test's p, whether its CI excludes the predicted effect, and its words. */
export interface Draft {
  id: string;
  kind: 'finding' | 'check';
  topic: string;
  claim: string;
  rule: string;
  evidence: string;
  numbers: Record<string, number | null>;
  p: number | null;
  ci: Finding['ci'];
  /** The CI excludes the predicted effect. */
  contrary: boolean;
  /** Smallest p the test could give at this sample size (exact tests); above ALPHA it stays out of the family. */
  minP?: number;
  /** Checks carry their own verdict; a finding with `untested` set is inconclusive without a test. */
  verdict?: Verdict;
  untested?: boolean;
  used: readonly TrialView[];
  /** The sentence, given the verdict and the Holm-adjusted p. */
  say: (verdict: Verdict, pHolm: number | null) => string;
}

export const ALPHA = 0.05;

/** Holm-correct the drafts that were tested and decide every verdict. */
export function decide(drafts: readonly Draft[]): Finding[] {
  const tested = drafts.filter((d) => d.kind === 'finding' && !d.untested && d.p !== null && !((d.minP ?? 0) > ALPHA));
  const adjusted = holm(tested.map((d) => d.p!));
  const adj = new Map(tested.map((d, i) => [d, adjusted[i]]));
  return drafts.map((d) => {
    const pHolm = adj.get(d) ?? null;
    const verdict: Verdict =
      d.verdict ??
      (d.untested || pHolm === null
        ? 'inconclusive'
        : pHolm <= ALPHA
          ? 'held'
          : d.contrary
            ? 'did not hold'
            : 'inconclusive');
    return {
      id: d.id,
      kind: d.kind,
      topic: d.topic,
      claim: d.claim,
      verdict,
      sentence: d.say(verdict, pHolm),
      evidence: d.evidence,
      numbers: d.numbers,
      p: d.untested ? null : d.p,
      pHolm,
      ci: d.ci,
      seeds: new Set(d.used.map((v) => v.trial.seed)).size,
      trials: d.used.length,
      rule: d.rule,
    };
  });
}

/** Every finding and check the study's data support, in report order. */
export function computeFindings(data: StudyData, gtt: Map<string, TrialGtt>): Finding[] {
  return decide([...depthDrafts(data), ...successDrafts(data), ...boundChecks(data, gtt)]);
}
