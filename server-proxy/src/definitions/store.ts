/**
 * Persistence of job definitions and of their run history. A scheduled run starts as a row claimed
 * under the key (owner, definition, tick): whoever inserts it first submits the tick, so a restarted
 * service or a second replica never submits it again.
 */
import type Database from 'better-sqlite3';
import type { Definition } from '../schemas/definitions.js';
import type { SubmitJobBody } from '../schemas/jobs.js';
import { DuplicateNameError } from '../store/store.js';

/** What a run submits: a job body without its id (the webhook URL whole, so it is never shown). */
export type DefinitionSpec = Omit<SubmitJobBody, 'jobId'>;

/** A definition as stored: what the API shows (less next run times) and the spec it submits. */
export interface DefinitionRecord {
  definition: Omit<Definition, 'nextRunTimes'>;
  spec: DefinitionSpec;
  /** Ticks at or before this time are not the schedule's (it was created, edited or resumed then). */
  scheduleAnchor?: string;
}

/** One row of a definition's run history. */
export interface RunRecord {
  owner: string;
  definitionId: string;
  /** The tick's ISO time; a run-now's is its time plus `#` and a random tail. */
  tick: string;
  trigger: 'SCHEDULE' | 'MISSED' | 'MANUAL';
  outcome: 'CLAIMED' | 'SUBMITTED' | 'SKIPPED' | 'FAILED';
  jobId?: string;
  missedTicks: number;
  message: string;
  claimedAt: string;
  claimedBy: string;
}

/** Definitions and run history; implemented over SQLite and PostgreSQL. */
export interface DefinitionStore {
  /** Inserts a definition; DuplicateNameError when the owner has one of that id. */
  create(record: DefinitionRecord): Promise<void>;
  get(owner: string, definitionId: string): Promise<DefinitionRecord | undefined>;
  /** The owner's definitions by id; everyone's when owner is undefined. */
  list(owner: string | undefined): Promise<DefinitionRecord[]>;
  /** Replaces an existing definition. */
  save(record: DefinitionRecord): Promise<void>;
  /** Removes a definition and its run history (its jobs stay). */
  delete(owner: string, definitionId: string): Promise<void>;
  /** Every definition with a schedule that is not paused. */
  listScheduled(): Promise<DefinitionRecord[]>;
  /** The latest tick of the schedule that has a row (run, skipped or failed), if any. */
  lastTick(owner: string, definitionId: string): Promise<string | undefined>;
  /** Inserts the run's row unless its key exists; true when this call inserted it (the caller owns the tick). */
  claim(run: RunRecord): Promise<boolean>;
  /** Sets the outcome, message and job of a run. */
  finish(owner: string, definitionId: string, tick: string, outcome: RunRecord['outcome'], message: string, jobId?: string): Promise<void>;
  /** Claims older than `before` whose claimer never finished them (it stopped in between). */
  staleClaims(before: string): Promise<RunRecord[]>;
  /** Takes over a stale claim if nobody else has since; true when this call did. */
  reclaim(run: RunRecord, claimedAt: string, claimedBy: string): Promise<boolean>;
  /** The newest `limit` runs of a definition, newest first. */
  runs(owner: string, definitionId: string, limit: number): Promise<RunRecord[]>;
  /** Drops finished history rows of a definition beyond the newest `keep`. */
  prune(owner: string, definitionId: string, keep: number): Promise<void>;
}

/** A stored row of job_definitions. */
export interface DefinitionRow {
  definition: string;
  spec: string;
  schedule_anchor: string | null;
}

/** A stored row of definition_runs. */
export interface RunRow {
  owner: string;
  definition_id: string;
  tick: string;
  trigger_kind: string;
  outcome: string;
  job_id: string | null;
  missed_ticks: number;
  message: string;
  claimed_at: string;
  claimed_by: string;
}

/** A record from its row. */
export function definitionFromRow(row: DefinitionRow): DefinitionRecord {
  return {
    definition: JSON.parse(row.definition),
    spec: JSON.parse(row.spec),
    ...(row.schedule_anchor ? { scheduleAnchor: row.schedule_anchor } : {})
  };
}

/** A run from its row. */
export function runFromRow(row: RunRow): RunRecord {
  return {
    owner: row.owner,
    definitionId: row.definition_id,
    tick: row.tick,
    trigger: row.trigger_kind as RunRecord['trigger'],
    outcome: row.outcome as RunRecord['outcome'],
    ...(row.job_id ? { jobId: row.job_id } : {}),
    missedTicks: Number(row.missed_ticks),
    message: row.message,
    claimedAt: row.claimed_at,
    claimedBy: row.claimed_by
  };
}

/** The column values of a definition, in the order of {@link DEFINITION_COLUMNS}. */
export function definitionValues(r: DefinitionRecord): [string, string, number, number, string | null, string, string, string] {
  const d = r.definition;
  return [d.owner, d.definitionId, Number(d.paused), Number(d.schedule !== undefined), r.scheduleAnchor ?? null, d.createTime, JSON.stringify(d), JSON.stringify(r.spec)];
}

/** Columns written by create and save. */
export const DEFINITION_COLUMNS = 'owner, definition_id, paused, scheduled, schedule_anchor, create_time, definition, spec';
/** Columns a run is written with. */
export const RUN_COLUMNS = 'owner, definition_id, tick, trigger_kind, outcome, job_id, missed_ticks, message, claimed_at, claimed_by';

/** The column values of a run, in the order of {@link RUN_COLUMNS}. */
export function runValues(r: RunRecord): unknown[] {
  return [r.owner, r.definitionId, r.tick, r.trigger, r.outcome, r.jobId ?? null, r.missedTicks, r.message, r.claimedAt, r.claimedBy];
}

/** The embedded store's definitions, in the service's SQLite file. */
export class SqliteDefinitionStore implements DefinitionStore {
  constructor(private readonly db: Database.Database) {}

  async create(record: DefinitionRecord): Promise<void> {
    try {
      this.db.prepare(`INSERT INTO job_definitions (${DEFINITION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(...definitionValues(record));
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
        throw new DuplicateNameError('definition', record.definition.definitionId);
      }
      throw err;
    }
  }

  async get(owner: string, definitionId: string): Promise<DefinitionRecord | undefined> {
    const row = this.db.prepare('SELECT definition, spec, schedule_anchor FROM job_definitions WHERE owner = ? AND definition_id = ?').get(owner, definitionId);
    return row ? definitionFromRow(row as DefinitionRow) : undefined;
  }

  async list(owner: string | undefined): Promise<DefinitionRecord[]> {
    const rows =
      owner === undefined
        ? this.db.prepare('SELECT definition, spec, schedule_anchor FROM job_definitions ORDER BY owner, definition_id').all()
        : this.db.prepare('SELECT definition, spec, schedule_anchor FROM job_definitions WHERE owner = ? ORDER BY definition_id').all(owner);
    return (rows as DefinitionRow[]).map(definitionFromRow);
  }

  async save(record: DefinitionRecord): Promise<void> {
    const [owner, id, paused, scheduled, anchor, , definition, spec] = definitionValues(record);
    this.db
      .prepare('UPDATE job_definitions SET paused = ?, scheduled = ?, schedule_anchor = ?, definition = ?, spec = ? WHERE owner = ? AND definition_id = ?')
      .run(paused, scheduled, anchor, definition, spec, owner, id);
  }

  async delete(owner: string, definitionId: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM definition_runs WHERE owner = ? AND definition_id = ?').run(owner, definitionId);
      this.db.prepare('DELETE FROM job_definitions WHERE owner = ? AND definition_id = ?').run(owner, definitionId);
    })();
  }

  async listScheduled(): Promise<DefinitionRecord[]> {
    const rows = this.db.prepare('SELECT definition, spec, schedule_anchor FROM job_definitions WHERE scheduled = 1 AND paused = 0').all();
    return (rows as DefinitionRow[]).map(definitionFromRow);
  }

  async lastTick(owner: string, definitionId: string): Promise<string | undefined> {
    const row = this.db
      .prepare("SELECT max(tick) AS tick FROM definition_runs WHERE owner = ? AND definition_id = ? AND trigger_kind <> 'MANUAL'")
      .get(owner, definitionId) as { tick: string | null };
    return row.tick ?? undefined;
  }

  async claim(run: RunRecord): Promise<boolean> {
    const result = this.db.prepare(`INSERT OR IGNORE INTO definition_runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...runValues(run));
    return result.changes === 1;
  }

  async finish(owner: string, definitionId: string, tick: string, outcome: RunRecord['outcome'], message: string, jobId?: string): Promise<void> {
    this.db
      .prepare('UPDATE definition_runs SET outcome = ?, message = ?, job_id = coalesce(?, job_id) WHERE owner = ? AND definition_id = ? AND tick = ?')
      .run(outcome, message, jobId ?? null, owner, definitionId, tick);
  }

  async staleClaims(before: string): Promise<RunRecord[]> {
    const rows = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM definition_runs WHERE outcome = 'CLAIMED' AND claimed_at < ?`).all(before);
    return (rows as RunRow[]).map(runFromRow);
  }

  async reclaim(run: RunRecord, claimedAt: string, claimedBy: string): Promise<boolean> {
    const result = this.db
      .prepare(
        "UPDATE definition_runs SET claimed_at = ?, claimed_by = ? WHERE owner = ? AND definition_id = ? AND tick = ? AND outcome = 'CLAIMED' AND claimed_at = ? AND claimed_by = ?"
      )
      .run(claimedAt, claimedBy, run.owner, run.definitionId, run.tick, run.claimedAt, run.claimedBy);
    return result.changes === 1;
  }

  async runs(owner: string, definitionId: string, limit: number): Promise<RunRecord[]> {
    const rows = this.db
      .prepare(`SELECT ${RUN_COLUMNS} FROM definition_runs WHERE owner = ? AND definition_id = ? ORDER BY tick DESC LIMIT ?`)
      .all(owner, definitionId, limit);
    return (rows as RunRow[]).map(runFromRow);
  }

  async prune(owner: string, definitionId: string, keep: number): Promise<void> {
    // The newest scheduled tick stays whatever `keep` is: it is the schedule's cursor.
    this.db
      .prepare(
        `DELETE FROM definition_runs WHERE owner = ? AND definition_id = ? AND outcome <> 'CLAIMED' AND tick < (
           SELECT tick FROM definition_runs WHERE owner = ? AND definition_id = ? ORDER BY tick DESC LIMIT 1 OFFSET ?)
         AND tick <> coalesce((SELECT max(tick) FROM definition_runs WHERE owner = ? AND definition_id = ? AND trigger_kind <> 'MANUAL'), '')`
      )
      .run(owner, definitionId, owner, definitionId, Math.max(0, keep - 1), owner, definitionId);
  }
}
