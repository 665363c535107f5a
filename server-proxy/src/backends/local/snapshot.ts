import fs from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../../errors.js';
import { isInside } from '../../jobs/paths.js';
import type { RunPlan } from '../../jobs/spec.js';

/** Size limits for what a submission may copy. */
export interface SnapshotLimits {
  maxNotebookBytes: number;
  maxFolderBytes: number;
}

/** What the runner is pointed at, relative to the job's working directory. */
export interface StagedInputs {
  notebook?: string;
  packages: string[];
}

/** Names never copied with includeFolder: hidden entries, dependency trees and job folders. */
function skipped(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules' || name === 'laketahoe-jobs' || name === '__pycache__';
}

function statOr404(file: string, field: string): fs.Stats {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) {
      throw new ServiceError('invalid_argument', `${field}: is not a file`, field);
    }
    return st;
  } catch (err) {
    if (err instanceof ServiceError) {
      throw err;
    }
    throw new ServiceError('not_found', `${field}: file not found`, field);
  }
}

/**
 * Files under `dir` for includeFolder, with their total size checked against the limit as we go (a 413
 * naming `trainingInput.notebook.includeFolder`). Shared with the Kubernetes backend's input snapshot.
 */
export function folderFiles(dir: string, excluded: string[], limit: number): { abs: string; rel: string }[] {
  const out: { abs: string; rel: string }[] = [];
  let total = 0;
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const abs = path.join(current, entry.name);
      // Symlinks are skipped, not followed: they could point outside the root.
      if (skipped(entry.name) || entry.isSymbolicLink() || excluded.some(e => isInside(e, abs))) {
        continue;
      }
      if (entry.isDirectory()) {
        walk(abs);
      } else if (entry.isFile()) {
        total += fs.statSync(abs).size;
        if (total > limit) {
          throw new ServiceError(
            'payload_too_large',
            `trainingInput.notebook.includeFolder: the folder holds more than ${limit} bytes`,
            'trainingInput.notebook.includeFolder'
          );
        }
        out.push({ abs, rel: path.relative(dir, abs) });
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Copies the job's inputs into `<workdir>/snapshot/` at submit time, so edits made to the notebook
 * afterwards do not change what runs. Everything is checked before the first byte is written.
 */
export function stageInputs(plan: RunPlan, workdir: string, limits: SnapshotLimits, excluded: string[]): StagedInputs {
  const snapshot = path.join(workdir, 'snapshot');
  const copies: { from: string; to: string }[] = [];
  const staged: StagedInputs = { packages: [] };
  if (plan.notebook) {
    const { absPath, field } = plan.notebook;
    const st = statOr404(absPath, field);
    if (st.size > limits.maxNotebookBytes) {
      throw new ServiceError('payload_too_large', `${field}: the notebook is larger than ${limits.maxNotebookBytes} bytes`, field);
    }
    const text = fs.readFileSync(absPath, 'utf8');
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new ServiceError('invalid_argument', `${field}: the notebook is not valid JSON`, field);
    }
    if (!doc || typeof doc !== 'object' || !Array.isArray((doc as { cells?: unknown }).cells)) {
      throw new ServiceError('invalid_argument', `${field}: the file is not a Jupyter notebook (no cells)`, field);
    }
    const name = path.basename(absPath);
    if (plan.notebook.includeFolder) {
      const dir = path.dirname(absPath);
      for (const f of folderFiles(dir, [...excluded, workdir], limits.maxFolderBytes)) {
        if (f.abs !== absPath) {
          copies.push({ from: f.abs, to: path.join(snapshot, f.rel) });
        }
      }
    }
    copies.push({ from: absPath, to: path.join(snapshot, name) });
    staged.notebook = path.join('snapshot', name);
  }
  for (const pkg of plan.packages) {
    statOr404(pkg.absPath, pkg.field);
    const name = path.basename(pkg.absPath);
    copies.push({ from: pkg.absPath, to: path.join(snapshot, name) });
    staged.packages.push(path.join('snapshot', name));
  }
  fs.mkdirSync(snapshot, { recursive: true });
  for (const c of copies) {
    fs.mkdirSync(path.dirname(c.to), { recursive: true });
    fs.copyFileSync(c.from, c.to);
  }
  return staged;
}
