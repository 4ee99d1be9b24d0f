import { useId, useState } from "react";
import { Link, useFetcher } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import type { ImportActionResult, ImportPreview } from "../../lib/jobs.client.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Alert } from "../ui/alert.tsx";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";
import { DiffView } from "./diff-view.tsx";

const EXAMPLE = `name: disk-usage
folder: /maintenance
targets: { selector: "role=web" }
steps:
  - key: df
    name: Disk usage
    action: { type: command, command: "df -h" }
---
name: another-job
…`;

const ACTION_TONES: Record<ImportPreview["jobs"][number]["action"], BadgeTone> = {
  create: "green",
  update: "amber",
  unchanged: "neutral",
};
const ACTION_LABELS: Record<ImportPreview["jobs"][number]["action"], string> = {
  create: "Create",
  update: "Update",
  unchanged: "Unchanged",
};

/**
 * Jobs as code: paste or upload YAML (one job per document), see what it would do per job (create, update with the
 * difference, unchanged; invalid documents with the field), then apply all of it in one transaction. Changing the
 * YAML asks for a new preview.
 */
export function ImportJobsPage() {
  const { effectiveRole } = useProfile();
  const canImport = hasRole(effectiveRole, "operator");
  const fetcher = useFetcher<ImportActionResult>();
  const [yaml, setYaml] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const fileId = useId();
  const result = fetcher.data;
  const report = result?.ok ? result.data.report : null;
  // A preview describes the YAML it was given; after an edit it no longer does.
  const current = result?.ok && result.data.yaml === yaml ? report : null;
  const applied = report?.applied ? report : null;
  const busy = fetcher.state !== "idle";
  const submit = (intent: "preview" | "apply") => void fetcher.submit({ intent, yaml }, { method: "post" });
  const canApply =
    current !== null &&
    !current.applied &&
    current.errors.length === 0 &&
    current.jobs.some((job) => job.action !== "unchanged");

  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/jobs" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Jobs
        </Link>
      </p>
      <PageHeader
        title="Import jobs"
        description="Jobs are matched by name: new names are created, known ones get a new version. Nothing changes until you apply."
      />
      <div className="space-y-6">
        {!canImport ? <Alert tone="info">You need the operator role to import jobs.</Alert> : null}
        <Card id="yaml" title="YAML">
          <div className="space-y-4">
            <div className="space-y-1.5">
              <label
                htmlFor={fileId}
                className="block text-sm font-medium text-slate-700 dark:text-slate-200"
              >
                Upload a file
              </label>
              <input
                id={fileId}
                type="file"
                accept=".yaml,.yml,application/yaml,text/yaml"
                onChange={async (event) => {
                  const file = event.target.files?.[0];
                  if (!file) return;
                  setFileName(file.name);
                  setYaml(await file.text());
                }}
                className="block w-full text-sm text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-200 dark:text-slate-300 dark:file:bg-slate-800 dark:file:text-slate-100"
              />
            </div>
            <TextareaField
              label={fileName ? `Jobs (from ${fileName})` : "Jobs"}
              name="yaml"
              rows={14}
              value={yaml}
              onChange={(event) => setYaml(event.target.value)}
              placeholder={EXAMPLE}
              spellCheck={false}
              className="font-mono text-xs"
              hint="One job per document, separated by ---; the format Export writes."
              error={result && !result.ok ? (result.fieldErrors.yaml ?? undefined) : undefined}
            />
            {result && !result.ok && !result.fieldErrors.yaml ? (
              <Alert tone="error">{result.message}</Alert>
            ) : null}
            {applied ? <Alert tone="success">{result?.message}</Alert> : null}
            <div className="flex flex-wrap justify-end gap-2">
              <Button
                variant="secondary"
                disabled={!yaml.trim() || !canImport}
                isPending={busy && fetcher.formData?.get("intent") === "preview"}
                pendingLabel="Checking…"
                onClick={() => submit("preview")}
              >
                Preview
              </Button>
              {canImport ? (
                <Button
                  disabled={!canApply}
                  isPending={busy && fetcher.formData?.get("intent") === "apply"}
                  pendingLabel="Applying…"
                  onClick={() => submit("apply")}
                  title={current ? undefined : "Preview this YAML first"}
                >
                  Apply
                </Button>
              ) : null}
            </div>
          </div>
        </Card>
        {current ? <ImportReport report={current} /> : null}
        {applied ? (
          <Link to="/jobs" className={buttonClass("secondary")}>
            Back to the jobs
          </Link>
        ) : null}
      </div>
    </>
  );
}

function ImportReport({ report }: { report: ImportPreview }) {
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const job of report.jobs) counts[job.action] += 1;
  return (
    <section
      aria-label={report.applied ? "Import result" : "Import preview"}
      className="space-y-4"
      data-import-preview
    >
      <p className="text-sm font-medium" data-import-summary>
        {report.applied ? "Applied: " : "Would "}
        {counts.create} to create, {counts.update} to update, {counts.unchanged} unchanged
        {report.errors.length
          ? `; ${report.errors.length} error${report.errors.length === 1 ? "" : "s"}`
          : ""}
        .
      </p>
      {report.errors.length ? (
        <Card id="import-errors" title="Errors">
          <table className="w-full text-left text-sm" data-import-errors>
            <thead className="text-xs text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Where
                </th>
                <th scope="col" className="py-1 font-medium">
                  Problem
                </th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((error) => (
                <tr key={`${error.path}:${error.message}`} className="align-top">
                  <td className="py-1 pr-3 font-mono text-xs">{error.path}</td>
                  <td className="py-1 text-red-700 dark:text-red-300">{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-2 text-xs text-slate-500">Nothing is applied while any error remains.</p>
        </Card>
      ) : null}
      <ul className="space-y-3">
        {report.jobs.map((job) => (
          <li
            key={`${job.document}:${job.name}`}
            className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
            data-import-job={job.name}
            data-import-action={job.action}
          >
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={ACTION_TONES[job.action]}>{ACTION_LABELS[job.action]}</Badge>
              {job.id ? (
                <Link
                  to={`/jobs/${job.id}`}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {job.name}
                </Link>
              ) : (
                <span className="font-medium">{job.name}</span>
              )}
              <span className="text-xs text-slate-500">
                document {job.document + 1}
                {job.version ? ` · version ${job.version}` : ""}
              </span>
            </div>
            {job.action === "update" && job.changes ? (
              <div className="mt-3">
                <DiffView
                  changes={job.changes}
                  oldLabel={`Version ${job.version ?? "?"}`}
                  newLabel={report.applied ? "Imported" : "In the YAML"}
                />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
