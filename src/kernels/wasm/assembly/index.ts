/**
 * Entry point of the kernel module: re-exports every kernel. All pointers are byte addresses in the
 * imported memory; all data is f32. See each file for the math.
 */
export { gemm, gemmLd, gemmScratchBytes } from './gemm';
export { addRow, mulRow, sumRows, copyBlock } from './rows';
export { fill, copy, axpy, scale, add, sub, mul, mulAcc, clamp, blend, blendBackward } from './elementwise';
export { unary, unaryBackward } from './unary';
export { sum, sumSquares, dot, allFinite } from './reductions';
export { softmaxXent, softmaxXentBackward } from './losses';
export { lstmForward, lstmBackward, gruForward, gruBackward } from './cells';
export { layerNorm, layerNormBackward } from './layernorm';
export { adam } from './optim';

/** First free byte above the module's static data: the JS heap may start here. */
export function heapBase(): usize {
  return __heap_base;
}
