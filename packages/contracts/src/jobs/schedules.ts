import { z } from "zod";
import { ZPageRequest, ZTimestamp } from "../common.ts";
import { ZCronExpression, ZInstant, ZTimeZone } from "./time.ts";

/**
 * Schedules start a job's runs by themselves: on a cron expression in an IANA time zone, once at an instant, or
 * every N seconds from the moment the schedule was created. The scheduler worker fires each due slot exactly once
 * (see docs/scheduling.md).
 */

export const SCHEDULE_LIMITS = {
  /** Seconds between two fires at least (interval schedules and cron expressions); the service may enforce more. */
  minIntervalSeconds: 60,
  maxIntervalSeconds: 366 * 86_400,
  /** A slot fired later than this after its instant is a misfire (see `misfirePolicy`). */
  misfireGraceSeconds: 60,
  maxPreviewCount: 50,
} as const;

export const SCHEDULE_KINDS = ["cron", "once", "interval"] as const;
export const ZScheduleKind = z.enum(SCHEDULE_KINDS);
export type TScheduleKind = z.infer<typeof ZScheduleKind>;

/**
 * `skip`: a slot missed by more than the grace (the scheduler was down) is recorded as `missed` and the schedule
 * moves on to its next slot after now. `run-once`: one run for all the missed slots, then on.
 */
export const ZMisfirePolicy = z.enum(["skip", "run-once"]);
/**
 * Inside a blackout window of a calendar that applies to the job: `skip` records `skipped-blackout`; `hold` keeps
 * the slot pending and fires it when the window ends (later slots inside the window fold into it).
 */
export const ZBlackoutPolicy = z.enum(["skip", "hold"]);

export const FIRE_OUTCOMES = [
  "started",
  "queued",
  "skipped-concurrency",
  "skipped-blackout",
  "held",
  "missed",
  "failed",
] as const;
export const ZFireOutcome = z.enum(FIRE_OUTCOMES);
export type TFireOutcome = z.infer<typeof ZFireOutcome>;

export const ZScheduleId = z.uuid();
export const ZScheduleIdRequestSchema = z.strictObject({ id: ZScheduleId });

/**
 * When a schedule fires, as flat fields (for forms and REST): `cron` + `timeZone` for kind `cron`, `at` for
 * `once`, `intervalSeconds` for `interval`.
 */
export const timingFields = {
  kind: ZScheduleKind,
  /** 5 fields, or 6 with seconds first. */
  cron: ZCronExpression.optional(),
  timeZone: ZTimeZone.default("UTC"),
  at: ZInstant.optional(),
  intervalSeconds: z.coerce.number().int().min(1).max(SCHEDULE_LIMITS.maxIntervalSeconds).optional(),
};

type Timing = {
  kind: TScheduleKind;
  cron?: string | undefined;
  at?: string | undefined;
  intervalSeconds?: number | undefined;
};

/** Each kind needs its own field, and only that one. */
export function checkTiming(timing: Timing, ctx: z.RefinementCtx, path: (string | number)[] = []) {
  const needs = { cron: "cron", once: "at", interval: "intervalSeconds" } as const;
  const required = needs[timing.kind];
  for (const field of ["cron", "at", "intervalSeconds"] as const) {
    const given = timing[field] !== undefined;
    if (field === required && !given)
      ctx.addIssue({
        code: "custom",
        path: [...path, field],
        message: `required for a ${timing.kind} schedule`,
      });
    if (field !== required && given)
      ctx.addIssue({
        code: "custom",
        path: [...path, field],
        message: `not used by a ${timing.kind} schedule`,
      });
  }
}

const ZScheduleName = z.string().trim().min(1).max(100);
/** Parameter values as given; checked against the job's parameters when saved and again when the schedule fires. */
const ZParameterValuesInput = z.record(z.string(), z.unknown()).default({});

export const ZSchedule = z.object({
  id: z.string(),
  jobId: z.string(),
  jobName: z.string(),
  name: z.string(),
  kind: ZScheduleKind,
  cron: z.string().nullable(),
  timeZone: z.string(),
  at: ZTimestamp.nullable(),
  intervalSeconds: z.number().int().nullable(),
  /** Interval schedules fire at `anchorAt + k × intervalSeconds`. */
  anchorAt: ZTimestamp,
  /** The values of plain parameters; secret ones are never returned (see `secretParameters`). */
  parameters: z.record(z.string(), z.unknown()),
  /** The secret parameters that have a stored (sealed) value. */
  secretParameters: z.array(z.string()),
  paused: z.boolean(),
  misfirePolicy: ZMisfirePolicy,
  blackoutPolicy: ZBlackoutPolicy,
  /** The next slot (null when paused or when a once schedule has fired). */
  nextFireAt: ZTimestamp.nullable(),
  /** Set while a slot is held by a blackout window: when it will be tried again. */
  heldUntil: ZTimestamp.nullable(),
  lastFiredAt: ZTimestamp.nullable(),
  lastOutcome: ZFireOutcome.nullable(),
  /** The user runs count as started by. */
  owner: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TSchedule = z.output<typeof ZSchedule>;

export const ZListSchedulesRequestSchema = z.strictObject({
  jobId: z.uuid().optional(),
  /** `nextFire`: soonest first, paused ones last (the dashboard's "next scheduled runs"). */
  sort: z.enum(["name", "nextFire"]).default("name"),
  ...ZPageRequest,
});
export const ZListSchedulesResponseSchema = z.object({ items: z.array(ZSchedule), total: z.number().int() });

export const ZCreateScheduleRequestSchema = z
  .strictObject({
    jobId: z.uuid(),
    name: ZScheduleName,
    ...timingFields,
    parameters: ZParameterValuesInput,
    paused: z.boolean().default(false),
    misfirePolicy: ZMisfirePolicy.default("skip"),
    blackoutPolicy: ZBlackoutPolicy.default("skip"),
  })
  .superRefine((input, ctx) => checkTiming(input, ctx));
export type TCreateScheduleRequest = z.input<typeof ZCreateScheduleRequestSchema>;

export const ZUpdateScheduleRequestSchema = z.strictObject({
  id: ZScheduleId,
  data: z
    .strictObject({
      name: ZScheduleName.optional(),
      /** Changing when it fires: give `kind` and its field (and `timeZone` for cron). */
      kind: ZScheduleKind.optional(),
      cron: timingFields.cron,
      timeZone: ZTimeZone.optional(),
      at: timingFields.at,
      intervalSeconds: timingFields.intervalSeconds,
      /**
       * Replaces the plain values. A secret parameter left out keeps its stored value; `null` clears it.
       */
      parameters: z.record(z.string(), z.unknown()).optional(),
      misfirePolicy: ZMisfirePolicy.optional(),
      blackoutPolicy: ZBlackoutPolicy.optional(),
    })
    .superRefine((data, ctx) => {
      if (data.kind !== undefined) checkTiming({ ...data, kind: data.kind }, ctx);
      else
        for (const field of ["cron", "at", "intervalSeconds", "timeZone"] as const)
          if (data[field] !== undefined)
            ctx.addIssue({ code: "custom", path: ["kind"], message: `give kind with ${field}` });
    }),
});
export type TUpdateScheduleRequest = z.input<typeof ZUpdateScheduleRequestSchema>;

export const ZListFiresRequestSchema = z.strictObject({ id: ZScheduleId, ...ZPageRequest });
export const ZScheduleFire = z.object({
  slot: ZTimestamp,
  outcome: ZFireOutcome,
  runId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TScheduleFire = z.output<typeof ZScheduleFire>;
export const ZListFiresResponseSchema = z.object({ items: z.array(ZScheduleFire), total: z.number().int() });

/** The next instants of a timing, for the form; an interval counts from `from` (default now). */
export const ZPreviewScheduleRequestSchema = z
  .strictObject({
    ...timingFields,
    from: ZInstant.optional(),
    count: z.coerce.number().int().min(1).max(SCHEDULE_LIMITS.maxPreviewCount).default(10),
  })
  .superRefine((input, ctx) => checkTiming(input, ctx));
export type TPreviewScheduleRequest = z.input<typeof ZPreviewScheduleRequestSchema>;
export const ZPreviewScheduleResponseSchema = z.object({ instants: z.array(ZTimestamp) });

// What the scheduler worker calls (internal router, never the gateway).

export const ZDueSchedulesRequestSchema = z.strictObject({
  /** The worker's clock; default the service's. */
  now: ZInstant.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});
export const ZDueSchedulesResponseSchema = z.object({
  items: z.array(z.object({ scheduleId: z.string(), slot: ZTimestamp })),
});

export const ZFireScheduleRequestSchema = z.strictObject({
  scheduleId: ZScheduleId,
  slot: ZInstant,
  /** The worker's clock; default the service's (tests pass it to replay a late scheduler). */
  now: ZInstant.optional(),
});
export const ZFireScheduleResponseSchema = z.object({
  scheduleId: z.string(),
  slot: ZTimestamp,
  /** What this slot's fire recorded; null when there was nothing to do (schedule gone, paused, or moved on). */
  outcome: ZFireOutcome.nullable(),
  /** True when an earlier call (maybe another scheduler) already fired this slot: `outcome` is its record. */
  alreadyFired: z.boolean(),
  runId: z.string().nullable(),
  reason: z.string().nullable(),
  nextFireAt: ZTimestamp.nullable(),
});
export type TFireScheduleResponse = z.output<typeof ZFireScheduleResponseSchema>;
