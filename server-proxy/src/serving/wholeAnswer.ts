/**
 * One request to a model server, resolved with its whole answer. Every caller of a model server reads the
 * answer whole (the inference proxy relays and records it, probes look at the status), so the request is
 * dispatched with a handler that gathers the body's chunks as they arrive: undici's `request()` would make
 * a response stream, an async resource and a promise chain per request only for `arrayBuffer()` to read
 * the stream back into one buffer.
 */
import type { Dispatcher } from 'undici';

/** A model server's answer, as received. */
export interface WholeAnswer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** Options of one request: the method, the model server's path, headers, body and timeouts. */
export type WholeAnswerOptions = Omit<Dispatcher.DispatchOptions, 'origin' | 'headers'> & { headers?: Readonly<Record<string, string>> };

/** Gathers one answer; settles its promise once, on the answer's end or the first error. */
class WholeAnswerHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private contentType: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly resolve: (answer: WholeAnswer) => void,
    private readonly reject: (err: Error) => void
  ) {}

  /** Present so that undici takes this for a handler of its current interface (nothing to do at the start). */
  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    const type = headers['content-type'];
    this.contentType = Array.isArray(type) ? type[0] : type;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  onResponseEnd(): void {
    const body = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.resolve({ status: this.status, contentType: this.contentType, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.reject(err);
  }
}

/** Sends one request through `dispatcher` (a pool of one origin) and resolves with its whole answer. */
export function sendForWholeAnswer(dispatcher: Dispatcher, options: WholeAnswerOptions): Promise<WholeAnswer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options as Dispatcher.DispatchOptions, new WholeAnswerHandler(resolve, reject));
  });
}
