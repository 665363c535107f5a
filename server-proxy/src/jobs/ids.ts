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
