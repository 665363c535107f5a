/**
 * Which jobs a listing shows, written once for both stores: the filters become SQL conditions over the
 * `jobs` columns and the `job_labels` table, with the dialect's placeholders and substring function.
 */
import type { JobState } from '../schemas/jobs.js';

/** One label a job must carry: any value, or exactly this one. */
export interface LabelFilter {
  key: string;
  value?: string;
}

/** The filters of a job listing; every one given must hold. */
export interface JobFilter {
  /** Only this owner's jobs; everyone's when undefined (an admin's listing). */
  owner: string | undefined;
  state?: JobState;
  /** Case-insensitive text in the job's id or its notebook's path. */
  text?: string;
  /** Exactly this notebook path (relative to the root directory). */
  notebook?: string;
  labels?: LabelFilter[];
}

/** How one SQL dialect spells what the filters need. */
export interface SearchDialect {
  /** Adds a parameter and answers its placeholder (`?` or `$n`). */
  param(value: unknown): string;
  /** A condition true when `column` contains the (already lower-cased) text behind `placeholder`. */
  contains(column: string, placeholder: string): string;
}

/** SQLite's substring test; `instr` takes the text literally, so `%` or `_` in a search need no escaping. */
export const sqliteContains = (column: string, placeholder: string): string => `instr(lower(${column}), ${placeholder}) > 0`;

/** PostgreSQL's substring test, literal as SQLite's. */
export const postgresContains = (column: string, placeholder: string): string => `strpos(lower(${column}), ${placeholder}) > 0`;

/** The `WHERE` clause (with its leading space) for `filter`, or '' when nothing filters. */
export function jobSearchWhere(filter: JobFilter, dialect: SearchDialect): string {
  const where: string[] = [];
  if (filter.owner !== undefined) {
    where.push(`owner = ${dialect.param(filter.owner)}`);
  }
  if (filter.state) {
    where.push(`state = ${dialect.param(filter.state)}`);
  }
  if (filter.notebook !== undefined) {
    where.push(`notebook = ${dialect.param(filter.notebook)}`);
  }
  if (filter.text) {
    // One placeholder per use: SQLite's `?` is positional.
    const text = filter.text.toLowerCase();
    where.push(`(${dialect.contains('public_id', dialect.param(text))} OR ${dialect.contains("coalesce(notebook, '')", dialect.param(text))})`);
  }
  for (const label of filter.labels ?? []) {
    // Each label is one lookup in the job_labels_owner_key index, then matched to jobs by key.
    const owner = filter.owner === undefined ? '' : `owner = ${dialect.param(filter.owner)} AND `;
    const key = dialect.param(label.key);
    const value = label.value === undefined ? '' : ` AND value = ${dialect.param(label.value)}`;
    where.push(`job_id IN (SELECT job_id FROM job_labels WHERE ${owner}key = ${key}${value})`);
  }
  return where.length ? ` WHERE ${where.join(' AND ')}` : '';
}

/** The rows of `job_labels` for one job. */
export function labelRows(jobId: string, owner: string, labels: Record<string, string>): [string, string, string, string][] {
  return Object.entries(labels).map(([key, value]) => [jobId, owner, key, value]);
}
