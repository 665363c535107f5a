import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../errors.js';
import type { BackendInfo, BackendRouter } from '../backends/backend.js';
import { queueOrder } from '../jobs/queueOrder.js';
import { DuplicateJobError, InvalidPageTokenError, type JobPage, type MetricPage, type MetricQuery, type Store } from '../store/store.js';
import { readLogPage, type LogPage } from './logs.js';
import { METRIC_PAGE_SIZE } from '../jobs/metrics.js';
import type { Experiments } from './experiments.js';
import { checkResumeSource, initialHpoOutput, validateHpoInput } from './hpoInput.js';
import { generateJobId, publicJobId, scopedJobKey } from '../jobs/ids.js';
import { presentJob, presentTrial } from './present.js';
import { trialIdList, trialPageJson, type TrialPageQuery } from './trialPageJson.js';
import type { JobRecord } from '../store/store.js';
import type { JobFilter } from '../store/jobSearch.js';
import { isHpoJob } from './jobRuns.js';
import { MAX_LABEL_LENGTH, overlongLabelName, type Job, type SubmitJobBody, type Trial } from '../schemas/jobs.js';
import { isInside } from '../jobs/paths.js';
import { planJob, type RunPlan } from '../jobs/spec.js';
import { failpoint } from '../failpoints.js';
import { isTerminal } from '../jobs/states.js';
import { transition, type JobUpdater } from './statusUpdater.js';
import { checkWebhookUrl, type WebhookDestinationPolicy } from './webhookDestination.js';
import { StepTimes } from './stepTimes.js';

/** A folder's real path when it exists (symlinks resolved, as input paths are), else made absolute. */
function realOrResolved(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Output files a job may serve, by the name used in the URL. */
export const OUTPUT_NAMES = ['output.ipynb', 'output.html'] as const;

/** A 400 on `labels` for a label name longer than submit allows. */
function checkLabelNames(labels: Record<string, string> | undefined): void {
  const name = overlongLabelName(labels);
  if (name !== undefined) {
    throw new ServiceError('invalid_argument', `labels: the name "${name.slice(0, 70)}…" is longer than ${MAX_LABEL_LENGTH} characters`, 'labels');
  }
}

/** Turns a crafted page token into a 400 naming the field, instead of an internal error. */
export async function pageTokenChecked<T>(page: Promise<T>): Promise<T> {
  try {
    return await page;
  } catch (err) {
    if (err instanceof InvalidPageTokenError) {
      throw new ServiceError('invalid_argument', `pageToken: ${err.message}`, 'pageToken');
    }
    throw err;
  }
}

/**
 * The job operations behind the routes: submit, read, list, cancel, logs and metrics, each scoped to
 * the calling user. Job ids are per owner: the routes take and show the id the owner chose, and
 * another user's job is neither visible nor in the way (see scopedJobKey).
 */
export class JobService {
  /** Keys being submitted right now: their folder may exist before their row does. */
  private readonly submitting = new Set<string>();
  /** `<owner>\0<id>` of submissions in flight, so an owner's two equal submissions answer 409. */
  private readonly submittingIds = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly updater: JobUpdater,
    private readonly backend: BackendRouter,
    private readonly rootDir: string,
    private readonly experiments: Experiments,
    private readonly folders: { jobsDir: string; dataDir: string; webhookDestinations: WebhookDestinationPolicy }
  ) {}

  /**
   * Input paths (notebook, packages, jobDir) may not reach into the service's data folder nor into a job
   * folder of a job the caller does not own (another user's outputs run as the caller's). Answered alike
   * for unknown and foreign job ids, so the answer says nothing about other users' jobs.
   */
  private async checkInputsOwned(owner: string, plan: RunPlan): Promise<void> {
    const inputs = [
      ...(plan.notebook ? [plan.notebook] : []),
      ...plan.packages,
      ...(plan.jobDir ? [{ field: 'trainingInput.jobDir', absPath: plan.jobDir }] : [])
    ];
    const dataDir = realOrResolved(this.folders.dataDir);
    const jobsDir = realOrResolved(this.folders.jobsDir);
    for (const { field, absPath } of inputs) {
      if (isInside(dataDir, absPath)) {
        throw new ServiceError('invalid_argument', `${field}: must not point into the service's data folder`, field);
      }
      if (isInside(jobsDir, absPath)) {
        const jobId = path.relative(jobsDir, absPath).split(path.sep)[0];
        const record = jobId ? await this.store.getJob(jobId) : undefined;
        if (!record || record.job.owner !== owner) {
          throw new ServiceError('invalid_argument', `${field}: inside the jobs folder only your own jobs' files can be used`, field);
        }
      }
    }
  }

  /**
   * Checks a job body as submit does (paths, resources, HPO spec, webhook) without staging anything,
   * so a saved definition is refused with the same 400 and field path as a submitted job.
   */
  async check(owner: string, body: SubmitJobBody): Promise<void> {
    const { plan } = await this.validated(owner, structuredClone(body));
    // Staging would say so at submit time; a definition is told now, not at its first tick.
    for (const { field, absPath } of [...(plan.notebook ? [plan.notebook] : []), ...plan.packages]) {
      if (!fs.existsSync(absPath)) {
        throw new ServiceError('invalid_argument', `${field}: ${path.relative(this.rootDir, absPath)} does not exist`, field);
      }
    }
  }

  /** The checks of submit; normalizes `body` (an empty resume source goes, a given one becomes its key). */
  private async validated(owner: string, body: SubmitJobBody): Promise<{ plan: RunPlan; target: { name: 'local' | 'kubernetes' } }> {
    checkLabelNames(body.labels);
    if (body.webhook) {
      checkWebhookUrl(body.webhook.url, this.folders.webhookDestinations);
    }
    const input = body.trainingInput;
    const target = this.backend.select(input.backend);
    const plan = planJob(input, this.rootDir, target.capacity);
    await this.checkInputsOwned(owner, plan);
    const spec = input.hyperparameters;
    if (spec?.resumePreviousJobId === '') {
      delete spec.resumePreviousJobId;
    }
    if (spec?.resumePreviousJobId) {
      // The source is named by the caller's id; checkResume and the controller read it by its key.
      const previous = await this.store.findJob(owner, spec.resumePreviousJobId);
      spec.resumePreviousJobId = previous?.job.jobId ?? spec.resumePreviousJobId;
    }
    if (spec) {
      validateHpoInput(input);
      await checkResumeSource(this.store, owner, spec);
    }
    return { plan, target };
  }

  /** Validates, snapshots and queues a job; `times` gets the duration of each step. */
  async submit(owner: string, body: SubmitJobBody, times = new StepTimes()): Promise<Job> {
    const { plan, target } = await this.validated(owner, body);
    times.mark('validate');
    const input = body.trainingInput;
    const publicId = body.jobId ?? generateJobId(input.notebook?.path ?? plan.module ?? 'job');
    const ownId = `${owner}\0${publicId}`;
    if (this.submittingIds.has(ownId) || (await this.store.findJob(owner, publicId))) {
      throw new ServiceError('already_exists', `job ${publicId} already exists`, 'jobId');
    }
    // Another owner holding the id (or submitting it right now) only changes the key, never the answer.
    const taken = this.submitting.has(publicId) || (await this.store.getJob(publicId)) !== undefined;
    const jobId = taken ? scopedJobKey(owner, publicId) : publicId;
    times.mark('ids');
    if (this.submitting.has(jobId)) {
      throw new ServiceError('already_exists', `job ${publicId} already exists`, 'jobId');
    }
    this.submitting.add(jobId);
    this.submittingIds.add(ownId);
    try {
      const job = presentJob(await this.stageAndCreate(owner, jobId, body, plan, target.name, times));
      times.mark('present');
      return job;
    } finally {
      this.submitting.delete(jobId);
      this.submittingIds.delete(ownId);
    }
  }

  /** The caller's job by the id they chose, or 404 (another user's job is unknown here). */
  private async record(owner: string, jobId: string): Promise<JobRecord> {
    const record = await this.store.findJob(owner, jobId);
    if (!record) {
      throw new ServiceError('not_found', `job ${jobId} not found`);
    }
    return record;
  }

  /** The internal key of the caller's job (what runs, logs and events are keyed by), or 404. */
  async keyOf(owner: string, jobId: string): Promise<string> {
    return (await this.record(owner, jobId)).job.jobId;
  }

  /**
   * Stages the inputs and inserts the job. A working folder left by a submission that crashed between
   * staging and the insert (no job has the id, and no submission of it is in flight) is removed and
   * staged again; otherwise the id answered 409 forever while GET said 404.
   */
  private async stageAndCreate(
    owner: string,
    jobId: string,
    body: SubmitJobBody,
    plan: RunPlan,
    backendName: 'local' | 'kubernetes',
    times: StepTimes
  ): Promise<Job> {
    const input = body.trainingInput;
    const spec = input.hyperparameters;
    const stage = () => this.backend.stage(jobId, plan, { owner, input: { ...input, backend: backendName }, labels: body.labels ?? {} });
    let runtime;
    try {
      try {
        runtime = await stage();
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST' || (await this.store.getJob(jobId))) {
          throw err;
        }
        this.backend.discard(jobId);
        runtime = await stage();
      }
    } catch (err) {
      if ((err as { code?: string }).code === 'EEXIST') {
        throw new ServiceError('already_exists', `job ${publicJobId(jobId)} already exists`, 'jobId');
      }
      throw err;
    }
    failpoint('after-stage');
    times.mark('stage');
    // A cluster backend may know the master's request better (machine types); the local one takes the plan's.
    runtime.request ??= plan.resources;
    if (spec) {
      runtime.hpo = {};
    }
    const now = new Date().toISOString();
    const job: Job = {
      jobId,
      owner,
      state: 'QUEUED',
      createTime: now,
      startTime: null,
      endTime: null,
      errorMessage: '',
      labels: body.labels ?? {},
      trainingInput: { ...input, scaleTier: input.scaleTier ?? 'BASIC', priority: plan.priority, backend: backendName },
      trainingOutput: {
        completedCells: 0,
        totalCells: 0,
        latestMetrics: {},
        exitCode: null,
        resources: { cpu: runtime.request.cpu, memoryBytes: runtime.request.memoryBytes, gpus: [] },
        ...(spec ? initialHpoOutput(spec) : {})
      },
      stateHistory: [{ state: 'QUEUED', time: now, reason: 'submitted' }]
    };
    if (body.webhook) {
      runtime.webhookUrl = body.webhook.url;
      job.webhook = { target: new URL(body.webhook.url).origin, deliveries: [] };
    }
    const record = { job, runtime };
    try {
      await this.store.createJob(record);
    } catch (err) {
      this.backend.discard(jobId);
      if (err instanceof DuplicateJobError) {
        throw new ServiceError('already_exists', `job ${publicJobId(jobId)} already exists`, 'jobId');
      }
      throw err;
    }
    times.mark('store');
    failpoint('after-store');
    // Pushed as QUEUED before anything else happens to it: the backend may start it at once.
    this.updater.announce(record);
    if (spec) {
      // The job itself never runs: the experiment controller queues its trials.
      this.experiments.schedule(jobId);
      return job;
    }
    try {
      // Answered once the record is durable and the backend took the run (on Kubernetes: the Job was
      // created); a refusal removes the record and says so to whoever saw it announced.
      await this.backend.admit({ runId: jobId, priority: plan.priority, order: queueOrder(now), request: plan.resources });
    } catch (err) {
      if (err instanceof ServiceError) {
        await this.store.deleteJob(jobId);
        this.backend.discard(jobId);
        this.updater.announceGone(record);
      }
      throw err;
    }
    times.mark('admit');
    return job;
  }

  /** The configured backends as the caller sees them (cluster and namespace), the default first. */
  backends(user: string): { default: string; backends: BackendInfo[] } {
    const all = this.backend.all.map(b => b.describe(user));
    all.sort((a, b) => Number(b.name === this.backend.defaultName) - Number(a.name === this.backend.defaultName));
    return { default: this.backend.defaultName, backends: all };
  }

  /** The caller's job, or 404. */
  async get(owner: string, jobId: string): Promise<Job> {
    return presentJob((await this.record(owner, jobId)).job);
  }

  /** The owner's jobs matching the filter, newest first; everyone's when owner is undefined. */
  async list(owner: string | undefined, query: Omit<JobFilter, 'owner'> & { pageSize?: number; pageToken?: string }): Promise<JobPage> {
    const page = await pageTokenChecked(this.store.listJobs({ ...query, owner, pageSize: query.pageSize ?? 100 }));
    return { ...page, jobs: page.jobs.map(presentJob) };
  }

  /** Replaces the labels of the caller's job (any state: labels never change how it runs). */
  async setLabels(owner: string, jobId: string, labels: Record<string, string>): Promise<Job> {
    checkLabelNames(labels);
    const record = await this.updater.relabel(await this.keyOf(owner, jobId), labels);
    if (!record) {
      throw new ServiceError('not_found', `job ${jobId} not found`);
    }
    return presentJob(record.job);
  }

  /**
   * Submits a finished job of the caller again: its trainingInput, labels and webhook, under `newJobId`
   * (generated when absent). The copy is validated like any submission, so inputs gone since answer 400.
   */
  async rerun(owner: string, jobId: string, newJobId?: string): Promise<Job> {
    const { job, runtime } = await this.record(owner, jobId);
    if (!isTerminal(job.state)) {
      throw new ServiceError('failed_precondition', `job ${jobId} has not ended (${job.state}): only a finished job runs again`);
    }
    const body: SubmitJobBody = { trainingInput: structuredClone(presentJob(job).trainingInput), labels: { ...job.labels } };
    if (newJobId !== undefined) {
      body.jobId = newJobId;
    }
    if (runtime.webhookUrl) {
      body.webhook = { url: runtime.webhookUrl };
    }
    return this.submit(owner, body);
  }

  /** Cancels: at once when still queued, otherwise by stopping the runner. */
  async cancel(owner: string, jobId: string): Promise<Job> {
    const key = await this.keyOf(owner, jobId);
    let error: ServiceError | undefined;
    const record = await this.updater.update(key, r => {
      if (isTerminal(r.job.state)) {
        error = new ServiceError('failed_precondition', `job ${jobId} has already ended (${r.job.state})`);
        return false;
      }
      if (r.job.state === 'CANCELLING') {
        return false;
      }
      if (r.job.state === 'QUEUED') {
        transition(r, 'CANCELLED', 'cancelled by the user while queued');
      } else {
        transition(r, 'CANCELLING', 'cancel requested by the user');
      }
    });
    if (error) {
      throw error;
    }
    if (isHpoJob(record!)) {
      // Its trials are ended by the controller; finished ones are kept.
      this.experiments.schedule(key);
      return presentJob(record!.job);
    }
    if (record!.job.state === 'CANCELLED') {
      this.backend.dequeue(key);
    } else {
      this.backend.terminate(key);
    }
    return presentJob(record!.job);
  }

  /** Stops an HPO job without cancelling it: no new trials, running trials finish. */
  async stop(owner: string, jobId: string): Promise<Job> {
    const key = await this.keyOf(owner, jobId);
    const record = await this.experiments.requestStop(key);
    return presentJob(record!.job);
  }

  /** A page of the caller's HPO job's trials, in trial order, as the JSON text the route answers (see trialPageJson). */
  async trialsJson(owner: string, jobId: string, query: TrialPageQuery): Promise<string> {
    const trialIds = query.trialIds === undefined ? undefined : trialIdList(query.trialIds);
    const key = await this.keyOf(owner, jobId);
    const rows = this.experiments.trials.listRows(key, { ...query, trialIds });
    return trialPageJson(await pageTokenChecked(rows), publicJobId(key), query.metrics);
  }

  /** One trial of the caller's job. */
  async trial(owner: string, jobId: string, trialId: string): Promise<Trial> {
    const key = await this.keyOf(owner, jobId);
    return presentTrial(await this.experiments.trials.get(key, trialId));
  }

  /** Log lines of a trial after `after`. */
  async trialLogs(owner: string, jobId: string, trialId: string, after: number, limit: number): Promise<LogPage> {
    const key = await this.keyOf(owner, jobId);
    return this.experiments.trials.logs(key, trialId, after, limit);
  }

  /** Absolute path of a trial's output file, or 404. */
  async trialOutputFile(owner: string, jobId: string, trialId: string, name: (typeof OUTPUT_NAMES)[number]): Promise<string> {
    const key = await this.keyOf(owner, jobId);
    return this.experiments.trials.outputFile(key, trialId, name);
  }

  /** Log lines after `after`, within the page's byte budget. */
  async logs(owner: string, jobId: string, after: number, limit: number): Promise<LogPage> {
    const key = await this.keyOf(owner, jobId);
    return readLogPage(this.store, key, after, limit);
  }

  /** A page of the job's metric values, optionally one metric and downsampled for a chart. */
  async metrics(owner: string, jobId: string, query: MetricQuery = {}): Promise<MetricPage> {
    const key = await this.keyOf(owner, jobId);
    return pageTokenChecked(this.store.getMetrics(key, { ...query, pageSize: query.pageSize ?? METRIC_PAGE_SIZE }));
  }

  /** Absolute path of an output file, or 404 when the job has not written it (yet). */
  async outputFile(owner: string, jobId: string, name: (typeof OUTPUT_NAMES)[number]): Promise<string> {
    const key = await this.keyOf(owner, jobId);
    const file = path.join(this.backend.workdir(key), name);
    if (!fs.existsSync(file)) {
      throw new ServiceError('not_found', `job ${jobId} has no ${name} yet`);
    }
    return file;
  }
}
