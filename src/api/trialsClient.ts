import { ILogPage, ITrial, ITrialList, JobState } from '../wire';
import { JobsClient } from './jobsClient';
import { jobPath, OutputName, trialPath } from './routes';

/** Most trials {@link TrialsClient.listAllTrials} reads. */
export const MAX_TRIALS = 10000;

/**
 * Which intermediate values a page of trials carries: every one, or only
 * each trial's last (how far it got, without its learning curve).
 */
export type TrialMetrics = 'all' | 'last';

/**
 * The trial routes of HPO jobs: pages of trials, one trial, its logs and
 * output files.
 */
export class TrialsClient extends JobsClient {
  /**
   * GET /jobs/{jobId}/trials: one page of an HPO job's trials, only those of
   * `trialIds` when given (at most 1,000).
   */
  listTrials(
    jobId: string,
    options: {
      state?: JobState;
      pageSize?: number;
      pageToken?: string;
      trialIds?: readonly string[];
      metrics?: TrialMetrics;
      signal?: AbortSignal;
    } = {}
  ): Promise<ITrialList> {
    const { state, pageSize, pageToken, metrics, signal } = options;
    const trialIds = options.trialIds?.join(',');
    return this.requester.json<ITrialList>('GET', `${jobPath(jobId)}/trials`, {
      query: { state, pageSize, pageToken, trialIds, metrics },
      signal
    });
  }

  /**
   * Every trial of an HPO job, in trial order, following page tokens up to
   * `limit` trials (at most {@link MAX_TRIALS}). `onPage` sees the trials
   * read so far after each page but the last, while the next one loads.
   */
  async listAllTrials(
    jobId: string,
    options: {
      limit?: number;
      /** Trials of the first page (1,000 unless given). */
      pageSize?: number;
      /** Trials of each later page (`pageSize` unless given). */
      laterPageSize?: number;
      /** `last`: each trial's last intermediate value only. */
      metrics?: TrialMetrics;
      signal?: AbortSignal;
      /** Called with the trials read so far after each page but the last. */
      onPage?: (trials: readonly ITrial[]) => void;
    } = {}
  ): Promise<ITrial[]> {
    const limit = Math.min(options.limit ?? MAX_TRIALS, MAX_TRIALS);
    const pageSize = options.pageSize ?? 1000;
    const laterPageSize = options.laterPageSize ?? pageSize;
    const trials: ITrial[] = [];
    const read = (size: number, pageToken?: string) =>
      this.listTrials(jobId, {
        pageSize: Math.min(size, limit - trials.length),
        pageToken,
        metrics: options.metrics,
        signal: options.signal
      });
    let next: Promise<ITrialList> | null = read(pageSize);
    while (next) {
      const page: ITrialList = await next;
      trials.push(...(page.trials ?? []));
      const pageToken = page.nextPageToken;
      next =
        pageToken && trials.length < limit
          ? read(laterPageSize, pageToken)
          : null;
      if (next) {
        // Asked for already: what the caller does with a page overlaps the next.
        options.onPage?.(trials);
      }
    }
    return trials.slice(0, limit);
  }

  /** GET /jobs/{jobId}/trials/{trialId}. */
  getTrial(
    jobId: string,
    trialId: string,
    signal?: AbortSignal
  ): Promise<ITrial> {
    return this.requester.json<ITrial>('GET', trialPath(jobId, trialId), {
      signal
    });
  }

  /** GET /jobs/{jobId}/trials/{trialId}/logs: a page of a trial's log. */
  getTrialLogs(
    jobId: string,
    trialId: string,
    options: { after?: number; limit?: number; signal?: AbortSignal } = {}
  ): Promise<ILogPage> {
    const { after, limit, signal } = options;
    return this.requester.json<ILogPage>(
      'GET',
      `${trialPath(jobId, trialId)}/logs`,
      {
        query: { after, limit },
        signal
      }
    );
  }

  /** GET /jobs/{jobId}/trials/{trialId}/logs/stream, as {@link openLogStream}. */
  openTrialLogStream(
    jobId: string,
    trialId: string,
    options: { after?: number; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this.requester.send(
      'GET',
      `${trialPath(jobId, trialId)}/logs/stream`,
      {
        query: { after: options.after },
        signal: options.signal,
        headers: { Accept: 'text/event-stream' }
      }
    );
  }

  /** URL of a trial's output file. */
  trialOutputUrl(jobId: string, trialId: string, name: OutputName): string {
    return this.url(`${trialPath(jobId, trialId)}/outputs/${name}`);
  }

  /** GET /jobs/{jobId}/trials/{trialId}/outputs/{name}: the raw response. */
  getTrialOutput(
    jobId: string,
    trialId: string,
    name: OutputName,
    signal?: AbortSignal
  ): Promise<Response> {
    return this.requester.send(
      'GET',
      `${trialPath(jobId, trialId)}/outputs/${name}`,
      {
        signal
      }
    );
  }
}
