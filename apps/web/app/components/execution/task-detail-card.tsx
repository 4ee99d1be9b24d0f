import type { TRun, TTask } from "@opsc/contracts/execution/runs";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import { elapsedMs, formatDuration } from "../../lib/execution.presenter.ts";
import { outputRows, taskExtras, taskLabel } from "../../lib/execution-jobs.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { TaskStateBadge } from "./state-badges.tsx";

/**
 * The selected task of a job run (`?task=`): its step, attempts, why it was skipped or what failed, the run its
 * step started, and the outputs it printed (`::output key=value`), which later steps on its target receive. Loaded
 * again whenever the run's counters move, so it follows the task while it runs.
 */
export function TaskDetailCard({
  run,
  api,
  taskId,
  onClose,
}: {
  run: TRun;
  api: ExecutionLiveApi;
  taskId: string;
  onClose: () => void;
}) {
  const [loaded, setLoaded] = useState<{ task: TTask | null; failed: boolean }>({
    task: null,
    failed: false,
  });
  const refreshKey = `${run.state}|${JSON.stringify(run.counts)}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the trigger
  useEffect(() => {
    const controller = new AbortController();
    api
      .getTask(taskId, controller.signal)
      .then((task) => setLoaded({ task, failed: false }))
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === "AbortError"))
          setLoaded((current) => ({ task: current.task, failed: true }));
      });
    return () => controller.abort();
  }, [api, taskId, refreshKey]);

  const task = loaded.task?.id === taskId ? loaded.task : null;
  const step = task ? run.steps[task.stepIndex] : undefined;
  return (
    <Card
      id="task-detail"
      title={task ? taskLabel(task) : "Task"}
      description={step ? `Step ${task!.stepIndex + 1}: ${step.name}` : undefined}
      actions={
        <Button variant="ghost" size="sm" onClick={onClose} aria-label="Close the task's details">
          Close
        </Button>
      }
    >
      {task ? (
        <TaskFacts task={task} />
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          {loaded.failed ? "The task could not be loaded." : "Loading…"}
        </p>
      )}
    </Card>
  );
}

function TaskFacts({ task }: { task: TTask }) {
  const extras = taskExtras(task);
  const outputs = outputRows(task.outputs);
  const facts: [string, string][] = [
    ["Target", `${task.targetName} (${task.targetAddress})`],
    ["Attempt", String(task.attempt)],
    ["Step retries used", String(task.retries)],
    ["Exit code", task.exitCode === null ? "—" : String(task.exitCode)],
    ["Started", formatDateTime(task.startedAt)],
    ["Finished", formatDateTime(task.finishedAt)],
    ["Duration", formatDuration(elapsedMs(task, new Date()))],
  ];
  return (
    <div className="space-y-4" data-task-detail={task.id}>
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <TaskStateBadge state={task.state} />
        {extras.continued ? <Badge tone="amber">continued</Badge> : null}
        {extras.retryAt ? <span className="text-amber-700 dark:text-amber-300">{extras.retryAt}</span> : null}
        {extras.childRunHref ? (
          <Link
            to={extras.childRunHref}
            className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
            data-task-detail-child-run
          >
            The run this step started
          </Link>
        ) : null}
      </div>
      {extras.problem ? <Alert tone="error">{extras.problem}</Alert> : null}
      {extras.skipReason ? <Alert tone="info">Skipped: {extras.skipReason}</Alert> : null}
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-4">
        {facts.map(([label, value]) => (
          <div key={label} className="min-w-0">
            <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
            <dd className="truncate text-slate-800 dark:text-slate-200" title={value}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <div>
        <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
          Outputs
        </p>
        {outputs.length ? (
          <table className="min-w-full text-sm" aria-label="Outputs">
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {outputs.map((row) => (
                <tr key={row.key} data-task-output={row.key}>
                  <th
                    scope="row"
                    className="w-48 py-1 pr-4 text-left align-top font-mono text-xs font-normal text-slate-500 dark:text-slate-400"
                  >
                    {row.key}
                  </th>
                  <td
                    className="break-all py-1 font-mono text-xs text-slate-800 dark:text-slate-200"
                    data-value
                  >
                    {row.value}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-slate-500 dark:text-slate-400">
            None. A step sets one by printing <code className="font-mono">::output key=value</code>.
          </p>
        )}
      </div>
    </div>
  );
}
