/**
 * The benchmark report as text: the machine and its load, a Markdown table (ms/step, sequence-steps/s,
 * GFLOP/s of the matrix products, peak RSS and recur's speed relative to each peer with a 95% bootstrap
 * interval, per workload), one sentence per workload, the workloads' targets with their verdicts, and the
 * study throughput.
 * Speed ratio = peer's median ms / recur's median ms: 23.4 means recur is 23.4× faster; 0.8 means recur
 * runs at 0.8× the peer's speed.
 */

import { ratioCI, verdict } from './stats.mjs';
import { multiplyAdds } from './workloads.mjs';

export const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const int = (x) => Math.round(x).toLocaleString('en-US');
const mib = (b) => (b == null ? '—' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const mib2 = (b) => `${(b / 2 ** 20).toFixed(2)} MiB`;
const ratio = (r) => (r >= 10 ? r.toFixed(1) : r.toFixed(2));

/** "recur is 23.4× faster than X" / "recur runs at 0.82× X's speed". */
export function sayRatio(r, name) {
  if (ratio(r) === '1.00') return `as fast as ${name} (${ratio(r)}×)`;
  return r >= 1 ? `${ratio(r)}× faster than ${name}` : `${ratio(r)}× the speed of ${name} (${ratio(1 / r)}× slower)`;
}

/** Display name of one result's framework and configuration. */
export function frameworkName(res) {
  const i = res.info ?? {};
  if (res.peer === 'recur' || res.peer === 'recur-base')
    return `${res.peer === 'recur' ? 'recur' : 'recur-base (--baseline)'} (wasm${i.variant ? `, ${i.variant}` : ''}${i.threads > 1 ? `, ${i.threads} threads` : ''})`;
  if (res.peer === 'tfjs-wasm' || res.peer === 'tfjs-cpu')
    return `TF.js${i.tfjs ? ` ${i.tfjs}` : ''} ${res.peer.slice(5)} (${i.impl ?? '?'})`;
  if (res.peer === 'torch') return `PyTorch${i.torch ? ` ${i.torch}` : ''}, ${torchThreads(res)}`;
  return res.peer;
}

/** A result's step times per round (a single round when it has none, e.g. a hand-made result). */
const roundsOf = (r) => r.rounds ?? [r.samples ?? [r.medianMs]];

/** Ratio of `peer` against `recur` (both results of one workload) with its bootstrap interval. */
function compare(recur, peer) {
  const ci = ratioCI(roundsOf(recur), roundsOf(peer));
  const speedup = peer.medianMs / recur.medianMs; // the headline: medians over all timed steps
  return { speedup, lo: Math.min(ci.lo, speedup), hi: Math.max(ci.hi, speedup), rounds: ci.rounds };
}

/**
 * Speed ratios of recur's fastest configuration (of its thread counts) against every other framework's
 * result of the same workload, and against the best PyTorch configuration, each with its 95% interval; a
 * --baseline build's rows against recur's row of the same thread count.
 */
export function ratios(results) {
  const out = [];
  for (const id of [...new Set(results.map((r) => r.workload))]) {
    const rows = results.filter((r) => r.workload === id && r.status === 'ok');
    const recur = rows.filter((r) => r.peer === 'recur').sort((a, b) => a.medianMs - b.medianMs)[0];
    if (!recur) continue;
    const recurConfig = recur.config ?? null;
    for (const r of rows) {
      if (r.peer === 'recur') continue;
      // the baseline build is compared with this build at the same thread count (before/after)
      const mine = r.peer === 'recur-base' ? rows.find((x) => x.peer === 'recur' && x.config === r.config) : recur;
      if (!mine) continue;
      out.push({
        workload: id,
        peer: r.peer,
        config: r.config ?? null,
        name: frameworkName(r),
        recurConfig: mine.config ?? null,
        ...compare(mine, r),
      });
    }
    const torch = rows.filter((r) => r.peer === 'torch').sort((a, b) => a.medianMs - b.medianMs)[0];
    if (torch)
      out.push({
        workload: id,
        peer: 'torch-best',
        config: torch.config ?? null,
        name: `PyTorch's best configuration (${torchThreads(torch)}, ${ms(torch.medianMs)} ms)`,
        recurConfig,
        ...compare(recur, torch),
      });
  }
  return out;
}

const PEER_NAMES = {
  'torch-best': "PyTorch's best",
  'tfjs-wasm': 'TF.js wasm',
  'tfjs-cpu': 'TF.js cpu',
  torch: 'PyTorch',
};

/**
 * The workloads' targets (workloads.json), checked on this run: each ratio's verdict from its interval —
 * 'met' (the interval lies at or above the target), 'not met' (below), 'undecided' (it straddles it).
 */
export function targets(report) {
  const out = [];
  for (const w of report.workloads) {
    for (const [peer, goal] of Object.entries(w.targets ?? {})) {
      const r = report.ratios.find((x) => x.workload === w.id && x.peer === peer);
      if (!r) continue;
      out.push({
        workload: w.id,
        peer,
        goal,
        target: `≥ ${goal}× ${PEER_NAMES[peer] ?? peer}`,
        speedup: r.speedup,
        lo: r.lo,
        hi: r.hi,
        verdict: verdict(r, goal),
        cpu: cpuRatio(report.results, w.id, peer),
      });
    }
  }
  return out;
}

/**
 * The same ratio by CPU time (each process's user + system time per step), one thread on each side: recur's
 * 1-thread row against the peer's (PyTorch: its 1-thread configuration). On a machine shared with other busy
 * processes, time spent waiting for a core drops out of it; null when either row is missing.
 */
export function cpuRatio(results, id, peer) {
  const ok = (r) => r.workload === id && r.status === 'ok' && r.cpuRounds;
  const recur = results.find((r) => ok(r) && r.peer === 'recur' && r.config === '1');
  const other = results.find(
    (r) =>
      ok(r) &&
      (peer === 'torch-best' || peer === 'torch'
        ? r.peer === 'torch' && r.config === '1:1'
        : r.peer === peer && (r.peer !== 'recur-base' || r.config === '1')),
  );
  if (!recur || !other) return null;
  const ci = ratioCI(recur.cpuRounds, other.cpuRounds);
  return { speedup: ci.speedup, lo: Math.min(ci.lo, ci.speedup), hi: Math.max(ci.hi, ci.speedup) };
}

/** GFLOP/s of a result: 2 × the workload's multiply-adds per step / the median step time. */
const gflops = (w, res) => (2 * multiplyAdds(w)) / (res.medianMs * 1e6);
/** GFLOP/s, and for recur its share of the machine's wasm-SIMD peak (its build's form) × its threads. */
function gflopsCell(w, res, peak) {
  const g = gflops(w, res);
  const i = res.info ?? {};
  const per = i.variant === 'relaxed-simd' ? peak?.relaxed : peak?.simd;
  if (!per || (res.peer !== 'recur' && res.peer !== 'recur-base')) return g.toFixed(1);
  return `${g.toFixed(1)} (${Math.round((100 * g) / (per * (i.threads ?? 1)))}%)`;
}
const interval = (r) => `[${ratio(r.lo)}, ${ratio(r.hi)}]`;

export function formatReport(report) {
  const m = report.machine,
    lines = [];
  lines.push(`recur benchmark — ${report.date}`);
  lines.push(
    `machine: ${m.cpu}, ${m.cores} cores${m.avx512f ? ' (AVX-512)' : ''}, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}); ${m.os}`,
  );
  lines.push(
    `load average (1, 5, 15 min) at start ${m.loadStart.join(' ')}, at end ${m.loadEnd?.join(' ') ?? '?'}${m.git ? `; recur at ${m.git}` : ''}`,
  );
  lines.push(`command: ${report.command}`);
  for (const note of report.notes) lines.push(`  ${note}`);
  lines.push('');
  lines.push(
    "The last column compares recur's fastest row of each workload (best of its thread counts; for a --baseline row, recur's row of the same thread count) with that framework:",
  );
  lines.push(
    'speed ratio of the medians, with a 95% paired-bootstrap interval over the interleaved rounds. CPU ms/step:',
  );
  lines.push("the process's user + system time per step, all its threads (idle worker threads that spin count too).");
  lines.push('');
  lines.push(
    '| workload | framework | ms/step (median) | min | CPU ms/step | steps timed | sequence-steps/s | GFLOP/s | peak RSS | recur vs this [95% CI] |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
  const rs = report.ratios;
  for (const res of report.results) {
    const w = report.workloads.find((x) => x.id === res.workload);
    const head = `${w.id} ${w.title}`;
    if (res.status !== 'ok') {
      lines.push(
        `| ${head} | ${frameworkName(res)} | ${res.status === 'n/a' ? 'n/a' : 'error'} | | | | | | ${mib(res.peakRssBytes)} | ${oneLine(res.reason)} |`,
      );
      continue;
    }
    const r = rs.find((x) => x.workload === res.workload && x.peer === res.peer && x.config === (res.config ?? null));
    const vs = res.peer === 'recur' ? '—' : r ? `${versus(r.speedup)} ${interval(r)}` : '';
    lines.push(
      `| ${head} | ${frameworkName(res)} | ${ms(res.medianMs)} | ${ms(res.minMs)} | ${res.cpuMedianMs == null ? '' : ms(res.cpuMedianMs)} | ${res.repeats} | ${int((w.batch * w.T) / (res.medianMs / 1000))} | ${gflopsCell(w, res, m.simdPeak)} | ${mib(res.peakRssBytes)} | ${vs} |`,
    );
  }
  lines.push('');
  for (const id of [...new Set(report.results.map((r) => r.workload))]) {
    const mine = rs.filter((r) => r.workload === id && r.peer !== 'torch');
    if (!mine.length) continue;
    const byCpu = (r) => {
      const c = r.peer === 'recur-base' && r.config !== '1' ? null : cpuRatio(report.results, id, r.peer);
      return c ? ` (by CPU time, one thread each: ${ratio(c.speedup)}× ${interval(c)})` : '';
    };
    lines.push(
      `${id}: recur is ${mine.map((r) => `${sayRatio(r.speedup, r.name)} ${interval(r)}${byCpu(r)}`).join('; ')}.`,
    );
  }
  const ts = targets(report);
  if (ts.length) {
    lines.push('');
    lines.push(
      'targets (this run; a target is met when the whole 95% interval clears it, undecided when it straddles it):',
    );
    lines.push('');
    lines.push('| workload | target | speed ratio | 95% CI | verdict | CPU-time ratio, 1 thread each [95% CI] |');
    lines.push('|---|---|---:|---|---|---|');
    for (const t of ts)
      lines.push(
        `| ${t.workload} | ${t.target} | ${ratio(t.speedup)}× | ${interval(t)} | ${t.verdict} | ${t.cpu ? `${ratio(t.cpu.speedup)}× ${interval(t.cpu)}` : '—'} |`,
      );
  }
  if (report.throughput) lines.push('', ...formatThroughput(report.throughput));
  if (report.memory) lines.push('', ...formatMemory(report.memory));
  return lines.join('\n');
}

/** The study-throughput section (bench/throughput.mjs): trials per hour at each worker count. */
export function formatThroughput(t) {
  if (t.error) return [`study throughput: ${t.error}`];
  const lines = [
    `study throughput: ${t.study} (${t.trials} trials: ${t.description}), the local pool, runs interleaved by worker count`,
    '',
    '| workers | runs | wall-clock s (median) | trials/hour (median) | trials/hour per run | speed-up over 1 worker |',
    '|---:|---:|---:|---:|---|---:|',
  ];
  const base = t.rows.find((r) => r.workers === 1);
  for (const r of t.rows)
    lines.push(
      `| ${r.workers} | ${r.runs.length} | ${r.medianSeconds.toFixed(1)} | ${int(r.trialsPerHour)} | ${r.runs.map((x) => int(x.trialsPerHour)).join(', ')} | ${base ? `${(r.trialsPerHour / base.trialsPerHour).toFixed(2)}×` : ''} |`,
    );
  return lines;
}

export function formatMemory(mem) {
  const lines = mem.error
    ? [`memory: ${mem.error}`]
    : [
        `memory: ${mem.workload} training, ${mem.steps} steps after ${mem.warmup} warm-up steps, sampled every ${mem.every} (after a full GC)`,
        `  peak RSS ${mib(mem.peakRssBytes)}`,
      ];
  for (const s of mem.series) {
    lines.push(
      `  ${s.name.padEnd(16)} ${mib2(s.first)} → ${mib2(s.last)}  growth ${(s.growth / 2 ** 20).toFixed(2)} MiB (fitted ${((s.slopePerStep * mem.steps) / 2 ** 20).toFixed(2)} MiB per ${mem.steps} steps; rose in ${s.rises}/${s.intervals} intervals)${s.leak ? `  ← LEAK: ${s.leak}` : ''}`,
    );
  }
  if (mem.lifecycle) {
    lines.push('memory over lifecycles (bench/lifecycle.mjs, wasm heap after a full GC):');
    lines.push(...mem.lifecycle.lines.map((l) => `  ${l}`));
    if (mem.lifecycle.error) lines.push(`  lifecycle.mjs failed: ${mem.lifecycle.error}`);
  }
  lines.push(mem.ok ? '  no growth: OK' : '  MEMORY GROWS STEADILY: FAILED');
  return lines;
}

const plural = (n, what) => `${n} ${what}${n === 1 ? '' : 's'}`;
/** "1 thread", "2 threads", "2 threads, OpenBLAS 1". */
const torchThreads = (res) =>
  `${plural(res.threads, 'thread')}${res.blasThreads != null && res.blasThreads !== res.threads ? `, OpenBLAS ${res.blasThreads}` : ''}`;
const versus = (r) =>
  ratio(r) === '1.00'
    ? 'recur as fast (1.00×)'
    : r >= 1
      ? `recur ${ratio(r)}× faster`
      : `recur at ${ratio(r)}× its speed`;
const oneLine = (s) =>
  String(s ?? '')
    .split('\n')[0]
    .replace(/\|/g, '/')
    .slice(0, 120);
