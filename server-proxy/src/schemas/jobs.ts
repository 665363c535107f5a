import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { PodTemplate } from './podTemplate.js';
import { JobEnv } from './env.js';


/** Job states, in the order a job normally passes through them. */
export const JOB_STATES = ['QUEUED', 'PREPARING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'] as const;
/** One job state. */
export type JobState = (typeof JOB_STATES)[number];

/** Scale tiers as AI Platform names them. */
export const SCALE_TIERS = ['BASIC', 'BASIC_GPU', 'STANDARD_1', 'PREMIUM_1', 'CUSTOM'] as const;
/** One scale tier. */
export type ScaleTier = (typeof SCALE_TIERS)[number];

/** Queue priorities: scheduled jobs high, normal middle, bulk experiments low. */
export const PRIORITIES = ['high', 'middle', 'low'] as const;
/** One priority. */
export type Priority = (typeof PRIORITIES)[number];

/** Longest job id: every `/jobs/{jobId}` route serves ids up to this length (the router's limit is set above it). */
export const MAX_JOB_ID_LENGTH = 128;
/** A job id as AI Platform accepts it. */
export const JOB_ID_PATTERN = `^[A-Za-z][A-Za-z0-9_]{0,${MAX_JOB_ID_LENGTH - 1}}$`;

/**
 * Largest worker and parameter-server counts. The Kubernetes backend builds one host entry per replica
 * (TF_CONFIG's cluster spec, one Service per replica); an unbounded count exhausted the service's memory.
 */
export const MAX_WORKER_COUNT = 1000;
/** Largest parameter-server count; see {@link MAX_WORKER_COUNT}. */
export const MAX_PARAMETER_SERVER_COUNT = 100;
/** Most labels on one job (AI Platform allows 64). */
export const MAX_LABELS = 64;
/** Most papermill parameters on one notebook. */
export const MAX_PARAMETERS = 1000;

/** `"3600s"`: a protobuf-style duration in seconds (at most ten digits of seconds, about 317 years). */
const Duration = Type.String({ pattern: '^[0-9]{1,10}(\\.[0-9]{1,9})?s$', description: 'duration such as "3600s"' });

/** The notebook to run and the papermill parameters to inject. */
export const NotebookSpec = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 4096, description: 'notebook path relative to the root directory' }),
    parameters: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'papermill parameters', maxProperties: MAX_PARAMETERS })
    ),
    includeFolder: Type.Optional(Type.Boolean({ description: "also snapshot the notebook's folder" }))
  },
  { additionalProperties: false }
);

/** The replica configuration of the master; only CUSTOM reads resources. */
export const ReplicaConfig = Type.Object(
  {
    imageUri: Type.Optional(Type.String({ maxLength: 1024 })),
    resources: Type.Optional(
      Type.Object(
        {
          cpu: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 4096 })),
          memoryGb: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 65536 }))
        },
        { additionalProperties: false }
      )
    ),
    acceleratorConfig: Type.Optional(
      Type.Object(
        {
          count: Type.Optional(Type.Integer({ minimum: 0, maximum: 64 })),
          type: Type.Optional(Type.String({ maxLength: 128 }))
        },
        { additionalProperties: false }
      )
    )
  },
  { additionalProperties: false }
);

/** A replica configuration as validated. */
export type ReplicaConfigBody = Static<typeof ReplicaConfig>;

/** One tunable parameter (AI Platform's `ParameterSpec`); ranges are checked by the HPO engine. */
export const ParameterSpec = Type.Object(
  {
    parameterName: Type.String({ maxLength: 128 }),
    type: StringEnum(['DOUBLE', 'INTEGER', 'CATEGORICAL', 'DISCRETE']),
    minValue: Type.Optional(Type.Number()),
    maxValue: Type.Optional(Type.Number()),
    categoricalValues: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 10000 })),
    discreteValues: Type.Optional(Type.Array(Type.Number(), { maxItems: 10000 })),
    scaleType: Type.Optional(StringEnum(['NONE', 'UNIT_LINEAR_SCALE', 'UNIT_LOG_SCALE', 'UNIT_REVERSE_LOG_SCALE']))
  },
  { additionalProperties: false }
);

/** Early stopping settings (ours): the median stopping rule by default, or ASHA. */
export const EarlyStoppingSpec = Type.Object(
  {
    kind: Type.Optional(StringEnum(['median', 'asha'])),
    minStep: Type.Optional(
      Type.Number({ minimum: 0, description: 'median: never stop before this step; asha: step of the first rung (1 when unset)' })
    ),
    minCompletedTrials: Type.Optional(Type.Integer({ minimum: 1, description: 'median: finished trials needed first (3)' })),
    reductionFactor: Type.Optional(Type.Number({ minimum: 1.01, description: 'asha: keep the top 1/reductionFactor (3)' }))
  },
  { additionalProperties: false }
);

/** AI Platform's `HyperparameterSpec`; a job that has one is an HPO job. */
export const HyperparameterSpec = Type.Object(
  {
    goal: Type.Optional(StringEnum(['GOAL_TYPE_UNSPECIFIED', 'MAXIMIZE', 'MINIMIZE'])),
    hyperparameterMetricTag: Type.Optional(Type.String({ maxLength: 256 })),
    metricSelection: Type.Optional(StringEnum(['LAST', 'BEST'], { description: 'ours: the last reported value or the best one' })),
    maxTrials: Type.Optional(Type.Integer({ maximum: 10000 })),
    maxParallelTrials: Type.Optional(Type.Integer({ maximum: 1000 })),
    maxFailedTrials: Type.Optional(Type.Integer({ maximum: 10000 })),
    enableTrialEarlyStopping: Type.Optional(Type.Boolean()),
    earlyStopping: Type.Optional(EarlyStoppingSpec),
    resumePreviousJobId: Type.Optional(Type.String({ maxLength: 128 })),
    algorithm: Type.Optional(StringEnum(['ALGORITHM_UNSPECIFIED', 'GRID_SEARCH', 'RANDOM_SEARCH'])),
    params: Type.Array(ParameterSpec, { maxItems: 100 })
  },
  { additionalProperties: false }
);
/** A validated-shape hyperparameter spec. */
export type HyperparameterSpecBody = Static<typeof HyperparameterSpec>;

/** AI Platform's `trainingInput`, extended with `notebook`. */
export const TrainingInput = Type.Object(
  {
    scaleTier: Type.Optional(StringEnum([...SCALE_TIERS])),
    masterType: Type.Optional(Type.String({ maxLength: 128 })),
    masterConfig: Type.Optional(ReplicaConfig),
    workerCount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WORKER_COUNT })),
    workerType: Type.Optional(Type.String({ maxLength: 128 })),
    workerConfig: Type.Optional(ReplicaConfig),
    parameterServerCount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PARAMETER_SERVER_COUNT })),
    parameterServerType: Type.Optional(Type.String({ maxLength: 128 })),
    parameterServerConfig: Type.Optional(ReplicaConfig),
    priority: Type.Optional(StringEnum([...PRIORITIES])),
    scheduling: Type.Optional(
      Type.Object(
        { maxRunningTime: Type.Optional(Duration), maxWaitTime: Type.Optional(Duration) },
        { additionalProperties: false }
      )
    ),
    args: Type.Optional(Type.Array(Type.String({ maxLength: 65536 }), { maxItems: 10000 })),
    pythonModule: Type.Optional(Type.String({ maxLength: 1024 })),
    packageUris: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { maxItems: 100 })),
    jobDir: Type.Optional(Type.String({ maxLength: 4096 })),
    region: Type.Optional(Type.String({ maxLength: 128 })),
    runtimeVersion: Type.Optional(Type.String({ maxLength: 64 })),
    pythonVersion: Type.Optional(Type.String({ maxLength: 64 })),
    notebook: Type.Optional(NotebookSpec),
    hyperparameters: Type.Optional(HyperparameterSpec),
    backend: Type.Optional(
      StringEnum(['local', 'kubernetes'], { description: 'where the job runs; the service default when absent' })
    ),
    podTemplate: Type.Optional(PodTemplate),
    env: Type.Optional(JobEnv),
    kernelName: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$', description: "kernelspec to run the notebook on; the notebook's own when absent" })
    ),
    kernelFallback: Type.Optional(
      Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._-]+$', description: 'kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel)' })
    )
  },
  { additionalProperties: false }
);
/** The validated shape of `trainingInput`. */
export type TrainingInput = Static<typeof TrainingInput>;

/** Where a job's end is posted (Slack-compatible JSON). */
export const WebhookSpec = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://[^\\s]+$',
      maxLength: 2048,
      description: "an http(s) URL; POSTed `{text, laketahoe: {jobId, state, errorMessage, endTime}}` when the job ends. Never shown back: answers give its origin"
    })
  },
  { additionalProperties: false }
);


/** Body of `POST /api/v1/jobs`. */
export const SubmitJobBody = Type.Object(
  {
    jobId: Type.Optional(Type.String({ pattern: JOB_ID_PATTERN })),
    trainingInput: TrainingInput,
    labels: Type.Optional(
      Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 63 }), { maxProperties: MAX_LABELS, description: `at most ${MAX_LABELS} labels` })
    ),
    webhook: Type.Optional(WebhookSpec)
  },
  { additionalProperties: false }
);
/** A submit request. */
export type SubmitJobBody = Static<typeof SubmitJobBody>;

/** Resources handed to a job by the local queue. */
export const Allocation = Type.Object({
  cpu: Type.Number(),
  memoryBytes: Type.Number(),
  gpus: Type.Array(Type.Integer())
});
/** An allocation. */
export type Allocation = Static<typeof Allocation>;

/** One entry of a job's state history. */
export const StateChange = Type.Object({
  state: StringEnum([...JOB_STATES]),
  time: Type.String(),
  reason: Type.String()
});
/** A state change. */
export type StateChange = Static<typeof StateChange>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A value of the objective metric at a step. */
export const HyperparameterOutputMetric = Type.Object({ trainingStep: Type.Number(), objectiveValue: Type.Number() });
/** An objective value. */
export type HyperparameterOutputMetric = Static<typeof HyperparameterOutputMetric>;

/** One trial of an HPO job. */
export const Trial = Type.Object(
  {
    jobId: Type.String(),
    trialId: Type.String({ description: '"1", "2", ... in suggestion order' }),
    state: StringEnum([...JOB_STATES]),
    hyperparameters: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String()])),
    finalMetric: Nullable(HyperparameterOutputMetric),
    allMetrics: Type.Array(HyperparameterOutputMetric, { description: 'intermediate values of the metric tag' }),
    isTrialStoppedEarly: Type.Boolean(),
    createTime: Type.String(),
    startTime: Nullable(Type.String()),
    endTime: Nullable(Type.String()),
    errorMessage: Type.String(),
    outputNotebook: Type.Optional(Type.String({ description: 'relative to rootDir, once written' }))
  }
);
/** A trial. */
export type Trial = Static<typeof Trial>;

/** What a job has produced so far; the `isHyperparameterTuningJob` fields only for HPO jobs. */
export const TrainingOutput = Type.Object({
  completedCells: Type.Integer(),
  totalCells: Type.Integer(),
  outputNotebook: Type.Optional(Type.String()),
  outputHtml: Type.Optional(Type.String()),
  latestMetrics: Type.Record(Type.String(), Type.Number()),
  exitCode: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  resources: Allocation,
  models: Type.Optional(
    Type.Array(Type.Object({ name: Type.String(), path: Type.String({ description: 'saved model folder, relative to rootDir' }) }), {
      description: 'models the job saved (laketahoe.save_model); registered when the job succeeds'
    })
    ),
  kernel: Type.Optional(
    Type.Object(
      { name: Type.String(), requested: Type.Optional(Type.String({ description: 'the kernelspec asked for, when it was not installed and kernelFallback ran instead' })) },
      { description: 'the kernelspec the notebook ran on' }
    )
  ),
  warnings: Type.Optional(
    Type.Array(Type.String(), { description: 'notes about what the job reported, such as a metric that was NaN or infinite' })
  ),
  queueReason: Type.Optional(
    Type.String({ description: 'why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota)' })
  ),
  isHyperparameterTuningJob: Type.Optional(Type.Boolean()),
  hyperparameterMetricTag: Type.Optional(Type.String()),
  completedTrialCount: Type.Optional(Type.Integer()),
  trialCounts: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  bestTrial: Type.Optional(Nullable(Trial))
});
/** Training output. */
export type TrainingOutput = Static<typeof TrainingOutput>;

/** One attempt to post a job's end to its webhook. */
export const WebhookDelivery = Type.Object({
  state: StringEnum([...JOB_STATES]),
  attempt: Type.Integer({ minimum: 1 }),
  time: Type.String(),
  delivered: Type.Boolean(),
  status: Nullable(Type.Integer({ description: "the receiver's HTTP status; null when none answered" })),
  error: Type.Optional(Type.String())
});
/** A delivery attempt. */
export type WebhookDelivery = Static<typeof WebhookDelivery>;

/** A job as the API shows it. */
export const Job = Type.Object({
  jobId: Type.String(),
  owner: Type.String(),
  state: StringEnum([...JOB_STATES]),
  createTime: Type.String(),
  startTime: Nullable(Type.String()),
  endTime: Nullable(Type.String()),
  errorMessage: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  trainingInput: TrainingInput,
  trainingOutput: TrainingOutput,
  stateHistory: Type.Array(StateChange),
  webhook: Type.Optional(
    Type.Object({
      target: Type.String({ description: "the webhook URL's origin (scheme, host, port)" }),
      deliveries: Type.Array(WebhookDelivery, { description: 'every attempt, oldest first' })
    })
  )
});
/** A job. */
export type Job = Static<typeof Job>;

/** A log line. */
export const LogLine = Type.Object({
  seq: Type.Integer(),
  time: Type.String(),
  stream: StringEnum(['stdout', 'stderr', 'system']),
  text: Type.String()
});
/** A log line. */
export type LogLine = Static<typeof LogLine>;

/** One metric value at a step. */
export const Metric = Type.Object({
  step: Type.Number(),
  name: Type.String(),
  value: Type.Number(),
  time: Type.String()
});
/** A metric. */
export type Metric = Static<typeof Metric>;

/** States a job never leaves. */
export const TERMINAL_STATES: ReadonlySet<JobState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
