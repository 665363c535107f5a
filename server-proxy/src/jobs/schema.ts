import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A string enum rendered as `{type: string, enum: [...]}` so ajv names the field and the allowed values. */
export function StringEnum<T extends string[]>(values: [...T], options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options });
}

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

/** A job id as AI Platform accepts it. */
export const JOB_ID_PATTERN = '^[A-Za-z][A-Za-z0-9_]{0,127}$';

/** `"3600s"`: a protobuf-style duration in seconds. */
const Duration = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?s$', description: 'duration such as "3600s"' });

/** The notebook to run and the papermill parameters to inject. */
export const NotebookSpec = Type.Object(
  {
    path: Type.String({ minLength: 1, maxLength: 4096, description: 'notebook path relative to the root directory' }),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'papermill parameters' })),
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

/** AI Platform's `trainingInput`, extended with `notebook`. */
export const TrainingInput = Type.Object(
  {
    scaleTier: Type.Optional(StringEnum([...SCALE_TIERS])),
    masterType: Type.Optional(Type.String({ maxLength: 128 })),
    masterConfig: Type.Optional(ReplicaConfig),
    workerCount: Type.Optional(Type.Integer({ minimum: 0 })),
    workerType: Type.Optional(Type.String({ maxLength: 128 })),
    workerConfig: Type.Optional(ReplicaConfig),
    parameterServerCount: Type.Optional(Type.Integer({ minimum: 0 })),
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
    notebook: Type.Optional(NotebookSpec)
  },
  { additionalProperties: false }
);
/** The validated shape of `trainingInput`. */
export type TrainingInput = Static<typeof TrainingInput>;

/** Body of `POST /api/v1/jobs`. */
export const SubmitJobBody = Type.Object(
  {
    jobId: Type.Optional(Type.String({ pattern: JOB_ID_PATTERN })),
    trainingInput: TrainingInput,
    labels: Type.Optional(Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 63 })))
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

/** What a job has produced so far. */
export const TrainingOutput = Type.Object({
  completedCells: Type.Integer(),
  totalCells: Type.Integer(),
  outputNotebook: Type.Optional(Type.String()),
  outputHtml: Type.Optional(Type.String()),
  latestMetrics: Type.Record(Type.String(), Type.Number()),
  exitCode: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  resources: Allocation
});
/** Training output. */
export type TrainingOutput = Static<typeof TrainingOutput>;

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

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
  stateHistory: Type.Array(StateChange)
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
