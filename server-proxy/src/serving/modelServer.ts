import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Pool } from 'undici';
import { processStartTime, signalTree } from '../process/procinfo.js';
import type { ServerRuntime } from '../store/store.js';

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

/** A free TCP port on loopback, found by binding port 0. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

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

/** The last Python exception line (`ValueError: ...`) in a log tail: the reason a load or a call failed. */
export function lastException(log: string): string | undefined {
  const lines = log.split('\n').reverse();
  return lines.find(l => /^[A-Za-z_][\w.]*(Error|Exception|Exit)\b.*:/.test(l.trim()))?.trim();
}

/**
 * One `mlserver start` process serving one model version on loopback ports, in its own process group
 * with its output in `server.log`. The service is its parent, so an exit is seen at once.
 */
export class ModelServer {
  /** Connections to the server's HTTP port; requests are forwarded through it. */
  readonly pool: Pool;
  /** Requests forwarded and not yet answered (drained before the server is stopped). */
  inflight = 0;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly exitWaiters: (() => void)[] = [];

  private constructor(
    readonly spec: ModelServerSpec,
    readonly runtime: ServerRuntime,
    child: ReturnType<typeof spawn>
  ) {
    this.pool = new Pool(`http://127.0.0.1:${runtime.httpPort}`, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
    child.once('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.exitWaiters.splice(0).forEach(fn => fn());
    });
  }

  /** Writes the server's settings with fresh ports and starts it; resolves once the process runs. */
  static async start(spec: ModelServerSpec, env: NodeJS.ProcessEnv = process.env): Promise<ModelServer> {
    // MLServer expects a model's folder to carry the model's name.
    const modelDir = path.join(spec.dir, spec.model);
    fs.mkdirSync(modelDir, { recursive: true });
    const httpPort = await freePort();
    const grpcPort = await freePort();
    // parallel_workers 0: the model is loaded in the server process itself, so one pid is the whole server.
    const serverSettings = {
      host: '127.0.0.1',
      http_port: httpPort,
      grpc_port: grpcPort,
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

    const log = fs.openSync(path.join(spec.dir, 'server.log'), 'a');
    try {
      const child = spawn(spec.mlserver, ['start', spec.dir], {
        cwd: spec.dir,
        env: { ...env, PYTHONUNBUFFERED: '1' },
        detached: true,
        stdio: ['ignore', log, log]
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', reject);
      });
      child.unref();
      const pid = child.pid!;
      const runtime: ServerRuntime = { version: spec.version, dir: spec.dir, httpPort, grpcPort, pid, pidStartTime: processStartTime(pid) };
      // Written before anything else can happen: a service that dies before the store has the process
      // finds it here on its next start.
      fs.writeFileSync(path.join(spec.dir, SERVER_FILE), JSON.stringify(runtime));
      return new ModelServer(spec, runtime, child);
    } finally {
      fs.closeSync(log);
    }
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
    try {
      const res = await this.pool.request({ method: 'GET', path: urlPath, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await res.body.dump();
      return res.statusCode;
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
