import fs from 'node:fs';
import path from 'node:path';
import { openSqlite } from './sqlite.js';

/** The lock file whose exclusive SQLite lock marks the data folder as taken. */
export const LOCK_FILE = 'service.lock';

/** Raised when another service already holds the data folder. */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `the data folder ${dataDir} is in use by another LakeTahoe service: stop that service first, ` +
        'or give this one its own --data-dir (two services on one folder would adopt the same runners and stop each other\'s model servers)'
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Creates the data folder readable by its owner alone (0700) and tightens one that exists: it holds the
 * database (every user's jobs), model server folders and the lock.
 */
export function prepareDataDir(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);
}

/**
 * Creates `file` (0600) when missing and tightens it when present, before SQLite opens it. An existing
 * file is never opened here: closing any descriptor of a file drops every fcntl lock this process holds
 * on it, the data folder's lock included.
 */
export function privateFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  }
  fs.chmodSync(file, 0o600);
}

/**
 * Takes the data folder for this process: an exclusive SQLite lock (an fcntl lock the kernel drops when
 * the process dies, so a crashed service never leaves a stale lock behind) on `<dataDir>/service.lock`.
 * Throws {@link DataDirInUseError} when another service (in this process or another) holds it.
 * Returns the function that releases it.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  privateFile(file);
  const db = openSqlite(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // An exclusive lock is taken by the first write and kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DataDirInUseError(dataDir);
    }
    throw err;
  }
  let released = false;
  return () => {
    if (!released) {
      released = true;
      db.close();
    }
  };
}
