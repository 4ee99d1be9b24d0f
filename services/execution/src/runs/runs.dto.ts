import type { TAction } from "@opsc/contracts/execution/actions";
import type { TStep } from "@opsc/contracts/execution/plan";
import type { TRun, TRunState, TRunStep, TTask, TTaskState } from "@opsc/contracts/execution/runs";
import { AppError } from "@opsc/server-kit";
import type { Selectable } from "kysely";
import type { RunsTable, TasksTable } from "../database.ts";

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const duration = (start: Date | string | null, end: Date | string | null) =>
  start && end ? new Date(end).getTime() - new Date(start).getTime() : null;

export function toRunDto(row: Selectable<RunsTable>): TRun {
  return {
    id: row.id,
    name: row.name,
    state: row.state as TRunState,
    action: (row.action as TAction | null) ?? null,
    steps: (row.plan?.steps ?? []).map(toStepDto),
    strategy: row.plan?.strategy ?? null,
    job: row.job,
    parameters: row.parameters,
    trigger: row.trigger,
    parentRunId: row.parent_run_id,
    parentTaskId: row.parent_task_id,
    rootRunId: row.root_run_id,
    retryMode: row.retry_mode as TRun["retryMode"],
    held: row.held,
    overrideReason: row.override_reason,
    runOn: row.run_on as TRun["runOn"],
    selector: row.selector,
    envNames: Object.keys(row.env ?? {}),
    sudo: row.sudo,
    timeoutSeconds: row.timeout_seconds,
    fanOut: row.fan_out,
    failureThreshold: row.failure_threshold,
    workerGroup: row.worker_group,
    exclusive: row.exclusive,
    counts: {
      total: row.total,
      queued: row.queued,
      running: row.running,
      succeeded: row.succeeded,
      failed: row.failed,
      timedOut: row.timed_out,
      cancelled: row.cancelled,
      skipped: row.skipped,
    },
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: duration(row.started_at, row.finished_at),
    retryOf: row.retry_of,
    cancelRequestedBy: row.cancel_requested_by,
    stopReason: row.stop_reason,
  };
}

export function toTaskDto(row: Selectable<TasksTable>): TTask {
  return {
    id: row.id,
    runId: row.run_id,
    targetId: row.target_id,
    targetName: row.target_name,
    targetAddress: row.target_address,
    state: row.state as TTaskState,
    attempt: row.attempt,
    exitCode: row.exit_code,
    error: row.error,
    cancel: (row.cancel as TTask["cancel"]) ?? null,
    workerId: row.worker_id,
    outputBytes: Number(row.output_bytes),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: duration(row.started_at, row.finished_at),
    stepIndex: row.step_index,
    stepKey: row.step_key,
    outputs: row.outputs,
    tolerated: row.tolerated,
    retries: row.retries,
    notBefore: iso(row.not_before),
    skipReason: row.skip_reason,
    childRunId: row.child_run_id,
  };
}

/** A condition in words, for lists: "if all earlier steps succeeded and build.version equals 2". */
export function describeCondition(when: TStep["when"]): string {
  const status = {
    success: "if no earlier step failed",
    failure: "if an earlier step failed",
    always: "always",
  }[when.status];
  const tests = when.outputs.map((test) => {
    const name = `${test.step}.${test.key}`;
    if (test.op === "exists") return `${name} is set`;
    if (test.op === "missing") return `${name} is not set`;
    return `${name} ${test.op === "equals" ? "is" : test.op === "not-equals" ? "is not" : "matches"} "${test.value ?? ""}"`;
  });
  return [status, ...tests].join(" and ");
}

function toStepDto(step: TStep): TRunStep {
  return {
    key: step.key,
    name: step.name,
    type: step.action.type,
    runOn: step.runOn,
    continueOnError: step.continueOnError,
    retries: step.retry.count,
    when: describeCondition(step.when),
  };
}

/** An opaque page cursor: base64url of `at|id`. */
export function encodeCursor(position: { at: string; id: string }): string {
  return Buffer.from(`${position.at}|${position.id}`).toString("base64url");
}

export function decodeCursor(cursor: string | undefined, field: string): { at: string; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const valid =
    id !== undefined &&
    /^[0-9a-f-]{1,36}$/.test(id) &&
    (at === "" || (at !== undefined && !Number.isNaN(Date.parse(at))));
  if (!valid) throw new AppError("BAD_REQUEST", { field, message: "Not a cursor this list returned" });
  return { at: at!, id };
}
