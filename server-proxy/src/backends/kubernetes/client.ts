import {
  ApiException,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  createConfiguration,
  KubeConfig,
  ListWatch,
  Log,
  ServerConfiguration,
  Watch,
  type CoreV1Event,
  type KubernetesObject,
  type RequestContext,
  type SecurityAuthentication,
  type V1ConfigMap,
  type V1Job,
  type V1Pod,
  type V1Secret,
  type V1Service
} from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';
import type { Writable } from 'node:stream';
import { ServiceError } from '../../errors.js';
import { DEFAULT_K8S_BURST, DEFAULT_K8S_QPS, TokenBucket } from './rateLimit.js';

/** Where the credentials come from: a kubeconfig file, or the pod's service account when absent. */
export interface KubeCredentials {
  kubeconfig?: string;
}

/** Client-side rate limit of all calls to the API server (`--k8s-qps`, `--k8s-burst`). */
export interface KubeRateLimit {
  qps: number;
  burst: number;
}

/** A status failure from the API server, with what the service needs to explain it. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
    readonly field?: string
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

/**
 * Whether a create was refused because the object exists. Another 409, reason `Conflict`, is the
 * ResourceQuota admission losing an update race under concurrent creates: nothing was created.
 */
export function alreadyExists(e: KubeError): boolean {
  return e.status === 409 && e.reason !== 'Conflict';
}

/** Whether a failed call may succeed when made again: the API server unreachable, overloaded, or a quota update race. */
export function worthRetrying(e: KubeError): boolean {
  return e.status === 0 || e.status >= 500 || (e.status === 409 && e.reason === 'Conflict');
}

/**
 * How long to wait before a retried create. A quota update race is over as soon as the winner's write
 * lands, so its losers try again within a second, spread out so they do not collide again; an
 * unreachable or overloaded API server gets 5 s.
 */
export function retryPauseMs(e: KubeError, random: () => number = Math.random): number {
  return e.status === 409 ? 200 + Math.floor(800 * random()) : 5000;
}

/** Normalises anything the client threw into a {@link KubeError} (status 0 when the server was not reached). */
export function kubeError(err: unknown): KubeError {
  if (err instanceof KubeError) {
    return err;
  }
  if (err instanceof ApiException) {
    let body: StatusBody = {};
    try {
      body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as StatusBody;
    } catch {
      // Not a Status object: keep the HTTP status alone.
    }
    const cause = body?.details?.causes?.[0];
    return new KubeError(err.code, body?.message ?? `HTTP ${err.code}`, body?.reason, cause?.field);
  }
  return new KubeError(0, (err as Error)?.message ?? String(err));
}

/**
 * The caller-facing error for a failed API call in `namespace`: 403 -> permission_denied naming the
 * namespace, 404 -> not_found, 409 -> already_exists, 422 -> invalid_argument with the field; anything
 * else is an internal error whose details stay in the service log.
 */
export function toServiceError(err: unknown, namespace: string): ServiceError {
  const e = kubeError(err);
  switch (e.status) {
    case 403:
      return new ServiceError('permission_denied', `namespace ${namespace}: the service's Kubernetes credentials may not do this: ${e.message}`);
    case 404:
      return new ServiceError('not_found', `namespace ${namespace}: ${e.message}`);
    case 409:
      return new ServiceError('already_exists', `namespace ${namespace}: ${e.message}`);
    case 422:
      return new ServiceError('invalid_argument', `Kubernetes rejected the job: ${e.message}`, e.field);
    default:
      return new ServiceError('internal', 'the Kubernetes API call failed');
  }
}

/** Kinds of objects the backend (jobs, pods, events) and the serving backend (deployments, pods) watch. */
export type Watched = 'jobs' | 'pods' | 'events' | 'deployments';

/**
 * The few Kubernetes calls the backend makes, behind one small surface: create (AlreadyExists counts
 * as done), delete, read logs and list-and-watch with the 410 Gone relist the client library does.
 */
export class KubeClient {
  readonly config: KubeConfig;
  readonly limiter: TokenBucket;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(credentials: KubeCredentials, limit: KubeRateLimit = { qps: DEFAULT_K8S_QPS, burst: DEFAULT_K8S_BURST }) {
    this.config = new KubeConfig();
    if (credentials.kubeconfig) {
      this.config.loadFromFile(credentials.kubeconfig);
    } else {
      this.config.loadFromCluster();
    }
    this.limiter = new TokenBucket(limit.qps, limit.burst);
    const cluster = this.config.getCurrentCluster();
    if (!cluster) {
      throw new Error('the kubeconfig names no current cluster');
    }
    const api = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: new LimitedSharedConnection(this.config, this.limiter) }
    });
    this.apps = new AppsV1Api(api);
    this.batch = new BatchV1Api(api);
    this.core = new CoreV1Api(api);
  }

  /** URL of the API server. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /**
   * Creates a Job; resolves to the stored one, also when it already existed (a retried create), unless
   * `fresh`: then the name cannot be this run's yet, and a 409 is a clash with another object.
   */
  async createJob(job: V1Job, fresh = false): Promise<V1Job> {
    const namespace = job.metadata!.namespace!;
    try {
      return await this.batch.createNamespacedJob({ namespace, body: job });
    } catch (err) {
      if (fresh || !alreadyExists(kubeError(err))) {
        throw kubeError(err);
      }
      return this.batch.readNamespacedJob({ namespace, name: job.metadata!.name! });
    }
  }

  /** Creates a ConfigMap; an existing one counts as created, unless `fresh`. */
  async createConfigMap(configMap: V1ConfigMap, fresh = false): Promise<void> {
    await this.ignoreExisting(() => this.core.createNamespacedConfigMap({ namespace: configMap.metadata!.namespace!, body: configMap }), fresh);
  }

  /** Creates a Secret; an existing one counts as created (a re-created run keeps its first grant), unless `fresh`. */
  async createSecret(secret: V1Secret, fresh = false): Promise<void> {
    await this.ignoreExisting(() => this.core.createNamespacedSecret({ namespace: secret.metadata!.namespace!, body: secret }), fresh);
  }

  /** Creates a Service; an existing one counts as created, unless `fresh`. */
  async createService(service: V1Service, fresh = false): Promise<void> {
    await this.ignoreExisting(() => this.core.createNamespacedService({ namespace: service.metadata!.namespace!, body: service }), fresh);
  }

  /**
   * Asks the API server to admit every object of a run without storing it (server-side dry run):
   * RBAC, validation and admission answer as they would for the real create.
   */
  async dryRunCreate(objects: { configMap?: V1ConfigMap; jobs: V1Job[]; service?: V1Service }): Promise<void> {
    const namespace = objects.jobs[0].metadata!.namespace!;
    const dryRun = 'All';
    try {
      // Independent checks: asked all at once, so a submit waits for one round trip, not one per object.
      await Promise.all([
        ...(objects.configMap ? [this.core.createNamespacedConfigMap({ namespace, body: objects.configMap, dryRun })] : []),
        ...objects.jobs.map(job => this.batch.createNamespacedJob({ namespace, body: job, dryRun })),
        ...(objects.service ? [this.core.createNamespacedService({ namespace, body: objects.service, dryRun })] : [])
      ]);
    } catch (err) {
      throw kubeError(err);
    }
  }

  /** Deletes a Job and, before it goes, its pods (foreground); a Job already gone counts as deleted. */
  async deleteJob(namespace: string, name: string): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Foreground' });
    } catch (err) {
      if (kubeError(err).status !== 404) {
        throw kubeError(err);
      }
    }
  }

  /**
   * The kubelet's resource metrics of `node` (Prometheus text: CPU seconds and working set of each pod
   * and container), read through the API server's node proxy. Rejects when the node does not answer
   * (a simulated node has no kubelet behind it) or the caller may not read nodes/proxy.
   */
  async nodeResourceMetrics(node: string, timeoutMs = 5000): Promise<string> {
    await this.limiter.take('background');
    const opts: https.RequestOptions = {};
    await this.config.applyToHTTPSOptions(opts);
    const url = new URL(`${this.server}/api/v1/nodes/${encodeURIComponent(node)}/proxy/metrics/resource`);
    const get = url.protocol === 'http:' ? http.get : https.get;
    return new Promise((resolve, reject) => {
      const req = get(url, { ...opts, timeout: timeoutMs }, res => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // A node with thousands of containers answers a few MB at most; more is not a kubelet's answer.
          if (size > 16 * 1024 * 1024) {
            req.destroy(new Error('the node metrics answer is larger than 16 MiB'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) {
            resolve(text);
          } else {
            reject(new Error(`node ${node} metrics: HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`node ${node} metrics: no answer in ${timeoutMs} ms`)));
      req.on('error', reject);
    });
  }

  /** Jobs of a namespace matching a label selector. */
  async listJobs(namespace: string, labelSelector: string): Promise<V1Job[]> {
    try {
      return (await this.batch.listNamespacedJob({ namespace, labelSelector })).items;
    } catch (err) {
      throw kubeError(err);
    }
  }

  /**
   * Writes a container's log to `out`; with `follow` it keeps streaming until aborted. Resolves to
   * the controller that aborts it; `done` hears when the stream ended (with an error or without).
   */
  streamLog(
    namespace: string,
    pod: string,
    out: Writable,
    opts: { follow: boolean; container: string },
    done: (err: unknown) => void
  ): Promise<AbortController> {
    // The library pipes the response into `out` and never calls its own done callback: the end of the
    // pipe (finish, or unpipe when the response stops) is the end of the log.
    let ended = false;
    const end = (err?: unknown) => {
      if (!ended) {
        ended = true;
        done(err);
      }
    };
    out.once('finish', () => end());
    out.once('unpipe', () => end());
    // Log (re)connections yield to creates and deletes when the rate limit is reached: a late log line
    // costs nothing, a late Job holds a trial back.
    return this.limiter
      .take('background')
      .then(() => new Log(this.config).log(namespace, pod, opts.container, out, { follow: opts.follow, timestamps: true }))
      .catch(err => {
        end(err);
        throw kubeError(err);
      });
  }

  /**
   * A list-and-watch cache of one kind in one namespace. The library relists on 410 Gone; on other
   * watch errors (the connection dropped) `onError` decides when to start again.
   */
  watch<T extends KubernetesObject>(namespace: string, what: Watched, labelSelector?: string, fieldSelector?: string): ListWatch<T> {
    const paths: Record<Watched, string> = {
      jobs: `/apis/batch/v1/namespaces/${namespace}/jobs`,
      pods: `/api/v1/namespaces/${namespace}/pods`,
      events: `/api/v1/namespaces/${namespace}/events`,
      deployments: `/apis/apps/v1/namespaces/${namespace}/deployments`
    };
    const list = async (): Promise<{ items: T[]; metadata?: { resourceVersion?: string } }> => {
      const params = { namespace, labelSelector, fieldSelector };
      const lists: Record<Watched, () => Promise<unknown>> = {
        jobs: () => this.batch.listNamespacedJob(params),
        pods: () => this.core.listNamespacedPod(params),
        events: () => this.core.listNamespacedEvent(params),
        deployments: () => this.apps.listNamespacedDeployment(params)
      };
      const result = await lists[what]();
      return result as unknown as { items: T[]; metadata?: { resourceVersion?: string } };
    };
    return new ListWatch<T>(paths[what], new LimitedWatch(this.config, this.limiter), list as never, false, labelSelector, fieldSelector);
  }

  /** Runs a create; an existing object counts as created unless `fresh` (the name cannot be the run's yet). */
  private async ignoreExisting(create: () => Promise<unknown>, fresh: boolean): Promise<void> {
    try {
      await create();
    } catch (err) {
      if (fresh || !alreadyExists(kubeError(err))) {
        throw kubeError(err);
      }
    }
  }
}

/**
 * How every call of the generated API clients is sent: after a token from the rate limiter, with the
 * kubeconfig's credentials, over one keep-alive connection pool. The library itself makes a new
 * https.Agent, hence a new TLS handshake, for every call. The pool has no socket limit (node-fetch
 * 2.7.0 reports false "Premature close" errors when requests queue for sockets); the rate limiter
 * bounds the load instead.
 */
class LimitedSharedConnection implements SecurityAuthentication {
  private shared?: https.Agent;

  constructor(
    private readonly config: KubeConfig,
    private readonly limiter: TokenBucket
  ) {}

  getName(): string {
    return 'kubeconfig authentication, shared connections';
  }

  async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await this.limiter.take();
    await this.config.applySecurityAuthentication(context);
    const perCall = context.getAgent();
    // A plain https.Agent carries only the TLS settings, the same for every call; proxy agents stay as made.
    if (perCall?.constructor === https.Agent) {
      const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = (perCall as https.Agent).options;
      this.shared ??= new https.Agent({ ca, cert, key, pfx, passphrase, rejectUnauthorized, servername, keepAlive: true });
      context.setAgent(this.shared);
    }
  }
}

/** A Watch whose (re)connections take a token from the rate limiter like every other call. */
class LimitedWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly limiter: TokenBucket
  ) {
    super(config);
  }

  override async watch(...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    await this.limiter.take();
    return super.watch(...args);
  }
}

export type { CoreV1Event, V1Job, V1Pod };
