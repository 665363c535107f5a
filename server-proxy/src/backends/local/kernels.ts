import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { ServiceError } from '../../errors.js';

/** One installed kernelspec. */
export interface KernelSpecInfo {
  name: string;
  displayName: string;
  language: string;
}

/** The kernel every job can run on: ipykernel in the runner's own interpreter. */
export const RUNNER_KERNEL = 'python3';

/**
 * The kernelspecs installed where local jobs run, as `jupyter kernelspec list --json` of the runner's
 * Python reports them; cached, since the listing starts a Python process (about a second).
 */
export class KernelCatalog {
  private cached?: { at: number; kernels: Promise<KernelSpecInfo[]> };

  constructor(
    private readonly python: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly ttlMs = 60_000
  ) {}

  /** The installed kernels, `python3` always among them. */
  list(): Promise<KernelSpecInfo[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > this.ttlMs) {
      this.cached = { at: now, kernels: this.read() };
    }
    return this.cached.kernels;
  }

  private read(): Promise<KernelSpecInfo[]> {
    return new Promise(resolve => {
      execFile(this.python, ['-m', 'jupyter', 'kernelspec', 'list', '--json'], { env: this.env, timeout: 30_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
        const kernels: KernelSpecInfo[] = [];
        if (!err) {
          try {
            const specs = (JSON.parse(stdout) as { kernelspecs?: Record<string, { spec?: { display_name?: string; language?: string } }> }).kernelspecs ?? {};
            for (const [name, entry] of Object.entries(specs)) {
              kernels.push({ name, displayName: entry.spec?.display_name ?? name, language: entry.spec?.language ?? '' });
            }
          } catch {
            // An unreadable listing leaves the runner's own kernel.
          }
        }
        if (!kernels.some(k => k.name === RUNNER_KERNEL)) {
          kernels.unshift({ name: RUNNER_KERNEL, displayName: 'Python 3 (ipykernel)', language: 'python' });
        }
        kernels.sort((a, b) => a.name.localeCompare(b.name));
        resolve(kernels);
      });
    });
  }
}

/** The kernelspec name a notebook file was saved with, if it says. */
export function notebookKernelName(file: string): string | undefined {
  try {
    const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { metadata?: { kernelspec?: { name?: unknown } } };
    const name = nb.metadata?.kernelspec?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a notebook job's kernel against what is installed: the asked kernel (`kernelName`, else the
 * notebook's own) runs when installed; otherwise `kernelFallback` does when that one is, and the runner
 * records the switch. Neither installed is a 400 naming the field to change.
 */
export function checkKernel(asked: { name?: string; fallback?: string; fromNotebook: boolean }, installed: readonly string[]): void {
  const have = (name: string) => name === RUNNER_KERNEL || installed.includes(name);
  const list = installed.join(', ');
  if (asked.fallback !== undefined && !have(asked.fallback)) {
    const field = 'trainingInput.kernelFallback';
    throw new ServiceError('invalid_argument', `${field}: kernel '${asked.fallback}' is not installed here (installed: ${list})`, field);
  }
  if (asked.name === undefined || have(asked.name) || asked.fallback !== undefined) {
    return;
  }
  const field = 'trainingInput.kernelName';
  const whose = asked.fromNotebook ? `the notebook's kernel '${asked.name}'` : `kernel '${asked.name}'`;
  throw new ServiceError(
    'invalid_argument',
    `${field}: ${whose} is not installed here (installed: ${list}); choose one of them or set trainingInput.kernelFallback`,
    field
  );
}
