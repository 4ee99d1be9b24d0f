import type { TRun } from "@opsc/contracts/execution/runs";
import { Link } from "react-router";
import { type RunsPaging, type RunsQuery, toRunsSearchParams } from "../../lib/execution.presenter.ts";
import { RunProgressCells, RunTimeCells } from "../execution/run-cells.tsx";
import { CursorPager } from "../ui/cursor-pager.tsx";
import { ListTable } from "../ui/list-table.tsx";
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
      <ListTable
        frame="plain"
        columns={[
          { label: "Run" },
          { label: "State" },
          { label: "Targets", className: "w-48 px-4 py-2" },
          { label: "Started" },
          { label: "Duration", className: "px-4 py-2 text-right" },
        ]}
        cellClass="px-4 py-2"
        hasSmallText
      >
        {runs.map((run) => {
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
              <RunProgressCells run={run} cell="px-4 py-2" />
              <RunTimeCells run={run} now={now} cell="px-4 py-2" />
            </tr>
          );
        })}
      </ListTable>
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
