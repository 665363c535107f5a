/**
 * Where a replica that keeps no supervisor for a deployment (a follower, or any replica between a
 * leader's death and the takeover) sends its inference: the serving version read from the store. A
 * local deployment's record names its model server's socket, pid and secret; a Kubernetes deployment's
 * names the namespace its version's Service lives in. Ready challengers are reached the same way, with
 * the mode and weight the record stores, so canary splits and shadow copies behave as on the leader.
 * Records are read again at most every `ttlMs`.
 */
import type { DeploymentRecord, Store } from '../store/store.js';
import { deploymentKey } from './deploymentUpdater.js';
import { ModelServer } from './modelServer.js';
import type { DeploymentRunner, ServingEndpoint, ServingTarget } from './servingTarget.js';
import type { ChallengerTarget, TrafficTargets } from './traffic.js';

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
  /** The ready challengers' connections, by version. */
  challengerConnections: Map<number, Connection>;
  challengers: ChallengerTarget[];
}

/** What the stored targets need. */
export interface StoredTargetOptions {
  store: Store;
  /** How long a record read is trusted (ms). */
  ttlMs?: number;
  /** The Service endpoint of a Kubernetes deployment's version; undefined when this service has no Kubernetes backend. */
  kubeEndpoint?: (record: DeploymentRecord, version: number) => Promise<ServingEndpoint & { close(): Promise<void> }>;
  /**
   * Told when a deployment's served version is first seen (to attach the monitor); the target is handed
   * out once it has finished, so the first requests through it are counted too.
   */
  onServing?: (record: DeploymentRecord) => Promise<void> | void;
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
    return (await this.entry(owner, name))?.runner;
  }

  /** The deployment's champion and ready challengers with their policies; undefined when there is no such deployment (404). */
  async traffic(owner: string, name: string): Promise<TrafficTargets | undefined> {
    const entry = await this.entry(owner, name);
    return entry && { champion: entry.runner.serving, challengers: entry.challengers };
  }

  private async entry(owner: string, name: string): Promise<Entry | undefined> {
    const key = deploymentKey(owner, name);
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.readAt < (this.opts.ttlMs ?? 1000)) {
      return entry;
    }
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.read(key, owner, name).finally(() => this.reading.delete(key));
      this.reading.set(key, pending);
    }
    return pending;
  }

  private async read(key: string, owner: string, name: string): Promise<Entry | undefined> {
    const record = await this.opts.store.getDeployment(owner, name);
    const previous = this.entries.get(key);
    if (!record) {
      this.entries.delete(key);
      void drop(previous?.connection);
      previous?.challengerConnections.forEach(c => void drop(c));
      return undefined;
    }
    const d = record.deployment;
    const id = SERVING_STATES.has(d.state) ? targetId(record) : undefined;
    let connection = previous?.connection;
    if (connection?.id !== id || connection?.endpoint.exited) {
      void drop(connection);
      connection = id ? await this.connect(record, id) : undefined;
      if (connection) {
        await this.opts.onServing?.(record);
      }
    }
    const serving: ServingTarget | undefined = connection && { server: connection.endpoint, model: d.model.name, version: d.model.version };
    const challengerConnections = new Map<number, Connection>();
    const challengers: ChallengerTarget[] = [];
    for (const c of d.challengers ?? []) {
      const version = c.model.version;
      const cid = c.state === 'READY' ? targetId(record, version) : undefined;
      let cc = previous?.challengerConnections.get(version);
      if (cc && (cc.id !== cid || cc.endpoint.exited)) {
        void drop(cc);
        cc = undefined;
      }
      cc ??= cid ? await this.connect(record, cid, version) : undefined;
      if (cc) {
        challengerConnections.set(version, cc);
        challengers.push({ serving: { server: cc.endpoint, model: c.model.name, version }, policy: { mode: c.mode, weight: c.weight } });
      }
    }
    for (const [version, cc] of previous?.challengerConnections ?? []) {
      if (challengerConnections.get(version) !== cc) {
        void drop(cc);
      }
    }
    const entry: Entry = { readAt: Date.now(), runner: { serving }, connection, challengerConnections, challengers };
    this.entries.set(key, entry);
    return entry;
  }

  /** Connects to the champion's serving version, or to challenger `challengerVersion`'s. */
  private async connect(record: DeploymentRecord, id: string, challengerVersion?: number): Promise<Connection | undefined> {
    const { model } = record.deployment;
    if (record.runtime.kube) {
      const endpoint = await this.opts.kubeEndpoint?.(record, challengerVersion ?? model.version);
      return endpoint && { id, endpoint };
    }
    const runtime = activeServer(record, challengerVersion);
    const server = runtime && ModelServer.attach(runtime, model.name);
    return server && { id, endpoint: server };
  }

  /** Lets go of every connection (the servers keep running). */
  async close(): Promise<void> {
    const connections = [...this.entries.values()].flatMap(e => [e.connection, ...e.challengerConnections.values()]);
    this.entries.clear();
    await Promise.all(connections.map(drop));
  }
}

/**
 * The record of the local server serving the deployment's model version (the newest if there are
 * several), or challenger `challengerVersion`'s.
 */
function activeServer(record: DeploymentRecord, challengerVersion?: number) {
  const [servers, version] =
    challengerVersion === undefined ? [record.runtime.servers, record.deployment.model.version] : [record.runtime.challengerServers ?? [], challengerVersion];
  return servers.filter(s => s.version === version && s.secret).at(-1);
}

/** What names a served version (the champion's, or challenger `challengerVersion`): the Service of a Kubernetes version, or the local process. */
function targetId(record: DeploymentRecord, challengerVersion?: number): string | undefined {
  const version = challengerVersion ?? record.deployment.model.version;
  if (record.runtime.kube) {
    return `kube:${record.runtime.kube.namespace}:${version}`;
  }
  const server = activeServer(record, challengerVersion);
  return server && `local:${server.pid}:${server.pidStartTime}:${server.socket}`;
}

async function drop(connection: Connection | undefined): Promise<void> {
  const endpoint = connection?.endpoint;
  // Requests in flight finish first: a pool's close waits for them.
  await (endpoint?.release?.() ?? endpoint?.close?.())?.catch(() => undefined);
}
