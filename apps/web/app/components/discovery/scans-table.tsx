import type { TScan } from "@opsc/contracts/discovery/scans";
import { Link, useFetcher } from "react-router";
import type { DiscoveryActionResult } from "../../lib/discovery.client.ts";
import { formatPorts, formatSchedule } from "../../lib/discovery.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { Button } from "../ui/button.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { RunStatusBadge } from "./run-status.tsx";

const th =
  "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
const td = "px-4 py-3 align-top text-sm text-slate-700 dark:text-slate-300";

export type ScanAction = (kind: "edit" | "delete", scan: TScan) => void;

/** `onAction` is set for operators, who run, edit and delete scans; viewers only read. */
export function ScansTable({ scans, onAction }: { scans: TScan[]; onAction: ScanAction | null }) {
  if (!scans.length)
    return (
      <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No scans yet.{onAction ? " Define one with “New scan”." : ""}
      </p>
    );
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 dark:divide-slate-800">
        <thead className="bg-slate-50 dark:bg-slate-900">
          <tr>
            <th className={th}>Name</th>
            <th className={th}>Ranges</th>
            <th className={th}>Ports</th>
            <th className={th}>Schedule</th>
            <th className={th}>Last run</th>
            {onAction ? (
              <th className={th}>
                <span className="sr-only">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {scans.map((scan) => (
            <ScanRow key={scan.id} scan={scan} onAction={onAction} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScanRow({ scan, onAction }: { scan: TScan; onAction: ScanAction | null }) {
  const fetcher = useFetcher<DiscoveryActionResult>();
  useResultToast(fetcher.data);
  return (
    <tr data-scan-row={scan.name}>
      <td className={td}>
        <Link
          to={`/discovery/scans/${scan.id}`}
          className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
        >
          {scan.name}
        </Link>
        <p className="text-xs text-slate-500 dark:text-slate-400">{scan.addressCount} addresses</p>
      </td>
      <td className={`${td} font-mono text-xs`}>{scan.ranges.join(", ")}</td>
      <td className={`${td} font-mono text-xs`}>{formatPorts(scan.ports)}</td>
      <td className={td}>
        {formatSchedule(scan.schedule)}
        {scan.nextRunAt ? (
          <p className="text-xs text-slate-500 dark:text-slate-400">next {formatDateTime(scan.nextRunAt)}</p>
        ) : null}
      </td>
      <td className={td}>
        {scan.lastRun ? (
          <div className="space-y-1">
            <RunStatusBadge status={scan.lastRun.status} />
            <p className="text-xs text-slate-500 dark:text-slate-400">
              {scan.lastRun.hostsFound} hosts ·{" "}
              {formatDateTime(scan.lastRun.finishedAt ?? scan.lastRun.createdAt)}
            </p>
          </div>
        ) : (
          <span className="text-slate-400">Never</span>
        )}
      </td>
      {onAction ? (
        <td className={td}>
          {/* Stacked, so the actions column stays narrow beside the ranges panel. */}
          <div className="flex flex-col items-end gap-1 whitespace-nowrap">
            <fetcher.Form method="post" action="/discovery">
              <input type="hidden" name="intent" value="run-scan" />
              <input type="hidden" name="id" value={scan.id} />
              <input type="hidden" name="label" value={scan.name} />
              <Button
                type="submit"
                variant="secondary"
                size="sm"
                isPending={fetcher.state !== "idle"}
                pendingLabel="Queuing…"
              >
                Run now
              </Button>
            </fetcher.Form>
            <div className="flex gap-1">
              <Button variant="ghost" size="sm" onClick={() => onAction("edit", scan)}>
                Edit
              </Button>
              <Button
                variant="ghost"
                size="sm"
                className="text-red-600 dark:text-red-400"
                onClick={() => onAction("delete", scan)}
              >
                Delete
              </Button>
            </div>
          </div>
        </td>
      ) : null}
    </tr>
  );
}
