import type { UsageSample } from '../../schemas/usage.js';
import { USAGE_COLUMNS, USAGE_RETENTION, usageFromRow, usageParams, type UsageRow, type UsageStore } from '../usage.js';
import type { Database } from './database.js';

/** Usage samples in the shared PostgreSQL database. */
export class PostgresUsage implements UsageStore {
  constructor(private readonly db: Database) {}

  async addUsage(runId: string, samples: UsageSample[], keep = USAGE_RETENTION): Promise<void> {
    if (samples.length === 0) {
      return;
    }
    const values = samples.map((_, i) => `(${Array.from({ length: 8 }, (__, j) => `$${i * 8 + j + 1}`).join(', ')})`).join(', ');
    await this.db.transaction(async client => {
      await client.query(`INSERT INTO usage_samples (${USAGE_COLUMNS}) VALUES ${values}`, samples.flatMap(s => usageParams(runId, s)));
      const [{ n }] = (await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM usage_samples WHERE job_id = $1', [runId])).rows;
      if (n > keep) {
        // As in SQLite: every other sample but the first and the latest.
        await client.query(
          `DELETE FROM usage_samples WHERE seq IN (
             SELECT seq FROM (
               SELECT seq, ROW_NUMBER() OVER (ORDER BY time_ms, seq) AS k FROM usage_samples WHERE job_id = $1
             ) numbered WHERE k % 2 = 0 AND k < $2)`,
          [runId, n]
        );
      }
    });
  }

  async getUsage(runId: string): Promise<UsageSample[]> {
    const rows = await this.db.query<UsageRow>('SELECT * FROM usage_samples WHERE job_id = $1 ORDER BY time_ms, seq', [runId]);
    return rows.map(usageFromRow);
  }
}
