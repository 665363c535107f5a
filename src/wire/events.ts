/**
 * Payloads of the service's push streams (`GET /events`), built from the wire types they carry.
 *
 * Event streams are `text/event-stream`, which the OpenAPI document cannot describe field by field;
 * docs/contracts.md fixes them, and each payload is made of generated types.
 */
import type { IMetricPoint, ITrial } from './types';

/** A metric pushed on the events stream. */
export interface IMetricEvent extends IMetricPoint {
  /** The job that reported it. */
  jobId: string;
}

/** A trial pushed on the events stream. */
export interface ITrialEvent {
  /** The HPO job. */
  jobId: string;
  /** The trial as it is now. */
  trial: ITrial;
}
