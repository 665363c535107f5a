import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user; every route runs after the token check. */
    user: string;
  }
}

/** Compares without leaking, through timing, how much of a token matched. */
function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** Maps tokens to users; the single embedded user or a tokens file's table. */
export class TokenTable {
  constructor(private readonly tokens: ReadonlyMap<string, string>) {}

  /** The user owning `token`, if any. */
  userFor(token: string): string | undefined {
    let found: string | undefined;
    for (const [known, user] of this.tokens) {
      if (safeEqual(known, token)) {
        found = user;
      }
    }
    return found;
  }
}

/** Reads `{"tokens": {"<token>": "<user>"}}`. */
export function readTokensFile(file: string, read: (f: string) => string): Map<string, string> {
  const doc = JSON.parse(read(file)) as { tokens?: Record<string, unknown> };
  const map = new Map<string, string>();
  for (const [token, user] of Object.entries(doc.tokens ?? {})) {
    if (typeof user === 'string' && token.length > 0) {
      map.set(token, user);
    }
  }
  if (map.size === 0) {
    throw new Error(`${file} defines no tokens`);
  }
  return map;
}

/** The bearer token of a request, or '' when it carries none. */
export function bearerToken(request: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return m ? m[1] : '';
}

/** Requires `Authorization: Bearer <token>` on every route, including the OpenAPI document and 404s. */
export function registerAuth(app: FastifyInstance, table: TokenTable): void {
  app.decorateRequest('user', '');
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const user = table.userFor(bearerToken(request));
    if (!user) {
      throw new ServiceError('unauthenticated', 'a valid bearer token is required');
    }
    request.user = user;
  });
}
