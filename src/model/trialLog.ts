/** The streamed log of one trial of an HPO job. */
import { LakeTahoeClient } from '../api';
import { LogStreamModel } from './stream';

/** Most log lines a trial log keeps. */
export const MAX_TRIAL_LOG_LINES = 5000;

/** The streamed log of one trial. */
export class TrialLogModel extends LogStreamModel {
  /**
   * Create a log; call {@link start} to stream it.
   * @param client the API client
   * @param jobId the HPO job
   * @param trialId the trial
   */
  constructor(
    readonly client: LakeTahoeClient,
    readonly jobId: string,
    readonly trialId: string
  ) {
    super({
      open: (after, signal) =>
        client.openTrialLogStream(jobId, trialId, { after, signal }),
      maxLines: MAX_TRIAL_LOG_LINES
    });
  }
}
