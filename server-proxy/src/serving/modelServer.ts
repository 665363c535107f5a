import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED } from '../version.js';
import { Pool } from 'undici';
import { childEnv } from '../backends/local/childEnv.js';
import { isProcessAlive, processStartTime, signalTree, unixSocketListener } from '../process/procinfo.js';
import type { ServerRuntime } from '../store/store.js';
import type { ModelRequestOptions } from './servingTarget.js';
import { sendForWholeAnswer, type WholeAnswer } from './wholeAnswer.js';

/** What one model server serves. */
export interface ModelServerSpec {
  /** The `mlserver` executable. */
  mlserver: string;
  /** Folder for settings.json, the model's settings and server.log (created). */
  dir: string;
  /** Model name the server answers to (the registered name). */
  model: string;
  version: number;
  /** MLServer model settings from the saved model folder. */
  settings: Record<string, unknown>;
  /** The saved model folder (absolute): the settings' relative uri is resolved against it. */
  artifactDir: string;
  /** A folder only the service's account can enter (short: socket paths are limited to ~100 bytes). */
  socketDir: string;
}

/** The header that carries a model server's secret; requests without it get a 403 from the server. */
export const SERVER_SECRET_HEADER = 'x-laketahoe-server-secret';

/** Starts MLServer on a Unix socket behind the secret check (see the script's docstring). */
export const SERVE_SCRIPT = BUNDLED
  ? fileURLToPath(new URL('./serve_model.py', import.meta.url))
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'python', 'serve_model.py');

/** The interpreter of an `mlserver` console script: its `#!` line, else the `python` beside it. */
export function mlserverPython(mlserver: string): string {
  try {
    const head = fs.readFileSync(mlserver, 'utf8').slice(0, 512).split('\n')[0];
    const m = /^#!\s*(\S+)$/.exec(head);
    if (m && path.isAbsolute(m[1]) && fs.existsSync(m[1])) {
      return m[1];
    }
  } catch {
    // Missing or unreadable: the spawn below reports it.
  }
  return path.join(path.dirname(mlserver), 'python');
}

/** The process of the server last started in a folder, written at once (see {@link serversStartedIn}). */
const SERVER_FILE = 'server.json';

/** The servers last started in each version folder under `baseDir` (running or not). */
export function serversStartedIn(baseDir: string): ServerRuntime[] {
  let versions: string[];
  try {
    versions = fs.readdirSync(baseDir);
  } catch {
    return [];
  }
  return versions.flatMap(v => {
    try {
      return [JSON.parse(fs.readFileSync(path.join(baseDir, v, SERVER_FILE), 'utf8')) as ServerRuntime];
    } catch {
      return [];
    }
  });
}

/** Lines of server.log kept in error messages. */
const LOG_TAIL_LINES = 25;

/** The last `lines` lines of a file, read from its end (the log can grow large). */
export function tailFile(file: string, lines = LOG_TAIL_LINES): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n').filter(l => l.trim() !== '').slice(-lines).join('\n');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The last Python exception line (`ValueError: ...`) in a log tail: the reason a load or a call failed.
 * A `SystemExit` only says the server gave up (uvicorn's startup failure is `SystemExit: 3`), so an
 * exception before it that says why (`OSError: [Errno 98] ... address already in use`) comes first.
 */
export function lastException(log: string): string | undefined {
  const exceptions = log
    .split('\n')
    .map(l => l.trim())
    .filter(l => /^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*:/.test(l))
    .reverse();
  return exceptions.find(l => !l.startsWith('SystemExit')) ?? exceptions[0];
}

/**
 * One MLServer process serving one model version on a Unix socket in a private folder, answering only
 * requests that carry its secret (which only this service knows), in its own process group with its
 * output in `server.log`. The service is its parent, so an exit is seen at once. No request (and so no
 * secret) is sent before the socket is seen to be held by that very process.
 */
export class ModelServer {
  /** Connections to the server's socket; requests are forwarded through {@link request}. */
  readonly pool: Pool;
  /** Requests forwarded and not yet answered (drained before the server is stopped). */
  inflight = 0;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exitWaiters: (() => void)[] = [];
  /** Set once the socket is known to be this server's. */
  private verified = false;
  /** Polls the process of a server this service did not start (no exit event reaches a non-parent). */
  private exitPoll?: NodeJS.Timeout;
  /** The headers of the last request and the same with the secret, see {@link withSecret}. */
  private lastHeaders?: Readonly<Record<string, string>>;
  private lastWithSecret?: Record<string, string>;

  private constructor(
    readonly spec: ModelServerSpec,
    readonly runtime: ServerRuntime,
    private readonly secret: string,
    child?: ReturnType<typeof spawn>
  ) {
    this.pool = new Pool('http://localhost', { socketPath: runtime.socket, connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
    child?.once('exit', (code, signal) => this.exitedWith(code, signal));
  }

  private exitedWith(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitInfo = { code, signal };
    clearInterval(this.exitPoll);
    fs.rmSync(this.runtime.socket, { force: true });
    this.exitWaiters.splice(0).forEach(fn => fn());
  }

  /**
   * A server another replica started (or one the previous leader left running), reached through the
   * socket and secret of its record. Its exit is noticed by polling its pid and start time every `pollMs`.
   * Undefined when the record has no secret (kept only where replicas share the store) or the process is gone.
   */
  static attach(runtime: ServerRuntime, model: string, pollMs = 1000): ModelServer | undefined {
    if (!runtime.secret || !runtime.pid || !isProcessAlive(runtime.pid, runtime.pidStartTime)) {
      return undefined;
    }
    const spec: ModelServerSpec = {
      mlserver: '',
      dir: runtime.dir,
      model,
      version: runtime.version,
      settings: {},
      artifactDir: '',
      socketDir: path.dirname(runtime.socket)
    };
    const { secret, ...bare } = runtime;
    const server = new ModelServer(spec, bare, secret);
    server.exitPoll = setInterval(() => {
      if (!isProcessAlive(runtime.pid!, runtime.pidStartTime)) {
        server.exitedWith(null, null);
      }
    }, pollMs);
    server.exitPoll.unref();
    return server;
  }

  /** The process record with its secret, for a store that other replicas of the service read. */
  get sharedRuntime(): ServerRuntime {
    return { ...this.runtime, secret: this.secret };
  }

  /** Writes the server's settings and starts it on a fresh socket with a fresh secret; resolves once the process runs. */
  static async start(spec: ModelServerSpec, env: NodeJS.ProcessEnv = process.env): Promise<ModelServer> {
    // MLServer expects a model's folder to carry the model's name.
    const modelDir = path.join(spec.dir, spec.model);
    fs.mkdirSync(modelDir, { recursive: true });
    const socket = path.join(spec.socketDir, `${crypto.randomBytes(8).toString('hex')}.sock`);
    const secret = crypto.randomBytes(32).toString('hex');
    // parallel_workers 0: the model is loaded in the server process itself, so one pid is the whole server
    // (and holds the socket). The ports are unused: the REST API listens on the socket, gRPC is off.
    const serverSettings = {
      host: '127.0.0.1',
      http_port: 0,
      grpc_port: 0,
      parallel_workers: 0,
      metrics_endpoint: null,
      debug: false,
      load_models_at_startup: true,
      model_repository_root: spec.dir
    };
    fs.writeFileSync(path.join(spec.dir, 'settings.json'), JSON.stringify(serverSettings, null, 1));
    const parameters = { ...((spec.settings.parameters as Record<string, unknown> | undefined) ?? {}) };
    if (typeof parameters.uri === 'string') {
      parameters.uri = path.resolve(spec.artifactDir, parameters.uri);
    }
    parameters.version = String(spec.version);
    const modelSettings = { ...spec.settings, name: spec.model, parameters };
    fs.writeFileSync(path.join(modelDir, 'model-settings.json'), JSON.stringify(modelSettings, null, 1));

    const log = fs.openSync(path.join(spec.dir, 'server.log'), 'a', 0o600);
    try {
      const child = spawn(mlserverPython(spec.mlserver), [SERVE_SCRIPT, spec.dir, socket], {
        cwd: spec.dir,
        env: { ...childEnv(env), PYTHONUNBUFFERED: '1' },
        detached: true,
        stdio: ['pipe', log, log]
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', reject);
      });
      // On stdin: other processes of the account can read a process's environment and command line.
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(`${secret}\n`);
      child.unref();
      const pid = child.pid!;
      const runtime: ServerRuntime = { version: spec.version, dir: spec.dir, socket, pid, pidStartTime: processStartTime(pid) };
      // Written before anything else can happen: a service that dies before the store has the process
      // finds it here on its next start.
      fs.writeFileSync(path.join(spec.dir, SERVER_FILE), JSON.stringify(runtime));
      return new ModelServer(spec, runtime, secret, child);
    } finally {
      fs.closeSync(log);
    }
  }

  /** Sends a request to the server with its secret; resolves with the whole answer. */
  send(options: ModelRequestOptions): Promise<WholeAnswer> {
    return sendForWholeAnswer(this.pool, { ...options, headers: this.withSecret(options.headers) });
  }

  /**
   * `headers` with the secret added. Callers pass the same headers object for every inference request,
   * so its copy is made once rather than per request (undici only reads the headers it is given). Known
   * by identity: a headers object passed here is not changed afterwards.
   */
  private withSecret(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
    if (this.lastWithSecret === undefined || headers !== this.lastHeaders) {
      this.lastHeaders = headers;
      this.lastWithSecret = { ...(headers ?? {}), [SERVER_SECRET_HEADER]: this.secret };
    }
    return this.lastWithSecret!;
  }

  /**
   * Whether the socket is this server's: 'wait' while nothing listens yet. Where /proc cannot tell
   * (not Linux), the private folder and the random name are the guarantee.
   */
  private checkSocket(): 'ok' | 'wait' | 'other' {
    if (this.verified) {
      return 'ok';
    }
    const owner = unixSocketListener(this.runtime.socket, this.runtime.pid!);
    if (owner === 'none') {
      return 'wait';
    }
    if (owner === 'other') {
      return 'other';
    }
    this.verified = true;
    return 'ok';
  }

  /** Where the server writes its output. */
  get logFile(): string {
    return path.join(this.spec.dir, 'server.log');
  }

  /** The end of server.log. */
  logTail(): string {
    return tailFile(this.logFile);
  }

  /** Set once the process has exited. */
  get exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Resolves when the process exits (at once when it already has). */
  waitExit(): Promise<void> {
    return this.exitInfo ? Promise.resolve() : new Promise(resolve => this.exitWaiters.push(resolve));
  }

  /** GET a path on the server; the status, or 0 when it does not answer. */
  async probe(urlPath: string, timeoutMs = 2000): Promise<number> {
    if (this.checkSocket() !== 'ok') {
      return 0;
    }
    try {
      return (await this.send({ method: 'GET', path: urlPath, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })).status;
    } catch {
      return 0;
    }
  }

  /**
   * Resolves once the model answers ready; rejects with the reason (and the log's end) when the server
   * exits first or `timeoutMs` passes, or `cancelled()` turns true.
   */
  async waitReady(timeoutMs: number, cancelled: () => boolean = () => false): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const readyPath = `/v2/models/${encodeURIComponent(this.spec.model)}/ready`;
    for (;;) {
      if (cancelled()) {
        throw new Error('cancelled');
      }
      if (this.exitInfo) {
        throw new Error(this.failure('the model server exited before it was ready'));
      }
      if (this.checkSocket() === 'other') {
        throw new Error(`another process listens on the model server's socket ${this.runtime.socket}: refusing to use it`);
      }
      if ((await this.probe(readyPath)) === 200) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(this.failure(`the model server was not ready within ${Math.round(timeoutMs / 1000)} s`));
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }

  /** An error message with the loader's reason first and the end of the log after it. */
  failure(what: string): string {
    const tail = this.logTail();
    const reason = lastException(tail);
    const how = this.exitInfo ? ` (${this.exitInfo.signal ?? `exit code ${this.exitInfo.code}`})` : '';
    return `${what}${how}${reason ? `: ${reason}` : ''}\n--- end of server.log ---\n${tail}`;
  }

  /** Waits (at most `timeoutMs`) for requests in flight to be answered. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inflight > 0 && Date.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  /** Lets go of the server without stopping it: closes the connection pool and stops watching its process. */
  async release(): Promise<void> {
    clearInterval(this.exitPoll);
    await this.pool.close().catch(() => undefined);
  }

  /** Stops the process group: SIGTERM, then SIGKILL after `graceMs`; closes the connection pool. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.exitInfo && this.runtime.pid) {
      signalTree(this.runtime.pid, 'SIGTERM');
      const killed = setTimeout(() => signalTree(this.runtime.pid!, 'SIGKILL'), graceMs);
      await this.waitExit();
      clearTimeout(killed);
    }
    await this.pool.destroy().catch(() => undefined);
  }
}
