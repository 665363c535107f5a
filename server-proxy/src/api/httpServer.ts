/**
 * The HTTP server under Fastify, with a hook that may answer a request before Fastify routes it (the
 * inference fast path). Built as Fastify builds its own (`serverFactory`), with the same timeouts.
 */
import http from 'node:http';
import type { FastifyServerFactory } from 'fastify';

/** Answers a request and returns true, or returns false without touching it. */
export type PreRoute = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/** A Fastify `serverFactory` whose servers offer each request to `preRoute` first. */
export function serverWithPreRoute(preRoute: PreRoute): FastifyServerFactory {
  return (handler, options) => {
    const server = http.createServer(options.http ?? {}, (req, res) => {
      if (!preRoute(req, res)) {
        handler(req, res);
      }
    });
    // What Fastify sets on a server it makes itself (its options come with its defaults filled in).
    server.keepAliveTimeout = options.keepAliveTimeout as number;
    server.requestTimeout = options.requestTimeout as number;
    server.setTimeout(options.connectionTimeout as number);
    if ((options.maxRequestsPerSocket as number) > 0) {
      server.maxRequestsPerSocket = options.maxRequestsPerSocket as number;
    }
    return server;
  };
}

/** Request ids as Fastify's default makes them (`req-1`, `req-2`, ... in base 36), from one sequence two paths share. */
export function requestIdSequence(): () => string {
  let next = 0;
  return () => {
    next = (next + 1) & 0x7fffffff;
    return `req-${next.toString(36)}`;
  };
}
