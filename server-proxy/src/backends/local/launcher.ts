import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Allocation } from '../../schemas/jobs.js';
import { childEnv } from './childEnv.js';
import { processStartTime } from '../../process/procinfo.js';
import type { LocalPlan } from './plan.js';
import type { StagedInputs } from './snapshot.js';

/** The runner's command line, as the runner protocol in docs/contracts.md fixes it. */
export function runnerArgs(
  kind: 'notebook' | 'module',
  inputs: StagedInputs,
  opts: { parameters?: Record<string, unknown>; module?: string; moduleArgs?: string[]; kernel?: string; kernelFallback?: string }
): string[] {
  if (kind === 'notebook') {
    const kernel = [...(opts.kernel ? ['--kernel', opts.kernel] : []), ...(opts.kernelFallback ? ['--kernel-fallback', opts.kernelFallback] : [])];
    return [
      '-m', 'laketahoe.runner', 'notebook',
      '--input', inputs.notebook!,
      '--output', 'output.ipynb',
      '--html', 'output.html',
      '--parameters-json', JSON.stringify(opts.parameters ?? {}),
      '--cwd', 'snapshot',
      '--status-file', 'exit.json',
      ...kernel
    ];
  }
  return [
    '-m', 'laketahoe.runner', 'module',
    '--module', opts.module!,
    ...inputs.packages.flatMap(p => ['--package', p]),
    '--cwd', 'snapshot',
    '--status-file', 'exit.json',
    '--',
    ...(opts.moduleArgs ?? [])
  ];
}

/**
 * Environment of a runner: the allowlisted part of `base` (never the service's token or credentials, see
 * {@link childEnv}); thread counts follow the CPU allotment so BLAS pools do not oversubscribe.
 */
export function runnerEnv(base: NodeJS.ProcessEnv, jobId: string, workdir: string, allocation: Allocation): NodeJS.ProcessEnv {
  const threads = String(Math.max(1, Math.floor(allocation.cpu)));
  return {
    ...childEnv(base),
    LAKETAHOE_JOB_ID: jobId,
    LAKETAHOE_EVENTS_FILE: path.join(workdir, 'events.jsonl'),
    // laketahoe.save_model writes <dir>/models/<name>/ here, so `model` records point inside the run.
    LAKETAHOE_OUTPUT_DIR: workdir,
    OMP_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
    OPENBLAS_NUM_THREADS: threads,
    NUMEXPR_NUM_THREADS: threads,
    VECLIB_MAXIMUM_THREADS: threads,
    CUDA_VISIBLE_DEVICES: allocation.gpus.join(','),
    PYTHONUNBUFFERED: '1'
  };
}

/**
 * The job's own variables on top of the runner's environment: plain values as given, and for secret
 * references the file and the entries the runner reads into the job's process (the values never pass
 * through the service).
 */
export function jobEnv(plan: LocalPlan): NodeJS.ProcessEnv {
  return {
    ...(plan.env ?? {}),
    ...(plan.secrets ? { LAKETAHOE_SECRETS_FILE: plan.secrets.file, LAKETAHOE_SECRET_REFS: JSON.stringify(plan.secrets.refs) } : {})
  };
}

/** A started runner. */
export interface LaunchedRunner {
  pid: number;
  startTime: string;
  /** Resolves with the exit code (or null when killed by a signal) once the process has ended. */
  exited: Promise<number | null>;
}

/**
 * Starts the runner in its own process group with stdout/stderr going to files, not pipes: the runner
 * must survive the service and keep logging while nobody reads.
 */
export async function launchRunner(python: string, args: string[], workdir: string, env: NodeJS.ProcessEnv): Promise<LaunchedRunner> {
  const out = fs.openSync(path.join(workdir, 'stdout.log'), 'a');
  const err = fs.openSync(path.join(workdir, 'stderr.log'), 'a');
  try {
    const child = spawn(python, args, { cwd: workdir, env, detached: true, stdio: ['ignore', out, err] });
    const exited = new Promise<number | null>(resolve => {
      child.once('exit', code => resolve(code));
      child.once('error', () => resolve(127));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    child.unref();
    const pid = child.pid!;
    return { pid, startTime: processStartTime(pid) ?? '', exited };
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
}
