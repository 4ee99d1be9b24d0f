import type { TCalendar } from "@opsc/contracts/jobs/calendars";
import { useEffect, useId, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { CalendarActionResult, CalendarPreview } from "../../lib/calendars.client.ts";
import {
  type CalendarDraft,
  calendarDraft,
  newWindow,
  type WindowDraft,
} from "../../lib/calendars.presenter.ts";
import { removeAt, replaceAt } from "../../lib/job-draft.ts";
import { browserTimeZone } from "../../lib/schedules.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { bindFields } from "../ui/bind-fields.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { CheckboxField, FieldError, SelectField, TextField } from "../ui/field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { useCloseOnSuccess } from "../ui/use-close-on-success.ts";
import { Occurrences } from "./occurrences.tsx";

const PREVIEW_DEBOUNCE_MS = 400;
const WINDOW_TYPES = [
  { value: "recurring", label: "Recurring" },
  { value: "once", label: "One-off" },
];
const PLACED = ["name", "description", "timeZone", "windows", "scope", "scope.folders", "scope.tags"];

/** The upcoming windows of the draft being edited, asked of the API a moment after typing stops. */
function useDraftPreview(draft: CalendarDraft): CalendarPreview | undefined {
  const fetcher = useFetcher<CalendarPreview>({ key: "calendar-draft-preview" });
  const { load } = fetcher;
  const key = JSON.stringify({ timeZone: draft.timeZone, windows: draft.windows });
  useEffect(() => {
    const timer = setTimeout(
      () => void load(`/calendars/preview?${new URLSearchParams({ draft: key, key })}`),
      PREVIEW_DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [key, load]);
  return fetcher.data?.key === key ? fetcher.data : undefined;
}

/**
 * Create or edit a calendar: its time zone, its blackout windows (recurring: a cron expression for when one starts
 * and how long it lasts; or one-off: from a local date and time to another), which jobs it applies to, and the
 * windows of the next two weeks as the API computes them.
 */
export function CalendarDialog({
  open,
  calendar,
  onClose,
}: {
  open: boolean;
  calendar: TCalendar | null;
  onClose: () => void;
}) {
  return (
    <Dialog
      size="wide"
      open={open}
      onClose={onClose}
      title={calendar ? `Edit ${calendar.name}` : "New calendar"}
      description="During a window, scheduled and webhook runs of the jobs in scope do not start; a manual run needs a reason."
    >
      {open ? <CalendarForm calendar={calendar} onClose={onClose} /> : null}
    </Dialog>
  );
}

function CalendarForm({ calendar, onClose }: { calendar: TCalendar | null; onClose: () => void }) {
  const intent = calendar ? "update-calendar" : "create-calendar";
  const fetcher = useFetcher<CalendarActionResult>({ key: intent });
  const result = fetcher.data?.intent === intent ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const [draft, setDraft] = useState(() => calendarDraft(calendar, browserTimeZone()));
  const preview = useDraftPreview(draft);
  const errors = fieldErrorsOf(result);
  const set = (patch: Partial<CalendarDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const field = bindFields(draft, set, (path) => errors[path]);
  const windowError = (index: number) =>
    Object.entries(errors).find(([key]) => key === `windows.${index}` || key.startsWith(`windows.${index}.`));
  const unplaced = Object.entries(errors).filter(
    ([key]) => !PLACED.includes(key) && !/^windows\.\d+/.test(key),
  );
  const zonesId = useId();

  useCloseOnSuccess(fetcher, result, onClose);

  return (
    <fetcher.Form method="post" action="/calendars" noValidate className="space-y-4">
      <input type="hidden" name="intent" value={intent} />
      {calendar ? <input type="hidden" name="id" value={calendar.id} /> : null}
      <input type="hidden" name="draft" value={JSON.stringify(draft)} />
      {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
        <Alert tone="error">
          {unplaced.length
            ? unplaced.map(([key, message]) => `${key}: ${message}`).join(" ")
            : result.message}
        </Alert>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Calendar name"
          {...field.text("name")}
          placeholder="Change freeze"
          autoComplete="off"
        />
        <div>
          <TextField
            label="Time zone"
            {...field.text("timeZone")}
            list={zonesId}
            autoComplete="off"
            spellCheck={false}
            hint="Windows are read on this zone's clocks."
          />
          <datalist id={zonesId}>
            {[
              "UTC",
              "Europe/Paris",
              "Europe/London",
              "America/New_York",
              "America/Los_Angeles",
              "Asia/Tokyo",
            ].map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </div>
      </div>
      <TextareaField label="Description" {...field.text("description")} rows={2} />
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Windows</legend>
        {draft.windows.map((window, index) => (
          <WindowFields
            key={window.uid}
            index={index}
            window={window}
            error={windowError(index)}
            canRemove={draft.windows.length > 1}
            onChange={(next) => set({ windows: replaceAt(draft.windows, index, next) })}
            onRemove={() => set({ windows: removeAt(draft.windows, index) })}
          />
        ))}
        <FieldError error={errors.windows} />
        <div className="flex gap-2">
          <Button
            variant="ghost"
            size="sm"
            onClick={() => set({ windows: [...draft.windows, newWindow("recurring")] })}
          >
            + Recurring window
          </Button>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => set({ windows: [...draft.windows, newWindow("once")] })}
          >
            + One-off window
          </Button>
        </div>
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Applies to</legend>
        <CheckboxField label="All jobs" {...field.checkbox("scopeAll")} />
        {draft.scopeAll ? null : (
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Folders"
              {...field.text("folders")}
              placeholder="/databases, /web"
              className="font-mono"
              autoComplete="off"
              hint="A folder covers the folders below it."
              error={errors["scope.folders"] ?? errors.scope}
            />
            <TextField
              label="Job tags"
              {...field.text("tags")}
              placeholder="deploy"
              autoComplete="off"
              error={errors["scope.tags"]}
            />
          </div>
        )}
      </fieldset>
      <section
        aria-label="Upcoming windows"
        className="rounded-md bg-slate-50 px-3 py-2 dark:bg-slate-800/50"
      >
        <p className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-300">Next 14 days</p>
        <Occurrences preview={preview} timeZone={draft.timeZone} />
      </section>
      <div className="flex justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Saving…">
          {calendar ? "Save calendar" : "Create calendar"}
        </Button>
      </div>
    </fetcher.Form>
  );
}

function WindowFields({
  index,
  window,
  error,
  canRemove,
  onChange,
  onRemove,
}: {
  index: number;
  window: WindowDraft;
  error: [string, string] | undefined;
  canRemove: boolean;
  onChange: (window: WindowDraft) => void;
  onRemove: () => void;
}) {
  const label = `Window ${index + 1}`;
  const set = (patch: Partial<WindowDraft>) => onChange({ ...window, ...patch });
  const at = `windows.${index}`;
  const fieldError = (field: string) => (error?.[0] === `${at}.${field}` ? error[1] : undefined);
  return (
    <fieldset
      aria-label={label}
      className="space-y-3 rounded-lg border border-slate-200 p-3 dark:border-slate-700"
      data-window={index}
    >
      <div className="flex items-center justify-between">
        <p className="text-sm font-medium">{label}</p>
        <Button
          variant="ghost"
          size="sm"
          disabled={!canRemove}
          onClick={onRemove}
          aria-label={`Remove window ${index + 1}`}
        >
          Remove
        </Button>
      </div>
      <div className="grid gap-3 sm:grid-cols-[9rem_1fr]">
        <SelectField
          label="Kind"
          name={`${at}.type`}
          value={window.type}
          options={WINDOW_TYPES}
          onChange={(event) => set({ type: event.target.value === "once" ? "once" : "recurring" })}
        />
        <TextField
          label="Label"
          name={`${at}.label`}
          value={window.label}
          onChange={(event) => set({ label: event.target.value })}
          placeholder="Weekend freeze"
          autoComplete="off"
          error={fieldError("label")}
        />
      </div>
      {window.type === "recurring" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Starts (cron)"
            name={`${at}.cron`}
            value={window.cron}
            onChange={(event) => set({ cron: event.target.value })}
            placeholder="0 22 * * 5"
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
            hint="minute hour day-of-month month day-of-week"
            error={fieldError("cron")}
          />
          <TextField
            label="Lasts (minutes)"
            name={`${at}.durationMinutes`}
            value={window.durationMinutes}
            onChange={(event) => set({ durationMinutes: event.target.value })}
            inputMode="numeric"
            autoComplete="off"
            error={fieldError("durationMinutes")}
          />
        </div>
      ) : (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="From"
            name={`${at}.start`}
            type="datetime-local"
            value={window.start}
            onChange={(event) => set({ start: event.target.value })}
            error={fieldError("start")}
          />
          <TextField
            label="To"
            name={`${at}.end`}
            type="datetime-local"
            value={window.end}
            onChange={(event) => set({ end: event.target.value })}
            error={fieldError("end")}
          />
        </div>
      )}
      {error &&
      !["label", "cron", "durationMinutes", "start", "end"].some((field) => error[0] === `${at}.${field}`) ? (
        <p className="text-xs font-medium text-red-600 dark:text-red-400" data-field-error>
          {error[1]}
        </p>
      ) : null}
    </fieldset>
  );
}
