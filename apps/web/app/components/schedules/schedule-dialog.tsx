import type { TParameter } from "@opsc/contracts/jobs/parameters";
import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { RunJobPage } from "../../lib/jobs.client.ts";
import { parameterInputName } from "../../lib/parameter-inputs.ts";
import { checkRunValues, runFieldsOf, submittedValues } from "../../lib/run-form.presenter.ts";
import type { ScheduleActionResult, SchedulePreview } from "../../lib/schedules.client.ts";
import {
  BLACKOUT_LABELS,
  browserTimeZone,
  formatInZone,
  INTERVAL_UNITS,
  MISFIRE_LABELS,
  SCHEDULE_KIND_LABELS,
  SCHEDULE_KINDS,
  type ScheduleFormValues,
  scheduleFormValues,
} from "../../lib/schedules.presenter.ts";
import { focusFirstError } from "../jobs/focus-first-error.ts";
import { initialValues, ParameterFields, useParameterState } from "../jobs/parameter-fields.tsx";
import { Alert } from "../ui/alert.tsx";
import { bindFields } from "../ui/bind-fields.ts";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { inputClass, SelectField, TextField } from "../ui/field.tsx";
import { SegmentedField } from "../ui/segmented-field.tsx";
import { useResultToast } from "../ui/toast.tsx";
import { useCloseOnSuccess } from "../ui/use-close-on-success.ts";

const PREVIEW_DEBOUNCE_MS = 300;
const KIND_OPTIONS = SCHEDULE_KINDS.map((kind) => ({ value: kind, label: SCHEDULE_KIND_LABELS[kind] }));
const MISFIRE_OPTIONS = Object.entries(MISFIRE_LABELS).map(([value, label]) => ({ value, label }));
const BLACKOUT_OPTIONS = Object.entries(BLACKOUT_LABELS).map(([value, label]) => ({ value, label }));
const FIELDS = [
  "jobId",
  "name",
  "kind",
  "cron",
  "timeZone",
  "at",
  "intervalSeconds",
  "misfirePolicy",
  "blackoutPolicy",
];

/** Every IANA zone the browser knows, for the time zone field's suggestions. */
function knownZones(): string[] {
  try {
    return (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** The next five fire times of the timing being edited, asked of the API a moment after typing stops. */
function useTimingPreview(values: ScheduleFormValues): SchedulePreview | undefined {
  const fetcher = useFetcher<SchedulePreview>({ key: "schedule-preview" });
  const { load } = fetcher;
  const query = new URLSearchParams({
    kind: values.kind,
    cron: values.cron,
    timeZone: values.timeZone,
    at: values.at,
    intervalCount: values.intervalCount,
    intervalUnit: values.intervalUnit,
  }).toString();
  const ready =
    values.kind === "cron"
      ? values.cron.trim() !== ""
      : values.kind === "once"
        ? values.at !== ""
        : values.intervalCount.trim() !== "";
  useEffect(() => {
    if (!ready) return;
    const timer = setTimeout(() => void load(`/schedules/preview?${query}`), PREVIEW_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, ready, load]);
  return ready && fetcher.data?.key === query ? fetcher.data : undefined;
}

/** The job's parameters: given (a job's page), or fetched when a job is picked (/schedules). */
function useJobParameters(jobId: string, given: TParameter[] | null): TParameter[] | null {
  const fetcher = useFetcher<RunJobPage>();
  const { load } = fetcher;
  useEffect(() => {
    if (!given && jobId) void load(`/jobs/${jobId}/run`);
  }, [given, jobId, load]);
  if (given) return given;
  return fetcher.data?.job.id === jobId ? fetcher.data.job.definition.parameters : null;
}

export interface ScheduleDialogProps {
  open: boolean;
  onClose: () => void;
  /** The schedule to edit; null creates one. */
  schedule: TSchedule | null;
  /** The job, when the dialog belongs to it (its page); otherwise `jobs` offers a choice. */
  job: { id: string; name: string; parameters: TParameter[] } | null;
  jobs?: { id: string; name: string; folder: string }[];
  /** Where the form posts (the page that holds the dialog). */
  action: string;
}

/**
 * One form to create or edit a schedule: the job (when not given), a name, when it fires (cron in a time zone, an
 * interval, or once) with the next five fire times shown live, the misfire and blackout policies, and the job's
 * parameters through the run form's generated fields. A secret a schedule already holds is kept when left empty.
 */
export function ScheduleDialog({ open, onClose, schedule, job, jobs = [], action }: ScheduleDialogProps) {
  const editing = schedule !== null;
  return (
    <Dialog
      size="wide"
      open={open}
      onClose={onClose}
      title={editing ? `Edit ${schedule.name}` : job ? `Schedule ${job.name}` : "New schedule"}
      description="Runs the job by itself: on a cron expression in a time zone, every so often, or once."
    >
      {open ? (
        <ScheduleForm schedule={schedule} job={job} jobs={jobs} action={action} onClose={onClose} />
      ) : null}
    </Dialog>
  );
}

function ScheduleForm({
  schedule,
  job,
  jobs,
  action,
  onClose,
}: Omit<ScheduleDialogProps, "open"> & { jobs: NonNullable<ScheduleDialogProps["jobs"]> }) {
  const intent = schedule ? "update-schedule" : "create-schedule";
  const fetcher = useFetcher<ScheduleActionResult>({ key: intent });
  const result = fetcher.data?.intent === intent ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  const [values, setValues] = useState(() => scheduleFormValues(schedule, browserTimeZone()));
  const [jobId, setJobId] = useState(schedule?.jobId ?? job?.id ?? "");
  const parameters = useJobParameters(jobId, job?.id === jobId ? job.parameters : null);
  const fields = useMemo(() => runFieldsOf(parameters ?? []), [parameters]);
  const state = useParameterState(fields);
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const formRef = useRef<HTMLFormElement>(null);
  const parametersRef = useRef<HTMLInputElement>(null);
  const preview = useTimingPreview(values);
  const zonesId = useId();
  const zones = useMemo(knownZones, []);
  const { reset } = state;

  // A newly picked job's fields start from its defaults; an edited schedule's from its stored values.
  useEffect(() => {
    reset({ ...initialValues(fields), ...(schedule && schedule.jobId === jobId ? schedule.parameters : {}) });
  }, [fields, schedule, jobId, reset]);

  useCloseOnSuccess(fetcher, result, onClose);

  const serverErrors = fieldErrorsOf(result);
  const errors = { ...(preview?.fieldErrors ?? {}), ...serverErrors, ...clientErrors };
  const placed = new Set([...FIELDS, ...fields.map((parameter) => parameterInputName(parameter.name))]);
  const unplaced = Object.entries(errors).filter(([key]) => !placed.has(key));
  const set = (patch: Partial<ScheduleFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const field = bindFields(values, set, (path) => errors[path]);
  const stored = schedule?.secretParameters ?? [];

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!parameters) return;
    const typed = submittedValues(fields, state.values);
    const check = checkRunValues(parameters, typed, state.choices);
    // A secret the schedule already holds may stay empty: the stored value is kept.
    const problems = check.ok
      ? {}
      : Object.fromEntries(
          Object.entries(check.errors).filter(
            ([key]) => !stored.some((name) => key === parameterInputName(name) && typed[name] === undefined),
          ),
        );
    setClientErrors(problems);
    if (Object.keys(problems).length) {
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    if (parametersRef.current) parametersRef.current.value = JSON.stringify(typed);
    void fetcher.submit(event.currentTarget, { method: "post", action });
  };

  return (
    <form ref={formRef} method="post" noValidate onSubmit={submit} className="space-y-4">
      <input type="hidden" name="intent" value={intent} />
      {schedule ? <input type="hidden" name="id" value={schedule.id} /> : null}
      <input type="hidden" name="parameters" ref={parametersRef} />
      {result && !result.ok && (unplaced.length || !Object.keys(serverErrors).length) ? (
        <Alert tone="error">
          {unplaced.length
            ? unplaced.map(([key, message]) => (key === "_" ? message : `${key}: ${message}`)).join(" ")
            : result.message}
        </Alert>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        {job || schedule ? (
          <input type="hidden" name="jobId" value={jobId} />
        ) : (
          <SelectField
            label="Job"
            name="jobId"
            value={jobId}
            onChange={(event) => setJobId(event.target.value)}
            options={[
              { value: "", label: jobs.length ? "Choose a job…" : "No jobs yet" },
              ...jobs.map((candidate) => ({
                value: candidate.id,
                label: `${candidate.name} (${candidate.folder})`,
              })),
            ]}
            error={errors.jobId}
          />
        )}
        <TextField label="Schedule name" {...field.text("name")} placeholder="Nightly" autoComplete="off" />
      </div>
      <SegmentedField
        label="Fires"
        name="kind"
        value={values.kind}
        options={KIND_OPTIONS}
        onChange={(kind) => set({ kind })}
        error={errors.kind}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        {values.kind === "cron" ? (
          <TextField
            label="Cron expression"
            {...field.text("cron")}
            placeholder="*/5 * * * *"
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
            hint="minute hour day-of-month month day-of-week"
          />
        ) : values.kind === "once" ? (
          <TextField label="At" {...field.text("at")} type="datetime-local" />
        ) : (
          <div className="flex items-end gap-2">
            <TextField
              label="Every"
              {...field.text("intervalCount")}
              inputMode="numeric"
              autoComplete="off"
              error={errors.intervalSeconds}
            />
            <select
              aria-label="Unit"
              name="intervalUnit"
              value={values.intervalUnit}
              onChange={(event) => set({ intervalUnit: event.target.value })}
              className={`${inputClass} w-32`}
            >
              {INTERVAL_UNITS.map((unit) => (
                <option key={unit.value} value={unit.value}>
                  {unit.label}
                </option>
              ))}
            </select>
          </div>
        )}
        <div>
          <TextField
            label="Time zone"
            {...field.text("timeZone")}
            list={zonesId}
            placeholder="Europe/Paris"
            autoComplete="off"
            spellCheck={false}
            hint={
              values.kind === "interval" ? "For showing the times; intervals count from creation." : undefined
            }
          />
          <datalist id={zonesId}>
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </div>
      </div>
      <NextFires preview={preview} timeZone={values.timeZone} />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Missed fires"
          name="misfirePolicy"
          value={values.misfirePolicy}
          options={MISFIRE_OPTIONS}
          onChange={(event) =>
            set({ misfirePolicy: event.target.value === "run-once" ? "run-once" : "skip" })
          }
          hint="When the scheduler was down at a fire time."
          error={errors.misfirePolicy}
        />
        <SelectField
          label="In a blackout window"
          name="blackoutPolicy"
          value={values.blackoutPolicy}
          options={BLACKOUT_OPTIONS}
          onChange={(event) => set({ blackoutPolicy: event.target.value === "hold" ? "hold" : "skip" })}
          error={errors.blackoutPolicy}
        />
      </div>
      <fieldset className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700">
        <legend className="px-1 text-sm font-medium text-slate-700 dark:text-slate-200">Parameters</legend>
        {!jobId ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">
            Choose a job to fill in its parameters.
          </p>
        ) : parameters === null ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">Loading the job's parameters…</p>
        ) : (
          <ParameterFields
            jobId={jobId}
            fields={fields}
            values={state.values}
            onChange={state.setValue}
            onChoices={state.reportChoices}
            errors={errors}
            storedSecrets={stored}
          />
        )}
      </fieldset>
      <div className="flex justify-end gap-2 pt-1">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button
          type="submit"
          disabled={!jobId || parameters === null}
          isPending={fetcher.state !== "idle"}
          pendingLabel="Saving…"
        >
          {schedule ? "Save schedule" : "Create schedule"}
        </Button>
      </div>
    </form>
  );
}

function NextFires({ preview, timeZone }: { preview: SchedulePreview | undefined; timeZone: string }) {
  return (
    <div
      aria-live="polite"
      className="min-h-6 rounded-md bg-slate-50 px-3 py-2 text-sm dark:bg-slate-800/50"
      data-next-fires
    >
      {!preview ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">The next fire times appear here.</p>
      ) : preview.ok ? (
        <>
          <p className="mb-1 text-xs font-medium text-slate-600 dark:text-slate-300">Next fire times</p>
          <ol className="space-y-0.5 font-mono text-xs">
            {preview.instants.map((instant) => (
              <li key={instant} data-fire-time={instant}>
                {formatInZone(instant, timeZone)}
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="text-xs text-red-700 dark:text-red-300">
          {preview.message ?? Object.values(preview.fieldErrors)[0] ?? "This timing does not fire."}
        </p>
      )}
    </div>
  );
}
