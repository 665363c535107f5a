import path from 'node:path';
import { privateFile } from '../dataDir.js';
import { PostgresDefinitionStore } from '../definitions/pgStore.js';
import { SqliteDefinitionStore, type DefinitionStore } from '../definitions/store.js';
import { PostgresMonitorStore } from '../monitoring/pgStore.js';
import { SqliteMonitorStore, type MonitorStore } from '../monitoring/store.js';
import { Database } from './postgres/database.js';
import { PostgresStore } from './postgres/store.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';

/** The job store and the monitoring history, over one database. */
export interface Stores {
  store: Store;
  monitor: MonitorStore;
  /** Job definitions and their run history. */
  definitions: DefinitionStore;
  /** The PostgreSQL connection pool in shared mode (for the cross-replica event relay). */
  database?: Database;
}

/** The SQLite file of the embedded store inside a data folder. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'laketahoe.db');
}

/**
 * Opens the service's database: PostgreSQL when `databaseUrl` is set (shared mode), else the SQLite file
 * in the data folder. Either way the schema is brought up to date first.
 */
export async function openStores(options: { dataDir: string; databaseUrl?: string }): Promise<Stores> {
  if (options.databaseUrl) {
    const db = await Database.open(options.databaseUrl);
    return { store: new PostgresStore(db), monitor: new PostgresMonitorStore(db), definitions: new PostgresDefinitionStore(db), database: db };
  }
  const file = sqliteFile(options.dataDir);
  privateFile(file);
  const store = new SqliteStore(file);
  return { store, monitor: new SqliteMonitorStore(store.database), definitions: new SqliteDefinitionStore(store.database) };
}
