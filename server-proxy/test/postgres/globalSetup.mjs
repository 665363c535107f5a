import { startPostgres } from './server.mjs';

/** Starts the test run's PostgreSQL before the postgres project's first test file. */
export default async function globalSetup() {
  await startPostgres();
}
