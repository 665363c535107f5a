import { LINE_TRUNCATED, MAX_LINE_BYTES } from '../local/tailer.js';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { kubeError, type KubeClient } from './client.js';
import { CONTAINER } from './manifests.js';
import { doublingDelay } from '../../doublingDelay.js';

/**
 * Takes lines of a pod's log, in order and each once; `storedAfter` is how many of the pod's lines are
 * stored once these are (kept with the run, so a later reader skips exactly that many).
 */
export type LogSink = (lines: string[], storedAfter: number) => Promise<void>;

const FIRST_RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 30_000;

/**
 * Follows one pod's log (`follow=true&timestamps=true`) and hands complete lines to a sink. Every
 * stream starts at the log's first line, so lines are counted and the first `stored` ones skipped:
 * a reconnect, or a reader started after a restart, neither loses nor repeats a line.
 */
export class PodLogReader {
  /** Complete lines received on the current stream. */
  private received = 0;
  /** Lines stored or handed to the sink: a new stream skips that many. */
  private queued: number;
  private stored: number;
  private partial = '';
  private pending: string[] = [];
  private abort?: AbortController;
  private closed = false;
  private flushing: Promise<void> = Promise.resolve();
  /** Whether the held partial line reached MAX_LINE_BYTES. */
  private partialCut = false;
  /** Streams in a row that ended without a new line. */
  private emptyStreams = 0;

  constructor(
    private readonly client: KubeClient,
    readonly namespace: string,
    readonly pod: string,
    alreadyStored: number,
    private readonly sink: LogSink,
    private readonly log: FastifyBaseLogger
  ) {
    this.queued = alreadyStored;
    this.stored = alreadyStored;
  }

  /**
   * Starts following; while not closed, a stream that ends (a kubelet ends it at container exit, a
   * dropped connection too) is opened again: 1 s after a stream that brought new lines, else 2, 4 ... up
   * to 30 s after each one in a row that brought none (each reads the whole log again, and the pod may
   * have exited).
   */
  follow(): void {
    const linesBefore = this.queued;
    const out = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        if (!this.closed) {
          this.take(chunk.toString('utf8'));
        }
        // Backpressure: the next chunk is taken once these lines are stored, so a pod printing faster
        // than the store writes slows its log stream instead of growing the service's memory.
        void this.flushing.then(() => done());
      }
    });
    this.client
      .streamLog(this.namespace, this.pod, out, { follow: true, container: CONTAINER }, () => {
        if (!this.closed) {
          this.received = 0;
          this.partial = '';
          this.partialCut = false;
          this.emptyStreams = this.queued > linesBefore ? 0 : this.emptyStreams + 1;
          const pauseMs = doublingDelay(FIRST_RECONNECT_MS, MAX_RECONNECT_MS, this.emptyStreams);
          setTimeout(() => !this.closed && this.follow(), pauseMs).unref();
        }
      })
      .then(abort => {
        this.abort = abort;
        if (this.closed) {
          abort.abort();
        }
      })
      .catch(err => this.log.warn({ pod: this.pod, err: kubeError(err).message }, 'reading the pod log failed'));
  }

  /** Stops following. */
  close(): void {
    this.closed = true;
    this.abort?.abort();
  }

  /**
   * Stops following and hands over what the stream has not delivered: the rest of the log, read once
   * without `follow` (kwok's follow streams never end, and a kubelet's may end before the last line).
   */
  async finish(): Promise<void> {
    this.close();
    await this.flushing;
    let text = '';
    const out = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        text += chunk.toString('utf8');
        done();
      }
    });
    try {
      await new Promise<void>((resolve, reject) => {
        this.client
          .streamLog(this.namespace, this.pod, out, { follow: false, container: CONTAINER }, err => (err ? reject(err) : resolve()))
          .catch(reject);
      });
    } catch (err) {
      this.log.warn({ pod: this.pod, err: kubeError(err).message }, 'reading the rest of the pod log failed');
      return;
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') {
      lines.pop();
    }
    const rest = lines.slice(this.stored);
    if (rest.length) {
      this.stored += rest.length;
      await this.sink(rest, this.stored);
    }
  }

  /** Splits received text into lines; complete lines past the stored ones go to the sink, in order. */
  private take(text: string): void {
    const parts = text.split('\n');
    const complete: string[] = [];
    parts.forEach((part, i) => {
      // A line without an end is held up to MAX_LINE_BYTES characters; the rest of it is dropped.
      if (this.partial.length + part.length > MAX_LINE_BYTES) {
        this.partial = (this.partial + part.slice(0, MAX_LINE_BYTES)).slice(0, MAX_LINE_BYTES);
        this.partialCut = true;
      } else {
        this.partial += part;
      }
      if (i < parts.length - 1) {
        complete.push(this.partialCut ? this.partial + LINE_TRUNCATED : this.partial);
        this.partial = '';
        this.partialCut = false;
      }
    });
    for (const line of complete) {
      this.received += 1;
      if (this.received > this.queued) {
        this.pending.push(line);
        this.queued += 1;
      }
    }
    if (this.pending.length) {
      this.flushing = this.flushing
        .then(() => this.flush())
        .catch(err => this.log.error({ err, pod: this.pod }, 'storing log lines failed'));
    }
  }

  private async flush(): Promise<void> {
    const lines = this.pending.splice(0);
    if (lines.length) {
      this.stored += lines.length;
      await this.sink(lines, this.stored);
    }
  }
}
