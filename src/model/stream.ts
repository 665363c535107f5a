import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IServerSentEvent, readEventStream } from '../sse';
import { StreamStatus } from '../tokens';
import { ILogLine } from '../wire';

/** Options of a {@link ReconnectingEventStream}. */
export interface IReconnectingEventStreamOptions {
  /** Open the stream; called again on every reconnect. */
  open: (signal: AbortSignal) => Promise<Response>;
  /** Called for every event. */
  onEvent: (event: IServerSentEvent) => void;
  /**
   * Called once each connection is open, before its events; the place to
   * refresh state that may have changed while disconnected.
   */
  onOpen?: () => void;
  /** First reconnect delay in milliseconds. */
  initialDelayMs?: number;
  /** Longest reconnect delay in milliseconds. */
  maxDelayMs?: number;
  /**
   * Reconnect when nothing (not even a ping) arrived for this long; the
   * service pings every 15 s, so a silent connection is a dead one.
   */
  idleTimeoutMs?: number;
}

/**
 * Keeps an event-stream subscription alive: reconnects with exponential
 * backoff and jitter after errors or server closes, until stopped.
 */
export class ReconnectingEventStream implements IDisposable {
  /** Create a stream; nothing happens until {@link start}. */
  constructor(options: IReconnectingEventStreamOptions) {
    this._options = options;
  }

  /** Emitted when the connection status changes. */
  get statusChanged(): ISignal<this, StreamStatus> {
    return this._statusChanged;
  }

  /** The connection status. */
  get status(): StreamStatus {
    return this._status;
  }

  /** The last connection error, cleared once connected. */
  get lastError(): unknown {
    return this._lastError;
  }

  /** Whether the stream is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Start connecting; a no-op when already running. */
  start(): void {
    if (this._running || this._isDisposed) {
      return;
    }
    this._running = true;
    void this._loop(++this._generation);
  }

  /** Close the connection and do not reconnect (until started again). */
  stop(): void {
    this._running = false;
    this._controller?.abort();
    this._wake?.();
    this._setStatus('stopped');
  }

  /** Reconnect now, skipping any pending backoff delay. */
  reconnectNow(): void {
    this._attempt = 0;
    this._controller?.abort();
    this._wake?.();
  }

  /** Stop and release resources. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this.stop();
    this._isDisposed = true;
    Signal.clearData(this);
  }

  private async _loop(generation: number): Promise<void> {
    // A stop() then start() begins a new loop; the old one must not go on.
    const live = () => this._running && generation === this._generation;
    const initial = this._options.initialDelayMs ?? 1000;
    const max = this._options.maxDelayMs ?? 30000;
    const idle = this._options.idleTimeoutMs ?? 45000;
    while (live()) {
      const controller = new AbortController();
      this._controller = controller;
      this._setStatus('connecting');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = () => {
        if (timer !== undefined) {
          clearTimeout(timer);
        }
        timer = setTimeout(() => controller.abort(), idle);
      };
      try {
        arm();
        const response = await this._options.open(controller.signal);
        if (!live()) {
          controller.abort();
          break;
        }
        this._attempt = 0;
        this._lastError = undefined;
        this._setStatus('open');
        this._options.onOpen?.();
        await readEventStream(
          response,
          event => {
            if (live()) {
              this._options.onEvent(event);
            }
          },
          { onChunk: arm }
        );
      } catch (error) {
        if (!controller.signal.aborted) {
          this._lastError = error;
        }
      } finally {
        if (timer !== undefined) {
          clearTimeout(timer);
        }
      }
      if (!live()) {
        break;
      }
      this._setStatus('waiting');
      const base = Math.min(max, initial * 2 ** this._attempt);
      this._attempt = Math.min(this._attempt + 1, 16);
      // Jitter spreads the reconnects of many browsers after a restart.
      await this._sleep(base / 2 + Math.random() * (base / 2));
    }
  }

  private _sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this._wake = () => {
        this._wake = null;
        done();
      };
    });
  }

  private _setStatus(status: StreamStatus): void {
    if (this._status !== status) {
      this._status = status;
      this._statusChanged.emit(status);
    }
  }

  private _options: IReconnectingEventStreamOptions;
  private _status: StreamStatus = 'stopped';
  private _statusChanged = new Signal<this, StreamStatus>(this);
  private _running = false;
  private _generation = 0;
  private _attempt = 0;
  private _controller: AbortController | null = null;
  private _wake: (() => void) | null = null;
  private _lastError: unknown = undefined;
  private _isDisposed = false;
}

/**
 * A model fed by one {@link ReconnectingEventStream}, made on the first
 * {@link start}: what the push connection and a streamed log share.
 */
export abstract class StreamConsumer implements IDisposable {
  /** Status of the stream; 'stopped' before {@link start}. */
  get status(): StreamStatus {
    return this._stream?.status ?? 'stopped';
  }

  /** Whether the model is disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Open the stream, and keep it open. Returns at once. */
  start(): void {
    if (this._isDisposed) {
      return;
    }
    if (!this._stream) {
      this._stream = new ReconnectingEventStream(this.streamOptions());
      this._stream.statusChanged.connect(
        (_, status) => this.onStatusChanged(status),
        this
      );
    }
    this._stream.start();
  }

  /** Stop streaming for good and release resources. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._stream?.dispose();
    Signal.clearData(this);
  }

  /** How the stream is opened and where its events go. */
  protected abstract streamOptions(): IReconnectingEventStreamOptions;

  /** Called when the stream opens, drops or stops. */
  protected abstract onStatusChanged(status: StreamStatus): void;

  /** The stream, once started. */
  protected _stream: ReconnectingEventStream | null = null;
  private _isDisposed = false;
}

/** Options of a {@link LogStreamModel}. */
export interface ILogStreamModelOptions {
  /**
   * Open the log stream, resuming after sequence number `after` (undefined
   * before the first line); called again on every reconnect.
   */
  open: (after: number | undefined, signal: AbortSignal) => Promise<Response>;
  /** Most lines kept in memory; older ones are dropped (and counted). */
  maxLines: number;
  /**
   * Called with the payload of the `end` event, after the stream stopped and
   * before {@link LogStreamModel.changed} is emitted.
   */
  onEnd?: (data: unknown) => void;
}

/**
 * A streamed, bounded log (of a job or a trial).
 *
 * Reconnects resume after the last sequence number seen, so no line is
 * shown twice; the `end` event stops the stream for good, since the
 * service sends it only once every line was delivered.
 */
export class LogStreamModel extends StreamConsumer {
  /** Create a log; call {@link start} to stream it. */
  constructor(options: ILogStreamModelOptions) {
    super();
    this._options = options;
  }

  /** Emitted when lines were appended or the stream status changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Lines kept, oldest first. */
  get lines(): readonly ILogLine[] {
    return this._lines;
  }

  /** How many old lines were dropped to bound memory. */
  get droppedLines(): number {
    return this._dropped;
  }

  protected streamOptions(): IReconnectingEventStreamOptions {
    // Reconnects resume after the last line seen.
    return {
      open: signal =>
        this._options.open(
          this._lastSeq >= 0 ? this._lastSeq : undefined,
          signal
        ),
      onEvent: event => this._onEvent(event)
    };
  }

  protected onStatusChanged(): void {
    this._changed.emit();
  }

  /** Append lines, skipping ones already seen, and bound the buffer. */
  addLines(lines: readonly ILogLine[]): void {
    const fresh = lines.filter(line => line.seq > this._lastSeq);
    if (fresh.length === 0) {
      return;
    }
    this._lastSeq = fresh[fresh.length - 1].seq;
    this._lines.push(...fresh);
    const excess = this._lines.length - this._options.maxLines;
    if (excess > 0) {
      this._lines.splice(0, excess);
      this._dropped += excess;
    }
    this._changed.emit();
  }

  private _onEvent(event: IServerSentEvent): void {
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (event.event === 'log') {
      const line = data as ILogLine;
      if (typeof line?.seq === 'number') {
        this.addLines([line]);
      }
    } else if (event.event === 'end') {
      this._stream?.stop();
      this._options.onEnd?.(data);
      this._changed.emit();
    }
  }

  private _options: ILogStreamModelOptions;
  private _lines: ILogLine[] = [];
  private _lastSeq = -1;
  private _dropped = 0;
  private _changed = new Signal<this, void>(this);
}
