import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { INPUTS, runPrefix } from '../../artifacts/runs.js';
import { ArtifactStoreError } from '../../artifacts/store.js';
import { writeTar, type TarEntry } from '../../artifacts/tar.js';
import { ServiceError } from '../../errors.js';
import type { RunPlan } from '../../jobs/spec.js';
import { checkAllowedFields, validatePodTemplate, type PodTemplate, type PodTemplateField } from '../../schemas/podTemplate.js';
import type { JobRuntime } from '../../store/store.js';
import type { StageContext } from '../backend.js';
import { folderFiles } from '../local/snapshot.js';
import { notebookKernelName } from '../local/kernels.js';
import type { KubernetesArtifacts } from './options.js';
import { kubeError, toServiceError, type KubeClient } from './client.js';
import { buildManifests, type ManifestOptions } from './manifests.js';
import { packInputs, planRoles, runName, type InputBlob, type KubePlan, type KubeRuntime } from './plan.js';
import { mergePodTemplates } from './podTemplate.js';
import { resolveImages, type ImagePolicy } from './images.js';

/** What staging needs from the backend's settings. */
export interface RunStagerOptions {
  client: KubeClient;
  log: FastifyBaseLogger;
  jobsDir: string;
  defaultImage: string;
  imagePolicy?: ImagePolicy;
  manifests: ManifestOptions;
  maxInputBytes: number;
  podTemplate?: PodTemplate;
  jobPodTemplateFields?: readonly PodTemplateField[];
  artifacts?: KubernetesArtifacts;
  namespaceOf(user: string): string;
  workdir(runId: string): string;
}

/**
 * Turns a submitted job into a Kubernetes run plan at submit time: reads its inputs, merges the pod
 * templates, dry-runs an HPO job's objects and, with an object store, uploads the input snapshot.
 * Nothing is created in the cluster here: the backend creates the run once its record is stored.
 */
export class RunStager {
  /** Owners of jobs staged but not yet stored, for {@link discard}. */
  private readonly staged = new Map<string, string>();

  constructor(private readonly opts: RunStagerOptions) {}

  /** The job's record was stored (or its first run created): nothing to clean up any more. */
  forget(jobId: string): void {
    this.staged.delete(jobId);
  }

  /**
   * Captures the notebook (or packages) for the run's inputs and, for an HPO job, asks the API server to
   * accept its objects without creating them (server-side dry run), so permission (403 naming the
   * namespace), validation (422) and name clashes (409) are reported by the submit call itself.
   */
  async stage(jobId: string, plan: RunPlan, context: StageContext): Promise<JobRuntime> {
    const artifacts = this.opts.artifacts;
    if (plan.notebook?.includeFolder && !artifacts) {
      const field = 'trainingInput.notebook.includeFolder';
      throw new ServiceError('invalid_argument', `${field}: Kubernetes jobs carry the folder through an object store, and this service has none (--artifact-store s3)`, field);
    }
    const jobTemplate = context.input.podTemplate;
    if (jobTemplate) {
      validatePodTemplate(jobTemplate, 'trainingInput.podTemplate');
      checkAllowedFields(jobTemplate, this.opts.jobPodTemplateFields ?? [], 'trainingInput.podTemplate');
    }
    const podTemplate = mergePodTemplates(this.opts.podTemplate, jobTemplate, 'trainingInput.podTemplate');
    const blobs: InputBlob[] = [];
    if (plan.notebook) {
      blobs.push({ name: path.basename(plan.notebook.absPath), field: plan.notebook.field, bytes: readInput(plan.notebook.absPath, plan.notebook.field), binary: false });
    }
    // With an object store, packages and the folder travel as one snapshot there; the ConfigMap keeps the
    // notebook and its parameters. Without one, packages go into the ConfigMap as before.
    const snapshot: TarEntry[] = [];
    for (const p of plan.packages) {
      if (artifacts) {
        readInput(p.absPath, p.field);
        snapshot.push({ name: path.basename(p.absPath), file: p.absPath });
      } else {
        blobs.push({ name: path.basename(p.absPath), field: p.field, bytes: readInput(p.absPath, p.field), binary: true });
      }
    }
    if (plan.notebook?.includeFolder && artifacts) {
      const dir = path.dirname(plan.notebook.absPath);
      for (const f of folderFiles(dir, [...artifacts.excluded, this.opts.jobsDir], artifacts.maxFolderBytes)) {
        if (f.abs !== plan.notebook.absPath) {
          snapshot.push({ name: f.rel.split(path.sep).join('/'), file: f.abs });
        }
      }
    }
    const namespace = this.opts.namespaceOf(context.owner);
    // The image's kernels cannot be listed from here: the runner checks and records the fallback.
    const kernel = plan.notebook ? (plan.kernel?.name ?? notebookKernelName(plan.notebook.absPath)) : undefined;
    const kplan: KubePlan = {
      kind: plan.kind,
      namespace,
      owner: context.owner,
      jobId,
      roles: planRoles(resolveImages(context.input, this.opts.imagePolicy ?? { images: [], allowAnyImage: true }), this.opts.defaultImage),
      priority: plan.priority,
      maxRunningSeconds: plan.maxRunningMs !== undefined ? plan.maxRunningMs / 1000 : undefined,
      notebook: plan.notebook ? path.basename(plan.notebook.absPath) : undefined,
      parameters: plan.notebook?.parameters,
      module: plan.module,
      moduleArgs: plan.moduleArgs,
      packages: plan.packages.map(p => path.basename(p.absPath)),
      files: packInputs(blobs, this.opts.maxInputBytes),
      annotations: { ...context.labels },
      ...(Object.keys(plan.env.values).length || plan.env.secrets.length ? { jobEnv: plan.env } : {}),
      ...(kernel ? { kernel } : {}),
      ...(plan.kernel?.fallback ? { kernelFallback: plan.kernel.fallback } : {}),
      ...(podTemplate ? { podTemplate } : {}),
      ...(artifacts ? { artifacts: true } : {})
    };
    const name = runName(jobId);
    if (context.input.hyperparameters) {
      // An HPO job's objects are its trials', made later: checked now so a bad spec is the submit's 400.
      // Other runs are checked by their real create before the submit is answered (backend.admit).
      await this.dryRun(kplan, jobId, name);
    }
    if (artifacts) {
      kplan.inputsKey = await this.uploadInputs(context.owner, jobId, snapshot);
      this.staged.set(jobId, context.owner);
    }
    const k8s: KubeRuntime = { namespace, name };
    const master = kplan.roles[0].resources;
    return { workdir: this.opts.workdir(jobId), plan: kplan, k8s, request: { ...master }, offsets: { stdout: 0, stderr: 0 } };
  }

  private async dryRun(plan: KubePlan, runId: string, name: string): Promise<void> {
    const manifests = buildManifests(plan, runId, name, plan.files!, this.opts.manifests);
    try {
      await this.opts.client.dryRunCreate(manifests);
    } catch (err) {
      const e = kubeError(err);
      if (e.status === 403 && /exceeded quota/.test(e.message)) {
        // The namespace is full for now: the job is accepted and waits QUEUED for room (or fails then,
        // when it can never fit).
        return;
      }
      if (e.status === 409) {
        throw new ServiceError('already_exists', `job ${plan.jobId} already has Kubernetes objects named ${name} in namespace ${plan.namespace}`, 'jobId');
      }
      throw toServiceError(err, plan.namespace);
    }
  }

  /**
   * Clears what an earlier job of the same id left in the store, then uploads the input snapshot (when
   * there is one) with the service's own credentials; an unreachable store is a 503.
   */
  private async uploadInputs(owner: string, jobId: string, entries: TarEntry[]): Promise<string | undefined> {
    const store = this.opts.artifacts!.store;
    const prefix = runPrefix(owner, jobId);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'laketahoe-inputs-'));
    try {
      await store.deletePrefix(prefix);
      if (entries.length === 0) {
        return undefined;
      }
      const archive = path.join(tmp, INPUTS);
      writeTar(entries, archive);
      await store.putFile(prefix + INPUTS, archive);
      return prefix + INPUTS;
    } catch (err) {
      if (err instanceof ArtifactStoreError) {
        throw new ServiceError('unavailable', `the object store did not take the job's inputs: ${err.message}`);
      }
      throw err;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Removes what staging a job that was never stored uploaded. */
  discard(jobId: string): void {
    // No Kubernetes object is left (admit deletes what a refused create made); the input snapshot was uploaded.
    const owner = this.staged.get(jobId);
    this.staged.delete(jobId);
    if (owner && this.opts.artifacts) {
      void this.opts.artifacts.store.deletePrefix(runPrefix(owner, jobId)).catch(err => this.opts.log.warn({ err, jobId }, 'removing discarded inputs failed'));
    }
  }
}

/** A notebook or package read for the ConfigMap; a missing file is a 404 naming the field. */
function readInput(file: string, field: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new ServiceError('not_found', `${field}: file not found`, field);
  }
}
