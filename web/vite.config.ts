/**
 * The explorable page, built into web/dist/: a static folder (relative asset paths, the wasm kernels, the
 * kernel worker, the committed study export and Vega bundled in) that works from any static host and
 * offline once loaded.
 *   npm run web           build, then serve it at http://127.0.0.1:5173
 * Both servers send the two headers that make the page cross-origin isolated, which is what lets it share
 * memory with Web Workers and run the kernels on several threads; a static host must send them too (else
 * the page runs on one thread, with the same numbers).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Cross-origin isolation: `crossOriginIsolated` is true, SharedArrayBuffer can be sent to workers. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS, fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  preview: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS },
});
