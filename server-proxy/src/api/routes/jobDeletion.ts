import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { JOB_ID_PATTERN, MAX_JOB_ID_LENGTH } from '../../schemas/jobs.js';
import type { JobDeleter } from '../../orchestration/jobDeletion.js';
import { errorResponses } from '../errors.js';

/** What the deletion routes need. */
export interface JobDeletionRouteDeps {
  deleter: JobDeleter;
}

/** Most jobs one batch request deletes. */
export const MAX_BATCH_DELETE = 100;

const DeleteOutcome = Type.Object(
  {
    jobId: Type.String(),
    deleted: Type.Boolean(),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }))
  },
  { $id: 'DeleteOutcome' }
);

const deleteNotes =
  'Removes the job with its outputs, logs, metrics and trials; a job still running is cancelled first. ' +
  'A job a registered model version was made from (or whose folder holds its files) is kept: 409 naming the version.';

/** `DELETE /jobs/{jobId}` and its batch form `POST /jobs/batch-delete`. */
export const jobDeletionRoutes: FastifyPluginAsyncTypebox<JobDeletionRouteDeps> = async (app, { deleter }) => {
  app.delete(
    '/jobs/:jobId',
    {
      schema: {
        summary: 'Delete a job and everything it left',
        description: `${deleteNotes} 409 too when a cancelled job does not end in time.`,
        tags: ['jobs'],
        params: Type.Object({ jobId: Type.String({ maxLength: MAX_JOB_ID_LENGTH }) }),
        response: { 204: Type.Null({ description: 'deleted' }), ...errorResponses(401, 404, 409) }
      }
    },
    async (request, reply) => {
      await deleter.delete(request.user, request.params.jobId);
      reply.status(204).send(null);
    }
  );

  app.post(
    '/jobs/batch-delete',
    {
      schema: {
        summary: 'Delete several jobs; each answers for itself',
        description: `${deleteNotes} The jobs are deleted one after the other; one that cannot be deleted is reported in its result and the others go on.`,
        tags: ['jobs'],
        body: Type.Object(
          { jobIds: Type.Array(Type.String({ pattern: JOB_ID_PATTERN }), { minItems: 1, maxItems: MAX_BATCH_DELETE, uniqueItems: true }) },
          { additionalProperties: false }
        ),
        response: { 200: Type.Object({ results: Type.Array(DeleteOutcome) }), ...errorResponses(400, 401) }
      }
    },
    async request => ({ results: await deleter.deleteMany(request.user, request.body.jobIds) })
  );
};
