import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import { Fragment, useEffect, useState } from "react";
import { Link, useFetcher } from "react-router";
import { formatDateTime } from "../../lib/format.ts";
import type { ScheduleActionResult, ScheduleFires } from "../../lib/schedules.client.ts";
import {
  describeTiming,
  FIRE_OUTCOME_LABELS,
  FIRE_OUTCOME_TONES,
  formatInZone,
} from "../../lib/schedules.presenter.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { HistoryTable, RunIdCell } from "../ui/history-table.tsx";
import { DetailRow, EditDeleteButtons } from "../ui/list-table.tsx";
import { useResultToast } from "../ui/toast.tsx";

export type ScheduleRowAction = (kind: "edit" | "delete", schedule: TSchedule) => void;

const th =
  "px-3 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
const td = "px-3 py-2.5 align-top text-sm text-slate-700 dark:text-slate-300";

/**
 * Schedules with their job, timing, next fire (in the schedule's zone), last outcome and state. Operators pause,
 * resume, edit and delete (`onAction`, posted to `action`); everyone may open a schedule's fire history.
 */
export function SchedulesTable({
  schedules,
  showJob,
  onAction,
  action,
}: {
  schedules: TSchedule[];
  showJob: boolean;
  onAction: ScheduleRowAction | null;
  action: string;
}) {
  const [open, setOpen] = useState<string | null>(null);
  if (!schedules.length)
    return (
      <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No schedules yet.
      </p>
    );
  const columns = showJob ? 7 : 6;
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 dark:divide-slate-800">
        <thead className="bg-slate-50 dark:bg-slate-900">
          <tr>
            <th scope="col" className={th}>
              Schedule
            </th>
            {showJob ? (
              <th scope="col" className={th}>
                Job
              </th>
            ) : null}
            <th scope="col" className={th}>
              When
            </th>
            <th scope="col" className={th}>
              Next fire
            </th>
            <th scope="col" className={th}>
              Last outcome
            </th>
            <th scope="col" className={th}>
              State
            </th>
            <th scope="col" className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {schedules.map((schedule) => (
            <Fragment key={schedule.id}>
              <ScheduleRow
                schedule={schedule}
                showJob={showJob}
                onAction={onAction}
                action={action}
                historyOpen={open === schedule.id}
                onToggleHistory={() => setOpen((current) => (current === schedule.id ? null : schedule.id))}
              />
              {open === schedule.id ? (
                <DetailRow columns={columns}>
                  <FireHistory schedule={schedule} />
                </DetailRow>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScheduleRow({
  schedule,
  showJob,
  onAction,
  action,
  historyOpen,
  onToggleHistory,
}: {
  schedule: TSchedule;
  showJob: boolean;
  onAction: ScheduleRowAction | null;
  action: string;
  historyOpen: boolean;
  onToggleHistory: () => void;
}) {
  const fetcher = useFetcher<ScheduleActionResult>();
  useResultToast(fetcher.data);
  const busy = fetcher.state !== "idle";
  return (
    <tr data-schedule-row={schedule.name}>
      <td className={`${td} font-medium text-slate-900 dark:text-white`}>{schedule.name}</td>
      {showJob ? (
        <td className={td}>
          <Link
            to={`/jobs/${schedule.jobId}?tab=schedules`}
            className="text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {schedule.jobName}
          </Link>
        </td>
      ) : null}
      <td className={`${td} font-mono text-xs`}>{describeTiming(schedule)}</td>
      <td className={`${td} whitespace-nowrap`} data-next-fire={schedule.nextFireAt ?? ""}>
        {schedule.heldUntil ? (
          <span title="Held by a blackout window">
            held until {formatInZone(schedule.heldUntil, schedule.timeZone)}
          </span>
        ) : (
          formatInZone(schedule.nextFireAt, schedule.timeZone)
        )}
      </td>
      <td className={td}>
        {schedule.lastOutcome ? (
          <span title={formatDateTime(schedule.lastFiredAt)}>
            <Badge tone={FIRE_OUTCOME_TONES[schedule.lastOutcome]}>
              {FIRE_OUTCOME_LABELS[schedule.lastOutcome]}
            </Badge>
          </span>
        ) : (
          <span className="text-xs text-slate-500">Not fired yet</span>
        )}
      </td>
      <td className={td} data-schedule-state={schedule.paused ? "paused" : "active"}>
        {schedule.paused ? <Badge tone="amber">Paused</Badge> : <Badge tone="green">Active</Badge>}
      </td>
      <td className={`${td} whitespace-nowrap text-right`}>
        <div className="flex justify-end gap-1">
          <Button
            variant="ghost"
            size="sm"
            aria-expanded={historyOpen}
            onClick={onToggleHistory}
            aria-label={`History of ${schedule.name}`}
          >
            History
          </Button>
          {onAction ? (
            <>
              <fetcher.Form method="post" action={action}>
                <input
                  type="hidden"
                  name="intent"
                  value={schedule.paused ? "resume-schedule" : "pause-schedule"}
                />
                <input type="hidden" name="id" value={schedule.id} />
                <Button
                  type="submit"
                  variant="ghost"
                  size="sm"
                  isPending={busy}
                  aria-label={`${schedule.paused ? "Resume" : "Pause"} ${schedule.name}`}
                >
                  {schedule.paused ? "Resume" : "Pause"}
                </Button>
              </fetcher.Form>
              <EditDeleteButtons
                name={schedule.name}
                onEdit={() => onAction("edit", schedule)}
                onDelete={() => onAction("delete", schedule)}
              />
            </>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

/** A schedule's last 20 fires: the slot, what happened (with the run), and why. */
function FireHistory({ schedule }: { schedule: TSchedule }) {
  const fetcher = useFetcher<ScheduleFires>();
  const { load } = fetcher;
  useEffect(() => {
    void load(`/schedules/${schedule.id}/fires`);
  }, [schedule.id, load]);
  const data = fetcher.data?.scheduleId === schedule.id ? fetcher.data : undefined;
  return (
    <HistoryTable
      label={`Fires of ${schedule.name}`}
      marker="data-fire-history"
      items={data?.items}
      loadingText="Loading the history…"
      emptyText="Not fired yet."
      columns={["Slot", "Outcome", "Run", "Reason"]}
      row={(fire) => (
        <tr key={fire.slot} className="align-top">
          <td className="py-1 pr-3 whitespace-nowrap">{formatInZone(fire.slot, schedule.timeZone)}</td>
          <td className="py-1 pr-3">
            <Badge tone={FIRE_OUTCOME_TONES[fire.outcome]}>{FIRE_OUTCOME_LABELS[fire.outcome]}</Badge>
          </td>
          <RunIdCell runId={fire.runId} />
          <td className="py-1 text-slate-600 dark:text-slate-300">{fire.reason ?? ""}</td>
        </tr>
      )}
    />
  );
}
