import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import type { SavedModelRef } from '../backends/runs.js';
import type { EventBus } from '../events.js';
import { isHpoJob } from '../orchestration/jobRuns.js';
import type { Job } from '../schemas/jobs.js';
import { publicJobId } from '../jobs/ids.js';
import type { Store } from '../store/store.js';
import { readSavedModel, resolveModelFolder } from './savedModel.js';
import type { Model, ModelSource, ModelVersion } from '../schemas/serving.js';

/** Service folders that may lie inside rootDir and hold what other users' jobs and deployments wrote. */
export interface ServiceFolders {
  /** Jobs' working directories: `<jobsDir>/<jobId>/...`. */
  jobsDir: string;
  /** The service's own data (database, deployments' model server folders). */
  dataDir: string;
}

/** A folder's real path (symlinks resolved) when it exists, else the path made absolute. */
function realOrResolved(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** `inner`'s path below `outer` (both absolute), or undefined when it is not inside it. */
function below(outer: string, inner: string): string | undefined {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel)) ? rel : undefined;
}

/** What a finished run saved, with its lineage. */
interface RunModels {
  jobId: string;
  trialId: string | null;
  models: SavedModelRef[];
  source: ModelSource;
}

/**
 * The model registry: registers saved model folders as numbered versions of the owner's models, by hand
 * or from a job's (or trial's) `model` records, and registers those automatically when a job succeeds.
 */
export class ModelRegistry {
  constructor(
    private readonly store: Store,
    private readonly rootDir: string,
    private readonly log: FastifyBaseLogger,
    private readonly folders: ServiceFolders
  ) {}

  /**
   * Registers every saved model of a training job once it SUCCEEDS, and for an HPO job those of its
   * best trial once the experiment has ended. Subscribe before the backend starts, so jobs that ended
   * while the service was down are caught as they are settled.
   */
  watchJobs(bus: EventBus): () => void {
    return bus.subscribe(event => {
      if (event.type === 'job' && event.job.state === 'SUCCEEDED') {
        this.registerFinished(event.job).catch(err => this.log.warn({ err, jobId: event.jobId }, 'registering saved models failed'));
      }
    });
  }

  private async registerFinished(job: Job): Promise<void> {
    const best = job.trainingOutput.bestTrial;
    if (job.trainingOutput.isHyperparameterTuningJob && !best) {
      return;
    }
    const run = await this.runModels(job, best?.trialId);
    for (const ref of run?.models ?? []) {
      try {
        await this.registerRef(job.owner, run!, ref);
      } catch (err) {
        this.log.warn({ jobId: job.jobId, model: ref.name, reason: (err as Error).message }, 'saved model not registered');
      }
    }
  }

  /** The saved models and lineage of a job or of one of its trials; undefined when the run is unknown. */
  private async runModels(job: Job, trialId?: string): Promise<RunModels | undefined> {
    if (trialId === undefined) {
      return {
        jobId: job.jobId,
        trialId: null,
        models: job.trainingOutput.models ?? [],
        source: {
          jobId: publicJobId(job.jobId),
          trialId: null,
          hyperparameters: job.trainingInput.notebook?.parameters ?? {},
          metrics: job.trainingOutput.latestMetrics
        }
      };
    }
    const record = await this.store.getTrial(job.jobId, trialId);
    if (!record) {
      return undefined;
    }
    return {
      jobId: job.jobId,
      trialId,
      models: record.runtime.output.models ?? [],
      source: { jobId: publicJobId(job.jobId), trialId, hyperparameters: record.trial.hyperparameters, metrics: record.runtime.output.latestMetrics }
    };
  }

  private registerRef(owner: string, run: RunModels, ref: SavedModelRef): Promise<ModelVersion> {
    const runKey = run.trialId === null ? run.jobId : `${run.jobId}/trials/${run.trialId}`;
    return this.register(owner, ref.path, undefined, run.source, `${runKey}:${ref.name}`);
  }

  /** Registers a saved model folder (relative to rootDir) as the next version of its model. */
  async register(owner: string, folder: string, name?: string, source?: ModelSource, sourceKey?: string): Promise<ModelVersion> {
    // Ownership first: reading another user's folder first would answer 400 (its manifest's faults)
    // where an unknown folder answers 404, telling the caller what exists.
    await this.checkNotOthers(owner, resolveModelFolder(this.rootDir, folder).dir, folder);
    const saved = readSavedModel(this.rootDir, folder, name);
    await this.checkNotOthers(owner, saved.dir, folder);
    return this.store.addModelVersion({
      owner,
      sourceKey,
      version: {
        name: saved.name,
        version: 0,
        framework: saved.framework,
        frameworkVersion: saved.frameworkVersion,
        task: saved.task,
        artifactDir: saved.relDir,
        signature: saved.signature,
        hasBaseline: saved.hasBaseline,
        source: source ?? { jobId: null, trialId: null, hyperparameters: {}, metrics: {} },
        createTime: new Date().toISOString()
      }
    });
  }

  /**
   * A folder in a job's working directory belongs to that job's owner, and the service's data folder to
   * no one: anything else is a 404, as if it did not exist.
   */
  private async checkNotOthers(owner: string, dir: string, folder: string): Promise<void> {
    const notFound = () => new ServiceError('not_found', `model folder ${folder} not found`);
    if (below(realOrResolved(this.folders.dataDir), dir) !== undefined) {
      throw notFound();
    }
    const inJobs = below(realOrResolved(this.folders.jobsDir), dir);
    if (inJobs !== undefined) {
      const jobId = inJobs.split(path.sep)[0];
      const record = jobId ? await this.store.getJob(jobId) : undefined;
      if (!record || record.job.owner !== owner) {
        throw notFound();
      }
    }
  }

  /**
   * `POST /jobs/{jobId}/models`: registers what a succeeded job (an HPO job: its best trial, unless
   * `trialId` names another) saved; the same saved model registered twice stays one version.
   */
  async registerFromJob(owner: string, jobId: string, opts: { trialId?: string; modelName?: string }): Promise<ModelVersion> {
    const record = await this.store.findJob(owner, jobId);
    if (!record) {
      throw new ServiceError('not_found', `job ${jobId} not found`);
    }
    const job = record.job;
    let trialId = opts.trialId;
    if (trialId !== undefined) {
      const trial = await this.store.getTrial(job.jobId, trialId);
      if (!trial) {
        throw new ServiceError('not_found', `trial ${trialId} of job ${jobId} not found`);
      }
      if (trial.trial.state !== 'SUCCEEDED') {
        throw new ServiceError('failed_precondition', `trial ${trialId} of job ${jobId} did not succeed (${trial.trial.state})`, 'trialId');
      }
    } else if (isHpoJob(record)) {
      trialId = job.trainingOutput.bestTrial?.trialId;
      if (!trialId) {
        throw new ServiceError('failed_precondition', `job ${jobId} has no best trial yet`);
      }
    } else if (job.state !== 'SUCCEEDED') {
      throw new ServiceError('failed_precondition', `job ${jobId} did not succeed (${job.state})`);
    }
    const run = (await this.runModels(job, trialId))!;
    const what = trialId === undefined ? `job ${jobId}` : `trial ${trialId} of job ${jobId}`;
    if (run.models.length === 0) {
      throw new ServiceError('failed_precondition', `${what} saved no model`);
    }
    let ref = run.models[0];
    if (opts.modelName !== undefined) {
      const named = run.models.find(m => m.name === opts.modelName);
      if (!named) {
        throw new ServiceError('failed_precondition', `${what} saved no model named ${opts.modelName}`, 'modelName');
      }
      ref = named;
    } else if (run.models.length > 1) {
      const names = run.models.map(m => m.name).join(', ');
      throw new ServiceError('invalid_argument', `${what} saved several models (${names}): name one`, 'modelName');
    }
    return this.registerRef(owner, run, ref);
  }

  /** The owner's models, newest first; everyone's when owner is undefined. */
  list(owner: string | undefined): Promise<Model[]> {
    return this.store.listModels(owner);
  }

  /** One model with its versions, newest first; 404 when unknown. */
  async get(owner: string, name: string): Promise<Model> {
    const model = await this.store.getModel(owner, name);
    if (!model) {
      throw new ServiceError('not_found', `model ${name} not found`);
    }
    return { ...model, versions: await this.store.listModelVersions(owner, name) };
  }

  /** One version (the latest when `version` is undefined); 404 when unknown. */
  async version(owner: string, name: string, version?: number): Promise<ModelVersion> {
    const model = await this.store.getModel(owner, name);
    if (!model) {
      throw new ServiceError('not_found', `model ${name} not found`);
    }
    const found = await this.store.getModelVersion(owner, name, version ?? model.latestVersion);
    if (!found) {
      throw new ServiceError('not_found', `model ${name} has no version ${version}`);
    }
    return found;
  }
}
