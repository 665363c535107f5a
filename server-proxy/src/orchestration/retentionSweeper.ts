import type { FastifyBaseLogger } from 'fastify';
import { ServiceError } from '../errors.js';
import { publicJobId } from '../jobs/ids.js';
import { planRetention, type RetentionRule } from '../jobs/retention.js';
import { TERMINAL_STATES } from '../schemas/jobs.js';
import type { Store } from '../store/store.js';
import type { JobDeleter } from './jobDeletion.js';

/** What the sweeper needs. */
export interface RetentionSweeperOptions {
  store: Store;
  deleter: JobDeleter;
  log: FastifyBaseLogger;
  /** The service's per-user rule (`--retention-keep-last`, `--retention-days`); groups have their own. */
  userRule?: RetentionRule;
  /** Time between sweeps. */
  intervalMs: number;
  now?: () => number;
}

/**
 * Applies retention in the background: on a timer, plans which finished jobs go (see planRetention)
 * and deletes them as a user's DELETE would, so outputs, logs, metrics and trials go with them and a
 * job a registered model version needs is kept. One sweep at a time; a failure waits for the next.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(private readonly opts: RetentionSweeperOptions) {}

  /** Starts sweeping every intervalMs (the first sweep after one interval). */
  start(): void {
    if (this.timer) {
      return;
    }
    this.timer = setInterval(() => void this.sweep(), this.opts.intervalMs);
    // A sweep pending must not keep the process alive at shutdown.
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One sweep now (tests and the timer); resolves with the number of jobs deleted. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce()
      .catch(err => {
        this.opts.log.error({ err }, 'retention sweep failed');
        return 0;
      })
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    const { store, deleter, log, userRule, now = Date.now } = this.opts;
    const finished = (await store.listJobsInStates([...TERMINAL_STATES]))
      .filter(r => r.job.endTime)
      .map(r => ({ key: r.job.jobId, owner: r.job.owner, endTime: r.job.endTime!, labels: r.job.labels ?? {} }));
    let deleted = 0;
    for (const decision of planRetention(finished, userRule, now())) {
      try {
        await deleter.delete(decision.owner, publicJobId(decision.key));
        deleted += 1;
        log.info({ jobId: decision.key, owner: decision.owner, reason: decision.reason }, 'retention deleted a job');
      } catch (err) {
        // A job a model version needs (409) stays, and is met again each sweep: not worth a warning.
        const level = err instanceof ServiceError && err.code === 'conflict' ? 'debug' : 'warn';
        log[level]({ jobId: decision.key, reason: (err as Error).message }, 'retention kept a job');
      }
    }
    return deleted;
  }
}
