import type { FastifyBaseLogger } from 'fastify';
import { IngestError, ingestRun, MANIFEST, runGrant, runPrefix, type IngestResult } from '../../artifacts/runs.js';
import { ArtifactStoreError } from '../../artifacts/store.js';
import { isTerminal } from '../../jobs/states.js';
import type { RunKinds } from '../runs.js';
import type { KubernetesArtifacts } from './options.js';
import { grantSecret } from './manifests.js';
import type { KubePlan } from './plan.js';

/** What a run's outputs came to when it ended: taken in, or why not; 'later' while the store fails. */
export type TakenOutputs = 'later' | { result: IngestResult } | { error: string } | undefined;

/** What {@link RunOutputs} needs from the backend. */
export interface RunOutputsOptions {
  artifacts: KubernetesArtifacts;
  kinds: RunKinds;
  log: FastifyBaseLogger;
  workdir(runId: string): string;
  /** Looks at a run again (after the store failed). */
  retry(runId: string): void;
}

/**
 * A Kubernetes run's side of the artifact store: the grant its pods get (presigned URLs for its own
 * keys only), and taking in what its runner uploaded once it ends.
 */
export class RunOutputs {
  /** Failed attempts at taking in a run's outputs, by run id. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly opts: RunOutputsOptions) {}

  /** The grant Secret of a run: presigned URLs for its own output keys and its input snapshot. */
  async grant(plan: KubePlan, runId: string, base: string) {
    const { store, grantSeconds } = this.opts.artifacts;
    const master = await runGrant(store, plan.owner, runId, plan.inputsKey, grantSeconds);
    const other = { ...master, outputs: {} };
    return grantSecret(plan, runId, base, { master: JSON.stringify(master), other: JSON.stringify(other) });
  }

  /**
   * Takes in a finished run's uploaded outputs (see artifacts/runs.ts): undefined when the run does not
   * use the store, 'later' while the store fails (retried on a timer, then given up), else the outcome.
   */
  async take(runId: string): Promise<'later' | { result: IngestResult } | { error: string } | undefined> {
    const artifacts = this.opts.artifacts;
    const run = await this.opts.kinds.read(runId);
    if (!run || isTerminal(run.state) || !(run.runtime.plan as KubePlan).artifacts) {
      return undefined;
    }
    try {
      const result = await ingestRun(artifacts.store, run.owner, runId, this.opts.workdir(runId), artifacts.limits);
      this.failures.delete(runId);
      return { result };
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof ArtifactStoreError) {
        const failures = (this.failures.get(runId) ?? 0) + 1;
        this.failures.set(runId, failures);
        if (failures < (artifacts.maxAttempts ?? 12)) {
          this.opts.log.warn({ runId, failures, reason: message }, 'taking in the outputs failed; retrying');
          setTimeout(() => this.opts.retry(runId), artifacts.retryMs ?? 5000).unref();
          return 'later';
        }
      } else if (!(err instanceof IngestError)) {
        this.opts.log.error({ err, runId }, 'taking in the outputs failed');
      }
      this.failures.delete(runId);
      return { error: message };
    }
  }

  /** Whether the run's committed manifest says the runner succeeded (false when unknown). */
  async committedSuccess(owner: string, runId: string): Promise<boolean> {
    try {
      const raw = await this.opts.artifacts.store.read(runPrefix(owner, runId) + MANIFEST, 1024 * 1024);
      return (JSON.parse(raw.toString('utf8')) as { exitCode?: unknown }).exitCode === 0;
    } catch {
      return false;
    }
  }
}
