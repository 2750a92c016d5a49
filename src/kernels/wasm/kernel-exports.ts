/** The exported functions of build/kernels*.wasm, as the wasm backend and the splitter (parallel.ts) call them. */
import type { KernelName } from '../table.js';
import type { WasmFn } from './wrap.js';

/** The kernel exports the splitter calls directly. */
export interface SplitKernels {
  gemmScratchBytes(m: number, k: number): number;
  gemmLd(
    tA: number,
    tB: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    beta: number,
    c: number,
    ldc: number,
    scratch: number,
  ): void;
  gemmPackedLd(
    tA: number,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: number,
    lda: number,
    packed: number,
    beta: number,
    c: number,
    ldc: number,
    scratch: number,
  ): void;
}

/** The exported functions of build/kernels*.wasm: the table's kernels, and those called directly. */
export type KernelExports = Record<KernelName, WasmFn> &
  SplitKernels & {
    heapBase(): number;
    gemm(
      tA: number,
      tB: number,
      m: number,
      n: number,
      k: number,
      alpha: number,
      a: number,
      b: number,
      beta: number,
      c: number,
      scratch: number,
    ): void;
    adam(
      n: number,
      lr: number,
      beta1: number,
      c1: number,
      beta2: number,
      c2: number,
      eps: number,
      wd: number,
      ib1: number,
      ib2: number,
      param: number,
      grad: number,
      m: number,
      v: number,
    ): void;
  };
