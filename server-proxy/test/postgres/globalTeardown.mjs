import { stopPostgres } from './server.mjs';

/** Stops the test run's PostgreSQL (also after failed tests; a killed run is left to its watchdog). */
export default async function globalTeardown() {
  stopPostgres();
}
