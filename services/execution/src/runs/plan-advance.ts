import { recordEvent } from "@opsc/audit";
import type { TExecutionTarget } from "@opsc/contracts/execution/actions";
import { SECRET_ENV_OWNER } from "@opsc/contracts/execution/messages";
import {
  conditionHolds,
  outputEnvName,
  type TResolvedChildJob,
  type TRunPlan,
  type TStep,
} from "@opsc/contracts/execution/plan";
import {
  maskSecrets,
  parameterEnv,
  parameterValuesSchema,
  substitute,
} from "@opsc/contracts/jobs/parameters";
import { open, seal, type VaultKeys } from "@opsc/vault";
import { type Selectable, sql, type Transaction } from "kysely";
import type { ExecutionDatabase, RunsTable, TasksTable } from "../database.ts";
import type { TaskForDispatch } from "./messages.ts";
import { describeCondition } from "./runs.dto.ts";
import { finalizeIfDone } from "./runs.service.ts";

type Trx = Transaction<ExecutionDatabase>;
type RunRow = Selectable<RunsTable>;
/** What deciding a target's next step reads of its tasks (not the target's connection settings: they are big). */
const TASK_COLUMNS = [
  "id",
  "run_id",
  "seq",
  "target_id",
  "step_index",
  "step_key",
  "state",
  "attempt",
  "enqueued_at",
  "not_before",
  "outputs",
  "tolerated",
  "retries",
] as const;
type TaskRow = Pick<Selectable<TasksTable>, (typeof TASK_COLUMNS)[number]>;

/** Tasks to enqueue once the transaction has committed, per run. */
export interface Dispatch {
  run: RunRow;
  tasks: TaskForDispatch[];
}

/** What a plan run's advance needs beyond the transaction. */
export interface PlanContext {
  vault: VaultKeys;
}

const FAILED = new Set(["failed", "timed_out", "cancelled"]);
const TERMINAL = new Set(["succeeded", "failed", "timed_out", "cancelled", "skipped"]);
/** Tasks per statement when a step starts on many targets at once. */
const STEP_BATCH = 5_000;

export function planOf(run: RunRow): TRunPlan {
  return run.plan as TRunPlan;
}

export function targetCount(run: RunRow): number {
  return Math.round(run.total / planOf(run).steps.length);
}

/** Sequence number of (target, step): target-first orders a target's steps together, step-first a step's targets. */
export function seqOf(plan: TRunPlan, targets: number, targetIndex: number, stepIndex: number): number {
  return plan.strategy === "step-first"
    ? stepIndex * targets + targetIndex
    : targetIndex * plan.steps.length + stepIndex;
}

function inFlight(task: TaskRow): boolean {
  return (
    task.state === "running" ||
    (task.state === "queued" && (task.enqueued_at !== null || task.not_before !== null))
  );
}

function failedHard(task: TaskRow): boolean {
  return FAILED.has(task.state) && !task.tolerated;
}

/** Decisions of one advance, applied together. */
class Changes {
  readonly skip = new Map<string, string>();
  readonly enqueue: TaskRow[] = [];
  /** Per task to enqueue: its target's earlier outputs as variables (known from the walk, so no query later). */
  readonly outputsEnv = new Map<string, Record<string, string>>();
  readonly children: { task: TaskRow; step: TStep }[] = [];
  get empty() {
    return this.skip.size === 0 && this.enqueue.length === 0 && this.children.length === 0;
  }
}

/**
 * Walks one target's steps in order from its earlier results: the first waiting step whose condition holds starts;
 * the waiting steps before it whose condition does not hold are skipped (with the reason).
 */
function walkTarget(plan: TRunPlan, rows: TaskRow[], changes: Changes): void {
  rows.sort((a, b) => a.step_index - b.step_index);
  if (rows.some(inFlight)) return;
  let failedBefore = false;
  const outputs: Record<string, Record<string, string>> = {};
  for (const row of rows) {
    if (TERMINAL.has(row.state) || changes.skip.has(row.id)) {
      if (failedHard(row)) failedBefore = true;
      if (row.outputs && row.step_key) outputs[row.step_key] = row.outputs;
      continue;
    }
    const step = plan.steps[row.step_index]!;
    if (!conditionHolds(step.when, failedBefore, outputs)) {
      changes.skip.set(row.id, skipReason(step, failedBefore));
      continue;
    }
    if (step.action.type === "job") changes.children.push({ task: row, step });
    else {
      changes.enqueue.push(row);
      const env: Record<string, string> = {};
      for (const [stepKey, values] of Object.entries(outputs))
        for (const [key, value] of Object.entries(values)) env[outputEnvName(stepKey, key)] = value;
      changes.outputsEnv.set(row.id, env);
    }
    return;
  }
}

function skipReason(step: TStep, failedBefore: boolean): string {
  if (step.when.status === "success" && failedBefore) return "an earlier step failed";
  if (step.when.status === "failure" && !failedBefore) return "runs only after a failure";
  return `condition not met: ${describeCondition(step.when)}`;
}

/** Each target's earlier results (steps below `before`), for conditions and outputs. */
async function earlierByTarget(trx: Trx, runId: string, targetIds: string[], before: number) {
  const byTarget = new Map<string, TaskRow[]>();
  if (targetIds.length === 0 || before === 0) return byTarget;
  const rows = await trx
    .selectFrom("tasks")
    .select(TASK_COLUMNS)
    .where("run_id", "=", runId)
    .where("target_id", "in", targetIds)
    .where("step_index", "<", before)
    .execute();
  for (const row of rows) {
    const list = byTarget.get(row.target_id) ?? [];
    list.push(row);
    byTarget.set(row.target_id, list);
  }
  return byTarget;
}

async function tasksOfTargets(trx: Trx, runId: string, targetIds: string[]) {
  const byTarget = new Map<string, TaskRow[]>();
  if (targetIds.length === 0) return byTarget;
  const rows = await trx
    .selectFrom("tasks")
    .select(TASK_COLUMNS)
    .where("run_id", "=", runId)
    .where("target_id", "in", targetIds)
    .forUpdate()
    .execute();
  for (const row of rows) {
    const list = byTarget.get(row.target_id) ?? [];
    list.push(row);
    byTarget.set(row.target_id, list);
  }
  return byTarget;
}

/**
 * Applies skips, enqueue marks and child runs; returns what to dispatch after commit, and the targets whose step
 * ended at once (a child run that could not start, or had nothing to do): they go on to their next step.
 */
async function apply(
  trx: Trx,
  context: PlanContext,
  run: RunRow,
  changes: Changes,
): Promise<{ dispatches: Dispatch[]; ended: string[] }> {
  const dispatches: Dispatch[] = [];
  const ended: string[] = [];
  if (changes.skip.size > 0) {
    const rows = JSON.stringify([...changes.skip].map(([id, reason]) => ({ id, reason })));
    const skipped = await sql<{ id: string }>`
      update tasks t set state = 'skipped', skip_reason = r.reason, finished_at = now()
      from jsonb_to_recordset(${rows}::jsonb) as r(id uuid, reason text)
      where t.id = r.id and t.state = 'queued' and t.enqueued_at is null
      returning t.id
    `.execute(trx);
    const count = skipped.rows.length;
    if (count > 0)
      await trx
        .updateTable("runs")
        .set((eb) => ({ queued: eb("queued", "-", count), skipped: eb("skipped", "+", count) }))
        .where("id", "=", run.id)
        .execute();
  }
  if (changes.enqueue.length > 0) {
    const marked = await trx
      .updateTable("tasks")
      .set({ enqueued_at: new Date() })
      .where(
        "id",
        "in",
        changes.enqueue.map((task) => task.id),
      )
      .where("state", "=", "queued")
      .where("enqueued_at", "is", null)
      .returning(["id", "run_id", "attempt", "target", "target_id", "step_index", "seq"])
      .execute();
    marked.sort((a, b) => a.seq - b.seq);
    dispatches.push({
      run,
      tasks: marked.map((task) => ({ ...task, outputsEnv: changes.outputsEnv.get(task.id) ?? {} })),
    });
  }
  for (const child of changes.children) {
    const started = await startChildRun(trx, context, run, child.task, child.step);
    dispatches.push(...started.dispatches);
    if (started.ended) ended.push(child.task.target_id);
  }
  return { dispatches, ended };
}

/**
 * Starts what can start in a plan run: the first steps of its first targets (or the first step's first tasks), when
 * the run is created or released by its job's concurrency policy; later, after tasks finished, the next steps. Never
 * while the run is held, stopping or cancelling.
 */
export async function advancePlan(
  trx: Trx,
  context: PlanContext,
  run: RunRow,
  touchedTargets: string[] = [],
): Promise<Dispatch[]> {
  if (run.held || run.stop_reason !== null || run.state === "cancelling") return [];
  const plan = planOf(run);
  return plan.strategy === "step-first"
    ? advanceStepFirst(trx, context, run, plan)
    : advanceTargetFirst(trx, context, run, plan, touchedTargets);
}

async function advanceTargetFirst(
  trx: Trx,
  context: PlanContext,
  run: RunRow,
  plan: TRunPlan,
  touchedTargets: string[],
): Promise<Dispatch[]> {
  const dispatches: Dispatch[] = [];
  const targets = targetCount(run);
  // The targets that were running go on to their next step.
  let next = touchedTargets;
  while (next.length > 0) {
    const changes = new Changes();
    for (const rows of (await tasksOfTargets(trx, run.id, next)).values()) walkTarget(plan, rows, changes);
    const applied = await apply(trx, context, run, changes);
    dispatches.push(...applied.dispatches);
    next = applied.ended;
  }
  // New targets start while the fan-out allows.
  let started = run.started_targets;
  while (started < targets) {
    let free = targets - started;
    if (run.fan_out !== null) {
      const active = await sql<{ n: number }>`
        select count(distinct target_id)::int as n from tasks
        where run_id = ${run.id} and (state = 'running' or (state = 'queued' and (enqueued_at is not null or not_before is not null)))
      `.execute(trx);
      free = Math.min(free, run.fan_out - (active.rows[0]?.n ?? 0));
    }
    if (free <= 0) break;
    const from = started;
    started = Math.min(targets, started + Math.min(free, STEP_BATCH));
    const rows = await trx
      .selectFrom("tasks")
      .select(TASK_COLUMNS)
      .where("run_id", "=", run.id)
      .where("seq", ">=", from * plan.steps.length)
      .where("seq", "<", started * plan.steps.length)
      .forUpdate()
      .execute();
    const byTarget = new Map<string, TaskRow[]>();
    for (const row of rows) byTarget.set(row.target_id, [...(byTarget.get(row.target_id) ?? []), row]);
    const changes = new Changes();
    for (const list of byTarget.values()) walkTarget(plan, list, changes);
    await trx.updateTable("runs").set({ started_targets: started }).where("id", "=", run.id).execute();
    const applied = await apply(trx, context, run, changes);
    dispatches.push(...applied.dispatches);
    if (applied.ended.length > 0) {
      // Those targets go on; the call also starts further targets while the fan-out allows.
      dispatches.push(
        ...(await advanceTargetFirst(
          trx,
          context,
          { ...run, started_targets: started },
          plan,
          applied.ended,
        )),
      );
      break;
    }
  }
  return dispatches;
}

async function advanceStepFirst(
  trx: Trx,
  context: PlanContext,
  run: RunRow,
  plan: TRunPlan,
): Promise<Dispatch[]> {
  const dispatches: Dispatch[] = [];
  let step = run.current_step;
  for (let guard = 0; guard < plan.steps.length * 4 + 8; guard++) {
    const active = await trx
      .selectFrom("tasks")
      .select(TASK_COLUMNS)
      .where("run_id", "=", run.id)
      .where("step_index", "=", step)
      .where("state", "in", ["queued", "running"])
      .orderBy("seq")
      .forUpdate()
      .execute();
    if (active.length === 0) {
      if (step + 1 >= plan.steps.length) break;
      step++;
      await trx.updateTable("runs").set({ current_step: step }).where("id", "=", run.id).execute();
      continue;
    }
    const flying = active.filter(inFlight).length;
    const free = run.fan_out === null ? Number.POSITIVE_INFINITY : run.fan_out - flying;
    if (free <= 0) break;
    const waiting = active.filter((task) => !inFlight(task));
    if (waiting.length === 0) break;
    const earlier = await earlierByTarget(
      trx,
      run.id,
      waiting.map((task) => task.target_id),
      step,
    );
    const changes = new Changes();
    let starting = 0;
    for (const task of waiting) {
      if (starting >= free) break;
      const before = changes.enqueue.length + changes.children.length;
      walkTarget(plan, [...(earlier.get(task.target_id) ?? []), task], changes);
      if (changes.enqueue.length + changes.children.length > before) starting++;
    }
    const applied = await apply(trx, context, run, changes);
    dispatches.push(...applied.dispatches);
    // Only skips, or steps that ended at once: the step may be complete now; look again.
    if ((starting > 0 && applied.ended.length === 0) || changes.empty) break;
  }
  return dispatches;
}

/**
 * A failed step with retries left goes back to waiting for its backoff (the attempt counts up, the last error stays
 * visible); one that continues on error is tolerated. Returns the ids of the tasks that will be retried.
 */
export async function retryOrTolerate(
  trx: Trx,
  run: RunRow,
  finished: { id: string; state: string; step_index: number; retries: number }[],
): Promise<Set<string>> {
  const plan = planOf(run);
  const retried = new Set<string>();
  const stopping = run.stop_reason !== null || run.state === "cancelling";
  for (const task of finished) {
    if (task.state !== "failed" && task.state !== "timed_out") continue;
    const step = plan.steps[task.step_index];
    if (!step) continue;
    // A "run another job" step is not retried here: the child run has its own steps' retries.
    if (!stopping && task.retries < step.retry.count && step.action.type !== "job") {
      const delayMs = step.retry.backoffSeconds * 1000 * step.retry.factor ** task.retries;
      const now = new Date();
      const updated = await trx
        .updateTable("tasks")
        .set((eb) => ({
          state: "queued",
          attempt: eb("attempt", "+", 1),
          retries: eb("retries", "+", 1),
          // Enqueued by the retry dispatcher once the backoff has passed (at once for no backoff).
          enqueued_at: null,
          not_before: new Date(now.getTime() + delayMs),
          started_at: null,
          finished_at: null,
        }))
        .where("id", "=", task.id)
        .where("state", "=", task.state)
        .returning("id")
        .executeTakeFirst();
      if (!updated) continue;
      const column = task.state === "failed" ? "failed" : "timed_out";
      await trx
        .updateTable("runs")
        .set((eb) => ({ [column]: eb(column, "-", 1), queued: eb("queued", "+", 1) }))
        .where("id", "=", run.id)
        .execute();
      retried.add(task.id);
    } else if (step.continueOnError) {
      const updated = await trx
        .updateTable("tasks")
        .set({ tolerated: true })
        .where("id", "=", task.id)
        .where("tolerated", "=", false)
        .returning("id")
        .executeTakeFirst();
      if (updated)
        await trx
          .updateTable("runs")
          .set((eb) => ({ tolerated: eb("tolerated", "+", 1) }))
          .where("id", "=", run.id)
          .execute();
    }
  }
  return retried;
}

/** Retries whose backoff ran out, marked for enqueueing (any service replica; rows are claimed with SKIP LOCKED). */
export async function claimDueRetries(trx: Trx, limit = 500) {
  const rows = await sql<TaskForDispatch & { seq: number }>`
    update tasks set enqueued_at = now(), not_before = null
    where id in (
      select id from tasks
      where state = 'queued' and enqueued_at is null and not_before is not null and not_before <= now()
      order by not_before limit ${limit} for update skip locked
    )
    returning id, run_id, attempt, target, target_id, step_index, seq
  `.execute(trx);
  return rows.rows;
}

/** The failure threshold of a plan run counts targets with a step that failed (not tolerated). */
export async function failedTargets(trx: Trx, runId: string): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(distinct target_id)::int as n from tasks
    where run_id = ${runId} and state in ('failed', 'timed_out') and not tolerated
  `.execute(trx);
  return result.rows[0]?.n ?? 0;
}

/** The run's variables a child job's parameters may name: parameters, opened secrets and this target's outputs. */
async function variablesFor(trx: Trx, context: PlanContext, run: RunRow, task: TaskRow) {
  const values: Record<string, string> = { ...run.env };
  for (const [name, sealed] of Object.entries(run.secret_env ?? {}))
    values[name] = open(context.vault, sealed, SECRET_ENV_OWNER);
  const earlier = await trx
    .selectFrom("tasks")
    .select(["step_key", "outputs"])
    .where("run_id", "=", run.id)
    .where("target_id", "=", task.target_id)
    .where("step_index", "<", task.step_index)
    .where("outputs", "is not", null)
    .execute();
  for (const row of earlier)
    if (row.step_key)
      for (const [key, value] of Object.entries(row.outputs ?? {}))
        values[outputEnvName(row.step_key, key)] = value;
  return values;
}

/**
 * A "run another job" step: a child run of the resolved job on the same target, written in this transaction and
 * linked both ways; the step is running until the child run ends. Parameters that do not pass the child job's rules
 * fail the step (with the reason) instead.
 */
async function startChildRun(
  trx: Trx,
  context: PlanContext,
  parent: RunRow,
  task: TaskRow,
  step: TStep,
): Promise<{ dispatches: Dispatch[]; ended: boolean }> {
  const action = step.action as Extract<TStep["action"], { type: "job" }>;
  const resolved = action.resolved as TResolvedChildJob | undefined;
  const fail = async (message: string): Promise<{ dispatches: Dispatch[]; ended: boolean }> => {
    await trx
      .updateTable("tasks")
      .set({
        state: "failed",
        error: JSON.stringify({ kind: "job_step", message }),
        started_at: new Date(),
        finished_at: new Date(),
      })
      .where("id", "=", task.id)
      .execute();
    await trx
      .updateTable("runs")
      .set((eb) => ({ queued: eb("queued", "-", 1), failed: eb("failed", "+", 1) }))
      .where("id", "=", parent.id)
      .execute();
    return { dispatches: [], ended: true };
  };
  if (!resolved) return fail(`the job "${action.job}" was not resolved when the run started`);
  const variables = await variablesFor(trx, context, parent, task);
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(action.parameters))
    raw[name] = typeof value === "string" ? substitute(value, variables) : value;
  const parsed = parameterValuesSchema(resolved.parameters).safeParse(raw);
  if (!parsed.success)
    return fail(
      `the parameters of job "${resolved.job.name}" are not valid: ${parsed.error.issues
        .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
        .join("; ")}`,
    );
  const { env, secretEnv } = parameterEnv(resolved.parameters, parsed.data);
  const sealed = Object.fromEntries(
    Object.entries(secretEnv).map(([name, value]) => [name, seal(context.vault, value, SECRET_ENV_OWNER)]),
  );
  const id = crypto.randomUUID();
  const steps = resolved.plan.steps.length;
  const child = await trx
    .insertInto("runs")
    .values({
      id,
      name: resolved.job.name,
      state: "queued",
      action: null,
      plan: JSON.stringify(resolved.plan),
      job_id: resolved.job.id,
      job: JSON.stringify(resolved.job),
      parameters: JSON.stringify(maskSecrets(resolved.parameters, parsed.data)),
      secret_env: Object.keys(sealed).length ? JSON.stringify(sealed) : null,
      trigger: JSON.stringify({ kind: "job", id: parent.id, label: parent.name }),
      parent_run_id: parent.id,
      parent_task_id: task.id,
      root_run_id: id,
      run_on: "target",
      selector: null,
      env: JSON.stringify(env),
      sudo: false,
      timeout_seconds: Math.max(...resolved.plan.steps.map((candidate) => candidate.timeoutSeconds)),
      fan_out: null,
      failure_threshold: null,
      worker_group: resolved.workerGroup,
      exclusive: resolved.exclusive,
      idempotency_key: null,
      created_by: parent.created_by,
      retry_of: null,
      total: steps,
      queued: steps,
    } as never)
    .returningAll()
    .executeTakeFirstOrThrow();
  const { target: stored } = await trx
    .selectFrom("tasks")
    .select("target")
    .where("id", "=", task.id)
    .executeTakeFirstOrThrow();
  const target = stored as TExecutionTarget;
  await insertPlanTasks(trx, child, resolved.plan, [target], new Map());
  const now = new Date();
  await trx
    .updateTable("tasks")
    .set({ state: "running", started_at: now, enqueued_at: now, child_run_id: child.id })
    .where("id", "=", task.id)
    .execute();
  await trx
    .updateTable("runs")
    .set((eb) => ({
      queued: eb("queued", "-", 1),
      running: eb("running", "+", 1),
      state: sql`case when state = 'queued' then 'running' else state end`,
      started_at: sql`coalesce(started_at, now())`,
    }))
    .where("id", "=", parent.id)
    .execute();
  await recordEvent(trx, {
    type: "run.started",
    payload: {
      runId: child.id,
      name: child.name,
      targets: 1,
      createdBy: child.created_by,
      parentRunId: parent.id,
      jobId: resolved.job.id,
    },
  });
  const dispatches = await advancePlan(trx, context, child);
  // A child whose every step was skipped is over at once; its step ends with it.
  const settled = await finalizeIfDone(trx, child.id);
  if (settled.finished_at === null) return { dispatches, ended: false };
  const state = settled.state === "succeeded" ? "succeeded" : "failed";
  await trx
    .updateTable("tasks")
    .set({ state, finished_at: new Date() })
    .where("id", "=", task.id)
    .where("state", "=", "running")
    .execute();
  await trx
    .updateTable("runs")
    .set((eb) => ({ running: eb("running", "-", 1), [state]: eb(state, "+", 1) }))
    .where("id", "=", parent.id)
    .execute();
  return { dispatches, ended: true };
}

/**
 * Inserts a plan run's tasks (every step on every target) in one statement. `done` holds, per target, steps already
 * done in the run this one resumes: they are inserted as skipped with their outputs.
 */
export async function insertPlanTasks(
  trx: Trx,
  run: RunRow,
  plan: TRunPlan,
  targets: TExecutionTarget[],
  done: Map<string, Map<number, { outputs: Record<string, string> | null; from: string }>>,
): Promise<number> {
  const rows: unknown[] = [];
  let skipped = 0;
  targets.forEach((target, targetIndex) => {
    plan.steps.forEach((step, stepIndex) => {
      const previous = done.get(target.id)?.get(stepIndex);
      if (previous) skipped++;
      rows.push({
        seq: seqOf(plan, targets.length, targetIndex, stepIndex),
        target_id: target.id,
        target_name: target.name,
        target_address: target.address,
        target,
        step_index: stepIndex,
        step_key: step.key,
        state: previous ? "skipped" : "queued",
        outputs: previous?.outputs ?? null,
        skip_reason: previous ? `done in run ${previous.from}` : null,
      });
    });
  });
  for (let from = 0; from < rows.length; from += 20_000) {
    await sql`
      insert into tasks (run_id, run_created_at, seq, target_id, target_name, target_address, target, state, step_index,
                         step_key, outputs, skip_reason, finished_at)
      select ${run.id}::uuid, ${new Date(run.created_at).toISOString()}::timestamptz, r.seq, r.target_id, r.target_name,
             r.target_address, r.target, r.state, r.step_index, r.step_key, r.outputs, r.skip_reason,
             case when r.state = 'skipped' then now() else null end
      from jsonb_to_recordset(${JSON.stringify(rows.slice(from, from + 20_000))}::jsonb)
        as r(seq int, target_id uuid, target_name text, target_address text, target jsonb, step_index int,
             step_key text, state text, outputs jsonb, skip_reason text)
    `.execute(trx);
  }
  if (skipped > 0)
    await trx
      .updateTable("runs")
      .set((eb) => ({ queued: eb("queued", "-", skipped), skipped: eb("skipped", "+", skipped) }))
      .where("id", "=", run.id)
      .execute();
  return skipped;
}
