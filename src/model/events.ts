import { ISignal, Signal } from '@lumino/signaling';

import { LakeTahoeClient } from '../api';
import { IServerSentEvent } from '../sse';
import { IJob, IMetricEvent, ITrialEvent } from '../wire';
import { IPushEvents, StreamStatus } from '../tokens';
import { IReconnectingEventStreamOptions, StreamConsumer } from './stream';

/**
 * The one push connection to the service (`GET /events`), shared by every
 * model: it reconnects by itself and hands each event, parsed and checked,
 * to the signal of its kind.
 */
export class PushEvents extends StreamConsumer implements IPushEvents {
  /**
   * Create the connection; nothing is opened until {@link start}.
   * @param client the API client whose event stream is read
   */
  constructor(client: LakeTahoeClient) {
    super();
    this._client = client;
  }

  /** Emitted with every `job` event. */
  get jobReceived(): ISignal<this, IJob> {
    return this._jobReceived;
  }

  /** Emitted with every `metric` event. */
  get metricReceived(): ISignal<this, IMetricEvent> {
    return this._metricReceived;
  }

  /** Emitted with every `trial` event of an HPO job. */
  get trialReceived(): ISignal<this, ITrialEvent> {
    return this._trialReceived;
  }

  /** Emitted with every other event (`deployment`, `alert`, ...). */
  get otherEventReceived(): ISignal<this, IServerSentEvent> {
    return this._otherEventReceived;
  }

  /**
   * Emitted each time the connection (re)opens: models reload then, since
   * events missed while disconnected are not replayed.
   */
  get connected(): ISignal<this, void> {
    return this._connected;
  }

  /** Emitted when the connection opens, drops or stops. */
  get statusChanged(): ISignal<this, StreamStatus> {
    return this._statusChanged;
  }

  protected streamOptions(): IReconnectingEventStreamOptions {
    return {
      open: signal => this._client.openEventStream({ signal }),
      onOpen: () => this._connected.emit(),
      onEvent: event => this.handleEvent(event)
    };
  }

  protected onStatusChanged(status: StreamStatus): void {
    this._statusChanged.emit(status);
  }

  /** Reconnect now, e.g. after the user asked to retry. */
  reconnect(): void {
    if (this._stream && this._stream.status !== 'stopped') {
      this._stream.reconnectNow();
    } else {
      this.start();
    }
  }

  /** Dispatch one event of the stream; malformed payloads are dropped. */
  handleEvent(event: IServerSentEvent): void {
    if (this.isDisposed) {
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (event.event === 'job') {
      if (isJob(data)) {
        this._jobReceived.emit(data);
      }
    } else if (event.event === 'metric') {
      if (isMetric(data)) {
        this._metricReceived.emit(data);
      }
    } else if (event.event === 'trial') {
      if (isTrialEvent(data)) {
        this._trialReceived.emit(data);
      }
    } else {
      this._otherEventReceived.emit(event);
    }
  }

  private _client: LakeTahoeClient;
  private _jobReceived = new Signal<this, IJob>(this);
  private _metricReceived = new Signal<this, IMetricEvent>(this);
  private _trialReceived = new Signal<this, ITrialEvent>(this);
  private _otherEventReceived = new Signal<this, IServerSentEvent>(this);
  private _connected = new Signal<this, void>(this);
  private _statusChanged = new Signal<this, StreamStatus>(this);
}

/** Whether a parsed event payload looks like a job. */
export function isJob(value: unknown): value is IJob {
  const job = value as IJob | null;
  return (
    typeof job === 'object' &&
    job !== null &&
    typeof job.jobId === 'string' &&
    typeof job.state === 'string'
  );
}

/** Whether a parsed event payload looks like a metric. */
function isMetric(value: unknown): value is IMetricEvent {
  const metric = value as IMetricEvent | null;
  return (
    typeof metric === 'object' &&
    metric !== null &&
    typeof metric.jobId === 'string' &&
    typeof metric.name === 'string' &&
    typeof metric.value === 'number'
  );
}

/** Whether a parsed event payload looks like a trial event. */
function isTrialEvent(value: unknown): value is ITrialEvent {
  const event = value as ITrialEvent | null;
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof event.jobId === 'string' &&
    typeof event.trial === 'object' &&
    event.trial !== null &&
    typeof event.trial.trialId === 'string'
  );
}
