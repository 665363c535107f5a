import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DefinitionService } from '../../definitions/service.js';
import { CreateDefinitionBody, Definition, DefinitionRun, MAX_DEFINITION_ID_LENGTH, ReplaceDefinitionBody } from '../../schemas/definitions.js';
import { Job } from '../../schemas/jobs.js';
import { listableOwner, ListOwnerParam, OwnerParam, readableOwner } from '../access.js';
import { errorResponses } from '../errors.js';

/** What the definition routes need. */
export interface DefinitionRouteDeps {
  definitions: DefinitionService;
}

const Params = Type.Object({ definitionId: Type.String({ maxLength: MAX_DEFINITION_ID_LENGTH }) });
/** Most next times one preview answers. */
const MAX_PREVIEW = 20;

/**
 * `/definitions`: saved job specs, run now or on a cron schedule. Reads follow the jobs' rules (an admin
 * may read anyone's with `owner`); writes act on the caller's own.
 */
export const definitionRoutes: FastifyPluginAsyncTypebox<DefinitionRouteDeps> = async (app, { definitions }) => {
  app.post(
    '/definitions',
    {
      schema: {
        summary: 'Save a job spec as a definition, optionally with a cron schedule',
        description: '`trainingInput`, `labels` and `webhook` are checked as a submitted job\'s are (400 naming the field).',
        tags: ['definitions'],
        body: CreateDefinitionBody,
        response: { 201: Definition, ...errorResponses(400, 401, 409) }
      }
    },
    async (request, reply) => reply.status(201).send(await definitions.create(request.user, request.body))
  );

  app.get(
    '/definitions',
    {
      schema: {
        summary: "The caller's definitions (an admin's: anyone's) with their next run times",
        tags: ['definitions'],
        querystring: Type.Object({ owner: ListOwnerParam }),
        response: { 200: Type.Object({ definitions: Type.Array(Definition) }), ...errorResponses(400, 401, 403) }
      }
    },
    async request => ({ definitions: await definitions.list(listableOwner(request, request.query.owner)) })
  );

  app.get(
    '/definitions/:definitionId',
    {
      schema: {
        summary: 'One definition',
        tags: ['definitions'],
        params: Params,
        querystring: Type.Object({ owner: OwnerParam }),
        response: { 200: Definition, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => definitions.get(readableOwner(request, request.query.owner), request.params.definitionId)
  );

  app.put(
    '/definitions/:definitionId',
    {
      schema: {
        summary: 'Replace a definition (an unchanged schedule keeps its place)',
        tags: ['definitions'],
        params: Params,
        body: ReplaceDefinitionBody,
        response: { 200: Definition, ...errorResponses(400, 401, 404) }
      }
    },
    async request => definitions.replace(request.user, request.params.definitionId, request.body)
  );

  app.delete(
    '/definitions/:definitionId',
    {
      schema: {
        summary: 'Delete a definition and its run history; the jobs it ran stay',
        tags: ['definitions'],
        params: Params,
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(401, 404) }
      }
    },
    async (request, reply) => {
      await definitions.delete(request.user, request.params.definitionId);
      reply.status(204).send(null);
    }
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false]
  ] as const) {
    app.post(
      `/definitions/:definitionId/${action}`,
      {
        schema: {
          summary: paused ? 'Pause the schedule' : 'Resume the schedule from now (ticks while paused are not run)',
          tags: ['definitions'],
          params: Params,
          response: { 200: Definition, ...errorResponses(401, 404) }
        }
      },
      async request => definitions.setPaused(request.user, request.params.definitionId, paused)
    );
  }

  app.post(
    '/definitions/:definitionId/run',
    {
      schema: {
        summary: 'Submit a run of the definition now',
        tags: ['definitions'],
        params: Params,
        response: { 201: Job, ...errorResponses(400, 401, 404, 409, 413) }
      }
    },
    async (request, reply) => reply.status(201).send(await definitions.runNow(request.user, request.params.definitionId))
  );

  app.get(
    '/definitions/:definitionId/runs',
    {
      schema: {
        summary: 'Run history: scheduled, missed, skipped and run-now runs with their jobs, newest first',
        tags: ['definitions'],
        params: Params,
        querystring: Type.Object({
          owner: OwnerParam,
          pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 }))
        }),
        response: { 200: Type.Object({ runs: Type.Array(DefinitionRun) }), ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => ({
      runs: await definitions.runs(readableOwner(request, request.query.owner), request.params.definitionId, request.query.pageSize ?? 100)
    })
  );

  app.get(
    '/schedule-preview',
    {
      schema: {
        summary: 'The next times a cron schedule fires in a time zone (for forms), or a 400 naming cron or timeZone',
        tags: ['definitions'],
        querystring: Type.Object({
          cron: Type.String({ minLength: 1, maxLength: 256 }),
          timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, default: 'UTC' })),
          count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PREVIEW, default: 5 }))
        }),
        response: { 200: Type.Object({ nextRunTimes: Type.Array(Type.String()) }), ...errorResponses(400, 401) }
      }
    },
    async request => ({
      nextRunTimes: definitions.preview({ cron: request.query.cron, timeZone: request.query.timeZone ?? 'UTC' }, request.query.count ?? 5)
    })
  );
};
