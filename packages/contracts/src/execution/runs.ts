import { z } from "zod";
import { ZId, ZTimestamp } from "../common.ts";
import { ZAction, ZCancelSummary, ZEnv, ZRunOn, ZTaskError } from "./actions.ts";
import { ZRunTrigger, ZStrategy } from "./plan.ts";

export const RUN_STATES = ["queued", "running", "cancelling", "succeeded", "failed", "cancelled"] as const;
export const ZRunState = z.enum(RUN_STATES);
export type TRunState = z.infer<typeof ZRunState>;
export const TERMINAL_RUN_STATES: readonly TRunState[] = ["succeeded", "failed", "cancelled"];

export const TASK_STATES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
] as const;
export const ZTaskState = z.enum(TASK_STATES);
export type TTaskState = z.infer<typeof ZTaskState>;
export const TERMINAL_TASK_STATES: readonly TTaskState[] = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
  "skipped",
];

export const ZRunId = z.string().uuid();
export const ZTaskId = z.string().uuid();

/** Stop starting new tasks once this many (or this share) of the run's tasks failed; running ones finish. */
export const ZFailureThreshold = z
  .strictObject({
    count: z.number().int().min(1).optional(),
    percent: z.number().min(0.01).max(100).optional(),
  })
  .refine((value) => (value.count === undefined) !== (value.percent === undefined), {
    message: "give either count or percent",
  });

export const ZStartRunRequestSchema = z.strictObject({
  /** A label for lists; the command's first line when omitted. */
  name: z.string().trim().min(1).max(200).optional(),
  action: ZAction,
  runOn: ZRunOn.default("target"),
  /** The targets: a selector (see the targets service) or explicit ids; exactly one of the two. */
  targets: z
    .strictObject({
      selector: z.string().trim().min(1).max(2000).optional(),
      ids: z.array(z.string().uuid()).min(1).max(50_000).optional(),
    })
    .refine((value) => (value.selector === undefined) !== (value.ids === undefined), {
      message: "give either selector or ids",
    }),
  env: ZEnv.default({}),
  sudo: z.boolean().default(false),
  /** Per task; the task is killed (TERM, grace, KILL) when it runs longer. */
  timeoutSeconds: z.number().int().min(1).max(86_400).default(3600),
  /** Tasks of this run running at once, at most; all at once when omitted (workers' concurrency still bounds it). */
  fanOut: z.number().int().min(1).max(50_000).optional(),
  failureThreshold: ZFailureThreshold.optional(),
  /** Only workers that declare this group take the run's tasks. */
  workerGroup: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and '-'")
    .default("default"),
  /** At most one task per target at a time across all runs (a task waits while another holds the target). */
  exclusive: z.boolean().default(false),
  /** A retried start with the same key (same caller) returns the first run instead of starting another. */
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type TStartRunRequest = z.input<typeof ZStartRunRequestSchema>;

export const ZTaskCounts = z.object({
  total: z.number().int(),
  queued: z.number().int(),
  running: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  timedOut: z.number().int(),
  cancelled: z.number().int(),
  skipped: z.number().int(),
});
export type TTaskCounts = z.infer<typeof ZTaskCounts>;

/** A plan step as a run shows it (the action without a child job's resolved plan). */
export const ZRunStep = z.object({
  key: z.string(),
  name: z.string(),
  type: z.string().meta({ description: "command, script, http, noop or job" }),
  runOn: ZRunOn,
  continueOnError: z.boolean(),
  retries: z.number().int(),
  when: z.string().meta({ description: "the condition, in words" }),
});
export type TRunStep = z.infer<typeof ZRunStep>;

export const ZRun = z.object({
  id: ZRunId,
  name: z.string(),
  state: ZRunState,
  /** An ad-hoc run's action; null for a job run (see `steps`). */
  action: ZAction.nullable(),
  /** A job run's steps, in order; empty for an ad-hoc run. */
  steps: z.array(ZRunStep),
  strategy: ZStrategy.nullable(),
  /** The job and version a job run ran. */
  job: z.object({ id: z.string(), name: z.string(), version: z.number().int() }).nullable(),
  /** The parameter values (secret ones masked). */
  parameters: z.record(z.string(), z.unknown()).nullable(),
  trigger: ZRunTrigger.nullable(),
  /** The run and step that started this run ("run another job"). */
  parentRunId: ZRunId.nullable(),
  parentTaskId: ZTaskId.nullable(),
  /** The first run of this run's retry/resume chain. */
  rootRunId: ZRunId.nullable(),
  /** `retry`: the failed targets from the first step; `resume`: from the step that failed, with earlier outputs. */
  retryMode: z.enum(["retry", "resume"]).nullable(),
  /** Waiting for the active run of the same job to end (the job's `queue` concurrency policy). */
  held: z.boolean(),
  /** Why a run was started inside a blackout window. */
  overrideReason: z.string().nullable(),
  runOn: ZRunOn,
  selector: z.string().nullable(),
  envNames: z.array(z.string()).meta({ description: "the variables' names; values are not returned" }),
  sudo: z.boolean(),
  timeoutSeconds: z.number().int(),
  fanOut: z.number().int().nullable(),
  failureThreshold: z.object({ count: z.number().optional(), percent: z.number().optional() }).nullable(),
  workerGroup: z.string(),
  exclusive: z.boolean(),
  counts: ZTaskCounts,
  createdBy: z.string().nullable(),
  createdAt: ZTimestamp,
  startedAt: ZTimestamp.nullable(),
  finishedAt: ZTimestamp.nullable(),
  durationMs: z.number().nullable(),
  /** The run whose failed targets this run retries. */
  retryOf: ZRunId.nullable(),
  cancelRequestedBy: z.string().nullable(),
  /** Why the run stopped early (failure threshold reached, cancelled), when it did. */
  stopReason: z.string().nullable(),
});
export type TRun = z.infer<typeof ZRun>;

export const ZStartRunResponseSchema = z.object({
  run: ZRun,
  /** False when an earlier start with the same idempotency key is returned. */
  created: z.boolean(),
});

export const ZListRunsRequestSchema = z.strictObject({
  state: ZRunState.optional(),
  /** Runs of this job. */
  jobId: z.string().uuid().optional(),
  /** Runs started by this user id. */
  createdBy: z.string().max(64).optional(),
  /** Runs with a task on this target. */
  targetId: ZId.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** From the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
});
export const ZListRunsResponseSchema = z.object({
  items: z.array(ZRun),
  nextCursor: z.string().nullable(),
});

export const ZTask = z.object({
  id: ZTaskId,
  runId: ZRunId,
  targetId: z.string(),
  targetName: z.string(),
  targetAddress: z.string(),
  state: ZTaskState,
  attempt: z.number().int(),
  exitCode: z.number().int().nullable(),
  error: ZTaskError.nullable(),
  /** What the cancel or timeout left behind on the target, if anything. */
  cancel: ZCancelSummary.nullable(),
  workerId: z.string().nullable(),
  outputBytes: z.number().int(),
  startedAt: ZTimestamp.nullable(),
  finishedAt: ZTimestamp.nullable(),
  durationMs: z.number().nullable(),
  /** The step this task runs (0 and null for an ad-hoc run). */
  stepIndex: z.number().int(),
  stepKey: z.string().nullable(),
  /** `key=value` outputs the step printed (`::output key=value`). */
  outputs: z.record(z.string(), z.string()).nullable(),
  /** Failed, but the step continues on error. */
  tolerated: z.boolean(),
  /** Step retries used. */
  retries: z.number().int(),
  /** When a retry waits for its backoff: not before then. */
  notBefore: ZTimestamp.nullable(),
  skipReason: z.string().nullable(),
  /** The run a "run another job" step started. */
  childRunId: ZRunId.nullable(),
});
export type TTask = z.infer<typeof ZTask>;

export const ZListTasksRequestSchema = z.strictObject({
  runId: ZRunId,
  state: ZTaskState.optional(),
  /** Target name contains, case-insensitive. */
  search: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(200).optional(),
});
export const ZListTasksResponseSchema = z.object({
  items: z.array(ZTask),
  nextCursor: z.string().nullable(),
});

export const ZRunIdRequestSchema = z.strictObject({ id: ZRunId });
export const ZCancelTaskRequestSchema = z.strictObject({ id: ZTaskId });

export const ZRetryRunRequestSchema = z.strictObject({
  id: ZRunId,
  /** Which targets to run again: those that failed (failed, timed out), or those plus cancelled and skipped. */
  which: z.enum(["failed", "unfinished"]).default("failed"),
  /**
   * A job run's targets again from the first step (`start`), or from the step where each one failed (`failed-step`),
   * with the original inputs and the earlier steps' outputs.
   */
  from: z.enum(["start", "failed-step"]).default("start"),
  /** Only these targets (ids), among those `which` selects. */
  targetIds: z.array(z.string().uuid()).min(1).max(50_000).optional(),
});

export const ZLineageResponseSchema = z.object({
  /** The runs of this run's chain (first run, retries and resumes), oldest first, and the runs its steps started. */
  chain: z.array(ZRun),
  children: z.array(ZRun),
  parent: ZRun.nullable(),
});

export const ZRunStatsRequestSchema = z.strictObject({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 14)
    .default(24),
});
export const ZRunStatsResponseSchema = z.object({
  /** Runs created per hour, oldest first, with their outcome so far. */
  hours: z.array(
    z.object({
      hour: ZTimestamp,
      total: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    }),
  ),
  /** Succeeded among finished runs of the period (null when none finished). */
  successRate: z.number().nullable(),
  running: z.array(ZRun),
  recentFailures: z.array(ZRun),
});

/** One piece of a task's output. `offset` orders a run's chunks; tailing from an offset returns later chunks. */
export const ZLogChunk = z.object({
  offset: z.string(),
  taskId: ZTaskId,
  stream: z.enum(["stdout", "stderr", "system"]),
  text: z.string(),
  at: ZTimestamp,
});
export type TLogChunk = z.infer<typeof ZLogChunk>;

export const ZReadLogRequestSchema = z.strictObject({
  runId: ZRunId,
  taskId: ZTaskId.optional(),
  /** Chunks after this offset; from the start when omitted. */
  after: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const ZReadLogResponseSchema = z.object({
  items: z.array(ZLogChunk),
  /** Pass as `after` to continue. */
  nextOffset: z.string().nullable(),
  /** True when the run is finished and every chunk has been returned. */
  complete: z.boolean(),
});
