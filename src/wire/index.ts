/**
 * The extension's view of the wire contract: generated types and rules from `server-proxy/openapi.json`,
 * plus the push-event and inference shapes the document cannot describe.
 */
export * from './types';
export * from './rules.gen';
export * from './events';
export * from './oip';
export * from './ids';
