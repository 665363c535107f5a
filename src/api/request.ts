import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { isAbortError, LakeTahoeError } from './errors';

/**
 * Delays between attempts while the service is unreachable through the proxy (about 30 s in all,
 * jupyter-server-proxy's start timeout): after the service dies, Jupyter starts a new one and the
 * proxy answers 500 until it listens.
 */
export const RECONNECT_DELAYS_MS: readonly number[] = [
  250, 500, 1000, 2000, 4000, 8000, 8000, 8000
];

/**
 * Whether a failed answer says the service could not be reached, rather than an answer of the
 * service: the proxy's own 5xx page (not the service's JSON) while no service listens.
 */
async function isProxyFailure(response: Response): Promise<boolean> {
  if (response.status < 500) {
    return false;
  }
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    return !(body && typeof body === 'object' && 'error' in body);
  } catch {
    return true;
  }
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An attempt that reached no service; `reason` is the error to report if no later attempt does. */
class UnreachableError extends Error {
  constructor(readonly reason: LakeTahoeError) {
    super(reason.message);
  }
}

/** Query values; undefined ones are left out. */
export type Query = { [key: string]: string | number | undefined };

/** Options of a single request. */
export interface IRequestOptions {
  /** Query string values. */
  query?: Query;
  /** JSON body. */
  body?: unknown;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Extra headers. */
  headers?: { [key: string]: string };
  /** Send `body` (a string) as is instead of serializing it. */
  rawBody?: boolean;
}

/**
 * Sends requests through `ServerConnection.makeRequest` and turns failed
 * answers into {@link LakeTahoeError}s.
 */
export class Requester {
  /**
   * @param serverSettings Jupyter server settings requests are made with
   * @param url the absolute URL of an API path with its query
   */
  constructor(
    readonly serverSettings: ServerConnection.ISettings,
    private readonly url: (path: string, query?: Query) => string,
    private readonly delays: readonly number[] = RECONNECT_DELAYS_MS
  ) {}

  /** Whether requests are waiting for the service to come back (it died or restarts). */
  get reconnecting(): boolean {
    return this._waiting > 0;
  }

  /** Emitted when {@link reconnecting} changes. */
  get reconnectingChanged(): ISignal<this, boolean> {
    return this._reconnectingChanged;
  }

  /** Send a request and parse a JSON answer. */
  async json<T>(
    method: string,
    path: string,
    options: IRequestOptions
  ): Promise<T> {
    const response = await this.send(method, path, options);
    try {
      return (await response.json()) as T;
    } catch {
      throw new LakeTahoeError(
        response.status,
        'unavailable',
        'The LakeTahoe service sent an answer that is not JSON.'
      );
    }
  }

  /**
   * Send a request; a non-2xx answer or a network failure throws LakeTahoeError. While the service
   * cannot be reached (a network failure, or the proxy's own 5xx page), the request is sent again
   * with growing delays and {@link reconnecting} is true: such a request never reached a service,
   * so sending it again is safe for every method.
   */
  async send(
    method: string,
    path: string,
    options: IRequestOptions
  ): Promise<Response> {
    let waiting = false;
    try {
      for (let attempt = 0; ; attempt++) {
        const last = attempt >= this.delays.length;
        try {
          return await this._sendOnce(method, path, options, last);
        } catch (error) {
          if (last || !(error instanceof UnreachableError)) {
            throw error instanceof UnreachableError ? error.reason : error;
          }
        }
        if (!waiting) {
          waiting = true;
          this._setWaiting(+1);
        }
        await sleep(this.delays[attempt], options.signal);
      }
    } finally {
      if (waiting) {
        this._setWaiting(-1);
      }
    }
  }

  private _setWaiting(delta: number): void {
    const before = this.reconnecting;
    this._waiting += delta;
    if (before !== this.reconnecting) {
      this._reconnectingChanged.emit(this.reconnecting);
    }
  }

  /** One attempt of {@link send}; throws UnreachableError (unless `last`) when no service answered. */
  private async _sendOnce(
    method: string,
    path: string,
    options: IRequestOptions,
    last: boolean
  ): Promise<Response> {
    const init: RequestInit = {
      method,
      // 'no-store' (Jupyter's default) appends a cache-busting query key the
      // service's strict query validation would reject; 'no-cache' still
      // never answers from a stale cache.
      cache: 'no-cache',
      signal: options.signal,
      // A header no cross-site page can send without a preflight: the service
      // refuses state-changing requests without it or a JSON body.
      headers: { 'X-LakeTahoe-Request': '1', ...(options.headers ?? {}) }
    };
    if (options.body !== undefined) {
      init.body = options.rawBody
        ? String(options.body)
        : JSON.stringify(options.body);
      (init.headers as Record<string, string>)['Content-Type'] =
        'application/json';
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(
        this.url(path, options.query),
        init,
        this.serverSettings
      );
    } catch (error) {
      // makeRequest wraps aborts in NetworkError; the signal tells them apart.
      if (options.signal?.aborted || isAbortError(error)) {
        throw error;
      }
      const unreachable = new LakeTahoeError(
        0,
        'unavailable',
        'Could not reach the LakeTahoe service: ' +
          (error instanceof Error ? error.message : String(error))
      );
      throw last ? unreachable : new UnreachableError(unreachable);
    }
    if (!response.ok) {
      if (!last && (await isProxyFailure(response))) {
        throw new UnreachableError(await LakeTahoeError.fromResponse(response));
      }
      throw await LakeTahoeError.fromResponse(response);
    }
    return response;
  }

  private _waiting = 0;
  private _reconnectingChanged = new Signal<this, boolean>(this);
}
