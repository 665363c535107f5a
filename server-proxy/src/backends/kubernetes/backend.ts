import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ListWatch } from '@kubernetes/client-node';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../../errors.js';
import { INPUTS, IngestError, ingestRun, MANIFEST, runGrant, runPrefix, type IngestLimits, type IngestResult } from '../../artifacts/runs.js';
import { ArtifactStoreError, type ArtifactStore } from '../../artifacts/store.js';
import { writeTar, type TarEntry } from '../../artifacts/tar.js';
import { folderFiles } from '../local/snapshot.js';
import type { Metric } from '../../schemas/jobs.js';
import type { RunPlan } from '../../jobs/spec.js';
import { isTerminal } from '../../jobs/states.js';
import type { JobRuntime, NewLogLine } from '../../store/store.js';
import type { Backend, BackendInfo, DeriveChange, RunKind, RunRequest, RunView, StageContext } from '../backend.js';
import { RunKinds } from '../runs.js';
import { parseRunnerLine, type RunnerRecord } from '../../runner/protocol.js';
import { applyRunnerRecord } from '../records.js';
import { kubeError, toServiceError, type CoreV1Event, type KubeClient, type V1Job, type V1Pod } from './client.js';
import { buildManifests, CONTAINER, grantSecret, RUNNER_ARTIFACTS_CODE, LABELS, MANAGED_BY, OUTPUT_DIR, roleJobName, RUN_ID_ANNOTATION, type ManifestOptions } from './manifests.js';
import { isDistributedPlan, namespaceFor, packInputs, planRoles, runName, type InputBlob, type KubePlan, type KubeRuntime } from './plan.js';
import { checkAllowedFields, validatePodTemplate, type PodTemplate, type PodTemplateField } from '../../schemas/podTemplate.js';
import { PodLogReader } from './podLog.js';
import { mergePodTemplates } from './podTemplate.js';
import { quotaNeverFits } from './quota.js';

/** Settings of the Kubernetes backend. */
export interface KubernetesBackendOptions {
  log: FastifyBaseLogger;
  client: KubeClient;
  /** Local folder runs are named under (outputs live on the cluster; the service serves none). */
  jobsDir: string;
  /** `laketahoe-{user}` by default. */
  namespaceTemplate: string;
  /** Explicit user -> namespace map; wins over the template. */
  namespaceMap?: Record<string, string>;
  defaultImage: string;
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

/** The watches of one namespace. */
interface NamespaceWatch {
  jobs: ListWatch<V1Job>;
  pods: ListWatch<V1Pod>;
  events: ListWatch<CoreV1Event>;
  /** Settles once every watch has made its first attempt, successful or not. */
  ready: Promise<void>;
  /** Whether every cache holds a complete list: only then can a missing Job mean a deleted one. */
  synced: boolean;
}

/** A run the backend follows. */
interface Tracked {
  runId: string;
  namespace: string;
  name: string;
  /** Whether one of its Jobs has been seen: from then on, no Jobs means they were deleted. */
  seen: boolean;
  deleting: boolean;
  finishing: boolean;
  log?: PodLogReader;
  reconcile?: { running: Promise<void>; again: boolean };
}

const READY_POD_PHASES = new Set(['Running', 'Succeeded', 'Failed']);

function condition(job: V1Job, type: string): { reason?: string; message?: string } | undefined {
  const c = job.status?.conditions?.find(x => x.type === type && x.status === 'True');
  return c ? { reason: c.reason, message: c.message } : undefined;
}

function runIdOf(obj: { metadata?: { annotations?: Record<string, string> } }): string | undefined {
  return obj.metadata?.annotations?.[RUN_ID_ANNOTATION];
}

/**
 * Runs jobs and trials as Kubernetes Jobs in each user's namespace. Kubernetes is the queue
 * (PriorityClasses, ResourceQuota, the scheduler): a run stays QUEUED, with the reason shown, until its
 * pods are scheduled. Status comes from list-and-watch caches of Jobs, pods and FailedCreate events,
 * logs from the pod log API; both are level-triggered, so a restarted service picks up where it was.
 */
export class KubernetesBackend implements Backend {
  readonly name = 'kubernetes' as const;
  readonly capacity = undefined;
  private readonly kinds = new RunKinds();
  private readonly namespaces = new Map<string, NamespaceWatch>();
  private readonly tracked = new Map<string, Tracked>();
  /** Latest FailedCreate message per Job (`namespace/name`): why its pods could not be created. */
  private readonly failedCreates = new Map<string, string>();
  /** Runs whose Job the namespace quota refused (`count/jobs.batch`), by namespace, with their next retry pause. */
  private readonly awaitingQuota = new Map<string, Map<string, number>>();
  /** Owners of runs staged but not yet stored, for {@link discard}. */
  private readonly staged = new Map<string, string>();
  /** Failed attempts at taking in a run's outputs, by run id. */
  private readonly ingestFailures = new Map<string, number>();
  private stopped = false;

  constructor(private readonly opts: KubernetesBackendOptions) {}

  addKind(kind: RunKind): void {
    this.kinds.add(kind);
  }

  /** The namespace a user's jobs run in. */
  namespaceOf(user: string): string {
    return namespaceFor(user, this.opts.namespaceTemplate, this.opts.namespaceMap);
  }

  describe(user: string): BackendInfo {
    return { name: 'kubernetes', server: this.opts.client.server, namespace: this.namespaceOf(user) };
  }

  workdir(runId: string): string {
    return path.join(this.opts.jobsDir, runId);
  }

  /**
   * Captures the notebook (or packages) for the input ConfigMap and asks the API server to accept the
   * objects without creating them (server-side dry run), so permission (403 naming the namespace),
   * validation (422) and name clashes (409) are reported by the submit call itself.
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
    const namespace = this.namespaceOf(context.owner);
    const kplan: KubePlan = {
      kind: plan.kind,
      namespace,
      owner: context.owner,
      jobId,
      roles: planRoles(context.input, this.opts.defaultImage),
      priority: plan.priority,
      maxRunningSeconds: plan.maxRunningMs !== undefined ? plan.maxRunningMs / 1000 : undefined,
      notebook: plan.notebook ? path.basename(plan.notebook.absPath) : undefined,
      parameters: plan.notebook?.parameters,
      module: plan.module,
      moduleArgs: plan.moduleArgs,
      packages: plan.packages.map(p => path.basename(p.absPath)),
      files: packInputs(blobs, this.opts.maxInputBytes),
      annotations: { ...context.labels },
      ...(podTemplate ? { podTemplate } : {}),
      ...(artifacts ? { artifacts: true } : {})
    };
    const name = runName(jobId);
    await this.dryRun(kplan, jobId, name);
    if (artifacts) {
      kplan.inputsKey = await this.uploadInputs(context.owner, jobId, snapshot);
      this.staged.set(jobId, context.owner);
    }
    const k8s: KubeRuntime = { namespace, name };
    const master = kplan.roles[0].resources;
    return { workdir: this.workdir(jobId), plan: kplan, k8s, request: { ...master }, offsets: { stdout: 0, stderr: 0 } };
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

  derive(parent: JobRuntime, runId: string, change: DeriveChange): JobRuntime {
    const base = parent.plan as KubePlan;
    const trialId = runId.split('/')[2];
    const plan: KubePlan = {
      ...base,
      trialId,
      files: undefined,
      filesFrom: base.filesFrom ?? base.jobId,
      parameters: change.parameters ? { ...(base.parameters ?? {}), ...change.parameters } : base.parameters,
      moduleArgs: change.extraArgs ? [...(base.moduleArgs ?? []), ...change.extraArgs] : base.moduleArgs,
      env: { ...(base.env ?? {}), ...(change.env ?? {}) }
    };
    return { workdir: this.workdir(runId), plan, k8s: { namespace: base.namespace, name: runName(runId) }, request: parent.request, offsets: { stdout: 0, stderr: 0 } };
  }

  discard(jobId: string): void {
    // No Kubernetes object was created (staging only asked for a dry run); the input snapshot was uploaded.
    const owner = this.staged.get(jobId);
    this.staged.delete(jobId);
    if (owner && this.opts.artifacts) {
      void this.opts.artifacts.store.deletePrefix(runPrefix(owner, jobId)).catch(err => this.opts.log.warn({ err, jobId }, 'removing discarded inputs failed'));
    }
  }

  enqueue(item: RunRequest): void {
    void this.create(item.runId).catch(err => this.opts.log.error({ err, runId: item.runId }, 'creating the Kubernetes objects failed'));
  }

  dequeue(runId: string): boolean {
    this.terminate(runId);
    return true;
  }

  terminate(runId: string): void {
    void this.deleteRun(runId).catch(err => this.opts.log.error({ err, runId }, 'deleting the Kubernetes objects failed'));
  }

  /** Recovers after a restart: re-creates QUEUED runs (creates are idempotent), re-watches the others. */
  async start(): Promise<void> {
    const queued: string[] = [];
    const active: string[] = [];
    for (const kind of this.kinds) {
      for (const { runId, run, queue } of await kind.recoverable()) {
        if (run.runtime.backend !== 'kubernetes' || !run.runtime.k8s) {
          continue;
        }
        this.track(runId, run.runtime.k8s);
        if (run.state === 'QUEUED') {
          if (queue) {
            queued.push(runId);
          }
        } else {
          active.push(runId);
        }
      }
    }
    for (const user of this.opts.users ?? []) {
      this.watchNamespace(this.namespaceOf(user));
    }
    await Promise.all([...this.namespaces.values()].map(ns => ns.ready));
    await this.reportUnknownObjects();
    for (const runId of queued) {
      this.enqueue({ runId } as RunRequest);
    }
    for (const runId of active) {
      this.schedule(runId);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.tracked.values()) {
      t.log?.close();
    }
    for (const ns of this.namespaces.values()) {
      await Promise.all([ns.jobs.stop(), ns.pods.stop(), ns.events.stop()]);
    }
    this.namespaces.clear();
  }

  // ---- creating and deleting ----

  private async create(runId: string): Promise<void> {
    const run = await this.kinds.read(runId);
    if (!run || run.state !== 'QUEUED' || !run.runtime.k8s) {
      for (const waiting of this.awaitingQuota.values()) {
        waiting.delete(runId);
      }
      return;
    }
    const plan = run.runtime.plan as KubePlan;
    const t = this.track(runId, run.runtime.k8s);
    await this.watchNamespace(t.namespace).ready;
    const files = plan.files ?? (await this.filesOf(plan.filesFrom!));
    if (!files) {
      await this.fail(runId, `the inputs of job ${plan.filesFrom} are gone`);
      return;
    }
    this.staged.delete(plan.filesFrom ?? runId);
    const manifests = buildManifests(plan, runId, t.name, files, this.opts.manifests);
    let secret;
    if (plan.artifacts) {
      try {
        secret = await this.grant(plan, runId, t.name);
      } catch (err) {
        await this.fail(runId, `could not grant the run access to its artifacts: ${(err as Error).message}`);
        return;
      }
    }
    try {
      const [first, ...rest] = manifests.jobs;
      const created = await this.opts.client.createJob(first);
      const owner = [{ apiVersion: 'batch/v1', kind: 'Job', name: created.metadata!.name!, uid: created.metadata!.uid! }];
      // Everything else belongs to the master's Job, so the TTL controller's deletion of it takes them too;
      // those creates do not depend on each other and go out together.
      const owned = <T extends { metadata?: object }>(o: T): T => ({ ...o, metadata: { ...o.metadata, ownerReferences: owner } });
      await Promise.all([
        this.opts.client.createConfigMap(owned(manifests.configMap)),
        ...(secret ? [this.opts.client.createSecret(owned(secret))] : []),
        ...(manifests.service ? [this.opts.client.createService(owned(manifests.service))] : []),
        ...rest.map(job => this.opts.client.createJob(owned(job)))
      ]);
    } catch (err) {
      const e = kubeError(err);
      this.opts.log.warn({ runId, status: e.status, message: e.message }, 'creating Kubernetes objects failed');
      if (e.status === 403 && /exceeded quota/.test(e.message)) {
        if (quotaNeverFits(e.message)) {
          await this.finish(t, 'FAILED', [], [], { message: e.message, reason: 'the request exceeds the namespace quota' });
          return;
        }
        await this.kinds.update(runId, r => this.setQueueReason(r, `namespace quota: ${e.message}`));
        this.awaitQuota(t.namespace, runId);
        return;
      }
      if (e.status === 0 || e.status >= 500) {
        // The API server is unreachable or overloaded: the run stays QUEUED and creation is retried.
        await this.kinds.update(runId, r => this.setQueueReason(r, `waiting for the Kubernetes API: ${e.message}`));
        setTimeout(() => !this.stopped && this.enqueue({ runId } as RunRequest), 5000).unref();
        return;
      }
      await this.fail(runId, toServiceError(err, t.namespace).message + (e.status === 422 || e.status === 403 ? '' : `: ${e.message}`));
      return;
    }
    this.awaitingQuota.get(t.namespace)?.delete(runId);
    // Cancelled while the objects were being created: take them away again.
    const after = await this.kinds.read(runId);
    if (!after || isTerminal(after.state) || after.state === 'CANCELLING') {
      await this.deleteRun(runId);
    }
    this.schedule(runId);
  }

  /**
   * Retries creating a run the quota refused: when one of the namespace's Jobs goes away (the quota
   * controller then frees its share) and, in case that came first, after a growing pause.
   */
  private awaitQuota(namespace: string, runId: string): void {
    let waiting = this.awaitingQuota.get(namespace);
    if (!waiting) {
      waiting = new Map();
      this.awaitingQuota.set(namespace, waiting);
    }
    const pauseMs = Math.min((waiting.get(runId) ?? 2500) * 2, 60_000);
    waiting.set(runId, pauseMs);
    setTimeout(() => {
      if (!this.stopped && this.awaitingQuota.get(namespace)?.has(runId)) {
        this.enqueue({ runId } as RunRequest);
      }
    }, pauseMs).unref();
  }

  /** A Job of the namespace is gone: runs the quota refused may fit now. */
  private retryAwaitingQuota(namespace: string): void {
    for (const runId of this.awaitingQuota.get(namespace)?.keys() ?? []) {
      this.enqueue({ runId } as RunRequest);
    }
  }

  private async deleteRun(runId: string): Promise<void> {
    const run = await this.kinds.read(runId);
    if (!run?.runtime.k8s) {
      return;
    }
    const t = this.track(runId, run.runtime.k8s);
    t.deleting = true;
    const plan = run.runtime.plan as KubePlan;
    await Promise.all(plan.roles.map(r => this.opts.client.deleteJob(t.namespace, roleJobName(t.name, r.role, isDistributedPlan(plan)))));
    this.schedule(runId);
  }

  /** The grant Secret of a run: presigned URLs for its own output keys and its input snapshot. */
  private async grant(plan: KubePlan, runId: string, base: string) {
    const { store, grantSeconds } = this.opts.artifacts!;
    const master = await runGrant(store, plan.owner, runId, plan.inputsKey, grantSeconds);
    const other = { ...master, outputs: {} };
    return grantSecret(plan, runId, base, { master: JSON.stringify(master), other: JSON.stringify(other) });
  }

  /** The input files of a staged run (an HPO job), for its trials. */
  private async filesOf(runId: string): Promise<KubePlan['files']> {
    return ((await this.kinds.read(runId))?.runtime.plan as KubePlan | undefined)?.files;
  }

  // ---- watching ----

  private track(runId: string, k8s: KubeRuntime): Tracked {
    let t = this.tracked.get(runId);
    if (!t) {
      t = { runId, namespace: k8s.namespace, name: k8s.name, seen: false, deleting: false, finishing: false };
      this.tracked.set(runId, t);
      this.watchNamespace(k8s.namespace);
    }
    return t;
  }

  private watchNamespace(namespace: string): NamespaceWatch {
    const existing = this.namespaces.get(namespace);
    if (existing) {
      return existing;
    }
    const selector = `${LABELS.managedBy}=${MANAGED_BY}`;
    const client = this.opts.client;
    const jobs = client.watch<V1Job>(namespace, 'jobs', selector);
    const pods = client.watch<V1Pod>(namespace, 'pods', selector);
    const events = client.watch<CoreV1Event>(namespace, 'events', undefined, 'involvedObject.kind=Job,reason=FailedCreate');
    const onObject = (obj: V1Job | V1Pod) => {
      const runId = runIdOf(obj);
      if (runId && this.tracked.has(runId)) {
        this.schedule(runId);
      }
    };
    const onEvent = (event: CoreV1Event) => {
      const key = `${namespace}/${event.involvedObject.name}`;
      this.failedCreates.set(key, event.message ?? event.reason ?? 'FailedCreate');
      const job = jobs.get(event.involvedObject.name ?? '', namespace);
      const runId = job && runIdOf(job);
      if (runId && this.tracked.has(runId)) {
        this.schedule(runId);
      }
    };
    for (const lw of [jobs, pods] as ListWatch<V1Job | V1Pod>[]) {
      lw.on('add', onObject);
      lw.on('update', onObject);
      lw.on('delete', onObject);
    }
    events.on('add', onEvent);
    events.on('update', onEvent);
    jobs.on('delete', () => this.retryAwaitingQuota(namespace));
    const watch: NamespaceWatch = { jobs, pods, events, ready: Promise.resolve(), synced: false };
    const watches = [jobs, pods, events] as ListWatch<V1Job | V1Pod | CoreV1Event>[];
    const ok = new Set<ListWatch<V1Job | V1Pod | CoreV1Event>>();
    const changed = () => {
      watch.synced = ok.size === watches.length;
      if (watch.synced) {
        // Runs waiting for this namespace are examined now that their objects are known.
        for (const t of this.tracked.values()) {
          if (t.namespace === namespace) {
            this.schedule(t.runId);
          }
        }
      }
    };
    watch.ready = Promise.all(watches.map(lw => this.keepWatching(namespace, lw, ok, changed))).then(() => undefined);
    this.namespaces.set(namespace, watch);
    return watch;
  }

  /**
   * Starts a list-and-watch and keeps it going: the library relists on 410 Gone by itself; on other
   * failures (a dropped connection, a namespace the credentials cannot read) it is started again after
   * a growing pause. `changed` hears whenever the set of healthy watches in `ok` changed.
   */
  private keepWatching<T extends V1Job | V1Pod | CoreV1Event>(
    namespace: string,
    lw: ListWatch<T>,
    ok: Set<ListWatch<T>>,
    changed: () => void
  ): Promise<void> {
    let failed = false;
    let pauseMs = 500;
    lw.on('error', err => {
      failed = true;
      ok.delete(lw);
      changed();
      if (this.stopped) {
        return;
      }
      this.opts.log.warn({ namespace, err: kubeError(err).message }, 'Kubernetes watch failed; restarting');
      pauseMs = Math.min(pauseMs * 2, 30_000);
      setTimeout(() => {
        if (!this.stopped) {
          void attempt();
        }
      }, pauseMs).unref();
    });
    const attempt = async () => {
      failed = false;
      await lw.start();
      if (!failed) {
        pauseMs = 500;
        ok.add(lw);
        changed();
      }
    };
    return attempt();
  }

  /** Logs the runs' objects in the watched namespaces that have no record in the store; they are left alone. */
  private async reportUnknownObjects(): Promise<void> {
    for (const [namespace, ns] of this.namespaces) {
      if (!ns.synced) {
        continue;
      }
      for (const job of ns.jobs.list(namespace)) {
        const runId = runIdOf(job);
        if (runId && !this.tracked.has(runId) && !(await this.kinds.read(runId))) {
          this.opts.log.warn({ namespace, job: job.metadata?.name, runId }, 'Kubernetes Job without a record in the store; leaving it alone');
        }
      }
    }
  }

  /** Re-examines a run soon; calls coalesce. */
  private schedule(runId: string): void {
    const t = this.tracked.get(runId);
    if (!t || this.stopped) {
      return;
    }
    if (t.reconcile) {
      t.reconcile.again = true;
      return;
    }
    const entry = { running: Promise.resolve(), again: false };
    t.reconcile = entry;
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          await this.reconcile(t);
        } while (entry.again && !this.stopped);
      } catch (err) {
        this.opts.log.error({ err, runId }, 'reconciling a Kubernetes run failed');
      } finally {
        t.reconcile = undefined;
      }
    })();
  }

  /** Brings a run's record in line with its Jobs and pods as the caches show them. */
  private async reconcile(t: Tracked): Promise<void> {
    const ns = this.namespaces.get(t.namespace);
    if (!ns || !ns.synced || t.finishing) {
      return;
    }
    const run = await this.kinds.read(t.runId);
    if (!run || isTerminal(run.state)) {
      this.untrack(t);
      return;
    }
    const mine = (o: V1Job | V1Pod) => o.metadata?.labels?.[LABELS.run] === t.name;
    const jobs = ns.jobs.list(t.namespace).filter(mine);
    const pods = ns.pods.list(t.namespace).filter(mine);
    const plan = run.runtime.plan as KubePlan;
    const masterJob = jobs.find(j => j.metadata?.labels?.[LABELS.role] === 'master');
    const masterPod = latest(pods.filter(p => p.metadata?.labels?.[LABELS.role] === 'master'));
    if (jobs.length > 0) {
      t.seen = true;
    }
    if (masterPod && READY_POD_PHASES.has(masterPod.status?.phase ?? '')) {
      this.follow(t, masterPod.metadata!.name!, run);
    }

    if (run.state === 'CANCELLING' || run.runtime.stoppedEarly) {
      if (jobs.length === 0) {
        await this.finish(t, run.state === 'CANCELLING' ? 'CANCELLED' : 'SUCCEEDED', jobs, pods);
      } else if (!t.deleting) {
        await this.deleteRun(t.runId);
      }
      return;
    }
    if (jobs.length === 0) {
      if ((run.state !== 'QUEUED' || t.seen) && plan.artifacts && (await this.committedSuccess(run.owner, t.runId))) {
        // The TTL controller took the Job while the service was down, after the runner had succeeded and
        // committed its outputs: the store says how it ended.
        await this.finish(t, 'SUCCEEDED', jobs, pods);
        return;
      }
      if (run.state !== 'QUEUED' || t.seen) {
        const why = `the Kubernetes Job ${t.name} in namespace ${t.namespace} was deleted outside the service`;
        await this.finish(t, 'FAILED', jobs, pods, { message: why, reason: 'the Kubernetes objects vanished' });
      }
      return;
    }
    const failed = jobs.find(j => condition(j, 'Failed'));
    if (failed) {
      await this.finish(t, 'FAILED', jobs, pods, failure(failed, pods, run));
      return;
    }
    if (masterJob && condition(masterJob, 'Complete')) {
      await this.finish(t, 'SUCCEEDED', jobs, pods);
      return;
    }
    const expected = plan.roles.reduce((n, r) => n + r.replicas, 0);
    const live = pods.filter(p => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Failed');
    const scheduled = live.filter(p => p.spec?.nodeName);
    const quota = this.quotaProblem(t, jobs, live, plan);
    if (quota?.neverFits) {
      await this.finish(t, 'FAILED', jobs, pods, { message: quota.message, reason: 'the request exceeds the namespace quota' });
      await this.deleteRun(t.runId);
      return;
    }
    const unschedulable = live
      .map(p => p.status?.conditions?.find(c => c.type === 'PodScheduled' && c.status === 'False'))
      .find(c => c?.reason === 'Unschedulable');
    await this.kinds.update(t.runId, r => {
      if (r.state === 'QUEUED') {
        if (scheduled.length < expected) {
          const reason = unschedulable ? `unschedulable: ${unschedulable.message}` : quota ? `namespace quota: ${quota.message}` : undefined;
          return reason ? this.setQueueReason(r, reason) : false;
        }
        const master = plan.roles[0].resources;
        r.output.resources = { cpu: master.cpu, memoryBytes: master.memoryBytes, gpus: Array.from({ length: master.gpu }, (_, i) => i) };
        delete r.output.queueReason;
        r.transition('PREPARING', `scheduled on ${[...new Set(scheduled.map(p => p.spec!.nodeName))].join(', ')}`);
      }
      if (r.state === 'PREPARING' && masterPod && READY_POD_PHASES.has(masterPod.status?.phase ?? '')) {
        r.transition('RUNNING', `pod ${masterPod.metadata!.name} started`);
      }
    });
  }

  /** A FailedCreate event of one of the run's Jobs while it has no pods: the namespace quota said no. */
  private quotaProblem(t: Tracked, jobs: V1Job[], live: V1Pod[], plan: KubePlan): { message: string; neverFits: boolean } | undefined {
    for (const job of jobs) {
      const message = this.failedCreates.get(`${t.namespace}/${job.metadata!.name}`);
      const role = job.metadata?.labels?.[LABELS.role];
      const wanted = plan.roles.find(r => r.role === role)?.replicas ?? 1;
      const have = live.filter(p => p.metadata?.labels?.[LABELS.role] === role).length;
      if (message && have < wanted && /exceeded quota/.test(message)) {
        return { message: message.replace(/^Error creating: /, ''), neverFits: quotaNeverFits(message) };
      }
    }
    return undefined;
  }

  private setQueueReason(r: RunView, reason: string): boolean {
    if (r.output.queueReason === reason) {
      return false;
    }
    r.output.queueReason = reason;
    r.note?.(reason);
    return true;
  }

  /** Ends a run: the last log lines first, then the state; a distributed run's other roles are deleted. */
  private async finish(t: Tracked, to: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', jobs: V1Job[], pods: V1Pod[], why?: { message: string; reason: string; exitCode?: number | null; timedOut?: boolean }): Promise<void> {
    const outputs = to === 'CANCELLED' ? undefined : await this.takeOutputs(t.runId);
    if (outputs === 'later') {
      return;
    }
    t.finishing = true;
    try {
      await this.drainLog(t, pods);
      await this.kinds.update(t.runId, r => {
        if (isTerminal(r.state)) {
          return false;
        }
        delete r.output.queueReason;
        if (to === 'CANCELLED') {
          r.transition('CANCELLED', 'cancelled by the user');
          return;
        }
        if (outputs && 'result' in outputs) {
          const rel = (name: string) => path.relative(this.opts.artifacts!.rootDir, path.join(this.workdir(t.runId), name));
          r.output.outputNotebook = outputs.result.outputNotebook ? rel('output.ipynb') : r.output.outputNotebook;
          r.output.outputHtml = outputs.result.outputHtml ? rel('output.html') : r.output.outputHtml;
          // The manifest commits the saved models too, so a log read short loses none.
          const known = new Set((r.output.models ?? []).map(m => m.name));
          const committed = outputs.result.models.filter(name => !known.has(name)).map(name => ({ name, path: rel(path.join('models', name)) }));
          if (committed.length) {
            r.output.models = [...(r.output.models ?? []), ...committed];
          }
        } else if (outputs && to === 'SUCCEEDED' && !r.runtime.stoppedEarly) {
          // Nothing half-taken-in is registered: the run fails, and only succeeded runs register models.
          const message = `could not take in the outputs: ${outputs.error}`;
          if (r.state === 'QUEUED') {
            r.transition('PREPARING', 'the pods ran before the service saw them scheduled');
          }
          r.output.exitCode = 0;
          r.errorMessage = message;
          r.transition('FAILED', message.split('\n')[0]);
          return;
        }
        if (r.state === 'QUEUED' && to === 'SUCCEEDED') {
          r.transition('PREPARING', 'the pods ran before the service saw them scheduled');
        }
        if (to === 'SUCCEEDED') {
          r.output.exitCode = r.runtime.stoppedEarly ? r.output.exitCode : 0;
          r.transition('SUCCEEDED', r.runtime.stoppedEarly ? 'stopped early' : 'the runner finished');
          return;
        }
        r.output.exitCode = why?.exitCode ?? null;
        if (why?.timedOut) {
          r.runtime.timedOut = true;
        }
        r.errorMessage = r.runtime.cellError ?? why?.message ?? 'the Kubernetes Job failed';
        r.transition('FAILED', why?.reason ?? 'the Kubernetes Job failed');
      });
    } finally {
      this.untrack(t);
    }
    const plan = (await this.kinds.read(t.runId))?.runtime.plan as KubePlan | undefined;
    if (plan && isDistributedPlan(plan) && to !== 'CANCELLED') {
      // One role decides for all: parameter servers never exit, and a failed worker dooms the master.
      // A finished master's Job stays for its logs until the TTL controller takes it.
      const master = roleJobName(t.name, 'master', true);
      const masterJob = jobs.find(j => j.metadata?.name === master);
      const masterEnded = masterJob !== undefined && (condition(masterJob, 'Complete') || condition(masterJob, 'Failed'));
      await Promise.all(
        plan.roles
          .map(r => roleJobName(t.name, r.role, true))
          .filter(name => name !== master || !masterEnded)
          .map(name => this.opts.client.deleteJob(t.namespace, name))
      );
    }
  }

  /**
   * Takes in a finished run's uploaded outputs (see artifacts/runs.ts): undefined when the run does not
   * use the store, 'later' while the store fails (retried on a timer, then given up), else the outcome.
   */
  private async takeOutputs(runId: string): Promise<'later' | { result: IngestResult } | { error: string } | undefined> {
    const artifacts = this.opts.artifacts;
    const run = await this.kinds.read(runId);
    if (!artifacts || !run || isTerminal(run.state) || !(run.runtime.plan as KubePlan).artifacts) {
      return undefined;
    }
    try {
      const result = await ingestRun(artifacts.store, run.owner, runId, this.workdir(runId), artifacts.limits);
      this.ingestFailures.delete(runId);
      return { result };
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof ArtifactStoreError) {
        const failures = (this.ingestFailures.get(runId) ?? 0) + 1;
        this.ingestFailures.set(runId, failures);
        if (failures < (artifacts.maxAttempts ?? 12)) {
          this.opts.log.warn({ runId, failures, reason: message }, 'taking in the outputs failed; retrying');
          setTimeout(() => this.schedule(runId), artifacts.retryMs ?? 5000).unref();
          return 'later';
        }
      } else if (!(err instanceof IngestError)) {
        this.opts.log.error({ err, runId }, 'taking in the outputs failed');
      }
      this.ingestFailures.delete(runId);
      return { error: message };
    }
  }

  /** Whether the run's committed manifest says the runner succeeded (false when unknown). */
  private async committedSuccess(owner: string, runId: string): Promise<boolean> {
    try {
      const raw = await this.opts.artifacts!.store.read(runPrefix(owner, runId) + MANIFEST, 1024 * 1024);
      return (JSON.parse(raw.toString('utf8')) as { exitCode?: unknown }).exitCode === 0;
    } catch {
      return false;
    }
  }

  private async fail(runId: string, message: string): Promise<void> {
    await this.kinds.update(runId, r => {
      if (isTerminal(r.state)) {
        return false;
      }
      r.errorMessage = message;
      r.transition(r.state === 'CANCELLING' ? 'CANCELLED' : 'FAILED', message.split('\n')[0]);
    });
  }

  private untrack(t: Tracked): void {
    this.awaitingQuota.get(t.namespace)?.delete(t.runId);
    for (const key of this.failedCreates.keys()) {
      if (key.startsWith(`${t.namespace}/${t.name}`)) {
        this.failedCreates.delete(key);
      }
    }
    t.log?.close();
    this.tracked.delete(t.runId);
  }

  // ---- logs ----

  /** Streams the pod's log into the run, resuming after the lines already stored for that pod. */
  private follow(t: Tracked, pod: string, run: RunView): void {
    if (t.log?.pod === pod || t.finishing || this.stopped) {
      return;
    }
    t.log?.close();
    t.log = this.reader(t, pod, run);
    t.log.follow();
  }

  private reader(t: Tracked, pod: string, run: RunView): PodLogReader {
    const stored = run.runtime.k8s?.log;
    const already = stored?.pod === pod ? stored.lines : 0;
    return new PodLogReader(this.opts.client, t.namespace, pod, already, (lines, storedAfter) => this.store(t.runId, pod, lines, storedAfter), this.opts.log);
  }

  /** Reads the rest of the master pod's log before the run's final state is written. */
  private async drainLog(t: Tracked, pods: V1Pod[]): Promise<void> {
    const masterPod = latest(pods.filter(p => p.metadata?.labels?.[LABELS.role] === 'master'));
    const run = await this.kinds.read(t.runId);
    if (!run || !masterPod || !READY_POD_PHASES.has(masterPod.status?.phase ?? '')) {
      t.log?.close();
      return;
    }
    const pod = masterPod.metadata!.name!;
    const reader = t.log && t.log.pod === pod ? t.log : this.reader(t, pod, run);
    t.log?.close();
    await reader.finish();
  }

  /**
   * Where a path the runner wrote in the pod (absolute, or relative to its working folder) lands once the
   * outputs are taken in, relative to rootDir; undefined outside the working folder.
   */
  private podPath(runId: string, runnerPath: string): string | undefined {
    const abs = path.posix.resolve(OUTPUT_DIR, runnerPath);
    if (!abs.startsWith(OUTPUT_DIR + '/')) {
      return undefined;
    }
    const local = path.join(this.workdir(runId), ...path.posix.relative(OUTPUT_DIR, abs).split('/'));
    return path.relative(this.opts.artifacts!.rootDir, local);
  }

  /** Stores log lines: plain text as log lines, runner records applied, and the line count, in one update. */
  private async store(runId: string, pod: string, lines: string[], storedAfter: number): Promise<void> {
    const now = new Date().toISOString();
    const texts: NewLogLine[] = [];
    const records: RunnerRecord[] = [];
    for (const raw of lines) {
      // With timestamps=true every line starts with the time the container wrote it.
      const space = raw.indexOf(' ');
      const time = space > 0 && !Number.isNaN(Date.parse(raw.slice(0, space))) ? new Date(raw.slice(0, space)).toISOString() : now;
      const parsed = parseRunnerLine(space > 0 ? raw.slice(space + 1) : raw);
      if (parsed.kind === 'record') {
        records.push(parsed.record);
      } else {
        texts.push({ time, stream: 'stdout', text: parsed.text });
      }
    }
    let owner = '';
    const metrics: Metric[] = [];
    const saved = await this.kinds.update(runId, r => {
      owner = r.owner;
      r.runtime.k8s = { ...r.runtime.k8s!, log: { pod, lines: storedAfter } };
      const outputPath = (r.runtime.plan as KubePlan).artifacts ? (p: string) => this.podPath(runId, p) : undefined;
      for (const record of records) {
        applyRunnerRecord(r, record, metrics, now, outputPath);
      }
      if (metrics.length) {
        r.recordMetrics?.(metrics);
      }
    });
    if (saved && (texts.length || metrics.length)) {
      await this.kinds.of(runId).produced(runId, owner, texts, metrics);
    }
  }
}

/** The newest of some pods (a retried pod replaces a failed one). */
function latest(pods: V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) => Date.parse(String(b.metadata?.creationTimestamp ?? 0)) - Date.parse(String(a.metadata?.creationTimestamp ?? 0)))[0];
}

/** Why a Job failed: the runner's exit code and termination message, or the Job controller's reason. */
function failure(job: V1Job, pods: V1Pod[], run: RunView): { message: string; reason: string; exitCode: number | null; timedOut?: boolean } {
  const cond = condition(job, 'Failed')!;
  if (cond.reason === 'DeadlineExceeded') {
    const plan = run.runtime.plan as KubePlan;
    return {
      message: `the job ran longer than its maxRunningTime of ${plan.maxRunningSeconds}s and was stopped`,
      reason: 'exceeded maxRunningTime',
      exitCode: null,
      timedOut: true
    };
  }
  const terminated = pods
    .flatMap(p => (p.status?.containerStatuses ?? []).filter(c => c.name === CONTAINER).map(c => ({ pod: p, state: c.state?.terminated })))
    .filter(x => x.state && x.state.exitCode !== 0);
  const last = terminated[terminated.length - 1];
  if (last?.state) {
    const code = last.state.exitCode;
    const message = last.state.message?.trim();
    const role = last.pod.metadata?.labels?.[LABELS.role];
    const where = role && role !== 'master' ? ` (${role} pod ${last.pod.metadata?.name})` : '';
    return {
      message: message ? `${message}${where}` : `the runner exited with code ${code}${where}`,
      // Exit code 6: the artifact store failed; its message (`could not upload outputs: ...`) is the reason.
      reason: code === RUNNER_ARTIFACTS_CODE && message ? message.split('\n')[0] : `the runner exited with code ${code}`,
      exitCode: code
    };
  }
  return { message: cond.message ?? 'the Kubernetes Job failed', reason: cond.reason ?? 'the Kubernetes Job failed', exitCode: null };
}

/** A notebook or package read for the ConfigMap; a missing file is a 404 naming the field. */
function readInput(file: string, field: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new ServiceError('not_found', `${field}: file not found`, field);
  }
}
