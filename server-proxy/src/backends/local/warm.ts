import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { FastifyBaseLogger } from 'fastify';
import { processStartTime } from '../../process/procinfo.js';
import type { LaunchedRunner } from './launcher.js';

/** A runner fork asked of the template and not answered yet. */
interface Pending {
  resolve: (runner: LaunchedRunner) => void;
  reject: (err: Error) => void;
}

/** Longest wait for the template to answer a launch (it first imports for a few seconds). */
const ANSWER_TIMEOUT_MS = 60_000;

/**
 * Runners forked from a warm template (`python -m laketahoe.runner warm`): one process that has imported
 * papermill, nbclient and ipykernel once and forks a fresh runner per run, whose kernel is forked in
 * turn. A trial then pays milliseconds, not seconds, before its first cell, and every run still gets
 * processes of its own. The forked runner leads its own session like a spawned one, writes the same log
 * files and is re-adopted by pid after a restart; the template only forwards its exit code while it runs.
 *
 * The template starts on the first launch and again after it died; while it cannot be used,
 * {@link launch} rejects and the caller starts the runner cold.
 */
export class WarmTemplate {
  private child?: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly exits = new Map<number, (code: number | null) => void>();

  constructor(
    private readonly opts: {
      python: string;
      /** The environment of the template itself (runs get theirs with each launch). */
      env: NodeJS.ProcessEnv;
      /** A folder that is no run's: the template's working directory. */
      cwd: string;
      log: FastifyBaseLogger;
    }
  ) {}

  /** Forks a runner with `args` (the runner's arguments after `-m laketahoe.runner`) in `workdir`. */
  async launch(args: string[], workdir: string, env: NodeJS.ProcessEnv): Promise<LaunchedRunner> {
    const child = this.ensure();
    const id = this.nextId++;
    const request = {
      id,
      argv: args.slice(args.indexOf('laketahoe.runner') + 1),
      cwd: workdir,
      env,
      stdout: path.join(workdir, 'stdout.log'),
      stderr: path.join(workdir, 'stderr.log')
    };
    let timer: NodeJS.Timeout | undefined;
    return new Promise<LaunchedRunner>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('the warm template did not answer'));
      }, ANSWER_TIMEOUT_MS);
      child.stdin.write(JSON.stringify(request) + '\n');
    }).finally(() => clearTimeout(timer));
  }

  /** Stops the template; runners it forked lead their own sessions and run on. */
  stop(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private ensure(): ChildProcessWithoutNullStreams {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      return this.child;
    }
    // Frozen modules off as in ipykernel's own kernelspec: the kernels forked from here run its debugger.
    const child = spawn(this.opts.python, ['-Xfrozen_modules=off', '-m', 'laketahoe.runner', 'warm'], {
      cwd: this.opts.cwd,
      env: this.opts.env,
      stdio: ['pipe', 'pipe', 'pipe']
    });
    this.child = child;
    // Never what keeps the service's process alive: the template ends when its stdin closes.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as unknown as { unref?: () => void }).unref?.();
    }
    // A template that cannot start (no such interpreter) may never emit 'exit': fail its launches now, so
    // each starts cold (and fails there with the interpreter's error) instead of waiting for the timeout.
    child.on('error', err => {
      this.opts.log.warn({ err }, 'the warm runner template could not start');
      this.lost(child, `the warm template could not start: ${err.message}`);
    });
    child.stdin.on('error', () => undefined);
    readline.createInterface({ input: child.stderr }).on('line', line => this.opts.log.warn({ line }, 'warm runner template'));
    readline.createInterface({ input: child.stdout }).on('line', line => this.answer(line));
    // Runners it forked are then orphans: their ends are learned by polling, like adopted ones.
    child.once('exit', code => this.lost(child, `the warm template exited (code ${code})`));
    return child;
  }

  /** The template is gone: launches waiting on it fail, and the next launch starts a new one. */
  private lost(child: ChildProcessWithoutNullStreams, reason: string): void {
    if (this.child === child) {
      this.child = undefined;
    }
    for (const p of this.pending.values()) {
      p.reject(new Error(reason));
    }
    this.pending.clear();
  }

  private answer(line: string): void {
    let message: { id?: number; pid?: number; error?: string; exit?: number; code?: number | null };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (typeof message.exit === 'number') {
      this.exits.get(message.exit)?.(message.code ?? null);
      this.exits.delete(message.exit);
      return;
    }
    const pending = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!pending) {
      return;
    }
    this.pending.delete(message.id!);
    if (typeof message.pid === 'number') {
      const pid = message.pid;
      // Registered before the next line is read: the exit may follow right behind.
      const exited = new Promise<number | null>(resolve => this.exits.set(pid, resolve));
      pending.resolve({ pid, startTime: processStartTime(pid) ?? '', exited });
    } else {
      pending.reject(new Error(message.error ?? 'the warm template could not fork'));
    }
  }
}
