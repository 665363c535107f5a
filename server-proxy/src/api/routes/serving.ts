import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../errors.js';
import { listableOwner, ListOwnerParam, OwnerParam, readableOwner } from '../access.js';
import type { DeploymentService } from '../../serving/deployments.js';
import type { ModelRegistry } from '../../serving/registry.js';
import type { VersionMonitor } from '../../monitoring/versions.js';
import { deploymentKey } from '../../serving/deploymentUpdater.js';
import {
  CreateDeploymentBody,
  Deployment,
  Model,
  ModelVersion,
  RegisterJobModelBody,
  RegisterModelBody,
  UpdateDeploymentBody
} from '../../schemas/serving.js';

/** What the model and deployment routes need. */
export interface ServingRouteDeps {
  registry: ModelRegistry;
  deployments: DeploymentService;
  /** Per-version figures for the champion/challenger comparison. */
  versions: VersionMonitor;
}

const ModelParams = Type.Object({ name: Type.String({ maxLength: 63 }) });
const VersionParams = Type.Object({ name: Type.String({ maxLength: 63 }), version: Type.Integer({ minimum: 1 }) });
const DeploymentParams = Type.Object({ name: Type.String({ maxLength: 63 }) });
const OwnerQuery = Type.Object({ owner: OwnerParam });
const ListOwnerQuery = Type.Object({ owner: ListOwnerParam });

/** The model registry and deployment routes under `/api/v1` (inference has its own plugin). */
export const servingRoutes: FastifyPluginAsyncTypebox<ServingRouteDeps> = async (app, deps) => {
  const { registry, deployments } = deps;
  app.addSchema(ModelVersion);
  app.addSchema(Deployment);
  const VersionRef = Type.Ref(ModelVersion);
  const DeploymentRef = Type.Ref(Deployment);

  app.get(
    '/models',
    {
      schema: {
        summary: "The caller's (an admin's: anyone's) registered models, newest first",
        tags: ['models'],
        querystring: ListOwnerQuery,
        response: { 200: Type.Object({ models: Type.Array(Model) }), ...errorResponses(400, 401, 403) }
      }
    },
    async request => ({ models: await registry.list(listableOwner(request, request.query.owner)) })
  );

  app.post(
    '/models',
    {
      schema: {
        summary: 'Register a saved model folder as the next version of its model',
        tags: ['models'],
        body: RegisterModelBody,
        response: { 201: VersionRef, ...errorResponses(400, 401, 404) }
      }
    },
    async (request, reply) => reply.status(201).send(await registry.register(request.user, request.body.path, request.body.name))
  );

  app.get(
    '/models/:name',
    {
      schema: {
        summary: 'One model with its versions, newest first',
        tags: ['models'],
        params: ModelParams,
        querystring: OwnerQuery,
        response: { 200: Model, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => registry.get(readableOwner(request, request.query.owner), request.params.name)
  );

  app.get(
    '/models/:name/versions/:version',
    {
      schema: {
        summary: 'One model version',
        tags: ['models'],
        params: VersionParams,
        querystring: OwnerQuery,
        response: { 200: VersionRef, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => registry.version(readableOwner(request, request.query.owner), request.params.name, request.params.version)
  );

  app.post(
    '/jobs/:jobId/models',
    {
      schema: {
        summary: "Register the model a succeeded job (or one of its trials; an HPO job's best trial by default) saved",
        tags: ['models', 'jobs'],
        params: Type.Object({ jobId: Type.String({ maxLength: 128 }) }),
        body: RegisterJobModelBody,
        response: { 201: VersionRef, ...errorResponses(400, 401, 404) }
      },
      // The body is optional: a body-less POST means "the job's (or best trial's) only model".
      preValidation: async request => {
        request.body ??= {};
      }
    },
    async (request, reply) =>
      reply.status(201).send(await registry.registerFromJob(request.user, request.params.jobId, request.body))
  );

  app.get(
    '/deployments',
    {
      schema: {
        summary: "The caller's (an admin's: anyone's) deployments",
        tags: ['deployments'],
        querystring: ListOwnerQuery,
        response: { 200: Type.Object({ deployments: Type.Array(DeploymentRef) }), ...errorResponses(400, 401, 403) }
      }
    },
    async request => ({ deployments: await deployments.list(listableOwner(request, request.query.owner)) })
  );

  app.post(
    '/deployments',
    {
      schema: {
        summary: 'Deploy a model version (or the model a job saved) on its own model server',
        tags: ['deployments'],
        body: CreateDeploymentBody,
        response: { 201: DeploymentRef, ...errorResponses(400, 401, 404, 409) }
      }
    },
    async (request, reply) => reply.status(201).send(await deployments.create(request.user, request.body))
  );

  app.get(
    '/deployments/:name',
    {
      schema: {
        summary: 'One deployment',
        tags: ['deployments'],
        params: DeploymentParams,
        querystring: OwnerQuery,
        response: { 200: DeploymentRef, ...errorResponses(400, 401, 403, 404) }
      }
    },
    async request => deployments.get(readableOwner(request, request.query.owner), request.params.name)
  );

  app.patch(
    '/deployments/:name',
    {
      schema: {
        summary: 'Switch the model version (traffic moves once the new server is ready) or change monitoring',
        tags: ['deployments'],
        params: DeploymentParams,
        body: UpdateDeploymentBody,
        response: { 200: DeploymentRef, ...errorResponses(400, 401, 404) }
      }
    },
    async request => deployments.update(request.user, request.params.name, request.body)
  );

  app.post(
    '/deployments/:name/promote',
    {
      schema: {
        summary: 'Make a ready challenger the champion (no restart; the old champion drains and stops, the other challengers stay)',
        tags: ['deployments'],
        params: DeploymentParams,
        querystring: Type.Object(
          { version: Type.Optional(Type.Integer({ minimum: 1, description: 'which challenger; may be left out when there is only one' })) },
          { additionalProperties: false }
        ),
        response: { 200: DeploymentRef, ...errorResponses(400, 401, 404) }
      }
    },
    async request => deployments.promote(request.user, request.params.name, request.query.version)
  );

  const Count = Type.Object({ value: Type.String(), count: Type.Integer() });
  const Ms = Type.Union([Type.Number(), Type.Null()]);
  const Agreement = Type.Object({ compared: Type.Integer(), agreed: Type.Integer(), rate: Ms });
  const VersionSummary = Type.Object({
    model: Type.String(),
    version: Type.Integer(),
    role: Type.Union([Type.Literal('champion'), Type.Literal('challenger')]),
    requests: Type.Integer(),
    returned: Type.Integer({ description: 'answers that went to the caller (the rest were shadow copies)' }),
    errors: Type.Integer(),
    errorRate: Type.Number(),
    latencyMs: Type.Object({ p50: Ms, p95: Ms, p99: Ms }),
    predictions: Type.Array(Count),
    predictionMean: Ms,
    agreement: Type.Union([Agreement, Type.Null()], { description: "a challenger's shadow answers compared with the champion's; null for the champion" }),
    predictionDrift: Type.Union([Type.Number(), Type.Null()], { description: "a challenger: Jensen-Shannon distance of its predictions from the champion's" })
  });
  app.get(
    '/deployments/:name/monitoring/versions',
    {
      schema: {
        summary: 'Champion and challengers side by side: requests, errors, latency, predictions, shadow agreement per challenger',
        tags: ['monitoring'],
        params: DeploymentParams,
        response: {
          200: Type.Object({
            versions: Type.Array(VersionSummary),
            agreement: Type.Object({ compared: Type.Integer(), agreed: Type.Integer(), rate: Ms }, { description: "every challenger's shadow comparisons together" }),
            shadowDropped: Type.Integer(),
            predictionDrift: Type.Union([Type.Number(), Type.Null()], { description: "the largest Jensen-Shannon distance of a challenger's predictions from the champion's" }),
            recentShadow: Type.Array(
              Type.Object({
                time: Type.String(),
                version: Type.Integer({ description: "the challenger's version" }),
                champion: Type.Union([Type.Array(Type.Unknown()), Type.Null()]),
                challenger: Type.Union([Type.Array(Type.Unknown()), Type.Null()]),
                agree: Type.Boolean()
              })
            )
          }),
          ...errorResponses(401, 404)
        }
      }
    },
    async request => {
      await deployments.get(request.user, request.params.name);
      return deps.versions.summary(deploymentKey(request.user, request.params.name));
    }
  );

  app.delete(
    '/deployments/:name',
    {
      schema: {
        summary: 'Stop the model server and remove the deployment',
        tags: ['deployments'],
        params: DeploymentParams,
        response: { 200: DeploymentRef, ...errorResponses(401, 404) }
      }
    },
    async request => deployments.remove(request.user, request.params.name)
  );
};
