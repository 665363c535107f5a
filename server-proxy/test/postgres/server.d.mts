/** Types of server.mjs for the TypeScript tests that start a PostgreSQL of their own. */
/** Starts a cluster in a new temporary folder (the Unix socket's folder); resolves to its admin URL. */
export function startPostgres(): Promise<string>;
/** Stops the server and removes its folder (the one of the last start when none is given). */
export function stopPostgres(dir?: string): void;
