import type { FastifyReply, FastifyRequest } from 'fastify';

/** An open server-sent-events stream. */
export interface SseStream {
  /** Sends one event; data is JSON-encoded. */
  send(event: string, data: unknown): void;
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
  const stream: SseStream = {
    send(event, data) {
      if (!closed) {
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      }
    },
    comment(text) {
      if (!closed) {
        res.write(`: ${text}\n\n`);
      }
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
