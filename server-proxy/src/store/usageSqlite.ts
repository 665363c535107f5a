import type Database from 'better-sqlite3';
import type { UsageSample } from '../schemas/usage.js';
import { USAGE_COLUMNS, USAGE_RETENTION, usageFromRow, usageParams, type UsageRow, type UsageStore } from './usage.js';

/** Usage samples in the embedded store's SQLite file. */
export class SqliteUsage implements UsageStore {
  constructor(private readonly db: Database.Database) {}

  async addUsage(runId: string, samples: UsageSample[], keep = USAGE_RETENTION): Promise<void> {
    const insert = this.db.prepare(`INSERT INTO usage_samples (${USAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const s of samples) {
        insert.run(...usageParams(runId, s));
      }
      const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM usage_samples WHERE job_id = ?').get(runId) as { n: number };
      if (n > keep) {
        // Every other sample but the first and the latest: the curve keeps its span at half the resolution.
        this.db
          .prepare(
            `DELETE FROM usage_samples WHERE rowid IN (
               SELECT rowid FROM (
                 SELECT rowid, ROW_NUMBER() OVER (ORDER BY time_ms, rowid) AS k FROM usage_samples WHERE job_id = ?
               ) WHERE k % 2 = 0 AND k < ?)`
          )
          .run(runId, n);
      }
    })();
  }

  async getUsage(runId: string): Promise<UsageSample[]> {
    const rows = this.db.prepare('SELECT * FROM usage_samples WHERE job_id = ? ORDER BY time_ms, rowid').all(runId) as UsageRow[];
    return rows.map(usageFromRow);
  }
}
