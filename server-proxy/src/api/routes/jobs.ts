import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { StepTimes } from '../../orchestration/stepTimes.js';
import type { EventBus } from '../../events.js';
import type { Capacity } from '../../jobs/resources.js';
import { SCALE_TIER_RESOURCES } from '../../jobs/resources.js';
import { StringEnum } from '../../schemas/common.js';
import { Job, Metric, SubmitJobBody } from '../../schemas/jobs.js';
import { METRIC_MAX_PAGE_SIZE, METRIC_MAX_POINTS, METRIC_PAGE_SIZE } from '../../jobs/metrics.js';
import { OUTPUT_NAMES, type JobService } from '../../orchestration/jobService.js';
import { isTerminal } from '../../jobs/states.js';
import { errorResponses } from '../errors.js';
import { listableOwner, ListOwnerParam, OwnerParam, readableOwner } from '../access.js';
import { openSse } from '../sse.js';
import { JobIdParams, LogsPage, OwnedLogsQuery, SSE_RESPONSE, sendOutput, streamLogs } from './runOutputs.js';
import { addTrialRoutes } from './trials.js';
import { addJobEditRoutes, jobFilterFrom, JobSearchQuery } from './jobEdits.js';
import { presentJob, presentTrial } from '../../orchestration/present.js';
import { publicJobId } from '../../jobs/ids.js';

/** What the routes need from the rest of the service. */
export interface RouteDeps {
  jobs: JobService;
  bus: EventBus;
  capacity: Capacity;
  rootDir: string;
  version: string;
  heartbeatMs: number;
  /** This replica's part in the leader election. */
  leadership: { readonly kind: string; readonly leading: boolean };
}

/** The `/api/v1` routes. They translate HTTP to service calls and never touch the store directly. */
export const apiRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { jobs, bus } = deps;

  app.get('/openapi.json', { schema: { summary: 'The OpenAPI document of this API', tags: ['meta'] } }, async () =>
    app.swagger()
  );

  app.get(
    '/info',
    {
      schema: {
        summary: 'Service, user, configured backends and the local capacity',
        tags: ['meta'],
        response: {
          200: Type.Object({
            version: Type.String(),
            user: Type.String(),
            backend: StringEnum(['local', 'kubernetes'], { description: 'the default backend for jobs' }),
            backends: Type.Array(
              Type.Object({
                name: StringEnum(['local', 'kubernetes']),
                server: Type.Optional(Type.String({ description: 'kubernetes: the API server URL' })),
                namespace: Type.Optional(Type.String({ description: "kubernetes: the caller's namespace" })),
                images: Type.Optional(
                  Type.Array(Type.Object({ name: Type.String(), image: Type.String() }), {
                    description: 'kubernetes: images a job may choose by name in masterConfig.imageUri'
                  })
                ),
                allowAnyImage: Type.Optional(Type.Boolean({ description: 'kubernetes: whether other image references may be typed in' }))
              }),
              { description: 'configured backends, the default first' }
            ),
            rootDir: Type.String(),
            capacity: Type.Object({
              cpus: Type.Number(),
              memoryBytes: Type.Number(),
              gpus: Type.Array(Type.Object({ index: Type.Integer(), name: Type.String(), memoryBytes: Type.Number() }))
            }),
            supportsDistributed: Type.Boolean(),
            replica: Type.Object(
              {
                leader: Type.Boolean({ description: 'whether this replica runs the controllers (schedulers, HPO experiments, deployments)' }),
                election: StringEnum(['single', 'advisory-lock', 'lease'], {
                  description: 'single: one process on SQLite, always leader; advisory-lock: PostgreSQL; lease: a Kubernetes Lease'
                })
              },
              { description: 'this replica among the replicas of one database' }
            ),
            scaleTiers: Type.Record(
              Type.String(),
              Type.Object({ cpu: Type.Number(), memoryBytes: Type.Number(), gpu: Type.Integer() })
            )
          }),
          ...errorResponses(401)
        }
      }
    },
    async request => {
      const { default: backend, backends } = jobs.backends(request.user);
      return {
        version: deps.version,
        user: request.user,
        backend: backend as 'local' | 'kubernetes',
        backends,
        rootDir: deps.rootDir,
        capacity: deps.capacity,
        supportsDistributed: backends.some(b => b.name === 'kubernetes'),
        replica: { leader: deps.leadership.leading, election: deps.leadership.kind as 'single' | 'advisory-lock' | 'lease' },
        scaleTiers: SCALE_TIER_RESOURCES
      };
    }
  );

  app.post(
    '/jobs',
    {
      schema: {
        summary: 'Submit a notebook or Python module as a training job',
        tags: ['jobs'],
        body: SubmitJobBody,
        response: { 201: Job, ...errorResponses(400, 401, 404, 409, 413) }
      }
    },
    async (request, reply) => {
      const times = new StepTimes();
      const job = await jobs.submit(request.user, request.body, times);
      return reply.status(201).header('server-timing', times.header()).send(job);
    }
  );

  app.get(
    '/jobs',
    {
      schema: {
        summary: "The caller's jobs (an admin's: anyone's), newest first, optionally filtered by text, notebook, label and state",
        tags: ['jobs'],
        querystring: Type.Object({
          ...JobSearchQuery,
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          pageToken: Type.Optional(Type.String({ maxLength: 64 })),
          owner: ListOwnerParam
        }),
        response: { 200: Type.Object({ jobs: Type.Array(Job), nextPageToken: Type.Optional(Type.String()) }), ...errorResponses(400, 401, 403) }
      }
    },
    async request => {
      const { pageSize, pageToken, owner } = request.query;
      return jobs.list(listableOwner(request, owner), { ...jobFilterFrom(request.query), pageSize, pageToken });
    }
  );

  app.get(
    '/jobs/:jobId',
    {
      schema: {
        summary: 'One job',
        tags: ['jobs'],
        params: JobIdParams,
        querystring: Type.Object({ owner: OwnerParam }),
        response: { 200: Job, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => jobs.get(readableOwner(request, request.query.owner), request.params.jobId)
  );

  app.post(
    '/jobs/:jobId/cancel',
    {
      schema: {
        summary: 'Cancel a job (CANCELLED when queued, CANCELLING while it runs)',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: Job, ...errorResponses(400, 401, 404) }
      }
    },
    async request => jobs.cancel(request.user, request.params.jobId)
  );

  app.get(
    '/jobs/:jobId/logs',
    {
      schema: {
        summary: 'Log lines of a job; pass nextSeq as `after` to continue',
        tags: ['jobs'],
        params: JobIdParams,
        querystring: OwnedLogsQuery,
        response: { 200: LogsPage, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request =>
      jobs.logs(readableOwner(request, request.query.owner), request.params.jobId, request.query.after ?? 0, request.query.limit ?? 1000)
  );

  app.get(
    '/jobs/:jobId/logs/stream',
    {
      schema: {
        summary: 'SSE: `log` events, then `end` with the job once it has ended',
        tags: ['jobs'],
        params: JobIdParams,
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })), owner: OwnerParam }),
        response: { ...SSE_RESPONSE, ...errorResponses(401, 403, 404) }
      }
    },
    async (request, reply) => {
      const { jobId } = request.params;
      const owner = readableOwner(request, request.query.owner);
      const key = await jobs.keyOf(owner, jobId);
      streamLogs(bus, deps.heartbeatMs, request, reply, {
        after: request.query.after ?? 0,
        page: after => jobs.logs(owner, jobId, after, 1000),
        ended: async () => {
          const job = await jobs.get(owner, jobId);
          return isTerminal(job.state) ? job : undefined;
        },
        relevant: event => event.jobId === key && event.owner === owner && (event.type === 'log' || event.type === 'job')
      });
    }
  );

  app.get(
    '/jobs/:jobId/metrics',
    {
      schema: {
        summary: 'Metric values a job reported, in step order, a page at a time; `maxPoints` thins each metric for a chart',
        tags: ['jobs'],
        params: JobIdParams,
        querystring: Type.Object({
          name: Type.Optional(Type.String({ maxLength: 256, description: 'only this metric' })),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: METRIC_MAX_PAGE_SIZE, default: METRIC_PAGE_SIZE })),
          pageToken: Type.Optional(Type.String({ maxLength: 64 })),
          maxPoints: Type.Optional(
            Type.Integer({
              minimum: 2,
              maximum: METRIC_MAX_POINTS,
              description: 'at most this many evenly spaced values of each metric, its first and last included'
            })
          ),
          owner: OwnerParam
        }),
        response: {
          200: Type.Object({
            metrics: Type.Array(Metric),
            nextPageToken: Type.Optional(Type.String({ description: 'more values follow; pass as pageToken' }))
          }),
          ...errorResponses(400, 401, 403, 404)
        }
      }
    },
    async request => jobs.metrics(readableOwner(request, request.query.owner), request.params.jobId, request.query)
  );

  app.get(
    '/jobs/:jobId/outputs/:name',
    {
      schema: {
        summary: 'An output file of the job',
        tags: ['jobs'],
        description: 'Answers the file itself (application/x-ipynb+json or text/html, sandboxed: `Content-Security-Policy: sandbox allow-scripts`, `X-Content-Type-Options: nosniff`); errors as elsewhere.',
        params: Type.Object({ jobId: Type.String({ maxLength: 128 }), name: StringEnum([...OUTPUT_NAMES]) }),
        querystring: Type.Object({ owner: OwnerParam })
      }
    },
    async (request, reply) => {
      const file = await jobs.outputFile(readableOwner(request, request.query.owner), request.params.jobId, request.params.name);
      return sendOutput(reply, file, request.params.name);
    }
  );

  app.post(
    '/jobs/:jobId/stop',
    {
      schema: {
        summary: 'Stop an HPO job without cancelling it: no new trials; it succeeds once running trials have ended',
        tags: ['jobs', 'trials'],
        params: JobIdParams,
        response: { 200: Job, ...errorResponses(400, 401, 404) }
      }
    },
    async request => jobs.stop(request.user, request.params.jobId)
  );

  addTrialRoutes(app, jobs, bus, deps.heartbeatMs);
  addJobEditRoutes(app, jobs);

  app.get(
    '/events',
    {
      schema: {
        summary:
          "SSE: `job`, `trial`, `metric` and `deleted` events for the caller's jobs, `deployment` and `alert` events for their deployments (not with `jobId`), `: ping` comments as heartbeat",
        tags: ['events'],
        querystring: Type.Object({ jobId: Type.Optional(Type.String({ maxLength: 128 })), owner: ListOwnerParam }),
        response: { ...SSE_RESPONSE, ...errorResponses(400, 401, 403) }
      }
    },
    async (request, reply) => {
      // Admins may watch another user's events (`owner=alice`) or everyone's (`owner=*`: undefined here).
      const owner = listableOwner(request, request.query.owner);
      // Events carry internal keys; within one owner's events the id the owner chose is unique.
      const only = request.query.jobId;
      // Watching everyone's: events that carry only a job id also name its owner.
      const whose = (eventOwner: string) => (owner === undefined ? { owner: eventOwner } : {});
      const stream = openSse(request, reply, deps.heartbeatMs);
      const unsubscribe = bus.subscribe(event => {
        if ((owner !== undefined && event.owner !== owner) || (only && (event.jobId === undefined || publicJobId(event.jobId) !== only))) {
          return;
        }
        if (event.type === 'deployment') {
          stream.send('deployment', event.deployment);
        } else if (event.type === 'job') {
          stream.send('job', presentJob(event.job));
        } else if (event.type === 'metric') {
          const { step, name, value, time } = event;
          stream.send('metric', { jobId: publicJobId(event.jobId), ...whose(event.owner), step, name, value, time });
        } else if (event.type === 'trial') {
          stream.send('trial', { jobId: publicJobId(event.jobId), ...whose(event.owner), trial: presentTrial(event.trial) });
        } else if (event.type === 'jobDeleted') {
          stream.send('deleted', { jobId: publicJobId(event.jobId), ...whose(event.owner) });
        } else if (event.type === 'alert') {
          stream.send('alert', event.alert);
        }
      });
      stream.onClose(unsubscribe);
    }
  );
};
