import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Pool, type Dispatcher } from 'undici';
import type { ModelRequestOptions } from '../servingTarget.js';
import { HTTP_PORT_NAME } from './manifests.js';

/**
 * One served version's Service as the inference proxy sees a model server: a connection pool whose
 * request paths land on the Service. Outside the cluster the requests go through the API server's
 * service proxy with the kubeconfig's credentials; inside, straight to the Service's cluster address.
 */
export class ServiceEndpoint {
  /** Requests forwarded and not yet answered (drained before the version is removed). */
  inflight = 0;
  /** Requests sent so far (the autoscaler counts arrivals between its samples). */
  started = 0;
  /** Never set: the pods' exits are the Deployment's business, not this connection's. */
  readonly exited = undefined;
  private readonly pool: { request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData<unknown>> };
  private readonly base: Pool;

  private constructor(base: Pool, prefix: string, headers: Record<string, string>) {
    this.base = base;
    const request = async (options: Dispatcher.RequestOptions) => {
      const res = await base.request({ ...options, path: prefix + options.path, headers: { ...(options.headers as Record<string, string>), ...headers } });
      if (res.statusCode !== 502 && res.statusCode !== 503) {
        return res;
      }
      // The API server's proxy answers for itself when no pod is there to answer (no endpoints yet, a
      // pod that just went): that is no answer from the model server, so it counts as a connection
      // failure (503 to the caller), never as the model's error.
      const text = Buffer.from(await res.body.arrayBuffer());
      let status: { kind?: string; message?: string } | undefined;
      try {
        status = JSON.parse(text.toString('utf8'));
      } catch {
        // Not the API server's: the model server's own answer.
      }
      if (status?.kind === 'Status') {
        throw Object.assign(new Error(`no model server pod answered: ${status.message ?? res.statusCode}`), { code: 'LT_NO_ENDPOINT' });
      }
      // The body was read to look at it: hand on the bytes with the part of the body API callers use.
      const replay = { arrayBuffer: async () => text, dump: async () => undefined, text: async () => text.toString('utf8') };
      return { ...res, body: replay } as unknown as Dispatcher.ResponseData<unknown>;
    };
    this.pool = { request };
  }

  /** An endpoint for `service` in `namespace` on `port`. */
  static async create(config: KubeConfig, namespace: string, service: string, port: number, inCluster: boolean): Promise<ServiceEndpoint> {
    if (inCluster) {
      const pool = new Pool(`http://${service}.${namespace}.svc:${port}`, { connections: 64, keepAliveTimeout: 30_000 });
      return new ServiceEndpoint(pool, '', {});
    }
    const opts: https.RequestOptions = {};
    await config.applyToHTTPSOptions(opts);
    const server = config.getCurrentCluster()!.server;
    const pool = new Pool(server, {
      connections: 64,
      keepAliveTimeout: 30_000,
      connect: { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized }
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((opts.headers ?? {}) as Record<string, unknown>)) {
      if (typeof v === 'string') {
        headers[k.toLowerCase()] = v;
      }
    }
    return new ServiceEndpoint(pool, `/api/v1/namespaces/${namespace}/services/${service}:${HTTP_PORT_NAME}/proxy`, headers);
  }

  /** Sends one request to the Service (a path of the model server's own). */
  request(options: ModelRequestOptions): Promise<Dispatcher.ResponseData<unknown>> {
    this.started += 1;
    return this.pool.request(options as Dispatcher.RequestOptions);
  }

  /** GET a path; the status, or 0 when nothing answered. */
  async probe(urlPath: string, timeoutMs = 2000): Promise<number> {
    try {
      const res = await this.pool.request({ method: 'GET', path: urlPath, headersTimeout: timeoutMs, bodyTimeout: timeoutMs } as Dispatcher.RequestOptions);
      await res.body.dump();
      return res.statusCode;
    } catch {
      return 0;
    }
  }

  /** Waits (at most `timeoutMs`) for requests in flight to be answered. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight > 0 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    await this.base.destroy().catch(() => undefined);
  }
}
