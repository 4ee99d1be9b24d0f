import type { TRun } from "@opsc/contracts/execution/runs";
import { Link } from "react-router";
import { describeTrigger, jobOf, parameterRows } from "../../lib/execution-jobs.presenter.ts";
import { Alert } from "../ui/alert.tsx";

const linkClass = "font-medium text-indigo-700 hover:underline dark:text-indigo-300";

/** Under a job run's title: "Job deploy-web · version 3 · started by schedule “nightly”". */
export function JobRunDescription({ run }: { run: TRun }) {
  const job = jobOf(run);
  const trigger = describeTrigger(run.trigger);
  return (
    <span className="flex flex-wrap items-center gap-x-2" data-job-run>
      {job ? (
        <span>
          Job{" "}
          <Link to={job.href} className={linkClass} data-run-job>
            {job.name}
          </Link>
        </span>
      ) : null}
      {job ? (
        <>
          <span aria-hidden="true">·</span>
          <span data-run-job-version>{job.version}</span>
        </>
      ) : null}
      {trigger ? (
        <>
          <span aria-hidden="true">·</span>
          <span data-run-trigger={run.trigger?.kind}>
            {trigger.text}
            {trigger.link ? (
              <>
                {" "}
                <Link to={trigger.link.href} className={linkClass}>
                  {trigger.link.label}
                </Link>
              </>
            ) : null}
          </span>
        </>
      ) : null}
    </span>
  );
}

/** A held run (the job's "queue" policy) and a start inside a blackout window, said at the top of the summary. */
export function JobRunAlerts({ run }: { run: TRun }) {
  if (!run.held && !run.overrideReason) return null;
  return (
    <div className="space-y-2">
      {run.held ? (
        <Alert tone="warning">
          <span data-run-held>Held: waiting for the active run of this job to end.</span>
        </Alert>
      ) : null}
      {run.overrideReason ? (
        <Alert tone="info">
          <span data-override-reason>Started inside a blackout window: {run.overrideReason}</span>
        </Alert>
      ) : null}
    </div>
  );
}

/** The values the run was started with; secret ones come masked from the API and show as dots. */
export function ParametersList({ parameters }: { parameters: TRun["parameters"] }) {
  const rows = parameterRows(parameters);
  return (
    <div>
      <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">
        Parameters
      </p>
      {rows.length ? (
        <dl className="grid gap-x-6 gap-y-1 text-sm sm:grid-cols-[max-content_1fr]">
          {rows.map((row) => (
            <div key={row.name} className="contents" data-parameter={row.name}>
              <dt className="font-mono text-xs leading-5 text-slate-500 dark:text-slate-400">{row.name}</dt>
              <dd
                className={`min-w-0 truncate font-mono text-xs leading-5 ${
                  row.secret ? "text-slate-400 dark:text-slate-500" : "text-slate-800 dark:text-slate-200"
                }`}
                title={row.secret ? "secret" : row.value}
                data-parameter-value
              >
                {row.value}
                {row.secret ? <span className="sr-only"> (secret)</span> : null}
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">None.</p>
      )}
    </div>
  );
}
