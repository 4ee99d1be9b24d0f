import type { TRun } from "@opsc/contracts/execution/runs";
import { Link } from "react-router";
import {
  elapsedMs,
  formatDuration,
  type RunsPaging,
  type RunsQuery,
  toRunsSearchParams,
} from "../../lib/execution.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { formatAgo } from "../../lib/targets.presenter.ts";
import { CountsBar } from "../execution/counts-bar.tsx";
import { RunStateBadge } from "../execution/state-badges.tsx";
import { CursorPager } from "../ui/cursor-pager.tsx";
import { usePolling } from "../ui/use-polling.ts";

const TRIGGER_LABELS: Record<string, string> = {
  manual: "by hand",
  schedule: "schedule",
  webhook: "webhook",
  job: "another job",
  api: "API",
};

/** The job's runs, newest first, each linking to its page; refreshes while one of them is active. */
export function JobRunsTab({
  jobId,
  runs,
  paging,
}: {
  jobId: string;
  runs: TRun[];
  query: RunsQuery;
  paging: RunsPaging;
}) {
  usePolling(
    runs.some((run) => run.state === "queued" || run.state === "running" || run.state === "cancelling"),
    2_000,
  );
  const href = (query: RunsQuery | null) => {
    if (!query) return null;
    const params = toRunsSearchParams(query);
    params.set("tab", "runs");
    return `/jobs/${jobId}?${params}`;
  };
  if (!runs.length)
    return <p className="text-sm text-slate-500 dark:text-slate-400">This job has not run yet.</p>;
  const now = new Date();
  return (
    <>
      <div className="overflow-x-auto rounded-xl border border-slate-200 dark:border-slate-800">
        <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
            <tr>
              <th scope="col" className="px-4 py-2">
                Run
              </th>
              <th scope="col" className="px-4 py-2">
                State
              </th>
              <th scope="col" className="w-48 px-4 py-2">
                Targets
              </th>
              <th scope="col" className="px-4 py-2">
                Started
              </th>
              <th scope="col" className="px-4 py-2 text-right">
                Duration
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {runs.map((run) => {
              const started = run.startedAt ?? run.createdAt;
              return (
                <tr key={run.id} data-job-run={run.id}>
                  <td className="px-4 py-2">
                    <Link
                      to={`/runs/${run.id}`}
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {run.job ? `v${run.job.version}` : run.name} · {run.id.slice(0, 8)}
                    </Link>
                    <p className="text-xs text-slate-500 dark:text-slate-400">
                      {run.trigger ? (TRIGGER_LABELS[run.trigger.kind] ?? run.trigger.kind) : "by hand"}
                      {run.trigger?.label ? ` · ${run.trigger.label}` : ""}
                    </p>
                  </td>
                  <td className="whitespace-nowrap px-4 py-2">
                    <RunStateBadge state={run.state} />
                  </td>
                  <td className="px-4 py-2">
                    <CountsBar counts={run.counts} />
                  </td>
                  <td
                    className="whitespace-nowrap px-4 py-2 text-slate-600 dark:text-slate-300"
                    title={formatDateTime(started)}
                  >
                    {formatAgo(started, now)}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 text-right tabular-nums text-slate-600 dark:text-slate-300">
                    {formatDuration(elapsedMs(run, now))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <CursorPager
        label="Run pages"
        summary={`${runs.length} runs on this page`}
        page={paging.page}
        first={href(paging.first)}
        previous={href(paging.previous)}
        next={href(paging.next)}
      />
    </>
  );
}
