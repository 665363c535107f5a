import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';
import { MAX_LABELS, TrainingInput, WebhookSpec } from './jobs.js';

/**
 * Longest definition id. A run's job id is `<definitionId>_<yyyymmdd>_<hhmm>` and carries the id as a
 * label value (at most 63 characters), so the id stays well inside both.
 */
export const MAX_DEFINITION_ID_LENGTH = 48;
/** A definition id: a job id's alphabet (no `-`), shorter. */
export const DEFINITION_ID_PATTERN = `^[A-Za-z][A-Za-z0-9_]{0,${MAX_DEFINITION_ID_LENGTH - 1}}$`;

/** What a schedule does with ticks that passed while the service was not running. */
export const MISSED_RUN_POLICIES = ['RUN_ONCE', 'SKIP'] as const;
/** One missed-run policy. */
export type MissedRunPolicy = (typeof MISSED_RUN_POLICIES)[number];

/** A cron schedule read in an IANA time zone. */
export const ScheduleSpec = Type.Object(
  {
    cron: Type.String({
      minLength: 9,
      maxLength: 256,
      description: 'five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5")'
    }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, default: 'UTC', description: 'IANA time zone the fields are read in, e.g. "Europe/Berlin"' })
  },
  { additionalProperties: false }
);
/** A schedule. */
export type ScheduleSpec = Static<typeof ScheduleSpec>;

/** Retention of one definition's finished runs; an absent field does not limit. */
export const DefinitionRetention = Type.Object(
  {
    keepLastRuns: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'keep this many most recently finished runs' })),
    deleteAfterDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 36_500, description: 'delete runs finished more than this many days ago' }))
  },
  { additionalProperties: false }
);
/** A retention rule of a definition. */
export type DefinitionRetention = Static<typeof DefinitionRetention>;

/** The parts of a definition the caller writes (create and replace). */
const definitionFields = {
  trainingInput: TrainingInput,
  labels: Type.Optional(
    Type.Record(Type.String({ maxLength: 63 }), Type.String({ maxLength: 63 }), { maxProperties: MAX_LABELS - 4, description: `at most ${MAX_LABELS - 4} labels, copied to each run` })
  ),
  webhook: Type.Optional(WebhookSpec),
  schedule: Type.Optional(ScheduleSpec),
  paused: Type.Optional(Type.Boolean({ default: false, description: 'a paused definition is not run by its schedule' })),
  missedRuns: Type.Optional(
    StringEnum([...MISSED_RUN_POLICIES], {
      default: 'RUN_ONCE',
      description: 'ticks missed while the service was down: RUN_ONCE runs the latest of them once, SKIP records it as skipped'
    })
  ),
  retention: Type.Optional(DefinitionRetention)
};

/**
 * Body of `PUT /api/v1/definitions/{definitionId}`: the whole definition again, except that an absent
 * `webhook` keeps the saved one (its URL is never shown, so an editor cannot send it back); null removes it.
 */
export const ReplaceDefinitionBody = Type.Object(
  { ...definitionFields, webhook: Type.Optional(Type.Union([WebhookSpec, Type.Null()], { description: 'absent: keep the saved webhook; null: remove it' })) },
  { additionalProperties: false }
);
/** A replace request. */
export type ReplaceDefinitionBody = Static<typeof ReplaceDefinitionBody>;

/** Body of `POST /api/v1/definitions`. Its `trainingInput` is validated as a submitted job's is. */
export const CreateDefinitionBody = Type.Object(
  { definitionId: Type.String({ pattern: DEFINITION_ID_PATTERN }), ...definitionFields },
  { additionalProperties: false }
);
/** A create request. */
export type CreateDefinitionBody = Static<typeof CreateDefinitionBody>;

/** A saved job spec with its schedule, as the API shows it (a webhook shows its origin only). */
export const Definition = Type.Object({
  definitionId: Type.String(),
  owner: Type.String(),
  createTime: Type.String(),
  updateTime: Type.String(),
  trainingInput: Type.Unknown({ description: 'the saved trainingInput, as submitted' }),
  labels: Type.Record(Type.String(), Type.String()),
  webhook: Type.Optional(Type.Object({ target: Type.String({ description: "the URL's origin" }) })),
  schedule: Type.Optional(ScheduleSpec),
  paused: Type.Boolean(),
  missedRuns: StringEnum([...MISSED_RUN_POLICIES]),
  retention: Type.Optional(DefinitionRetention),
  nextRunTimes: Type.Array(Type.String(), { description: 'the next scheduled times (ISO, UTC); empty when paused or unscheduled' })
});
/** A definition. */
export type Definition = Static<typeof Definition>;

/** Why a run of a definition was made. */
export const RUN_TRIGGERS = ['SCHEDULE', 'MISSED', 'MANUAL'] as const;
/** What became of a tick or a run-now. */
export const RUN_OUTCOMES = ['CLAIMED', 'SUBMITTED', 'SKIPPED', 'FAILED'] as const;

/** One entry of a definition's run history. */
export const DefinitionRun = Type.Object({
  scheduledTime: Type.String({ description: 'the tick (ISO, UTC), or the time of a run-now' }),
  trigger: StringEnum([...RUN_TRIGGERS]),
  outcome: StringEnum([...RUN_OUTCOMES], { description: 'CLAIMED: a replica is submitting it right now' }),
  jobId: Type.Optional(Type.String({ description: 'the job this run submitted' })),
  jobState: Type.Optional(Type.String({ description: 'the state of that job; absent once it was deleted' })),
  missedTicks: Type.Integer({ description: 'earlier ticks missed while the service was down, folded into this one' }),
  message: Type.String()
});
/** A run history entry. */
export type DefinitionRun = Static<typeof DefinitionRun>;
