import path from 'node:path';
import type { V1Job, V1Pod } from './client.js';
import { CONTAINER, LABELS, RUNNER_ARTIFACTS_CODE, RUN_ID_ANNOTATION } from './manifests.js';
import type { KubePlan } from './plan.js';
import type { TakenOutputs } from './outputs.js';
import type { RunView } from '../backend.js';
import { isTerminal } from '../../jobs/states.js';

/*
 * Reading a run's state from its Kubernetes objects: pure functions over what the watches hold.
 */

/** Pod phases in which a container has started: its log can be read. */
export const READY_POD_PHASES = new Set(['Running', 'Succeeded', 'Failed']);

/** A Job condition that holds, with its reason and message. */
export function condition(job: V1Job, type: string): { reason?: string; message?: string } | undefined {
  const c = job.status?.conditions?.find(x => x.type === type && x.status === 'True');
  return c ? { reason: c.reason, message: c.message } : undefined;
}

/** The exact run id an object of a run carries. */
export function runIdOf(obj: { metadata?: { annotations?: Record<string, string> } }): string | undefined {
  return obj.metadata?.annotations?.[RUN_ID_ANNOTATION];
}

/** The newest of some pods (a retried pod replaces a failed one). */
export function latest(pods: V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) => Date.parse(String(b.metadata?.creationTimestamp ?? 0)) - Date.parse(String(a.metadata?.creationTimestamp ?? 0)))[0];
}

/** Why a Job failed: the runner's exit code and termination message, or the Job controller's reason. */
export function failure(job: V1Job, pods: V1Pod[], run: RunView): { message: string; reason: string; exitCode: number | null; timedOut?: boolean } {
  const cond = condition(job, 'Failed')!;
  if (cond.reason === 'DeadlineExceeded') {
    const plan = run.runtime.plan as KubePlan;
    return {
      message: `the job ran longer than its maxRunningTime of ${plan.maxRunningSeconds}s and was stopped`,
      reason: 'exceeded maxRunningTime',
      exitCode: null,
      timedOut: true
    };
  }
  const terminated = pods
    .flatMap(p => (p.status?.containerStatuses ?? []).filter(c => c.name === CONTAINER).map(c => ({ pod: p, state: c.state?.terminated })))
    .filter(x => x.state && x.state.exitCode !== 0);
  const last = terminated[terminated.length - 1];
  if (last?.state) {
    const code = last.state.exitCode;
    const message = last.state.message?.trim();
    const role = last.pod.metadata?.labels?.[LABELS.role];
    const where = role && role !== 'master' ? ` (${role} pod ${last.pod.metadata?.name})` : '';
    return {
      message: message ? `${message}${where}` : `the runner exited with code ${code}${where}`,
      // Exit code 6: the artifact store failed; its message (`could not upload outputs: ...`) is the reason.
      reason: code === RUNNER_ARTIFACTS_CODE && message ? message.split('\n')[0] : `the runner exited with code ${code}`,
      exitCode: code
    };
  }
  return { message: cond.message ?? 'the Kubernetes Job failed', reason: cond.reason ?? 'the Kubernetes Job failed', exitCode: null };
}

/** Why a run failed, as the Job, its pods or the backend tell it. */
export interface Ending {
  message: string;
  reason: string;
  exitCode?: number | null;
  timedOut?: boolean;
}

/**
 * Writes a run's end into its record: its outputs as taken in (a run whose outputs could not be taken in
 * fails, so nothing half-there is registered), then the state, exit code and message. `rel` turns a
 * name in the run's folder into the path stored (relative to the service's root). False: nothing to do.
 */
export function endRun(
  r: RunView,
  to: 'SUCCEEDED' | 'FAILED' | 'CANCELLED',
  outputs: Exclude<TakenOutputs, 'later'>,
  rel: (name: string) => string,
  why?: Ending
): boolean | void {
  if (isTerminal(r.state)) {
    return false;
  }
  delete r.output.queueReason;
  if (to === 'CANCELLED') {
    r.transition('CANCELLED', 'cancelled by the user');
    return;
  }
  if (outputs && 'result' in outputs) {
    r.output.outputNotebook = outputs.result.outputNotebook ? rel('output.ipynb') : r.output.outputNotebook;
    r.output.outputHtml = outputs.result.outputHtml ? rel('output.html') : r.output.outputHtml;
    // The manifest commits the saved models too, so a log read short loses none.
    const known = new Set((r.output.models ?? []).map(m => m.name));
    const committed = outputs.result.models.filter(name => !known.has(name)).map(name => ({ name, path: rel(path.join('models', name)) }));
    if (committed.length) {
      r.output.models = [...(r.output.models ?? []), ...committed];
    }
  } else if (outputs && to === 'SUCCEEDED' && !r.runtime.stoppedEarly) {
    // Nothing half-taken-in is registered: the run fails, and only succeeded runs register models.
    const message = `could not take in the outputs: ${outputs.error}`;
    if (r.state === 'QUEUED') {
      r.transition('PREPARING', 'the pods ran before the service saw them scheduled');
    }
    r.output.exitCode = 0;
    r.errorMessage = message;
    r.transition('FAILED', message.split('\n')[0]);
    return;
  }
  if (r.state === 'QUEUED' && to === 'SUCCEEDED') {
    r.transition('PREPARING', 'the pods ran before the service saw them scheduled');
  }
  if (to === 'SUCCEEDED') {
    r.output.exitCode = r.runtime.stoppedEarly ? r.output.exitCode : 0;
    r.transition('SUCCEEDED', r.runtime.stoppedEarly ? 'stopped early' : 'the runner finished');
    return;
  }
  r.output.exitCode = why?.exitCode ?? null;
  if (why?.timedOut) {
    r.runtime.timedOut = true;
  }
  r.errorMessage = r.runtime.cellError ?? why?.message ?? 'the Kubernetes Job failed';
  r.transition('FAILED', why?.reason ?? 'the Kubernetes Job failed');
}
