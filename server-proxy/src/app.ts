import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Authenticator, bearerToken, registerAuth, TokenTable } from './api/auth.js';
import { HubTokenResolver } from './api/hubAuth.js';
import { registerCsrfGuard } from './api/csrf.js';
import { ErrorResponse, errorHandler } from './api/errors.js';
import { ServiceError } from './errors.js';
import { parseJsonBody } from './api/json.js';
import { createArtifactStore } from './artifacts/config.js';
import type { ArtifactConfig } from './artifacts/config.js';
import { apiRoutes } from './api/routes/jobs.js';
import { jobDeletionRoutes } from './api/routes/jobDeletion.js';
import { usageRoutes } from './api/routes/usage.js';
import { environmentRoutes } from './api/routes/environments.js';
import { definitionRoutes } from './api/routes/definitions.js';
import { Scheduler } from './definitions/scheduler.js';
import { DefinitionService } from './definitions/service.js';
import { BackendRouter, type Backend, type BackendName } from './backends/backend.js';
import { KubeClient } from './backends/kubernetes/client.js';
import { KubernetesBackend } from './backends/kubernetes/backend.js';
import { namespaceFor } from './backends/kubernetes/plan.js';
import { LocalBackend } from './backends/local/backend.js';
import { detectCapacity } from './backends/local/capacity.js';
import type { ServiceConfig } from './config.js';
import { lockDataDir, prepareDataDir } from './dataDir.js';
import { EventBus } from './events.js';
import { Experiments } from './orchestration/experiments.js';
import { JobRunKind } from './orchestration/jobRuns.js';
import { JobService } from './orchestration/jobService.js';
import { UsageService } from './orchestration/usage.js';
import { JobDeleter } from './orchestration/jobDeletion.js';
import { RetentionSweeper } from './orchestration/retentionSweeper.js';
import { WebhookSender } from './orchestration/webhooks.js';
import { JobUpdater } from './orchestration/statusUpdater.js';
import { Monitor } from './monitoring/monitor.js';
import { healthRoutes } from './api/routes/health.js';
import { metricsRoutes, monitoringRoutes } from './api/routes/monitoring.js';
import { teeMonitor, type DeploymentMonitor } from './monitoring/recorder.js';
import { toOpenApi30 } from './openapi30.js';
import { DeploymentUpdater, deploymentKey } from './serving/deploymentUpdater.js';
import { DeploymentService } from './serving/deployments.js';
import { ServingWatches } from './serving/kubernetes/servingWatch.js';
import { KubeServing } from './serving/kubernetes/service.js';
import { VersionMonitor } from './monitoring/versions.js';
import { inferenceProxyRoutes } from './api/routes/inference.js';
import { InferenceFastPath } from './api/inferenceFastPath.js';
import { InferenceRecording } from './api/inferenceRecording.js';
import { requestIdSequence, serverWithPreRoute } from './api/httpServer.js';
import { ModelRegistry } from './serving/registry.js';
import { servingRoutes } from './api/routes/serving.js';
import { openStores } from './store/open.js';
import { PostgresEventRelay } from './store/postgres/eventRelay.js';
import type { Store } from './store/store.js';
import { electorFor } from './leadership/elect.js';
import { Leadership } from './leadership/leadership.js';
import { FollowerWorkPickup } from './leadership/pickup.js';
import { DeploymentPickup } from './leadership/deploymentPickup.js';
import { VERSION } from './version.js';

/**
 * Longest path segment the router matches. Above the longest job id (128) and model or deployment names,
 * so every id a route accepts reaches it; longer segments are refused by the route's own validation.
 */
const ROUTER_MAX_PARAM_LENGTH = 512;

/** A wired service: the HTTP app and the parts that outlive requests. */
export interface Service {
  app: FastifyInstance;
  store: Store;
  backend: BackendRouter;
  /** Watches deployments: the inference proxy records into it and attaches deployments to it. */
  monitor: Monitor;
  /** Deployments of trained models, each served by its own model server. */
  deployments: DeploymentService;
  /** Answers the common inference request before Fastify routes it; absent at debug log level. */
  inferenceFastPath?: InferenceFastPath;
  /** Deletes finished jobs past the retention rules, on a timer. */
  retention: RetentionSweeper;
  /** Whether this replica runs the controllers; SQLite: always. */
  leadership: Leadership;
  /** Job definitions: saved specs, run now or on a schedule. */
  definitions: DefinitionService;
  /** Fires definitions' schedules; a controller with start/stop (safe on every replica: ticks are claimed). */
  scheduler: Scheduler;
  /** Recovers jobs from the store (re-queue, re-adopt); call before serving. */
  start(): Promise<void>;
  /**
   * Stops serving and watching; runners keep running; closes the database. Model servers stop, unless
   * `handOver` and this is one of several replicas: then they keep running for the next leader to adopt.
   */
  close(options?: { handOver?: boolean }): Promise<void>;
}

/** Parts wired in from outside. */
export interface ServiceParts {
  /** Also receives every inference request and deployment change (besides the service's own monitor). */
  monitor?: DeploymentMonitor;
  /** How the Kubernetes backend retries taking in outputs while the object store fails (tests shorten it). */
  artifactTiming?: { retryMs?: number; maxAttempts?: number };
  /** The clock of schedules (tests move it); Date.now otherwise. */
  clock?: () => number;
  /** Schedule timings (tests shorten them). */
  schedules?: { intervalMs?: number; lateAfterMs?: number; claimTimeoutMs?: number };
}

/** Builds the service from its configuration without listening yet. */
export async function createService(config: ServiceConfig, logger: boolean | object = false, parts: ServiceParts = {}): Promise<Service> {
  const localAllowed = localExecutionAllowed(config);
  // Everything the service and its runners create (database, logs, outputs, model folders) is the
  // owner's alone; runners and model servers inherit this mask.
  process.umask(0o077);
  prepareDataDir(config.dataDir);
  const unlock = lockDataDir(config.dataDir);
  try {
    return await wire(config, logger, parts, localAllowed, unlock);
  } catch (err) {
    // A service that failed to start must not keep the data folder from the next attempt.
    unlock();
    throw err;
  }
}

/** Opens the store and wires the parts; `unlock` releases the data folder on close. */
async function wire(
  config: ServiceConfig,
  logger: boolean | object,
  parts: ServiceParts,
  localAllowed: boolean,
  unlock: () => void
): Promise<Service> {
  const { store, monitor: monitorStore, definitions: definitionStore, database } = await openStores({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const bus = new EventBus();
  const updater = new JobUpdater(store, bus);
  const auth = new Authenticator(new TokenTable(config.tokens), {
    hub: config.hub
      ? new HubTokenResolver({
          apiUrl: config.hub.apiUrl,
          serviceName: config.hub.serviceName,
          ttlMs: config.hub.cacheMs,
          negativeTtlMs: config.hub.negativeCacheMs,
          maxEntries: config.hub.cacheEntries,
          timeoutMs: config.hub.timeoutMs
        })
      : undefined,
    adminGroup: config.adminGroup,
    groups: config.tokenGroups
  });
  const capacity = detectCapacity({ cpus: config.cpus, memoryBytes: config.memoryBytes, gpus: config.gpus });
  // Set once the deployments exist; requests before that all go to the Fastify routes.
  let fastPath: InferenceFastPath | undefined;
  const requestIds = requestIdSequence();
  const app = Fastify({
    logger,
    genReqId: requestIds,
    serverFactory: serverWithPreRoute((req, res) => fastPath?.take(req, res) ?? false),
    // Strict input: unknown fields are errors, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
    bodyLimit: 4 * 1024 * 1024,
    // Event streams never end by themselves: without this, close() would wait on every open browser tab.
    forceCloseConnections: true,
    // Job ids are served up to MAX_JOB_ID_LENGTH characters; the router's default (100) answered 414 for longer ones.
    routerOptions: { maxParamLength: ROUTER_MAX_PARAM_LENGTH },
    // Errors the router raises before any hook (a malformed or over-long URL) still authenticate first:
    // an unauthenticated caller learns nothing about the routes.
    frameworkErrors: (error, request, reply) => {
      const answer = (status: number, code: string, message: string) => void (reply as unknown as FastifyReply).code(status).send({ error: { code, message } });
      auth.callerFor(bearerToken(request)).then(
        caller => {
          if (caller === undefined) {
            answer(401, 'unauthenticated', 'a valid bearer token is required');
          } else if ((error as { statusCode?: number }).statusCode === 414) {
            answer(414, 'invalid_argument', 'a path segment is too long');
          } else {
            answer(400, 'invalid_argument', 'the URL is not valid');
          }
        },
        (err: unknown) => answer(503, 'unavailable', err instanceof ServiceError ? err.message : 'the sign-in service cannot be reached')
      );
    }
  }).withTypeProvider<TypeBoxTypeProvider>();
  const local = new LocalBackend({
    log: app.log,
    capacity,
    python: config.python,
    rootDir: fs.realpathSync(config.rootDir),
    jobsDir: config.jobsDir,
    excluded: [config.dataDir],
    limits: { maxNotebookBytes: config.maxNotebookBytes, maxFolderBytes: config.maxFolderBytes },
    pollMs: config.pollMs,
    killGraceMs: config.killGraceMs,
    warm: config.warmRunners,
    recordUsage: (runId, sample) => store.addUsage(runId, [sample]),
    usageIntervalMs: config.usageIntervalMs,
    secretsDir: config.secretsDir ?? path.join(config.dataDir, 'secrets')
  });
  const backends = new Map<BackendName, Backend>(localAllowed ? [['local', local]] : []);
  const artifactConfig: ArtifactConfig = config.artifacts ?? { kind: 'local', dir: path.join(config.dataDir, 'artifacts'), grantSeconds: 7 * 24 * 3600, maxOutputBytes: 10 * 1024 ** 3, maxOutputFiles: 100_000 };
  const artifacts = await createArtifactStore(artifactConfig);
  // Replicas on one PostgreSQL database push each other's changes to their browsers.
  const relay = database ? new PostgresEventRelay(database, bus, app.log) : undefined;
  await relay?.start();
  // Replicas each add the requests they forwarded to the shared history.
  const monitor = new Monitor({ store: monitorStore, bus, log: app.log, sharedHistory: database !== undefined });
  // An extra monitor from outside (a test's recorder) sees everything the real one sees.
  const watchers: DeploymentMonitor = parts.monitor ? teeMonitor(monitor, parts.monitor) : monitor;
  const deploymentUpdater = new DeploymentUpdater(store, bus);
  let kubeServing: KubeServing | undefined;
  if (config.k8s) {
    const k8s = config.k8s;
    const kubeClient = new KubeClient({ kubeconfig: k8s.kubeconfig }, { qps: k8s.qps, burst: k8s.burst });
    if (k8s.servingImage && artifacts.presign) {
      kubeServing = new KubeServing({
        config: kubeClient.config,
        image: k8s.servingImage,
        podTemplate: k8s.podTemplate,
        acceleratorLabel: k8s.acceleratorLabel,
        store: artifacts,
        grantSeconds: artifactConfig.grantSeconds,
        log: app.log,
        deployTimeoutMs: Math.max(config.deployTimeoutMs, 300_000),
        drainMs: 30_000,
        // A kubeconfig means the service runs outside the cluster and reaches pods through the API server.
        inCluster: !k8s.kubeconfig,
        namespaceOf: user => namespaceFor(user, k8s.namespaceTemplate, k8s.namespaceMap, auth.groupsOf(user)),
        watches: new ServingWatches((namespace, what, selector) => kubeClient.watch(namespace, what, selector), app.log),
        updater: deploymentUpdater,
        monitor: watchers
      });
    }
    backends.set(
      'kubernetes',
      new KubernetesBackend({
        log: app.log,
        client: kubeClient,
        jobsDir: config.jobsDir,
        namespaceTemplate: k8s.namespaceTemplate,
        namespaceMap: k8s.namespaceMap,
        groupsOf: user => auth.groupsOf(user),
        defaultImage: k8s.defaultImage,
        imagePolicy: k8s.imagePolicy,
        manifests: {
          outputPvc: k8s.outputPvc,
          ttlSecondsAfterFinished: k8s.ttlSecondsAfterFinished,
          backoffLimit: k8s.backoffLimit,
          acceleratorLabel: k8s.acceleratorLabel
        },
        maxInputBytes: k8s.maxInputBytes,
        podTemplate: k8s.podTemplate,
        jobPodTemplateFields: k8s.jobPodTemplateFields,
        users: [...new Set(config.tokens.values())],
        recordUsage: (runId, sample) => store.addUsage(runId, [sample]),
        usageIntervalMs: config.usageIntervalMs,
        artifacts: artifacts.presign
          ? {
              store: artifacts,
              grantSeconds: artifactConfig.grantSeconds,
              limits: { maxBytes: artifactConfig.maxOutputBytes, maxFiles: artifactConfig.maxOutputFiles },
              maxFolderBytes: config.maxFolderBytes,
              rootDir: fs.realpathSync(config.rootDir),
              excluded: [config.dataDir],
              ...parts.artifactTiming
            }
          : undefined
      })
    );
  }
  const backend = new BackendRouter(backends, config.defaultBackend ?? 'local');
  backend.addKind(new JobRunKind(store, updater, bus));
  const experiments = new Experiments({ store, jobs: updater, backend, bus, log: app.log, rootDir: config.rootDir });
  backend.addKind(experiments.trials);
  const webhookDestinations = { allowPrivateNetworks: config.webhookAllowPrivateNetworks ?? false };
  const jobs = new JobService(store, updater, backend, config.rootDir, experiments, {
    jobsDir: config.jobsDir,
    dataDir: config.dataDir,
    webhookDestinations
  });
  // A cancelled runner gets killGraceMs to stop before it is killed; deleting waits for that and its ending.
  const deleter = new JobDeleter({ store, jobs, backend, bus, rootDir: config.rootDir, endWaitMs: (config.killGraceMs ?? 10_000) + 30_000 });
  const webhooks = new WebhookSender({
    bus,
    store,
    updater,
    log: app.log,
    firstRetryMs: config.webhookFirstRetryMs,
    destinations: webhookDestinations
  });
  const retention = new RetentionSweeper({
    store,
    deleter,
    log: app.log,
    userRule: config.retention,
    intervalMs: config.retentionIntervalMs ?? 3_600_000
  });
  const clock = parts.clock ?? Date.now;
  // Names the replica in its schedule claims (logs and history only: the claim key does the excluding).
  const replicaId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const definitions = new DefinitionService({ definitions: definitionStore, jobs, store, now: clock, replicaId });
  const scheduleIntervalMs = parts.schedules?.intervalMs ?? 15_000;
  const scheduler = new Scheduler({
    definitions: definitionStore,
    service: definitions,
    log: app.log,
    now: clock,
    intervalMs: scheduleIntervalMs,
    lateAfterMs: parts.schedules?.lateAfterMs ?? Math.max(60_000, 4 * scheduleIntervalMs),
    claimTimeoutMs: parts.schedules?.claimTimeoutMs ?? 5 * 60_000,
    replicaId
  });
  const registry = new ModelRegistry(store, config.rootDir, app.log, { jobsDir: config.jobsDir, dataDir: config.dataDir });
  const stopWatchingJobs = registry.watchJobs(bus);
  const deployments = new DeploymentService({
    store,
    updater: deploymentUpdater,
    defaultBackend: config.defaultBackend,
    kube: kubeServing,
    registry,
    monitor: watchers,
    log: app.log,
    rootDir: config.rootDir,
    dataDir: config.dataDir,
    mlserver: config.mlserver,
    deployTimeoutMs: config.deployTimeoutMs,
    localServing: localAllowed,
    livenessMs: config.livenessMs ?? 3000,
    drainMs: 30_000,
    restartDelayMs: config.restartDelayMs,
    // Any replica forwards inference to the model servers the leader runs; the next leader adopts them.
    shareServers: database !== undefined
  });
  const versions = new VersionMonitor();
  // Exactly one replica of a database runs the controllers; the others serve the API and push streams.
  const leadership = new Leadership(
    electorFor(config, database, (err, message) => app.log.warn({ err }, message)),
    app.log
  );
  if (leadership.kind !== 'single') {
    // Until elected this replica stores work and starts none of it.
    backend.active = false;
  }
  // Runs first (re-adopt, reserve their resources), then experiments may start new trials.
  leadership.register({ name: 'backends', start: () => backend.start(), stop: () => backend.stop() });
  leadership.register({ name: 'HPO experiments', start: () => experiments.start(), stop: () => experiments.stop() });
  // Replicas hand over: a leader that stops (or loses the election) leaves its model servers running for
  // the next one to adopt, unless the whole service is closing for good.
  let closingForGood = false;
  const handOver = () => leadership.kind !== 'single' && !closingForGood;
  leadership.register({ name: 'deployments', start: () => deployments.start(), stop: () => deployments.close({ keepServers: handOver() }) });
  leadership.register({ name: 'retention', start: () => retention.start(), stop: () => retention.stop() });
  leadership.register({ name: 'webhooks', start: () => webhooks.start(), stop: () => webhooks.stop() });
  // Ticks are claimed in the store, so a second scheduler could not fire one twice; leading keeps it to one.
  leadership.register({ name: 'schedules', start: () => scheduler.start(), stop: () => scheduler.stop() });
  if (leadership.kind !== 'single') {
    // Only replicas have followers whose accepted work the leader must pick up.
    leadership.register(new FollowerWorkPickup({ store, bus, backend, experiments, log: app.log }));
    leadership.register(new DeploymentPickup({ store, bus, deployments, log: app.log }));
  }
  deployments.onComparisonReset = (owner, name) => versions.reset(deploymentKey(owner, name));
  monitor.evaluatesAlerts = () => leadership.leading;

  app.setErrorHandler(errorHandler);
  // Body-less POSTs (cancel) often still carry `Content-Type: application/json` (Jupyter's
  // ServerConnection sets it on every request): read an empty body as no body instead of a 400.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.setNotFoundHandler(() => {
    throw new ServiceError('not_found', 'no such route');
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'LakeTahoe service API', version: VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }]
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    // The route schemas are draft-07; the document declares OpenAPI 3.0.3 and must use its keywords.
    transformObject: documentObject => toOpenApi30('openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject)
  });
  registerAuth(app, auth);
  registerCsrfGuard(app);
  app.addSchema(ErrorResponse);
  await app.register(apiRoutes, {
    prefix: '/api/v1',
    jobs,
    bus,
    capacity,
    rootDir: config.rootDir,
    version: VERSION,
    heartbeatMs: config.heartbeatMs ?? 15_000,
    leadership
  });
  await app.register(jobDeletionRoutes, { prefix: '/api/v1', deleter });
  await app.register(usageRoutes, { prefix: '/api/v1', usage: new UsageService(store) });
  await app.register(environmentRoutes, { prefix: '/api/v1', ...(localAllowed ? { localKernels: () => local.kernels.list() } : {}) });
  await app.register(definitionRoutes, { prefix: '/api/v1', definitions });
  await app.register(servingRoutes, { prefix: '/api/v1', registry, deployments, versions });
  const recording = new InferenceRecording({ deployments, recorder: watchers, versions });
  await app.register(inferenceProxyRoutes, {
    prefix: '/api/v1',
    // At the default level every request is logged twice: for predictions that is a log write per line
    // on the hot path and a log flooded by traffic. Warnings and errors still are; debug shows them all.
    ...(config.logLevel === 'info' ? { logLevel: 'warn' } : {}),
    deployments,
    recording,
    maxInferBytes: config.maxInferBytes
  });
  // At debug level every request is logged by Fastify: the fast path, which logs nothing, stays off.
  // (pino's logger can tell; Fastify's stand-in for no logger logs nothing.)
  if (!(app.log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled?.('debug')) {
    fastPath = new InferenceFastPath({ auth, deployments, recording, maxInferBytes: config.maxInferBytes, log: app.log, nextRequestId: requestIds });
    app.addHook('preClose', async () => fastPath?.close());
  }
  await app.register(monitoringRoutes, {
    prefix: '/api/v1',
    monitor,
    deploymentExists: async (owner, name) => (await store.getDeployment(owner, name)) !== undefined
  });
  await app.register(metricsRoutes, { monitor });
  await app.register(healthRoutes);

  let closed = false;
  return {
    app,
    store,
    backend,
    retention,
    definitions,
    scheduler,
    monitor,
    deployments,
    inferenceFastPath: fastPath,
    leadership,
    async start() {
      monitor.start();
      // The only replica (SQLite) or the first of a database leads at once; the others wait their turn.
      await leadership.start();
    },
    async close(options: { handOver?: boolean } = {}) {
      if (closed) {
        return;
      }
      closed = true;
      closingForGood = !options.handOver;
      // Controllers stop (runners keep running) before leadership is given up for the next replica.
      await leadership.stop();
      stopWatchingJobs();
      (artifacts as { destroy?: () => void }).destroy?.();
      await deployments.close({ keepServers: handOver() });
      await app.close();
      await monitor.close();
      await relay?.close();
      await store.close();
      unlock();
    }
  };
}

/**
 * Whether job code and model servers may run on this machine as the service's OS user: always for one
 * user (personal mode: it is their own account), and for several users (a tokens file, or anyone the hub
 * signs in) only with the explicit `--trust-jobs`. A multi-user service whose default backend is local
 * cannot start without it.
 */
export function localExecutionAllowed(config: ServiceConfig): boolean {
  const users = new Set(config.tokens.values());
  if ((users.size <= 1 && !config.hub) || config.trustJobs) {
    return true;
  }
  if ((config.defaultBackend ?? 'local') === 'local') {
    const who = config.hub ? "JupyterHub's users" : `${users.size} users`;
    throw new Error(
      `${who} can reach this service, and the local backend would run each one's job code as this ` +
        "service's OS user (able to read every user's token, data and outputs). Use --backend kubernetes, or pass " +
        '--trust-jobs (LAKETAHOE_TRUST_JOBS=1) if every user is trusted with this account (see docs/contracts.md, "Personal and shared mode")'
    );
  }
  return false;
}
