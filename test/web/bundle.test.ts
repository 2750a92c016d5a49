/**
 * One library, two platforms: the library entry bundles for a browser with esbuild as it is (no stubs, no
 * externals), and no `node:` module is imported by anything in the bundle.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = new URL('../../src/index.ts', import.meta.url).pathname;

describe('the library entry in a browser bundle', () => {
  it('bundles with --platform=browser, imports no node: module, and its size is stated', async () => {
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(r.errors).toEqual([]);
    const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(
      imports.filter((p) => p.startsWith('node:') || /^(fs|path|url|crypto|zlib|module|worker_threads)$/.test(p)),
    ).toEqual([]);
    const out = r.outputFiles[0].text;
    expect(out).not.toMatch(/\bfrom\s*["']node:|\bimport\(\s*["']node:|\brequire\(\s*["']node:/);
    const kb = (r.outputFiles[0].contents.length / 1024).toFixed(0);
    console.log(
      `browser bundle of src/index.ts: ${kb} KiB minified (${Object.keys(r.metafile.inputs).length} modules)`,
    );
    expect(r.outputFiles[0].contents.length).toBeGreaterThan(50_000);
  }, 60_000);

  it("the page's own modules (web/) reach no node: module through the library or the report", async () => {
    const r = await build({
      entryPoints: [new URL('../../web/main.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Vite's asset and worker URLs (`?url`, `?worker&url`) and the page's plotting packages stay outside.
      external: ['vega-embed', 'vega-lite', 'vega'],
      plugins: [
        {
          name: 'vite-urls',
          setup(b) {
            b.onResolve({ filter: /\?(url|worker&url)$/ }, (a) => ({ path: a.path, external: true }));
          },
        },
      ],
    });
    expect(r.errors).toEqual([]);
    const imports = Object.values(r.metafile.inputs).flatMap((i) => i.imports.map((x) => x.path));
    expect(imports.filter((p) => p.startsWith('node:'))).toEqual([]);
  }, 60_000);
});
