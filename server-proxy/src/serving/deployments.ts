import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import { DuplicateNameError, type DeploymentRecord } from '../store/store.js';
import { deploymentKey, setState } from './deploymentUpdater.js';
import { readSavedModel } from './savedModel.js';
import { withMonitoringDefaults, type CreateDeploymentBody, type Deployment, type ModelVersion, type UpdateDeploymentBody } from '../schemas/serving.js';
import type { TrafficTargets } from './traffic.js';
import { adoptable, killOrphans } from './leftBehind.js';
import { Supervisor, type ServedVersion } from './supervisor.js';
import type { DeploymentRunner } from './servingTarget.js';
import { KubeDeploymentRunner } from './kubernetes/runner.js';
import { Challengers, type VersionKeeper } from './challengers.js';
import { scaleKube } from './scaling.js';
import { StoredTargets } from './storedTargets.js';
import { KeyedQueue } from '../keyedQueue.js';
import { checkCreate, checkUpdate, newDeploymentRecord } from './deploymentChecks.js';
import { storeWantedUpdate } from './followerWrites.js';
import { reconcileDeployment } from './reconcile.js';
import { recoverDeployments } from './recovery.js';
import type { DeploymentHost, DeploymentServiceOptions } from './deploymentHost.js';

export type { DeploymentServiceOptions } from './deploymentHost.js';

/**
 * Deployments behind the routes: create, read, update (version switch, monitoring), delete, each scoped
 * to the caller, with one {@link Supervisor} per deployment keeping its model server running.
 */
export class DeploymentService implements DeploymentHost {
  private readonly supervisors = new Map<string, Supervisor>();
  /** The challengers of deployments that have one, with their traffic policies. */
  /** @internal */
  readonly challengers: Challengers;
  /** Called when a deployment's comparison should start afresh (new challenger, promotion). */
  onComparisonReset?: (owner: string, name: string) => void;
  /** Deployments this replica keeps no supervisor for, served where their records say (replicas only). */
  private readonly stored?: StoredTargets;
  /** Whether this replica runs the deployments (between start and close). */
  private leading = false;
  /**
   * Writes and reconciles of one deployment run one at a time on this replica, so that a change the
   * leader makes itself and the same change heard back (or polled) never start a server twice.
   */
  private readonly writes = new KeyedQueue();
  /** Per deployment, the monitoring and scaling last applied by a reconcile (applied again only when changed). */
  private readonly applied = new Map<string, string>();

  /**
   * The model servers' sockets: a fresh folder only this account can enter (mkdtemp makes it 0700), in
   * the temporary folder because socket paths are limited to about 100 bytes.
   */
  private readonly socketDir: string;

  constructor(readonly opts: DeploymentServiceOptions) {
    this.socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-servers-'));
    this.challengers = new Challengers({
      registry: opts.registry,
      updater: opts.updater,
      log: opts.log,
      kube: opts.kube,
      get: (owner, name) => this.get(owner, name),
      served: version => this.served(version),
      start: (record, target, reason) => this.startChallenger(record, target, reason),
      adopt: (record, target) => this.adoptChallenger(record, target),
      carriesOut: () => !this.follower,
      replaceChampion: (owner, name, challenger) => {
        const old = this.supervisors.get(deploymentKey(owner, name));
        this.supervisors.set(deploymentKey(owner, name), challenger);
        return old;
      },
      resetComparison: (owner, name) => this.onComparisonReset?.(owner, name)
    });
    if (opts.shareServers) {
      const kube = opts.kube;
      this.stored = new StoredTargets({
        store: opts.store,
        kubeEndpoint: kube && ((record, version) => kube.endpointFor(record, version)),
        onServing: record => this.monitorStored(record)
      });
    }
  }

  /** Attaches the monitor to a deployment served through its record, so the requests this replica forwards are counted. */
  private async monitorStored(record: DeploymentRecord): Promise<void> {
    const { owner, name, model, monitoring } = record.deployment;
    if (this.leading && this.runnerInMemory(owner, name)) {
      return; // Its supervisor attaches it.
    }
    try {
      const version = await this.opts.registry.version(owner, model.name, model.version);
      const saved = this.served(version).saved;
      this.opts.monitor.attach({ owner, deployment: name, model: model.name, version: model.version, artifactDir: saved.dir, monitoring: withMonitoringDefaults(monitoring) });
    } catch (err) {
      this.opts.log.warn({ err, deployment: name }, 'cannot monitor a deployment served by another replica');
    }
  }

  /**
   * A follower of a shared store: it checks and stores writes and publishes them; the leader hears them
   * and starts, switches or stops the servers (see {@link reconcile}).
   */
  private get follower(): boolean {
    return Boolean(this.opts.shareServers) && !this.leading;
  }

  /** @internal */
  baseDir(owner: string, name: string): string {
    return path.join(this.opts.dataDir, 'deployments', encodeURIComponent(owner), name);
  }

  /** @internal A new supervisor for the deployment, kept as its champion's. */
  supervise(owner: string, name: string): Supervisor {
    const supervisor = new Supervisor(owner, name, this.baseDir(owner, name), { ...this.opts, socketDir: this.socketDir });
    this.supervisors.set(deploymentKey(owner, name), supervisor);
    return supervisor;
  }

  private runnerInMemory(owner: string, name: string): DeploymentRunner | undefined {
    return this.supervisor(owner, name) ?? this.opts.kube?.runner(owner, name);
  }

  /**
   * What answers the caller's deployment's requests as last known, without reading the store; undefined
   * when there is none (404).
   */
  runner(owner: string, name: string): DeploymentRunner | undefined {
    return this.runnerInMemory(owner, name) ?? this.stored?.cached(owner, name);
  }

  /**
   * What answers the caller's deployment's requests, on either backend: the supervisor or Kubernetes
   * runner this replica keeps, else (replicas) the serving version its record names; undefined when there
   * is none (404).
   */
  async resolve(owner: string, name: string): Promise<DeploymentRunner | undefined> {
    const inMemory = this.runnerInMemory(owner, name);
    if (inMemory?.serving || !this.stored) {
      return inMemory;
    }
    // Not ready here (a new leader still adopting the server): the server its record names may still answer.
    const stored = await this.stored.runner(owner, name);
    return stored?.serving ? stored : (inMemory ?? stored);
  }

  /** The supervisor of the caller's deployment; undefined when there is none (404 to the caller). */
  supervisor(owner: string, name: string): Supervisor | undefined {
    return this.supervisors.get(deploymentKey(owner, name));
  }

  /**
   * What the inference proxy may send a request of the caller's deployment to; undefined when there is
   * no such deployment (404). Read from memory on every request: a weight change applies to the next one.
   * A replica without the deployment's supervisor splits and mirrors as the deployment's record says.
   */
  async traffic(owner: string, name: string): Promise<TrafficTargets | undefined> {
    const ready = this.readyTraffic(owner, name);
    if (ready) {
      return ready;
    }
    const key = deploymentKey(owner, name);
    const inMemory = this.runnerInMemory(owner, name);
    if (!this.stored) {
      return inMemory && { champion: inMemory.serving, challengers: this.challengers.targets(key) };
    }
    // The versions its record names (champion and ready challengers), with the modes and weights it stores.
    const stored = await this.stored.traffic(owner, name);
    if (stored?.champion || !inMemory) {
      return stored;
    }
    return { champion: undefined, challengers: this.challengers.targets(key) };
  }

  /**
   * {@link traffic} without waiting on anything, for the common case: this replica keeps the deployment's
   * runner and its champion is ready. Undefined otherwise (no such deployment, not ready, or served
   * through its stored record), where {@link traffic} decides.
   */
  readyTraffic(owner: string, name: string): TrafficTargets | undefined {
    const key = deploymentKey(owner, name);
    const champion = (this.supervisors.get(key) ?? this.opts.kube?.runner(owner, name))?.serving;
    return champion && { champion, challengers: this.challengers.targets(key) };
  }

  /** @internal A registered version checked again on disk: the folder may have changed since it was registered. */
  served(version: ModelVersion): ServedVersion {
    try {
      const saved = readSavedModel(this.opts.rootDir, version.artifactDir, version.name);
      return { model: version.name, version: version.version, saved };
    } catch (err) {
      // The folder is no field of this request: blame the model reference, with the folder's reason.
      const reason = (err as Error).message;
      const what = `model ${version.name} version ${version.version} (${version.artifactDir})`;
      throw new ServiceError('failed_precondition', `${what} cannot be served any more: ${reason}`, 'model');
    }
  }

  /**
   * Creates a deployment (DEPLOYING) and starts its model server in the background; a follower stores it
   * and the leader starts it.
   */
  create(owner: string, body: CreateDeploymentBody): Promise<Deployment> {
    return this.writes.run(deploymentKey(owner, body.name), () => this.createNow(owner, body));
  }

  private async createNow(owner: string, body: CreateDeploymentBody): Promise<Deployment> {
    const backend = checkCreate(body, { defaultBackend: this.opts.defaultBackend, kubeConfigured: Boolean(this.opts.kube), localServing: this.opts.localServing });
    if (await this.opts.store.getDeployment(owner, body.name)) {
      throw new ServiceError('already_exists', `deployment ${body.name} already exists`, 'name');
    }
    const version = body.model
      ? await this.opts.registry.version(owner, body.model.name, body.model.version)
      : await this.opts.registry.registerFromJob(owner, body.source!.jobId, { trialId: body.source!.trialId });
    const target = this.served(version);
    const record = newDeploymentRecord(owner, body, version, backend === 'kubernetes' ? this.opts.kube!.runtimeFor(owner, body) : undefined);
    try {
      await this.opts.store.createDeployment(record);
    } catch (err) {
      if (err instanceof DuplicateNameError) {
        throw new ServiceError('already_exists', `deployment ${body.name} already exists`, 'name');
      }
      throw err;
    }
    this.opts.updater.announce(record);
    if (this.follower) {
      return record.deployment;
    }
    if (record.runtime.kube) {
      this.opts.kube!.deploy(record, target);
      return record.deployment;
    }
    this.startInBackground(this.supervise(owner, body.name), target);
    return record.deployment;
  }

  /** @internal */
  startInBackground(supervisor: Supervisor, target: ServedVersion, reason?: string): void {
    supervisor.deploy(target, reason).catch(err => this.opts.log.error({ err, deployment: supervisor.name }, 'deploying failed'));
  }

  /** The owner's deployments, oldest first; everyone's when owner is undefined. */
  async list(owner: string | undefined): Promise<Deployment[]> {
    return (await this.opts.store.listDeployments(owner)).map(r => r.deployment);
  }

  /** One deployment, or 404. */
  async get(owner: string, name: string): Promise<Deployment> {
    const record = await this.opts.store.getDeployment(owner, name);
    if (!record) {
      throw new ServiceError('not_found', `deployment ${name} not found`);
    }
    return record.deployment;
  }

  /**
   * Changes the monitoring spec, replicas or challengers and/or switches the model version (UPDATING until
   * the new one is ready); a follower stores the change and the leader carries it out.
   */
  update(owner: string, name: string, body: UpdateDeploymentBody): Promise<Deployment> {
    return this.writes.run(deploymentKey(owner, name), () => this.updateNow(owner, name, body));
  }

  private async updateNow(owner: string, name: string, body: UpdateDeploymentBody): Promise<Deployment> {
    const current = await this.get(owner, name);
    checkUpdate(current, body);
    let target: ServedVersion | undefined;
    if (body.model) {
      const version = await this.opts.registry.version(owner, body.model.name, body.model.version);
      const same = version.name === current.model.name && version.version === current.model.version;
      if (!same || current.state === 'FAILED') {
        target = this.served(version);
      }
    }
    if (this.follower) {
      await storeWantedUpdate(this.opts.updater, owner, name, body, target);
      await this.updateChallengers(owner, name, body);
      return this.get(owner, name);
    }
    let supervisor: VersionKeeper;
    if (current.backend === 'kubernetes') {
      const kube = this.opts.kube?.runner(owner, name);
      if (!kube) {
        throw new ServiceError('failed_precondition', `deployment ${name} runs on Kubernetes, which this service is not configured for`);
      }
      supervisor = kube;
    } else {
      supervisor = this.supervisor(owner, name) ?? this.supervise(owner, name);
    }
    if (body.monitoring) {
      await this.opts.updater.update(owner, name, r => {
        r.deployment.monitoring = withMonitoringDefaults(body.monitoring);
      });
      await supervisor.attachMonitor();
    }
    if (body.replicas !== undefined && supervisor instanceof KubeDeploymentRunner) {
      await scaleKube(this.opts.updater, owner, name, { champion: supervisor, challengers: () => this.challengers.keepers(deploymentKey(owner, name)) }, body.replicas);
    }
    if (body.autoscaling !== undefined && supervisor instanceof KubeDeploymentRunner) {
      await this.opts.updater.update(owner, name, r => {
        if (body.autoscaling) {
          r.deployment.autoscaling = body.autoscaling;
        } else {
          delete r.deployment.autoscaling;
        }
      });
      supervisor.setAutoscaling(body.autoscaling ?? undefined);
    }
    if (target) {
      await supervisor.switchTo(target);
    }
    await this.updateChallengers(owner, name, body);
    return this.get(owner, name);
  }

  private async updateChallengers(owner: string, name: string, body: UpdateDeploymentBody): Promise<void> {
    if (body.challenger === null) {
      await this.challengers.remove(owner, name);
    } else if (body.challenger) {
      await this.challengers.set(owner, name, body.challenger);
    } else if (body.challengers) {
      await this.challengers.setAll(owner, name, body.challengers);
    }
  }

  /**
   * Brings a Kubernetes deployment scaled to zero back to a ready replica; true once one is ready (the
   * inference proxy then routes the request that waited), false when there was nothing to wake.
   */
  wake(owner: string, name: string): Promise<boolean> {
    return this.opts.kube?.runner(owner, name)?.wake() ?? Promise.resolve(false);
  }

  /** A local challenger's server the previous leader left running, taken over once it answers ready. */
  private adoptChallenger(record: DeploymentRecord, target: ServedVersion): VersionKeeper | undefined {
    const server = this.opts.shareServers && !record.runtime.kube ? adoptable(record, target.version) : undefined;
    if (!server) {
      return undefined;
    }
    const { owner, name } = record.deployment;
    const supervisor = new Supervisor(owner, name, this.baseDir(owner, name), { ...this.opts, socketDir: this.socketDir });
    supervisor.role = 'challenger';
    supervisor.challengerVersion = target.version;
    supervisor.adopt(server, target).catch(err => this.opts.log.error({ err, deployment: name }, 'adopting the challenger failed'));
    return supervisor;
  }

  /** Starts a challenger on the deployment's backend: a model server beside the champion's, or a Deployment + Service. */
  private startChallenger(record: DeploymentRecord, target: ServedVersion, reason: string): VersionKeeper {
    if (record.runtime.kube) {
      return this.opts.kube!.deployChallenger(record, target, reason);
    }
    const { owner, name } = record.deployment;
    const supervisor = new Supervisor(owner, name, this.baseDir(owner, name), { ...this.opts, socketDir: this.socketDir });
    supervisor.role = 'challenger';
    supervisor.challengerVersion = target.version;
    this.startInBackground(supervisor, target, reason);
    return supervisor;
  }

  /**
   * Makes a ready challenger (`version`, or the only one) the champion without a restart: its
   * supervisor and server take the champion's place in one step (the next request goes to it), then the
   * old champion finishes its requests in flight and stops. Other challengers stay.
   */
  promote(owner: string, name: string, version?: number): Promise<Deployment> {
    return this.writes.run(deploymentKey(owner, name), () => this.challengers.promote(owner, name, version));
  }

  /**
   * Stops the model server(s), forgets the deployment and its folder; answers the last state (DELETING).
   * A follower stores DELETING and the leader finishes the deletion.
   */
  remove(owner: string, name: string): Promise<Deployment> {
    return this.writes.run(deploymentKey(owner, name), async () => {
      const record = await this.opts.updater.update(owner, name, r => setState(r, 'DELETING', 'deleted by the user'));
      if (!record) {
        throw new ServiceError('not_found', `deployment ${name} not found`);
      }
      if (!this.follower) {
        await this.finishRemove(record);
      }
      return record.deployment;
    });
  }

  /**
   * The leader's side of a change another replica stored: makes the servers this replica keeps what the
   * record asks (start, switch, challengers, delete, monitoring, replicas). Idempotent: a change heard
   * twice, or one this replica made itself, decides nothing the second time.
   */
  reconcile(owner: string, name: string): Promise<void> {
    return this.writes.run(deploymentKey(owner, name), async () => {
      if (this.leading) {
        await reconcileDeployment(this, owner, name, this.applied);
      }
    });
  }

  /** @internal Stops a deployment's servers and forgets it (the last step of a delete). */
  async finishRemove(record: DeploymentRecord): Promise<void> {
    const { owner, name } = record.deployment;
    const supervisor = this.supervisor(owner, name);
    this.supervisors.delete(deploymentKey(owner, name));
    const challengers = this.challengers.forget(deploymentKey(owner, name));
    await Promise.all([supervisor?.close(), ...challengers.map(c => c.close())]);
    if (record.runtime.kube) {
      await this.opts.kube?.remove(record);
    }
    killOrphans(record, this.baseDir(owner, name));
    this.opts.monitor.detach(owner, name);
    this.onComparisonReset?.(owner, name);
    await this.opts.store.deleteDeployment(owner, name);
    fs.rmSync(this.baseDir(owner, name), { recursive: true, force: true });
  }

  /**
   * Recovers after a (re)start or a change of leader: kills model servers a previous service process
   * left behind (where replicas share the store, the serving ones are adopted instead, so the deployment
   * keeps answering), finishes deletions, and starts again every deployment that was serving or on its way to.
   */
  async start(): Promise<void> {
    this.leading = true;
    // Stopped before (this replica lost leadership and won it back): the sockets' folder was removed.
    fs.mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    await recoverDeployments(this);
  }

  /**
   * Stops every model server; deployments stay as they are in the store and come back on the next start.
   * With `keepServers` (replicas handing over) the servers keep running and are released: the next
   * leader adopts them, or this one on its next start if no other replica takes over.
   */
  async close(options: { keepServers?: boolean } = {}): Promise<void> {
    this.leading = false;
    this.applied.clear();
    await this.stored?.close();
    const supervisors = [...this.supervisors.values()];
    this.supervisors.clear();
    const all = [...supervisors, ...this.challengers.clear()];
    const keep = options.keepServers && this.opts.shareServers;
    await Promise.all(all.map(s => (keep && s instanceof Supervisor ? s.release() : s.close())));
    await this.opts.kube?.close();
    fs.rmSync(this.socketDir, { recursive: true, force: true });
  }
}
