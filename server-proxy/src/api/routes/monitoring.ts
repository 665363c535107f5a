/**
 * Monitoring routes: a deployment's monitoring answer and alerts (under `/api/v1`), and the
 * Prometheus exposition of the caller's deployments (`/metrics` at the root).
 */
import { Type, type FastifyPluginAsyncTypebox, type TSchema } from '@fastify/type-provider-typebox';
import { ServiceError } from '../../errors.js';
import { errorResponses } from '../errors.js';
import { StringEnum } from '../../schemas/common.js';
import type { Monitor } from '../../monitoring/monitor.js';

/** What the monitoring routes need from the rest of the service. */
export interface MonitoringRouteDeps {
  monitor: Monitor;
  /** Whether `owner` has a deployment called `name` (another user's counts as none). */
  deploymentExists: (owner: string, name: string) => boolean | Promise<boolean>;
}


const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Alert = Type.Object({
  id: Type.String(),
  deployment: Type.String(),
  rule: Type.String(),
  metric: StringEnum(['drift', 'latencyP99Ms', 'errorRate']),
  value: Type.Number({ description: 'the measured value when the alert fired' }),
  threshold: Type.Number(),
  state: StringEnum(['firing', 'resolved']),
  startTime: Type.String(),
  endTime: Nullable(Type.String()),
  message: Type.String()
});

const Distribution = Type.Object({
  edges: Type.Optional(Type.Array(Type.Number())),
  counts: Type.Optional(Type.Array(Type.Number())),
  categories: Type.Optional(Type.Record(Type.String(), Type.Number()))
});

const FeatureDrift = Type.Object({
  name: Type.String(),
  kind: StringEnum(['numeric', 'categorical']),
  psi: Type.Optional(Type.Number()),
  ks: Type.Optional(Type.Number()),
  ksPValue: Type.Optional(Type.Number()),
  wasserstein: Type.Optional(Type.Number()),
  js: Type.Optional(Type.Number()),
  chi2PValue: Type.Optional(Type.Number()),
  score: Type.Number({ description: 'the configured metric, larger is more drift (1 - p-value for chi2)' }),
  drifted: Type.Boolean(),
  rows: Type.Integer(),
  baseline: Distribution,
  live: Distribution
});

const DriftReport = Type.Object({
  time: Type.String(),
  rows: Type.Integer(),
  score: Type.Number(),
  feature: Nullable(Type.String()),
  drifted: Type.Boolean(),
  metric: Type.Object({
    numeric: StringEnum(['psi', 'ks', 'wasserstein']),
    categorical: StringEnum(['js', 'chi2']),
    threshold: Type.Number()
  }),
  features: Type.Array(FeatureDrift),
  prediction: Nullable(FeatureDrift)
});

const MonitoringAnswer = Type.Object({
  deployment: Type.String(),
  windowSeconds: Type.Integer(),
  step: Type.Integer(),
  series: Type.Array(
    Type.Object({
      time: Type.String(),
      requests: Type.Integer(),
      errors: Type.Integer(),
      clientErrors: Type.Integer(),
      serverErrors: Type.Integer(),
      errorRate: Type.Number(),
      latencyMs: Type.Object({
        p50: Nullable(Type.Number()),
        p95: Nullable(Type.Number()),
        p99: Nullable(Type.Number()),
        mean: Nullable(Type.Number())
      })
    })
  ),
  drift: Nullable(DriftReport),
  alerts: Type.Array(Alert)
});

const NameParams = Type.Object({ name: Type.String({ maxLength: 63 }) });
/** Most points one series answer may hold. */
const MAX_POINTS = 10_000;
const DEFAULT_SPAN_MS = 3_600_000;

/** `GET /deployments/{name}/monitoring` and `/alerts`, under `/api/v1`. */
export const monitoringRoutes: FastifyPluginAsyncTypebox<MonitoringRouteDeps> = async (app, deps) => {
  const { monitor } = deps;

  const requireDeployment = async (owner: string, name: string): Promise<void> => {
    if (!(await deps.deploymentExists(owner, name))) {
      throw new ServiceError('not_found', `deployment ${name} not found`);
    }
  };

  app.get(
    '/deployments/:name/monitoring',
    {
      schema: {
        summary: 'Request series, drift against the training baseline, and alerts of a deployment',
        tags: ['monitoring'],
        params: NameParams,
        querystring: Type.Object({
          since: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 start of the series (default: an hour ago)' })),
          step: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400, default: 60, description: 'seconds per series point' }))
        }),
        response: { 200: MonitoringAnswer, ...errorResponses(400, 401, 404) }
      }
    },
    async request => {
      const { name } = request.params;
      await requireDeployment(request.user, name);
      const step = request.query.step ?? 60;
      if (step % monitor.bucketSeconds !== 0) {
        throw new ServiceError('invalid_argument', `step: must be a multiple of ${monitor.bucketSeconds} seconds`, 'step');
      }
      const now = Date.now();
      let since = now - DEFAULT_SPAN_MS;
      if (request.query.since !== undefined) {
        since = Date.parse(request.query.since);
        if (!Number.isFinite(since)) {
          throw new ServiceError('invalid_argument', 'since: must be an ISO 8601 time', 'since');
        }
      }
      if ((now - since) / (step * 1000) > MAX_POINTS) {
        throw new ServiceError('invalid_argument', `since: at most ${MAX_POINTS} points of ${step} s; use a later since or a larger step`, 'since');
      }
      return monitor.monitoring(request.user, name, since, step);
    }
  );

  app.get(
    '/deployments/:name/alerts',
    {
      schema: {
        summary: "A deployment's alerts, firing and resolved, newest first",
        tags: ['monitoring'],
        params: NameParams,
        response: { 200: Type.Object({ alerts: Type.Array(Alert) }), ...errorResponses(401, 404) }
      }
    },
    async request => {
      await requireDeployment(request.user, request.params.name);
      return { alerts: await monitor.alerts(request.user, request.params.name) };
    }
  );
};

/** `GET /metrics` at the root: Prometheus text for the caller's deployments only. */
export const metricsRoutes: FastifyPluginAsyncTypebox<{ monitor: Monitor }> = async (app, { monitor }) => {
  app.get(
    '/metrics',
    {
      schema: {
        summary: "Prometheus metrics of the caller's deployments (text exposition format)",
        tags: ['monitoring'],
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text format 0.0.4' }) }
      }
    },
    async (request, reply) => {
      const text = await monitor.metrics.text(request.user);
      return reply.type(monitor.metrics.contentType).send(text);
    }
  );
};
