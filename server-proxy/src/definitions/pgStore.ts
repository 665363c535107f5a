/** Job definitions in PostgreSQL: the same seam as the SQLite one, for the shared service's replicas. */
import { isUniqueViolation, type Database } from '../store/postgres/database.js';
import { DuplicateNameError } from '../store/store.js';
import {
  DEFINITION_COLUMNS,
  definitionFromRow,
  definitionValues,
  RUN_COLUMNS,
  runFromRow,
  runValues,
  type DefinitionRecord,
  type DefinitionRow,
  type DefinitionStore,
  type RunRecord,
  type RunRow
} from './store.js';

const READ = 'SELECT definition, spec, schedule_anchor FROM job_definitions';

/** DefinitionStore over the service's PostgreSQL database. */
export class PostgresDefinitionStore implements DefinitionStore {
  constructor(private readonly db: Database) {}

  async create(record: DefinitionRecord): Promise<void> {
    try {
      await this.db.query(`INSERT INTO job_definitions (${DEFINITION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, definitionValues(record));
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DuplicateNameError('definition', record.definition.definitionId);
      }
      throw err;
    }
  }

  async get(owner: string, definitionId: string): Promise<DefinitionRecord | undefined> {
    const [row] = await this.db.query<DefinitionRow>(`${READ} WHERE owner = $1 AND definition_id = $2`, [owner, definitionId]);
    return row ? definitionFromRow(row) : undefined;
  }

  async list(owner: string | undefined): Promise<DefinitionRecord[]> {
    const rows =
      owner === undefined
        ? await this.db.query<DefinitionRow>(`${READ} ORDER BY owner, definition_id`)
        : await this.db.query<DefinitionRow>(`${READ} WHERE owner = $1 ORDER BY definition_id`, [owner]);
    return rows.map(definitionFromRow);
  }

  async save(record: DefinitionRecord): Promise<void> {
    const [owner, id, paused, scheduled, anchor, , definition, spec] = definitionValues(record);
    await this.db.query(
      'UPDATE job_definitions SET paused = $1, scheduled = $2, schedule_anchor = $3, definition = $4, spec = $5 WHERE owner = $6 AND definition_id = $7',
      [paused, scheduled, anchor, definition, spec, owner, id]
    );
  }

  async delete(owner: string, definitionId: string): Promise<void> {
    await this.db.transaction(async client => {
      await client.query('DELETE FROM definition_runs WHERE owner = $1 AND definition_id = $2', [owner, definitionId]);
      await client.query('DELETE FROM job_definitions WHERE owner = $1 AND definition_id = $2', [owner, definitionId]);
    });
  }

  async listScheduled(): Promise<DefinitionRecord[]> {
    return (await this.db.query<DefinitionRow>(`${READ} WHERE scheduled = 1 AND paused = 0`)).map(definitionFromRow);
  }

  async lastTick(owner: string, definitionId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ tick: string | null }>(
      "SELECT max(tick) AS tick FROM definition_runs WHERE owner = $1 AND definition_id = $2 AND trigger_kind <> 'MANUAL'",
      [owner, definitionId]
    );
    return row?.tick ?? undefined;
  }

  async claim(run: RunRecord): Promise<boolean> {
    // ON CONFLICT DO NOTHING: of two replicas inserting the same tick at once, exactly one gets a row back.
    const rows = await this.db.query(
      `INSERT INTO definition_runs (${RUN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING tick`,
      runValues(run)
    );
    return rows.length === 1;
  }

  async finish(owner: string, definitionId: string, tick: string, outcome: RunRecord['outcome'], message: string, jobId?: string): Promise<void> {
    await this.db.query(
      'UPDATE definition_runs SET outcome = $1, message = $2, job_id = coalesce($3, job_id) WHERE owner = $4 AND definition_id = $5 AND tick = $6',
      [outcome, message, jobId ?? null, owner, definitionId, tick]
    );
  }

  async staleClaims(before: string): Promise<RunRecord[]> {
    const rows = await this.db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM definition_runs WHERE outcome = 'CLAIMED' AND claimed_at < $1`, [before]);
    return rows.map(runFromRow);
  }

  async reclaim(run: RunRecord, claimedAt: string, claimedBy: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE definition_runs SET claimed_at = $1, claimed_by = $2
       WHERE owner = $3 AND definition_id = $4 AND tick = $5 AND outcome = 'CLAIMED' AND claimed_at = $6 AND claimed_by = $7 RETURNING tick`,
      [claimedAt, claimedBy, run.owner, run.definitionId, run.tick, run.claimedAt, run.claimedBy]
    );
    return rows.length === 1;
  }

  async runs(owner: string, definitionId: string, limit: number): Promise<RunRecord[]> {
    const rows = await this.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM definition_runs WHERE owner = $1 AND definition_id = $2 ORDER BY tick DESC LIMIT $3`,
      [owner, definitionId, limit]
    );
    return rows.map(runFromRow);
  }

  async prune(owner: string, definitionId: string, keep: number): Promise<void> {
    await this.db.query(
      `DELETE FROM definition_runs WHERE owner = $1 AND definition_id = $2 AND outcome <> 'CLAIMED' AND tick < (
         SELECT tick FROM definition_runs WHERE owner = $1 AND definition_id = $2 ORDER BY tick DESC LIMIT 1 OFFSET $3)
       AND tick <> coalesce((SELECT max(tick) FROM definition_runs WHERE owner = $1 AND definition_id = $2 AND trigger_kind <> 'MANUAL'), '')`,
      [owner, definitionId, Math.max(0, keep - 1)]
    );
  }
}
