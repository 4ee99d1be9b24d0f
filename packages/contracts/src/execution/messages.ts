import { z } from "zod";
import { ZAction, ZCancelSummary, ZExecutionTarget, ZRunOn, ZTaskError } from "./actions.ts";
import { ZArtifactReport } from "./artifacts.ts";

/** The vault owner secret parameters are sealed for (any run may carry them: retries and resumes copy them). */
export const SECRET_ENV_OWNER = "execution:secret-env";

/**
 * A task as the execution service enqueues it: everything a worker needs to start it without a database round trip.
 * Secrets stay sealed (the target's credentials); the run's environment travels as given, since a worker must pass
 * it to the command.
 */
export const ZTaskMessage = z.object({
  runId: z.string(),
  taskId: z.string(),
  /** Incremented each time the service re-enqueues the task (reconciler, retry); the worker reports it back. */
  attempt: z.number().int().min(1),
  target: ZExecutionTarget,
  action: ZAction,
  runOn: ZRunOn,
  env: z.record(z.string(), z.string()),
  /** Secret parameters, still sealed (vault): the worker opens them into the environment and redacts their values. */
  secretEnv: z.record(z.string(), z.string()).default({}),
  sudo: z.boolean(),
  timeoutMs: z.number().int(),
  exclusive: z.boolean(),
});
export type TTaskMessage = z.infer<typeof ZTaskMessage>;

/** What a worker reports about a task, in order: `started`, then `finished`. Output goes to the log streams. */
export const ZTaskReport = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("started"),
    runId: z.string(),
    taskId: z.string(),
    attempt: z.number().int(),
    workerId: z.string(),
    at: z.number(),
    /** When the task's message was put on its stream (ms since the epoch): `at - enqueuedAt` is the dispatch latency. */
    enqueuedAt: z.number().optional(),
  }),
  z.object({
    type: z.literal("finished"),
    runId: z.string(),
    taskId: z.string(),
    attempt: z.number().int(),
    workerId: z.string(),
    at: z.number(),
    startedAt: z.number().nullable(),
    /** When the task's message was put on its stream; sent here when no `started` report was (a quick task). */
    enqueuedAt: z.number().optional(),
    status: z.enum(["succeeded", "failed", "timed_out", "cancelled", "skipped"]),
    exitCode: z.number().int().nullable(),
    error: ZTaskError.nullable(),
    cancel: ZCancelSummary.nullable(),
    observedHostKey: z.object({ algorithm: z.string(), fingerprintSha256: z.string() }).nullable(),
    outputBytes: z.number().int(),
    /** `::output key=value` lines the task printed (a step's outputs), secret values redacted. */
    outputs: z.record(z.string(), z.string()).optional(),
    /** The files the task saved, already in the object store; recorded when the report is applied. */
    artifacts: z.array(ZArtifactReport).max(10_000).optional(),
  }),
]);
export type TTaskReport = z.infer<typeof ZTaskReport>;
