import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import type { DeploymentRecord } from '../store/store.js';
import { deploymentKey, type DeploymentUpdater } from './deploymentUpdater.js';
import type { ModelRegistry } from './registry.js';
import { MAX_CHALLENGERS, type ChallengerSpec, type Deployment, type ModelVersion } from '../schemas/serving.js';
import { endpointOf, Supervisor, type ServedVersion } from './supervisor.js';
import type { KubeServing } from './kubernetes/service.js';
import { KubeDeploymentRunner } from './kubernetes/runner.js';

/** What keeps one version of a deployment serving: a local supervisor or a Kubernetes runner. */
export type VersionKeeper = Supervisor | KubeDeploymentRunner;

/** How a challenger shares the traffic with the champion. */
export interface TrafficPolicy {
  mode: 'canary' | 'shadow';
  weight: number;
}

/** What the challengers need from the deployment service. */
export interface ChallengerDeps {
  registry: ModelRegistry;
  updater: DeploymentUpdater;
  log: FastifyBaseLogger;
  kube?: KubeServing;
  /** One deployment of the caller, or 404. */
  get(owner: string, name: string): Promise<Deployment>;
  /** A registered version checked again on disk. */
  served(version: ModelVersion): ServedVersion;
  /** Starts a challenger on the deployment's backend. */
  start(record: DeploymentRecord, target: ServedVersion, reason: string): VersionKeeper;
  /** Puts a local challenger's supervisor in the champion's place; answers the old champion's. */
  replaceChampion(owner: string, name: string, challenger: Supervisor): Supervisor | undefined;
  /** Called when a deployment's comparison should start afresh (new challenger, promotion). */
  resetComparison(owner: string, name: string): void;
}

/**
 * The challengers of the deployments that have one: their supervisors (or Kubernetes runners) and
 * traffic policies; add, change, remove, promote, and start again after a service restart.
 */
export class Challengers {
  /** The challenger's supervisor (or Kubernetes runner) of deployments that have one. */
  private readonly keepers = new Map<string, VersionKeeper>();
  /** The traffic policy of deployments with a challenger, mirrored from their records. */
  private readonly policies = new Map<string, TrafficPolicy>();

  constructor(private readonly deps: ChallengerDeps) {}

  /** The challenger's supervisor or runner of the deployment `key`, if it has one. */
  keeper(key: string): VersionKeeper | undefined {
    return this.keepers.get(key);
  }

  /** The traffic policy of the deployment `key`, if it has a challenger. */
  policy(key: string): TrafficPolicy | undefined {
    return this.policies.get(key);
  }

  /** Forgets the deployment's challenger and answers its supervisor or runner (to close). */
  forget(key: string): VersionKeeper | undefined {
    const keeper = this.keepers.get(key);
    this.keepers.delete(key);
    this.policies.delete(key);
    return keeper;
  }

  /** Forgets every challenger and answers their supervisors and runners (to close). */
  clear(): VersionKeeper[] {
    const all = [...this.keepers.values()];
    this.keepers.clear();
    this.policies.clear();
    return all;
  }

  /** Starts again the challenger a record names (after a service restart), with its traffic policy. */
  async restore(record: DeploymentRecord, reason: string): Promise<void> {
    const ch = record.deployment.challenger;
    if (!ch) {
      return;
    }
    const { owner, name } = record.deployment;
    const chVersion = await this.deps.registry.version(owner, ch.model.name, ch.model.version);
    this.policies.set(deploymentKey(owner, name), { mode: ch.mode, weight: ch.weight });
    this.keepers.set(deploymentKey(owner, name), this.deps.start(record, this.deps.served(chVersion), reason));
  }

  /**
   * Adds a challenger (its server starts; it gets traffic once ready), or changes the mode or weight of
   * the one there (in memory at once, no restart, so no request fails). One challenger at a time
   * ({@link MAX_CHALLENGERS}); it must be another version of the champion's model.
   */
  async set(owner: string, name: string, spec: ChallengerSpec): Promise<void> {
    const key = deploymentKey(owner, name);
    const current = await this.deps.get(owner, name);
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
      const version = await this.deps.registry.version(owner, spec.model.name, spec.model.version);
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
        target = this.deps.served(version);
      }
    } else if (!existing) {
      throw new ServiceError('invalid_argument', 'a new challenger needs a model version', 'challenger.model');
    }
    const record = await this.deps.updater.update(owner, name, r => {
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
      this.deps.resetComparison(owner, name);
      this.keepers.set(key, this.deps.start(record, target, 'challenger ready'));
    }
  }

  /** Removes the challenger: no new requests go to it, those in flight finish, then its server stops. */
  async remove(owner: string, name: string): Promise<void> {
    const key = deploymentKey(owner, name);
    this.policies.delete(key);
    const supervisor = this.keepers.get(key);
    this.keepers.delete(key);
    await supervisor?.retireAll();
    await this.deps.updater.update(owner, name, r => {
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
    const current = await this.deps.get(owner, name);
    const challenger = this.keepers.get(key);
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
      old = this.deps.kube!.promote(challenger);
      challenger.setAutoscaling(current.autoscaling);
    } else {
      old = this.deps.replaceChampion(owner, name, challenger);
      challenger.role = 'champion';
    }
    this.keepers.delete(key);
    this.policies.delete(key);
    const promoted = current.challenger.model;
    await this.deps.updater.update(owner, name, r => {
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
    this.deps.resetComparison(owner, name);
    if (old) {
      void old.retireAll().catch(err => this.deps.log.error({ err, deployment: name }, 'stopping the old champion failed'));
    }
    return this.deps.get(owner, name);
  }
}
