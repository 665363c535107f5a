import { ServerConnection } from '@jupyterlab/services';

import { isAbortError, LakeTahoeError } from './errors';

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
    private readonly url: (path: string, query?: Query) => string
  ) {}

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

  /** Send a request; a non-2xx answer or a network failure throws LakeTahoeError. */
  async send(
    method: string,
    path: string,
    options: IRequestOptions
  ): Promise<Response> {
    const init: RequestInit = {
      method,
      // 'no-store' (Jupyter's default) appends a cache-busting query key the
      // service's strict query validation would reject; 'no-cache' still
      // never answers from a stale cache.
      cache: 'no-cache',
      signal: options.signal,
      headers: { ...(options.headers ?? {}) }
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
      throw new LakeTahoeError(
        0,
        'unavailable',
        'Could not reach the LakeTahoe service: ' +
          (error instanceof Error ? error.message : String(error))
      );
    }
    if (!response.ok) {
      throw await LakeTahoeError.fromResponse(response);
    }
    return response;
  }
}
