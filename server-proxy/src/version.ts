import fs from 'node:fs';

// Set by scripts/bundle.mjs (esbuild `define`) in the bundled service; absent when run from src/ or dist/.
declare const LAKETAHOE_BUNDLE_VERSION: string | undefined;

/** True in the bundled service (Python wheel, service image), false in a checkout. */
export const BUNDLED: boolean = typeof LAKETAHOE_BUNDLE_VERSION === 'string';

/**
 * The product version. Its one source is the repository's root package.json (the extension's), which also
 * gives the Python package its version; a checkout reads it two levels up from both src/ and dist/.
 */
export const VERSION: string = BUNDLED
  ? (LAKETAHOE_BUNDLE_VERSION as string)
  : (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
