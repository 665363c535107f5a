import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.js';
import type { HubTokenResolver } from './hubAuth.js';
import { HEALTH_PATH } from './routes/health.js';

/** Who is calling: the user, their groups, and whether they are an administrator of this service. */
export interface Caller {
  user: string;
  groups: readonly string[];
  /** A member of `--admin-group`: may list and read every user's jobs, models and deployments. */
  admin: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated user; every route runs after the token check. Writes always act as this user. */
    user: string;
    /** The authenticated caller with groups and admin flag (see access.ts for what they may read). */
    caller: Caller;
  }
}

/** Users whose groups are remembered for namespace mapping; the longest unseen are forgotten first. */
const MAX_SEEN_USERS = 10_000;

/**
 * A token's SHA-256: compared in constant time, whatever the lengths of the tokens. The one-shot
 * `crypto.hash` (Node 20.12+) spares a Hash object per request; older Nodes build one.
 */
function digest(token: string): Buffer {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', token, 'buffer') : crypto.createHash('sha256').update(token).digest();
}

/** Maps tokens to users; the single embedded user or a tokens file's table. */
export class TokenTable {
  /** The known tokens' digests, computed once: a request hashes only the token it carries. */
  private readonly digests: { digest: Buffer; user: string }[];

  constructor(tokens: ReadonlyMap<string, string>) {
    this.digests = [...tokens].map(([token, user]) => ({ digest: digest(token), user }));
  }

  /** The user owning `token`, if any. Every entry is compared, so the time says nothing about which matched. */
  userFor(token: string): string | undefined {
    const given = digest(token);
    let found: string | undefined;
    for (const known of this.digests) {
      if (crypto.timingSafeEqual(known.digest, given)) {
        found = known.user;
      }
    }
    return found;
  }
}

/**
 * The groups of a tokens file, `{"groups": {"<group>": ["<user>", ...]}}` beside its tokens, as
 * user -> groups (a robot in the admin group may read everyone's). None when the file has no groups.
 */
export function readTokensFileGroups(file: string, read: (f: string) => string): Map<string, string[]> {
  const doc = JSON.parse(read(file)) as { groups?: unknown };
  const byUser = new Map<string, string[]>();
  if (doc.groups === undefined) {
    return byUser;
  }
  if (typeof doc.groups !== 'object' || doc.groups === null || Array.isArray(doc.groups)) {
    throw new Error(`${file}: "groups" must be {"<group>": ["<user>", ...]}`);
  }
  for (const [group, members] of Object.entries(doc.groups as Record<string, unknown>)) {
    if (!Array.isArray(members) || !members.every(m => typeof m === 'string')) {
      throw new Error(`${file}: groups.${group} must be a list of user names`);
    }
    for (const user of members as string[]) {
      byUser.set(user, [...(byUser.get(user) ?? []), group]);
    }
  }
  return byUser;
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

/** The bearer token of a request, or '' when it carries none (`token <t>`, JupyterHub's spelling, too). */
export function bearerToken(request: Pick<FastifyRequest, 'headers'>): string {
  const m = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return m ? m[1] : '';
}

/**
 * Every way a token is known: the tokens table (the embedded user or a tokens file: robots, CI, small
 * setups) first, then JupyterHub when configured. Group membership decides who is an admin.
 */
export class Authenticator {
  /** Groups each user was last seen in, newest last; bounded like the hub's cache. */
  private readonly seenGroups = new Map<string, readonly string[]>();
  /**
   * The table's caller of the token a connection last presented. A keep-alive connection sends the same
   * token request after request, and hashing it again is the costliest step of a request's checks (the
   * digest's set-up, not its bytes). Comparing with the token this same connection sent before tells a
   * caller nothing about anyone else's token. Hub identities are not kept here: they expire.
   */
  private readonly byConnection = new WeakMap<object, { token: string; caller: Caller }>();

  constructor(
    private readonly table: TokenTable,
    private readonly opts: { hub?: HubTokenResolver; adminGroup?: string; groups?: ReadonlyMap<string, readonly string[]> } = {}
  ) {}

  /**
   * The caller owning `token`, undefined for an unknown one. Rejects with an `unavailable` ServiceError
   * when the token is not in the table and the hub cannot be asked.
   */
  async callerFor(token: string): Promise<Caller | undefined> {
    const user = this.table.userFor(token);
    if (user !== undefined) {
      return this.caller(user, this.opts.groups?.get(user) ?? []);
    }
    const identity = await this.opts.hub?.resolve(token);
    return identity ? this.caller(identity.user, identity.groups) : undefined;
  }

  /**
   * The caller owning `token` when that is known without asking anyone (the tokens table, or the hub's
   * answer still cached); undefined otherwise, where {@link callerFor} decides. `connection` (the
   * request's socket) lets a keep-alive connection's repeated token skip the table's hashing.
   */
  knownCaller(token: string, connection?: object): Caller | undefined {
    const remembered = connection && this.byConnection.get(connection);
    if (remembered && remembered.token === token) {
      return remembered.caller;
    }
    const user = this.table.userFor(token);
    if (user !== undefined) {
      const caller = this.caller(user, this.opts.groups?.get(user) ?? []);
      if (connection) {
        this.byConnection.set(connection, { token, caller });
      }
      return caller;
    }
    const identity = this.opts.hub?.cached(token);
    return identity ? this.caller(identity.user, identity.groups) : undefined;
  }

  /** The groups `user` was in when last authenticated (none before): a job's namespace may follow them. */
  groupsOf(user: string): readonly string[] {
    return this.seenGroups.get(user) ?? this.opts.groups?.get(user) ?? [];
  }

  private caller(user: string, groups: readonly string[]): Caller {
    this.seenGroups.delete(user);
    this.seenGroups.set(user, groups);
    if (this.seenGroups.size > MAX_SEEN_USERS) {
      this.seenGroups.delete(this.seenGroups.keys().next().value as string);
    }
    const admin = this.opts.adminGroup !== undefined && groups.includes(this.opts.adminGroup);
    return { user, groups, admin };
  }
}

/** Requires `Authorization: Bearer <token>` on every route but the health route, including the OpenAPI document and 404s. */
export function registerAuth(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('user', '');
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Probes carry no token; the health route says nothing about any user.
    if (request.method === 'GET' && request.url === HEALTH_PATH) {
      return;
    }
    const caller = await auth.callerFor(bearerToken(request));
    if (!caller) {
      throw new ServiceError('unauthenticated', 'a valid bearer token is required');
    }
    request.user = caller.user;
    request.caller = caller;
  });
}
