import type { TJob } from "@opsc/contracts/jobs/jobs";
import { type FormEvent, useMemo, useState } from "react";
import { Link, useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import { useProfile } from "../../lib/app-data.ts";
import type { RunJobActionResult, RunJobRequest } from "../../lib/jobs.client.ts";
import { describeTargets } from "../../lib/jobs.presenter.ts";
import { parameterInputName } from "../../lib/parameter-inputs.ts";
import { hasRole } from "../../lib/roles.ts";
import {
  checkRunValues,
  describeRunOutcome,
  runFieldsOf,
  submittedValues,
} from "../../lib/run-form.presenter.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Alert } from "../ui/alert.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { TextField } from "../ui/field.tsx";
import { focusFirstError } from "./focus-first-error.ts";
import { ParameterFields, useParameterState } from "./parameter-fields.tsx";

/**
 * "Run" for a job: a field per parameter (generated from its types), checked with the contract's schema before it is
 * sent, the API's refusals at the same fields. Inside a blackout window the API asks for a reason, and the form asks
 * the user. A started run opens its page; a queued or skipped one (the job's concurrency policy) is said here.
 */
export function RunJobPage({ job }: { job: TJob }) {
  const { effectiveRole } = useProfile();
  const canRun = hasRole(effectiveRole, "operator");
  const parameters = job.definition.parameters;
  const fields = useMemo(() => runFieldsOf(parameters), [parameters]);
  const state = useParameterState(fields);
  const fetcher = useFetcher<RunJobActionResult>();
  const result = fetcher.data;
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});
  const [overrideReason, setOverrideReason] = useState("");
  // One key per visit of the form: a double submit starts one run, not two.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const serverErrors = fieldErrorsOf(result);
  const errors = { ...serverErrors, ...clientErrors };
  const [askReason, setAskReason] = useState(false);
  const needsReason = askReason || Boolean(serverErrors.overrideReason);
  const busy = fetcher.state !== "idle";
  const placed = new Set([...fields.map((field) => parameterInputName(field.name)), "overrideReason"]);
  const unplaced = Object.entries(errors).filter(([key]) => !placed.has(key));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values = submittedValues(fields, state.values);
    const check = checkRunValues(parameters, values, state.choices);
    if (!check.ok) {
      setClientErrors(check.errors);
      requestAnimationFrame(() => focusFirstError(form));
      return;
    }
    setClientErrors({});
    if (serverErrors.overrideReason) setAskReason(true);
    const body: RunJobRequest = { parameters: values, overrideReason, idempotencyKey };
    void fetcher.submit(body as unknown as Record<string, string>, {
      method: "post",
      encType: "application/json",
    });
  };

  return (
    <>
      <p className="mb-2 text-sm">
        <Link to={`/jobs/${job.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← {job.name}
        </Link>
      </p>
      <PageHeader
        title={`Run ${job.name}`}
        description={`Version ${job.latestVersion} · ${describeTargets(job.definition.targets)} · ${job.definition.steps.length} step${job.definition.steps.length === 1 ? "" : "s"}`}
      />
      <form noValidate onSubmit={submit} className="space-y-6" aria-label={`Run ${job.name}`}>
        {!canRun ? (
          <Alert tone="info">You need the operator role to run jobs; you can look at the form.</Alert>
        ) : null}
        {result?.ok ? (
          <Alert tone="info">
            <span data-run-outcome={result.data.outcome}>
              {describeRunOutcome(result.data.outcome, result.data.activeRunId)}
            </span>{" "}
            {result.data.runId ? (
              <Link to={`/runs/${result.data.runId}`} className="font-medium underline">
                Open the queued run
              </Link>
            ) : null}
            {result.data.activeRunId ? (
              <>
                {" "}
                <Link to={`/runs/${result.data.activeRunId}`} className="font-medium underline">
                  Open the active run
                </Link>
              </>
            ) : null}
          </Alert>
        ) : null}
        {result && !result.ok && (unplaced.length || !Object.keys(serverErrors).length) ? (
          <Alert tone="error">
            {unplaced.length ? unplaced.map(([, message]) => message).join(" ") : result.message}
          </Alert>
        ) : null}
        {Object.keys(clientErrors).length ? <Alert tone="error">Check the highlighted fields.</Alert> : null}

        <Card id="parameters" title="Parameters">
          <ParameterFields
            jobId={job.id}
            fields={fields}
            values={state.values}
            onChange={(name, value) => {
              state.setValue(name, value);
              // An error is about the value it was given; a new value gets a new verdict on submit.
              setClientErrors(({ [parameterInputName(name)]: _, ...rest }) => rest);
            }}
            errors={errors}
            onChoices={state.reportChoices}
            disabled={!canRun}
          />
        </Card>

        {needsReason ? (
          <Card id="override" title="Blackout window">
            <div className="space-y-3">
              <Alert tone="warning">
                <p>{serverErrors.overrideReason ?? "This job is inside a blackout window."}</p>
                <p className="mt-1">Running it anyway needs a reason, which is recorded with the run.</p>
              </Alert>
              <TextField
                label="Override reason"
                name="overrideReason"
                value={overrideReason}
                onChange={(event) => setOverrideReason(event.target.value)}
                error={
                  serverErrors.overrideReason && !overrideReason.trim()
                    ? "Give a reason to run anyway"
                    : undefined
                }
                autoComplete="off"
              />
            </div>
          </Card>
        ) : null}

        {canRun ? (
          <div className="flex justify-end gap-2">
            <Link to={`/jobs/${job.id}`} className={buttonClass("secondary")}>
              Cancel
            </Link>
            <Button type="submit" isPending={busy} pendingLabel="Starting…">
              {needsReason ? "Run anyway" : "Run"}
            </Button>
          </div>
        ) : null}
      </form>
    </>
  );
}
