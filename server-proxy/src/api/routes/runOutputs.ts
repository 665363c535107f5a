import fs from 'node:fs';
import { Type } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus, ServiceEvent } from '../../events.js';
import { LogLine } from '../../schemas/jobs.js';
import type { LogPage } from '../../orchestration/logs.js';
import { OwnerParam } from '../access.js';
import { openSse } from '../sse.js';

/** What the job and trial routes share: a job id parameter, log pages and streams, output files. */

/** The path parameter of a job's routes. */
export const JobIdParams = Type.Object({ jobId: Type.String({ maxLength: 128 }) });

/** Query of a log page. */
const LogsQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 }))
});
/** Query of a log page of a run the caller may read on behalf of its owner. */
export const OwnedLogsQuery = Type.Composite([LogsQuery, Type.Object({ owner: OwnerParam })]);
/** A page of log lines. */
export const LogsPage = Type.Object({
  lines: Type.Array(LogLine),
  nextSeq: Type.Integer(),
  firstSeq: Type.Integer({ description: 'oldest kept line; older lines were dropped (the log is bounded)' })
});
/** The response schema of an event-stream route. */
export const SSE_RESPONSE = {
  200: Type.String({ description: 'text/event-stream' })
};

/**
 * Sends a job's output file. The HTML report holds whatever the job's code printed, and the service is
 * reached on Jupyter's origin: like Jupyter's own files route it is served in a sandbox (an opaque
 * origin: its scripts run but cannot reach Jupyter's cookies or APIs) and never content-sniffed.
 */
export function sendOutput(reply: FastifyReply, file: string, name: string): FastifyReply {
  const type = name.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/x-ipynb+json';
  return reply
    .type(type)
    .header('content-security-policy', 'sandbox allow-scripts')
    .header('x-content-type-options', 'nosniff')
    .send(fs.createReadStream(file));
}

/**
 * Streams a run's log lines as SSE, then `end` with whatever `ended` returns once the run has ended.
 * Every trigger re-reads the store from the last sent seq, so lines are sent once and in order.
 */
export function streamLogs(
  bus: EventBus,
  heartbeatMs: number,
  request: FastifyRequest,
  reply: FastifyReply,
  src: {
    after: number;
    page: (after: number) => Promise<LogPage>;
    ended: () => Promise<unknown>;
    relevant: (event: ServiceEvent) => boolean;
  }
): void {
  const stream = openSse(request, reply, heartbeatMs);
  let last = src.after;
  let chain = Promise.resolve();
  // One pass waiting is enough: it reads everything stored by the time it runs (events only wake it).
  let queued = false;
  const sync = () => {
    if (queued) {
      return;
    }
    queued = true;
    chain = chain
      .then(async () => {
        queued = false;
        for (;;) {
          if (stream.closed) {
            return;
          }
          const page = await src.page(last);
          page.lines.forEach(line => stream.send('log', line));
          last = page.nextSeq;
          if (page.lines.length === 0 || last >= page.lastSeq) {
            break;
          }
          // Backpressure: the next page is read only once a slow client has taken this one.
          await stream.drained();
        }
        if (stream.closed) {
          return;
        }
        const ended = await src.ended();
        if (ended) {
          stream.send('end', ended);
          stream.close();
        }
      })
      .catch(err => {
        request.log.error({ err }, 'log stream failed');
        stream.close();
      });
  };
  const unsubscribe = bus.subscribe(event => {
    if (src.relevant(event)) {
      sync();
    }
  });
  stream.onClose(unsubscribe);
  sync();
}
