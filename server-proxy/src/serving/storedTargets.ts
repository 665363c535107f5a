/**
 * Where a replica that keeps no supervisor for a deployment (a follower, or any replica between a
 * leader's death and the takeover) sends its inference: the serving version read from the store. A
 * local deployment's record names its model server's socket, pid and secret; a Kubernetes deployment's
 * names the namespace its version's Service lives in. Records are read again at most every `ttlMs`.
 */
import type { DeploymentRecord, Store } from '../store/store.js';
import { deploymentKey } from './deploymentUpdater.js';
import { ModelServer } from './modelServer.js';
import type { DeploymentRunner, ServingEndpoint, ServingTarget } from './servingTarget.js';

/** States in which the deployment's `model` has a ready server (UPDATING: the old one serves until the switch). */
const SERVING_STATES = new Set(['READY', 'UPDATING']);

/** A connection to one served version, kept while the record names it. */
interface Connection {
  /** What names the server: a local process's pid and start time, or the Service of a version. */
  id: string;
  endpoint: ServingEndpoint & { release?(): Promise<void>; close?(): Promise<void> };
}

/** One deployment as last read. */
interface Entry {
  readAt: number;
  runner: DeploymentRunner;
  connection?: Connection;
}

/** What the stored targets need. */
export interface StoredTargetOptions {
  store: Store;
  /** How long a record read is trusted (ms). */
  ttlMs?: number;
  /** The Service endpoint of a Kubernetes deployment's version; undefined when this service has no Kubernetes backend. */
  kubeEndpoint?: (record: DeploymentRecord, version: number) => Promise<ServingEndpoint & { close(): Promise<void> }>;
  /** Told when a deployment's served version is first seen (to attach the monitor). */
  onServing?: (record: DeploymentRecord) => void;
}

/** The serving targets of deployments, as the store says. */
export class StoredTargets {
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Promise<Entry | undefined>>();

  constructor(private readonly opts: StoredTargetOptions) {}

  /** The deployment's runner as last read, without reading the store. */
  cached(owner: string, name: string): DeploymentRunner | undefined {
    return this.entries.get(deploymentKey(owner, name))?.runner;
  }

  /** The deployment's runner; undefined when the store has no such deployment (404). */
  async runner(owner: string, name: string): Promise<DeploymentRunner | undefined> {
    const key = deploymentKey(owner, name);
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.readAt < (this.opts.ttlMs ?? 1000)) {
      return entry.runner;
    }
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.read(key, owner, name).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    return (await pending)?.runner;
  }

  private async read(key: string, owner: string, name: string): Promise<Entry | undefined> {
    const record = await this.opts.store.getDeployment(owner, name);
    const previous = this.entries.get(key);
    if (!record) {
      this.entries.delete(key);
      void drop(previous?.connection);
      return undefined;
    }
    const d = record.deployment;
    const id = SERVING_STATES.has(d.state) ? targetId(record) : undefined;
    let connection = previous?.connection;
    if (connection?.id !== id || connection?.endpoint.exited) {
      void drop(connection);
      connection = id ? await this.connect(record, id) : undefined;
      if (connection) {
        this.opts.onServing?.(record);
      }
    }
    const serving: ServingTarget | undefined = connection && { server: connection.endpoint, model: d.model.name, version: d.model.version };
    const entry: Entry = { readAt: Date.now(), runner: { serving }, connection };
    this.entries.set(key, entry);
    return entry;
  }

  private async connect(record: DeploymentRecord, id: string): Promise<Connection | undefined> {
    const { model } = record.deployment;
    if (record.runtime.kube) {
      const endpoint = await this.opts.kubeEndpoint?.(record, model.version);
      return endpoint && { id, endpoint };
    }
    const runtime = activeServer(record);
    const server = runtime && ModelServer.attach(runtime, model.name);
    return server && { id, endpoint: server };
  }

  /** Lets go of every connection (the servers keep running). */
  async close(): Promise<void> {
    const connections = [...this.entries.values()].map(e => e.connection);
    this.entries.clear();
    await Promise.all(connections.map(drop));
  }
}

/** The record of the local server serving the deployment's model version (the newest if there are several). */
function activeServer(record: DeploymentRecord) {
  return record.runtime.servers.filter(s => s.version === record.deployment.model.version && s.secret).at(-1);
}

/** What names the deployment's serving version: the Service of a Kubernetes version, or the local process. */
function targetId(record: DeploymentRecord): string | undefined {
  const { model } = record.deployment;
  if (record.runtime.kube) {
    return `kube:${record.runtime.kube.namespace}:${model.version}`;
  }
  const server = activeServer(record);
  return server && `local:${server.pid}:${server.pidStartTime}:${server.socket}`;
}

async function drop(connection: Connection | undefined): Promise<void> {
  const endpoint = connection?.endpoint;
  // Requests in flight finish first: a pool's close waits for them.
  await (endpoint?.release?.() ?? endpoint?.close?.())?.catch(() => undefined);
}
