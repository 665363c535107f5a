import fs from 'node:fs';
import path from 'node:path';
import { runPrefix } from '../../artifacts/runs.js';
import { ServiceError } from '../../errors.js';
import type { RunPlan } from '../../jobs/spec.js';
import { isTerminal } from '../../jobs/states.js';
import type { JobRuntime } from '../../store/store.js';
import type { Backend, BackendInfo, DeriveChange, RunKind, RunRequest, RunView, StageContext } from '../backend.js';
import { RunKinds } from '../runs.js';
import { kubeError, toServiceError, worthRetrying, retryPauseMs, type V1Job, type V1Pod } from './client.js';
import { RunLogs, type FollowedRun } from './logs.js';
import { buildManifests, LABELS, roleJobName } from './manifests.js';
import type { KubernetesBackendOptions } from './options.js';

export type { KubernetesArtifacts, KubernetesBackendOptions } from './options.js';
import { RunOutputs } from './outputs.js';
import { isDistributedPlan, namespaceFor, runName, type KubePlan, type KubeRuntime } from './plan.js';
import { QuotaWaits, quotaNeverFits } from './quota.js';
import { RunStager } from './staging.js';
import { condition, endRun, failure, latest, READY_POD_PHASES, runIdOf, type Ending } from './status.js';
import { NamespaceWatches } from './watches.js';
import { KubeUsageSampler, runningPods, type KubeSampledRun } from './usage.js';

/** A run the backend follows. */
interface Tracked extends FollowedRun {
  name: string;
  /** Whether one of its Jobs has been seen: from then on, no Jobs means they were deleted. */
  seen: boolean;
  deleting: boolean;
  reconcile?: { running: Promise<void>; again: boolean };
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
  private readonly tracked = new Map<string, Tracked>();
  private readonly watches: NamespaceWatches;
  private readonly stager: RunStager;
  private readonly logs: RunLogs;
  /** Taking in outputs through the object store, when the service has one. */
  private readonly outputs?: RunOutputs;
  private readonly usage?: KubeUsageSampler;
  private readonly quotaWaits = new QuotaWaits(runId => this.enqueue({ runId } as RunRequest), () => this.stopped);
  private stopped = false;

  constructor(private readonly opts: KubernetesBackendOptions) {
    const workdir = (runId: string) => this.workdir(runId);
    this.watches = new NamespaceWatches({
      client: opts.client,
      log: opts.log,
      onRunChanged: runId => this.schedule(runId),
      onJobDeleted: namespace => this.quotaWaits.jobGone(namespace),
      // Runs waiting for this namespace are examined now that their objects are known.
      onSynced: namespace => [...this.tracked.values()].filter(t => t.namespace === namespace).forEach(t => this.schedule(t.runId))
    });
    this.stager = new RunStager({ ...opts, namespaceOf: user => this.namespaceOf(user), workdir });
    this.logs = new RunLogs({ client: opts.client, log: opts.log, kinds: this.kinds, workdir, rootDir: opts.artifacts?.rootDir, isStopped: () => this.stopped });
    if (opts.artifacts) {
      this.outputs = new RunOutputs({ artifacts: opts.artifacts, kinds: this.kinds, log: opts.log, workdir, retry: runId => this.schedule(runId) });
    }
    if (opts.recordUsage) {
      this.usage = new KubeUsageSampler({
        log: opts.log,
        intervalMs: opts.usageIntervalMs ?? 5000,
        runs: () => this.sampledRuns(),
        nodeMetrics: node => opts.client.nodeResourceMetrics(node),
        // A quarter of the client's rate limit at most: creates and deletes must not queue behind samples.
        maxNodeReadsPerSecond: opts.client.limiter.qps / 4,
        record: opts.recordUsage,
        unavailable: async (runId, reason) => {
          await this.kinds.update(runId, r => {
            r.runtime.usageUnavailable = reason;
          });
        }
      });
    }
  }

  addKind(kind: RunKind): void {
    this.kinds.add(kind);
  }

  /** The namespace a user's jobs run in. */
  namespaceOf(user: string): string {
    return namespaceFor(user, this.opts.namespaceTemplate, this.opts.namespaceMap, this.opts.groupsOf?.(user));
  }

  describe(user: string): BackendInfo {
    const policy = this.opts.imagePolicy ?? { images: [], allowAnyImage: true };
    return { name: 'kubernetes', server: this.opts.client.server, namespace: this.namespaceOf(user), images: policy.images, allowAnyImage: policy.allowAnyImage };
  }

  workdir(runId: string): string {
    return path.join(this.opts.jobsDir, runId);
  }

  /** Captures the inputs; see {@link admit} and RunStager for how the objects are checked at submit. */
  stage(jobId: string, plan: RunPlan, context: StageContext): Promise<JobRuntime> {
    return this.stager.stage(jobId, plan, context);
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
    this.stager.discard(jobId);
  }

  async purge(jobId: string, owner: string, runIds: string[]): Promise<void> {
    // Ended runs' Jobs are normally left to their TTL; deleting them now frees the namespace at once.
    await Promise.all(runIds.map(runId => this.deleteRun(runId).catch(err => this.opts.log.warn({ err, runId }, 'deleting a deleted job\'s objects failed'))));
    if (this.opts.artifacts) {
      await this.opts.artifacts.store.deletePrefix(runPrefix(owner, jobId));
    }
    await fs.promises.rm(this.workdir(jobId), { recursive: true, force: true });
  }

  enqueue(item: RunRequest): void {
    void this.create(item.runId).catch(err => this.opts.log.error({ err, runId: item.runId }, 'creating the Kubernetes objects failed'));
  }

  /**
   * Creates a submitted run's objects before the submit is answered, instead of a dry run before it and
   * the create after: the API server's refusal (403 naming the namespace, 422, a name taken: 409) is the
   * submit's answer, and nothing of the run is left in the cluster then. A full namespace quota or an
   * unreachable API server leave the run QUEUED, as for any run.
   */
  async admit(item: RunRequest): Promise<void> {
    await this.create(item.runId, true);
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
    this.stopped = false;
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
      this.watch(this.namespaceOf(user));
    }
    await Promise.all([...this.watches.entries()].map(([, ns]) => ns.ready));
    await this.reportUnknownObjects();
    for (const runId of queued) {
      this.enqueue({ runId } as RunRequest);
    }
    for (const runId of active) {
      this.schedule(runId);
    }
    this.usage?.start();
  }

  /** The followed runs with their running pods, from the watch caches (no API call). */
  private sampledRuns(): KubeSampledRun[] {
    return [...this.tracked.values()].map(t => {
      const pods = this.watches.get(t.namespace)?.pods.list(t.namespace) ?? [];
      return { runId: t.runId, ...runningPods(pods.filter(p => p.metadata?.labels?.[LABELS.run] === t.name)) };
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.usage?.stop();
    for (const t of this.tracked.values()) {
      t.log?.close();
    }
    await this.watches.stop();
  }

  // ---- creating and deleting ----

  private async create(runId: string, fresh = false): Promise<void> {
    const run = await this.kinds.read(runId);
    if (!run || run.state !== 'QUEUED' || !run.runtime.k8s) {
      this.quotaWaits.done(runId);
      return;
    }
    const plan = run.runtime.plan as KubePlan;
    const t = this.track(runId, run.runtime.k8s);
    await this.watch(t.namespace).ready;
    const files = plan.files ?? (await this.filesOf(plan.filesFrom!));
    if (!files) {
      await this.fail(runId, `the inputs of job ${plan.filesFrom} are gone`);
      return;
    }
    this.stager.forget(plan.filesFrom ?? runId);
    const manifests = buildManifests(plan, runId, t.name, files, this.opts.manifests);
    let secret;
    if (plan.artifacts) {
      try {
        secret = await this.outputs!.grant(plan, runId, t.name);
      } catch (err) {
        await this.fail(runId, `could not grant the run access to its artifacts: ${(err as Error).message}`);
        return;
      }
    }
    let created;
    try {
      const [first, ...rest] = manifests.jobs;
      created = await this.opts.client.createJob(first, fresh);
      const owner = [{ apiVersion: 'batch/v1', kind: 'Job', name: created.metadata!.name!, uid: created.metadata!.uid! }];
      // Everything else belongs to the master's Job, so the TTL controller's deletion of it takes them too;
      // those creates do not depend on each other and go out together.
      const owned = <T extends { metadata?: object }>(o: T): T => ({ ...o, metadata: { ...o.metadata, ownerReferences: owner } });
      await Promise.all([
        ...(manifests.configMap ? [this.opts.client.createConfigMap(owned(manifests.configMap), fresh)] : []),
        ...(secret ? [this.opts.client.createSecret(owned(secret), fresh)] : []),
        ...(manifests.service ? [this.opts.client.createService(owned(manifests.service), fresh)] : []),
        ...rest.map(job => this.opts.client.createJob(owned(job), fresh))
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
        this.quotaWaits.wait(t.namespace, runId);
        return;
      }
      if (worthRetrying(e)) {
        // The API server is unreachable or overloaded, or the quota lost an update race: the run stays
        // QUEUED and creation is retried (a race soon, without noting it on the run: it is over at once).
        if (e.status !== 409) {
          await this.kinds.update(runId, r => this.setQueueReason(r, `waiting for the Kubernetes API: ${e.message}`));
        }
        setTimeout(() => !this.stopped && this.enqueue({ runId } as RunRequest), retryPauseMs(e)).unref();
        return;
      }
      if (fresh) {
        // Refused at submit: the record goes (the caller removes it), and so does what was made.
        this.untrack(t);
        if (created) {
          await this.opts.client.deleteJob(t.namespace, created.metadata!.name!);
        }
        throw e.status === 409
          ? new ServiceError('already_exists', `job ${plan.jobId} already has Kubernetes objects named ${t.name} in namespace ${t.namespace}`, 'jobId')
          : toServiceError(err, t.namespace);
      }
      await this.fail(runId, toServiceError(err, t.namespace).message + (e.status === 422 || e.status === 403 ? '' : `: ${e.message}`));
      return;
    }
    this.quotaWaits.done(runId, t.namespace);
    // Cancelled while the objects were being created: take them away again.
    const after = await this.kinds.read(runId);
    if (!after || isTerminal(after.state) || after.state === 'CANCELLING') {
      await this.deleteRun(runId);
    }
    this.schedule(runId);
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
      this.watch(k8s.namespace);
    }
    return t;
  }

  private watch(namespace: string) {
    return this.watches.get(namespace) ?? this.watches.watch(namespace);
  }

  /** Logs the runs' objects in the watched namespaces that have no record in the store; they are left alone. */
  private async reportUnknownObjects(): Promise<void> {
    for (const [namespace, ns] of this.watches.entries()) {
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
    const ns = this.watches.get(t.namespace);
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
      this.logs.follow(t, masterPod.metadata!.name!, run);
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
      if ((run.state !== 'QUEUED' || t.seen) && plan.artifacts && this.outputs && (await this.outputs.committedSuccess(run.owner, t.runId))) {
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
      const message = this.watches.failedCreate(t.namespace, job.metadata!.name!);
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
  private async finish(t: Tracked, to: 'SUCCEEDED' | 'FAILED' | 'CANCELLED', jobs: V1Job[], pods: V1Pod[], why?: Ending): Promise<void> {
    const outputs = to === 'CANCELLED' || !this.outputs ? undefined : await this.outputs.take(t.runId);
    if (outputs === 'later') {
      return;
    }
    t.finishing = true;
    try {
      await this.logs.drain(t, pods);
      const rel = (name: string) => path.relative(this.opts.artifacts!.rootDir, path.join(this.workdir(t.runId), name));
      await this.kinds.update(t.runId, r => endRun(r, to, outputs, rel, why));
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
    this.quotaWaits.done(t.runId, t.namespace);
    this.watches.forgetFailedCreates(t.namespace, t.name);
    t.log?.close();
    this.tracked.delete(t.runId);
  }


}

