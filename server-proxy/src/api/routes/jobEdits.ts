import { Type } from '@fastify/type-provider-typebox';
import { ServiceError } from '../../errors.js';
import { Job, JOB_ID_PATTERN, JOB_STATES, Labels, MAX_LABEL_LENGTH, type JobState } from '../../schemas/jobs.js';
import { StringEnum } from '../../schemas/common.js';
import type { JobService } from '../../orchestration/jobService.js';
import type { JobFilter, LabelFilter } from '../../store/jobSearch.js';
import { errorResponses } from '../errors.js';
import { JobIdParams } from './runOutputs.js';
import type { RouteApp } from './trials.js';

/** Most `label` filters one listing takes. */
export const MAX_LABEL_FILTERS = 10;

/** The search filters of `GET /jobs`, besides paging and owner. */
export const JobSearchQuery = {
  state: Type.Optional(StringEnum([...JOB_STATES])),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: "text in the job's id or notebook path (case-insensitive)" })),
  notebook: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'only runs of this notebook (its path relative to the root directory)' })),
  label: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 2 * MAX_LABEL_LENGTH + 1 }), {
      maxItems: MAX_LABEL_FILTERS,
      description: '`key` (any value) or `key=value`; repeat for several, all must match'
    })
  )
};

/** The filter a listing's query asks for; a label filter without a key is a 400 on `label`. */
export function jobFilterFrom(query: { state?: JobState; q?: string; notebook?: string; label?: string[] }): Omit<JobFilter, 'owner'> {
  const labels = (query.label ?? []).map((text): LabelFilter => {
    const cut = text.indexOf('=');
    const label = cut < 0 ? { key: text } : { key: text.slice(0, cut), value: text.slice(cut + 1) };
    if (label.key === '' || label.key.length > MAX_LABEL_LENGTH || (label.value?.length ?? 0) > MAX_LABEL_LENGTH) {
      throw new ServiceError('invalid_argument', `label: "${text}" is not key or key=value (each at most ${MAX_LABEL_LENGTH} characters)`, 'label');
    }
    return label;
  });
  return { state: query.state, text: query.q, notebook: query.notebook, labels };
}

/** `PATCH /jobs/{jobId}` (labels) and `POST /jobs/{jobId}/rerun`, registered inside the `/api/v1` routes. */
export function addJobEditRoutes(app: RouteApp, jobs: JobService): void {
  app.patch(
    '/jobs/:jobId',
    {
      schema: {
        summary: "Replace a job's labels",
        description: 'Labels may change in any state, as at submit (same limits). Only the owner changes them.',
        tags: ['jobs'],
        params: JobIdParams,
        body: Type.Object({ labels: Labels }, { additionalProperties: false }),
        response: { 200: Job, ...errorResponses(400, 401, 404) }
      }
    },
    async request => jobs.setLabels(request.user, request.params.jobId, request.body.labels)
  );

  app.post(
    '/jobs/:jobId/rerun',
    {
      schema: {
        summary: 'Submit a finished job again with the same trainingInput, labels and webhook',
        description: 'The new job is validated like a submission; 400 while the source has not ended.',
        tags: ['jobs'],
        params: JobIdParams,
        body: Type.Object(
          { jobId: Type.Optional(Type.String({ pattern: JOB_ID_PATTERN, description: "the new job's id; generated when absent" })) },
          { additionalProperties: false }
        ),
        response: { 201: Job, ...errorResponses(400, 401, 404, 409) }
      }
    },
    async (request, reply) => {
      const job = await jobs.rerun(request.user, request.params.jobId, request.body.jobId);
      return reply.status(201).send(job);
    }
  );
}
