import { Type, type Static } from '@sinclair/typebox';

/** One reading of a run's resource use. */
export const UsageSample = Type.Object({
  time: Type.String({ description: 'when it was read (ISO 8601)' }),
  cpuCores: Type.Number({ description: 'CPU cores in use on average since the previous sample' }),
  cpuSeconds: Type.Number({ description: 'CPU time used so far by the whole process tree (or pod)' }),
  memoryBytes: Type.Number({ description: 'resident memory (locally) or working set (Kubernetes) of the process tree or pod' }),
  gpuCount: Type.Optional(Type.Integer({ description: 'GPUs the run holds' })),
  gpuUtilization: Type.Optional(Type.Number({ description: "mean utilization of the run's GPUs, percent" })),
  gpuMemoryBytes: Type.Optional(Type.Number({ description: "memory used on the run's GPUs, summed" }))
});
/** A usage sample. */
export type UsageSample = Static<typeof UsageSample>;

/** What a run used, over all its samples. */
export const UsageSummary = Type.Object({
  samples: Type.Integer({ description: 'samples stored for the run' }),
  peakMemoryBytes: Type.Number(),
  cpuSeconds: Type.Number(),
  gpuHours: Type.Number({ description: 'GPUs held times the time they were held, in hours' }),
  peakGpuMemoryBytes: Type.Optional(Type.Number()),
  meanGpuUtilization: Type.Optional(Type.Number({ description: 'percent' })),
  requestedMemoryBytes: Type.Optional(Type.Number({ description: 'memory the run was given (its request)' })),
  hint: Type.Optional(
    Type.String({ description: 'set when an ended run peaked below a quarter of its requested memory: "This job used at most X of its Y memory"' })
  )
});
/** A usage summary. */
export type UsageSummary = Static<typeof UsageSummary>;

/** `GET /jobs/{jobId}/usage` and the same for a trial. */
export const UsageAnswer = Type.Object({
  available: Type.Boolean({ description: 'false where the run cannot be measured (a simulated Kubernetes node has no resource metrics)' }),
  note: Type.Optional(Type.String({ description: 'why usage is not available, or what limits it' })),
  samples: Type.Array(UsageSample, { description: 'in time order, thinned evenly to maxPoints' }),
  summary: UsageSummary
});
/** A usage answer. */
export type UsageAnswer = Static<typeof UsageAnswer>;
