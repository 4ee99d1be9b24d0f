import type { TRun, TTask } from "@opsc/contracts/execution/runs";
import { Link, useFetcher } from "react-router";
import type { ExecutionActionResult } from "../../lib/execution.client.ts";
import { elapsedMs, formatDuration } from "../../lib/execution.presenter.ts";
import { canResumeTask, taskExtras } from "../../lib/execution-jobs.presenter.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { TaskStateBadge } from "./state-badges.tsx";

// Whole class names, so Tailwind sees them: an ad-hoc run's grid as it always was, a job run's with the step, the
// details and an action column.
export const AD_HOC_COLUMNS =
  "grid grid-cols-[minmax(12rem,2fr)_7rem_4.5rem_6rem_minmax(10rem,3fr)] items-center gap-3";
export const JOB_COLUMNS =
  "grid grid-cols-[minmax(10rem,2fr)_minmax(5rem,1fr)_10rem_3.5rem_5.5rem_minmax(10rem,3fr)_9rem] items-center gap-3";

const rowClass = (selected: boolean) =>
  `h-full border-b border-slate-100 px-3 text-sm dark:border-slate-800/60 ${
    selected ? "bg-indigo-50 dark:bg-indigo-500/10" : ""
  }`;

function TargetButton({
  task,
  selected,
  onSelect,
}: {
  task: TTask;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <button
      type="button"
      onClick={onSelect}
      aria-pressed={selected}
      title={`Show only the output of ${task.targetName}`}
      className="min-w-0 truncate rounded text-left focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
    >
      <span className="font-medium text-indigo-700 hover:underline dark:text-indigo-300">
        {task.targetName}
      </span>{" "}
      <span className="font-mono text-xs text-slate-500 dark:text-slate-400">{task.targetAddress}</span>
    </button>
  );
}

/** A target of an ad-hoc run. */
export function TaskRow({
  task,
  now,
  selected,
  onSelect,
}: {
  task: TTask;
  now: Date;
  selected: boolean;
  onSelect: () => void;
}) {
  const problem =
    task.error?.message ??
    (task.cancel?.survivors.length ? `${task.cancel.survivors.length} processes survived` : "");
  return (
    <div
      data-task-row={task.targetName}
      aria-current={selected ? "true" : undefined}
      className={`${AD_HOC_COLUMNS} ${rowClass(selected)}`}
    >
      <TargetButton task={task} selected={selected} onSelect={onSelect} />
      <span>
        <TaskStateBadge state={task.state} />
      </span>
      <span className="font-mono text-xs tabular-nums text-slate-600 dark:text-slate-300">
        {task.exitCode ?? "—"}
      </span>
      <span className="text-xs tabular-nums text-slate-600 dark:text-slate-300">
        {formatDuration(elapsedMs(task, now))}
      </span>
      <span className="truncate text-xs text-red-700 dark:text-red-300" title={problem}>
        {problem}
      </span>
    </div>
  );
}

/** A step on a target of a job run. */
export function JobTaskRow({
  run,
  task,
  now,
  selected,
  canResume,
  onSelect,
}: {
  run: TRun;
  task: TTask;
  now: Date;
  selected: boolean;
  canResume: boolean;
  onSelect: () => void;
}) {
  const extras = taskExtras(task);
  const details = [extras.retryAt, extras.skipReason, extras.problem].filter(Boolean).join(" · ");
  return (
    <div
      data-task-row={task.targetName}
      data-task-step={task.stepKey ?? ""}
      aria-current={selected ? "true" : undefined}
      className={`${JOB_COLUMNS} ${rowClass(selected)}`}
    >
      <TargetButton task={task} selected={selected} onSelect={onSelect} />
      <span
        className="truncate font-mono text-xs text-slate-700 dark:text-slate-200"
        title={task.stepKey ?? ""}
      >
        {task.stepKey ?? "—"}
      </span>
      <span className="flex items-center gap-1">
        <TaskStateBadge state={task.state} />
        {extras.continued ? (
          <span data-task-continued title="Failed, but the step continues on error">
            <Badge tone="amber">continued</Badge>
          </span>
        ) : null}
      </span>
      <span className="font-mono text-xs tabular-nums text-slate-600 dark:text-slate-300">
        {task.exitCode ?? "—"}
      </span>
      <span className="text-xs tabular-nums text-slate-600 dark:text-slate-300">
        {formatDuration(elapsedMs(task, now))}
      </span>
      <span className="flex min-w-0 items-center gap-2 text-xs" title={details}>
        {extras.childRunHref ? (
          <Link
            to={extras.childRunHref}
            className="shrink-0 font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            data-task-child-run
          >
            Child run
          </Link>
        ) : null}
        {extras.retryAt ? (
          <span className="shrink-0 text-amber-700 dark:text-amber-300" data-task-retry-at>
            {extras.retryAt}
          </span>
        ) : null}
        {extras.skipReason ? (
          <span className="truncate text-slate-500 dark:text-slate-400" data-task-skip-reason>
            {extras.skipReason}
          </span>
        ) : null}
        {extras.problem ? (
          <span className="truncate text-red-700 dark:text-red-300" data-task-problem>
            {extras.problem}
          </span>
        ) : null}
      </span>
      <span className="flex justify-end">
        {canResume && canResumeTask(run, task) ? <ResumeTargetButton run={run} task={task} /> : null}
      </span>
    </div>
  );
}

/** Runs this target again from the step where it failed, as a new run (the page moves to it). */
function ResumeTargetButton({ run, task }: { run: TRun; task: TTask }) {
  // Keyed by target, so the pending state survives the row scrolling out of the virtualized list and back.
  const fetcher = useFetcher<ExecutionActionResult>({ key: `resume-${run.id}-${task.targetId}` });
  useResultToast(fetcher.data);
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="resume-target" />
      <input type="hidden" name="id" value={run.id} />
      <input type="hidden" name="targetId" value={task.targetId} />
      <Button
        type="submit"
        size="sm"
        variant="secondary"
        isPending={fetcher.state !== "idle"}
        pendingLabel="Starting…"
        title={`Run ${task.targetName} again from step ${task.stepKey ?? ""}, with the earlier steps' outputs`}
      >
        Resume this target
      </Button>
    </fetcher.Form>
  );
}
