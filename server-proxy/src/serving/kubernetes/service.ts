import type { CreateDeploymentBody } from '../../schemas/serving.js';
import type { DeploymentRecord, KubeServingRuntime } from '../../store/store.js';
import { deploymentKey } from '../deploymentUpdater.js';
import type { ServedVersion } from '../supervisor.js';
import { KubeDeploymentRunner, type KubeServingOptions } from './runner.js';
import { ServiceEndpoint } from './endpoint.js';
import { serverPorts, versionObjectName } from './manifests.js';

/** Replica defaults when the request names none: small enough for a shared namespace's quota. */
const DEFAULT_CPU = 0.5;
const DEFAULT_MEMORY_GB = 1;

/** The Kubernetes serving backend: one {@link KubeDeploymentRunner} per deployment. */
export class KubeServing {
  private readonly runners = new Map<string, KubeDeploymentRunner>();

  constructor(
    private readonly opts: KubeServingOptions & { namespaceOf: (user: string) => string }
  ) {}

  /** Where and how a new deployment's pods run, kept in its record for restarts. */
  runtimeFor(owner: string, body: CreateDeploymentBody): KubeServingRuntime {
    return {
      namespace: this.opts.namespaceOf(owner),
      replicas: body.replicas ?? 1,
      cpu: body.resources?.cpu ?? DEFAULT_CPU,
      memoryGb: body.resources?.memoryGb ?? DEFAULT_MEMORY_GB,
      gpu: body.resources?.gpu ?? 0,
      ...(body.resources?.acceleratorType ? { acceleratorType: body.resources.acceleratorType } : {}),
      priority: body.priority ?? 'middle'
    };
  }

  /** The runner of a deployment, if it is followed. */
  runner(owner: string, name: string): KubeDeploymentRunner | undefined {
    return this.runners.get(deploymentKey(owner, name));
  }

  /**
   * A connection to the Service of one version of a deployment, found from its record alone (a replica
   * that does not follow the deployment forwards inference through it).
   */
  endpointFor(record: DeploymentRecord, version: number): Promise<ServiceEndpoint> {
    const { owner, name } = record.deployment;
    const objectName = versionObjectName(owner, name, version);
    const port = serverPorts(owner, name, version, this.opts.podTemplate?.hostNetwork === true).http;
    return ServiceEndpoint.create(this.opts.config, record.runtime.kube!.namespace, objectName, port, this.opts.inCluster);
  }

  /** Starts following a deployment (without deploying: a FAILED one after a restart answers 503, not 404). */
  follow(record: DeploymentRecord): KubeDeploymentRunner {
    const { owner, name } = record.deployment;
    const runner = new KubeDeploymentRunner(owner, name, record.runtime.kube!, this.opts);
    this.runners.set(deploymentKey(owner, name), runner);
    return runner;
  }

  /** Creates (or adopts) the objects of `target` in the background. */
  deploy(record: DeploymentRecord, target: ServedVersion, reason?: string): void {
    const runner = this.runner(record.deployment.owner, record.deployment.name) ?? this.follow(record);
    runner.deploy(target, reason).catch(err => this.opts.log.error({ err, deployment: record.deployment.name }, 'deploying on Kubernetes failed'));
  }

  /**
   * Starts a challenger's runner: its own Deployment + Service beside the champion's, in the same
   * namespace with the same resources, followed apart from the champion (the caller keeps it).
   */
  deployChallenger(record: DeploymentRecord, target: ServedVersion, reason: string): KubeDeploymentRunner {
    const { owner, name } = record.deployment;
    // At least one replica, also beside a champion scaled to zero: a challenger is not autoscaled.
    const runtime = { ...record.runtime.kube!, replicas: Math.max(1, record.runtime.kube!.replicas) };
    const runner = new KubeDeploymentRunner(owner, name, runtime, this.opts);
    runner.role = 'challenger';
    runner.challengerVersion = target.version;
    runner.deploy(target, reason).catch(err => this.opts.log.error({ err, deployment: name }, 'deploying the challenger on Kubernetes failed'));
    return runner;
  }

  /** Makes a promoted challenger's runner the deployment's; answers the runner it replaces. */
  promote(runner: KubeDeploymentRunner): KubeDeploymentRunner | undefined {
    const key = deploymentKey(runner.owner, runner.name);
    const old = this.runners.get(key);
    runner.role = 'champion';
    this.runners.set(key, runner);
    return old;
  }

  /** Deletes every object of the deployment. */
  async remove(record: DeploymentRecord): Promise<void> {
    const { owner, name } = record.deployment;
    const runner = this.runner(owner, name) ?? new KubeDeploymentRunner(owner, name, record.runtime.kube!, this.opts);
    this.runners.delete(deploymentKey(owner, name));
    await runner.remove();
  }

  /** Stops following every deployment; their objects keep serving until the service is back. */
  async close(): Promise<void> {
    const all = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(all.map(r => r.close()));
    await this.opts.watches?.stop();
  }
}
