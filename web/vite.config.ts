/**
 * The explorable page, built into web/dist/: a static folder (relative asset paths, the wasm kernels and
 * Vega bundled in) that works from any static host and offline once loaded.
 *   npm run web           build, then serve it at http://127.0.0.1:5173
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  preview: { host: '127.0.0.1', port: 5173 },
});
