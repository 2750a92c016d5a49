/**
 * The wasm-SIMD arithmetic peak of this machine: a hand-assembled WebAssembly loop that keeps N independent
 * f32x4 accumulators in registers and updates each once per iteration — acc = acc·m + c, as a multiply and
 * an add (the plain SIMD build's madd) or as one f32x4.relaxed_madd (the relaxed build's; needs node
 * --experimental-wasm-relaxed-simd) — with no memory traffic at all. 8 flops per update; GFLOP/s = 8·N·iters
 * / time. No GEMM can beat it: it is the ceiling against which bench/kernels.mjs and the workloads' GFLOP/s
 * are read. N = 12 chains hide the latency of a multiply-add pair (2 per cycle × ~6 cycles) and still fit
 * the 15 vector registers V8 allocates on x64.
 */

const ACC = 12;
const uleb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
const simd = (op) => [0xfd, ...uleb(op)];
const MUL = 0xe6,
  ADD = 0xe4,
  SPLAT = 0x13,
  EXTRACT = 0x1f,
  RELAXED_MADD = 0x105;

/** The module's bytes: export `peak(iters: i32) → f32`; `relaxed` picks relaxed_madd over mul + add. */
export function peakModule(relaxed) {
  const m = ACC + 1,
    c = ACC + 2; // locals: 0 = iters, 1..ACC accumulators, then m and c
  const body = [1, ACC + 2, 0x7b]; // one group of ACC + 2 v128 locals (zero-initialised)
  body.push(0x43, ...f32(0.999), ...simd(SPLAT), 0x21, m);
  body.push(0x43, ...f32(1e-3), ...simd(SPLAT), 0x21, c);
  body.push(0x03, 0x40); // loop
  for (let i = 1; i <= ACC; i++) {
    if (relaxed) body.push(0x20, i, 0x20, m, 0x20, c, ...simd(RELAXED_MADD), 0x21, i);
    else body.push(0x20, i, 0x20, m, ...simd(MUL), 0x20, c, ...simd(ADD), 0x21, i);
  }
  body.push(0x20, 0, 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b); // iters -= 1; br_if (iters != 0); end loop
  body.push(0x20, 1);
  for (let i = 2; i <= ACC; i++) body.push(0x20, i, ...simd(ADD));
  body.push(...simd(EXTRACT), 0, 0x0b); // return lane 0 of the sum (so nothing is dead code)
  const code = [1, ...uleb(body.length), ...body];
  const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
  return new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7d]), // type (i32) → f32
    ...section(3, [1, 0]),
    ...section(7, [1, 4, ...[...'peak'].map((ch) => ch.charCodeAt(0)), 0, 0]),
    ...section(10, code),
  ]);
}

/**
 * Median GFLOP/s of the register-only loop, single thread, for the plain (mul + add) and, where this engine
 * validates it, the relaxed (fused) form: { simd, relaxed } (relaxed null when unsupported). `clock()` in ms
 * (default the wall clock).
 */
export function measurePeak({ samples = 7, iters = 2_000_000, clock = () => performance.now() } = {}) {
  const rate = (relaxed) => {
    const bytes = peakModule(relaxed);
    if (!WebAssembly.validate(bytes)) return null;
    const { peak } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
    peak(iters / 10); // compile (tier-up) and warm the core up
    const rates = [];
    for (let s = 0; s < samples; s++) {
      const t0 = clock();
      peak(iters);
      rates.push((8 * ACC * iters) / ((clock() - t0) * 1e6));
    }
    return rates.sort((a, b) => a - b)[rates.length >> 1];
  };
  return { simd: rate(false), relaxed: rate(true) };
}
