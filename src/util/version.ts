/** recur's version, from package.json (read once; the same relative path works from src/ and dist/). */
import { readFileSync } from 'node:fs';

/** The `version` field of recur's package.json, e.g. "0.1.0" ("unknown" if the file cannot be read). */
export const RECUR_VERSION: string = (() => {
  try {
    const v = (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    ).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
})();
