import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { signalTree } from '../process/procinfo.js';
import type { DeploymentMonitor } from '../monitoring/recorder.js';
import { withMonitoringDefaults } from '../schemas/serving.js';
import { setState, type DeploymentUpdater } from './deploymentUpdater.js';
import { RestartBackoff } from './backoff.js';
import { ModelServer } from './modelServer.js';
import type { SavedModel } from './savedModel.js';
import { challengerView } from './challengerView.js';
import { cannotStart } from './startFailure.js';

export { cannotStart } from './startFailure.js';

/** A model version ready to be served: its registry entry resolved to a checked folder. */
export interface ServedVersion {
  model: string;
  version: number;
  saved: SavedModel;
}

/** Settings shared by all supervisors. */
export interface SupervisorOptions {
  updater: DeploymentUpdater;
  monitor: DeploymentMonitor;
  log: FastifyBaseLogger;
  mlserver: string;
  /** A server not ready within this time fails the deployment (or the version switch). */
  deployTimeoutMs: number;
  /** How often a ready server's liveness is checked. */
  livenessMs: number;
  /** How long a replaced server may finish requests in flight before it is stopped. */
  drainMs: number;
  /** First restart delay; doubles per crash in a row up to 60 s. */
  restartDelayMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The private folder of the model servers' sockets. */
  socketDir: string;
  /**
   * Replicas share the store: a server's record keeps its secret, so that followers forward inference
   * to it and the next leader adopts it.
   */
  shareServers?: boolean;
}

/** The server now answering requests. */
export interface Serving {
  server: ModelServer;
  model: string;
  version: number;
}

/** Failed liveness checks in a row before a hung server is killed. */
const LIVENESS_FAILURES = 3;

/**
 * Keeps one deployment's model server running: starts it and waits until it is ready, restarts it with
 * exponential backoff when it dies, and switches versions without dropping a request (the new server
 * starts beside the old one, traffic moves once it is ready, the old one drains and stops).
 */
export class Supervisor {
  private active?: Serving;
  private activeTarget?: ServedVersion;
  private ready = false;
  private pending?: ModelServer;
  private closed = false;
  private restartTimer?: NodeJS.Timeout;
  private livenessTimer?: NodeJS.Timeout;
  private readonly backoff: RestartBackoff;
  /** Bumped by every new deploy or switch, so an older one that finishes late changes nothing. */
  private generation = 0;
  /** The generation of the version switch underway, if any (then it equals `generation`). */
  private switchGeneration = -1;

  constructor(
    readonly owner: string,
    readonly name: string,
    /** `<data-dir>/deployments/<owner>/<name>`: one sub-folder per version. */
    private readonly baseDir: string,
    private readonly opts: SupervisorOptions
  ) {
    this.backoff = new RestartBackoff(opts.restartDelayMs ?? 1000);
  }

  /** The ready server answering requests, or undefined while none is (503). */
  get serving(): Serving | undefined {
    return this.ready ? this.active : undefined;
  }

  /**
   * Which version of the deployment this supervisor keeps: the champion writes the deployment's own
   * fields; a challenger writes its entry of `deployment.challengers` (the one of `challengerVersion`)
   * and its servers in `runtime.challengerServers`. Promotion turns a challenger's supervisor into the
   * champion's, with its ready server, without a restart.
   */
  role: 'champion' | 'challenger' = 'champion';
  /** The version a challenger keeps. */
  challengerVersion = 0;
  /** The version this supervisor brings up or serves: the target of the last deploy, adoption or switch. */
  wantedVersion?: number;

  private update(mutate: Parameters<DeploymentUpdater['update']>[2]) {
    if (this.role === 'champion') {
      return this.opts.updater.update(this.owner, this.name, mutate);
    }
    return this.opts.updater.update(this.owner, this.name, r => challengerView(r, this.challengerVersion, mutate));
  }

  /** Starts a server for `target` and records its process so a restarted service can find it. */
  private async launch(target: ServedVersion): Promise<ModelServer> {
    const server = await ModelServer.start(
      {
        mlserver: this.opts.mlserver,
        dir: path.join(this.baseDir, String(target.version)),
        model: target.model,
        version: target.version,
        settings: target.saved.settings,
        artifactDir: target.saved.dir,
        socketDir: this.opts.socketDir
      },
      this.opts.env
    );
    const record = this.opts.shareServers ? server.sharedRuntime : server.runtime;
    await this.update(r => {
      r.runtime.servers = [...r.runtime.servers.filter(s => s.pid !== server.runtime.pid), record];
    });
    return server;
  }

  /** Stops a server and drops its process record. */
  private async retire(server: ModelServer, graceMs = 5000): Promise<void> {
    await server.stop(graceMs);
    await this.update(r => {
      r.runtime.servers = r.runtime.servers.filter(s => s.pid !== server.runtime.pid);
    });
  }

  /** Starts a server and waits until it is ready; undefined (server stopped) with the reason on failure. */
  private async startReady(target: ServedVersion): Promise<{ server?: ModelServer; error?: string }> {
    let server: ModelServer;
    try {
      server = await this.launch(target);
    } catch (err) {
      return { error: cannotStart(this.opts.mlserver, err as Error) };
    }
    this.pending = server;
    try {
      await server.waitReady(this.opts.deployTimeoutMs, () => this.closed);
      return { server };
    } catch (err) {
      await this.retire(server);
      return { error: (err as Error).message };
    } finally {
      if (this.pending === server) {
        this.pending = undefined;
      }
    }
  }

  /** Moves traffic to `server` at once and watches it; returns the server it replaced. */
  private activate(server: ModelServer, target: ServedVersion): Serving | undefined {
    const previous = this.active;
    clearTimeout(this.restartTimer);
    this.active = { server, model: target.model, version: target.version };
    this.activeTarget = target;
    this.ready = true;
    this.backoff.ready();
    this.watch(server);
    return previous;
  }

  /** Moves traffic to a ready server, records the deployment READY on it and re-attaches the monitor. */
  private async goLive(server: ModelServer, target: ServedVersion, reason: string): Promise<Serving | undefined> {
    const old = this.activate(server, target);
    await this.update(r => {
      r.deployment.model = { name: target.model, version: target.version };
      r.deployment.endpoint = endpointOf(this.name, target.model);
      delete r.deployment.nextModel;
      r.deployment.errorMessage = '';
      setState(r, 'READY', reason);
    });
    await this.attachMonitor();
    return old;
  }

  /** Tells the monitor about the serving version with the deployment's current monitoring spec. */
  async attachMonitor(): Promise<void> {
    const target = this.activeTarget;
    if (!this.ready || !target || this.role !== 'champion') {
      return;
    }
    const record = await this.opts.updater.update(this.owner, this.name, () => false);
    if (record) {
      this.opts.monitor.attach({
        owner: this.owner,
        deployment: this.name,
        model: target.model,
        version: target.version,
        artifactDir: target.saved.dir,
        monitoring: withMonitoringDefaults(record.deployment.monitoring)
      });
    }
  }

  /** Brings the deployment up on `target` (a new deployment, or one the service restarted). */
  async deploy(target: ServedVersion, reason = 'model server ready'): Promise<void> {
    const generation = ++this.generation;
    this.wantedVersion = target.version;
    const { server, error } = await this.startReady(target);
    if (this.closed || generation !== this.generation) {
      if (server) {
        await this.retire(server);
      }
      return;
    }
    if (!server) {
      this.wantedVersion = undefined; // Nothing comes up: a request to deploy it again is a new one.
      await this.update(r => {
        r.deployment.errorMessage = error!;
        setState(r, 'FAILED', error!.split('\n')[0]);
      });
      return;
    }
    const old = await this.goLive(server, target, reason);
    if (old && old.server !== server) {
      await this.retire(old.server);
    }
  }

  /**
   * Takes over a server the previous leader started and left running: once it answers ready it serves
   * again (a READY deployment stays READY, nothing restarts); otherwise it is stopped and `target`
   * deployed afresh.
   */
  async adopt(server: ModelServer, target: ServedVersion): Promise<void> {
    const generation = ++this.generation;
    this.wantedVersion = target.version;
    try {
      await server.waitReady(Math.min(this.opts.deployTimeoutMs, 10_000), () => this.closed);
    } catch (err) {
      this.opts.log.warn({ deployment: this.name, pid: server.runtime.pid, reason: (err as Error).message }, 'the model server left running does not answer; starting a new one');
      await this.retire(server, 3000);
      if (!this.closed && generation === this.generation) {
        await this.deploy(target, 'model server restarted after a leader change');
      }
      return;
    }
    if (this.closed || generation !== this.generation) {
      await server.release();
      return;
    }
    const reason = 'model server adopted after a leader change';
    await this.update(r => {
      if (r.deployment.state === 'READY') {
        // Said in the history though the state stays: the server answering is the same, its keeper changed.
        r.deployment.stateHistory.push({ state: 'READY', time: new Date().toISOString(), reason });
      }
    });
    await this.goLive(server, target, reason);
  }

  /**
   * Switches to another version: UPDATING while the new server starts, traffic moves once it is ready,
   * then the old server finishes its requests in flight and stops. Resolves once UPDATING is saved.
   */
  async switchTo(target: ServedVersion): Promise<void> {
    const generation = ++this.generation;
    this.wantedVersion = target.version;
    // A restart of the crashed old version, still waiting out its backoff, would supersede the switch the
    // user asked for afterwards: the switch replaces it.
    clearTimeout(this.restartTimer);
    this.switchGeneration = generation;
    await this.update(r => {
      r.deployment.nextModel = { name: target.model, version: target.version };
      setState(r, 'UPDATING', `starting version ${target.version}`);
    });
    void this.finishSwitch(target, generation).catch(err => this.opts.log.error({ err, deployment: this.name }, 'version switch failed'));
  }

  /**
   * Takes over a version switch the previous leader left underway, both servers still running: the old
   * one serves again once it answers ready, the new one takes the traffic once it does (as in
   * {@link switchTo}); nothing restarts.
   */
  async adoptSwitch(old: ModelServer, oldTarget: ServedVersion, next: ModelServer, target: ServedVersion): Promise<void> {
    // Known at once: a reconcile meanwhile must not see a switch still to be made.
    const generation = ++this.generation;
    this.wantedVersion = target.version;
    this.switchGeneration = generation;
    try {
      await old.waitReady(Math.min(this.opts.deployTimeoutMs, 10_000), () => this.closed);
      this.activate(old, oldTarget);
    } catch {
      await this.retire(old, 3000); // Gone: the switch alone decides (FAILED if the new one fails too).
    }
    if (this.closed || generation !== this.generation) {
      await next.release();
      return;
    }
    await this.update(r => {
      r.deployment.stateHistory.push({ state: r.deployment.state, time: new Date().toISOString(), reason: `the leader changed during the switch to version ${target.version}: both model servers adopted` });
    });
    await this.finishSwitch(target, generation, next);
  }

  /** Waits until a server the previous leader started answers ready; stopped, with the reason, when it does not. */
  private async readyAdopted(server: ModelServer): Promise<{ server?: ModelServer; error?: string }> {
    this.pending = server;
    try {
      await server.waitReady(this.opts.deployTimeoutMs, () => this.closed);
      return { server };
    } catch (err) {
      await this.retire(server, 3000);
      return { error: (err as Error).message };
    } finally {
      if (this.pending === server) {
        this.pending = undefined;
      }
    }
  }

  private async finishSwitch(target: ServedVersion, generation: number, adopted?: ModelServer): Promise<void> {
    const { server, error } = adopted ? await this.readyAdopted(adopted) : await this.startReady(target);
    if (this.closed || generation !== this.generation) {
      if (server) {
        await this.retire(server);
      }
      return;
    }
    this.switchGeneration = -1; // Settled below, with no wait before the old server is replaced or kept.
    const oldCrashed = this.active !== undefined && !this.ready;
    if (!server && oldCrashed && this.activeTarget) {
      // The old version died while the new one was starting and was left to the switch: bring it back.
      await this.update(r => {
        delete r.deployment.nextModel;
        r.deployment.errorMessage = `version ${target.version} did not start: ${error}`;
        setState(r, 'DEPLOYING', `version ${target.version} did not start; restarting version ${this.activeTarget!.version}`);
      });
      void this.deploy(this.activeTarget, 'model server restarted');
      return;
    }
    if (!server) {
      // The old version (if any) keeps serving.
      this.wantedVersion = this.ready ? this.activeTarget?.version : undefined;
      await this.update(r => {
        delete r.deployment.nextModel;
        r.deployment.errorMessage = `version ${target.version} did not start: ${error}`;
        setState(r, this.ready ? 'READY' : 'FAILED', `version ${target.version} did not start`);
      });
      return;
    }
    const old = await this.goLive(server, target, `switched to version ${target.version}`);
    if (old) {
      await old.server.drain(this.opts.drainMs);
      await this.retire(old.server);
    }
  }

  /** Watches a serving server: restart when it exits, kill it when it stops answering liveness checks. */
  private watch(server: ModelServer): void {
    clearInterval(this.livenessTimer);
    let failures = 0;
    let busy = false;
    this.livenessTimer = setInterval(() => {
      if (busy || this.active?.server !== server || server.exited) {
        return;
      }
      busy = true;
      void server
        .probe('/v2/health/live')
        .then(status => {
          failures = status === 200 ? 0 : failures + 1;
          if (failures >= LIVENESS_FAILURES && server.runtime.pid) {
            this.opts.log.warn({ deployment: this.name, pid: server.runtime.pid }, 'model server stopped answering; killing it');
            signalTree(server.runtime.pid, 'SIGKILL');
          }
        })
        .finally(() => {
          busy = false;
        });
    }, this.opts.livenessMs);
    this.livenessTimer.unref();
    void server.waitExit().then(() => this.onExit(server));
  }

  private onExit(server: ModelServer): void {
    if (this.closed || this.active?.server !== server) {
      return; // Stopped on purpose, or already replaced.
    }
    this.ready = false;
    clearInterval(this.livenessTimer);
    const target = this.activeTarget!;
    const delay = this.backoff.next();
    const how = server.exited?.signal ?? `exit code ${server.exited?.code}`;
    // During a version switch the new server takes over (and, should it fail, the switch restarts this one):
    // a restart of the old version now would supersede the switch.
    const switching = this.switchGeneration === this.generation;
    this.opts.log.warn({ deployment: this.name, how, delay, switching }, 'model server exited; restarting');
    void this.retire(server)
      .then(() =>
        this.update(r => {
          r.deployment.restarts += 1;
          if (!switching) {
            setState(r, 'DEPLOYING', `model server exited (${how}); restarting in ${delay / 1000} s`);
          }
        })
      )
      .catch(err => this.opts.log.error({ err, deployment: this.name }, 'recording the restart failed'));
    if (switching) {
      return;
    }
    this.restartTimer = setTimeout(() => {
      if (!this.closed && this.active?.server === server) {
        void this.deploy(target, 'model server restarted');
      }
    }, delay);
  }

  /** Lets the serving server finish its requests in flight, then stops it and drops its process record. */
  async retireAll(drainMs = this.opts.drainMs): Promise<void> {
    const active = this.active?.server;
    this.closed = true;
    this.ready = false;
    clearTimeout(this.restartTimer);
    clearInterval(this.livenessTimer);
    if (this.pending) {
      await this.retire(this.pending, 3000);
    }
    if (active) {
      await active.drain(drainMs);
      await this.retire(active, 3000);
    }
  }

  /**
   * Lets go of the deployment's servers without stopping them (a leader handing over to the next, which
   * adopts them by their records); the record is left alone.
   */
  async release(): Promise<void> {
    await Promise.all(this.standDown().map(s => s.release()));
  }

  /** Stops every server of the deployment (service shutdown or delete); the record is left alone. */
  async close(): Promise<void> {
    await Promise.all(this.standDown().map(s => s.stop(3000)));
  }

  /** Stops watching and restarting; the deployment's servers, for the caller to stop or let go of. */
  private standDown(): ModelServer[] {
    this.closed = true;
    this.ready = false;
    clearTimeout(this.restartTimer);
    clearInterval(this.livenessTimer);
    return [this.pending, this.active?.server].filter((s): s is ModelServer => s !== undefined);
  }
}

/** The inference URL of a deployment, as the API shows it. */
export function endpointOf(deployment: string, model: string): string {
  return `/api/v1/deployments/${deployment}/v2/models/${model}/infer`;
}
