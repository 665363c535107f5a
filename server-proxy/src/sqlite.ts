import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { BUNDLED } from './version.js';

/**
 * SQLite's native addon shipped beside the bundled service (`better_sqlite3.node` next to `main.mjs`); undefined
 * in a checkout, where better-sqlite3 finds its own build under node_modules.
 */
function bundledAddon(): string | undefined {
  if (!BUNDLED) {
    return undefined;
  }
  const file = fileURLToPath(new URL('./better_sqlite3.node', import.meta.url));
  return fs.existsSync(file) ? file : undefined;
}

/**
 * Opens a SQLite file with the addon that fits how the service runs: every connection the service makes
 * goes through here, since the bundled service cannot look the addon up the way a checkout does.
 */
export function openSqlite(file: string, options: Database.Options = {}): Database.Database {
  const addon = bundledAddon();
  return new Database(file, addon ? { ...options, nativeBinding: addon } : options);
}
