/**
 * Worker scripts must be compiled JavaScript. When recur runs from dist/ the script sits next to its caller;
 * when it runs from its TypeScript sources (vitest), the compiled copy is the same path under dist/.
 */
/**
 * The URL of the compiled sibling `file` of the module at `callerUrl` (pass `import.meta.url`), where
 * `srcPath` is the caller's folder relative to src/ (e.g. 'runner' or 'kernels/wasm').
 */
export function compiledSibling(callerUrl: string, srcPath: string, file: string): URL {
  if (!new URL(callerUrl).pathname.endsWith('.ts')) return new URL(`./${file}`, callerUrl);
  const up = '../'.repeat(srcPath.split('/').length + 1);
  return new URL(`${up}dist/${srcPath}/${file}`, callerUrl);
}
