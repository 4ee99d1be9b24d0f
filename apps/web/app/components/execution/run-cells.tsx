import type { TRun } from "@opsc/contracts/execution/runs";
import { elapsedMs, formatDuration } from "../../lib/execution.presenter.ts";
import { formatDateTime } from "../../lib/format.ts";
import { formatAgo } from "../../lib/targets.presenter.ts";
import { CountsBar } from "./counts-bar.tsx";
import { RunStateBadge } from "./state-badges.tsx";

/** A runs table's State and Targets cells; `cell` is the table's padding ("px-4 py-3"). */
export function RunProgressCells({ run, cell }: { run: TRun; cell: string }) {
  return (
    <>
      <td className={`whitespace-nowrap ${cell}`}>
        <RunStateBadge state={run.state} />
      </td>
      <td className={cell}>
        <CountsBar counts={run.counts} />
      </td>
    </>
  );
}

/** A runs table's Started (how long ago, the date as a tooltip) and Duration cells. */
export function RunTimeCells({ run, now, cell }: { run: TRun; now: Date; cell: string }) {
  const started = run.startedAt ?? run.createdAt;
  return (
    <>
      <td
        className={`whitespace-nowrap ${cell} text-slate-600 dark:text-slate-300`}
        title={formatDateTime(started)}
      >
        {formatAgo(started, now)}
      </td>
      <td className={`whitespace-nowrap ${cell} text-right tabular-nums text-slate-600 dark:text-slate-300`}>
        {formatDuration(elapsedMs(run, now))}
      </td>
    </>
  );
}
