import crypto from 'node:crypto';
import path from 'node:path';

/**
 * A readable id for a job submitted without one: the notebook or module name, the UTC time and a
 * short random tail so two submissions in the same second do not collide.
 */
export function generateJobId(source: string, now: Date = new Date()): string {
  const base = path.basename(source).replace(/\.ipynb$/, '').replace(/[^A-Za-z0-9_]/g, '_').slice(0, 80);
  const prefix = /^[A-Za-z]/.test(base) ? base : `job_${base}`;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  const tail = crypto.randomBytes(3).toString('hex');
  return `${prefix}_${stamp}_${tail}`.replace(/_+/g, '_');
}

/**
 * Job ids are per owner: two users may both have `train_1`. Internally a job is stored, staged and
 * run under a key unique across owners: the id itself for the first owner to take it, and
 * `<id>-<owner tag>` for anyone else's. Ids never contain `-`, so a scoped key can never be
 * mistaken for (or taken by) a plain id, and the id is read back from a key without a lookup.
 */
export function scopedJobKey(owner: string, jobId: string): string {
  return `${jobId}-${crypto.createHash('sha256').update(owner).digest('hex').slice(0, 16)}`;
}

/** The owner tag scopedJobKey appends. */
const SCOPED_SUFFIX = /-[0-9a-f]{16}$/;

/**
 * The id the owner sees for a job stored under `key` (see {@link scopedJobKey}): the key without its
 * owner tag. Any other key (a plain id, or a record written by hand) is shown as it is.
 */
export function publicJobId(key: string): string {
  return SCOPED_SUFFIX.test(key) ? key.slice(0, -17) : key;
}
