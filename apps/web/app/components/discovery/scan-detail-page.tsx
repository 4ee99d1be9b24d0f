import type { TScanRun } from "@opsc/contracts/discovery/runs";
import { useCallback, useState } from "react";
import { Link, useFetcher, useLocation, useNavigate } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import type { DiscoveryActionResult, ScanDetail } from "../../lib/discovery.client.ts";
import {
  describeProgress,
  formatPorts,
  formatSchedule,
  isRunActive,
  type Paging,
  POLL_MS,
  progressPercent,
  runHref,
} from "../../lib/discovery.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { usePolling } from "../ui/use-polling.ts";
import { DiffPanel } from "./diff-panel.tsx";
import { Pager } from "./pager.tsx";
import { ResultsTable } from "./results-table.tsx";
import { RunStatusBadge } from "./run-status.tsx";
import { DeleteScanDialog, EditScanDialog } from "./scan-dialogs.tsx";

export function ScanDetailPage({ detail }: { detail: ScanDetail }) {
  const { scan, runs, run, paging } = detail;
  const { effectiveRole } = useProfile();
  // Running, changing and deleting scans are the operator's (the API's roles).
  const isOperator = hasRole(effectiveRole, "operator");
  // A running scan's progress and results appear by themselves.
  usePolling(
    runs.some((candidate) => isRunActive(candidate.status)) || (run !== null && isRunActive(run.status)),
    POLL_MS,
  );
  const runner = useFetcher<DiscoveryActionResult>();
  useResultToast(runner.data);
  const [dialog, setDialog] = useState<"edit" | "delete" | null>(null);
  const close = useCallback(() => setDialog(null), []);
  const navigate = useNavigate();
  const leave = useCallback(() => navigate("/discovery"), [navigate]);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/discovery" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Discovery
        </Link>
      </p>
      <PageHeader
        title={scan.name}
        description={
          <>
            <span className="font-mono">{scan.ranges.join(", ")}</span> · ports{" "}
            <span className="font-mono">{formatPorts(scan.ports, 20)}</span> · {formatSchedule(scan.schedule)}
          </>
        }
        actions={
          isOperator ? (
            <div className="flex flex-wrap gap-2">
              <runner.Form method="post">
                <input type="hidden" name="intent" value="run-scan" />
                <input type="hidden" name="id" value={scan.id} />
                <input type="hidden" name="label" value={scan.name} />
                <Button type="submit" isPending={runner.state !== "idle"} pendingLabel="Queuing…">
                  Run now
                </Button>
              </runner.Form>
              <Button variant="secondary" onClick={() => setDialog("edit")}>
                Edit
              </Button>
              <Button
                variant="secondary"
                className="text-red-600 dark:text-red-400"
                onClick={() => setDialog("delete")}
              >
                Delete
              </Button>
            </div>
          ) : null
        }
      />
      <div className="space-y-6">
        <RunsList runs={runs} paging={paging} selected={run?.id ?? null} />
        {run ? <RunPanel detail={detail} run={run} canManage={isOperator} /> : null}
      </div>
      {isOperator ? (
        <>
          <EditScanDialog scan={dialog === "edit" ? scan : null} onClose={close} />
          <DeleteScanDialog scan={dialog === "delete" ? scan : null} onClose={close} onDeleted={leave} />
        </>
      ) : null}
    </>
  );
}

function RunsList({ runs, paging, selected }: { runs: TScanRun[]; paging: Paging; selected: string | null }) {
  const { search } = useLocation();
  return (
    <Card id="runs" title="Runs" description="Newest first; pick one to see what it found.">
      {runs.length ? (
        <ul className="mb-3 divide-y divide-slate-200 dark:divide-slate-800">
          {runs.map((run) => (
            <li key={run.id} data-run-row={run.id} className="flex flex-wrap items-center gap-3 py-2 text-sm">
              <RunStatusBadge status={run.status} />
              <Link
                to={runHref(search, run.id)}
                preventScrollReset
                aria-current={run.id === selected ? "true" : undefined}
                className={`hover:underline ${
                  run.id === selected
                    ? "font-semibold text-slate-900 dark:text-white"
                    : "text-indigo-700 dark:text-indigo-300"
                }`}
              >
                {formatDateTime(run.createdAt)}
              </Link>
              <span className="text-slate-500 dark:text-slate-400">
                {run.trigger === "schedule" ? "scheduled" : "manual"} · {describeProgress(run.progress)}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">This scan has not run yet.</p>
      )}
      <Pager paging={paging} label="Run pages" />
    </Card>
  );
}

function RunPanel({ detail, run, canManage }: { detail: ScanDetail; run: TScanRun; canManage: boolean }) {
  const active = isRunActive(run.status);
  const percent = progressPercent(run.progress);
  const canceller = useFetcher<DiscoveryActionResult>();
  useResultToast(canceller.data);
  return (
    <>
      <Card
        id="run"
        title={`Run of ${formatDateTime(run.createdAt)}`}
        actions={
          canManage && active && !run.cancelRequested ? (
            <canceller.Form method="post">
              <input type="hidden" name="intent" value="cancel-run" />
              <input type="hidden" name="id" value={run.id} />
              <Button type="submit" variant="secondary" size="sm" isPending={canceller.state !== "idle"}>
                Cancel run
              </Button>
            </canceller.Form>
          ) : null
        }
      >
        <div className="space-y-3" data-run={run.status} data-run-id={run.id}>
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <RunStatusBadge status={run.status} />
            <span className="text-slate-600 dark:text-slate-300">{describeProgress(run.progress)}</span>
            {run.finishedAt ? (
              <span className="text-slate-500 dark:text-slate-400">
                finished {formatDateTime(run.finishedAt)}
              </span>
            ) : null}
          </div>
          <div
            role="progressbar"
            aria-label="Run progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            className="h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
          >
            <div
              className={`h-full rounded-full ${run.status === "failed" ? "bg-red-500" : "bg-indigo-500"} transition-all`}
              style={{ width: `${run.status === "completed" ? 100 : percent}%` }}
            />
          </div>
          {run.error ? <Alert tone="error">{run.error}</Alert> : null}
          {active ? (
            <p className="text-xs text-slate-500 dark:text-slate-400">Updating every few seconds…</p>
          ) : null}
        </div>
      </Card>
      {run.status === "completed" ? (
        <>
          <Card id="results" title="Results" description="Hosts with at least one open port.">
            <ResultsTable hosts={detail.hosts} />
          </Card>
          {detail.diff ? <DiffPanel diff={detail.diff} runId={run.id} canImport={canManage} /> : null}
        </>
      ) : null}
    </>
  );
}
