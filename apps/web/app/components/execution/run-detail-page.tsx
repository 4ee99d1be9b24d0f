import type { TRun, TTask, TTaskState } from "@opsc/contracts/execution/runs";
import { useCallback, useMemo, useState } from "react";
import { Link, useFetcher, useSearchParams } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import type { ExecutionActionResult, ExecutionLiveApi, RunDetail } from "../../lib/execution.client.ts";
import {
  describeAction,
  elapsedMs,
  failedCount,
  formatDuration,
  formatFailureThreshold,
  isRunActive,
  isTaskState,
  RUN_POLL_MS,
  whoLabel,
} from "../../lib/execution.presenter.ts";
import { canRetryJobRun, isJobRun, STRATEGY_LABELS, taskLabel } from "../../lib/execution-jobs.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { usePolling } from "../ui/use-polling.ts";
import { ArtifactsCard } from "./artifacts-card.tsx";
import { CountsBar } from "./counts-bar.tsx";
import { JobRunAlerts, JobRunDescription, ParametersList } from "./job-run-header.tsx";
import { LineageCard } from "./lineage-card.tsx";
import { LogViewer } from "./log-viewer.tsx";
import { RunStateBadge } from "./state-badges.tsx";
import { StepsCard } from "./steps-card.tsx";
import { TaskDetailCard } from "./task-detail-card.tsx";
import { TaskGrid } from "./task-grid.tsx";

/**
 * One run: its state and counters (polled while it is active), Cancel and "Retry failed" for operators, the
 * targets' grid, the live output and the files the tasks saved. The grid's filter (`?state=`, `?q=`) and the target
 * whose output and files are shown (`?task=`) are kept in the URL. A job run also shows its job, trigger and
 * parameters, its steps, its lineage (retries, resumes, parent and child runs) and the selected task's details;
 * operators resume its failed targets from the step where they failed.
 */
export function RunDetailPage({ detail, api }: { detail: RunDetail; api: ExecutionLiveApi }) {
  const { run } = detail;
  const { effectiveRole, user } = useProfile();
  const isOperator = hasRole(effectiveRole, "operator");
  const active = isRunActive(run.state);
  const jobRun = isJobRun(run);
  usePolling(active, RUN_POLL_MS);

  const [params, setParams] = useSearchParams();
  const stateParam = params.get("state") ?? "";
  const taskState: TTaskState | null = isTaskState(stateParam) ? stateParam : null;
  const search = (params.get("q") ?? "").slice(0, 100);
  const selectedTaskId = params.get("task");

  const change = useCallback(
    (values: Record<string, string | null>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(values)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true, preventScrollReset: true },
      ),
    [setParams],
  );
  const onFilter = useCallback(
    (filter: { state?: TTaskState | null; search?: string }) =>
      change({
        ...(filter.state !== undefined ? { state: filter.state } : {}),
        ...(filter.search !== undefined ? { q: filter.search } : {}),
      }),
    [change],
  );
  const [selectedName, setSelectedName] = useState<string | null>(null);
  const onSelect = useCallback(
    (task: TTask) => {
      setSelectedName(taskLabel(task));
      change({ task: task.id === selectedTaskId ? null : task.id });
    },
    [change, selectedTaskId],
  );
  const onShowAll = useCallback(() => change({ task: null }), [change]);

  // Task id → target name for the log's line prefixes, from every task page loaded so far.
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const onLoaded = useCallback((tasks: readonly TTask[]) => {
    setNames((current) => {
      if (tasks.every((task) => current.has(task.id))) return current;
      const next = new Map(current);
      // A job run has a task per step on each target: "web-1 · build" tells them apart.
      for (const task of tasks) next.set(task.id, taskLabel(task));
      return next;
    });
  }, []);

  const selectedTask = useMemo(
    () => (selectedTaskId ? { id: selectedTaskId, name: names.get(selectedTaskId) ?? selectedName } : null),
    [selectedTaskId, names, selectedName],
  );

  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/runs" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Runs
        </Link>
      </p>
      <PageHeader
        title={run.name}
        description={
          run.action ? (
            <span className="font-mono">{describeAction(run.action)}</span>
          ) : (
            <JobRunDescription run={run} />
          )
        }
        actions={isOperator ? <RunActions run={run} /> : null}
      />
      <div className="space-y-6">
        <RunSummary detail={detail} me={user.id} />
        {jobRun ? <StepsCard run={run} api={api} /> : null}
        {detail.lineage ? <LineageCard lineage={detail.lineage} runId={run.id} /> : null}
        <TaskGrid
          run={run}
          api={api}
          state={taskState}
          search={search}
          selectedTaskId={selectedTaskId}
          canResume={isOperator && jobRun}
          onFilter={onFilter}
          onSelect={onSelect}
          onLoaded={onLoaded}
        />
        {jobRun && selectedTaskId ? (
          <TaskDetailCard run={run} api={api} taskId={selectedTaskId} onClose={onShowAll} />
        ) : null}
        <LogViewer
          run={run}
          active={active}
          api={api}
          names={names}
          task={selectedTask}
          onShowAll={onShowAll}
        />
        <ArtifactsCard run={run} api={api} names={names} task={selectedTask} onShowAll={onShowAll} />
      </div>
    </>
  );
}

/**
 * Cancel while the run is active (after a confirmation); once it is over with failures, "Retry failed" for an ad-hoc
 * run, "Retry failed targets" (from the first step) and "Resume from failed step" for a job run.
 */
function RunActions({ run }: { run: TRun }) {
  const canceller = useFetcher<ExecutionActionResult>({ key: `cancel-${run.id}` });
  const retrier = useFetcher<ExecutionActionResult>({ key: `retry-${run.id}` });
  useResultToast(canceller.data);
  useResultToast(retrier.data);
  const [confirming, setConfirming] = useState(false);
  const failures = failedCount(run.counts);
  const canCancel = isRunActive(run.state) && run.state !== "cancelling";
  const jobRun = isJobRun(run);
  const canRetry = jobRun ? canRetryJobRun(run) : !isRunActive(run.state) && failures > 0;
  if (!canCancel && !canRetry) return null;
  const retrying = retrier.state !== "idle" ? retrier.formData?.get("intent") : null;
  return (
    <div className="flex flex-wrap gap-2">
      {canRetry && jobRun ? (
        <retrier.Form method="post" className="flex flex-wrap gap-2">
          <input type="hidden" name="id" value={run.id} />
          <Button
            type="submit"
            name="intent"
            value="resume"
            isPending={retrying === "resume"}
            disabled={!!retrying}
            pendingLabel="Starting…"
            title="Each failed target again from the step where it failed, with the earlier steps' outputs"
          >
            Resume from failed step
          </Button>
          <Button
            type="submit"
            name="intent"
            value="retry"
            variant="secondary"
            isPending={retrying === "retry"}
            disabled={!!retrying}
            pendingLabel="Starting…"
            title="Each failed target again from the first step"
          >
            Retry failed targets
          </Button>
        </retrier.Form>
      ) : canRetry ? (
        <retrier.Form method="post">
          <input type="hidden" name="intent" value="retry" />
          <input type="hidden" name="id" value={run.id} />
          <Button type="submit" isPending={retrier.state !== "idle"} pendingLabel="Starting…">
            Retry failed ({failures.toLocaleString()})
          </Button>
        </retrier.Form>
      ) : null}
      {canCancel ? (
        <>
          <Button variant="danger" onClick={() => setConfirming(true)}>
            Cancel
          </Button>
          <Dialog
            open={confirming}
            onClose={() => setConfirming(false)}
            title={`Cancel ${run.name}?`}
            description="Targets that have not started are skipped; running commands are stopped (TERM, then KILL)."
          >
            <canceller.Form
              method="post"
              className="flex justify-end gap-2"
              onSubmit={() => setConfirming(false)}
            >
              <input type="hidden" name="intent" value="cancel" />
              <input type="hidden" name="id" value={run.id} />
              <Button variant="secondary" onClick={() => setConfirming(false)}>
                Keep running
              </Button>
              <Button
                type="submit"
                variant="danger"
                isPending={canceller.state !== "idle"}
                pendingLabel="Cancelling…"
              >
                Cancel run
              </Button>
            </canceller.Form>
          </Dialog>
        </>
      ) : null}
    </div>
  );
}

function RunSummary({ detail, me }: { detail: RunDetail; me: string }) {
  const { run, retried, names } = detail;
  const now = new Date();
  const action = run.action;
  const facts: [string, string][] = action
    ? [
        ["Started by", whoLabel(run.createdBy, me, names)],
        ["Created", formatDateTime(run.createdAt)],
        ["Started", formatDateTime(run.startedAt)],
        ["Finished", formatDateTime(run.finishedAt)],
        ["Targets", run.selector ?? "chosen by id"],
        ["Runs on", run.runOn === "local" ? "the worker host (local)" : "each target"],
        ["Timeout", `${formatDuration(run.timeoutSeconds * 1000)} per target`],
        ["Fan-out", run.fanOut ? `${run.fanOut.toLocaleString()} at a time` : "all at once"],
        ["Failure threshold", formatFailureThreshold(run.failureThreshold)],
        ["sudo", run.sudo ? "yes" : "no"],
        ["Environment", run.envNames.length ? run.envNames.join(", ") : "none"],
      ]
    : // A job run: where and how long each step runs is the step's own (the steps panel).
      [
        ["Started by", whoLabel(run.createdBy, me, names)],
        ["Created", formatDateTime(run.createdAt)],
        ["Started", formatDateTime(run.startedAt)],
        ["Finished", formatDateTime(run.finishedAt)],
        ["Targets", run.selector ?? "chosen by id"],
        ["Order", run.strategy ? STRATEGY_LABELS[run.strategy] : "—"],
        ["Fan-out", run.fanOut ? `${run.fanOut.toLocaleString()} at a time` : "all at once"],
        ["Failure threshold", formatFailureThreshold(run.failureThreshold)],
      ];
  return (
    <Card id="summary" title="Summary">
      <div className="space-y-4" data-run={run.state} data-run-id={run.id}>
        <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
          <RunStateBadge state={run.state} />
          <span className="text-slate-600 dark:text-slate-300">
            Duration{" "}
            <span className="font-medium tabular-nums text-slate-900 dark:text-white" data-run-duration>
              {formatDuration(elapsedMs(run, now))}
            </span>
          </span>
          {retried ? (
            <span className="text-slate-600 dark:text-slate-300">
              {run.retryMode === "resume" ? "Resumes" : "Retries"}{" "}
              <Link
                to={`/runs/${retried.id}`}
                className="text-indigo-700 hover:underline dark:text-indigo-300"
                data-retry-of
              >
                {retried.name}
              </Link>
            </span>
          ) : null}
        </div>
        <CountsBar counts={run.counts} legend />
        {run.stopReason ? (
          <Alert tone={run.state === "failed" ? "error" : "warning"}>
            <span data-stop-reason>Stopped: {run.stopReason}</span>
          </Alert>
        ) : null}
        {action ? null : <JobRunAlerts run={run} />}
        {action && (action.type === "command" || action.type === "script") ? (
          <div>
            <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
              {action.type === "command" ? "Command" : "Script"} · {action.shell}
            </p>
            <pre className="max-h-48 overflow-auto rounded-lg bg-slate-100 px-3 py-2 font-mono text-xs text-slate-800 dark:bg-slate-950 dark:text-slate-200">
              {action.type === "command" ? action.command : action.script}
            </pre>
          </div>
        ) : null}
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2 lg:grid-cols-3">
          {facts.map(([label, value]) => (
            <div key={label} className="min-w-0">
              <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd className="truncate text-slate-800 dark:text-slate-200" title={value}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
        {action ? null : <ParametersList parameters={run.parameters} />}
      </div>
    </Card>
  );
}
