/**
 * Fires definitions' schedules. Each pass looks at every scheduled definition, finds the ticks due
 * since its last recorded one, and claims the latest by inserting its row under the key (owner,
 * definition, tick) before submitting. Only the one insert that succeeds submits, whichever replica or
 * restart makes it, and the run's job id is derived from the tick, so even a repaired claim cannot make
 * a second job. Safe with several replicas on its own; start/stop let a leader-only controller run it.
 */
import type { FastifyBaseLogger } from 'fastify';
import { dueTicks, parseSchedule } from './cron.js';
import { tickJobId, type DefinitionService } from './service.js';
import type { DefinitionRecord, DefinitionStore, RunRecord } from './store.js';

/** What the scheduler needs. */
export interface SchedulerOptions {
  definitions: DefinitionStore;
  service: DefinitionService;
  log: FastifyBaseLogger;
  now: () => number;
  /** Time between passes. */
  intervalMs: number;
  /** A tick found later than this after its time was missed (the service was down), not just reached. */
  lateAfterMs: number;
  /** A claim not finished after this long belonged to a replica that stopped: it is taken over. */
  claimTimeoutMs: number;
  /** Names this replica in its claims. */
  replicaId: string;
}

/** The schedule controller: one pass every intervalMs while started. */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private passing: Promise<void> | undefined;

  constructor(private readonly opts: SchedulerOptions) {}

  /** Starts passing: one pass now (ticks missed while down), then every intervalMs. */
  start(): void {
    if (this.timer) {
      return;
    }
    this.timer = setInterval(() => void this.pass(), this.opts.intervalMs);
    this.timer.unref();
    void this.pass();
  }

  /** Stops passing and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.passing;
  }

  /** One pass now (the timer, and tests with their own clock); passes never overlap. */
  pass(): Promise<void> {
    this.passing ??= this.passOnce()
      .catch(err => this.opts.log.error({ err }, 'schedule pass failed'))
      .finally(() => {
        this.passing = undefined;
      });
    return this.passing;
  }

  private async passOnce(): Promise<void> {
    await this.repairClaims();
    for (const record of await this.opts.definitions.listScheduled()) {
      try {
        await this.fire(record);
      } catch (err) {
        // One definition's trouble (its database row, a bad stored schedule) must not stop the others.
        this.opts.log.warn({ err, owner: record.definition.owner, definitionId: record.definition.definitionId }, 'schedule tick failed');
      }
    }
  }

  /** Claims and submits (or records as skipped) the latest due tick of one definition. */
  private async fire(record: DefinitionRecord): Promise<void> {
    const { owner, definitionId, schedule, missedRuns } = record.definition;
    const now = this.opts.now();
    const last = await this.opts.definitions.lastTick(owner, definitionId);
    const from = [record.scheduleAnchor, last].filter((t): t is string => t !== undefined).sort().pop() ?? record.definition.createTime;
    const due = dueTicks(parseSchedule(schedule!), new Date(from), new Date(now));
    if (!due) {
      return;
    }
    const late = now - due.latest.getTime() > this.opts.lateAfterMs;
    const skip = late && missedRuns === 'SKIP';
    const earlier = due.count - 1;
    const claimedAt = new Date(now).toISOString();
    const run: RunRecord = {
      owner,
      definitionId,
      tick: due.latest.toISOString(),
      trigger: late ? 'MISSED' : 'SCHEDULE',
      outcome: skip ? 'SKIPPED' : 'CLAIMED',
      jobId: tickJobId(definitionId, due.latest),
      missedTicks: earlier,
      message: describe(late, skip, earlier),
      claimedAt,
      claimedBy: this.opts.replicaId
    };
    if (!(await this.opts.definitions.claim(run)) || skip) {
      return;
    }
    await this.opts.service.submitRun(record, run);
  }

  /** Takes over claims whose replica stopped between claiming and recording the outcome. */
  private async repairClaims(): Promise<void> {
    const now = this.opts.now();
    const stale = await this.opts.definitions.staleClaims(new Date(now - this.opts.claimTimeoutMs).toISOString());
    for (const run of stale) {
      const record = await this.opts.definitions.get(run.owner, run.definitionId);
      if (!record || !(await this.opts.definitions.reclaim(run, new Date(now).toISOString(), this.opts.replicaId))) {
        continue;
      }
      this.opts.log.info({ owner: run.owner, definitionId: run.definitionId, tick: run.tick }, 'finishing a tick claimed by a stopped replica');
      await this.opts.service.submitRun(record, run);
    }
  }
}

/** The history message of a tick. */
function describe(late: boolean, skip: boolean, earlier: number): string {
  const others = earlier > 0 ? ` (${earlier} earlier tick${earlier === 1 ? '' : 's'} also missed)` : '';
  if (skip) {
    return `missed while the service was not running; skipped as the definition says${others}`;
  }
  if (late) {
    return `missed while the service was not running; run once${others}`;
  }
  return earlier > 0 ? `scheduled${others}` : 'scheduled';
}
