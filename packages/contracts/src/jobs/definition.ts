import { z } from "zod";
import { checkSteps, ZStep, ZStrategy } from "../execution/plan.ts";
import { ZFailureThreshold } from "../execution/runs.ts";
import { checkParameters, ZParameter } from "./parameters.ts";

/**
 * A job's definition: what one saved version holds. Every save makes a new, immutable version; runs record the
 * version they ran. The same object is what a job's YAML file holds (jobs as code), plus the job's name.
 */

export const ZJobName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
    "letters, digits, spaces and . _ -, starting with a letter or digit",
  );

/** A folder path such as `/`, `/databases` or `/databases/backups`. */
export const ZFolder = z
  .string()
  .trim()
  .max(200)
  .regex(/^\/(?:[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*)?$/, "a path such as / or /databases/backups")
  .default("/");

export const ZJobTag = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits and . _ -");

/** Which targets a job runs on: a selector, explicit target ids, or the value of a `target-selector` parameter. */
export const ZJobTargets = z.union([
  z.strictObject({ selector: z.string().trim().min(1).max(2000) }),
  z.strictObject({ ids: z.array(z.string().uuid()).min(1).max(50_000) }),
  z.strictObject({ parameter: z.string().min(1).max(64) }),
]);
export type TJobTargets = z.infer<typeof ZJobTargets>;

/** While a run of this job is active, another start: runs too (`allow`), waits for it (`queue`), or is skipped. */
export const ZConcurrencyPolicy = z.enum(["allow", "queue", "skip"]);
export type TConcurrencyPolicy = z.infer<typeof ZConcurrencyPolicy>;

export const ZJobDefinition = z
  .strictObject({
    description: z.string().max(10_000).default(""),
    folder: ZFolder,
    tags: z.array(ZJobTag).max(50).default([]),
    parameters: z.array(ZParameter).max(100).default([]),
    targets: ZJobTargets,
    steps: z.array(ZStep).min(1).max(100),
    strategy: ZStrategy.default("target-first"),
    /** Targets (target-first) or tasks of a step (step-first) at once, at most. */
    fanOut: z.number().int().min(1).max(50_000).optional(),
    failureThreshold: ZFailureThreshold.optional(),
    concurrency: ZConcurrencyPolicy.default("allow"),
    workerGroup: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "lower-case letters, digits and '-'")
      .default("default"),
    /** At most one task per target at a time across all runs. */
    exclusive: z.boolean().default(false),
  })
  .superRefine((definition, ctx) => {
    checkParameters(definition.parameters, ctx, ["parameters"]);
    checkSteps(definition.steps, ctx, ["steps"]);
    if ("parameter" in definition.targets) {
      const name = definition.targets.parameter;
      const parameter = definition.parameters.find((candidate) => candidate.name === name);
      if (parameter?.type !== "target-selector")
        ctx.addIssue({
          code: "custom",
          path: ["targets", "parameter"],
          message: `"${name}" is not a target-selector parameter of this job`,
        });
    }
  });
export type TJobDefinition = z.output<typeof ZJobDefinition>;
export type TJobDefinitionInput = z.input<typeof ZJobDefinition>;
