import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import { isProcessAlive, signalTree } from '../process/procinfo.js';
import type { DeploymentMonitor } from '../monitoring/recorder.js';
import { DuplicateNameError, type DeploymentRecord, type Store } from '../store/store.js';
import { deploymentKey, setState, type DeploymentUpdater } from './deploymentUpdater.js';
import type { ModelRegistry } from './registry.js';
import { readSavedModel } from './savedModel.js';
import {
  withMonitoringDefaults,
  type CreateDeploymentBody,
  type Deployment,
  type ModelVersion,
  type ChallengerSpec,
  type AutoscalingSpec,
  type UpdateDeploymentBody
} from '../schemas/serving.js';
import type { TrafficTargets } from './traffic.js';
import { serversStartedIn } from './modelServer.js';
import { MAX_CHALLENGERS } from '../schemas/serving.js';
import { endpointOf, Supervisor, type ServedVersion, type SupervisorOptions } from './supervisor.js';
import type { DeploymentRunner } from './servingTarget.js';
import { KubeServing } from './kubernetes/service.js';
import { KubeDeploymentRunner } from './kubernetes/runner.js';

/** What keeps one version of a deployment serving: a local supervisor or a Kubernetes runner. */
type VersionKeeper = Supervisor | KubeDeploymentRunner;

/** What the deployment service needs. */
export interface DeploymentServiceOptions extends Omit<SupervisorOptions, 'updater' | 'socketDir'> {
  store: Store;
  updater: DeploymentUpdater;
  registry: ModelRegistry;
  log: FastifyBaseLogger;
  rootDir: string;
  /** Model server folders go to `<dataDir>/deployments/<owner>/<name>/<version>/`. */
  dataDir: string;
  monitor: DeploymentMonitor;
  /** Where deployments without a `backend` run. */
  defaultBackend?: 'local' | 'kubernetes';
  /** Set when the Kubernetes backend is configured. */
  kube?: KubeServing;
  /**
   * False on a multi-user service without `--trust-jobs`: a model server loads the model's pickled code
   * as the service's OS user, so deployments are refused.
   */
  localServing?: boolean;
}

/**
 * Deployments behind the routes: create, read, update (version switch, monitoring), delete, each scoped
 * to the caller, with one {@link Supervisor} per deployment keeping its model server running.
 */
export class DeploymentService {
  private readonly supervisors = new Map<string, Supervisor>();
  /** The challenger's supervisor (or Kubernetes runner) of deployments that have one. */
  private readonly challengers = new Map<string, VersionKeeper>();
  /** Called when a deployment's comparison should start afresh (new challenger, promotion). */
  onComparisonReset?: (owner: string, name: string) => void;

  /**
   * The model servers' sockets: a fresh folder only this account can enter (mkdtemp makes it 0700), in
   * the temporary folder because socket paths are limited to about 100 bytes.
   */
  private readonly socketDir: string;

  constructor(private readonly opts: DeploymentServiceOptions) {
    this.socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-servers-'));
  }

  private baseDir(owner: string, name: string): string {
    return path.join(this.opts.dataDir, 'deployments', encodeURIComponent(owner), name);
  }

  private supervise(owner: string, name: string): Supervisor {
    const supervisor = new Supervisor(owner, name, this.baseDir(owner, name), { ...this.opts, socketDir: this.socketDir });
    this.supervisors.set(deploymentKey(owner, name), supervisor);
    return supervisor;
  }

  /** What answers the caller's deployment's requests, on either backend; undefined when there is none (404). */
  runner(owner: string, name: string): DeploymentRunner | undefined {
    return this.supervisor(owner, name) ?? this.opts.kube?.runner(owner, name);
  }

  /** The supervisor of the caller's deployment; undefined when there is none (404 to the caller). */
  supervisor(owner: string, name: string): Supervisor | undefined {
    return this.supervisors.get(deploymentKey(owner, name));
  }

  /**
   * What the inference proxy may send a request of the caller's deployment to; undefined when there is
   * no such deployment (404). Read from memory on every request: a weight change applies to the next one.
   */
  traffic(owner: string, name: string): TrafficTargets | undefined {
    const key = deploymentKey(owner, name);
    const champion = this.runner(owner, name);
    if (!champion) {
      return undefined;
    }
    const policy = this.policies.get(key);
    const challenger = policy ? this.challengers.get(key)?.serving : undefined;
    return { champion: champion.serving, challenger, policy };
  }

  /** The traffic policy of deployments with a challenger, mirrored from their records. */
  private readonly policies = new Map<string, { mode: 'canary' | 'shadow'; weight: number }>();

  /** A registered version checked again on disk: the folder may have changed since it was registered. */
  private served(version: ModelVersion): ServedVersion {
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

  /** Creates a deployment (DEPLOYING) and starts its model server in the background. */
  async create(owner: string, body: CreateDeploymentBody): Promise<Deployment> {
    const backend = body.backend ?? this.opts.defaultBackend ?? 'local';
    if (backend === 'kubernetes' && !this.opts.kube) {
      throw new ServiceError('invalid_argument', 'the Kubernetes serving backend is not configured on this service (--k8s-kubeconfig, --k8s-serving-image and an S3 artifact store)', 'backend');
    }
    if (backend === 'local' && (body.replicas ?? 1) !== 1) {
      throw new ServiceError('invalid_argument', 'the local backend runs exactly one model server', 'replicas');
    }
    if (backend === 'local' && (body.resources || body.priority || body.autoscaling)) {
      const field = body.resources ? 'resources' : body.priority ? 'priority' : 'autoscaling';
      throw new ServiceError('invalid_argument', 'resources, priority and autoscaling apply to the Kubernetes backend only', field);
    }
    checkAutoscaling(body.autoscaling, body.replicas);
    // Pods run the model's code in the owner's namespace, not as the service's OS user.
    if (backend === 'local' && this.opts.localServing === false) {
      throw new ServiceError(
        'failed_precondition',
        "model servers run the model's code as the service's OS user: a service that several users reach serves models only when started with --trust-jobs"
      );
    }
    if ((body.model === undefined) === (body.source === undefined)) {
      throw new ServiceError('invalid_argument', 'give exactly one of model and source', body.model ? 'source' : 'model');
    }
    if (await this.opts.store.getDeployment(owner, body.name)) {
      throw new ServiceError('already_exists', `deployment ${body.name} already exists`, 'name');
    }
    const version = body.model
      ? await this.opts.registry.version(owner, body.model.name, body.model.version)
      : await this.opts.registry.registerFromJob(owner, body.source!.jobId, { trialId: body.source!.trialId });
    const target = this.served(version);
    const now = new Date().toISOString();
    const record: DeploymentRecord = {
      deployment: {
        name: body.name,
        owner,
        state: 'DEPLOYING',
        model: { name: version.name, version: version.version },
        replicas: body.replicas ?? Math.max(1, body.autoscaling?.minReplicas ?? 1),
        ...(backend === 'kubernetes' ? { backend } : {}),
        ...(body.autoscaling ? { autoscaling: body.autoscaling } : {}),
        endpoint: endpointOf(body.name, version.name),
        errorMessage: '',
        restarts: 0,
        createTime: now,
        updateTime: now,
        monitoring: withMonitoringDefaults(body.monitoring),
        stateHistory: [{ state: 'DEPLOYING', time: now, reason: `deploying ${version.name} version ${version.version}` }]
      },
      runtime: {
        servers: [],
        ...(backend === 'kubernetes' ? { kube: { ...this.opts.kube!.runtimeFor(owner, body), replicas: body.replicas ?? Math.max(1, body.autoscaling?.minReplicas ?? 1) } } : {})
      }
    };
    try {
      await this.opts.store.createDeployment(record);
    } catch (err) {
      if (err instanceof DuplicateNameError) {
        throw new ServiceError('already_exists', `deployment ${body.name} already exists`, 'name');
      }
      throw err;
    }
    this.opts.updater.announce(record);
    if (record.runtime.kube) {
      this.opts.kube!.deploy(record, target);
      return record.deployment;
    }
    this.startInBackground(this.supervise(owner, body.name), target);
    return record.deployment;
  }

  private startInBackground(supervisor: Supervisor, target: ServedVersion, reason?: string): void {
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

  /** Changes the monitoring spec and/or switches the model version (UPDATING until the new one is ready). */
  async update(owner: string, name: string, body: UpdateDeploymentBody): Promise<Deployment> {
    const current = await this.get(owner, name);
    if (current.state === 'DELETING') {
      throw new ServiceError('failed_precondition', `deployment ${name} is being deleted`);
    }
    if (body.replicas !== undefined && body.replicas !== 1 && current.backend !== 'kubernetes') {
      throw new ServiceError('invalid_argument', 'the local backend runs exactly one model server', 'replicas');
    }
    if (body.autoscaling && current.backend !== 'kubernetes') {
      throw new ServiceError('invalid_argument', 'autoscaling applies to the Kubernetes backend only', 'autoscaling');
    }
    const autoscaling = body.autoscaling === undefined ? current.autoscaling : (body.autoscaling ?? undefined);
    if (body.replicas !== undefined && autoscaling) {
      throw new ServiceError('invalid_argument', `autoscaling decides the replicas of deployment ${name}: set autoscaling to null first`, 'replicas');
    }
    checkAutoscaling(body.autoscaling ?? undefined);
    let target: ServedVersion | undefined;
    if (body.model && current.challenger) {
      throw new ServiceError('failed_precondition', `deployment ${name} has a challenger: promote or remove it before switching versions`, 'model');
    }
    if (body.model) {
      const version = await this.opts.registry.version(owner, body.model.name, body.model.version);
      const same = version.name === current.model.name && version.version === current.model.version;
      if (!same || current.state === 'FAILED') {
        target = this.served(version);
      }
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
      await this.scaleKube(owner, name, supervisor, body.replicas);
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
    if (body.challenger === null) {
      await this.removeChallenger(owner, name);
    } else if (body.challenger) {
      await this.setChallenger(owner, name, body.challenger);
    }
    return this.get(owner, name);
  }

  /**
   * Brings a Kubernetes deployment scaled to zero back to a ready replica; true once one is ready (the
   * inference proxy then routes the request that waited), false when there was nothing to wake.
   */
  wake(owner: string, name: string): Promise<boolean> {
    return this.opts.kube?.runner(owner, name)?.wake() ?? Promise.resolve(false);
  }

  /** Sets the replicas of a Kubernetes deployment's versions, champion and challenger alike. */
  private async scaleKube(owner: string, name: string, champion: KubeDeploymentRunner, replicas: number): Promise<void> {
    await this.opts.updater.update(owner, name, r => {
      if (r.deployment.replicas === replicas) {
        return false;
      }
      r.deployment.stateHistory.push({ state: r.deployment.state, time: new Date().toISOString(), reason: `scaled from ${r.deployment.replicas} to ${replicas} replicas` });
      r.deployment.replicas = replicas;
      r.runtime.kube!.replicas = replicas;
    });
    const challenger = this.challengers.get(deploymentKey(owner, name));
    await Promise.all([champion.scale(replicas), challenger instanceof KubeDeploymentRunner ? challenger.scale(replicas) : undefined]);
  }

  /**
   * Adds a challenger (its server starts; it gets traffic once ready), or changes the mode or weight of
   * the one there (in memory at once, no restart, so no request fails). One challenger at a time
   * ({@link MAX_CHALLENGERS}); it must be another version of the champion's model.
   */
  private async setChallenger(owner: string, name: string, spec: ChallengerSpec): Promise<void> {
    const key = deploymentKey(owner, name);
    const current = await this.get(owner, name);
    const existing = current.challenger;
    const mode = spec.mode ?? existing?.mode ?? 'canary';
    if (mode === 'shadow' && spec.weight !== undefined && spec.weight !== 0) {
      throw new ServiceError('invalid_argument', 'a shadow challenger gets a copy of every request: weight must be 0 or left out', 'challenger.weight');
    }
    const weight = mode === 'shadow' ? 0 : (spec.weight ?? (existing?.mode === 'canary' ? existing.weight : 10));
    let target: ServedVersion | undefined;
    if (spec.model) {
      if (spec.model.name !== current.model.name) {
        throw new ServiceError(
          'invalid_argument',
          `a challenger is another version of the champion's model ${current.model.name}, not ${spec.model.name}`,
          'challenger.model.name'
        );
      }
      const version = await this.opts.registry.version(owner, spec.model.name, spec.model.version);
      if (version.version === current.model.version) {
        throw new ServiceError('invalid_argument', `version ${version.version} is the champion already`, 'challenger.model.version');
      }
      if (existing && existing.model.version !== version.version) {
        throw new ServiceError(
          'failed_precondition',
          `deployment ${name} has challenger version ${existing.model.version} already (at most ${MAX_CHALLENGERS}): promote or remove it first`,
          'challenger.model'
        );
      }
      if (!existing) {
        target = this.served(version);
      }
    } else if (!existing) {
      throw new ServiceError('invalid_argument', 'a new challenger needs a model version', 'challenger.model');
    }
    const record = await this.opts.updater.update(owner, name, r => {
      if (target) {
        r.deployment.challenger = {
          model: { name: target.model, version: target.version },
          mode,
          weight,
          state: 'DEPLOYING',
          errorMessage: '',
          restarts: 0
        };
        r.runtime.challengerServers = [];
        r.deployment.stateHistory.push({
          state: r.deployment.state,
          time: new Date().toISOString(),
          reason: `challenger version ${target.version} added (${mode === 'canary' ? `canary ${weight}%` : 'shadow'})`
        });
      } else if (r.deployment.challenger) {
        r.deployment.challenger.mode = mode;
        r.deployment.challenger.weight = weight;
      }
    });
    this.policies.set(key, { mode, weight });
    if (target && record) {
      this.onComparisonReset?.(owner, name);
      this.challengers.set(key, this.startChallenger(record, target, 'challenger ready'));
    }
  }

  /** Starts a challenger on the deployment's backend: a model server beside the champion's, or a Deployment + Service. */
  private startChallenger(record: DeploymentRecord, target: ServedVersion, reason: string): VersionKeeper {
    if (record.runtime.kube) {
      return this.opts.kube!.deployChallenger(record, target, reason);
    }
    const { owner, name } = record.deployment;
    const supervisor = new Supervisor(owner, name, this.baseDir(owner, name), { ...this.opts, socketDir: this.socketDir });
    supervisor.role = 'challenger';
    this.startInBackground(supervisor, target, reason);
    return supervisor;
  }

  /** Removes the challenger: no new requests go to it, those in flight finish, then its server stops. */
  private async removeChallenger(owner: string, name: string): Promise<void> {
    const key = deploymentKey(owner, name);
    this.policies.delete(key);
    const supervisor = this.challengers.get(key);
    this.challengers.delete(key);
    await supervisor?.retireAll();
    await this.opts.updater.update(owner, name, r => {
      if (r.deployment.challenger) {
        r.deployment.stateHistory.push({
          state: r.deployment.state,
          time: new Date().toISOString(),
          reason: `challenger version ${r.deployment.challenger.model.version} removed`
        });
      }
      delete r.deployment.challenger;
      delete r.runtime.challengerServers;
    });
  }

  /**
   * Makes the ready challenger the champion without a restart: its supervisor and server take the
   * champion's place in one step (the next request goes to it), then the old champion finishes its
   * requests in flight and stops.
   */
  async promote(owner: string, name: string): Promise<Deployment> {
    const key = deploymentKey(owner, name);
    const current = await this.get(owner, name);
    const challenger = this.challengers.get(key);
    if (!current.challenger || !challenger) {
      throw new ServiceError('failed_precondition', `deployment ${name} has no challenger to promote`, 'challenger');
    }
    if (current.state === 'UPDATING' || current.state === 'DELETING') {
      throw new ServiceError('failed_precondition', `deployment ${name} is ${current.state}: promote once it is READY`);
    }
    if (current.challenger.state !== 'READY' || !challenger.serving) {
      throw new ServiceError('failed_precondition', `challenger version ${current.challenger.model.version} is not ready`, 'challenger');
    }
    // Traffic moves here, synchronously: no request sees a state between the two.
    let old: VersionKeeper | undefined;
    if (challenger instanceof KubeDeploymentRunner) {
      old = this.opts.kube!.promote(challenger);
      challenger.setAutoscaling(current.autoscaling);
    } else {
      old = this.supervisors.get(key);
      this.supervisors.set(key, challenger);
      challenger.role = 'champion';
    }
    this.challengers.delete(key);
    this.policies.delete(key);
    const promoted = current.challenger.model;
    await this.opts.updater.update(owner, name, r => {
      r.runtime.servers = [...r.runtime.servers, ...(r.runtime.challengerServers ?? [])];
      delete r.runtime.challengerServers;
      delete r.deployment.challenger;
      delete r.deployment.nextModel;
      r.deployment.model = { ...promoted };
      r.deployment.endpoint = endpointOf(name, promoted.name);
      r.deployment.errorMessage = '';
      r.deployment.stateHistory.push({ state: 'READY', time: new Date().toISOString(), reason: `promoted challenger version ${promoted.version}` });
      r.deployment.state = 'READY';
    });
    await challenger.attachMonitor();
    this.onComparisonReset?.(owner, name);
    if (old) {
      void old.retireAll().catch(err => this.opts.log.error({ err, deployment: name }, 'stopping the old champion failed'));
    }
    return this.get(owner, name);
  }

  /** Stops the model server(s), forgets the deployment and its folder; answers the last state (DELETING). */
  async remove(owner: string, name: string): Promise<Deployment> {
    const record = await this.opts.updater.update(owner, name, r => setState(r, 'DELETING', 'deleted by the user'));
    if (!record) {
      throw new ServiceError('not_found', `deployment ${name} not found`);
    }
    await this.finishRemove(record);
    return record.deployment;
  }

  private async finishRemove(record: DeploymentRecord): Promise<void> {
    const { owner, name } = record.deployment;
    const supervisor = this.supervisor(owner, name);
    this.supervisors.delete(deploymentKey(owner, name));
    const challenger = this.challengers.get(deploymentKey(owner, name));
    this.challengers.delete(deploymentKey(owner, name));
    this.policies.delete(deploymentKey(owner, name));
    await Promise.all([supervisor?.close(), challenger?.close()]);
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
   * Recovers after a (re)start: kills model servers a previous service process left behind, finishes
   * deletions, and starts again every deployment that was serving or on its way to.
   */
  async start(): Promise<void> {
    for (const record of await this.opts.store.listDeployments()) {
      const { owner, name, state } = record.deployment;
      killOrphans(record, this.baseDir(owner, name));
      if (state === 'DELETING') {
        await this.finishRemove(record);
        continue;
      }
      if (record.runtime.kube) {
        await this.restartKube(record);
        continue;
      }
      const saved = await this.opts.updater.update(owner, name, r => {
        r.runtime.servers = [];
        if (r.deployment.challenger) {
          r.runtime.challengerServers = [];
          r.deployment.challenger.state = 'DEPLOYING';
        }
        if (r.deployment.state !== 'FAILED') {
          delete r.deployment.nextModel;
          setState(r, 'DEPLOYING', 'the service restarted');
        }
      });
      if (!saved) {
        continue;
      }
      // A FAILED deployment gets an idle supervisor too: its inference routes answer 503 as before the restart, not 404.
      const supervisor = this.supervise(owner, name);
      if (saved.deployment.state === 'FAILED') {
        continue;
      }
      try {
        const version = await this.opts.registry.version(owner, saved.deployment.model.name, saved.deployment.model.version);
        this.startInBackground(supervisor, this.served(version), 'started again after a service restart');
        const ch = saved.deployment.challenger;
        if (ch) {
          const chVersion = await this.opts.registry.version(owner, ch.model.name, ch.model.version);
          this.policies.set(deploymentKey(owner, name), { mode: ch.mode, weight: ch.weight });
          this.challengers.set(deploymentKey(owner, name), this.startChallenger(saved, this.served(chVersion), 'challenger started again after a service restart'));
        }
      } catch (err) {
        await this.opts.updater.update(owner, name, r => {
          r.deployment.errorMessage = (err as Error).message;
          setState(r, 'FAILED', 'the model version cannot be served any more');
        });
      }
    }
  }

  /** Follows a Kubernetes deployment again after a restart: its objects are adopted, not re-made. */
  private async restartKube(record: DeploymentRecord): Promise<void> {
    const { owner, name, state, model } = record.deployment;
    if (!this.opts.kube) {
      this.opts.log.warn({ deployment: name, owner }, 'a Kubernetes deployment, but the Kubernetes backend is not configured');
      return;
    }
    if (state === 'FAILED') {
      this.opts.kube.follow(record);
      return;
    }
    const saved = await this.opts.updater.update(owner, name, r => {
      delete r.deployment.nextModel;
      if (r.deployment.challenger) {
        r.deployment.challenger.state = 'DEPLOYING';
      }
      setState(r, 'DEPLOYING', 'the service restarted');
    });
    try {
      const version = await this.opts.registry.version(owner, model.name, model.version);
      this.opts.kube.deploy(saved ?? record, this.served(version), 'adopted after a service restart');
      const ch = saved?.deployment.challenger;
      if (saved && ch) {
        const chVersion = await this.opts.registry.version(owner, ch.model.name, ch.model.version);
        this.policies.set(deploymentKey(owner, name), { mode: ch.mode, weight: ch.weight });
        this.challengers.set(deploymentKey(owner, name), this.startChallenger(saved, this.served(chVersion), 'challenger adopted after a service restart'));
      }
    } catch (err) {
      await this.opts.updater.update(owner, name, r => {
        r.deployment.errorMessage = (err as Error).message;
        setState(r, 'FAILED', 'the model version cannot be served any more');
      });
    }
  }

  /** Stops every model server; deployments stay as they are in the store and come back on the next start. */
  async close(): Promise<void> {
    const all = [...this.supervisors.values(), ...this.challengers.values()];
    this.supervisors.clear();
    this.challengers.clear();
    this.policies.clear();
    await Promise.all(all.map(s => s.close()));
    await this.opts.kube?.close();
    fs.rmSync(this.socketDir, { recursive: true, force: true });
  }
}

/** Autoscaling settings that cannot work together: 400 naming the field. */
function checkAutoscaling(spec: AutoscalingSpec | undefined, replicas?: number): void {
  if (!spec) {
    return;
  }
  if (spec.minReplicas > spec.maxReplicas) {
    throw new ServiceError('invalid_argument', `minReplicas ${spec.minReplicas} is above maxReplicas ${spec.maxReplicas}`, 'autoscaling.minReplicas');
  }
  if (replicas !== undefined && (replicas < spec.minReplicas || replicas > spec.maxReplicas)) {
    throw new ServiceError('invalid_argument', `replicas ${replicas} is outside autoscaling's ${spec.minReplicas}-${spec.maxReplicas}`, 'replicas');
  }
}

/**
 * Kills model servers of a deployment that still run (checked against their start time): those in its
 * record, and those started in its folder that the record never heard of (the service died in between).
 */
function killOrphans(record: DeploymentRecord, baseDir: string): void {
  for (const server of [...record.runtime.servers, ...(record.runtime.challengerServers ?? []), ...serversStartedIn(baseDir)]) {
    if (server.pid && isProcessAlive(server.pid, server.pidStartTime)) {
      signalTree(server.pid, 'SIGKILL');
    }
  }
}
