#!/usr/bin/env node
/**
 * Compile the AssemblyScript kernels (src/kernels/wasm/assembly/) into build/:
 *   build/kernels.wasm          f32x4 SIMD (runs on plain Node 20)
 *   build/kernels-relaxed.wasm  the same with f32x4.relaxed_madd in the GEMM micro-kernel
 *   build/kernels-threads.wasm, build/kernels-threads-relaxed.wasm
 *                               the same two built with threads: they import a *shared* memory (limits 1 to
 *                               65536 pages; the JS side passes any shared memory within them), so worker
 *                               threads run the same kernels on the same buffers (src/kernels/wasm/threads.ts)
 * All import their memory (env.memory) so the JS side owns it.
 * Uses the assemblyscript compiler from node_modules through its JS API; no network.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/kernels/wasm/assembly/index.ts');
const outDir = join(root, 'build');
mkdirSync(outDir, { recursive: true });

const common = ['-O3', '--runtime', 'stub', '--importMemory', '--noAssert', '--use', 'abort=', '--enable', 'simd'];
const relaxed = ['--enable', 'relaxed-simd'];
const threads = ['--enable', 'threads', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536'];
const modules = [
  { file: 'kernels.wasm', flags: [] },
  { file: 'kernels-relaxed.wasm', flags: relaxed },
  { file: 'kernels-threads.wasm', flags: threads },
  { file: 'kernels-threads-relaxed.wasm', flags: [...threads, ...relaxed] },
];

let failed = false;
for (const { file, flags } of modules) {
  const outFile = join(outDir, file);
  const t0 = performance.now();
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([relative(root, entry), ...common, ...flags, '--outFile', relative(root, outFile)], {
    stdout: asc.createMemoryStream(),
    stderr,
    baseDir: root,
  });
  const ms = Math.round(performance.now() - t0);
  if (error) {
    failed = true;
    console.error(`build-wasm: ${file} FAILED: ${error.message}\n${stderr.toString()}`);
    continue;
  }
  console.log(
    `build-wasm: ${relative(root, outFile)} ${statSync(outFile).size} bytes (${[...common, ...flags].join(' ')}) ${ms} ms`,
  );
}
if (failed) process.exit(1);
