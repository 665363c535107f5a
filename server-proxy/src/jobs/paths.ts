import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../errors.js';

/**
 * Resolves a user-supplied relative path inside `root`. Rejects absolute paths, `..` segments and
 * symlinks that lead outside the root, naming `field` in the 400 answer. Missing files are allowed
 * here (callers decide whether that is a 404), but the existing part of the path is still checked.
 */
export function resolveInRoot(root: string, userPath: string, field: string): string {
  if (userPath.includes('\0')) {
    throw new ServiceError('invalid_argument', `${field}: must not contain NUL bytes`, field);
  }
  if (path.isAbsolute(userPath) || /^[A-Za-z]:[\\/]/.test(userPath)) {
    throw new ServiceError('invalid_argument', `${field}: must be a path relative to the root directory`, field);
  }
  if (userPath.split(/[\\/]/).includes('..')) {
    throw new ServiceError('invalid_argument', `${field}: must not contain '..'`, field);
  }
  const realRoot = fs.realpathSync(root);
  const candidate = path.resolve(realRoot, userPath);
  // Walk up to the deepest existing ancestor so a symlinked directory cannot smuggle the path out.
  let existing = candidate;
  let rest = '';
  while (!fs.existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) {
      break;
    }
    rest = rest ? path.join(path.basename(existing), rest) : path.basename(existing);
    existing = parent;
  }
  let real: string;
  try {
    real = path.join(fs.realpathSync(existing), rest);
  } catch {
    // A dangling symlink: treat as escaping, we cannot tell where it points safely.
    throw new ServiceError('invalid_argument', `${field}: cannot be resolved`, field);
  }
  if (!isInside(realRoot, real)) {
    throw new ServiceError('invalid_argument', `${field}: leads outside the root directory`, field);
  }
  return real;
}

/** Whether `child` is `parent` or below it (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
