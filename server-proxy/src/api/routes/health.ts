/**
 * `GET /healthz`: the one route without a token, for a kubelet's readiness and liveness probes (which
 * cannot present a per-deployment secret). It says only that this process serves HTTP; the service
 * listens after its store is open and migrated, so an answer also means the store was reachable at start.
 */
import type { FastifyPluginAsync } from 'fastify';

/** The path of the health route; the token check lets exactly this GET through. */
export const HEALTH_PATH = '/healthz';

export const healthRoutes: FastifyPluginAsync = async app => {
  // Hidden from the OpenAPI document: not part of the API clients call.
  app.get(HEALTH_PATH, { schema: { hide: true } }, async () => ({ status: 'ok' }));
};
