#!/usr/bin/env node
// The recur command. Relaxed SIMD (fused multiply-add in the GEMM kernel) is off by default in Node 20;
// the command line turns it on for its own process before any kernel loads (RECUR_RELAXED_SIMD=0: don't).
import { setFlagsFromString } from 'node:v8';
if (process.env.RECUR_RELAXED_SIMD !== '0') setFlagsFromString('--experimental-wasm-relaxed-simd');
const { main } = await import('../dist/cli/main.js');
await main(process.argv);
