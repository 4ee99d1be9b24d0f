import type { TAction, TExecutionTarget } from "@opsc/contracts/execution/actions";
import type { TTaskMessage } from "@opsc/contracts/execution/messages";
import { outputEnvName, type TRunPlan } from "@opsc/contracts/execution/plan";
import type { Kysely, Selectable, Transaction } from "kysely";
import type { ExecutionDatabase, RunsTable } from "../database.ts";

/** What building a task's message needs of its run. */
export type RunForDispatch = Pick<
  Selectable<RunsTable>,
  | "id"
  | "action"
  | "run_on"
  | "env"
  | "sudo"
  | "timeout_seconds"
  | "exclusive"
  | "worker_group"
  | "plan"
  | "secret_env"
>;

/** What building a task's message needs of the task. */
export interface TaskForDispatch {
  id: string;
  run_id: string;
  attempt: number;
  target: unknown;
  target_id?: string;
  step_index?: number;
  /** Its target's earlier outputs as variables, when the caller knows them already. */
  outputsEnv?: Record<string, string>;
}

/**
 * The message a worker needs to run a task, from the task row and its run: an ad-hoc run's action, or the task's
 * step of a plan run, with the outputs of the target's earlier steps as `OPSC_OUTPUT_<step>_<key>` variables.
 */
export function taskMessage(
  run: RunForDispatch,
  task: TaskForDispatch,
  outputsEnv: Record<string, string> = {},
): TTaskMessage {
  const plan = run.plan as TRunPlan | null;
  const step = plan ? plan.steps[task.step_index ?? 0] : undefined;
  const base = {
    runId: task.run_id,
    taskId: task.id,
    attempt: task.attempt,
    target: task.target as TExecutionTarget,
    secretEnv: run.secret_env ?? {},
    exclusive: run.exclusive,
  };
  if (step) {
    return {
      ...base,
      action: step.action as TAction,
      runOn: step.runOn,
      // A step knows which step it is (the executors add the run, task and target); earlier outputs follow.
      env: { ...run.env, OPSC_STEP: step.key, ...outputsEnv },
      sudo: step.sudo,
      timeoutMs: step.timeoutSeconds * 1000,
    };
  }
  return {
    ...base,
    action: run.action as TAction,
    runOn: run.run_on as TTaskMessage["runOn"],
    env: run.env,
    sudo: run.sudo,
    timeoutMs: run.timeout_seconds * 1000,
  };
}

/** Per task: the outputs its target's earlier steps printed, as environment variables. */
export async function outputsEnvFor(
  db: Kysely<ExecutionDatabase> | Transaction<ExecutionDatabase>,
  runId: string,
  tasks: TaskForDispatch[],
): Promise<Map<string, Record<string, string>>> {
  const result = new Map<string, Record<string, string>>();
  const unknown = tasks.filter((task) => {
    if (task.outputsEnv) result.set(task.id, task.outputsEnv);
    return !task.outputsEnv;
  });
  if (unknown.length === 0) return result;
  tasks = unknown;
  const targetIds = [...new Set(tasks.map((task) => task.target_id).filter((id): id is string => !!id))];
  if (targetIds.length === 0) return result;
  const rows = await db
    .selectFrom("tasks")
    .select(["target_id", "step_index", "step_key", "outputs"])
    .where("run_id", "=", runId)
    .where("target_id", "in", targetIds)
    .where("outputs", "is not", null)
    .execute();
  for (const task of tasks) {
    const env: Record<string, string> = {};
    for (const row of rows)
      if (row.target_id === task.target_id && row.step_index < (task.step_index ?? 0) && row.step_key)
        for (const [key, value] of Object.entries(row.outputs ?? {}))
          env[outputEnvName(row.step_key, key)] = value;
    result.set(task.id, env);
  }
  return result;
}
