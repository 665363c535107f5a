import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ISignal } from '@lumino/signaling';

import { IKernelList, IServiceInfo } from '../wire';
import { Query, Requester } from './request';
import { API_PREFIX, SERVICE_MOUNT } from './routes';

/**
 * What every part of the API client shares: the server settings, the
 * request core (Jupyter's token and XSRF headers, waiting while the service
 * restarts) and the URL of a route; plus the service-wide routes.
 */
export class ClientCore {
  /** The Jupyter server settings requests are made with. */
  readonly serverSettings: ServerConnection.ISettings;

  /**
   * Create a client.
   * @param serverSettings Jupyter server settings, defaults to the page's
   * @param options `reconnectDelaysMs`: waits between attempts while the
   *   service is unreachable (default RECONNECT_DELAYS_MS)
   */
  constructor(
    serverSettings?: ServerConnection.ISettings,
    options: { reconnectDelaysMs?: readonly number[] } = {}
  ) {
    this.serverSettings = serverSettings ?? ServerConnection.makeSettings();
    this.requester = new Requester(
      this.serverSettings,
      (path, query) => this.url(path, query),
      options.reconnectDelaysMs
    );
  }

  /** Whether requests are waiting for the service to come back (it died or restarts). */
  get reconnecting(): boolean {
    return this.requester.reconnecting;
  }

  /** Emitted when {@link reconnecting} changes. */
  get reconnectingChanged(): ISignal<Requester, boolean> {
    return this.requester.reconnectingChanged;
  }

  /** Absolute URL of an API route, with an optional query string. */
  url(path: string, query?: Query): string {
    const url = URLExt.join(
      this.serverSettings.baseUrl,
      SERVICE_MOUNT,
      API_PREFIX,
      path
    );
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== '') {
        params.append(key, String(value));
      }
    }
    const search = params.toString();
    return search ? `${url}?${search}` : url;
  }

  /** GET /info: version, capacity and the resources behind each tier. */
  getInfo(signal?: AbortSignal): Promise<IServiceInfo> {
    return this.requester.json<IServiceInfo>('GET', 'info', { signal });
  }

  /** GET /kernels: the kernelspecs local notebook jobs can run on. */
  getKernels(signal?: AbortSignal): Promise<IKernelList> {
    return this.requester.json<IKernelList>('GET', 'kernels', { signal });
  }

  /** GET /openapi.json: the OpenAPI document. */
  getOpenApi(signal?: AbortSignal): Promise<Record<string, unknown>> {
    return this.requester.json('GET', 'openapi.json', { signal });
  }

  /** Sends the requests of every feature. */
  protected readonly requester: Requester;
}
