import type { TRun, TRunStep, TTask, TTaskCounts } from "@opsc/contracts/execution/runs";
import { COUNT_OF, failedCount, isRunActive } from "./execution.presenter.ts";

// Pure read models for job runs (multi-step runs) on /runs and /runs/:id: the job, trigger and parameters, the steps
// and their tasks, what a task row says about itself, which retries are offered, and the run's lineage. Ad-hoc runs
// (an action, no steps) never reach these.

/** A job run has steps and no action of its own; an ad-hoc run is the other way round. */
export function isJobRun(run: Pick<TRun, "action">): boolean {
  return run.action === null;
}

// ---------------------------------------------------------------------------------------------------------
// The header: job, trigger, parameters

/** The job's page and "name · version N" of a job run; null for an ad-hoc run. */
export function jobOf(run: Pick<TRun, "job">): { href: string; name: string; version: string } | null {
  if (!run.job) return null;
  return {
    href: `/jobs/${encodeURIComponent(run.job.id)}`,
    name: run.job.name,
    version: `version ${run.job.version}`,
  };
}

export interface TriggerView {
  /** "manual", `schedule "nightly"`, `webhook "deploy"`, "API", or "started by a step of run" before `link`. */
  text: string;
  /** The run whose step started this one. */
  link: { href: string; label: string } | null;
}

const quoted = (label: string | null, fallback: string) => (label ? `“${label}”` : fallback);

/** What started a job run, in words; null when the run does not say (an ad-hoc run). */
export function describeTrigger(trigger: TRun["trigger"]): TriggerView | null {
  if (!trigger) return null;
  switch (trigger.kind) {
    case "manual":
      return { text: "started manually", link: null };
    case "schedule":
      return { text: `started by schedule ${quoted(trigger.label, "(deleted)")}`, link: null };
    case "webhook":
      return { text: `started by webhook ${quoted(trigger.label, "(deleted)")}`, link: null };
    case "api":
      return { text: "started through the API", link: null };
    case "job":
      return {
        text: "started by a step of run",
        link: trigger.id
          ? {
              href: `/runs/${encodeURIComponent(trigger.id)}`,
              label: trigger.label ?? trigger.id.slice(0, 8),
            }
          : null,
      };
  }
}

/** How the jobs service masks a secret parameter's value in a run (its `maskSecrets`). */
export const MASKED_SECRET = "********";
/** How a masked secret is shown. */
export const SECRET_DOTS = "••••";

export interface ParameterRow {
  name: string;
  value: string;
  secret: boolean;
}

/** A parameter value on one line: lists joined, a masked secret as dots, an empty string said as such. */
export function formatParameterValue(value: unknown): string {
  if (value === MASKED_SECRET) return SECRET_DOTS;
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value === "" ? "(empty)" : value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.length ? value.map(String).join(", ") : "(none)";
  return JSON.stringify(value);
}

/** The run's parameters by name (the service stores them as JSONB, which keeps no order of its own). */
export function parameterRows(parameters: TRun["parameters"]): ParameterRow[] {
  return Object.entries(parameters ?? {})
    .map(([name, value]) => ({ name, value: formatParameterValue(value), secret: value === MASKED_SECRET }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const STRATEGY_LABELS: Record<NonNullable<TRun["strategy"]>, string> = {
  "target-first": "target first: each target goes through all steps on its own",
  "step-first": "step first: each step runs on every target before the next one starts",
};

// ---------------------------------------------------------------------------------------------------------
// Steps and their tasks

/** Task pages the steps panel reads to count each step's tasks; past this it says the counts are partial. */
export const STEP_COUNT_MAX_TASKS = 5_000;

export function emptyCounts(): TTaskCounts {
  return { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, cancelled: 0, skipped: 0 };
}

export interface StepCounts {
  index: number;
  step: TRunStep;
  counts: TTaskCounts;
}

/** Each step's tasks counted by state, from the tasks loaded (a task belongs to the step at its `stepIndex`). */
export function countTasksByStep(steps: readonly TRunStep[], tasks: readonly TTask[]): StepCounts[] {
  const result = steps.map((step, index) => ({ index, step, counts: emptyCounts() }));
  for (const task of tasks) {
    const entry = result[task.stepIndex];
    if (!entry) continue;
    entry.counts.total++;
    entry.counts[COUNT_OF[task.state]]++;
  }
  return result;
}

/** "Counted over the first 5,000 of 12,000 tasks" when the counts are partial; null when every task was read. */
export function describeCoverage(loaded: number, total: number): string | null {
  if (loaded >= total) return null;
  return `Counted over the first ${loaded.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} tasks`;
}

/** A step's kind and settings in words, for the steps panel ("continues on error" is a badge there). */
export function describeStep(step: TRunStep): { type: string; facts: string[] } {
  const facts: string[] = [];
  if (step.runOn === "local") facts.push("on the worker host");
  facts.push(step.when);
  facts.push(step.retries > 0 ? `${step.retries} ${step.retries === 1 ? "retry" : "retries"}` : "no retries");
  return { type: step.type === "job" ? "runs another job" : step.type, facts };
}

// ---------------------------------------------------------------------------------------------------------
// A task row of a job run

/** "14:05:09": a time of day with seconds, 24-hour, in `timeZone` (the browser's when omitted). */
export function formatClock(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(iso));
}

/** Failed or timed out, and not tolerated: what fails the target, and what a retry or resume runs again. */
export function isHardFailure(task: Pick<TTask, "state" | "tolerated">): boolean {
  return (task.state === "failed" || task.state === "timed_out") && !task.tolerated;
}

export interface TaskExtras {
  /** Failed, but its step continues on error: the target went on. */
  continued: boolean;
  /** "retry at 14:05:09" while a retry waits for its backoff. */
  retryAt: string | null;
  /** Why a skipped task did not run (a condition, done in an earlier run). */
  skipReason: string | null;
  /** The run a "run another job" step started. */
  childRunHref: string | null;
  /** The error, or what a cancel left behind. */
  problem: string;
}

/** What a job run's task row shows besides its state, exit code and duration. */
export function taskExtras(task: TTask, timeZone?: string): TaskExtras {
  return {
    continued: task.tolerated && (task.state === "failed" || task.state === "timed_out"),
    retryAt:
      task.state === "queued" && task.notBefore ? `retry at ${formatClock(task.notBefore, timeZone)}` : null,
    skipReason: task.state === "skipped" ? task.skipReason : null,
    childRunHref: task.childRunId ? `/runs/${encodeURIComponent(task.childRunId)}` : null,
    problem:
      task.error?.message ??
      (task.cancel?.survivors.length ? `${task.cancel.survivors.length} processes survived` : ""),
  };
}

/** A task's outputs as rows, by key. */
export function outputRows(outputs: TTask["outputs"]): { key: string; value: string }[] {
  return Object.entries(outputs ?? {})
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** The label of a job run's task wherever a target name alone would be ambiguous (the log, the files): "web-1 · build". */
export function taskLabel(task: Pick<TTask, "targetName" | "stepKey">): string {
  return task.stepKey ? `${task.targetName} · ${task.stepKey}` : task.targetName;
}

// ---------------------------------------------------------------------------------------------------------
// Retry and resume

/** A finished job run with failures that were not tolerated: "Retry failed targets" and "Resume from failed step". */
export function canRetryJobRun(run: Pick<TRun, "action" | "state" | "counts">): boolean {
  return isJobRun(run) && !isRunActive(run.state) && run.state !== "succeeded" && failedCount(run.counts) > 0;
}

/** A failed target's "Resume this target": on its failed task, once the job run is over. */
export function canResumeTask(
  run: Pick<TRun, "action" | "state">,
  task: Pick<TTask, "state" | "tolerated">,
): boolean {
  return isJobRun(run) && !isRunActive(run.state) && isHardFailure(task);
}

// ---------------------------------------------------------------------------------------------------------
// Lineage

export interface RunLineage {
  chain: TRun[];
  children: TRun[];
  parent: TRun | null;
}

export interface LineageEntry {
  id: string;
  href: string;
  name: string;
  state: TRun["state"];
  createdAt: string;
  /** "first run", "retry of the failed targets", "resume from the failed step". */
  mode: string;
  /** The run whose page this is. */
  current: boolean;
}

export interface LineageView {
  chain: LineageEntry[];
  parent: LineageEntry | null;
  children: LineageEntry[];
  /** Nothing besides the run itself: the panel is left out. */
  isEmpty: boolean;
}

const MODE_LABELS = {
  retry: "retry of the failed targets",
  resume: "resume from the failed step",
} as const;

function entryOf(run: TRun, currentId: string, mode: string): LineageEntry {
  return {
    id: run.id,
    href: `/runs/${encodeURIComponent(run.id)}`,
    name: run.name,
    state: run.state,
    createdAt: run.createdAt,
    mode,
    current: run.id === currentId,
  };
}

/** The chain oldest first (the current run marked), the parent run and the runs the run's steps started. */
export function presentLineage(lineage: RunLineage, currentId: string): LineageView {
  const chain = lineage.chain.map((run, index) =>
    entryOf(run, currentId, index === 0 || !run.retryMode ? "first run" : MODE_LABELS[run.retryMode]),
  );
  const parent = lineage.parent ? entryOf(lineage.parent, currentId, "parent run") : null;
  const children = lineage.children.map((run) => entryOf(run, currentId, "started by a step"));
  return {
    chain,
    parent,
    children,
    isEmpty: chain.filter((entry) => !entry.current).length === 0 && !parent && children.length === 0,
  };
}
