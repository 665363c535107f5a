/**
 * What happens to an inference request once its answer is out: the monitor counts it (with its inputs
 * and outputs), the per-version figures get it, and shadow challengers get their copy. Answered requests
 * are queued and handled together after the current turn of the event loop, off every answer's path;
 * each request is queued once, by whichever path (the Fastify route or the fast path) answered it.
 */
import type { InferenceRecorder, InferenceSample, InferenceTensor } from '../monitoring/recorder.js';
import type { VersionMonitor } from '../monitoring/versions.js';
import type { DeploymentService } from '../serving/deployments.js';
import { deploymentKey } from '../serving/deploymentUpdater.js';
import type { ServingTarget } from '../serving/servingTarget.js';
import { MirrorGate } from '../serving/traffic.js';
import { JSON_BODY_HEADERS, parseJson, tensors } from './inferenceUpstream.js';

/**
 * An answered request as the recorder sees it. The bodies are parsed when first read and at most once:
 * the request's inputs only matter to a monitor that computes drift, so most requests never parse them.
 */
class AnsweredSample implements InferenceSample {
  readonly owner: string;
  readonly deployment: string;
  readonly model: string;
  readonly version: number;
  readonly time: number;
  private parsedInputs?: InferenceTensor[] | null;
  private parsedOutputs?: InferenceTensor[] | null;

  constructor(
    private readonly pending: PendingSample,
    serving: ServingTarget | undefined,
    readonly latencyMs: number,
    readonly status: number
  ) {
    this.owner = pending.owner;
    this.deployment = pending.deployment;
    this.model = serving?.model ?? '';
    this.version = serving?.version ?? 0;
    this.time = pending.time;
  }

  get inputs(): InferenceTensor[] | undefined {
    if (this.parsedInputs === undefined) {
      this.parsedInputs = tensors(parseJson(this.pending.requestBody)?.inputs) ?? null;
    }
    return this.parsedInputs ?? undefined;
  }

  /** Outputs of a successful answer only. */
  get outputs(): InferenceTensor[] | undefined {
    if (this.parsedOutputs === undefined) {
      this.parsedOutputs = this.status < 400 ? (tensors(parseJson(this.pending.responseBody)?.outputs) ?? null) : null;
    }
    return this.parsedOutputs ?? undefined;
  }
}

/** What an inference request left for the recorder, filled in as it is handled. */
export interface PendingSample {
  serving?: ServingTarget;
  /** Which version answered (champion unless a canary sent the request to a challenger). */
  role?: 'champion' | 'challenger';
  /** The shadow challengers that get a copy once the answer is out. */
  mirrors?: ServingTarget[];
  /** Whether the deployment had a ready challenger: the per-version figures count only such requests. */
  compared?: boolean;
  /** The inference path on the model server, for the shadow copy. */
  urlPath?: string;
  owner: string;
  deployment: string;
  /** Epoch milliseconds when the request arrived. */
  time: number;
  requestBody?: Buffer;
  responseBody?: Buffer;
}

/** What the recording needs. */
export interface InferenceRecordingDeps {
  deployments: DeploymentService;
  recorder: InferenceRecorder;
  versions: VersionMonitor;
  /** Shadow copies in flight per challenger before further copies are dropped (default 64). */
  maxMirrorInflight?: number;
}

interface Answered {
  pending: PendingSample;
  status: number;
  latencyMs: number;
}

/** Records answered inference requests and sends their shadow copies. */
export class InferenceRecording {
  private readonly gate: MirrorGate;
  private queue: Answered[] = [];

  constructor(private readonly deps: InferenceRecordingDeps) {
    this.gate = new MirrorGate(deps.maxMirrorInflight ?? 64);
  }

  /** Queues one answered request (`status` as the caller got it); recorded soon after, never on its path. */
  answered(pending: PendingSample, status: number, latencyMs: number): void {
    if (this.queue.push({ pending, status, latencyMs }) === 1) {
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    const batch = this.queue;
    this.queue = [];
    for (const answered of batch) {
      this.record(answered);
    }
  };

  private record({ pending, status, latencyMs }: Answered): void {
    const { deployments, recorder, versions } = this.deps;
    const runner = pending.serving ? undefined : deployments.runner(pending.owner, pending.deployment);
    const serving = pending.serving ?? runner?.serving;
    if (!serving && !runner) {
      return; // No such deployment: nothing to attribute the request to.
    }
    const sample = new AnsweredSample(pending, serving, latencyMs, status);
    recorder.record(sample);
    // The per-version figures compare a champion with its challengers: without one there is nothing to
    // compare, and the answer is not even parsed (the deployment's own monitoring has counted the request).
    if (serving && pending.role && pending.compared) {
      const key = deploymentKey(pending.owner, pending.deployment);
      versions.record(key, { model: serving.model, version: serving.version, role: pending.role, returned: true, latencyMs, status, outputs: sample.outputs });
      if (pending.requestBody && status < 400) {
        for (const challenger of pending.mirrors ?? []) {
          this.mirror(key, challenger, pending.urlPath!, pending.requestBody, sample.outputs);
        }
      }
    }
  }

  /**
   * Sends the shadow copy of an answered request to one challenger and records its answer beside the
   * champion's. Runs after the champion's answer has gone out, bounded per challenger, never awaited.
   */
  private mirror(key: string, challenger: ServingTarget, urlPath: string, body: Buffer, championOutputs: InferenceTensor[] | undefined): void {
    const { versions } = this.deps;
    const gateKey = `${key}\u0000${challenger.version}`;
    if (!this.gate.enter(gateKey)) {
      versions.dropped(key);
      return;
    }
    const { server } = challenger;
    const started = performance.now();
    server.inflight += 1;
    void server
      .send({ method: 'POST', path: urlPath, headers: JSON_BODY_HEADERS, body })
      .catch(() => ({ status: 503, body: Buffer.alloc(0) }))
      .then(({ status, body: answer }) => {
        const outputs = status < 400 ? tensors(parseJson(answer)?.outputs) : undefined;
        const latencyMs = performance.now() - started;
        versions.record(key, { model: challenger.model, version: challenger.version, role: 'challenger', returned: false, latencyMs, status, outputs });
        versions.recordShadow(key, challenger.version, championOutputs, outputs, status < 400);
      })
      .finally(() => {
        server.inflight -= 1;
        this.gate.leave(gateKey);
      });
  }
}
