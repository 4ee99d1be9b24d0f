import { type Selectable, sql, type Transaction } from "kysely";
import type { ExecutionDatabase, RunsTable } from "../database.ts";
import {
  advancePlan,
  type Dispatch,
  failedTargets,
  type PlanContext,
  retryOrTolerate,
  targetCount,
} from "./plan-advance.ts";
import { finalizeIfDone, stopRun } from "./runs.service.ts";

type Trx = Transaction<ExecutionDatabase>;

/** A task transition applied in this transaction, as the ingester returns it. */
export interface FinishedTask {
  id: string;
  run_id: string;
  state: string;
  target_id: string;
  step_index: number;
  retries: number;
}

export interface Progress {
  dispatches: Dispatch[];
  /** Runs the failure threshold stopped: workers must skip their enqueued tasks. */
  stopped: string[];
  /** Failed tasks that will run again (no `task.failed` event for them). */
  retried: Set<string>;
  /** Runs that reached their final state (their logs are archived). */
  finished: string[];
}

export function emptyProgress(): Progress {
  return { dispatches: [], stopped: [], retried: new Set(), finished: [] };
}

export function mergeProgress(into: Progress, from: Progress) {
  into.dispatches.push(...from.dispatches);
  into.stopped.push(...from.stopped);
  for (const id of from.retried) into.retried.add(id);
  into.finished.push(...from.finished);
}

const ACTIVE = ["queued", "running", "cancelling"];

/**
 * After tasks of a run changed: retries and continue-on-error (plan runs), the failure threshold, the next tasks
 * (the fan-out window of an ad-hoc run, the next steps of a plan run), the final state, and what a final state sets
 * off (the parent step of a child run, the next run a job's concurrency policy held). Returns the tasks to enqueue
 * once the transaction has committed.
 */
export async function progressRun(
  trx: Trx,
  context: PlanContext,
  runId: string,
  finished: FinishedTask[],
  /** The run's row as this transaction last updated (and locked) it, when the caller has it. */
  locked?: Selectable<RunsTable>,
): Promise<Progress> {
  const progress = emptyProgress();
  let run =
    locked ??
    (await trx.selectFrom("runs").selectAll().where("id", "=", runId).forUpdate().executeTakeFirst());
  if (!run) return progress;
  const wasActive = ACTIVE.includes(run.state);
  if (run.plan && finished.some((task) => task.state === "failed" || task.state === "timed_out")) {
    progress.retried = await retryOrTolerate(trx, run, finished);
    run = await trx.selectFrom("runs").selectAll().where("id", "=", runId).executeTakeFirstOrThrow();
  }
  const threshold = run.failure_threshold;
  if (threshold && run.stop_reason === null && run.state !== "cancelling") {
    const plan = run.plan !== null;
    const failures = plan ? await failedTargets(trx, runId) : run.failed + run.timed_out;
    const of = plan ? targetCount(run) : run.total;
    const limit = threshold.count ?? Math.max(1, Math.ceil(((threshold.percent ?? 100) / 100) * of));
    if (failures >= limit) {
      await stopRun(
        trx,
        runId,
        `failure threshold reached: ${failures} of ${of} ${plan ? "targets" : "tasks"} failed`,
      );
      progress.stopped.push(runId);
      run = await trx.selectFrom("runs").selectAll().where("id", "=", runId).executeTakeFirstOrThrow();
    }
  }
  if (run.plan) {
    const targets = [
      ...new Set(finished.filter((task) => !progress.retried.has(task.id)).map((task) => task.target_id)),
    ];
    progress.dispatches.push(...(await advancePlan(trx, context, run, targets)));
  } else if (run.fan_out !== null && run.stop_reason === null && run.state !== "cancelling") {
    const inFlight = await trx
      .selectFrom("tasks")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("run_id", "=", runId)
      .where("state", "in", ["queued", "running"])
      .where("enqueued_at", "is not", null)
      .executeTakeFirstOrThrow();
    const free = run.fan_out - Number(inFlight.n);
    if (free > 0) {
      const tasks = await sql<{ id: string; run_id: string; attempt: number; target: unknown }>`
        update tasks set enqueued_at = now()
        where id in (
          select id from tasks where run_id = ${runId} and state = 'queued' and enqueued_at is null
          order by seq limit ${free} for update skip locked
        )
        returning id, run_id, attempt, target
      `.execute(trx);
      progress.dispatches.push({ run, tasks: tasks.rows });
    }
  }
  // A run that just handed out tasks is not done.
  if (!progress.dispatches.some((dispatch) => dispatch.run.id === runId && dispatch.tasks.length > 0))
    mergeProgress(progress, await settle(trx, context, runId, wasActive));
  return progress;
}

/**
 * Gives the run its final state once nothing is left to do, and then: a child run completes its parent's step (and
 * the parent goes on), and the next run its job's `queue` policy held is released.
 */
export async function settle(
  trx: Trx,
  context: PlanContext,
  runId: string,
  wasActive = true,
): Promise<Progress> {
  const progress = emptyProgress();
  const run = await finalizeIfDone(trx, runId);
  if (!wasActive || ACTIVE.includes(run.state)) return progress;
  progress.finished.push(run.id);
  if (run.parent_task_id && run.parent_run_id) {
    const state =
      run.state === "succeeded" ? "succeeded" : run.state === "cancelled" ? "cancelled" : "failed";
    const step = await trx
      .updateTable("tasks")
      .set({
        state,
        finished_at: new Date(),
        error:
          state === "succeeded"
            ? null
            : JSON.stringify({ kind: "child_run", message: `the job's run ${run.id} ${run.state}` }),
      })
      .where("id", "=", run.parent_task_id)
      .where("state", "=", "running")
      .returning(["id", "run_id", "state", "target_id", "step_index", "retries"])
      .executeTakeFirst();
    if (step) {
      const column = state === "succeeded" ? "succeeded" : state === "cancelled" ? "cancelled" : "failed";
      await trx
        .updateTable("runs")
        .set((eb) => ({ running: eb("running", "-", 1), [column]: eb(column, "+", 1) }))
        .where("id", "=", run.parent_run_id)
        .execute();
      mergeProgress(progress, await progressRun(trx, context, run.parent_run_id, [step]));
    }
  }
  if (run.job_id) progress.dispatches.push(...(await releaseHeld(trx, context, run.job_id)));
  return progress;
}

/** Serializes starts and releases of one job's runs (its concurrency policy). */
export async function lockJob(trx: Trx, jobId: string) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`opsc-job:${jobId}`}, 0))`.execute(trx);
}

/** The oldest run its job's `queue` policy held starts once no other run of the job is active. */
async function releaseHeld(trx: Trx, context: PlanContext, jobId: string): Promise<Dispatch[]> {
  await lockJob(trx, jobId);
  const active = await trx
    .selectFrom("runs")
    .select("id")
    .where("job_id", "=", jobId)
    .where("state", "in", ACTIVE)
    .where("held", "=", false)
    .limit(1)
    .executeTakeFirst();
  if (active) return [];
  const next = await trx
    .updateTable("runs")
    .set({ held: false })
    .where(
      "id",
      "=",
      trx
        .selectFrom("runs")
        .select("id")
        .where("job_id", "=", jobId)
        .where("held", "=", true)
        .where("state", "=", "queued")
        .orderBy("created_at")
        .orderBy("id")
        .limit(1),
    )
    .returningAll()
    .executeTakeFirst();
  if (!next) return [];
  return advancePlan(trx, context, next);
}
