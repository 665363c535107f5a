import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { IServerSentEvent, readEventStream } from '../sse';

/** Connection state of a push stream. */
export type StreamStatus = 'connecting' | 'open' | 'waiting' | 'stopped';

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
