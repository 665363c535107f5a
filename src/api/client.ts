import { DefinitionsClient } from './definitionsClient';

export { MAX_TRIALS } from './trialsClient';

/**
 * Typed client for the LakeTahoe REST API (docs/contracts.md).
 *
 * Every request goes through `ServerConnection.makeRequest`, so Jupyter's
 * token and XSRF headers apply; jupyter-server-proxy adds the service's
 * bearer token, which the browser never sees.
 *
 * Each feature's routes are in their own module, stacked in one class so
 * that callers hold a single client: `ClientCore` (settings, URLs,
 * the request core), jobs, trials, serving, monitoring, definitions.
 */
export class LakeTahoeClient extends DefinitionsClient {}
