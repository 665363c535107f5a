/** The typed client of the LakeTahoe REST API, its errors and its routes. */
export { LakeTahoeClient, MAX_TRIALS } from './client';
export { isAbortError, LakeTahoeError } from './errors';
export { API_PREFIX, inferPath, SERVICE_MOUNT } from './routes';
export type { OutputName } from './routes';
