import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import type { DeploymentRecord } from '../store/store.js';
import { deploymentKey, type DeploymentUpdater } from './deploymentUpdater.js';
import type { ModelRegistry } from './registry.js';
import { MAX_CHALLENGERS, type Challenger, type ChallengerListEntry, type ChallengerSpec, type Deployment, type ModelVersion } from '../schemas/serving.js';
import { endpointOf, Supervisor, type ServedVersion } from './supervisor.js';
import type { KubeServing } from './kubernetes/service.js';
import { KubeDeploymentRunner } from './kubernetes/runner.js';
import type { ChallengerTarget, TrafficPolicy } from './traffic.js';
import { planChallengers, type WantedChallenger } from './challengerPlan.js';

/** What keeps one version of a deployment serving: a local supervisor or a Kubernetes runner. */
export type VersionKeeper = Supervisor | KubeDeploymentRunner;

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
  /** Takes over a challenger's model server the previous leader left running; undefined when there is none to adopt. */
  adopt(record: DeploymentRecord, target: ServedVersion): VersionKeeper | undefined;
  /** False on a follower: it stores the wanted challengers and the leader starts and stops their servers. */
  carriesOut(): boolean;
  /** Puts a local challenger's supervisor in the champion's place; answers the old champion's. */
  replaceChampion(owner: string, name: string, challenger: Supervisor): Supervisor | undefined;
  /** Called when a deployment's comparison should start afresh (challengers added or removed, promotion). */
  resetComparison(owner: string, name: string): void;
}

/** One served challenger: what keeps it serving and how it shares the traffic. */
interface Served {
  keeper: VersionKeeper;
  policy: TrafficPolicy;
}

/**
 * The challengers of the deployments that have some (up to {@link MAX_CHALLENGERS} each): their
 * supervisors (or Kubernetes runners) and traffic policies; add, change, remove, promote, and start
 * again after a service restart.
 */
export class Challengers {
  /** Per deployment key, its challengers by version. */
  private readonly served = new Map<string, Map<number, Served>>();

  constructor(private readonly deps: ChallengerDeps) {}

  private of(key: string): Map<number, Served> {
    let m = this.served.get(key);
    if (!m) {
      m = new Map();
      this.served.set(key, m);
    }
    return m;
  }

  /** The supervisors or runners of the deployment `key`'s challengers. */
  keepers(key: string): VersionKeeper[] {
    return [...(this.served.get(key)?.values() ?? [])].map(s => s.keeper);
  }

  /** The ready challengers of the deployment `key` with their policies, for the inference proxy. */
  targets(key: string): ChallengerTarget[] {
    const ready: ChallengerTarget[] = [];
    for (const { keeper, policy } of this.served.get(key)?.values() ?? []) {
      const serving = keeper.serving;
      if (serving) {
        ready.push({ serving, policy });
      }
    }
    return ready;
  }

  /** Forgets the deployment's challengers and answers their supervisors or runners (to close). */
  forget(key: string): VersionKeeper[] {
    const keepers = this.keepers(key);
    this.served.delete(key);
    return keepers;
  }

  /** Forgets every challenger and answers their supervisors and runners (to close). */
  clear(): VersionKeeper[] {
    const all = [...this.served.keys()].flatMap(key => this.keepers(key));
    this.served.clear();
    return all;
  }

  /** The traffic policies of the challengers kept for the deployment `key`, by version. */
  policies(key: string): Map<number, TrafficPolicy> {
    return new Map([...(this.served.get(key)?.entries() ?? [])].map(([version, s]) => [version, { ...s.policy }]));
  }

  /**
   * Starts again every challenger a record names (after a service restart or a change of leader), each
   * with its traffic policy: a server the previous leader left running is adopted, the others start.
   */
  async restore(record: DeploymentRecord, reason: string): Promise<void> {
    const { owner, name } = record.deployment;
    for (const ch of record.deployment.challengers ?? []) {
      const version = await this.deps.registry.version(owner, ch.model.name, ch.model.version);
      const target = this.deps.served(version);
      this.of(deploymentKey(owner, name)).set(ch.model.version, {
        policy: { mode: ch.mode, weight: ch.weight },
        keeper: this.deps.adopt(record, target) ?? this.deps.start(record, target, reason)
      });
    }
  }

  /**
   * Makes the kept challengers what the record (changed through another replica) says: `start` and
   * `retire` name versions, `changed` those whose policy is to be read again from the record.
   */
  async reconcile(record: DeploymentRecord, start: number[], retire: number[], changed: number[]): Promise<void> {
    const { owner, name } = record.deployment;
    const served = this.of(deploymentKey(owner, name));
    for (const c of record.deployment.challengers ?? []) {
      const s = served.get(c.model.version);
      if (s && changed.includes(c.model.version)) {
        s.policy = { mode: c.mode, weight: c.weight };
      }
    }
    for (const v of start) {
      const c = record.deployment.challengers!.find(x => x.model.version === v)!;
      const target = this.deps.served(await this.deps.registry.version(owner, c.model.name, v));
      served.set(v, { policy: { mode: c.mode, weight: c.weight }, keeper: this.deps.start(record, target, 'challenger ready') });
    }
    const retiring = retire.map(v => served.get(v)?.keeper);
    retire.forEach(v => served.delete(v));
    if (start.length || retire.length) {
      this.deps.resetComparison(owner, name);
    }
    await Promise.all(retiring.map(k => k?.retireAll()));
  }

  /**
   * `challenger`: adds one (a version not served yet), or changes the mode or weight of the one its
   * model names (or of the only one) in memory at once, with no restart, so no request fails.
   */
  async set(owner: string, name: string, spec: ChallengerSpec): Promise<void> {
    const current = await this.deps.get(owner, name);
    const existing = current.challengers ?? [];
    const list: WantedChallenger[] = existing.map(c => ({ model: { ...c.model }, mode: c.mode, weight: c.weight, field: 'challenger' }));
    let version: number;
    if (spec.model) {
      version = (await this.resolve(owner, current, spec.model, 'challenger')).version;
    } else if (existing.length === 1) {
      version = existing[0].model.version;
    } else {
      const which = existing.length ? `it has ${existing.length} (versions ${existing.map(c => c.model.version).join(', ')}): say which` : 'a new challenger needs a model version';
      throw new ServiceError('invalid_argument', `deployment ${name}: ${which}`, 'challenger.model');
    }
    const found = list.find(c => c.model.version === version);
    if (!found && list.length >= MAX_CHALLENGERS) {
      throw new ServiceError(
        'failed_precondition',
        `deployment ${name} has ${list.length} challengers already (at most ${MAX_CHALLENGERS}): promote or remove one first`,
        'challenger.model'
      );
    }
    const entry: WantedChallenger = found ?? { model: { name: current.model.name, version }, mode: 'canary', weight: 10, field: 'challenger' };
    if (!found) {
      list.push(entry);
    }
    applySpec(entry, spec, 'challenger');
    await this.apply(owner, name, list, 'challenger');
  }

  /** `challengers`: the whole set wanted; those not listed are removed, the others added or changed in place. */
  async setAll(owner: string, name: string, specs: ChallengerListEntry[]): Promise<void> {
    const current = await this.deps.get(owner, name);
    const list: WantedChallenger[] = [];
    for (const [i, spec] of specs.entries()) {
      const field = `challengers.${i}`;
      const version = await this.resolve(owner, current, spec.model, field);
      const old = current.challengers?.find(c => c.model.version === version.version);
      const entry: WantedChallenger = { model: { name: version.name, version: version.version }, mode: old?.mode ?? 'canary', weight: old?.weight ?? 10, field };
      applySpec(entry, spec, field);
      list.push(entry);
    }
    await this.apply(owner, name, list, 'challengers');
  }

  /** Removes every challenger: no new requests go to them, those in flight finish, then their servers stop. */
  async remove(owner: string, name: string): Promise<void> {
    await this.apply(owner, name, [], 'challenger');
  }

  /** A registered version a challenger may serve: the champion's model, not its version. 404 unknown. */
  private async resolve(owner: string, current: Deployment, model: { name: string; version?: number }, field: string): Promise<ModelVersion> {
    if (model.name !== current.model.name) {
      throw new ServiceError('invalid_argument', `a challenger is another version of the champion's model ${current.model.name}, not ${model.name}`, `${field}.model.name`);
    }
    const version = await this.deps.registry.version(owner, model.name, model.version);
    if (version.version === current.model.version) {
      throw new ServiceError('invalid_argument', `version ${version.version} is the champion already`, `${field}.model.version`);
    }
    return version;
  }

  /**
   * Makes the deployment's challengers `wanted`: checked against the record inside its update (so two
   * requests at once cannot pass the limits together), then new servers start (they get traffic once
   * ready), changed policies apply to the next request, removed ones drain and stop.
   */
  private async apply(owner: string, name: string, wanted: WantedChallenger[], field: string): Promise<void> {
    const key = deploymentKey(owner, name);
    // Checked on disk before the record changes: a folder that went away is a 400 now, not a FAILED later.
    // Every wanted version, not only those missing now: another request may change the set meanwhile.
    const targets = new Map<number, ServedVersion>();
    for (const w of wanted) {
      targets.set(w.model.version, this.deps.served(await this.deps.registry.version(owner, w.model.name, w.model.version)));
    }
    let plan: ReturnType<typeof planChallengers> | undefined;
    const record = await this.deps.updater.update(owner, name, r => {
      plan = planChallengers(r, wanted, field);
      if (plan.added.length === 0 && plan.removed.length === 0 && !plan.changed) {
        return false;
      }
    });
    if (!record || !plan) {
      return;
    }
    if (!this.deps.carriesOut()) {
      // A follower: the leader hears the change and starts or stops the servers.
      if (plan.added.length || plan.removed.length) {
        this.deps.resetComparison(owner, name);
      }
      return;
    }
    const served = this.of(key);
    for (const c of record.deployment.challengers ?? []) {
      const s = served.get(c.model.version);
      if (s) {
        s.policy = { mode: c.mode, weight: c.weight };
      }
    }
    const retiring = plan.removed.map(v => served.get(v)?.keeper);
    for (const v of plan.removed) {
      served.delete(v);
    }
    for (const c of plan.added) {
      served.set(c.model.version, { policy: { mode: c.mode, weight: c.weight }, keeper: this.deps.start(record, targets.get(c.model.version)!, 'challenger ready') });
    }
    if (plan.added.length || plan.removed.length) {
      this.deps.resetComparison(owner, name);
    }
    await Promise.all(retiring.map(k => k?.retireAll()));
  }

  /**
   * Makes a ready challenger the champion without a restart: its supervisor and server take the
   * champion's place in one step (the next request goes to it), then the old champion finishes its
   * requests in flight and stops. The other challengers stay, with their modes and weights, beside the
   * new champion. `version` names the challenger; it may be left out when there is only one.
   */
  async promote(owner: string, name: string, version?: number): Promise<Deployment> {
    const key = deploymentKey(owner, name);
    const current = await this.deps.get(owner, name);
    const all = current.challengers ?? [];
    if (all.length === 0) {
      throw new ServiceError('failed_precondition', `deployment ${name} has no challenger to promote`, 'challenger');
    }
    if (version === undefined && all.length > 1) {
      throw new ServiceError('invalid_argument', `deployment ${name} has ${all.length} challengers (versions ${all.map(c => c.model.version).join(', ')}): say which to promote`, 'version');
    }
    const chosen: Challenger | undefined = version === undefined ? all[0] : all.find(c => c.model.version === version);
    const follower = !this.deps.carriesOut();
    const entry = chosen && this.served.get(key)?.get(chosen.model.version);
    if (!chosen || (!entry && !follower)) {
      throw new ServiceError('invalid_argument', `version ${version} is no challenger of deployment ${name}`, 'version');
    }
    if (current.state === 'UPDATING' || current.state === 'DELETING') {
      throw new ServiceError('failed_precondition', `deployment ${name} is ${current.state}: promote once it is READY`);
    }
    if (chosen.state !== 'READY' || (entry && !entry.keeper.serving)) {
      throw new ServiceError('failed_precondition', `challenger version ${chosen.model.version} is not ready`, 'challenger');
    }
    if (!entry) {
      // A follower: the record says who is champion now; the leader hears it and moves the traffic.
      await this.deps.updater.update(owner, name, r => recordPromotion(r, chosen.model));
      return this.deps.get(owner, name);
    }
    const old = this.moveTraffic(owner, name, entry.keeper, current.autoscaling);
    // The traffic has moved: recorded whatever the record says meanwhile.
    await this.deps.updater.update(owner, name, r => recordPromotion(r, chosen.model, false));
    await this.finishPromotion(owner, name, entry.keeper, old);
    return this.deps.get(owner, name);
  }

  /**
   * The leader's side of a promotion a follower stored (the record's champion is a version kept here as
   * a challenger): its server takes the champion's traffic, the old champion drains and stops.
   */
  async promoted(record: DeploymentRecord): Promise<void> {
    const { owner, name, model, autoscaling } = record.deployment;
    const entry = this.served.get(deploymentKey(owner, name))?.get(model.version);
    if (entry) {
      const old = this.moveTraffic(owner, name, entry.keeper, autoscaling);
      await this.finishPromotion(owner, name, entry.keeper, old);
    }
  }

  /** Makes `challenger` the champion in memory, synchronously (no request sees a state between the two); answers the old champion. */
  private moveTraffic(owner: string, name: string, challenger: VersionKeeper, autoscaling: Deployment['autoscaling']): VersionKeeper | undefined {
    let old: VersionKeeper | undefined;
    if (challenger instanceof KubeDeploymentRunner) {
      old = this.deps.kube!.promote(challenger);
      challenger.setAutoscaling(autoscaling);
    } else {
      old = this.deps.replaceChampion(owner, name, challenger);
      challenger.role = 'champion';
    }
    this.served.get(deploymentKey(owner, name))?.delete(challenger.challengerVersion);
    return old;
  }

  private async finishPromotion(owner: string, name: string, champion: VersionKeeper, old: VersionKeeper | undefined): Promise<void> {
    await champion.attachMonitor();
    this.deps.resetComparison(owner, name);
    if (old) {
      void old.retireAll().catch(err => this.deps.log.error({ err, deployment: name }, 'stopping the old champion failed'));
    }
  }
}

/**
 * Records challenger `promoted` as the champion, its server with it; with `check`, false (nothing saved)
 * when it is no ready challenger any more.
 */
function recordPromotion(r: DeploymentRecord, promoted: { name: string; version: number }, check = true): boolean {
  const mine = (s: { version: number }) => s.version === promoted.version;
  if (check && !r.deployment.challengers?.some(c => mine(c.model) && c.state === 'READY')) {
    return false;
  }
  r.runtime.servers = [...r.runtime.servers, ...(r.runtime.challengerServers ?? []).filter(mine)];
  r.runtime.challengerServers = (r.runtime.challengerServers ?? []).filter(s => !mine(s));
  r.deployment.challengers = (r.deployment.challengers ?? []).filter(c => !mine(c.model));
  if (r.deployment.challengers.length === 0) {
    delete r.runtime.challengerServers;
  }
  delete r.deployment.nextModel;
  r.deployment.model = { ...promoted };
  r.deployment.endpoint = endpointOf(r.deployment.name, promoted.name);
  r.deployment.errorMessage = '';
  r.deployment.stateHistory.push({ state: 'READY', time: new Date().toISOString(), reason: `promoted challenger version ${promoted.version}` });
  r.deployment.state = 'READY';
  return true;
}

/** Applies a request's mode and weight to a wanted challenger: 400 for a shadow with a weight. */
function applySpec(entry: WantedChallenger, spec: { mode?: Challenger['mode']; weight?: number }, field: string): void {
  const mode = spec.mode ?? entry.mode;
  if (mode === 'shadow' && spec.weight !== undefined && spec.weight !== 0) {
    throw new ServiceError('invalid_argument', 'a shadow challenger gets a copy of every request: weight must be 0 or left out', `${field}.weight`);
  }
  entry.weight = mode === 'shadow' ? 0 : (spec.weight ?? (entry.mode === 'canary' ? entry.weight : 10));
  entry.mode = mode;
  entry.field = field;
}
