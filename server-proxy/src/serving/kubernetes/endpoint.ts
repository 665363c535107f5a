import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Pool } from 'undici';
import type { ModelRequestOptions } from '../servingTarget.js';
import { sendForWholeAnswer, type WholeAnswer } from '../wholeAnswer.js';
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

  private constructor(
    private readonly base: Pool,
    /** Put before the model server's paths: the API server's service proxy, or nothing inside the cluster. */
    private readonly prefix: string,
    /** The API server's credentials, added to every request's own headers (none inside the cluster). */
    private readonly headers: Record<string, string>
  ) {}

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

  /** Sends one request to the Service (a path of the model server's own); resolves with the whole answer. */
  send(options: ModelRequestOptions): Promise<WholeAnswer> {
    this.started += 1;
    return this.exchange(options);
  }

  /** GET a path; the status, or 0 when nothing answered. */
  async probe(urlPath: string, timeoutMs = 2000): Promise<number> {
    try {
      return (await this.exchange({ method: 'GET', path: urlPath, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })).status;
    } catch {
      return 0;
    }
  }

  /**
   * One request through the proxy prefix. The API server's proxy answers 502/503 for itself when no pod
   * is there to answer (no endpoints yet, a pod that just went): that is no answer from the model server,
   * so it counts as a connection failure (503 to the caller), never as the model's error.
   */
  private async exchange(options: ModelRequestOptions): Promise<WholeAnswer> {
    const headers = this.prefix ? { ...options.headers, ...this.headers } : options.headers;
    const answer = await sendForWholeAnswer(this.base, { ...options, path: this.prefix + options.path, headers });
    if (answer.status !== 502 && answer.status !== 503) {
      return answer;
    }
    let status: { kind?: string; message?: string } | undefined;
    try {
      status = JSON.parse(answer.body.toString('utf8'));
    } catch {
      // Not the API server's: the model server's own answer.
    }
    if (status?.kind === 'Status') {
      throw Object.assign(new Error(`no model server pod answered: ${status.message ?? answer.status}`), { code: 'LT_NO_ENDPOINT' });
    }
    return answer;
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
