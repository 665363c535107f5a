import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { EventBus } from '../../events.js';
import { StringEnum } from '../../schemas/common.js';
import { JOB_STATES, Trial } from '../../schemas/jobs.js';
import { OUTPUT_NAMES, type JobService } from '../../orchestration/jobService.js';
import { MAX_TRIAL_IDS } from '../../orchestration/trialPageJson.js';
import { isTerminal } from '../../jobs/states.js';
import { errorResponses } from '../errors.js';
import { OwnerParam, readableOwner } from '../access.js';
import { JobIdParams, LogsPage, OwnedLogsQuery, SSE_RESPONSE, sendOutput, streamLogs } from './runOutputs.js';

/** The app the job routes are added to. */
export type RouteApp = Parameters<FastifyPluginAsyncTypebox>[0];

const TrialsPage = Type.Object({ trials: Type.Array(Trial), nextPageToken: Type.Optional(Type.String()) });
const TrialParams = Type.Object({ jobId: Type.String({ maxLength: 128 }), trialId: Type.String({ maxLength: 20 }) });

/**
 * Adds the routes of an HPO job's trials (pages, one trial, its logs and log stream, its output files).
 * Called from the job routes, so the OpenAPI document keeps its order.
 */
export function addTrialRoutes(app: RouteApp, jobs: JobService, bus: EventBus, heartbeatMs: number): void {
  app.get(
    '/jobs/:jobId/trials',
    {
      schema: {
        summary: 'Trials of an HPO job, in trial order',
        tags: ['trials'],
        params: JobIdParams,
        querystring: Type.Object({
          state: Type.Optional(StringEnum([...JOB_STATES])),
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
          pageToken: Type.Optional(Type.String({ maxLength: 64 })),
          trialIds: Type.Optional(
            Type.String({
              pattern: '^[0-9]{1,9}(,[0-9]{1,9})*$',
              maxLength: MAX_TRIAL_IDS * 10,
              description: `Only these trials: comma-separated trial ids, at most ${MAX_TRIAL_IDS} (others are skipped, as with \`state\`).`
            })
          ),
          metrics: Type.Optional(
            StringEnum(['all', 'last'], {
              default: 'all',
              description:
                '`all`: every intermediate value in `allMetrics`; `last`: only the last one (how far a trial got, without its learning curve).'
            })
          ),
          owner: OwnerParam
        }),
        response: { 200: TrialsPage, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async (request, reply) => {
      // Already JSON text in the response schema's shape: sent as it is, past the schema's serializer.
      const body = await jobs.trialsJson(readableOwner(request, request.query.owner), request.params.jobId, request.query);
      return reply.type('application/json; charset=utf-8').send(body as unknown as Static<typeof TrialsPage>);
    }
  );

  app.get(
    '/jobs/:jobId/trials/:trialId',
    {
      schema: {
        summary: 'One trial',
        tags: ['trials'],
        params: TrialParams,
        querystring: Type.Object({ owner: OwnerParam }),
        response: { 200: Trial, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => jobs.trial(readableOwner(request, request.query.owner), request.params.jobId, request.params.trialId)
  );

  app.get(
    '/jobs/:jobId/trials/:trialId/logs',
    {
      schema: {
        summary: 'Log lines of a trial; pass nextSeq as `after` to continue',
        tags: ['trials'],
        params: TrialParams,
        querystring: OwnedLogsQuery,
        response: { 200: LogsPage, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request =>
      jobs.trialLogs(
        readableOwner(request, request.query.owner),
        request.params.jobId,
        request.params.trialId,
        request.query.after ?? 0,
        request.query.limit ?? 1000
      )
  );

  app.get(
    '/jobs/:jobId/trials/:trialId/logs/stream',
    {
      schema: {
        summary: 'SSE: `log` events of a trial, then `end` with the trial once it has ended',
        tags: ['trials'],
        params: TrialParams,
        querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })), owner: OwnerParam }),
        response: { ...SSE_RESPONSE, ...errorResponses(401, 403, 404) }
      }
    },
    async (request, reply) => {
      const { jobId, trialId } = request.params;
      const owner = readableOwner(request, request.query.owner);
      await jobs.trial(owner, jobId, trialId);
      const key = await jobs.keyOf(owner, jobId);
      const runId = `${key}/trials/${trialId}`;
      streamLogs(bus, heartbeatMs, request, reply, {
        after: request.query.after ?? 0,
        page: after => jobs.trialLogs(owner, jobId, trialId, after, 1000),
        ended: async () => {
          const trial = await jobs.trial(owner, jobId, trialId);
          return isTerminal(trial.state) ? trial : undefined;
        },
        relevant: event =>
          event.owner === owner &&
          ((event.type === 'log' && event.jobId === runId) || (event.type === 'trial' && event.jobId === key && event.trial.trialId === trialId))
      });
    }
  );

  app.get(
    '/jobs/:jobId/trials/:trialId/outputs/:name',
    {
      schema: {
        summary: 'An output file of a trial',
        tags: ['trials'],
        description: 'Answers the file itself (application/x-ipynb+json or text/html, sandboxed: `Content-Security-Policy: sandbox allow-scripts`, `X-Content-Type-Options: nosniff`); errors as elsewhere.',
        params: Type.Object({
          jobId: Type.String({ maxLength: 128 }),
          trialId: Type.String({ maxLength: 20 }),
          name: StringEnum([...OUTPUT_NAMES])
        }),
        querystring: Type.Object({ owner: OwnerParam })
      }
    },
    async (request, reply) => {
      const { jobId, trialId, name } = request.params;
      const file = await jobs.trialOutputFile(readableOwner(request, request.query.owner), jobId, trialId, name);
      return sendOutput(reply, file, name);
    }
  );
}
