import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import type { TJob } from "@opsc/contracts/jobs/jobs";
import { useEffect, useId, useMemo, useRef, useState } from "react";
import { Link, useFetcher, useRevalidator } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import {
  definitionToDraft,
  draftToDefinition,
  type FieldErrors,
  fieldPaths,
  placeErrors,
  unplacedJobErrors,
} from "../../lib/job-draft.presenter.ts";
import { emptyDraft, type JobDraft } from "../../lib/job-draft.ts";
import { validateJob, yamlProblemsForForm } from "../../lib/job-schema.ts";
import { jobToYaml, parseJobYaml } from "../../lib/job-yaml.ts";
import type { SaveJobInput, SaveJobResult } from "../../lib/jobs.client.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Alert } from "../ui/alert.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { ExecutionFields, GeneralFields, TargetsFields } from "./editor/job-settings.tsx";
import { ParametersEditor } from "./editor/parameters-editor.tsx";
import { SaveJobDialog } from "./editor/save-job-dialog.tsx";
import { StepsEditor } from "./editor/steps-editor.tsx";
import { YamlEditor, type YamlProblem } from "./editor/yaml-editor.tsx";
import { focusFirstError } from "./focus-first-error.ts";

type Tab = "form" | "yaml";

/** Both checks the API makes, keyed by definition path: the schema's, and numbers the form could not read. */
function checkDraft(converted: ReturnType<typeof draftToDefinition>): FieldErrors {
  return { ...validateJob(converted.name, converted.definition), ...converted.errors };
}

/**
 * The job editor: a form (general, parameters, targets, steps, execution) and a YAML tab holding the same
 * definition; switching converts both ways. The contract's schema checks it as the API will (errors next to their
 * fields once a save was attempted). Saving asks what changed; a save based on an older version than the latest
 * is refused (someone saved meanwhile), and the editor offers to reload.
 */
export function JobEditorPage({ job }: { job: TJob | null }) {
  const { effectiveRole } = useProfile();
  const canSave = hasRole(effectiveRole, "operator");
  const [draft, setDraft] = useState<JobDraft>(() =>
    job ? definitionToDraft(job.name, job.definition) : emptyDraft(),
  );
  const [tab, setTab] = useState<Tab>("form");
  const [yamlText, setYamlText] = useState("");
  const [yamlProblem, setYamlProblem] = useState<YamlProblem | null>(null);
  const [showErrors, setShowErrors] = useState(false);
  const [pending, setPending] = useState<{ name: string; definition: TJobDefinitionInput } | null>(null);
  const fetcher = useFetcher<SaveJobResult>();
  const revalidator = useRevalidator();
  const formRef = useRef<HTMLDivElement>(null);
  const tabIds = { form: useId(), yaml: useId() };

  const converted = useMemo(() => draftToDefinition(draft), [draft]);
  const paths = useMemo(() => fieldPaths(draft), [draft]);
  const failure = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  const errors = useMemo(
    () =>
      placeErrors({ ...(failure?.fieldErrors ?? {}), ...(showErrors ? checkDraft(converted) : {}) }, paths),
    [failure, showErrors, converted, paths],
  );
  const unplaced = unplacedJobErrors(errors, paths);
  const set = (patch: Partial<JobDraft>) => setDraft((current) => ({ ...current, ...patch }));

  // A refusal closes the save dialog; its errors show where they belong (the form, or the YAML tab's list).
  useEffect(() => {
    if (fetcher.state !== "idle" || !failure) return;
    setPending(null);
    if (tab === "yaml" && Object.keys(failure.fieldErrors).length)
      setYamlProblem({
        message: "The API refused this definition:",
        items: Object.entries(failure.fieldErrors).map(([path, message]) => `${path}: ${message}`),
      });
    else if (tab === "form") requestAnimationFrame(() => focusFirstError(formRef.current));
  }, [fetcher.state, failure, tab]);

  const showYaml = () => {
    setYamlText(jobToYaml(converted.name, converted.definition));
    setYamlProblem(null);
    setTab("yaml");
  };

  /** The YAML back into the form, unless it holds what the form cannot show (it would be lost). */
  const showForm = () => {
    const parsed = parseJobYaml(yamlText);
    if (!parsed.ok) return setYamlProblem({ message: parsed.message, items: [] });
    const problems = yamlProblemsForForm(parsed.definition);
    if (Object.keys(problems).length)
      return setYamlProblem({
        message: "The form cannot show this YAML; fix these first:",
        items: Object.entries(problems).map(([path, message]) => `${path}: ${message}`),
      });
    setDraft(definitionToDraft(parsed.name, parsed.definition as TJobDefinitionInput));
    setYamlProblem(null);
    setShowErrors(true);
    setTab("form");
  };

  const requestSave = () => {
    if (tab === "yaml") {
      const parsed = parseJobYaml(yamlText);
      if (!parsed.ok) return setYamlProblem({ message: parsed.message, items: [] });
      const problems = validateJob(parsed.name, parsed.definition);
      if (Object.keys(problems).length)
        return setYamlProblem({
          message: "The definition has problems:",
          items: Object.entries(problems).map(([path, message]) => `${path}: ${message}`),
        });
      setYamlProblem(null);
      return setPending({ name: parsed.name.trim(), definition: parsed.definition as TJobDefinitionInput });
    }
    setShowErrors(true);
    if (Object.keys(checkDraft(converted)).length) {
      requestAnimationFrame(() => focusFirstError(formRef.current));
      return;
    }
    setPending({ name: converted.name, definition: converted.definition });
  };

  const save = (message: string) => {
    if (!pending) return;
    const body: SaveJobInput = {
      id: job?.id ?? null,
      baseVersion: job?.latestVersion ?? null,
      name: pending.name,
      definition: pending.definition,
      message,
    };
    void fetcher.submit(body as never, { method: "post", encType: "application/json" });
  };

  const hasFormErrors = showErrors && Object.keys(errors).length > 0;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link
          to={job ? `/jobs/${job.id}` : "/jobs"}
          className="text-indigo-700 hover:underline dark:text-indigo-300"
        >
          ← {job ? job.name : "Jobs"}
        </Link>
      </p>
      <PageHeader
        title={job ? `Edit ${job.name}` : "New job"}
        description={
          job
            ? `Saving makes version ${job.latestVersion + 1}; runs keep the version they ran.`
            : "A reusable definition: parameters, targets and steps. Every save is a version."
        }
        actions={
          canSave ? (
            <Button onClick={requestSave} isPending={fetcher.state !== "idle"} pendingLabel="Saving…">
              Save
            </Button>
          ) : null
        }
      />
      <div className="space-y-4">
        {!canSave ? (
          <Alert tone="info">You need the operator role to save jobs; you can look at the definition.</Alert>
        ) : null}
        {failure?.conflict ? (
          <Alert tone="warning">
            <div className="space-y-2" data-save-conflict>
              <p>
                {failure.message} Reload to edit the latest version; copy your version as YAML first if you
                want to keep your changes.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button size="sm" onClick={() => void revalidator.revalidate()}>
                  Reload the latest version
                </Button>
                <CopyButton
                  value={jobToYaml(converted.name, converted.definition)}
                  label="Copy my version as YAML"
                />
              </div>
            </div>
          </Alert>
        ) : failure && (unplaced.length || !Object.keys(failure.fieldErrors).length) ? (
          <Alert tone="error">{unplaced.length ? unplaced.join(" ") : failure.message}</Alert>
        ) : hasFormErrors && tab === "form" ? (
          <Alert tone="error">{unplaced.length ? unplaced.join(" ") : "Check the highlighted fields."}</Alert>
        ) : null}

        <div
          role="tablist"
          aria-label="Editor"
          className="flex gap-1 border-b border-slate-200 dark:border-slate-800"
        >
          {(["form", "yaml"] as const).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              id={`${tabIds[name]}-tab`}
              aria-selected={tab === name}
              aria-controls={tabIds[name]}
              onClick={() => (name === tab ? undefined : name === "yaml" ? showYaml() : showForm())}
              className={`-mb-px border-b-2 px-4 py-2 text-sm font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                tab === name
                  ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                  : "border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
              }`}
            >
              {name === "form" ? "Form" : "YAML"}
            </button>
          ))}
        </div>

        {tab === "form" ? (
          <div
            role="tabpanel"
            id={tabIds.form}
            aria-labelledby={`${tabIds.form}-tab`}
            ref={formRef}
            className="space-y-6"
          >
            <Card id="general" title="General">
              <fieldset disabled={!canSave}>
                <GeneralFields draft={draft} set={set} errors={errors} />
              </fieldset>
            </Card>
            <Card
              id="parameters"
              title="Parameters"
              description="Asked for on the run form; each reaches the steps as an environment variable."
            >
              <ParametersEditor
                parameters={draft.parameters}
                onChange={(parameters) => set({ parameters })}
                errors={errors}
                disabled={!canSave}
              />
            </Card>
            <Card id="targets" title="Targets">
              <fieldset disabled={!canSave}>
                <TargetsFields draft={draft} set={set} errors={errors} />
              </fieldset>
            </Card>
            <Card id="steps" title="Steps">
              <StepsEditor
                steps={draft.steps}
                onChange={(steps) => set({ steps })}
                errors={errors}
                disabled={!canSave}
              />
            </Card>
            <Card id="execution" title="Execution">
              <fieldset disabled={!canSave}>
                <ExecutionFields draft={draft} set={set} errors={errors} />
              </fieldset>
            </Card>
          </div>
        ) : (
          <div role="tabpanel" id={tabIds.yaml} aria-labelledby={`${tabIds.yaml}-tab`}>
            <YamlEditor
              value={yamlText}
              onChange={(value) => {
                setYamlText(value);
                setYamlProblem(null);
              }}
              problem={yamlProblem}
              readOnly={!canSave}
            />
          </div>
        )}

        {canSave ? (
          <div className="flex justify-end gap-2">
            <Link to={job ? `/jobs/${job.id}` : "/jobs"} className={buttonClass("secondary")}>
              Cancel
            </Link>
            <Button onClick={requestSave} isPending={fetcher.state !== "idle"} pendingLabel="Saving…">
              Save
            </Button>
          </div>
        ) : null}
      </div>
      <SaveJobDialog
        open={pending !== null}
        isNew={job === null}
        busy={fetcher.state !== "idle"}
        onCancel={() => setPending(null)}
        onSave={save}
      />
    </>
  );
}
