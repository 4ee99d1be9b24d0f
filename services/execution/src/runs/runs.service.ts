import { type AuditActor, recordAudit, recordEvent } from "@opsc/audit";
import type { TCaller } from "@opsc/contracts";
import type { TAction, TExecutionTarget } from "@opsc/contracts/execution/actions";
import type {
  TTask,
  TTaskState,
  ZListRunsRequestSchema,
  ZListTasksRequestSchema,
  ZRetryRunRequestSchema,
  ZStartRunRequestSchema,
} from "@opsc/contracts/execution/runs";
import { containsPattern } from "@opsc/db/match";
import { AppError, callInternal, type InternalCallContext, notFound } from "@opsc/server-kit";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { z } from "zod";
import type { ExecutionDatabase, RunsTable } from "../database.ts";
import type { ExecutionServiceDeps } from "../deps.ts";
import { followUp } from "../ingest/ingester.ts";
import { executionKeys } from "../jobs.ts";
import { outputsEnvFor, type RunForDispatch, type TaskForDispatch, taskMessage } from "./messages.ts";
import { retryPlanRun } from "./plan.service.ts";
import { progressRun, settle } from "./progress.ts";
import { decodeCursor, encodeCursor, toRunDto, toTaskDto } from "./runs.dto.ts";

type Db = Kysely<ExecutionDatabase> | Transaction<ExecutionDatabase>;
type StartInput = z.output<typeof ZStartRunRequestSchema>;

/** How long a run's stop marker stays in Redis; workers only need it while the run's messages drain. */
const STOP_MARKER_TTL_SECONDS = 7 * 24 * 3600;

function defaultName(action: TAction): string {
  switch (action.type) {
    case "command":
      return action.command.split("\n")[0]!.slice(0, 200);
    case "script":
      return `script (${action.shell}, ${action.script.split("\n").length} lines)`;
    case "http":
      return `${action.method} ${action.path}`;
    case "noop":
      return "no-op";
  }
}

/** Refuses a run whose action cannot run on some of its targets, before anything is written. */
function checkCompatible(action: TAction, runOn: StartInput["runOn"], targets: TExecutionTarget[]) {
  if (action.type === "noop" || runOn === "local") return;
  const wanted = action.type === "http" ? "http" : "ssh";
  const others = targets.filter((target) => target.kind !== wanted);
  if (others.length > 0)
    throw new AppError("BAD_REQUEST", {
      field: "targets",
      message: `${others.length} of the ${targets.length} targets are ${others[0]!.kind} targets (${others
        .slice(0, 3)
        .map((target) => target.name)
        .join(", ")}${others.length > 3 ? ", …" : ""}); ${
        action.type === "http"
          ? "an HTTP request runs on http targets"
          : "a command or script runs on ssh targets"
      }`,
    });
}

async function findByIdempotencyKey(db: Db, createdBy: string | null, key: string) {
  return db
    .selectFrom("runs")
    .selectAll()
    .where("idempotency_key", "=", key)
    .where((eb) => (createdBy === null ? eb("created_by", "is", null) : eb("created_by", "=", createdBy)))
    .executeTakeFirst();
}

/**
 * Starts an ad-hoc run: resolves the targets through the targets service, writes the run and all its tasks in one
 * transaction (multi-row inserts) with its audit record and `run.started` event, then enqueues the first window of
 * tasks (all of them without a fan-out limit) pipelined. A retried start with the same idempotency key returns the
 * first run.
 */
export async function startRun(
  deps: ExecutionServiceDeps,
  actor: AuditActor,
  caller: TCaller | null,
  context: InternalCallContext,
  input: StartInput,
  retryOf: string | null = null,
) {
  const createdBy = caller?.userId ?? null;
  if (input.idempotencyKey) {
    const existing = await findByIdempotencyKey(deps.db, createdBy, input.idempotencyKey);
    if (existing) return { run: toRunDto(existing), created: false };
  }
  const resolved = await callInternal(() =>
    deps
      .inventory(context)
      .execution.resolve.mutate(
        input.targets.selector !== undefined
          ? { selector: input.targets.selector }
          : { ids: input.targets.ids! },
      ),
  ).catch((error: unknown) => {
    // The selector is checked by the targets service; its error names the selector's column.
    if (error instanceof AppError && error.code === "BAD_REQUEST")
      throw new AppError("BAD_REQUEST", {
        field: input.targets.selector !== undefined ? "targets.selector" : "targets.ids",
        message: error.message,
        cause: error,
      });
    throw error;
  });
  if (resolved.missing.length > 0)
    throw new AppError("BAD_REQUEST", {
      field: "targets.ids",
      message: `Unknown targets: ${resolved.missing.slice(0, 5).join(", ")}${resolved.missing.length > 5 ? ", …" : ""}`,
    });
  if (resolved.items.length === 0)
    throw new AppError("BAD_REQUEST", {
      field: input.targets.selector !== undefined ? "targets.selector" : "targets.ids",
      message:
        resolved.excluded > 0
          ? `All ${resolved.excluded} matching targets are disabled or in maintenance`
          : "No target matches",
    });
  checkCompatible(input.action, input.runOn, resolved.items);

  const targets = resolved.items;
  const window = input.fanOut ? Math.min(input.fanOut, targets.length) : targets.length;
  const now = new Date();
  let outcome: { run: Awaited<ReturnType<typeof insertRun>>; tasks: { id: string; seq: number }[] } | null;
  try {
    outcome = await deps.db.transaction().execute(async (trx) => {
      const run = await insertRun(trx, input, targets.length, createdBy, retryOf);
      // One statement with one JSON parameter: at 10,000 targets it is several times faster than bound rows.
      const rows = JSON.stringify(
        targets.map((target, seq) => ({
          seq,
          target_id: target.id,
          target_name: target.name,
          target_address: target.address,
          target,
        })),
      );
      const tasks = (
        await sql<{ id: string; seq: number }>`
          insert into tasks (run_id, run_created_at, seq, target_id, target_name, target_address, target, state, enqueued_at)
          select ${run.id}::uuid, ${new Date(run.created_at).toISOString()}::timestamptz, r.seq, r.target_id,
                 r.target_name, r.target_address, r.target, 'queued',
                 case when r.seq < ${window}::int then ${now.toISOString()}::timestamptz else null end
          from jsonb_to_recordset(${rows}::jsonb)
            as r(seq int, target_id uuid, target_name text, target_address text, target jsonb)
          returning id, seq
        `.execute(trx)
      ).rows;
      await recordAudit(trx, actor, {
        action: retryOf ? "run.retry" : "run.start",
        resourceType: "run",
        resourceId: run.id,
        after: {
          name: run.name,
          action: input.action,
          runOn: input.runOn,
          selector: input.targets.selector ?? null,
          targets: targets.length,
          envNames: Object.keys(input.env),
          sudo: input.sudo,
          retryOf,
        },
      });
      await recordEvent(trx, {
        type: "run.started",
        payload: { runId: run.id, name: run.name, targets: targets.length, createdBy, retryOf },
      });
      return { run, tasks };
    });
  } catch (error) {
    // Two starts with the same key at once: the second finds the first.
    if ((error as { code?: string }).code === "23505" && input.idempotencyKey) {
      const existing = await findByIdempotencyKey(deps.db, createdBy, input.idempotencyKey);
      if (existing) return { run: toRunDto(existing), created: false };
    }
    throw error;
  }
  const { run, tasks } = outcome!;
  const first = tasks.filter((task) => task.seq < window).sort((a, b) => a.seq - b.seq);
  await dispatchOrRelease(
    deps,
    run,
    first.map((task) => ({ id: task.id, run_id: run.id, attempt: 1, target: targets[task.seq] })),
  );
  return { run: toRunDto(run), created: true };
}

async function insertRun(
  trx: Transaction<ExecutionDatabase>,
  input: StartInput,
  total: number,
  createdBy: string | null,
  retryOf: string | null,
) {
  return trx
    .insertInto("runs")
    .values({
      name: input.name ?? defaultName(input.action),
      state: "queued",
      action: JSON.stringify(input.action),
      run_on: input.runOn,
      selector: input.targets.selector ?? null,
      env: JSON.stringify(input.env),
      sudo: input.sudo,
      timeout_seconds: input.timeoutSeconds,
      fan_out: input.fanOut ?? null,
      failure_threshold: input.failureThreshold ? JSON.stringify(input.failureThreshold) : null,
      worker_group: input.workerGroup,
      exclusive: input.exclusive,
      idempotency_key: input.idempotencyKey ?? null,
      created_by: createdBy,
      retry_of: retryOf,
      total,
      queued: total,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Enqueues tasks already marked `enqueued_at`. When Redis refuses, the marks are taken back so that the fan-out
 * top-up or the reconciler enqueues them later; the run itself stays valid. A plan run's task carries the outputs of
 * its target's earlier steps.
 */
export async function dispatchOrRelease(
  deps: Pick<ExecutionServiceDeps, "db" | "dispatcher" | "log">,
  run: RunForDispatch,
  tasks: TaskForDispatch[],
) {
  if (tasks.length === 0) return;
  try {
    const outputs = run.plan ? await outputsEnvFor(deps.db, run.id, tasks) : null;
    await deps.dispatcher.dispatch(
      run.worker_group,
      tasks.map((task) => taskMessage(run, task, outputs?.get(task.id))),
    );
  } catch (error) {
    deps.log.error(
      { err: error, count: tasks.length },
      "could not enqueue tasks; they will be enqueued later",
    );
    await deps.db
      .updateTable("tasks")
      .set({ enqueued_at: null })
      .where(
        "id",
        "in",
        tasks.map((task) => task.id),
      )
      .where("state", "=", "queued")
      .execute();
  }
}

export async function getRun(deps: Pick<ExecutionServiceDeps, "db">, id: string) {
  const run = await deps.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!run) throw notFound("run");
  return toRunDto(run);
}

type ListInput = z.output<typeof ZListRunsRequestSchema>;

/**
 * Newest first, keyset-paged on (created_at, id): every page is an index range, at a million runs too. With a target,
 * the walk starts from that target's history instead (tasks by target, newest run first: an index on the task
 * rows), joining each run, so "the runs on this host" costs a page, not the host's whole history.
 */
export async function listRuns(deps: Pick<ExecutionServiceDeps, "db">, input: ListInput) {
  const after = decodeCursor(input.cursor, "cursor");
  let rows: Selectable<RunsTable>[];
  if (input.targetId) {
    let query = deps.db
      .selectFrom("tasks")
      .innerJoin("runs", "runs.id", "tasks.run_id")
      .selectAll("runs")
      .where("tasks.target_id", "=", input.targetId);
    if (input.state) query = query.where("runs.state", "=", input.state);
    if (input.jobId) query = query.where("runs.job_id", "=", input.jobId);
    if (input.createdBy) query = query.where("runs.created_by", "=", input.createdBy);
    if (input.since) query = query.where("tasks.run_created_at", ">=", new Date(input.since));
    if (input.until) query = query.where("tasks.run_created_at", "<", new Date(input.until));
    if (after)
      query = query.where(
        sql<boolean>`(tasks.run_created_at, tasks.run_id) < (${new Date(after.at)}, ${after.id}::uuid)`,
      );
    rows = await query
      .orderBy("tasks.run_created_at", "desc")
      .orderBy("tasks.run_id", "desc")
      .limit(input.limit + 1)
      .execute();
  } else {
    let query = deps.db.selectFrom("runs").selectAll();
    if (input.jobId) query = query.where("job_id", "=", input.jobId);
    if (input.state) query = query.where("state", "=", input.state);
    if (input.createdBy) query = query.where("created_by", "=", input.createdBy);
    if (input.since) query = query.where("created_at", ">=", new Date(input.since));
    if (input.until) query = query.where("created_at", "<", new Date(input.until));
    if (after)
      // A row comparison: PostgreSQL walks the (created_at desc, id desc) index from the cursor on.
      query = query.where(sql<boolean>`(created_at, id) < (${new Date(after.at)}, ${after.id}::uuid)`);
    rows = await query
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(input.limit + 1)
      .execute();
  }
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toRunDto),
    nextCursor:
      rows.length > input.limit && last
        ? encodeCursor({ at: new Date(last.created_at).toISOString(), id: last.id })
        : null,
  };
}

type ListTasksInput = z.output<typeof ZListTasksRequestSchema>;

/** A run's tasks in target order (seq), filtered by state or target name; keyset-paged on seq. */
export async function listTasks(deps: Pick<ExecutionServiceDeps, "db">, input: ListTasksInput) {
  const run = await deps.db.selectFrom("runs").select("id").where("id", "=", input.runId).executeTakeFirst();
  if (!run) throw notFound("run");
  let query = deps.db.selectFrom("tasks").selectAll().where("run_id", "=", input.runId);
  if (input.state) query = query.where("state", "=", input.state);
  if (input.search) {
    const pattern = containsPattern(input.search.toLowerCase());
    query = query.where(sql`lower(target_name)`, "like", pattern);
  }
  const after = decodeCursor(input.cursor, "cursor");
  if (after) query = query.where("seq", ">", Number(after.id));
  const rows = await query
    .orderBy("seq")
    .limit(input.limit + 1)
    .execute();
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTaskDto),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ at: "", id: String(last.seq) }) : null,
  };
}

export async function getTask(deps: Pick<ExecutionServiceDeps, "db">, id: string): Promise<TTask> {
  const task = await deps.db.selectFrom("tasks").selectAll().where("id", "=", id).executeTakeFirst();
  if (!task) throw notFound("task");
  return toTaskDto(task);
}

/**
 * Marks tasks that were never enqueued with a final state, keeping the run's counters exact (only rows that were
 * still queued and unenqueued change).
 */
async function finishUnenqueued(trx: Transaction<ExecutionDatabase>, runId: string, state: TTaskState) {
  const changed = await trx
    .updateTable("tasks")
    .set({ state, finished_at: new Date() })
    .where("run_id", "=", runId)
    .where("state", "=", "queued")
    .where("enqueued_at", "is", null)
    .returning("id")
    .execute();
  if (changed.length > 0) {
    const column = state === "cancelled" ? "cancelled" : "skipped";
    await trx
      .updateTable("runs")
      .set((eb) => ({ queued: eb("queued", "-", changed.length), [column]: eb(column, "+", changed.length) }))
      .where("id", "=", runId)
      .execute();
  }
  return changed.length;
}

/**
 * Cancels a run: tasks not yet enqueued are cancelled at once; workers skip enqueued ones that have not started
 * (the run's stop marker) and kill running ones (TERM to the process group, grace, KILL), reporting what survived.
 * The run becomes `cancelled` when its last task has reported.
 */
export async function cancelRun(
  deps: ExecutionServiceDeps,
  actor: AuditActor,
  caller: TCaller | null,
  id: string,
) {
  const run = await deps.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("runs")
      .selectAll()
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound("run");
    if (!["queued", "running", "cancelling"].includes(before.state))
      throw new AppError("CONFLICT", { message: `The run is already ${before.state}` });
    await trx
      .updateTable("runs")
      .set({
        state: "cancelling",
        cancel_requested_by: caller?.userId ?? "system",
        stop_reason: before.stop_reason ?? `cancelled by ${caller?.email ?? "the system"}`,
      })
      .where("id", "=", id)
      .execute();
    await finishUnenqueued(trx, id, "cancelled");
    await recordAudit(trx, actor, {
      action: "run.cancel",
      resourceType: "run",
      resourceId: id,
      before: { state: before.state },
      after: { state: "cancelling" },
    });
    const progress = await settle(trx, deps, id);
    const after = await trx.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    return { after, progress };
  });
  const keys = executionKeys(deps.prefix);
  await deps.redis.set(keys.runStopped(id), "cancelled", "EX", STOP_MARKER_TTL_SECONDS);
  await deps.redis.publish(keys.cancelChannel, `run:${id}`);
  await followUp(deps, run.progress);
  // The runs its steps started ("run another job") are cancelled too.
  const children = await deps.db
    .selectFrom("runs")
    .select("id")
    .where("parent_run_id", "=", id)
    .where("state", "in", ["queued", "running"])
    .execute();
  for (const child of children)
    await cancelRun(deps, actor, caller, child.id).catch((error: unknown) => {
      if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
    });
  return toRunDto(run.after);
}

/** Cancels one task of a run: skipped if it has not started, killed if it runs. */
export async function cancelTask(deps: ExecutionServiceDeps, actor: AuditActor, id: string) {
  const task = await deps.db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom("tasks")
      .selectAll()
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound("task");
    if (before.state !== "queued" && before.state !== "running")
      throw new AppError("CONFLICT", { message: `The task is already ${before.state}` });
    await recordAudit(trx, actor, {
      action: "task.cancel",
      resourceType: "task",
      resourceId: id,
      before: { state: before.state, runId: before.run_id, target: before.target_name },
    });
    if (before.state === "queued" && before.enqueued_at === null) {
      const after = await trx
        .updateTable("tasks")
        .set({ state: "cancelled", finished_at: new Date(), not_before: null })
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable("runs")
        .set((eb) => ({ queued: eb("queued", "-", 1), cancelled: eb("cancelled", "+", 1) }))
        .where("id", "=", before.run_id)
        .execute();
      // A plan run's target goes on (its later steps see a failure); the run may be done.
      const progress = await progressRun(trx, deps, before.run_id, [after]);
      return { task: after, progress };
    }
    return { task: before, progress: null };
  });
  if (task.progress) await followUp(deps, task.progress);
  if (task.task.child_run_id && task.task.state === "running")
    await cancelRun(deps, actor, null, task.task.child_run_id).catch((error: unknown) => {
      if (!(error instanceof AppError && error.code === "CONFLICT")) throw error;
    });
  const keys = executionKeys(deps.prefix);
  await deps.redis.set(keys.taskStopped(id), "cancelled", "EX", STOP_MARKER_TTL_SECONDS);
  await deps.redis.publish(keys.cancelChannel, `task:${id}`);
  return toTaskDto(task.task);
}

/** Stops starting new tasks of a run (failure threshold): unenqueued tasks are skipped; workers skip the rest. */
export async function stopRun(trx: Transaction<ExecutionDatabase>, runId: string, reason: string) {
  await trx.updateTable("runs").set({ stop_reason: reason }).where("id", "=", runId).execute();
  return finishUnenqueued(trx, runId, "skipped");
}

/**
 * Gives a run its final state once no task is queued or running: `cancelled` when a cancel was asked, `failed` when
 * a task failed, timed out or was cancelled on its own (or the failure threshold stopped it), `succeeded` otherwise; with a `run.finished`
 * event. A guarded update: it happens once.
 */
export async function finalizeIfDone(trx: Transaction<ExecutionDatabase>, runId: string) {
  const finished = await trx
    .updateTable("runs")
    .set({
      state: sql`case when cancel_requested_by is not null then 'cancelled'
                      when failed + timed_out + cancelled - tolerated > 0 or stop_reason is not null then 'failed'
                      else 'succeeded' end`,
      finished_at: new Date(),
      started_at: sql`coalesce(started_at, now())`,
    })
    .where("id", "=", runId)
    .where("queued", "=", 0)
    .where("running", "=", 0)
    .where("state", "in", ["queued", "running", "cancelling"])
    .returningAll()
    .executeTakeFirst();
  if (finished) {
    await recordEvent(trx, {
      type: "run.finished",
      payload: {
        runId,
        name: finished.name,
        state: finished.state,
        createdBy: finished.created_by,
        counts: toRunDto(finished).counts,
        stopReason: finished.stop_reason,
      },
    });
    return finished;
  }
  return trx.selectFrom("runs").selectAll().where("id", "=", runId).executeTakeFirstOrThrow();
}

type RetryInput = z.output<typeof ZRetryRunRequestSchema>;

/** Runs the failed (or all unfinished) targets of a finished run again, as a new run linked to it. */
export async function retryRun(
  deps: ExecutionServiceDeps,
  actor: AuditActor,
  caller: TCaller | null,
  context: InternalCallContext,
  input: RetryInput,
) {
  const run = await deps.db.selectFrom("runs").selectAll().where("id", "=", input.id).executeTakeFirst();
  if (!run) throw notFound("run");
  if (!["succeeded", "failed", "cancelled"].includes(run.state))
    throw new AppError("CONFLICT", { message: "Retry a run once it has finished" });
  if (run.plan) {
    const id = await retryPlanRun(deps, actor, caller?.userId ?? null, context, run, input);
    return { run: await getRun(deps, id), created: true };
  }
  if (input.from === "failed-step")
    throw new AppError("BAD_REQUEST", {
      field: "from",
      message: "An ad-hoc run has a single step: retry it from the start",
    });
  const states =
    input.which === "failed" ? ["failed", "timed_out"] : ["failed", "timed_out", "cancelled", "skipped"];
  let query = deps.db
    .selectFrom("tasks")
    .select("target_id")
    .where("run_id", "=", run.id)
    .where("state", "in", states);
  if (input.targetIds) query = query.where("target_id", "in", input.targetIds);
  const tasks = await query.orderBy("seq").execute();
  if (tasks.length === 0)
    throw new AppError("BAD_REQUEST", { field: "which", message: `No ${input.which} tasks to retry` });
  return startRun(
    deps,
    actor,
    caller,
    context,
    {
      name: `Retry of ${run.name}`.slice(0, 200),
      action: run.action as TAction,
      runOn: run.run_on as StartInput["runOn"],
      targets: { ids: tasks.map((task) => task.target_id) },
      env: run.env,
      sudo: run.sudo,
      timeoutSeconds: run.timeout_seconds,
      ...(run.fan_out ? { fanOut: run.fan_out } : {}),
      ...(run.failure_threshold ? { failureThreshold: run.failure_threshold } : {}),
      workerGroup: run.worker_group,
      exclusive: run.exclusive,
    },
    run.id,
  );
}

/** A run's lineage: its retry/resume chain from the first run, the runs its steps started, the run that started it. */
export async function lineage(deps: Pick<ExecutionServiceDeps, "db">, id: string) {
  const run = await deps.db.selectFrom("runs").selectAll().where("id", "=", id).executeTakeFirst();
  if (!run) throw notFound("run");
  const chain = run.root_run_id
    ? await deps.db
        .selectFrom("runs")
        .selectAll()
        .where((eb) => eb.or([eb("root_run_id", "=", run.root_run_id), eb("id", "=", run.root_run_id)]))
        .orderBy("created_at")
        .orderBy("id")
        .limit(200)
        .execute()
    : [run];
  const children = await deps.db
    .selectFrom("runs")
    .selectAll()
    .where("parent_run_id", "=", id)
    .orderBy("created_at")
    .limit(500)
    .execute();
  const parent = run.parent_run_id
    ? await deps.db.selectFrom("runs").selectAll().where("id", "=", run.parent_run_id).executeTakeFirst()
    : undefined;
  return {
    chain: chain.map(toRunDto),
    children: children.map(toRunDto),
    parent: parent ? toRunDto(parent) : null,
  };
}

/** The dashboard's numbers: runs per hour and their outcome, the success rate, what runs now, what failed last. */
export async function runStats(deps: Pick<ExecutionServiceDeps, "db">, hours: number) {
  const now = new Date();
  const first = new Date(now);
  first.setUTCMinutes(0, 0, 0);
  first.setUTCHours(first.getUTCHours() - (hours - 1));
  // Hours as whole hours since the epoch: independent of the session's time zone.
  const rows = await sql<{
    hour: string;
    total: number;
    succeeded: number;
    failed: number;
    cancelled: number;
  }>`
    select floor(extract(epoch from created_at) / 3600)::bigint as hour, count(*)::int as total,
           count(*) filter (where state = 'succeeded')::int as succeeded,
           count(*) filter (where state = 'failed')::int as failed,
           count(*) filter (where state = 'cancelled')::int as cancelled
    from runs where created_at >= ${first}
    group by 1
  `.execute(deps.db);
  const byHour = new Map(rows.rows.map((row) => [Number(row.hour) * 3_600_000, row]));
  const series = [];
  let succeeded = 0;
  let finished = 0;
  for (let index = 0; index < hours; index++) {
    const hour = new Date(first.getTime() + index * 3_600_000);
    const row = byHour.get(hour.getTime());
    series.push({
      hour: hour.toISOString(),
      total: row?.total ?? 0,
      succeeded: row?.succeeded ?? 0,
      failed: row?.failed ?? 0,
      cancelled: row?.cancelled ?? 0,
    });
    succeeded += row?.succeeded ?? 0;
    finished += (row?.succeeded ?? 0) + (row?.failed ?? 0) + (row?.cancelled ?? 0);
  }
  const running = await deps.db
    .selectFrom("runs")
    .selectAll()
    .where("state", "in", ["running", "cancelling"])
    .orderBy("created_at", "desc")
    .limit(10)
    .execute();
  const recentFailures = await deps.db
    .selectFrom("runs")
    .selectAll()
    .where("state", "=", "failed")
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(10)
    .execute();
  return {
    hours: series,
    successRate: finished === 0 ? null : succeeded / finished,
    running: running.map(toRunDto),
    recentFailures: recentFailures.map(toRunDto),
  };
}
