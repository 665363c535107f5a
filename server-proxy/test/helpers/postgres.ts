/**
 * Databases on the test run's PostgreSQL, which the postgres project's global set-up starts
 * (test/postgres/server.mjs).
 */
import crypto from 'node:crypto';
import pg from 'pg';

/** The environment variable that carries the server's admin URL from the global set-up to the tests. */
export const ADMIN_URL_ENV = 'LAKETAHOE_TEST_PG_URL';
/** The URL of database `name` on the test server, created when missing. */
export async function testDatabase(name: string): Promise<string> {
  const admin = process.env[ADMIN_URL_ENV];
  if (!admin) {
    throw new Error(`${ADMIN_URL_ENV} is not set: the postgres jest project starts the server (jest --selectProjects postgres)`);
  }
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') {
      throw err;
    }
  } finally {
    await client.end();
  }
  // The admin URL names the `postgres` database: postgres://user:password@/postgres?host=<socket folder>.
  return admin.replace('@/postgres?', `@/${name}?`);
}

/** A database for one folder of a test (the same folder always gets the same database, as with SQLite). */
export function databaseNameFor(root: string): string {
  return `t_${crypto.createHash('sha256').update(root).digest('hex').slice(0, 20)}`;
}

/** Whether this test file runs in the postgres project. */
export function usingPostgres(): boolean {
  return process.env.LAKETAHOE_TEST_STORE === 'postgres';
}
