import { openStores, type Stores } from '../../src/store/open.js';
import { databaseNameFor, testDatabase, usingPostgres } from './postgres.js';

/**
 * The stores a test file runs against: a SQLite file at `file`, or in the postgres project a PostgreSQL
 * database named after that path (so opening the same path again reopens the same data, as with SQLite).
 */
export async function openTestStores(file: string): Promise<Stores> {
  if (usingPostgres()) {
    return openStores({ dataDir: '', databaseUrl: await testDatabase(databaseNameFor(file)) });
  }
  const { SqliteStore } = await import('../../src/store/sqlite.js');
  const { SqliteMonitorStore } = await import('../../src/monitoring/store.js');
  const { SqliteDefinitionStore } = await import('../../src/definitions/store.js');
  const store = new SqliteStore(file);
  return { store, monitor: new SqliteMonitorStore(store.database), definitions: new SqliteDefinitionStore(store.database) };
}

/** The store alone (see {@link openTestStores}). */
export async function openTestStore(file: string): Promise<Stores['store']> {
  return (await openTestStores(file)).store;
}

/** The database settings of a service whose folder is `root`: none for SQLite, its own database for PostgreSQL. */
export async function databaseFor(root: string): Promise<{ databaseUrl?: string }> {
  return usingPostgres() ? { databaseUrl: await testDatabase(databaseNameFor(root)) } : {};
}

/** The same as environment variables of a service started as a child process. */
export async function databaseEnv(root: string): Promise<Record<string, string>> {
  const { databaseUrl } = await databaseFor(root);
  return databaseUrl ? { LAKETAHOE_DATABASE_URL: databaseUrl } : {};
}
