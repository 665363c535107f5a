import { withMonitoringDefaults, type AutoscalingSpec } from '../../schemas/serving.js';
import type { KubeServingRuntime } from '../../store/store.js';
import { setState, type DeploymentUpdater } from '../deploymentUpdater.js';
import { challengerView } from '../challengerView.js';
import { endpointOf, type ServedVersion } from '../supervisor.js';
import type { ServiceEndpoint } from './endpoint.js';
import { versionObjectName } from './manifests.js';
import { diagnose, pendingReplicas, replicaChange } from './diagnose.js';
import { followAutoscaling, type Autoscaler } from './autoscalers.js';
import { defaultCpuSource } from './cpuUsage.js';
import type { KubeServingOptions } from './options.js';
import { VersionObjects, type Live } from './versionObjects.js';
import { DeploymentChanges } from './servingWatch.js';

export type { KubeServingOptions } from './options.js';

/**
 * One deployment on Kubernetes. Each served version is a Deployment plus a Service; the inference proxy
 * reaches the active one through {@link serving}, the same surface a local supervisor offers. A version
 * switch starts the new version's objects beside the old ones, moves traffic once the new one answers
 * ready through its Service, lets the old one finish its requests and then deletes it.
 */
export class KubeDeploymentRunner {
  private active?: Live;
  private ready = false;
  private closed = false;
  private generation = 0;
  private watchTimer?: NodeJS.Timeout;
  /** Changes of this deployment's objects, heard through the watches. */
  private readonly changes: DeploymentChanges;
  private checking = false;
  private recheck = false;
  /** The objects of the version being brought up or switched to (deleted with the runner's own on retirement). */
  private targetObject?: string;
  /** Set by {@link retireAll}: this runner's objects are to go, not to be adopted later. */
  private retired = false;
  private autoscaler?: Autoscaler;
  /** Scaled to zero by the autoscaler: no replica, on purpose; the next request wakes it ({@link wake}). */
  private scaledToZero = false;
  private waking?: Promise<boolean>;
  /** The last pending-replica reason recorded (see pendingReplicas). */
  private pendingNote?: string;
  private readonly objects: VersionObjects;

  constructor(
    readonly owner: string,
    readonly name: string,
    private readonly runtime: KubeServingRuntime,
    private readonly opts: KubeServingOptions
  ) {
    this.objects = new VersionObjects(owner, name, runtime, opts);
    this.changes = new DeploymentChanges(opts.watches, runtime.namespace, owner, name);
  }

  /** The active version's Service while at least one replica is ready; undefined (503) otherwise. */
  get serving(): { server: ServiceEndpoint; model: string; version: number } | undefined {
    return this.ready && this.active ? { server: this.active.endpoint, model: this.active.target.model, version: this.active.target.version } : undefined;
  }

  /**
   * Which version of the deployment this runner keeps, as a local supervisor's role: a challenger writes
   * its entry of `deployment.challengers`; promotion turns it into the champion's runner with its ready Service.
   */
  role: 'champion' | 'challenger' = 'champion';
  /** The version a challenger keeps. */
  challengerVersion = 0;
  /** The version this runner brings up or serves: the target of the last deploy or switch. */
  wantedVersion?: number;

  /** The version's Deployment and pods: from the watch's caches unless `fresh` or they are not in sync. */
  private async read(live: Live, fresh: boolean): Promise<Awaited<ReturnType<VersionObjects['observe']>>> {
    const cached = fresh ? undefined : this.opts.watches?.observe(this.runtime.namespace, this.owner, this.name, live.objectName, live.target.version);
    return cached ?? (await this.objects.observe(live));
  }

  /** Hears the watch on this deployment's objects (once): waits end early and the serving version is checked. */
  private subscribe(): void {
    if (!this.closed) {
      this.changes.follow(() => {
        if (this.watchTimer) {
          void this.check(false);
        }
      });
    }
  }

  private stopFollowing(): void {
    clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    this.changes.stop();
  }

  private update(mutate: Parameters<DeploymentUpdater['update']>[2]) {
    if (this.role === 'champion') {
      return this.opts.updater.update(this.owner, this.name, mutate);
    }
    return this.opts.updater.update(this.owner, this.name, r => challengerView(r, this.challengerVersion, mutate));
  }

  /**
   * Waits until the version answers ready through its Service; resolves to the reason it never will
   * (a failure, the timeout) or undefined once ready. Pending reasons (the scheduler's) go to the record.
   */
  private async waitReady(live: Live, generation: number, recordPending: boolean): Promise<string | undefined> {
    this.subscribe();
    const deadline = Date.now() + this.opts.deployTimeoutMs;
    let lastPending = '';
    for (;;) {
      if (this.closed || generation !== this.generation) {
        return 'superseded';
      }
      try {
        const { deployment, pods } = await this.read(live, false);
        if ((deployment?.status?.readyReplicas ?? 0) > 0 && (await live.endpoint.probe(`/v2/models/${encodeURIComponent(live.target.model)}/ready`)) === 200) {
          return undefined;
        }
        const { failed, pending } = diagnose(deployment, pods);
        if (failed) {
          return failed;
        }
        if (recordPending && pending && pending !== lastPending) {
          lastPending = pending;
          await this.update(r => {
            r.deployment.errorMessage = pending.startsWith('the scheduler') ? pending : '';
            r.deployment.stateHistory.push({ state: r.deployment.state, time: new Date().toISOString(), reason: pending });
          });
        }
        if (Date.now() > deadline) {
          return `the model server was not ready within ${Math.round(this.opts.deployTimeoutMs / 1000)} s: ${pending}`;
        }
      } catch (err) {
        this.opts.log.warn({ err, deployment: this.name }, 'reading the model server objects failed');
      }
      await this.changes.next(this.opts.pollMs ?? 1000);
    }
  }

  private async goLive(live: Live, reason: string): Promise<Live | undefined> {
    const previous = this.active;
    this.active = live;
    this.ready = !this.scaledToZero;
    const record = await this.update(r => {
      r.deployment.model = { name: live.target.model, version: live.target.version };
      r.deployment.endpoint = endpointOf(this.name, live.target.model);
      delete r.deployment.nextModel;
      r.deployment.errorMessage = '';
      setState(r, 'READY', reason);
    });
    await this.attachMonitor();
    this.setAutoscaling(record?.deployment.autoscaling);
    this.watch();
    return previous && previous.objectName !== live.objectName ? previous : undefined;
  }

  /** Tells the monitor about the serving version. */
  async attachMonitor(): Promise<void> {
    if (!this.active || this.role !== 'champion') {
      return;
    }
    const record = await this.update(() => false);
    if (record) {
      this.opts.monitor.attach({
        owner: this.owner,
        deployment: this.name,
        model: this.active.target.model,
        version: this.active.target.version,
        artifactDir: this.active.target.saved.dir,
        monitoring: withMonitoringDefaults(record.deployment.monitoring)
      });
    }
  }

  /**
   * Brings the deployment up on `target`: a new deployment, or one found after a service restart
   * (its objects are adopted; those of any other version, left by an interrupted switch, are deleted).
   */
  async deploy(target: ServedVersion, reason = 'model server ready'): Promise<void> {
    const generation = ++this.generation;
    this.wantedVersion = target.version;
    this.targetObject = versionObjectName(this.owner, this.name, target.version);
    let live: Live;
    try {
      live = await this.objects.ensure(target);
      if (this.role === 'champion') {
        // Left by an interrupted switch: gone. The challengers' objects stay (each has its own runner).
        const record = await this.opts.updater.update(this.owner, this.name, () => false);
        const challengers = (record?.deployment.challengers ?? []).map(c => versionObjectName(this.owner, this.name, c.model.version));
        await this.objects.deleteOthers([live.objectName, ...challengers]);
      }
    } catch (err) {
      this.wantedVersion = undefined;
      await this.update(r => {
        r.deployment.errorMessage = (err as Error).message;
        setState(r, 'FAILED', 'the model server objects could not be created');
      });
      return;
    }
    if (this.runtime.replicas === 0) {
      // Adopted while scaled to zero: READY without a replica, the next request wakes it.
      this.scaledToZero = true;
      await this.goLive(live, reason);
      return;
    }
    const failed = await this.waitReady(live, generation, true);
    if (failed === 'superseded') {
      if (this.retired) {
        // Retired while its objects were being made: the retirement may have looked before they existed.
        await this.objects.deleteVersion(live.objectName);
      }
      return;
    }
    if (failed) {
      this.wantedVersion = undefined;
      await live.endpoint.close();
      await this.update(r => {
        r.deployment.errorMessage = failed;
        setState(r, 'FAILED', failed.split('\n')[0]);
      });
      return;
    }
    await this.goLive(live, reason);
  }

  /** Switches versions: UPDATING until the new one answers ready, then traffic moves and the old one goes. */
  async switchTo(target: ServedVersion): Promise<void> {
    // The new version gets the replicas of the old one: at least one, so that it can become ready.
    await this.wake();
    const generation = ++this.generation;
    this.wantedVersion = target.version;
    this.targetObject = versionObjectName(this.owner, this.name, target.version);
    await this.update(r => {
      r.deployment.nextModel = { name: target.model, version: target.version };
      setState(r, 'UPDATING', `starting version ${target.version}`);
    });
    void this.finishSwitch(target, generation).catch(err => this.opts.log.error({ err, deployment: this.name }, 'version switch failed'));
  }

  private async finishSwitch(target: ServedVersion, generation: number): Promise<void> {
    let live: Live | undefined;
    let failed: string | undefined;
    try {
      live = await this.objects.ensure(target);
      failed = await this.waitReady(live, generation, false);
    } catch (err) {
      failed = (err as Error).message;
    }
    if (failed === 'superseded') {
      return;
    }
    if (failed || !live) {
      if (live && live.objectName !== this.active?.objectName) {
        await live.endpoint.close();
        await this.objects.deleteVersion(live.objectName);
      }
      this.wantedVersion = this.ready ? this.active?.target.version : undefined;
      await this.update(r => {
        delete r.deployment.nextModel;
        r.deployment.errorMessage = `version ${target.version} did not start: ${failed}`;
        setState(r, this.ready ? 'READY' : 'FAILED', `version ${target.version} did not start`);
      });
      return;
    }
    const old = await this.goLive(live, `switched to version ${target.version}`);
    if (old) {
      await old.endpoint.drain(this.opts.drainMs);
      await old.endpoint.close();
      await this.objects.deleteVersion(old.objectName);
    }
  }

  /**
   * Follows the active version's ready replicas: none ready means 503 and DEPLOYING with the reason.
   * With watches a change of its objects triggers a check against the caches and the API server is read
   * every `resyncMs`; without them it is read every `pollMs`.
   */
  private watch(): void {
    clearTimeout(this.watchTimer);
    if (this.closed) {
      return;
    }
    this.subscribe();
    const every = this.opts.watches ? (this.opts.resyncMs ?? 30_000) : (this.opts.pollMs ?? 1000);
    const resync = async () => {
      await this.check(true);
      if (!this.closed) {
        this.watchTimer = setTimeout(() => void resync(), every);
        this.watchTimer.unref();
      }
    };
    this.watchTimer = setTimeout(() => void resync(), every);
    this.watchTimer.unref();
  }

  /** Applies {@link replicaChange} to the serving version; checks asked for meanwhile run once after it. */
  private async check(fresh: boolean): Promise<void> {
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.recheck = false;
        await this.checkOnce(fresh);
      } while (this.recheck && !this.closed);
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(fresh: boolean): Promise<void> {
    const live = this.active;
    if (this.closed || !live) {
      return;
    }
    try {
      const { deployment, pods } = await this.read(live, fresh);
      // Scaled to zero on purpose maybe while this was read: checked again after the read.
      const change = live === this.active ? replicaChange(this.ready, this.scaledToZero, deployment, pods) : undefined;
      if (change) {
        this.ready = change.ready;
        await this.update(r => {
          if (change.restart) {
            r.deployment.restarts += 1;
          }
          if (r.deployment.state !== 'UPDATING') {
            setState(r, change.state, change.reason);
          }
        });
      }
      // A replica the scheduler cannot place while others serve: said once in the history.
      const pending = live === this.active ? pendingReplicas(deployment, pods) : undefined;
      if (pending !== this.pendingNote) {
        this.pendingNote = pending;
        if (pending) {
          await this.update(r => void r.deployment.stateHistory.push({ state: r.deployment.state, time: new Date().toISOString(), reason: pending }));
        }
      }
    } catch (err) {
      this.opts.log.warn({ err, deployment: this.name }, 'reading the model server status failed');
    }
  }

  /**
   * Follows `spec` (undefined: the replicas stay as they are). Only a serving champion autoscales; a
   * challenger keeps its replicas.
   */
  setAutoscaling(spec: AutoscalingSpec | undefined): void {
    if (!spec || this.role !== 'champion' || this.closed) {
      this.autoscaler?.stop();
      this.autoscaler = undefined;
      return;
    }
    this.autoscaler = followAutoscaling(
      this.autoscaler,
      spec,
      {
        // Nothing to decide at zero or while waking: the waiting request is the decision.
        load: () => (this.active && !this.scaledToZero ? { inflight: this.active.endpoint.inflight, started: this.active.endpoint.started } : undefined),
        version: () => (this.active && this.ready ? { namespace: this.runtime.namespace, objectName: this.active.objectName } : undefined),
        cpuRequest: () => this.runtime.cpu,
        replicas: () => this.runtime.replicas,
        scaleTo: (replicas, reason) => this.scaleTo(replicas, reason)
      },
      () => this.opts.cpuSource ?? defaultCpuSource(this.opts.config),
      err => this.opts.log.warn({ err, deployment: this.name }, 'autoscaling failed')
    );
  }

  /** The autoscaler's decision, applied and recorded; to zero only once the requests in flight are answered. */
  private async scaleTo(replicas: number, reason: string): Promise<void> {
    if (replicas === 0 && this.active) {
      this.scaledToZero = true;
      this.ready = false;
      await this.active.endpoint.drain(this.opts.drainMs);
    }
    await this.scale(replicas);
    await this.update(r => {
      r.deployment.replicas = replicas;
      r.runtime.kube!.replicas = replicas;
      r.deployment.stateHistory.push({ state: r.deployment.state, time: new Date().toISOString(), reason });
    });
  }

  /**
   * Brings a deployment scaled to zero back to one replica and waits (at most the deploy timeout) until
   * it answers ready; true once it does. Concurrent callers share one wake-up.
   */
  wake(): Promise<boolean> {
    if (!this.scaledToZero || !this.active) {
      return Promise.resolve(false);
    }
    this.waking ??= this.wakeUp(this.active).finally(() => {
      this.waking = undefined;
    });
    return this.waking;
  }

  private async wakeUp(live: Live): Promise<boolean> {
    await this.scaleTo(1, 'a request arrived: scaling from zero to 1 replica');
    const deadline = Date.now() + this.opts.deployTimeoutMs;
    while (Date.now() < deadline && !this.closed && live === this.active) {
      try {
        const { deployment } = await this.read(live, false);
        if ((deployment?.status?.readyReplicas ?? 0) > 0 && (await live.endpoint.probe(`/v2/models/${encodeURIComponent(live.target.model)}/ready`)) === 200) {
          this.scaledToZero = false;
          this.ready = true;
          // A fresh window: the replica stays at least a scale-down delay.
          this.autoscaler?.start();
          return true;
        }
      } catch (err) {
        this.opts.log.warn({ err, deployment: this.name }, 'reading the model server status failed');
      }
      await this.changes.next(200);
    }
    return false;
  }

  /** Stops following the deployment; its objects stay (a restarted service adopts them). */
  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    this.autoscaler?.stop();
    this.stopFollowing();
    await this.active?.endpoint.close();
  }

  /** Stops following the deployment and deletes every object it made (every version's), and only those. */
  async remove(): Promise<void> {
    await this.close();
    await this.objects.deleteOthers([]);
  }

  /**
   * Sets the replicas of this runner's version (and of the one it is switching to); versions it starts
   * later get as many. The Deployment's rolling rules apply: a new replica takes traffic once ready.
   */
  async scale(replicas: number): Promise<void> {
    this.runtime.replicas = replicas;
    const names = new Set([this.active?.objectName, this.targetObject].filter((n): n is string => n !== undefined));
    await this.objects.scale([...names], replicas);
  }

  /**
   * Retires this runner's version (a removed challenger, a champion replaced by promotion): no new
   * requests reach it, those in flight finish (at most `drainMs`), then its objects go. The deployment's
   * other version, kept by another runner, is left alone.
   */
  async retireAll(drainMs = this.opts.drainMs): Promise<void> {
    const active = this.active;
    this.generation += 1; // A version still starting stops waiting.
    this.retired = true;
    this.closed = true;
    this.autoscaler?.stop();
    this.ready = false;
    this.stopFollowing();
    if (active) {
      await active.endpoint.drain(drainMs);
      await active.endpoint.close();
    }
    const names = new Set([active?.objectName, this.targetObject].filter((n): n is string => n !== undefined));
    await Promise.all([...names].map(n => this.objects.deleteVersion(n)));
  }
}
