import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { isHpoJob } from '../model/jobs';
import { TERMINAL_STATES } from '../model/states';
import { IJobsModel } from '../tokens';
import { IJob, JobState } from '../wire';

/** Options of {@link notifyEndedJobs}. */
export interface IJobNotificationOptions {
  /** Whether notifications are wanted now (a setting). */
  enabled: () => boolean;
  /** Open a job's view. */
  openJob: (jobId: string) => void;
  /** Translations of the laketahoe domain. */
  trans: TranslationBundle;
  /** The clock (tests). */
  now?: () => number;
}

/** A job first seen already ended counts as just ended when it ended this recently. */
const JUST_ENDED_MS = 60_000;

/**
 * Notify when one of the user's jobs or HPO jobs ends (succeeded, failed with its reason, cancelled),
 * with an action that opens it, whoever submitted it (panel, kernel or CLI): every job the service
 * pushes passes the jobs model. A job is announced once, when it moves into an ended state; jobs that
 * had ended before the page loaded stay quiet.
 * @returns what stops it
 */
export function notifyEndedJobs(
  jobs: IJobsModel,
  options: IJobNotificationOptions
): IDisposable {
  const { trans, now = Date.now } = options;
  // The state each job had when last seen, so an ending is told from a repeat.
  const known = new Map<string, JobState>();
  let disposed = false;
  const remember = () => {
    for (const job of jobs.jobs) {
      if (!known.has(job.jobId)) {
        known.set(job.jobId, job.state);
      }
    }
  };
  const onJob = (_: IJobsModel, job: IJob) => {
    const before = known.get(job.jobId);
    known.set(job.jobId, job.state);
    if (!TERMINAL_STATES.has(job.state) || !options.enabled()) {
      return;
    }
    const justEnded =
      before === undefined
        ? !!job.endTime && now() - Date.parse(job.endTime) < JUST_ENDED_MS
        : !TERMINAL_STATES.has(before);
    if (justEnded) {
      show(job);
    }
  };
  const show = (job: IJob) => {
    const what = isHpoJob(job)
      ? trans.__('HPO job %1', job.jobId)
      : trans.__('Job %1', job.jobId);
    const shownWith = {
      autoClose: job.state === 'FAILED' ? (false as const) : 8000,
      actions: [
        {
          label: trans.__('Open'),
          callback: () => options.openJob(job.jobId)
        }
      ]
    };
    if (job.state === 'SUCCEEDED') {
      Notification.success(trans.__('%1 succeeded.', what), shownWith);
    } else if (job.state === 'FAILED') {
      Notification.error(
        trans.__(
          '%1 failed: %2',
          what,
          job.errorMessage || trans.__('no reason given')
        ),
        shownWith
      );
    } else {
      Notification.info(trans.__('%1 was cancelled.', what), shownWith);
    }
  };
  remember();
  jobs.changed.connect(remember);
  jobs.jobChanged.connect(onJob);
  return {
    get isDisposed() {
      return disposed;
    },
    dispose() {
      disposed = true;
      jobs.changed.disconnect(remember);
      jobs.jobChanged.disconnect(onJob);
    }
  };
}
