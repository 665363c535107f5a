import { ServiceError } from '../errors.js';
import type { Capacity } from '../jobs/resources.js';
import type { RunPlan } from '../jobs/spec.js';
import type { TrainingInput } from '../schemas/jobs.js';
import type { JobRuntime } from '../store/store.js';
import type { RunKind, RunRequest } from './runs.js';

export type { RecoveredRun, RunKind, RunOutput, RunRequest, RunView } from './runs.js';

/** Names of the backends a job can run on (`trainingInput.backend`). */
export const BACKEND_NAMES = ['local', 'kubernetes'] as const;
/** One backend name. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What a backend needs besides the plan to stage a submission. */
export interface StageContext {
  owner: string;
  input: TrainingInput;
  /** The job's labels (copied onto Kubernetes pods as annotations). */
  labels: Record<string, string>;
}

/** A change a derived run (an HPO trial) makes to its parent's plan. */
export interface DeriveChange {
  parameters?: Record<string, unknown>;
  extraArgs?: string[];
  env?: Record<string, string>;
}

/** What `GET /api/v1/info` says about a backend for one user. */
export interface BackendInfo {
  name: BackendName;
  /** Kubernetes: the API server URL. */
  server?: string;
  /** Kubernetes: the namespace the caller's jobs run in. */
  namespace?: string;
  /** Kubernetes: the images a job may choose by name (`masterConfig.imageUri`). */
  images?: { name: string; image: string }[];
  /** Kubernetes: whether other image references may be typed in. */
  allowAnyImage?: boolean;
}

/**
 * Where runs execute. The job service and the experiment controller only talk to this interface; each
 * backend reports progress back through the registered {@link RunKind}s and, on start, reconciles the
 * store with what really runs so that a restart neither loses nor duplicates a run.
 */
export interface Backend {
  readonly name: BackendName;
  /** The machine capacity requests are checked against; undefined when the backend checks them itself. */
  readonly capacity?: Capacity;
  /** Registers a kind of run; call before {@link start}. */
  addKind(kind: RunKind): void;
  /** Local folder of a run, where output files the service can serve would be. */
  workdir(runId: string): string;
  /** Captures the inputs at submit time and returns the runtime record to store. */
  stage(jobId: string, plan: RunPlan, context: StageContext): JobRuntime | Promise<JobRuntime>;
  /** The runtime of a run that reuses a staged run's inputs (an HPO trial). */
  derive(parent: JobRuntime, runId: string, change: DeriveChange): JobRuntime;
  /** Undoes {@link stage} for a submission that did not make it into the store. */
  discard(jobId: string): void;
  /**
   * Removes what an ended job and its trials (`runIds`) left behind: its folder and, on a cluster, any
   * objects the TTL has not removed yet and the files uploaded for it. The store rows are the caller's.
   */
  purge(jobId: string, owner: string, runIds: string[]): Promise<void>;
  /** Hands a QUEUED run to the backend. */
  enqueue(item: RunRequest): void;
  /**
   * Hands a just-submitted run (already stored) to the backend and resolves once the backend accepted it;
   * rejects with a ServiceError when it refused the run, which then was never started. Backends that
   * cannot refuse leave it out ({@link enqueue} is used).
   */
  admit?(item: RunRequest): Promise<void>;
  /** Withdraws a run cancelled while QUEUED; true when the backend still held it. */
  dequeue(runId: string): boolean;
  /** Stops a started run; it ends CANCELLED (or SUCCEEDED when stopped early) once it is gone. */
  terminate(runId: string, graceMs?: number): void;
  /** Recovers runs from the store; call once before serving. */
  start(): Promise<void>;
  /** Stops watching; what runs keeps running and is adopted by the next start. */
  stop(): Promise<void>;
  /** How the backend presents itself to `user`. */
  describe(user: string): BackendInfo;
}

/**
 * The configured backends behind one {@link Backend} face: a run goes to the backend named in its
 * runtime record (`runtime.backend`, local when absent), which the job's `trainingInput.backend` chose.
 */
export class BackendRouter implements Backend {
  readonly name: BackendName;
  private readonly kinds: RunKind[] = [];
  /** Runs whose backend is known without reading the store. */
  private readonly placed = new Map<string, BackendName>();
  /**
   * False on a replica that is not the leader: it stages and stores work but starts, queues and stops
   * nothing; the leader picks the work up from the store (leadership/pickup.ts).
   */
  active = true;

  constructor(
    private readonly backends: Map<BackendName, Backend>,
    readonly defaultName: BackendName
  ) {
    if (!backends.has(defaultName)) {
      throw new Error(`the default backend ${defaultName} is not configured`);
    }
    this.name = defaultName;
  }

  /** The backends in the order they were configured. */
  get all(): Backend[] {
    return [...this.backends.values()];
  }

  get capacity(): Capacity | undefined {
    return this.backends.get(this.defaultName)!.capacity;
  }

  /** The backend a submission asked for, or a 400 naming `trainingInput.backend`. */
  select(name: string | undefined): Backend {
    const backend = this.backends.get((name ?? this.defaultName) as BackendName);
    if (!backend) {
      const field = 'trainingInput.backend';
      const configured = [...this.backends.keys()].join(', ');
      throw new ServiceError('invalid_argument', `${field}: the ${name} backend is not configured on this service (configured: ${configured})`, field);
    }
    return backend;
  }

  addKind(kind: RunKind): void {
    this.kinds.push(kind);
    for (const backend of this.backends.values()) {
      backend.addKind(kind);
    }
  }

  workdir(runId: string): string {
    return this.of(this.placed.get(runId)).workdir(runId);
  }

  async stage(jobId: string, plan: RunPlan, context: StageContext): Promise<JobRuntime> {
    const backend = this.select(context.input.backend);
    const runtime = await backend.stage(jobId, plan, context);
    runtime.backend = backend.name;
    this.placed.set(jobId, backend.name);
    return runtime;
  }

  derive(parent: JobRuntime, runId: string, change: DeriveChange): JobRuntime {
    const name = parent.backend ?? 'local';
    const runtime = this.of(name).derive(parent, runId, change);
    runtime.backend = name;
    this.placed.set(runId, name);
    return runtime;
  }

  discard(jobId: string): void {
    this.of(this.placed.get(jobId)).discard(jobId);
    this.placed.delete(jobId);
  }

  async purge(jobId: string, owner: string, runIds: string[]): Promise<void> {
    const name = this.placed.get(jobId) ?? (await this.lookup(jobId));
    await this.of(name).purge(jobId, owner, runIds);
    for (const runId of runIds) {
      this.placed.delete(runId);
    }
  }

  enqueue(item: RunRequest): void {
    if (!this.active) {
      return;
    }
    this.route(item.runId, b => b.enqueue(item));
  }

  /** {@link Backend.admit}; a replica that is not the leader admits nothing: the leader creates the run. */
  async admit(item: RunRequest): Promise<void> {
    if (!this.active) {
      return;
    }
    const backend = this.of(this.placed.get(item.runId));
    if (backend.admit) {
      await backend.admit(item);
    } else {
      backend.enqueue(item);
    }
  }

  dequeue(runId: string): boolean {
    if (!this.active) {
      return false;
    }
    const name = this.placed.get(runId);
    if (name) {
      return this.of(name).dequeue(runId);
    }
    this.route(runId, b => b.dequeue(runId));
    return false;
  }

  terminate(runId: string, graceMs?: number): void {
    if (!this.active) {
      return;
    }
    this.route(runId, b => b.terminate(runId, graceMs));
  }

  async start(): Promise<void> {
    this.active = true;
    for (const backend of this.backends.values()) {
      await backend.start();
    }
  }

  async stop(): Promise<void> {
    this.active = false;
    for (const backend of this.backends.values()) {
      await backend.stop();
    }
  }

  describe(user: string): BackendInfo {
    return this.of(this.defaultName).describe(user);
  }

  private of(name: BackendName | undefined): Backend {
    return this.backends.get(name ?? 'local') ?? this.backends.get(this.defaultName)!;
  }

  /** Calls `act` on the run's backend: at once when known, else after reading the run's record. */
  private route(runId: string, act: (backend: Backend) => void): void {
    const name = this.placed.get(runId);
    if (name) {
      act(this.of(name));
      return;
    }
    void this.lookup(runId).then(found => {
      this.placed.set(runId, found);
      act(this.of(found));
    });
  }

  private async lookup(runId: string): Promise<BackendName> {
    const kind = this.kinds.find(k => k.owns(runId));
    let name: BackendName = 'local';
    await kind?.update(runId, run => {
      name = run.runtime.backend ?? 'local';
      return false;
    });
    return name;
  }
}
