import { z } from "zod";
import { type TParameter, ZParameter } from "../jobs/parameters.ts";
import { ZAction, ZRunOn } from "./actions.ts";

/**
 * A multi-step run's plan: the steps each target goes through, and how. A job version is turned into a plan when it
 * is started; the execution service advances the plan as steps finish (next step, next target, failure threshold).
 *
 * Step outputs: a step prints `::output key=value` lines to its standard output (the documented channel; the lines
 * stay in the log, secret values redacted). Later steps on the same target receive each one as the environment
 * variable `OPSC_OUTPUT_<step key>_<key>`, and conditions can test them.
 */

export const OUTPUT_LINE_PREFIX = "::output ";
/** Outputs per task at most, and bytes in all. */
export const MAX_OUTPUTS = 100;
export const MAX_OUTPUT_BYTES = 65_536;

export const ZStepKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, "lower-case letters, digits and '_', starting with a letter");
export const ZOutputKey = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "letters, digits and '_'");

/** The environment variable a step output reaches later steps as. */
export function outputEnvName(stepKey: string, key: string): string {
  return `OPSC_OUTPUT_${stepKey}_${key}`;
}

/** Parses one line of a step's standard output; null unless it is an output line. */
export function parseOutputLine(line: string): { key: string; value: string } | null {
  if (!line.startsWith(OUTPUT_LINE_PREFIX)) return null;
  const rest = line.slice(OUTPUT_LINE_PREFIX.length).replace(/\r$/, "");
  const equals = rest.indexOf("=");
  if (equals <= 0) return null;
  const key = rest.slice(0, equals).trim();
  if (!ZOutputKey.safeParse(key).success) return null;
  return { key, value: rest.slice(equals + 1) };
}

/**
 * The job a "run another job" step runs, as the jobs service resolved it when the run started: the version, its
 * parameters' definitions (the values are checked again when the step runs, after `${NAME}` substitution) and its
 * plan. The child run goes to the same target as the step.
 */
export interface TResolvedChildJob {
  job: { id: string; name: string; version: number };
  parameters: TParameter[];
  plan: TRunPlan;
  workerGroup: string;
  exclusive: boolean;
}
export const ZResolvedChildJob: z.ZodType<TResolvedChildJob> = z.lazy(() =>
  z.object({
    job: z.object({ id: z.string(), name: z.string(), version: z.number().int() }),
    parameters: z.array(ZParameter),
    plan: ZRunPlan,
    workerGroup: z.string(),
    exclusive: z.boolean(),
  }),
) as unknown as z.ZodType<TResolvedChildJob>;

/**
 * Runs another job as a step on the same target, with parameters; string values may use `${NAME}` for the run's
 * variables (parameters and earlier outputs). The child run is linked to the step (lineage) and the step succeeds
 * when the child run does.
 */
export const ZJobStepAction = z.strictObject({
  type: z.literal("job"),
  /** The job's id or its name. */
  job: z.string().trim().min(1).max(200),
  parameters: z
    .record(
      z.string(),
      z.union([z.string().max(32_768), z.number(), z.boolean(), z.array(z.string().max(500))]),
    )
    .default({}),
  /** Filled by the jobs service when a run starts; never written by hand. */
  resolved: ZResolvedChildJob.optional(),
});

export const ZStepAction = z.union([ZAction, ZJobStepAction]);
export type TStepAction = z.output<typeof ZStepAction>;

export const ZStepCondition = z.strictObject({
  /**
   * On the earlier steps' outcome on this target: `success` (the default) runs the step only when no earlier step
   * failed; `failure` only when one did (clean-up, rollback); `always` either way.
   */
  status: z.enum(["success", "failure", "always"]).default("success"),
  /** And on earlier steps' outputs: every test must hold. */
  outputs: z
    .array(
      z.strictObject({
        step: ZStepKey,
        key: ZOutputKey,
        op: z.enum(["equals", "not-equals", "matches", "exists", "missing"]),
        value: z.string().max(1000).optional(),
      }),
    )
    .max(20)
    .default([]),
});
export type TStepCondition = z.output<typeof ZStepCondition>;

export const ZStepRetry = z.strictObject({
  /** Further attempts after a failure (0: none). */
  count: z.number().int().min(0).max(10).default(0),
  /** Wait before the first retry; doubled (by `factor`) for each next one. */
  backoffSeconds: z.number().min(0).max(3600).default(5),
  factor: z.number().min(1).max(10).default(2),
});

export const ZStep = z.strictObject({
  key: ZStepKey,
  name: z.string().trim().min(1).max(200),
  action: ZStepAction,
  runOn: ZRunOn.default("target"),
  sudo: z.boolean().default(false),
  timeoutSeconds: z.number().int().min(1).max(86_400).default(3600),
  retry: ZStepRetry.default({ count: 0, backoffSeconds: 5, factor: 2 }),
  /** A failure of this step does not fail the target or the run; later steps run as if it succeeded. */
  continueOnError: z.boolean().default(false),
  when: ZStepCondition.default({ status: "success", outputs: [] }),
});
export type TStep = z.output<typeof ZStep>;
export type TStepInput = z.input<typeof ZStep>;

/** Checks steps as a whole: unique keys, conditions that name earlier steps only. */
export function checkSteps(
  steps: { key: string; when?: { outputs?: { step: string }[] } }[],
  ctx: z.RefinementCtx,
  path: (string | number)[],
) {
  const seen = new Set<string>();
  steps.forEach((step, index) => {
    if (seen.has(step.key))
      ctx.addIssue({
        code: "custom",
        path: [...path, index, "key"],
        message: `step key "${step.key}" is used twice`,
      });
    (step.when?.outputs ?? []).forEach((test, testIndex) => {
      if (!seen.has(test.step))
        ctx.addIssue({
          code: "custom",
          path: [...path, index, "when", "outputs", testIndex, "step"],
          message: `"${test.step}" is not an earlier step`,
        });
    });
    seen.add(step.key);
  });
}

/**
 * `target-first`: each target goes through all steps on its own (fan-out: targets at once). `step-first`: a step runs
 * on every target before the next step starts (fan-out: tasks of the step at once).
 */
export const ZStrategy = z.enum(["target-first", "step-first"]);
export type TStrategy = z.infer<typeof ZStrategy>;

export const ZRunPlan = z
  .strictObject({
    steps: z.array(ZStep).min(1).max(100),
    strategy: ZStrategy.default("target-first"),
  })
  .superRefine((plan, ctx) => checkSteps(plan.steps, ctx, ["steps"]));
export type TRunPlan = z.output<typeof ZRunPlan>;

/** Evaluates a step's condition for one target, from the earlier steps' outcome and outputs there. */
export function conditionHolds(
  when: TStepCondition,
  failedBefore: boolean,
  outputs: Record<string, Record<string, string>>,
): boolean {
  if (when.status === "success" && failedBefore) return false;
  if (when.status === "failure" && !failedBefore) return false;
  return when.outputs.every((test) => {
    const value = outputs[test.step]?.[test.key];
    switch (test.op) {
      case "exists":
        return value !== undefined;
      case "missing":
        return value === undefined;
      case "equals":
        return value === (test.value ?? "");
      case "not-equals":
        return value !== (test.value ?? "");
      case "matches":
        try {
          return value !== undefined && new RegExp(test.value ?? "").test(value);
        } catch {
          return false;
        }
      default:
        return false;
    }
  });
}

/** What started a run. */
export const ZRunTrigger = z.object({
  kind: z.enum(["manual", "schedule", "webhook", "job", "api"]),
  /** The schedule's, webhook's or parent run's id. */
  id: z.string().max(64).nullable().default(null),
  label: z.string().max(200).nullable().default(null),
});
export type TRunTrigger = z.output<typeof ZRunTrigger>;

/** A run of a job version, as the jobs service asks the execution service for it (internal). */
export const ZStartPlanRunRequest = z.strictObject({
  name: z.string().trim().min(1).max(200),
  job: z.object({ id: z.string().uuid(), name: z.string(), version: z.number().int().min(1) }),
  plan: ZRunPlan,
  targets: z.union([
    z.strictObject({ selector: z.string().trim().min(1).max(2000) }),
    z.strictObject({ ids: z.array(z.string().uuid()).min(1).max(50_000) }),
  ]),
  /** The parameters as environment variables (plain values). */
  env: z.record(z.string(), z.string()).default({}),
  /** Secret parameters: sealed by the execution service at once, opened only by the worker, redacted from output. */
  secretEnv: z.record(z.string(), z.string()).default({}),
  /** The parameter values as shown in run detail, secrets masked. */
  parameters: z.record(z.string(), z.unknown()).default({}),
  fanOut: z.number().int().min(1).max(50_000).optional(),
  failureThreshold: z
    .strictObject({
      count: z.number().int().min(1).optional(),
      percent: z.number().min(0.01).max(100).optional(),
    })
    .optional(),
  workerGroup: z.string().default("default"),
  exclusive: z.boolean().default(false),
  /** The job's concurrency policy, keyed by the job's id. */
  concurrency: z.enum(["allow", "queue", "skip"]).default("allow"),
  trigger: ZRunTrigger.default({ kind: "manual", id: null, label: null }),
  /** The user the run counts as started by (null: the system, e.g. a schedule without owner). */
  createdBy: z.string().max(64).nullable(),
  /** Set when a step of another run started this run ("run another job"). */
  parent: z.object({ runId: z.string().uuid(), taskId: z.string().uuid() }).nullable().default(null),
  /** Why a manual run was started inside a blackout window (audited). */
  overrideReason: z.string().max(500).optional(),
  idempotencyKey: z.string().min(1).max(200).optional(),
});
export type TStartPlanRunRequest = z.input<typeof ZStartPlanRunRequest>;

export const ZStartPlanRunResponse = z.object({
  /** `queued`: the job's concurrency policy holds the run until the active one ends; `skipped`: nothing started. */
  outcome: z.enum(["started", "queued", "skipped"]),
  /** The run (null when skipped). Typed loosely here; it is a `ZRun` (see runs.ts). */
  runId: z.string().uuid().nullable(),
  /** False when an earlier start with the same idempotency key is returned. */
  created: z.boolean(),
  /** The run of the same job that is active, when the policy queued or skipped this one. */
  activeRunId: z.string().uuid().nullable(),
});
export type TStartPlanRunResponse = z.infer<typeof ZStartPlanRunResponse>;
