/**
 * Job definitions behind the routes: saved job specs with an optional schedule, each scoped to its
 * owner. A run (scheduled or run-now) is an ordinary job submitted as its owner, labelled with the
 * definition so retention and the run history find it.
 */
import crypto from 'node:crypto';
import { ServiceError } from '../errors.js';
import { generateJobId } from '../jobs/ids.js';
import { RETENTION_LABELS } from '../jobs/retention.js';
import type { CreateDefinitionBody, Definition, DefinitionRun, ReplaceDefinitionBody, ScheduleSpec } from '../schemas/definitions.js';
import type { Job, SubmitJobBody } from '../schemas/jobs.js';
import type { JobService } from '../orchestration/jobService.js';
import { DuplicateNameError, type Store } from '../store/store.js';
import { nextTimes, parseSchedule } from './cron.js';
import type { DefinitionRecord, DefinitionStore, RunRecord } from './store.js';

/** What create and replace both carry, with the webhook settled. */
type CreateDefinitionFields = Omit<CreateDefinitionBody, 'definitionId'>;

/** The label naming the definition a run came from. */
export const DEFINITION_LABEL = 'definition';
/** How many next run times a definition shows. */
const NEXT_RUN_COUNT = 3;
/** Most history rows kept per definition (the jobs themselves follow retention). */
export const MAX_HISTORY_ROWS = 1000;

/** What the definition service needs. */
export interface DefinitionServiceOptions {
  definitions: DefinitionStore;
  jobs: JobService;
  store: Store;
  /** The clock (tests move it). */
  now: () => number;
  /** Names this replica in the claims it makes. */
  replicaId: string;
}

/** The job id of a scheduled run: the definition id and the tick's UTC minute, the same on every replica. */
export function tickJobId(definitionId: string, tick: Date): string {
  const iso = tick.toISOString();
  return `${definitionId}_${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 16).replace(':', '')}`;
}

/** Operations on definitions; the scheduler submits its ticks through {@link DefinitionService.submitRun}. */
export class DefinitionService {
  constructor(private readonly opts: DefinitionServiceOptions) {}

  /** The definition as the API shows it, with its next run times. */
  present(record: DefinitionRecord): Definition {
    const d = record.definition;
    const nextRunTimes =
      d.schedule && !d.paused ? nextTimes(parseSchedule(d.schedule), new Date(this.opts.now()), NEXT_RUN_COUNT).map(t => t.toISOString()) : [];
    return { ...d, nextRunTimes };
  }

  /** The next `count` times of a schedule (the submit form's preview), or a 400 naming the field. */
  preview(schedule: ScheduleSpec, count: number): string[] {
    return nextTimes(parseSchedule(schedule, ''), new Date(this.opts.now()), count).map(t => t.toISOString());
  }

  private async record(owner: string, definitionId: string): Promise<DefinitionRecord> {
    const record = await this.opts.definitions.get(owner, definitionId);
    if (!record) {
      throw new ServiceError('not_found', `definition ${definitionId} not found`);
    }
    return record;
  }

  /** Checks a body as a submitted job's, and builds the stored record. */
  private async build(owner: string, definitionId: string, body: CreateDefinitionFields, createTime?: string): Promise<DefinitionRecord> {
    if (body.schedule) {
      parseSchedule(body.schedule);
    }
    const spec = { trainingInput: body.trainingInput, ...(body.labels ? { labels: body.labels } : {}), ...(body.webhook ? { webhook: body.webhook } : {}) };
    await this.opts.jobs.check(owner, spec);
    const now = new Date(this.opts.now()).toISOString();
    return {
      definition: {
        definitionId,
        owner,
        createTime: createTime ?? now,
        updateTime: now,
        trainingInput: body.trainingInput,
        labels: body.labels ?? {},
        ...(body.webhook ? { webhook: { target: new URL(body.webhook.url).origin } } : {}),
        ...(body.schedule ? { schedule: { cron: body.schedule.cron.trim(), timeZone: body.schedule.timeZone ?? 'UTC' } } : {}),
        paused: body.paused ?? false,
        missedRuns: body.missedRuns ?? 'RUN_ONCE',
        ...(body.retention ? { retention: body.retention } : {})
      },
      spec,
      // Ticks before now are not this schedule's: a new or changed schedule starts from here.
      scheduleAnchor: now
    };
  }

  /** Saves a new definition; 409 when the caller has one of that id. */
  async create(owner: string, body: CreateDefinitionBody): Promise<Definition> {
    const { definitionId, ...rest } = body;
    const record = await this.build(owner, definitionId, rest);
    try {
      await this.opts.definitions.create(record);
    } catch (err) {
      if (err instanceof DuplicateNameError) {
        throw new ServiceError('already_exists', `definition ${definitionId} already exists`, 'definitionId');
      }
      throw err;
    }
    return this.present(record);
  }

  /** One of the owner's definitions, or 404. */
  async get(owner: string, definitionId: string): Promise<Definition> {
    return this.present(await this.record(owner, definitionId));
  }

  /** The owner's definitions (everyone's for undefined). */
  async list(owner: string | undefined): Promise<Definition[]> {
    return (await this.opts.definitions.list(owner)).map(r => this.present(r));
  }

  /** Replaces a definition; an unchanged schedule keeps its place, so no tick is run twice or lost. */
  async replace(owner: string, definitionId: string, body: ReplaceDefinitionBody): Promise<Definition> {
    const old = await this.record(owner, definitionId);
    const webhook = body.webhook === undefined ? old.spec.webhook : (body.webhook ?? undefined);
    const record = await this.build(owner, definitionId, { ...body, webhook }, old.definition.createTime);
    const before = old.definition;
    const sameSchedule = JSON.stringify(before.schedule) === JSON.stringify(record.definition.schedule) && before.paused === record.definition.paused;
    if (sameSchedule) {
      record.scheduleAnchor = old.scheduleAnchor;
    }
    await this.opts.definitions.save(record);
    return this.present(record);
  }

  /** Deletes a definition and its history; its jobs stay. */
  async delete(owner: string, definitionId: string): Promise<void> {
    await this.record(owner, definitionId);
    await this.opts.definitions.delete(owner, definitionId);
  }

  /** Pauses or resumes; ticks while paused are neither run nor recorded. */
  async setPaused(owner: string, definitionId: string, paused: boolean): Promise<Definition> {
    const record = await this.record(owner, definitionId);
    if (record.definition.paused !== paused) {
      const now = new Date(this.opts.now()).toISOString();
      record.definition = { ...record.definition, paused, updateTime: now };
      if (!paused) {
        record.scheduleAnchor = now;
      }
      await this.opts.definitions.save(record);
    }
    return this.present(record);
  }

  /** Submits a run now, whatever the schedule says; its errors are the submit's (400 with the field). */
  async runNow(owner: string, definitionId: string): Promise<Job> {
    const record = await this.record(owner, definitionId);
    const now = new Date(this.opts.now());
    const run: RunRecord = {
      owner,
      definitionId,
      tick: `${now.toISOString()}#${crypto.randomBytes(4).toString('hex')}`,
      trigger: 'MANUAL',
      outcome: 'CLAIMED',
      jobId: generateJobId(definitionId, now),
      missedTicks: 0,
      message: 'run now',
      claimedAt: now.toISOString(),
      claimedBy: this.opts.replicaId
    };
    await this.opts.definitions.claim(run);
    return (await this.submitRun(record, run, true))!;
  }

  /**
   * Submits the claimed run `run` as the definition's owner and records the outcome. A job of that id
   * made from this definition means an earlier claimer got this far before it stopped: the run is
   * recorded as submitted, not submitted again. Errors that are not the caller's (the database is
   * gone) leave the claim for the repair pass. With `rethrow`, a refused submit is also the caller's error.
   */
  async submitRun(record: DefinitionRecord, run: RunRecord, rethrow = false): Promise<Job | undefined> {
    const { owner, definitionId } = record.definition;
    const jobId = run.jobId!;
    const retention = record.definition.retention;
    const body: SubmitJobBody = {
      ...structuredClone(record.spec),
      jobId,
      labels: {
        ...record.spec.labels,
        [DEFINITION_LABEL]: definitionId,
        ...(retention ? { [RETENTION_LABELS.group]: definitionId } : {}),
        ...(retention?.keepLastRuns !== undefined ? { [RETENTION_LABELS.keepLast]: String(retention.keepLastRuns) } : {}),
        ...(retention?.deleteAfterDays !== undefined ? { [RETENTION_LABELS.maxAgeDays]: String(retention.deleteAfterDays) } : {})
      }
    };
    const done = (outcome: RunRecord['outcome'], message: string) => this.opts.definitions.finish(owner, definitionId, run.tick, outcome, message, jobId);
    try {
      const job = await this.opts.jobs.submit(owner, body);
      await done('SUBMITTED', run.message);
      return job;
    } catch (err) {
      if (!(err instanceof ServiceError)) {
        throw err;
      }
      if (err.code === 'already_exists') {
        const existing = await this.opts.store.findJob(owner, jobId);
        if (existing?.job.labels?.[DEFINITION_LABEL] === definitionId) {
          await done('SUBMITTED', run.message);
          return undefined;
        }
      }
      await done('FAILED', err.message);
      if (rethrow) {
        throw err;
      }
      return undefined;
    } finally {
      await this.opts.definitions.prune(owner, definitionId, MAX_HISTORY_ROWS);
    }
  }

  /** The newest runs of a definition with the state of each run's job (absent once deleted). */
  async runs(owner: string, definitionId: string, limit: number): Promise<DefinitionRun[]> {
    await this.record(owner, definitionId);
    const rows = await this.opts.definitions.runs(owner, definitionId, limit);
    return Promise.all(
      rows.map(async row => {
        const job = row.jobId && row.outcome !== 'FAILED' && row.outcome !== 'SKIPPED' ? await this.opts.store.findJob(owner, row.jobId) : undefined;
        return {
          scheduledTime: row.tick.split('#')[0],
          trigger: row.trigger,
          outcome: row.outcome,
          ...(row.jobId && row.outcome !== 'SKIPPED' ? { jobId: row.jobId } : {}),
          ...(job ? { jobState: job.job.state } : {}),
          missedTicks: row.missedTicks,
          message: row.message
        };
      })
    );
  }
}
