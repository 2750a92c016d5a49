/**
 * Entry point of the kernel module: every kernel file's exports are the module's exports (each exports
 * kernels and nothing else; helpers stay unexported). All pointers are byte addresses in the imported memory;
 * all data is f32. See each file for the math, and ../../table.ts for how the TypeScript side calls them.
 */
export * from './gemm';
export * from './rows';
export * from './elementwise';
export * from './unary';
export * from './reductions';
export * from './losses';
export * from './cells';
export * from './steps';
export * from './layernorm';
export * from './optim';

/** First free byte above the module's static data: the JS heap may start here. */
export function heapBase(): usize {
  return __heap_base;
}
