/**
 * How the threaded wasm backend splits a kernel call between the calling thread and the pool's workers
 * (threads.ts). A call is split only when it is large enough to pay for the barrier (a few µs); smaller
 * calls run on the calling thread alone. Reductions (sum, dot, sumRows, layerNormBackward, …) always do.
 *
 * - GEMM: by blocks of rows of C (multiples of 4 rows) or of columns (multiples of 8), whichever
 *   dimension is larger; each part is a GEMM with leading dimensions (gemmLd) and its own packing scratch.
 *   Every element of C is computed exactly as without threads, so results are bit-identical.
 * - Elementwise kernels: by ranges of elements (multiples of 16 = one cache line); row kernels (LSTM/GRU
 *   steps, row broadcasts, blends, block copies, layer norm forward): by ranges of rows. Each output element
 *   is computed by the same code whichever thread runs it, so these are bit-identical too.
 *
 * A split is described once per kernel, in the kernel table (../table.ts): which argument counts the units
 * (elements or rows), the work per unit (for the threshold), and each pointer argument with its stride per
 * unit (in floats, a constant or a constant times another argument). Null pointers (0) are never offset.
 */
import type { Backend } from '../backend.js';
import { ADAM_SPLIT, KERNELS, type KernelMethods, type KernelName, type Split } from '../table.js';
import type { WasmBlock, WasmHeap } from './heap.js';
import type { SplitKernels } from './kernel-exports.js';
import type { SplitPool, SplitThresholds } from './split-types.js';
import { kernelId, MAX_ARGS, slotArgs, THREAD_KERNELS, type ThreadKernel } from './threads.js';
import { adamArgs, ptr, wrapKernels, type WasmFn } from './wrap.js';

type Fn = (...args: number[]) => void;

export type { SplitPool, SplitThresholds };

/** The split of a thread kernel: the table's, or adam's (gemm is split by its own function below). */
const splitOf = (name: ThreadKernel): Split =>
  (name === 'adam' ? ADAM_SPLIT : KERNELS[name as KernelName].split) as Split;

export type Splitter = ReturnType<typeof createSplitter>;

/**
 * The split-and-dispatch functions over `pool` (threads = pool.size + 1). `exports` are the calling
 * thread's instance of the threaded module; scratch blocks for GEMM packing come from `heap`.
 */
export function createSplitter(
  pool: SplitPool,
  exports: Record<string, Fn>,
  k: SplitKernels,
  heap: WasmHeap,
  limits: SplitThresholds,
) {
  const threads = pool.size + 1;
  const call = new Float64Array(MAX_ARGS);
  const out = pool.args;
  const scratch: (WasmBlock | null)[] = new Array<WasmBlock | null>(threads).fill(null);
  /** Byte address of a scratch block of ≥ bytes for thread t (0 = the calling thread, w + 1 = worker w). */
  const scratchFor = (t: number, bytes: number): number => {
    const s = scratch[t];
    if (s && s.bytes >= bytes) return s.address;
    if (s) heap.free(s);
    const block = heap.alloc(Math.ceil(Math.max(bytes, s ? s.bytes * 1.5 : 0) / 4));
    scratch[t] = block;
    return block.address;
  };
  const fns = Object.fromEntries(THREAD_KERNELS.map((name) => [name, exports[name]])) as Record<ThreadKernel, Fn>;

  /** Run kernel `name` with the arguments a0, a1, …: split over the threads when large enough. */
  function run(
    name: ThreadKernel,
    a0: number,
    a1: number,
    a2: number,
    a3: number,
    a4 = 0,
    a5 = 0,
    a6 = 0,
    a7 = 0,
    a8 = 0,
    a9 = 0,
    a10 = 0,
    a11 = 0,
    a12 = 0,
    a13 = 0,
  ): void {
    const s = splitOf(name),
      f = fns[name];
    call[0] = a0;
    call[1] = a1;
    call[2] = a2;
    call[3] = a3;
    call[4] = a4;
    call[5] = a5;
    call[6] = a6;
    call[7] = a7;
    call[8] = a8;
    call[9] = a9;
    call[10] = a10;
    call[11] = a11;
    call[12] = a12;
    call[13] = a13;
    const units = call[s.count];
    const cost = typeof s.cost === 'number' ? s.cost : (s.cost[a0] ?? 1);
    const work = units * (s.perUnit < 0 ? 1 : call[s.perUnit]) * cost;
    const parts = Math.min(threads, Math.floor(units / s.grain));
    if (work < limits.pointwise || parts < 2 || !pool.available) {
      f(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
      return;
    }
    const blocks = Math.ceil(units / s.grain);
    for (let p = 1; p < parts; p++) {
      const lo = Math.min(units, Math.round((blocks * p) / parts) * s.grain);
      const hi = p + 1 === parts ? units : Math.min(units, Math.round((blocks * (p + 1)) / parts) * s.grain);
      const o = slotArgs(p - 1);
      for (let i = 0; i < MAX_ARGS; i++) out[o + i] = call[i];
      out[o + s.count] = hi - lo;
      const ptrs = s.ptrs;
      for (let j = 0; j < ptrs.length; j += 3) {
        const arg = ptrs[j];
        if (call[arg] !== 0)
          out[o + arg] = call[arg] + lo * (ptrs[j + 1] < 0 ? 1 : call[ptrs[j + 1]]) * ptrs[j + 2] * 4;
      }
    }
    pool.start(kernelId(name), parts - 1);
    const own = Math.min(units, Math.round(blocks / parts) * s.grain);
    call[s.count] = own;
    try {
      f(
        call[0],
        call[1],
        call[2],
        call[3],
        call[4],
        call[5],
        call[6],
        call[7],
        call[8],
        call[9],
        call[10],
        call[11],
        call[12],
        call[13],
      );
    } finally {
      pool.finish();
    }
  }

  const GEMM = kernelId('gemmLd'),
    GEMM_PACKED = kernelId('gemmPackedLd');
  /**
   * C = α·op(A)·op(B) + β·C over byte addresses a, b, c (see Backend.gemm), split by rows or columns of C.
   * `packed`: b is op(B) packed by packB (Backend.gemmPacked; tB unused), whose column blocks are panels.
   */
  function gemm(
    tA: boolean,
    tB: boolean,
    m: number,
    n: number,
    kk: number,
    alpha: number,
    a: number,
    b: number,
    beta: number,
    c: number,
    packed = false,
  ): void {
    const ta = tA ? 1 : 0,
      tb = tB ? 1 : 0,
      lda = tA ? m : kk,
      ldb = tB ? kk : n;
    const rowBlocks = Math.ceil(m / 4),
      colBlocks = Math.ceil(n / 8);
    // Split the larger side of C: the other operand (packed whole by every thread) is then the smaller one.
    const byRows = rowBlocks >= threads && (m >= n || colBlocks < threads);
    const blocks = byRows ? rowBlocks : colBlocks;
    const parts = Math.min(threads, blocks);
    if (m * n * kk < limits.gemm || parts < 2 || !pool.available) {
      const sp = scratchFor(0, k.gemmScratchBytes(m, kk));
      if (packed) k.gemmPackedLd(ta, m, n, kk, alpha, a, lda, b, beta, c, n, sp);
      else k.gemmLd(ta, tb, m, n, kk, alpha, a, lda, b, ldb, beta, c, n, sp);
      return;
    }
    const grain = byRows ? 4 : 8,
      size = byRows ? m : n;
    let lo = 0;
    for (let p = 0; p < parts; p++) {
      const hi = p + 1 === parts ? size : Math.min(size, Math.round((blocks * (p + 1)) / parts) * grain);
      const len = hi - lo;
      const pa = byRows ? a + (tA ? lo : lo * kk) * 4 : a;
      // a block of columns: B's rows (transB) or columns from lo on; packed, the panels from lo / 8 on
      const pb = byRows ? b : b + (packed ? lo * kk : tB ? lo * kk : lo) * 4;
      const pc = c + (byRows ? lo * n : lo) * 4;
      const mm = byRows ? len : m,
        nn = byRows ? n : len;
      const sp = scratchFor(p, k.gemmScratchBytes(mm, kk));
      if (p === 0) {
        call[0] = mm;
        call[1] = nn;
        call[2] = pa;
        call[3] = pb;
        call[4] = pc;
        call[5] = sp;
      } else {
        // the export's arguments in order: gemmLd (tA, tB, m, n, k, α, a, lda, b, ldb, β, c, ldc, scratch);
        // gemmPackedLd the same without tB and ldb
        let o = slotArgs(p - 1);
        out[o++] = ta;
        if (!packed) out[o++] = tb;
        out[o++] = mm;
        out[o++] = nn;
        out[o++] = kk;
        out[o++] = alpha;
        out[o++] = pa;
        out[o++] = lda;
        out[o++] = pb;
        if (!packed) out[o++] = ldb;
        out[o++] = beta;
        out[o++] = pc;
        out[o++] = n;
        out[o] = sp;
      }
      lo = hi;
    }
    pool.start(packed ? GEMM_PACKED : GEMM, parts - 1);
    try {
      if (packed) k.gemmPackedLd(ta, call[0], call[1], kk, alpha, call[2], lda, call[3], beta, call[4], n, call[5]);
      else k.gemmLd(ta, tb, call[0], call[1], kk, alpha, call[2], lda, call[3], ldb, beta, call[4], n, call[5]);
    } finally {
      pool.finish();
    }
  }

  return { run, gemm, threads };
}

/** The Backend methods that the threaded backend overrides (everything else runs on the calling thread). */
export function threadedMethods(sp: Splitter): Pick<Backend, 'gemm' | 'gemmPacked' | 'adam'> & Partial<KernelMethods> {
  const { run } = sp;
  return {
    ...wrapKernels(
      (name) => run.bind(null, name) as unknown as WasmFn,
      (name) => KERNELS[name].split !== undefined,
    ),
    gemm: (tA, tB, m, n, k, alpha, a, b, beta, c) => sp.gemm(tA, tB, m, n, k, alpha, ptr(a), ptr(b), beta, ptr(c)),
    gemmPacked: (tA, m, n, k, alpha, a, packed, beta, c) =>
      sp.gemm(tA, false, m, n, k, alpha, ptr(a), ptr(packed), beta, ptr(c), true),
    adam: (n, s, param, grad, m, v) => run('adam', ...adamArgs(n, s, param, grad, m, v)),
  };
}
