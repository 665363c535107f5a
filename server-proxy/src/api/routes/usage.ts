import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { USAGE_DEFAULT_POINTS, USAGE_MAX_POINTS } from '../../jobs/usage.js';
import type { UsageService } from '../../orchestration/usage.js';
import { UsageAnswer } from '../../schemas/usage.js';
import { OwnerParam, readableOwner } from '../access.js';
import { errorResponses } from '../errors.js';

/** What the usage routes need. */
export interface UsageRouteDeps {
  usage: UsageService;
}

const UsageQuery = Type.Object({
  maxPoints: Type.Optional(
    Type.Integer({ minimum: 2, maximum: USAGE_MAX_POINTS, default: USAGE_DEFAULT_POINTS, description: 'at most this many evenly spaced samples' })
  ),
  owner: OwnerParam
});

const notes =
  'CPU, memory and (where the machine has nvidia-smi) GPU readings taken every few seconds while the run ran, ' +
  'with a summary: peak memory, CPU-seconds, GPU-hours and a hint when an ended run used under a quarter of the memory it asked for.';

/** `GET /jobs/{jobId}/usage` and `GET /jobs/{jobId}/trials/{trialId}/usage`. */
export const usageRoutes: FastifyPluginAsyncTypebox<UsageRouteDeps> = async (app, { usage }) => {
  app.get(
    '/jobs/:jobId/usage',
    {
      schema: {
        summary: 'Resource usage of a job',
        description: notes,
        tags: ['jobs'],
        params: Type.Object({ jobId: Type.String({ maxLength: 128 }) }),
        querystring: UsageQuery,
        response: { 200: UsageAnswer, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => usage.ofJob(readableOwner(request, request.query.owner), request.params.jobId, request.query.maxPoints)
  );

  app.get(
    '/jobs/:jobId/trials/:trialId/usage',
    {
      schema: {
        summary: 'Resource usage of a trial',
        description: notes,
        tags: ['trials'],
        params: Type.Object({ jobId: Type.String({ maxLength: 128 }), trialId: Type.String({ maxLength: 20 }) }),
        querystring: UsageQuery,
        response: { 200: UsageAnswer, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request =>
      usage.ofTrial(readableOwner(request, request.query.owner), request.params.jobId, request.params.trialId, request.query.maxPoints)
  );
};
