import type { FastifyReply, FastifyRequest } from 'fastify';

/** An open server-sent-events stream. */
export interface SseStream {
  /** Sends one event; data is JSON-encoded. */
  send(event: string, data: unknown): void;
  /**
   * Resolves once the client has taken what was written (the socket's buffer is below its high-water
   * mark) or the stream has closed: a producer that can wait awaits it between batches.
   */
  drained(): Promise<void>;
  /** Sends a comment line (heartbeat). */
  comment(text: string): void;
  /** Ends the response. */
  close(): void;
  /** Whether the client is gone or the stream was closed. */
  readonly closed: boolean;
  /** Registers cleanup to run once when the stream ends either way. */
  onClose(fn: () => void): void;
}

/**
 * Most bytes an event stream may have waiting for a slow client. Producers that cannot wait (pushed
 * events) would otherwise grow the service's memory without bound; past it the stream is closed, and
 * the client's EventSource reconnects and re-reads state.
 */
export const MAX_SSE_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Takes over the raw response for SSE. No Content-Length, so Node sends it chunked: jupyter-server-proxy
 * only streams `text/event-stream` answers that are chunked, and each write is flushed as its own chunk.
 */
export function openSse(request: FastifyRequest, reply: FastifyReply, heartbeatMs: number): SseStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive'
  });
  res.flushHeaders();
  let closed = false;
  const cleanups: (() => void)[] = [];
  const finish = () => {
    if (closed) {
      return;
    }
    closed = true;
    clearInterval(heartbeat);
    cleanups.forEach(fn => fn());
  };
  const heartbeat = setInterval(() => stream.comment('ping'), heartbeatMs);
  request.raw.on('close', finish);
  res.on('close', finish);
  const write = (chunk: string) => {
    if (closed) {
      return;
    }
    if (res.writableLength > MAX_SSE_BUFFERED_BYTES) {
      request.log.warn({ buffered: res.writableLength }, 'event stream client is too slow; dropping the stream');
      // Destroyed, not ended: ending would keep the backlog queued behind the slow socket.
      res.destroy();
      finish();
      return;
    }
    res.write(chunk);
  };
  const stream: SseStream = {
    send(event, data) {
      write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    comment(text) {
      write(`: ${text}\n\n`);
    },
    drained() {
      if (closed || !res.writableNeedDrain) {
        return Promise.resolve();
      }
      return new Promise(resolve => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    },
    close() {
      if (!closed) {
        res.end();
      }
      finish();
    },
    get closed() {
      return closed;
    },
    onClose(fn) {
      cleanups.push(fn);
    }
  };
  // An initial comment makes proxies and browsers see the stream open before the first event.
  stream.comment('connected');
  return stream;
}
