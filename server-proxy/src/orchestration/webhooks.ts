import http from 'node:http';
import https from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from '../events.js';
import { publicJobId } from '../jobs/ids.js';
import { TERMINAL_STATES, type Job, type WebhookDelivery } from '../schemas/jobs.js';
import type { Store } from '../store/store.js';
import type { JobUpdater } from './statusUpdater.js';
import { checkLiteralDestination, guardedLookup, type WebhookDestinationPolicy } from './webhookDestination.js';

/** What the webhook sender needs. */
export interface WebhookOptions {
  bus: EventBus;
  store: Store;
  updater: JobUpdater;
  log: FastifyBaseLogger;
  /** Attempts per ending, the first included. */
  attempts?: number;
  /** Delay before the second attempt; doubles after each failure. */
  firstRetryMs?: number;
  /** How long one attempt may take. */
  timeoutMs?: number;
  /** Which addresses may be posted to. */
  destinations: WebhookDestinationPolicy;
}

/** Most delivery attempts a job keeps in its answer. */
const MAX_DELIVERIES = 20;

/** Slack-compatible: `text` is what Slack shows; `laketahoe` is for receivers that want the facts. */
export function webhookPayload(job: Job): { text: string; laketahoe: Record<string, unknown> } {
  const jobId = publicJobId(job.jobId);
  const what = job.trainingOutput.isHyperparameterTuningJob ? `HPO job ${jobId}` : `Job ${jobId}`;
  const text =
    job.state === 'SUCCEEDED'
      ? `${what} succeeded.`
      : job.state === 'FAILED'
        ? `${what} failed: ${job.errorMessage || 'no reason given'}`
        : `${what} was cancelled.`;
  return { text, laketahoe: { jobId, state: job.state, errorMessage: job.errorMessage, endTime: job.endTime } };
}

/**
 * Posts a job's end to its webhook, in the background: the attempts never hold up the service or the
 * job, failures (no answer, or a status other than 2xx) are retried with back-off, and every attempt
 * is recorded in the job (`webhook.deliveries`) for the owner to see.
 */
export class WebhookSender {
  /** Endings being delivered (`<key> <state>`): a job's later updates do not post it again. */
  private readonly sending = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly opts: WebhookOptions) {}

  /** Starts listening for job endings. */
  start(): void {
    this.stopped = false;
    this.unsubscribe ??= this.opts.bus.subscribe(event => {
      if (event.type === 'job' && event.job.webhook && TERMINAL_STATES.has(event.job.state)) {
        this.consider(event.job);
      }
    });
  }

  /** Stops listening; deliveries in progress give up at their next wait. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.pending]);
  }

  private consider(job: Job): void {
    const key = `${job.jobId} ${job.state}`;
    // Recorded attempts survive a restart: an ending already delivered (or tried) is not sent again.
    if (this.sending.has(key) || job.webhook!.deliveries.some(d => d.state === job.state)) {
      return;
    }
    this.sending.add(key);
    const delivery = this.deliver(job)
      .catch(err => this.opts.log.warn({ err, jobId: job.jobId }, 'webhook delivery failed'))
      .finally(() => {
        this.sending.delete(key);
        this.pending.delete(delivery);
      });
    this.pending.add(delivery);
  }

  private async deliver(job: Job): Promise<void> {
    const { store, updater, attempts = 5, firstRetryMs = 2000, timeoutMs = 10_000 } = this.opts;
    const url = (await store.getJob(job.jobId))?.runtime.webhookUrl;
    if (!url) {
      return;
    }
    const body = JSON.stringify(webhookPayload(job));
    let wait = firstRetryMs;
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      const result = await post(url, body, timeoutMs, this.opts.destinations);
      const record: WebhookDelivery = { state: job.state, attempt, time: new Date().toISOString(), ...result };
      await updater.update(job.jobId, r => {
        if (!r.job.webhook) {
          return false;
        }
        r.job.webhook.deliveries = [...r.job.webhook.deliveries, record].slice(-MAX_DELIVERIES);
      });
      if (result.delivered) {
        return;
      }
      await new Promise(resolve => setTimeout(resolve, wait).unref());
      wait *= 2;
    }
  }
}

/** One POST; its outcome, never an exception. Redirects are not followed (a 3xx is a failed attempt). */
function post(
  url: string,
  body: string,
  timeoutMs: number,
  policy: WebhookDestinationPolicy
): Promise<Pick<WebhookDelivery, 'delivered' | 'status' | 'error'>> {
  const target = new URL(url);
  const refused = checkLiteralDestination(target.hostname, policy);
  if (refused) {
    return Promise.resolve({ delivered: false, status: null, error: `refused: ${refused}` });
  }
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise(resolve => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        lookup: guardedLookup(policy),
        signal: AbortSignal.timeout(timeoutMs)
      },
      res => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(
          status >= 200 && status < 300
            ? { delivered: true, status }
            : { delivered: false, status, error: `the receiver answered ${status}` }
        );
      }
    );
    req.on('error', err => {
      const code = (err as NodeJS.ErrnoException).code;
      resolve({
        delivered: false,
        status: null,
        error:
          err.name === 'AbortError' || err.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : code === 'EREFUSEDDESTINATION'
              ? `refused: ${err.message}`
              : `not reached (${code ?? err.message})`
      });
    });
    req.end(body);
  });
}
