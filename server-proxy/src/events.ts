import { EventEmitter } from 'node:events';
import type { Job, LogLine, Trial } from './schemas/jobs.js';
import type { Alert } from './schemas/monitoring.js';
import type { Deployment } from './schemas/serving.js';

/** A change pushed to SSE subscribers. */
export type ServiceEvent =
  | { type: 'job'; owner: string; jobId: string; job: Job }
  | { type: 'metric'; owner: string; jobId: string; step: number; name: string; value: number; time: string }
  | { type: 'log'; owner: string; jobId: string; lines: LogLine[] }
  | { type: 'trial'; owner: string; jobId: string; trial: Trial }
  | { type: 'jobDeleted'; owner: string; jobId: string }
  // `jobId` is never set: a stream filtered to one job does not carry alerts.
  | { type: 'alert'; owner: string; deployment: string; jobId?: undefined; alert: Alert }
  | { type: 'deployment'; owner: string; jobId?: undefined; deployment: Deployment };

/** In-process fan-out of job, trial, metric, log, deployment and alert changes, from the backends to the push routes. */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open SSE connection subscribes; the default limit of 10 would only produce warnings.
    this.emitter.setMaxListeners(0);
  }

  /** Delivers an event to all current subscribers. */
  publish(event: ServiceEvent): void {
    this.emitter.emit('event', event);
  }

  /** Subscribes; the returned function unsubscribes. */
  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
