/**
 * The benchmark report as text: the machine, a Markdown table (ms/step, sequence-steps/s, peak RSS and
 * recur's speed relative to each peer, per workload), one sentence per workload, and issue 6's targets.
 * Speed ratio = peer's median ms / recur's median ms: 23.4 means recur is 23.4× faster; 0.8 means recur
 * runs at 0.8× the peer's speed.
 */

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
  if (res.peer === 'recur')
    return `recur (wasm${i.variant ? `, ${i.variant}` : ''}${i.threads > 1 ? `, ${i.threads} threads` : ''})`;
  if (res.peer === 'tfjs-wasm' || res.peer === 'tfjs-cpu')
    return `TF.js${i.tfjs ? ` ${i.tfjs}` : ''} ${res.peer.slice(5)} (${i.impl ?? '?'})`;
  if (res.peer === 'torch') return `PyTorch${i.torch ? ` ${i.torch}` : ''}, ${torchThreads(res)}`;
  return res.peer;
}

/**
 * Speed ratios of recur's fastest configuration (of its thread counts) against every other framework's
 * result of the same workload, and against the best PyTorch configuration.
 */
export function ratios(results) {
  const out = [];
  for (const id of [...new Set(results.map((r) => r.workload))]) {
    const rows = results.filter((r) => r.workload === id && r.status === 'ok');
    const recur = rows.filter((r) => r.peer === 'recur').sort((a, b) => a.medianMs - b.medianMs)[0];
    if (!recur) continue;
    for (const r of rows)
      if (r.peer !== 'recur')
        out.push({
          workload: id,
          peer: r.peer,
          config: r.config ?? null,
          name: frameworkName(r),
          speedup: r.medianMs / recur.medianMs,
        });
    const torch = rows.filter((r) => r.peer === 'torch').sort((a, b) => a.medianMs - b.medianMs)[0];
    if (torch)
      out.push({
        workload: id,
        peer: 'torch-best',
        config: torch.config ?? null,
        name: `PyTorch's best configuration (${torchThreads(torch)}, ${ms(torch.medianMs)} ms)`,
        speedup: torch.medianMs / recur.medianMs,
      });
  }
  return out;
}

/** Issue 6's acceptance targets, checked on this run's numbers. */
export function targets(report) {
  const rs = report.ratios;
  const find = (id, peer) => rs.find((r) => r.workload === id && r.peer === peer);
  const check = (ids, peer, ok, what) =>
    ids.map((id) => {
      const r = find(id, peer);
      return { workload: id, target: what, speedup: r ? r.speedup : null, met: r ? ok(r.speedup) : null };
    });
  return [
    ...check(['W1', 'W2', 'W3', 'W4'], 'tfjs-wasm', (s) => s >= 20, '≥ 20× faster than TF.js wasm'),
    ...check(
      ['W1', 'W2', 'W3', 'W4', 'W5'],
      'torch-best',
      (s) => s >= 1 / 1.5,
      'within 1.5× of PyTorch (speed ≥ 0.67×)',
    ),
  ].filter((t) => t.speedup !== null);
}

export function formatReport(report) {
  const m = report.machine,
    lines = [];
  lines.push(`recur benchmark — ${report.date}`);
  lines.push(
    `machine: ${m.cpu}, ${m.cores} cores${m.avx512f ? ' (AVX-512)' : ''}, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}); ${m.os}`,
  );
  lines.push(
    `load average at start ${m.loadStart.join(' ')}, at end ${m.loadEnd?.join(' ') ?? '?'}${m.git ? `; recur at ${m.git}` : ''}`,
  );
  lines.push(`command: ${report.command}`);
  for (const note of report.notes) lines.push(`  ${note}`);
  lines.push('');
  lines.push(
    "The last column compares recur's fastest row of each workload (best of its thread counts) with that framework.",
  );
  lines.push('');
  lines.push(
    '| workload | framework | ms/step (median) | min | steps timed | sequence-steps/s | peak RSS | recur vs this |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---|');
  const rs = report.ratios;
  for (const res of report.results) {
    const w = report.workloads.find((x) => x.id === res.workload);
    const head = `${w.id} ${w.title}`;
    if (res.status !== 'ok') {
      lines.push(
        `| ${head} | ${frameworkName(res)} | ${res.status === 'n/a' ? 'n/a' : 'error'} | | | | ${mib(res.peakRssBytes)} | ${oneLine(res.reason)} |`,
      );
      continue;
    }
    const r = rs.find((x) => x.workload === res.workload && x.peer === res.peer && x.config === (res.config ?? null));
    const vs = res.peer === 'recur' ? '—' : r ? versus(r.speedup) : '';
    lines.push(
      `| ${head} | ${frameworkName(res)} | ${ms(res.medianMs)} | ${ms(res.minMs)} | ${res.repeats} | ${int((w.batch * w.T) / (res.medianMs / 1000))} | ${mib(res.peakRssBytes)} | ${vs} |`,
    );
  }
  lines.push('');
  for (const id of [...new Set(report.results.map((r) => r.workload))]) {
    const mine = rs.filter((r) => r.workload === id && r.peer !== 'torch');
    if (mine.length) lines.push(`${id}: recur is ${mine.map((r) => sayRatio(r.speedup, r.name)).join('; ')}.`);
  }
  const ts = targets(report);
  if (ts.length) {
    lines.push('');
    lines.push('issue 6 targets (this run):');
    for (const t of ts) lines.push(`  ${t.workload} ${t.target}: ${ratio(t.speedup)}× — ${t.met ? 'met' : 'NOT met'}`);
  }
  if (report.memory) lines.push('', ...formatMemory(report.memory));
  return lines.join('\n');
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
