import { type AuditActor, recordAudit, recordEvent } from "@opsc/audit";
import type { TExecutionTarget } from "@opsc/contracts/execution/actions";
import { SECRET_ENV_OWNER } from "@opsc/contracts/execution/messages";
import type { TRunPlan, TStartPlanRunResponse, ZStartPlanRunRequest } from "@opsc/contracts/execution/plan";
import { AppError, callInternal, type InternalCallContext } from "@opsc/server-kit";
import { seal } from "@opsc/vault";
import type { Selectable } from "kysely";
import type { z } from "zod";
import type { RunsTable } from "../database.ts";
import type { ExecutionServiceDeps } from "../deps.ts";
import { followUp } from "../ingest/ingester.ts";
import { advancePlan, insertPlanTasks } from "./plan-advance.ts";
import { emptyProgress, lockJob, mergeProgress, settle } from "./progress.ts";

type PlanInput = z.output<typeof ZStartPlanRunRequest>;

/** A run writes a task per step and target: past this many, a run is refused (split it, or use fewer steps). */
export const MAX_PLAN_TASKS = 250_000;

/** Refuses a plan whose steps cannot run on some of its targets, before anything is written. */
function checkPlanCompatible(plan: TRunPlan, targets: TExecutionTarget[]) {
  plan.steps.forEach((step, index) => {
    const type = step.action.type;
    if (type === "noop" || type === "job" || step.runOn === "local") return;
    const wanted = type === "http" ? "http" : "ssh";
    const others = targets.filter((target) => target.kind !== wanted);
    if (others.length > 0)
      throw new AppError("BAD_REQUEST", {
        field: `plan.steps.${index}.action`,
        message: `Step "${step.key}" is ${type === "http" ? "an HTTP request" : `a ${type}`}, which runs on ${wanted} targets; ${others.length} of the ${targets.length} targets are not (${others
          .slice(0, 3)
          .map((target) => target.name)
          .join(", ")}${others.length > 3 ? ", …" : ""})`,
      });
  });
}

/** The targets of a new run, through the targets service; errors name the field they came from. */
export async function resolveTargets(
  deps: ExecutionServiceDeps,
  context: InternalCallContext,
  targets: { selector: string } | { ids: string[] },
  field: string,
): Promise<TExecutionTarget[]> {
  const resolved = await callInternal(() => deps.inventory(context).execution.resolve.mutate(targets)).catch(
    (error: unknown) => {
      if (error instanceof AppError && error.code === "BAD_REQUEST")
        throw new AppError("BAD_REQUEST", {
          field: "selector" in targets ? `${field}.selector` : `${field}.ids`,
          message: error.message,
          cause: error,
        });
      throw error;
    },
  );
  if (resolved.missing.length > 0)
    throw new AppError("BAD_REQUEST", {
      field: `${field}.ids`,
      message: `Unknown targets: ${resolved.missing.slice(0, 5).join(", ")}${resolved.missing.length > 5 ? ", …" : ""}`,
    });
  if (resolved.items.length === 0)
    throw new AppError("BAD_REQUEST", {
      field: "selector" in targets ? `${field}.selector` : `${field}.ids`,
      message:
        resolved.excluded > 0
          ? `All ${resolved.excluded} matching targets are disabled or in maintenance`
          : "No target matches",
    });
  return resolved.items;
}

export function sealSecretEnv(deps: Pick<ExecutionServiceDeps, "vault">, secretEnv: Record<string, string>) {
  const entries = Object.entries(secretEnv);
  if (entries.length === 0) return null;
  return Object.fromEntries(
    entries.map(([name, value]) => [name, seal(deps.vault, value, SECRET_ENV_OWNER)]),
  );
}

/** What a new plan run is made of, whether a job started it or it retries or resumes another run. */
export interface NewPlanRun {
  name: string;
  job: { id: string; name: string; version: number };
  plan: TRunPlan;
  targets: TExecutionTarget[];
  env: Record<string, string>;
  /** Already sealed. */
  secretEnv: Record<string, string> | null;
  parameters: Record<string, unknown>;
  fanOut: number | null;
  failureThreshold: { count?: number; percent?: number } | null;
  workerGroup: string;
  exclusive: boolean;
  concurrency: "allow" | "queue" | "skip";
  trigger: PlanInput["trigger"];
  createdBy: string | null;
  parent: { runId: string; taskId: string } | null;
  overrideReason: string | null;
  idempotencyKey: string | null;
  retryOf: string | null;
  retryMode: "retry" | "resume" | null;
  rootRunId: string | null;
  /** Resume: per target, the steps done in the earlier run, with their outputs. */
  done: Map<string, Map<number, { outputs: Record<string, string> | null; from: string }>>;
}

async function findByIdempotencyKey(deps: ExecutionServiceDeps, createdBy: string | null, key: string) {
  return deps.db
    .selectFrom("runs")
    .selectAll()
    .where("idempotency_key", "=", key)
    .where((eb) => (createdBy === null ? eb("created_by", "is", null) : eb("created_by", "=", createdBy)))
    .executeTakeFirst();
}

function outcomeOf(run: Selectable<RunsTable>, created: boolean): TStartPlanRunResponse {
  return { outcome: run.held ? "queued" : "started", runId: run.id, created, activeRunId: null };
}

/**
 * Writes a plan run and all its tasks (every step on every target) in one transaction with its audit record and
 * event, applying the job's concurrency policy under a per-job lock: `skip` writes nothing while a run of the job
 * is active, `queue` writes the run held (it starts when the active one ends). Then enqueues the first tasks.
 */
export async function createPlanRun(
  deps: ExecutionServiceDeps,
  actor: AuditActor,
  input: NewPlanRun,
): Promise<TStartPlanRunResponse> {
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(deps, input.createdBy, input.idempotencyKey);
    if (existing) return outcomeOf(existing, false);
  }
  checkPlanCompatible(input.plan, input.targets);
  const taskCount = input.targets.length * input.plan.steps.length;
  if (taskCount > MAX_PLAN_TASKS)
    throw new AppError("BAD_REQUEST", {
      field: "targets",
      message: `${input.targets.length} targets × ${input.plan.steps.length} steps is ${taskCount} tasks; a run holds at most ${MAX_PLAN_TASKS}`,
    });
  const progress = emptyProgress();
  let result: TStartPlanRunResponse;
  try {
    result = await deps.db.transaction().execute(async (trx) => {
      let held = false;
      if (input.concurrency !== "allow") {
        await lockJob(trx, input.job.id);
        const active = await trx
          .selectFrom("runs")
          .select("id")
          .where("job_id", "=", input.job.id)
          .where("state", "in", ["queued", "running", "cancelling"])
          .orderBy("created_at")
          .limit(1)
          .executeTakeFirst();
        if (active && input.concurrency === "skip")
          return { outcome: "skipped", runId: null, created: false, activeRunId: active.id } as const;
        held = !!active;
      }
      const id = crypto.randomUUID();
      const run = await trx
        .insertInto("runs")
        .values({
          id,
          name: input.name,
          state: "queued",
          action: null,
          plan: JSON.stringify(input.plan),
          job_id: input.job.id,
          job: JSON.stringify(input.job),
          parameters: JSON.stringify(input.parameters),
          secret_env: input.secretEnv ? JSON.stringify(input.secretEnv) : null,
          trigger: JSON.stringify(input.trigger),
          parent_run_id: input.parent?.runId ?? null,
          parent_task_id: input.parent?.taskId ?? null,
          root_run_id: input.rootRunId ?? id,
          retry_mode: input.retryMode,
          concurrency: input.concurrency,
          held,
          override_reason: input.overrideReason,
          run_on: "target",
          selector: null,
          env: JSON.stringify(input.env),
          sudo: input.plan.steps.some((step) => step.sudo),
          timeout_seconds: Math.max(...input.plan.steps.map((step) => step.timeoutSeconds)),
          fan_out: input.fanOut,
          failure_threshold: input.failureThreshold ? JSON.stringify(input.failureThreshold) : null,
          worker_group: input.workerGroup,
          exclusive: input.exclusive,
          idempotency_key: input.idempotencyKey,
          created_by: input.createdBy,
          retry_of: input.retryOf,
          total: taskCount,
          queued: taskCount,
        } as never)
        .returningAll()
        .executeTakeFirstOrThrow();
      await insertPlanTasks(trx, run, input.plan, input.targets, input.done);
      await recordAudit(trx, actor, {
        action: input.retryMode ? `run.${input.retryMode}` : "run.start",
        resourceType: "run",
        resourceId: run.id,
        after: {
          name: run.name,
          job: input.job,
          steps: input.plan.steps.map((step) => step.key),
          targets: input.targets.length,
          parameters: input.parameters,
          trigger: input.trigger,
          retryOf: input.retryOf,
          held,
          ...(input.overrideReason ? { overrideReason: input.overrideReason } : {}),
        },
      });
      await recordEvent(trx, {
        type: "run.started",
        payload: {
          runId: run.id,
          name: run.name,
          targets: input.targets.length,
          createdBy: input.createdBy,
          retryOf: input.retryOf,
          jobId: input.job.id,
          trigger: input.trigger,
        },
      });
      const fresh = await trx
        .selectFrom("runs")
        .selectAll()
        .where("id", "=", run.id)
        .executeTakeFirstOrThrow();
      progress.dispatches.push(...(await advancePlan(trx, deps, fresh)));
      // Every step skipped (conditions, a resume with nothing left): the run is over at once.
      mergeProgress(progress, await settle(trx, deps, run.id));
      return {
        outcome: held ? "queued" : "started",
        runId: run.id,
        created: true,
        activeRunId: null,
      } as TStartPlanRunResponse;
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505" && input.idempotencyKey) {
      const existing = await findByIdempotencyKey(deps, input.createdBy, input.idempotencyKey);
      if (existing) return outcomeOf(existing, false);
    }
    throw error;
  }
  await followUp(deps, progress);
  return result;
}

/** Starts a run of a job version's plan, as the jobs service asks (its parameters already validated there). */
export async function startPlanRun(
  deps: ExecutionServiceDeps,
  actor: AuditActor,
  context: InternalCallContext,
  input: PlanInput,
): Promise<TStartPlanRunResponse> {
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(deps, input.createdBy, input.idempotencyKey);
    if (existing) return outcomeOf(existing, false);
  }
  const targets = await resolveTargets(deps, context, input.targets, "targets");
  return createPlanRun(deps, actor, {
    name: input.name,
    job: input.job,
    plan: input.plan,
    targets,
    env: input.env,
    secretEnv: sealSecretEnv(deps, input.secretEnv),
    parameters: input.parameters,
    fanOut: input.fanOut ?? null,
    failureThreshold: input.failureThreshold ?? null,
    workerGroup: input.workerGroup,
    exclusive: input.exclusive,
    concurrency: input.concurrency,
    trigger: input.trigger,
    createdBy: input.createdBy,
    parent: input.parent,
    overrideReason: input.overrideReason ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    retryOf: null,
    retryMode: null,
    rootRunId: null,
    done: new Map(),
  });
}

type RetryInput = {
  id: string;
  which: "failed" | "unfinished";
  from: "start" | "failed-step";
  targetIds?: string[];
};

/**
 * A job run's targets again, as a new run linked to it (same plan, inputs and sealed secrets): from the first step
 * (`start`), or from the step where each target failed (`failed-step`), the steps before it carried over as done
 * with their outputs. `failed` takes the targets with a failed or timed-out step; `unfinished` also those cancelled or
 * stopped before the end. Retries and resumes ignore the job's concurrency policy (a person asked for them).
 */
export async function retryPlanRun(
  deps: ExecutionServiceDeps,
  actor: AuditActor,
  createdBy: string | null,
  context: InternalCallContext,
  run: Selectable<RunsTable>,
  input: RetryInput,
) {
  const tasks = await deps.db
    .selectFrom("tasks")
    .select(["target_id", "step_index", "state", "tolerated", "outputs", "skip_reason"])
    .where("run_id", "=", run.id)
    .orderBy("seq")
    .execute();
  const bad = (task: (typeof tasks)[number]) =>
    ((task.state === "failed" || task.state === "timed_out") && !task.tolerated) ||
    (input.which === "unfinished" &&
      (task.state === "cancelled" || (task.state === "skipped" && task.skip_reason === null)));
  const firstBad = new Map<string, number>();
  const order: string[] = [];
  for (const task of tasks) {
    if (!order.includes(task.target_id)) order.push(task.target_id);
    if (!bad(task)) continue;
    const known = firstBad.get(task.target_id);
    if (known === undefined || task.step_index < known) firstBad.set(task.target_id, task.step_index);
  }
  const wanted = input.targetIds ? new Set(input.targetIds) : null;
  const chosen = order.filter((id) => firstBad.has(id) && (!wanted || wanted.has(id)));
  if (chosen.length === 0)
    throw new AppError("BAD_REQUEST", {
      field: input.targetIds ? "targetIds" : "which",
      message: `No ${input.which} targets to ${input.from === "start" ? "retry" : "resume"}`,
    });
  const done = new Map<string, Map<number, { outputs: Record<string, string> | null; from: string }>>();
  if (input.from === "failed-step")
    for (const task of tasks) {
      const from = firstBad.get(task.target_id);
      if (from === undefined || task.step_index >= from) continue;
      const steps = done.get(task.target_id) ?? new Map();
      steps.set(task.step_index, { outputs: task.outputs, from: run.id });
      done.set(task.target_id, steps);
    }
  const targets = await resolveTargets(deps, context, { ids: chosen }, "targetIds");
  const mode = input.from === "start" ? "retry" : "resume";
  const result = await createPlanRun(deps, actor, {
    name: `${mode === "retry" ? "Retry" : "Resume"} of ${run.name}`.slice(0, 200),
    job: run.job!,
    plan: run.plan!,
    targets,
    env: run.env,
    secretEnv: run.secret_env,
    parameters: run.parameters ?? {},
    fanOut: run.fan_out,
    failureThreshold: run.failure_threshold,
    workerGroup: run.worker_group,
    exclusive: run.exclusive,
    concurrency: "allow",
    trigger: run.trigger ?? { kind: "manual", id: null, label: null },
    createdBy,
    parent: null,
    overrideReason: null,
    idempotencyKey: null,
    retryOf: run.id,
    retryMode: mode,
    rootRunId: run.root_run_id ?? run.id,
    done,
  });
  return result.runId!;
}
