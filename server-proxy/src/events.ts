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

/**
 * Fan-out of job, trial, metric, log, deployment and alert changes, from the backends to the push routes.
 * With several replicas on one database, events published here are also handed to a relay, and events
 * other replicas published arrive through {@link EventBus.deliverRemote}.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private relay?: (event: ServiceEvent) => void;

  constructor() {
    // Every open SSE connection subscribes; the default limit of 10 would only produce warnings.
    this.emitter.setMaxListeners(0);
  }

  /** Delivers a change made in this process to all current subscribers (and to the other replicas). */
  publish(event: ServiceEvent): void {
    this.emitter.emit('local', event);
    this.emitter.emit('event', event);
    this.relay?.(event);
  }

  /** Delivers a change another replica made: to the push streams, not to {@link subscribeLocal} listeners. */
  deliverRemote(event: ServiceEvent): void {
    this.emitter.emit('event', event);
    this.emitter.emit('remote', event);
  }

  /** Subscribes to changes other replicas made (the leader picks up work a follower accepted). */
  subscribeRemote(listener: (event: ServiceEvent) => void): () => void {
    this.emitter.on('remote', listener);
    return () => this.emitter.off('remote', listener);
  }

  /** Subscribes to every change, wherever it was made (push streams); the returned function unsubscribes. */
  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  /** Subscribes to changes made in this process only: reactions with side effects run once, where the change was made. */
  subscribeLocal(listener: (event: ServiceEvent) => void): () => void {
    this.emitter.on('local', listener);
    return () => this.emitter.off('local', listener);
  }

  /** Hands every event published here to `send` as well (one relay); the returned function stops it. */
  relayTo(send: (event: ServiceEvent) => void): () => void {
    this.relay = send;
    return () => {
      if (this.relay === send) {
        this.relay = undefined;
      }
    };
  }
}
