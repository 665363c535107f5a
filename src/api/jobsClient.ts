import {
  IDeleteOutcome,
  IJob,
  IJobList,
  ILogPage,
  IMetricPoint,
  IUsage,
  ISubmitJobRequest,
  JobState,
  JsonAnswer
} from '../wire';
import { ClientCore } from './core';
import { jobPath, OutputName } from './routes';

/**
 * The job routes: submit, list, read, cancel, stop and delete jobs, their logs,
 * metrics, output files and event streams.
 */
export class JobsClient extends ClientCore {
  /** GET /jobs: one page of the caller's jobs, newest first. */
  listJobs(
    options: {
      state?: JobState;
      pageSize?: number;
      pageToken?: string;
      signal?: AbortSignal;
    } = {}
  ): Promise<IJobList> {
    const { state, pageSize, pageToken, signal } = options;
    return this.requester.json<IJobList>('GET', 'jobs', {
      query: { state, pageSize, pageToken },
      signal
    });
  }

  /** GET /jobs/{jobId}. */
  getJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this.requester.json<IJob>('GET', jobPath(jobId), { signal });
  }

  /** POST /jobs: submit a job; answers the created job. */
  submitJob(request: ISubmitJobRequest, signal?: AbortSignal): Promise<IJob> {
    return this.requester.json<IJob>('POST', 'jobs', {
      body: request,
      signal
    });
  }

  /** POST /jobs/{jobId}/cancel. */
  cancelJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this.requester.json<IJob>('POST', `${jobPath(jobId)}/cancel`, {
      signal
    });
  }

  /**
   * POST /jobs/batch-delete: delete jobs with their outputs, logs, metrics and trials (running ones are
   * cancelled first); one result per id, in order. A job a model version was registered from is kept.
   */
  async deleteJobs(
    jobIds: string[],
    signal?: AbortSignal
  ): Promise<IDeleteOutcome[]> {
    const answer = await this.requester.json<{ results: IDeleteOutcome[] }>(
      'POST',
      'jobs/batch-delete',
      { body: { jobIds }, signal }
    );
    return answer.results;
  }

  /** GET /jobs/{jobId}/logs: a page of log lines after `after`. */
  getLogs(
    jobId: string,
    options: { after?: number; limit?: number; signal?: AbortSignal } = {}
  ): Promise<ILogPage> {
    const { after, limit, signal } = options;
    return this.requester.json<ILogPage>('GET', `${jobPath(jobId)}/logs`, {
      query: { after, limit },
      signal
    });
  }

  /**
   * GET /jobs/{jobId}/metrics, following every page. With `maxPoints` the service
   * thins each metric to at most that many evenly spaced values (first and last
   * kept): enough for a chart, bounded however long the run.
   */
  async getMetrics(
    jobId: string,
    options: { maxPoints?: number; signal?: AbortSignal } = {}
  ): Promise<IMetricPoint[]> {
    const points: IMetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const body = await this.requester.json<
        JsonAnswer<'/api/v1/jobs/{jobId}/metrics'>
      >('GET', `${jobPath(jobId)}/metrics`, {
        query: { maxPoints: options.maxPoints, pageToken },
        signal: options.signal
      });
      points.push(...(body.metrics ?? []));
      pageToken = body.nextPageToken;
    } while (pageToken);
    return points;
  }

  /**
   * GET /jobs/{jobId}/usage: CPU, memory and GPU samples taken while the job
   * ran (at most `maxPoints`, evenly spaced) and their summary.
   */
  getUsage(
    jobId: string,
    options: { maxPoints?: number; signal?: AbortSignal } = {}
  ): Promise<IUsage> {
    return this.requester.json<IUsage>('GET', `${jobPath(jobId)}/usage`, {
      query: { maxPoints: options.maxPoints },
      signal: options.signal
    });
  }

  /** URL of an output file served by the service. */
  outputUrl(jobId: string, name: OutputName): string {
    return this.url(`${jobPath(jobId)}/outputs/${name}`);
  }

  /** GET /jobs/{jobId}/outputs/{name}: the raw response. */
  getOutput(
    jobId: string,
    name: OutputName,
    signal?: AbortSignal
  ): Promise<Response> {
    return this.requester.send('GET', `${jobPath(jobId)}/outputs/${name}`, {
      signal
    });
  }

  /**
   * GET /jobs/{jobId}/logs/stream: an open event-stream response of `log`
   * events, ending with `end` once the job has ended.
   */
  openLogStream(
    jobId: string,
    options: { after?: number; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this.requester.send('GET', `${jobPath(jobId)}/logs/stream`, {
      query: { after: options.after },
      signal: options.signal,
      headers: { Accept: 'text/event-stream' }
    });
  }

  /**
   * GET /events: an open event-stream response of `job` and `metric` events
   * for the caller's jobs, optionally for one job only.
   */
  openEventStream(
    options: { jobId?: string; signal?: AbortSignal } = {}
  ): Promise<Response> {
    return this.requester.send('GET', 'events', {
      query: { jobId: options.jobId },
      signal: options.signal,
      headers: { Accept: 'text/event-stream' }
    });
  }

  /** POST /jobs/{jobId}/stop: an HPO job starts no new trials. */
  stopJob(jobId: string, signal?: AbortSignal): Promise<IJob> {
    return this.requester.json<IJob>('POST', `${jobPath(jobId)}/stop`, {
      signal
    });
  }
}
