import type { TRun } from "@opsc/contracts/execution/runs";
import { useEffect, useId, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import type { RunsPage as RunsPageData } from "../../lib/execution.client.ts";
import {
  describeRunWork,
  isRunActive,
  isRunState,
  LIST_POLL_MS,
  RUN_STATE_LABELS,
  RUN_STATES,
  type RunsQuery,
  runsHref,
  whoLabel,
} from "../../lib/execution.presenter.ts";
import { jobOf } from "../../lib/execution-jobs.presenter.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { buttonClass } from "../ui/button.tsx";
import { CursorPager } from "../ui/cursor-pager.tsx";
import { inputClass } from "../ui/field.tsx";
import { EmptyListNote, ListTable } from "../ui/list-table.tsx";
import { usePolling } from "../ui/use-polling.ts";
import { RunProgressCells, RunTimeCells } from "./run-cells.tsx";

export function RunsPage({ page }: { page: RunsPageData }) {
  const { effectiveRole, user } = useProfile();
  const canRun = hasRole(effectiveRole, "operator");
  // Runs on screen that are still going: the list refreshes itself until they are over.
  usePolling(
    page.runs.some((run) => isRunActive(run.state)),
    LIST_POLL_MS,
  );
  const href = (query: RunsQuery | null) => (query ? runsHref(query) : null);
  return (
    <>
      <PageHeader
        title="Runs"
        description="Commands and scripts run on targets: who started them, how they went, and their output."
        actions={
          canRun ? (
            <Link to="/runs/new" className={buttonClass()}>
              Run command
            </Link>
          ) : null
        }
      />
      <RunsFilters query={page.query} job={page.job} />
      <RunsTable runs={page.runs} me={user.id} names={page.names} />
      <CursorPager
        label="Run pages"
        summary={page.runs.length ? `${page.runs.length} runs on this page` : "No runs"}
        page={page.paging.page}
        first={href(page.paging.first)}
        previous={href(page.paging.previous)}
        next={href(page.paging.next)}
      />
    </>
  );
}

/**
 * State and "mine", in the URL; a change starts over at the first page (the cursors belong to the old filter). The
 * job filter comes from a link (`?jobId=`, the job's page) and is shown with a way to drop it.
 */
function RunsFilters({ query, job }: { query: RunsQuery; job: RunsPageData["job"] }) {
  const navigate = useNavigate();
  const ids = { state: useId(), mine: useId() };
  // The controls show what was picked at once, while the list for it loads; back and forward move them too.
  const [shown, setShown] = useState({ state: query.state, mine: query.mine });
  useEffect(() => setShown({ state: query.state, mine: query.mine }), [query.state, query.mine]);
  const apply = (change: Partial<RunsQuery>) => {
    const next = { ...query, ...shown, ...change, cursors: [] };
    setShown({ state: next.state, mine: next.mine });
    navigate(runsHref(next));
  };
  return (
    <search className="mb-4 flex flex-wrap items-end gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="w-48">
        <label
          htmlFor={ids.state}
          className="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-200"
        >
          State
        </label>
        <select
          id={ids.state}
          value={shown.state ?? ""}
          onChange={(event) => {
            const value = event.target.value;
            apply({ state: isRunState(value) ? value : null });
          }}
          className={inputClass}
        >
          <option value="">All states</option>
          {RUN_STATES.map((state) => (
            <option key={state} value={state}>
              {RUN_STATE_LABELS[state]}
            </option>
          ))}
        </select>
      </div>
      <div className="flex items-center gap-2 pb-2">
        <input
          id={ids.mine}
          type="checkbox"
          checked={shown.mine}
          onChange={(event) => apply({ mine: event.target.checked })}
          className="size-4 rounded border-slate-300 text-indigo-600 focus:ring-2 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900"
        />
        <label htmlFor={ids.mine} className="text-sm text-slate-700 dark:text-slate-200">
          Only runs I started
        </label>
      </div>
      {job ? (
        <p
          className="flex items-center gap-2 pb-2 text-sm text-slate-700 dark:text-slate-200"
          data-job-filter={job.id}
        >
          Runs of job{" "}
          <Link
            to={`/jobs/${encodeURIComponent(job.id)}`}
            className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {job.name ?? job.id.slice(0, 8)}
          </Link>
          <Link
            to={runsHref({ ...query, ...shown, jobId: null, cursors: [] })}
            className="rounded px-1.5 text-xs text-slate-500 hover:bg-slate-100 hover:text-slate-700 dark:text-slate-400 dark:hover:bg-slate-800"
          >
            Show all jobs' runs
          </Link>
        </p>
      ) : null}
    </search>
  );
}

function RunsTable({ runs, me, names }: { runs: TRun[]; me: string; names: Record<string, string> }) {
  if (!runs.length) return <EmptyListNote>No runs match these filters.</EmptyListNote>;
  const now = new Date();
  return (
    <ListTable
      frame="card"
      columns={[
        { label: "Run" },
        { label: "Job" },
        { label: "State" },
        { label: "Targets", className: "w-48 px-4 py-3" },
        { label: "Started by" },
        { label: "Started" },
        { label: "Duration", className: "px-4 py-3 text-right" },
      ]}
      cellClass="px-4 py-3"
      hasSmallText
    >
      {runs.map((run) => {
        const job = jobOf(run);
        return (
          <tr key={run.id} data-run-row={run.name} data-run-id={run.id}>
            <td className="max-w-80 px-4 py-3">
              <Link
                to={`/runs/${run.id}`}
                className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
              >
                {run.name}
              </Link>
              <p
                className="truncate font-mono text-xs text-slate-500 dark:text-slate-400"
                title={describeRunWork(run)}
              >
                {run.selector ?? "chosen targets"}
                {run.runOn === "local" ? " · on the worker" : ""}
              </p>
            </td>
            <td className="whitespace-nowrap px-4 py-3" data-run-job={job ? job.name : ""}>
              {job ? (
                <>
                  <Link
                    to={job.href}
                    className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {job.name}
                  </Link>
                  <p className="text-xs text-slate-500 dark:text-slate-400">{job.version}</p>
                </>
              ) : (
                <span className="text-slate-400 dark:text-slate-500" title="An ad-hoc run">
                  —
                </span>
              )}
            </td>
            <RunProgressCells run={run} cell="px-4 py-3" />
            <td className="whitespace-nowrap px-4 py-3 text-slate-600 dark:text-slate-300">
              {whoLabel(run.createdBy, me, names)}
            </td>
            <RunTimeCells run={run} now={now} cell="px-4 py-3" />
          </tr>
        );
      })}
    </ListTable>
  );
}
