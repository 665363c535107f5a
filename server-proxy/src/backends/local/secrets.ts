import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../errors.js';
import type { SecretEnvRef } from '../../jobs/env.js';

/**
 * The local backend's secrets: one JSON file per user, `<secrets-dir>/<user>.json`, shaped like
 * Kubernetes Secrets (`{"<name>": {"<key>": "<value>"}}`), readable by its owner alone. At submit the
 * service checks that each referenced name and key exists; the values are read by the runner itself
 * right before the job starts and handed to the job's process only (never stored, logged or shown).
 */

/** What the runner is told: the file and which variable takes which entry. */
export interface SecretEnvLaunch {
  file: string;
  refs: Record<string, { name: string; key: string }>;
}

/** A user's secrets file; a user name that could leave the folder is refused. */
export function secretsFileOf(dir: string, owner: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(owner)) {
    throw new ServiceError('invalid_argument', `trainingInput.env: user '${owner}' cannot have a secrets file`, 'trainingInput.env');
  }
  return path.join(dir, `${owner}.json`);
}

function invalid(field: string, message: string): ServiceError {
  return new ServiceError('invalid_argument', `${field}: ${message}`, field);
}

/**
 * Checks the owner's secrets file and that every reference names an existing entry; returns what the
 * runner needs, or undefined when the job references no secret. A file that others can read, or that
 * another OS user owns, is refused rather than used: a secret there is no longer the user's alone.
 */
export function checkSecretRefs(file: string, refs: readonly SecretEnvRef[]): SecretEnvLaunch | undefined {
  if (refs.length === 0) {
    return undefined;
  }
  const first = refs[0].field;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw invalid(first, `there is no secrets file at ${file}; create it (mode 600) as {"<name>": {"<key>": "<value>"}}`);
  }
  if (!st.isFile()) {
    throw invalid(first, `${file} is not a file`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw invalid(first, `${file} can be read or written by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 ${file}`);
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw invalid(first, `${file} belongs to another account`);
  }
  let entries: unknown;
  try {
    entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    // The parser's message may quote the file's text: say only that it is not JSON.
    throw invalid(first, `${file} is not a JSON object of secrets${err instanceof SyntaxError ? '' : ' (unreadable)'}`);
  }
  if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
    throw invalid(first, `${file} is not a JSON object of secrets`);
  }
  const secrets = entries as Record<string, unknown>;
  const launch: SecretEnvLaunch = { file, refs: {} };
  for (const ref of refs) {
    const secret = Object.prototype.hasOwnProperty.call(secrets, ref.name) ? secrets[ref.name] : undefined;
    if (!secret || typeof secret !== 'object') {
      throw invalid(`${ref.field}.name`, `no secret '${ref.name}' in ${file}`);
    }
    const value = Object.prototype.hasOwnProperty.call(secret, ref.key) ? (secret as Record<string, unknown>)[ref.key] : undefined;
    if (typeof value !== 'string') {
      throw invalid(`${ref.field}.key`, `secret '${ref.name}' has no text key '${ref.key}'`);
    }
    launch.refs[ref.env] = { name: ref.name, key: ref.key };
  }
  return launch;
}
