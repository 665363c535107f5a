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
  type UpdateDeploymentBody
} from '../schemas/serving.js';
import type { TrafficTargets } from './traffic.js';
import { serversStartedIn } from './modelServer.js';
import { endpointOf, Supervisor, type ServedVersion, type SupervisorOptions } from './supervisor.js';
import type { DeploymentRunner } from './servingTarget.js';
import { Challengers } from './challengers.js';
import { KubeServing } from './kubernetes/service.js';

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
  private readonly challengers: Challengers;
  /** Called when a deployment's comparison should start afresh (new challenger, promotion). */
  onComparisonReset?: (owner: string, name: string) => void;

  /**
   * The model servers' sockets: a fresh folder only this account can enter (mkdtemp makes it 0700), in
   * the temporary folder because socket paths are limited to about 100 bytes.
   */
  private readonly socketDir: string;

  constructor(private readonly opts: DeploymentServiceOptions) {
    this.socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-servers-'));
    this.challengers = new Challengers({
      updater: opts.updater,
      registry: opts.registry,
      log: opts.log,
      champions: this.supervisors,
      supervisor: (owner, name) => this.newSupervisor(owner, name),
      served: version => this.served(version),
      startInBackground: (supervisor, target, reason) => this.startInBackground(supervisor, target, reason),
      get: (owner, name) => this.get(owner, name),
      reset: (owner, name) => this.onComparisonReset?.(owner, name)
    });
  }

  private baseDir(owner: string, name: string): string {
    return path.join(this.opts.dataDir, 'deployments', encodeURIComponent(owner), name);
  }

  private newSupervisor(owner: string, name: string): Supervisor {
    return new Supervisor(owner, name, this.baseDir(owner, name), { ...this.opts, socketDir: this.socketDir });
  }

  private supervise(owner: string, name: string): Supervisor {
    const supervisor = this.newSupervisor(owner, name);
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
    const champion = this.supervisors.get(key);
    if (!champion) {
      // A Kubernetes deployment: its active version's Service (challengers are local-only so far).
      const kube = this.opts.kube?.runner(owner, name);
      return kube ? { champion: kube.serving } : undefined;
    }
    return { champion: champion.serving, ...this.challengers.traffic(key) };
  }

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
    if (backend === 'local' && (body.resources || body.priority)) {
      throw new ServiceError('invalid_argument', 'resources and priority apply to the Kubernetes backend only', body.resources ? 'resources' : 'priority');
    }
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
        replicas: body.replicas ?? 1,
        ...(backend === 'kubernetes' ? { backend } : {}),
        endpoint: endpointOf(body.name, version.name),
        errorMessage: '',
        restarts: 0,
        createTime: now,
        updateTime: now,
        monitoring: withMonitoringDefaults(body.monitoring),
        stateHistory: [{ state: 'DEPLOYING', time: now, reason: `deploying ${version.name} version ${version.version}` }]
      },
      runtime: { servers: [], ...(backend === 'kubernetes' ? { kube: this.opts.kube!.runtimeFor(owner, body) } : {}) }
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

  /** The caller's deployments, oldest first. */
  async list(owner: string): Promise<Deployment[]> {
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
    const kube = current.backend === 'kubernetes' ? this.opts.kube?.runner(owner, name) : undefined;
    if (current.backend === 'kubernetes' && body.challenger !== undefined) {
      throw new ServiceError('invalid_argument', 'challengers run on the local backend only so far', 'challenger');
    }
    if (kube) {
      if (body.monitoring) {
        await this.opts.updater.update(owner, name, r => {
          r.deployment.monitoring = withMonitoringDefaults(body.monitoring);
        });
        await kube.attachMonitor();
      }
      if (target) {
        await kube.switchTo(target);
      }
      return this.get(owner, name);
    }
    const supervisor = this.supervisor(owner, name) ?? this.supervise(owner, name);
    if (body.monitoring) {
      await this.opts.updater.update(owner, name, r => {
        r.deployment.monitoring = withMonitoringDefaults(body.monitoring);
      });
      await supervisor.attachMonitor();
    }
    if (target) {
      await supervisor.switchTo(target);
    }
    if (body.challenger === null) {
      await this.challengers.remove(owner, name);
    } else if (body.challenger) {
      await this.challengers.set(owner, name, body.challenger);
    }
    return this.get(owner, name);
  }

  /**
   * Makes the ready challenger the champion without a restart (see {@link Challengers.promote}).
   */
  async promote(owner: string, name: string): Promise<Deployment> {
    await this.challengers.promote(owner, name);
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
    await Promise.all([supervisor?.close(), this.challengers.close(deploymentKey(owner, name))]);
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
          await this.challengers.restore(owner, name, ch);
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
      setState(r, 'DEPLOYING', 'the service restarted');
    });
    try {
      const version = await this.opts.registry.version(owner, model.name, model.version);
      this.opts.kube.deploy(saved ?? record, this.served(version), 'adopted after a service restart');
    } catch (err) {
      await this.opts.updater.update(owner, name, r => {
        r.deployment.errorMessage = (err as Error).message;
        setState(r, 'FAILED', 'the model version cannot be served any more');
      });
    }
  }

  /** Stops every model server; deployments stay as they are in the store and come back on the next start. */
  async close(): Promise<void> {
    const all = [...this.supervisors.values(), ...this.challengers.takeAll()];
    this.supervisors.clear();
    await Promise.all(all.map(s => s.close()));
    await this.opts.kube?.close();
    fs.rmSync(this.socketDir, { recursive: true, force: true });
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
