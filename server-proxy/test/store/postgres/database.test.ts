import { parseServeArgs } from '../../../src/config.js';
import { Database, redactDatabaseUrl } from '../../../src/store/postgres/database.js';
import { PostgresStore } from '../../../src/store/postgres/store.js';
import { PG_MIGRATIONS } from '../../../src/store/postgres/migrations.js';
import { ADMIN_URL_ENV, testDatabase } from '../../helpers/postgres.js';

// The PostgreSQL store's own concerns, on the test run's real server.

test('replicas starting together apply each migration once (the advisory lock serialises them)', async () => {
  const url = await testDatabase('migrations_race');
  const dbs = await Promise.all(Array.from({ length: 4 }, () => Database.open(url, { max: 2 })));
  try {
    expect(await dbs[0].appliedMigrations()).toEqual(PG_MIGRATIONS.map(m => m.version));
    // Reopening finds nothing to do and keeps the data.
    await new PostgresStore(dbs[1]).createJob({ job: { jobId: 'kept', owner: 'a', state: 'QUEUED', createTime: 't' } as never, runtime: {} as never });
    const again = await Database.open(url);
    expect(await new PostgresStore(again).getJob('kept')).toBeDefined();
    await again.close();
  } finally {
    await Promise.all(dbs.map(d => d.close()));
  }
});

test('the password never shows in an error or in the URL as logged', async () => {
  const admin = process.env[ADMIN_URL_ENV]!;
  const password = decodeURIComponent(new URL(admin.replace(/^postgres:/, 'http:').replace('@/', '@localhost/')).password);
  const wrong = admin.replace(encodeURIComponent(password), 'Wr0ng-s3cret');
  const err = (await Database.open(wrong).catch(e => e)) as Error;
  expect(err.message).toMatch(/cannot open the PostgreSQL database postgres:\/\/laketahoe:\*\*\*@.*password authentication failed/);
  expect(err.message).not.toContain('Wr0ng-s3cret');
  expect(redactDatabaseUrl('postgres://u:p%40ss@db.example:5432/lt?sslmode=require')).toBe('postgres://u:***@db.example:5432/lt?sslmode=require');
  expect(redactDatabaseUrl('postgresql://u@db/lt?password=hunter2')).not.toContain('hunter2');
});

test('--database-url and LAKETAHOE_DATABASE_URL choose PostgreSQL; anything else is refused without echoing a password', () => {
  const env = { LAKETAHOE_TOKEN: 't' };
  expect(parseServeArgs(['--runtime-file', '/tmp/x.json'], env).databaseUrl).toBeUndefined();
  expect(parseServeArgs(['--runtime-file', '/tmp/x.json'], { ...env, LAKETAHOE_DATABASE_URL: 'postgres://u:p@h/d' }).databaseUrl).toBe('postgres://u:p@h/d');
  expect(parseServeArgs(['--database-url', 'postgresql://h/d', '--runtime-file', '/tmp/x.json'], env).databaseUrl).toBe('postgresql://h/d');
  expect(() => parseServeArgs(['--database-url', 'mysql://u:hunter2@h/d', '--runtime-file', '/tmp/x.json'], env)).toThrow(
    "database-url must be a postgres:// or postgresql:// URL, got 'mysql://u:***@h/d'"
  );
});
