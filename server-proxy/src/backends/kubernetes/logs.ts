import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { parseRunnerLine, type RunnerRecord } from '../../runner/protocol.js';
import type { Metric } from '../../schemas/jobs.js';
import type { NewLogLine } from '../../store/store.js';
import type { RunView } from '../backend.js';
import { applyRunnerRecord } from '../records.js';
import type { RunKinds } from '../runs.js';
import type { KubeClient, V1Pod } from './client.js';
import { LABELS, OUTPUT_DIR } from './manifests.js';
import type { KubePlan } from './plan.js';
import { PodLogReader } from './podLog.js';
import { latest, READY_POD_PHASES } from './status.js';

/** A run whose master pod's log is being read. */
export interface FollowedRun {
  runId: string;
  namespace: string;
  /** Set once the run's final state is being written: no new reader starts then. */
  finishing: boolean;
  log?: PodLogReader;
}

/** What {@link RunLogs} needs from the backend. */
export interface RunLogsOptions {
  client: KubeClient;
  log: FastifyBaseLogger;
  kinds: RunKinds;
  workdir(runId: string): string;
  /** The service's root folder, when outputs come back through the artifact store (paths are stored relative to it). */
  rootDir?: string;
  isStopped(): boolean;
}

/**
 * Runs' logs from the pod log API: plain lines become log lines and runner records (progress, metrics,
 * saved models) are applied to the run, together with how far the pod's log has been read, so a
 * restarted service resumes without losing or repeating a line.
 */
export class RunLogs {
  constructor(private readonly opts: RunLogsOptions) {}

  /** Streams the pod's log into the run, resuming after the lines already stored for that pod. */
  follow(t: FollowedRun, pod: string, run: RunView): void {
    if (t.log?.pod === pod || t.finishing || this.opts.isStopped()) {
      return;
    }
    t.log?.close();
    t.log = this.reader(t, pod, run);
    t.log.follow();
  }

  private reader(t: FollowedRun, pod: string, run: RunView): PodLogReader {
    const stored = run.runtime.k8s?.log;
    const already = stored?.pod === pod ? stored.lines : 0;
    return new PodLogReader(this.opts.client, t.namespace, pod, already, (lines, storedAfter) => this.store(t.runId, pod, lines, storedAfter), this.opts.log);
  }

  /** Reads the rest of the master pod's log before the run's final state is written. */
  async drain(t: FollowedRun, pods: V1Pod[]): Promise<void> {
    const masterPod = latest(pods.filter(p => p.metadata?.labels?.[LABELS.role] === 'master'));
    const run = await this.opts.kinds.read(t.runId);
    if (!run || !masterPod || !READY_POD_PHASES.has(masterPod.status?.phase ?? '')) {
      t.log?.close();
      return;
    }
    const pod = masterPod.metadata!.name!;
    const reader = t.log && t.log.pod === pod ? t.log : this.reader(t, pod, run);
    t.log?.close();
    await reader.finish();
  }

  /**
   * Where a path the runner wrote in the pod (absolute, or relative to its working folder) lands once the
   * outputs are taken in, relative to rootDir; undefined outside the working folder.
   */
  private podPath(runId: string, runnerPath: string): string | undefined {
    const abs = path.posix.resolve(OUTPUT_DIR, runnerPath);
    if (!abs.startsWith(OUTPUT_DIR + '/')) {
      return undefined;
    }
    const local = path.join(this.opts.workdir(runId), ...path.posix.relative(OUTPUT_DIR, abs).split('/'));
    return path.relative(this.opts.rootDir!, local);
  }

  /** Stores log lines: plain text as log lines, runner records applied, and the line count, in one update. */
  private async store(runId: string, pod: string, lines: string[], storedAfter: number): Promise<void> {
    const now = new Date().toISOString();
    const texts: NewLogLine[] = [];
    const records: RunnerRecord[] = [];
    for (const raw of lines) {
      // With timestamps=true every line starts with the time the container wrote it.
      const space = raw.indexOf(' ');
      const time = space > 0 && !Number.isNaN(Date.parse(raw.slice(0, space))) ? new Date(raw.slice(0, space)).toISOString() : now;
      const parsed = parseRunnerLine(space > 0 ? raw.slice(space + 1) : raw);
      if (parsed.kind === 'record') {
        records.push(parsed.record);
      } else {
        texts.push({ time, stream: 'stdout', text: parsed.text });
      }
    }
    let owner = '';
    const metrics: Metric[] = [];
    const saved = await this.opts.kinds.update(runId, r => {
      owner = r.owner;
      r.runtime.k8s = { ...r.runtime.k8s!, log: { pod, lines: storedAfter } };
      const outputPath = (r.runtime.plan as KubePlan).artifacts ? (p: string) => this.podPath(runId, p) : undefined;
      for (const record of records) {
        applyRunnerRecord(r, record, metrics, now, outputPath);
      }
      if (metrics.length) {
        r.recordMetrics?.(metrics);
      }
    });
    if (saved && (texts.length || metrics.length)) {
      await this.opts.kinds.of(runId).produced(runId, owner, texts, metrics);
    }
  }
}
