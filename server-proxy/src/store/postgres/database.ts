/**
 * Connecting to PostgreSQL: the pool, transactions, schema migrations under an advisory lock, and URLs
 * and errors with the password taken out.
 */
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { PG_MIGRATIONS } from './migrations.js';

/** Whether a `--database-url` names PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** The URL with its password replaced by `***`, for logs and error messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) {
      u.password = '***';
    }
    for (const key of [...u.searchParams.keys()]) {
      if (key.toLowerCase() === 'password') {
        u.searchParams.set(key, '***');
      }
    }
    return u.toString();
  } catch {
    return url.replace(/:\/\/([^:/@]*):[^@]*@/, '://$1:***@');
  }
}

/** The password in a URL (as written and decoded), so an error message that echoes it can be cleaned. */
function passwords(url: string): string[] {
  try {
    const u = new URL(url);
    const found = [u.password, decodeURIComponent(u.password), u.searchParams.get('password') ?? ''];
    return found.filter(p => p.length > 0);
  } catch {
    return [];
  }
}

/** An error about the database whose message never carries the connection password. */
export class DatabaseError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'DatabaseError';
  }
}

/** `err` as a {@link DatabaseError} naming the redacted URL, with any copy of the password removed. */
export function cleanError(url: string, err: unknown, doing: string): DatabaseError {
  let message = (err as Error)?.message ?? String(err);
  for (const p of passwords(url)) {
    message = message.split(p).join('***');
  }
  return new DatabaseError(`${doing} ${redactDatabaseUrl(url)}: ${message}`, (err as { code?: string })?.code);
}

// BIGINT (row counts, epoch ms, serials) and NUMERIC (sums) as numbers: every value this schema holds fits.
const NUMBER_TYPES = new Set([20, 1700]);
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (NUMBER_TYPES.has(oid) && format !== 'binary') {
      return (value: string) => Number(value);
    }
    return pg.types.getTypeParser(oid, format);
  }
} as unknown as pg.CustomTypesConfig;

/** A key of the advisory lock that serialises schema migrations between replicas starting together. */
const MIGRATION_LOCK = 0x4c54_4d47; // 'LTMG'

/** A pool of connections to one database, with the helpers the stores need. */
export class Database {
  private readonly pool: pg.Pool;
  private closed = false;
  /** How values come back (BIGINT as numbers), for connections made outside the pool. */
  readonly types = TYPES;

  private constructor(
    readonly url: string,
    max: number
  ) {
    this.pool = new pg.Pool({ connectionString: url, max, types: TYPES });
    // An idle connection the server dropped must not take the process down; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Connects (checking the URL and credentials now, not at the first request) and applies pending migrations. */
  static async open(url: string, options: { max?: number } = {}): Promise<Database> {
    const db = new Database(url, options.max ?? 10);
    try {
      await db.migrate();
    } catch (err) {
      await db.pool.end().catch(() => undefined);
      throw cleanError(url, err, 'cannot open the PostgreSQL database');
    }
    return db;
  }

  /** Rows of one statement. */
  async query<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(sql, params)).rows;
  }

  /** Runs `fn` in one transaction on one connection: committed when it returns, rolled back when it throws. */
  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Brings the schema forward in one transaction under an advisory lock: a second replica starting at the
   * same time waits, then finds the versions applied.
   */
  private async migrate(): Promise<void> {
    await this.transaction(async client => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'
      );
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(r => r.version));
      for (const m of PG_MIGRATIONS) {
        if (!applied.has(m.version)) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.name,
            new Date().toISOString()
          ]);
        }
      }
    });
  }

  /** Versions recorded in schema_migrations (for tests and diagnostics). */
  async appliedMigrations(): Promise<number[]> {
    return (await this.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map(r => r.version);
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.pool.end();
  }
}

/** Whether a PostgreSQL error is a unique-key violation. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505';
}
