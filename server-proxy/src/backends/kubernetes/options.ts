import type { FastifyBaseLogger } from 'fastify';
import type { IngestLimits } from '../../artifacts/runs.js';
import type { ArtifactStore } from '../../artifacts/store.js';
import type { PodTemplate, PodTemplateField } from '../../schemas/podTemplate.js';
import type { KubeClient } from './client.js';
import type { ImagePolicy } from './images.js';
import type { ManifestOptions } from './manifests.js';
import type { UsageSample } from '../../schemas/usage.js';

/** Settings of the Kubernetes backend. */
export interface KubernetesBackendOptions {
  log: FastifyBaseLogger;
  client: KubeClient;
  /** Local folder runs are named under (outputs live on the cluster; the service serves none). */
  jobsDir: string;
  /** `laketahoe-{user}` by default. */
  namespaceTemplate: string;
  /** Explicit user (or `group:<name>`) -> namespace map; wins over the template. */
  namespaceMap?: Record<string, string>;
  /** The groups a user was last seen in (from their sign-in), for the map's `group:` entries. */
  groupsOf?: (user: string) => readonly string[];
  defaultImage: string;
  /** Images a job may choose (`masterConfig.imageUri`); free entry when none are listed. */
  imagePolicy?: ImagePolicy;
  manifests: ManifestOptions;
  /** Most bytes of notebook and packages one job carries (its input ConfigMap). */
  maxInputBytes: number;
  /** The administrator's pod settings for every run. */
  podTemplate?: PodTemplate;
  /** Pod template fields a job may set in `trainingInput.podTemplate`. */
  jobPodTemplateFields?: readonly PodTemplateField[];
  /** Users whose namespaces are checked for objects without a record at start. */
  users?: string[];
  /** Moving inputs and outputs through an object store; without it, outputs stay in the pod. */
  artifacts?: KubernetesArtifacts;
  /** Where resource usage samples of running runs go (read from the kubelets); none are taken without it. */
  recordUsage?: (runId: string, sample: UsageSample) => Promise<void>;
  /** Time between two usage samples of a run (5 s when absent). */
  usageIntervalMs?: number;
}

/** How Kubernetes runs use the artifact store (docs/contracts.md, "Artifact store"). */
export interface KubernetesArtifacts {
  /** A store that can presign (S3-compatible). */
  store: ArtifactStore;
  /** Lifetime of a run's presigned URLs, counted from when its Kubernetes objects are created. */
  grantSeconds: number;
  /** Limits of what one run's outputs may unpack to. */
  limits: IngestLimits;
  /** includeFolder's size limit (as for local runs; past it a 413). */
  maxFolderBytes: number;
  /** The service's root folder (real path): output and model paths are stored relative to it. */
  rootDir: string;
  /** Folders never copied with includeFolder (the data folder, the jobs folder). */
  excluded: string[];
  /** Pause before taking in the outputs again after the store failed (tests lower it). */
  retryMs?: number;
  /** Attempts at taking in the outputs of a succeeded run before it fails. */
  maxAttempts?: number;
}
