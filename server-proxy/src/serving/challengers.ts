import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import { MAX_CHALLENGERS, type ChallengerSpec, type Deployment, type ModelVersion } from '../schemas/serving.js';
import { deploymentKey, type DeploymentUpdater } from './deploymentUpdater.js';
import type { ModelRegistry } from './registry.js';
import { endpointOf, type ServedVersion, type Supervisor } from './supervisor.js';
import type { TrafficPolicy } from './traffic.js';

/** What the challengers need from the deployment service. */
export interface ChallengerDeps {
  updater: DeploymentUpdater;
  registry: ModelRegistry;
  log: FastifyBaseLogger;
  /** The champions' supervisors by deployment key, shared with the deployment service (promotion swaps one). */
  champions: Map<string, Supervisor>;
  /** A new supervisor of the deployment, not yet registered anywhere. */
  supervisor: (owner: string, name: string) => Supervisor;
  /** A registered version checked again on disk. */
  served: (version: ModelVersion) => ServedVersion;
  /** Deploys on the supervisor in the background. */
  startInBackground: (supervisor: Supervisor, target: ServedVersion, reason?: string) => void;
  /** The caller's deployment, or 404. */
  get: (owner: string, name: string) => Promise<Deployment>;
  /** The deployment's comparison starts afresh (new challenger, promotion, removal). */
  reset: (owner: string, name: string) => void;
}

/**
 * The challengers of local deployments: one per deployment at most, with its own supervisor and model
 * server, and the traffic policy (canary weight or shadow) the inference proxy reads on every request.
 */
export class Challengers {
  private readonly supervisors = new Map<string, Supervisor>();
  private readonly policies = new Map<string, TrafficPolicy>();

  constructor(private readonly deps: ChallengerDeps) {}

  /** The challenger's server and policy of a deployment, when it has one that gets traffic. */
  traffic(key: string): { challenger?: Supervisor['serving']; policy?: TrafficPolicy } {
    const policy = this.policies.get(key);
    const challenger = policy ? this.supervisors.get(key)?.serving : undefined;
    return { challenger, policy };
  }

  /** Starts the stored challenger of a deployment again (after a service restart). */
  async restore(owner: string, name: string, challenger: NonNullable<Deployment['challenger']>): Promise<void> {
    const supervisor = this.register(owner, name);
    this.policies.set(deploymentKey(owner, name), { mode: challenger.mode, weight: challenger.weight });
    const version = await this.deps.registry.version(owner, challenger.model.name, challenger.model.version);
    this.deps.startInBackground(supervisor, this.deps.served(version), 'challenger started again after a service restart');
  }

  /** Forgets the deployment's challenger and stops its server. */
  async close(key: string): Promise<void> {
    const supervisor = this.supervisors.get(key);
    this.supervisors.delete(key);
    this.policies.delete(key);
    await supervisor?.close();
  }

  /** Forgets every challenger and returns their supervisors (to be closed). */
  takeAll(): Supervisor[] {
    const all = [...this.supervisors.values()];
    this.supervisors.clear();
    this.policies.clear();
    return all;
  }

  private register(owner: string, name: string): Supervisor {
    const supervisor = this.deps.supervisor(owner, name);
    supervisor.role = 'challenger';
    this.supervisors.set(deploymentKey(owner, name), supervisor);
    return supervisor;
  }

  private start(owner: string, name: string, target: ServedVersion, reason: string): void {
    this.deps.startInBackground(this.register(owner, name), target, reason);
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
    await this.deps.updater.update(owner, name, r => {
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
    if (target) {
      this.deps.reset(owner, name);
      this.start(owner, name, target, 'challenger ready');
    }
  }

  /** Removes the challenger: no new requests go to it, those in flight finish, then its server stops. */
  async remove(owner: string, name: string): Promise<void> {
    const key = deploymentKey(owner, name);
    this.policies.delete(key);
    const supervisor = this.supervisors.get(key);
    this.supervisors.delete(key);
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
  async promote(owner: string, name: string): Promise<void> {
    const key = deploymentKey(owner, name);
    const current = await this.deps.get(owner, name);
    const challenger = this.supervisors.get(key);
    if (!current.challenger || !challenger) {
      throw new ServiceError('failed_precondition', `deployment ${name} has no challenger to promote`, 'challenger');
    }
    if (current.state === 'UPDATING' || current.state === 'DELETING') {
      throw new ServiceError('failed_precondition', `deployment ${name} is ${current.state}: promote once it is READY`);
    }
    if (current.challenger.state !== 'READY' || !challenger.serving) {
      throw new ServiceError('failed_precondition', `challenger version ${current.challenger.model.version} is not ready`, 'challenger');
    }
    const old = this.deps.champions.get(key);
    // Traffic moves here, synchronously: no request sees a state between the two.
    this.deps.champions.set(key, challenger);
    this.supervisors.delete(key);
    this.policies.delete(key);
    challenger.role = 'champion';
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
    this.deps.reset(owner, name);
    if (old) {
      void old.retireAll().catch(err => this.deps.log.error({ err, deployment: name }, 'stopping the old champion failed'));
    }
  }
}
