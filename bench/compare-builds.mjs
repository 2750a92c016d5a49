/**
 * Two builds of recur timed against each other in one process: the same bench workloads, interleaved in rounds
 * (A B, then B A, …) so that a busy machine slows both alike, with the median per-step time of each, the ratio
 * A/B of the medians and its bootstrap 95% CI, and whether the two builds give the same first losses (a
 * refactor must not change numbers). Each root is a checkout with `npm run build` done (its dist/ is loaded).
 *
 *   node --expose-gc bench/compare-builds.mjs <rootA> <rootB> [--only W1,W2] [--rounds 40] [--steps 3]
 *   e.g. git worktree add /tmp/before <commit> && (cd /tmp/before && npm install && npm run build)
 *        node --expose-gc bench/compare-builds.mjs /tmp/before .
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createRecurRunner, loadRecur } from './recur.mjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const only = flag('--only', 'W1,W2,W3,W4,W5,D4').split(',');
const rounds = Number(flag('--rounds', '40'));
const steps = Number(flag('--steps', '3'));
if (args.length !== 2) {
  console.error(
    'usage: node --expose-gc bench/compare-builds.mjs <rootA> <rootB> [--only W1,W2] [--rounds n] [--steps n]',
  );
  process.exit(2);
}

const workloads = [
  ...JSON.parse(readFileSync(new URL('./workloads.json', import.meta.url), 'utf8')).workloads,
  {
    id: 'D4',
    cell: 'deep',
    depth: 4,
    input: 2,
    hidden: 64,
    batch: 32,
    T: 200,
    classes: 10,
    train: true,
    title: 'deep plain L4 I2 H64 B32 T200, train',
  },
];
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
let seed = 7;
const uniform = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const resample = (a) => a.map(() => a[Math.floor(uniform() * a.length)]);

const [libA, libB] = [await loadRecur(args[0]), await loadRecur(args[1])];
console.log(
  `A = ${args[0]}, B = ${args[1]}; ${rounds} rounds of ${steps} steps; load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (const id of only) {
  const w = workloads.find((x) => x.id === id);
  if (!w) throw new Error(`unknown workload ${id}`);
  const A = createRecurRunner(libA, w);
  const B = createRecurRunner(libB, w);
  const first = [0, 1, 2].map(() => [A.step(), B.step()]);
  const same = first.every(([a, b]) => a === b);
  const ta = [];
  const tb = [];
  for (let r = 0; r < rounds; r++) {
    const order =
      r % 2
        ? [
            [B, tb],
            [A, ta],
          ]
        : [
            [A, ta],
            [B, tb],
          ];
    for (const [run, out] of order) {
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < steps; k++) run.step();
      out.push(Number(process.hrtime.bigint() - t0) / 1e6 / steps);
    }
  }
  const ratios = Array.from({ length: 2000 }, () => median(resample(ta)) / median(resample(tb))).sort((x, y) => x - y);
  console.log(
    `${w.id} ${w.title}: A ${median(ta).toFixed(2)} ms/step (min ${Math.min(...ta).toFixed(2)}), ` +
      `B ${median(tb).toFixed(2)} (min ${Math.min(...tb).toFixed(2)}); A/B ${(median(ta) / median(tb)).toFixed(3)} ` +
      `[${ratios[50].toFixed(3)}, ${ratios[1949].toFixed(3)}]; first 3 losses identical: ${same}`,
  );
  A.dispose();
  B.dispose();
}
console.log(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
