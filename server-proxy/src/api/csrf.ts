import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';

/**
 * The header a non-browser client (the Python client, scripts) sends on a state-changing request that has
 * no JSON body. A page on another site cannot add it without a CORS preflight, which this service never
 * answers.
 */
export const CSRF_HEADER = 'x-laketahoe-request';

/** Methods that change state. */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Content types a cross-site form or `fetch(..., {mode: 'no-cors'})` may send without a preflight
 * (the CORS "simple" types). Any other type (JSON, and inference's own types) cannot come cross-site.
 */
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** The host (`name:port`) of an Origin header, or undefined when it is no URL (`null`). */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Why `request` looks forged by another site, or undefined when it does not. */
export function crossSiteReason(request: Pick<FastifyRequest, 'method' | 'headers'>): string | undefined {
  if (!UNSAFE.has(request.method)) {
    return undefined;
  }
  const headers = request.headers;
  const site = headers['sec-fetch-site'];
  // `same-site` too: another port of the same host (another local server) is the same site.
  if (site === 'cross-site' || site === 'same-site') {
    return `a ${site} request cannot change anything here`;
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    // jupyter-server-proxy (and JupyterHub's proxy) pass the browser's Host on, so a page of the same
    // Jupyter has the same host as its Origin.
    const own = [headers.host, headers['x-forwarded-host']]
      .flatMap(h => (typeof h === 'string' ? h.split(',') : []))
      .map(h => h.trim().toLowerCase());
    const from = originHost(origin);
    if (from === undefined || !own.includes(from)) {
      return `requests from origin ${origin} cannot change anything here`;
    }
  }
  if (headers[CSRF_HEADER] !== undefined) {
    return undefined;
  }
  const type = (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === '' || SIMPLE_TYPES.has(type)) {
    return `a ${request.method} needs Content-Type: application/json (inference: its own type) or the ${CSRF_HEADER} header`;
  }
  return undefined;
}

/**
 * Refuses state-changing requests another site could have made through a user's browser: Jupyter's XSRF
 * check does not apply behind jupyter-server-proxy, which adds this service's token to whatever the
 * browser sends with the Jupyter cookie.
 */
export function registerCsrfGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async request => {
    const reason = crossSiteReason(request);
    if (reason) {
      throw new ServiceError('permission_denied', reason);
    }
  });
}
