import crypto from 'node:crypto';
import { ServiceError } from '../errors.js';

/** Who a hub token belongs to, as the hub's `GET /user` (its "whoami") answered. */
export interface HubIdentity {
  user: string;
  groups: string[];
  /** The hub's own admin flag (shown for information; `--admin-group` decides what an admin may see here). */
  hubAdmin: boolean;
}

/** Settings of {@link HubTokenResolver}. */
export interface HubAuthOptions {
  /** The hub's REST API, e.g. `http://127.0.0.1:8081/hub/api`. */
  apiUrl: string;
  /** This service's name in the hub: a token must grant `access:services!service=<name>` (or `access:services`). */
  serviceName: string;
  /** How long a known token's identity is trusted before the hub is asked again. */
  ttlMs: number;
  /** How long "the hub does not know this token" is remembered (shorter: a new token works soon). */
  negativeTtlMs: number;
  /** Most tokens remembered; the least recently used go first. */
  maxEntries: number;
  /** A hub slower than this counts as down. */
  timeoutMs: number;
  /** Injected in tests. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** A token's cache key: its hash, so that the cache never holds a token. */
function cacheKey(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

interface Entry {
  identity: HubIdentity | undefined;
  expires: number;
}

/**
 * Resolves JupyterHub tokens to users by asking the hub, as a JupyterHub service does: the token itself
 * calls the hub's `GET /user`, which names its owner, the owner's groups and the token's scopes. Answers
 * are cached by a hash of the token (the cache never holds a token), so a revoked token keeps working
 * for at most `ttlMs`. A hub that cannot be reached is an `unavailable` error (503), never "unknown token".
 */
export class HubTokenResolver {
  private readonly cache = new Map<string, Entry>();
  /** One question per token at a time: concurrent requests with the same new token share it. */
  private readonly pending = new Map<string, Promise<HubIdentity | undefined>>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly userUrl: string;

  constructor(private readonly opts: HubAuthOptions) {
    this.fetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.userUrl = `${opts.apiUrl.replace(/\/+$/, '')}/user`;
  }

  /** Tokens remembered now (tests check the bound). */
  get size(): number {
    return this.cache.size;
  }

  /** The identity owning `token` as the hub last answered, while that answer is fresh; undefined otherwise. */
  cached(token: string): HubIdentity | undefined {
    return token ? this.fresh(cacheKey(token))?.identity : undefined;
  }

  /** The entry of `key` when not expired, made the most recently used. */
  private fresh(key: string): Entry | undefined {
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) {
      // Re-inserted: the map's order is the order of last use, oldest first.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    return undefined;
  }

  /** The identity owning `token`, undefined when the hub does not know it or it may not use this service. */
  async resolve(token: string): Promise<HubIdentity | undefined> {
    if (!token) {
      return undefined;
    }
    const key = cacheKey(token);
    const cached = this.fresh(key);
    if (cached) {
      return cached.identity;
    }
    this.cache.delete(key);
    let asking = this.pending.get(key);
    if (!asking) {
      asking = this.ask(token).finally(() => this.pending.delete(key));
      this.pending.set(key, asking);
    }
    const identity = await asking;
    this.remember(key, identity);
    return identity;
  }

  private remember(key: string, identity: HubIdentity | undefined): void {
    const ttl = identity ? this.opts.ttlMs : this.opts.negativeTtlMs;
    if (ttl <= 0) {
      return;
    }
    this.cache.delete(key);
    this.cache.set(key, { identity, expires: this.now() + ttl });
    while (this.cache.size > this.opts.maxEntries) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
  }

  private async ask(token: string): Promise<HubIdentity | undefined> {
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(this.userUrl, {
        headers: { authorization: `token ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        redirect: 'manual'
      });
      text = await response.text();
    } catch {
      throw new ServiceError('unavailable', 'JupyterHub cannot be reached to check the token; try again shortly');
    }
    // 401/403: the hub does not know the token (or it was revoked). Anything else but 200 is the hub failing.
    if (response.status === 401 || response.status === 403) {
      return undefined;
    }
    if (response.status !== 200) {
      throw new ServiceError('unavailable', `JupyterHub answered ${response.status} when asked about the token; try again shortly`);
    }
    return this.identityFrom(text);
  }

  /** The identity in a whoami answer; a malformed one is the hub failing, not the caller. */
  private identityFrom(text: string): HubIdentity | undefined {
    let model: unknown;
    try {
      model = JSON.parse(text);
    } catch {
      throw new ServiceError('unavailable', 'JupyterHub gave an answer that is not JSON when asked about the token');
    }
    const m = model as { kind?: unknown; name?: unknown; groups?: unknown; admin?: unknown; scopes?: unknown };
    if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || m.name === '' || !Array.isArray(m.scopes)) {
      throw new ServiceError('unavailable', 'JupyterHub gave an answer without a user name and scopes when asked about the token');
    }
    // A service's token (kind "service") is not a user of this API.
    if (m.kind !== undefined && m.kind !== 'user') {
      return undefined;
    }
    const allowed = new Set(['access:services', `access:services!service=${this.opts.serviceName}`]);
    if (!m.scopes.some(s => typeof s === 'string' && allowed.has(s))) {
      return undefined;
    }
    const groups = Array.isArray(m.groups) ? m.groups.filter((g): g is string => typeof g === 'string') : [];
    return { user: m.name, groups, hubAdmin: m.admin === true };
  }
}
