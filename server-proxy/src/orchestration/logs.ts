import type { LogRetention, Store } from '../store/store.js';
import type { LogLine } from '../schemas/jobs.js';

/**
 * Most log text kept per run (job or trial). Runners may print 64 KiB lines; 100,000 of them were
 * about 6.5 GB in the database. The oldest lines go first, so the end of a log, where failures show, stays.
 */
export const LOG_RETENTION: LogRetention = { lines: 100_000, bytes: 64 * 1024 * 1024 };

/**
 * Most log text in one page (and one step of a log stream). A `limit=10000` page of long lines took
 * the service from 316 to 787 MB; a page now stops early and `nextSeq` says where to go on.
 */
export const LOG_PAGE_BYTES = 1024 * 1024;

/** A page of a run's log as the API answers it. */
export interface LogPage {
  lines: LogLine[];
  /** Pass as `after` to continue. */
  nextSeq: number;
  /** Oldest line still kept. */
  firstSeq: number;
  /** Newest line stored (continue while nextSeq is below it). */
  lastSeq: number;
}

/**
 * Reads a page of a run's log after `after`. A reader that asks for lines older than the oldest one
 * kept first gets a `system` line saying the log was truncated, numbered just before the kept lines
 * so that it is shown once and in place.
 */
export async function readLogPage(store: Store, runId: string, after: number, limit: number): Promise<LogPage> {
  const page = await store.getLogs(runId, after, limit, LOG_PAGE_BYTES);
  const lines = page.lines;
  if (page.firstSeq > 1 && after < page.firstSeq - 1) {
    const dropped = page.firstSeq - 1;
    lines.unshift({
      seq: dropped,
      time: lines[0]?.time ?? new Date().toISOString(),
      stream: 'system',
      text:
        `[log truncated: the first ${dropped} line${dropped === 1 ? ' was' : 's were'} dropped; ` +
        `the service keeps the last ${LOG_RETENTION.lines} lines and ${LOG_RETENTION.bytes / (1024 * 1024)} MiB of a log]`
    });
    if (lines.length > limit) {
      lines.pop();
    }
  }
  const nextSeq = lines.length ? lines[lines.length - 1].seq : Math.max(after, 0);
  return { lines, nextSeq, firstSeq: page.firstSeq, lastSeq: page.lastSeq };
}
