import type { TTaskCounts } from "@opsc/contracts/execution/runs";
import { countSegments, describeCounts } from "../../lib/execution.presenter.ts";

/**
 * A run's tasks as one bar: succeeded, failed, timed out, cancelled and skipped from the left, then what is still
 * running and queued. `legend` lists the numbers under it (the run page); the list shows the bar alone.
 */
export function CountsBar({ counts, legend = false }: { counts: TTaskCounts; legend?: boolean }) {
  const segments = countSegments(counts);
  const label = describeCounts(counts);
  return (
    <div className="min-w-32 space-y-1.5" data-counts={label}>
      <div
        role="img"
        aria-label={label}
        title={label}
        className="flex h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
      >
        {segments.map((segment) => (
          <div
            key={segment.state}
            className={`h-full ${segment.className} ${segment.state === "running" ? "animate-pulse" : ""}`}
            style={{ width: `${segment.percent}%` }}
          />
        ))}
      </div>
      {legend ? (
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
          {segments.map((segment) => (
            <li key={segment.state} className="flex items-center gap-1.5" data-count={segment.state}>
              <span aria-hidden="true" className={`size-2 rounded-full ${segment.className}`} />
              <span className="tabular-nums font-medium">{segment.count.toLocaleString()}</span>
              {segment.label.toLowerCase()}
            </li>
          ))}
          <li className="text-slate-500 dark:text-slate-400">
            of <span className="tabular-nums">{counts.total.toLocaleString()}</span>
          </li>
        </ul>
      ) : null}
    </div>
  );
}
