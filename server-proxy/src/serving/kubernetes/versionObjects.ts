import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { kubeError } from '../../backends/kubernetes/client.js';
import type { KubeServingRuntime } from '../../store/store.js';
import type { ServedVersion } from '../supervisor.js';
import { ServiceEndpoint } from './endpoint.js';
import { publishModel } from './modelArchive.js';
import { SERVING_LABELS, servingSelector, versionManifests } from './manifests.js';
import type { KubeServingOptions } from './options.js';

/** A version whose objects exist, with the connection to its Service. */
export interface Live {
  target: ServedVersion;
  endpoint: ServiceEndpoint;
  objectName: string;
}

/**
 * The cluster objects of one deployment's versions: each version is a Deployment plus a Service, made
 * (or adopted after a restart), read, scaled and deleted here; the runner decides when.
 */
export class VersionObjects {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;

  constructor(
    private readonly owner: string,
    private readonly name: string,
    private readonly runtime: KubeServingRuntime,
    private readonly opts: KubeServingOptions
  ) {
    this.apps = opts.config.makeApiClient(AppsV1Api);
    this.core = opts.config.makeApiClient(CoreV1Api);
  }

  /** Creates (or finds, after a restart) a version's Deployment and Service. */
  async ensure(target: ServedVersion): Promise<Live> {
    const { url, sha256 } = await publishModel(this.opts.store, this.owner, { name: target.model, version: target.version, dir: target.saved.dir }, this.opts.grantSeconds);
    const { deployment, service, port } = versionManifests(
      {
        owner: this.owner,
        deployment: this.name,
        model: target.model,
        version: target.version,
        runtime: this.runtime,
        image: this.opts.image,
        podTemplate: this.opts.podTemplate,
        acceleratorLabel: this.opts.acceleratorLabel,
        archiveUrl: url,
        archiveSha256: sha256,
        settings: target.saved.settings
      },
      this.runtime.namespace
    );
    const namespace = this.runtime.namespace;
    for (const create of [
      () => this.apps.createNamespacedDeployment({ namespace, body: deployment }),
      () => this.core.createNamespacedService({ namespace, body: service })
    ]) {
      try {
        await create();
      } catch (err) {
        // Already there: adopted (a retried create, or a service restart).
        if (kubeError(err).status !== 409) {
          throw kubeError(err);
        }
      }
    }
    const objectName = deployment.metadata!.name!;
    const endpoint = await ServiceEndpoint.create(this.opts.config, namespace, objectName, port, this.opts.inCluster);
    return { target, endpoint, objectName };
  }

  /** Reads a version's Deployment and pods. */
  async observe(live: Live): Promise<{ deployment?: V1Deployment; pods: V1Pod[] }> {
    const namespace = this.runtime.namespace;
    const deployment = await this.apps.readNamespacedDeployment({ namespace, name: live.objectName }).catch(err => {
      if (kubeError(err).status === 404) {
        return undefined;
      }
      throw kubeError(err);
    });
    const selector = `${servingSelector(this.owner, this.name)},${SERVING_LABELS.version}=${live.target.version}`;
    const pods = (await this.core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter(p => !p.metadata?.deletionTimestamp);
    return { deployment, pods };
  }

  /** Deletes one version's Deployment (its pods first) and Service. */
  async deleteVersion(objectName: string): Promise<void> {
    const namespace = this.runtime.namespace;
    await Promise.all([
      this.apps.deleteNamespacedDeployment({ namespace, name: objectName, propagationPolicy: 'Foreground' }),
      this.core.deleteNamespacedService({ namespace, name: objectName })
    ].map(p => p.catch(err => {
      if (kubeError(err).status !== 404) {
        throw kubeError(err);
      }
    })));
  }

  /** Deletes every version's objects but those named in `keep`. */
  async deleteOthers(keep: string[]): Promise<void> {
    const list = await this.apps.listNamespacedDeployment({ namespace: this.runtime.namespace, labelSelector: servingSelector(this.owner, this.name) });
    const services = await this.core.listNamespacedService({ namespace: this.runtime.namespace, labelSelector: servingSelector(this.owner, this.name) });
    const names = new Set([...list.items, ...services.items].map(o => o.metadata!.name!).filter(n => !keep.includes(n)));
    await Promise.all([...names].map(n => this.deleteVersion(n)));
  }

  /** Sets the replicas of the versions named. */
  async scale(names: string[], replicas: number): Promise<void> {
    const namespace = this.runtime.namespace;
    await Promise.all(
      names.map(name =>
        this.apps
          .replaceNamespacedDeploymentScale({ namespace, name, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace }, spec: { replicas } } })
          .catch(err => {
            // A version already gone (a switch that just finished) has nothing to scale.
            if (kubeError(err).status !== 404) {
              throw kubeError(err);
            }
          })
      )
    );
  }
}
