import type { MonitoringSpec as CompleteMonitoringSpec } from './monitoring.js';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from './common.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** Model and deployment names become URL segments and, on Kubernetes, object names. */
export const RESOURCE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,62}$';
const ResourceName = Type.String({ pattern: RESOURCE_NAME_PATTERN });

/** Frameworks a saved model folder may hold, with the MLServer runtime that serves each. */
export const FRAMEWORK_RUNTIMES = {
  sklearn: 'mlserver_sklearn.SKLearnModel',
  xgboost: 'mlserver_xgboost.XGBoostModel',
  lightgbm: 'mlserver_lightgbm.LightGBMModel'
} as const;
/** One framework. */
export type Framework = keyof typeof FRAMEWORK_RUNTIMES;

/** Where a model version came from: the job (and trial) that trained it. */
export const ModelSource = Type.Object({
  jobId: Nullable(Type.String()),
  trialId: Nullable(Type.String()),
  hyperparameters: Type.Record(Type.String(), Type.Unknown()),
  metrics: Type.Record(Type.String(), Type.Number())
});
/** Lineage of a version. */
export type ModelSource = Static<typeof ModelSource>;

/** One registered version of a model. */
export const ModelVersion = Type.Object(
  {
    name: Type.String(),
    version: Type.Integer(),
    framework: StringEnum(Object.keys(FRAMEWORK_RUNTIMES) as Framework[]),
    frameworkVersion: Type.String(),
    task: Type.String(),
    artifactDir: Type.String({ description: 'the saved model folder, relative to rootDir' }),
    signature: Type.Unknown(),
    hasBaseline: Type.Boolean(),
    source: ModelSource,
    createTime: Type.String()
  },
  { $id: 'ModelVersion' }
);
/** A model version. */
export type ModelVersion = Static<typeof ModelVersion>;

/** A registered model; `versions` only when one model is asked for. */
export const Model = Type.Object({
  name: Type.String(),
  owner: Type.String(),
  latestVersion: Type.Integer(),
  createTime: Type.String(),
  updateTime: Type.String(),
  versions: Type.Optional(Type.Array(Type.Ref(ModelVersion)))
});
/** A model. */
export type Model = Static<typeof Model>;

/** `POST /models`: register a saved model folder. */
export const RegisterModelBody = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 4096, description: 'saved model folder relative to rootDir' }),
    name: Type.Optional(ResourceName)
  },
  { additionalProperties: false }
);

/** `POST /jobs/{jobId}/models`: register what a job or trial saved. */
export const RegisterJobModelBody = Type.Object(
  {
    trialId: Type.Optional(Type.String({ maxLength: 20 })),
    modelName: Type.Optional(Type.String({ maxLength: 63, description: 'which saved model, when the run saved several' }))
  },
  { additionalProperties: false }
);

/** Deployment states. */
export const DEPLOYMENT_STATES = ['DEPLOYING', 'READY', 'UPDATING', 'FAILED', 'DELETING'] as const;
/** One deployment state. */
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

const Threshold = Type.Number({ minimum: 0 });

/** What the monitor watches for a deployment; interpreted by the monitor, stored as given. */
export const MonitoringSpec = Type.Object(
  {
    windowSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86400 })),
    drift: Type.Optional(
      Type.Object(
        {
          numeric: Type.Optional(StringEnum(['psi', 'ks', 'wasserstein'])),
          categorical: Type.Optional(StringEnum(['js', 'chi2'])),
          threshold: Type.Optional(Threshold)
        },
        { additionalProperties: false }
      )
    ),
    alerts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 63 }),
            metric: StringEnum(['drift', 'latencyP99Ms', 'errorRate']),
            threshold: Threshold
          },
          { additionalProperties: false }
        ),
        { maxItems: 50 }
      )
    )
  },
  { additionalProperties: false }
);
/** A monitoring spec as given: every part optional. */
export type MonitoringSpec = Static<typeof MonitoringSpec>;

const ModelRef = Type.Object({ name: Type.String(), version: Type.Integer() });

/** How requests reach a challenger: a weighted share of them (canary), or a copy of each (shadow). */
export const TRAFFIC_MODES = ['canary', 'shadow'] as const;
/** One traffic mode. */
export type TrafficMode = (typeof TRAFFIC_MODES)[number];

/**
 * Up to three challengers beside the champion: enough to compare the best few trials of a search at
 * once, few enough that each still gets a share of the traffic that means something.
 */
export const MAX_CHALLENGERS = 3;

/** The challenger version of a deployment, as the API shows it. */
export const Challenger = Type.Object(
  {
    model: ModelRef,
    mode: StringEnum([...TRAFFIC_MODES]),
    weight: Type.Integer({ minimum: 0, maximum: 100, description: 'canary: percent of requests answered by the challenger; shadow: 0' }),
    state: StringEnum(['DEPLOYING', 'READY', 'FAILED']),
    errorMessage: Type.String(),
    restarts: Type.Integer()
  },
  { description: 'a second version served beside the champion (canary split or shadow copy)' }
);
/** A challenger. */
export type Challenger = Static<typeof Challenger>;

/** What an autoscaled deployment follows: requests in flight at the proxy, or the replicas' CPU use. */
export const AUTOSCALING_METRICS = ['inflight', 'cpu'] as const;

/**
 * Autoscaling of a Kubernetes deployment within min and max replicas, decided by the service. `inflight`
 * (see serving/kubernetes/autoscaler.ts): `ceil(peak in flight / targetInflight)`. `cpu` (see
 * serving/kubernetes/cpuDecision.ts): as the HorizontalPodAutoscaler, `ceil(replicas * used / target)`.
 */
export const AutoscalingSpec = Type.Object(
  {
    minReplicas: Type.Integer({ minimum: 0, maximum: 16, description: '0 allows scale to zero (inflight only): the first request then waits for a ready replica' }),
    maxReplicas: Type.Integer({ minimum: 1, maximum: 16 }),
    metric: Type.Optional(StringEnum([...AUTOSCALING_METRICS], { description: 'what decides the replicas: requests in flight (default) or CPU use' })),
    targetInflight: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'inflight: requests in flight per replica aimed at (default 4)' })),
    targetCpuPercent: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 90,
        description: "cpu: average CPU use per replica aimed at, in percent of its CPU request (resources.cpu, also its limit, so use never passes 100); default 60"
      })
    ),
    scaleDownDelaySeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 3600, description: 'how long a lower load must last before replicas go (and without any request, before scaling to zero); default 60' })
    )
  },
  { additionalProperties: false }
);
/** Autoscaling settings. */
export type AutoscalingSpec = Static<typeof AutoscalingSpec>;

/**
 * `PATCH /deployments/{name}` `challenger`: add one (a model version not served yet), change the mode or
 * weight of one (named by its version, or the only one), or null to remove them all.
 */
export const ChallengerSpec = Type.Object(
  {
    model: Type.Optional(
      Type.Object({ name: ResourceName, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })
    ),
    mode: Type.Optional(StringEnum([...TRAFFIC_MODES])),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'canary percent for the challenger (default 10)' }))
  },
  { additionalProperties: false }
);
/** A challenger request. */
export type ChallengerSpec = Static<typeof ChallengerSpec>;

/** One entry of `PATCH /deployments/{name}` `challengers`: the whole set of challengers wanted. */
export const ChallengerListEntry = Type.Object(
  {
    model: Type.Object({ name: ResourceName, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
    mode: Type.Optional(StringEnum([...TRAFFIC_MODES])),
    weight: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'canary percent for this challenger (default: its current weight, else 10)' }))
  },
  { additionalProperties: false }
);
/** One wanted challenger. */
export type ChallengerListEntry = Static<typeof ChallengerListEntry>;

/** A deployment as the API shows it. */
export const Deployment = Type.Object(
  {
    name: Type.String(),
    owner: Type.String(),
    state: StringEnum([...DEPLOYMENT_STATES]),
    model: Type.Object({ name: Type.String(), version: Type.Integer() }, { description: 'the version answering requests' }),
    nextModel: Type.Optional(Type.Object({ name: Type.String(), version: Type.Integer() }, { description: 'UPDATING: the version being started' })),
    replicas: Type.Integer(),
    backend: Type.Optional(StringEnum(['local', 'kubernetes'], { description: 'where the model servers run (absent: local)' })),
    endpoint: Type.String(),
    errorMessage: Type.String(),
    restarts: Type.Integer(),
    createTime: Type.String(),
    updateTime: Type.String(),
    monitoring: MonitoringSpec,
    challengers: Type.Optional(Type.Array(Challenger, { maxItems: MAX_CHALLENGERS, description: 'versions served beside the champion, oldest first' })),
    // The first of `challengers`, for clients written when one was allowed.
    challenger: Type.Optional(Challenger),
    autoscaling: Type.Optional(AutoscalingSpec),
    stateHistory: Type.Array(Type.Object({ state: StringEnum([...DEPLOYMENT_STATES]), time: Type.String(), reason: Type.String() }))
  },
  { $id: 'Deployment' }
);
/** A deployment. */
export type Deployment = Static<typeof Deployment>;
/** A model name and version. */
export type ModelRef = Static<typeof ModelRef>;

/** `POST /deployments`. */
export const CreateDeploymentBody = Type.Object(
  {
    name: ResourceName,
    model: Type.Optional(
      Type.Object({ name: ResourceName, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })
    ),
    source: Type.Optional(
      Type.Object(
        { jobId: Type.String({ maxLength: 128 }), trialId: Type.Optional(Type.String({ maxLength: 20 })) },
        { additionalProperties: false }
      )
    ),
    backend: Type.Optional(StringEnum(['local', 'kubernetes'], { description: "where the model servers run; the service's default backend when absent" })),
    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: 'model server pods on Kubernetes; the local backend runs exactly one' })),
    resources: Type.Optional(
      Type.Object(
        {
          cpu: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 256, description: 'CPU cores per replica (default 0.5)' })),
          memoryGb: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 2048, description: 'memory per replica in GiB (default 1)' })),
          gpu: Type.Optional(Type.Integer({ minimum: 0, maximum: 16, description: 'GPUs per replica (nvidia.com/gpu)' })),
          acceleratorType: Type.Optional(Type.String({ maxLength: 63, description: 'GPU type, e.g. NVIDIA_TESLA_V100 (a node selector)' }))
        },
        { additionalProperties: false, description: 'Kubernetes only: what each replica requests (and is limited to)' }
      )
    ),
    priority: Type.Optional(StringEnum(['high', 'middle', 'low'], { description: 'Kubernetes only: the PriorityClass of the pods (default middle)' })),
    autoscaling: Type.Optional(AutoscalingSpec),
    monitoring: Type.Optional(MonitoringSpec)
  },
  { additionalProperties: false }
);
/** A create request. */
export type CreateDeploymentBody = Static<typeof CreateDeploymentBody>;

/** `PATCH /deployments/{name}`. */
export const UpdateDeploymentBody = Type.Object(
  {
    model: Type.Optional(
      Type.Object({ name: ResourceName, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })
    ),
    monitoring: Type.Optional(MonitoringSpec),
    challenger: Type.Optional(Nullable(ChallengerSpec)),
    challengers: Type.Optional(
      Type.Array(ChallengerListEntry, {
        maxItems: MAX_CHALLENGERS,
        description: 'the whole set of challengers: those not listed are removed, listed ones added or changed in place; canary weights sum to at most 100'
      })
    ),
    replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, description: "model server pods of each served version on Kubernetes (no restart); the local backend runs exactly one" })),
    autoscaling: Type.Optional(Nullable(AutoscalingSpec))
  },
  { additionalProperties: false }
);
/** An update request. */
export type UpdateDeploymentBody = Static<typeof UpdateDeploymentBody>;

/** The monitoring spec a deployment gets when none is given. */
export const DEFAULT_MONITORING: CompleteMonitoringSpec = {
  windowSeconds: 300,
  drift: { numeric: 'psi', categorical: 'js', threshold: 0.2 },
  alerts: [
    { name: 'drift', metric: 'drift', threshold: 0.2 },
    { name: 'slow', metric: 'latencyP99Ms', threshold: 500 },
    { name: 'errors', metric: 'errorRate', threshold: 0.05 }
  ]
};

/** A given spec with every missing part taken from the defaults (alert rules only when none are given). */
export function withMonitoringDefaults(spec: MonitoringSpec | undefined): CompleteMonitoringSpec {
  return {
    windowSeconds: spec?.windowSeconds ?? DEFAULT_MONITORING.windowSeconds,
    drift: { ...DEFAULT_MONITORING.drift, ...spec?.drift },
    alerts: spec?.alerts ?? DEFAULT_MONITORING.alerts
  };
}
