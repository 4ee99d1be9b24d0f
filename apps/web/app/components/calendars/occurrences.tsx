import type { CalendarPreview } from "../../lib/calendars.client.ts";
import { formatInZone } from "../../lib/schedules.presenter.ts";

/** Upcoming blackout windows, each from–to in the calendar's zone, or why there are none to show. */
export function Occurrences({
  preview,
  timeZone,
}: {
  preview: CalendarPreview | undefined;
  timeZone: string;
}) {
  if (!preview) return <p className="text-xs text-slate-500 dark:text-slate-400">Loading the windows…</p>;
  if (!preview.ok) return <p className="text-xs text-red-700 dark:text-red-300">{preview.message}</p>;
  if (!preview.occurrences.length)
    return (
      <p className="text-xs text-slate-500 dark:text-slate-400" data-occurrences="0">
        No window in this period.
      </p>
    );
  return (
    <ol className="space-y-0.5 font-mono text-xs" data-occurrences={preview.occurrences.length}>
      {preview.occurrences.map((occurrence) => (
        <li key={`${occurrence.window}:${occurrence.start}`} data-occurrence={occurrence.start}>
          {formatInZone(occurrence.start, timeZone)} → {formatInZone(occurrence.end, timeZone)}
          {occurrence.label ? (
            <span className="ml-2 font-sans text-slate-500">{occurrence.label}</span>
          ) : null}
        </li>
      ))}
      {preview.truncated ? <li className="font-sans text-slate-500">and more…</li> : null}
    </ol>
  );
}
