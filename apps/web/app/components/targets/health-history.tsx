import { lazy, Suspense } from "react";
import {
  HEALTH_COLORS,
  HEALTH_LABELS,
  HEALTH_STATUSES,
  type HealthCheck,
  presentHealthHistory,
} from "../../lib/targets.presenter.ts";
import { Badge } from "../ui/badge.tsx";
import { Card } from "../ui/card.tsx";

const HealthChart = lazy(() => import("./health-chart.tsx"));

function ChartPlaceholder() {
  return (
    <div className="h-48 w-full animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800" aria-hidden="true" />
  );
}

/** Latency over time coloured by status, and the latest checks as a list. */
export function HealthHistory({ checks }: { checks: HealthCheck[] }) {
  const view = presentHealthHistory(checks, new Date());
  return (
    <Card
      id="health-history"
      title="Health history"
      description={view.summary ?? "Latency of each health check, coloured by the status it found."}
    >
      {view.points.length === 0 ? (
        <p
          className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400"
          data-health-empty
        >
          No health checks yet. They start once a health worker runs and the target is enabled and not in
          maintenance; a connection test does not add to this history.
        </p>
      ) : (
        <div className="space-y-4">
          <Suspense fallback={<ChartPlaceholder />}>
            <HealthChart points={view.points} />
          </Suspense>
          <ul className="flex flex-wrap gap-3 text-xs text-slate-500 dark:text-slate-400" aria-label="Legend">
            {HEALTH_STATUSES.map((status) => (
              <li key={status} className="flex items-center gap-1.5">
                <span className="size-2.5 rounded-full" style={{ backgroundColor: HEALTH_COLORS[status] }} />
                {HEALTH_LABELS[status]}
              </li>
            ))}
            <li className="flex items-center gap-1.5">
              <span aria-hidden="true" className="font-bold text-red-500">
                ×
              </span>
              no latency (no answer)
            </li>
          </ul>
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm" data-health-checks>
              <caption className="sr-only">Latest health checks</caption>
              <thead className="text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-2 pr-4">
                    Checked
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Status
                  </th>
                  <th scope="col" className="py-2 pr-4">
                    Latency
                  </th>
                  <th scope="col" className="py-2">
                    Error
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {view.latest.map((check) => (
                  <tr key={check.key}>
                    <td className="whitespace-nowrap py-2 pr-4" title={check.checkedAt}>
                      {check.ago}
                    </td>
                    <td className="py-2 pr-4">
                      <Badge tone={check.tone}>{check.label}</Badge>
                    </td>
                    <td className="py-2 pr-4 tabular-nums">{check.latency}</td>
                    <td className="py-2 text-xs text-slate-600 dark:text-slate-400">{check.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Card>
  );
}
