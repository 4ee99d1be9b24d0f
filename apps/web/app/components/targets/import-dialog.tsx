import { useEffect, useId, useState } from "react";
import { useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { TargetsActionResult } from "../../lib/targets.client.ts";
import {
  type ExchangeFormat,
  formatOfFileName,
  type ImportReportView,
  presentImportReport,
} from "../../lib/targets.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { SelectField } from "../ui/field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";
import { useResultToast } from "../ui/toast.tsx";

const EXAMPLES: Record<ExchangeFormat, string> = {
  csv: "name,address,port,kind,tags,description,enabled,maintenance\nweb-1,10.0.0.11,22,ssh,env=prod;role=web,,true,false",
  yaml: "targets:\n  - name: web-1\n    address: 10.0.0.11\n    kind: ssh\n    tags: { env: prod, role: web }",
};

/**
 * Paste or upload CSV or YAML, see what a dry run would do (create, update with the changed fields, unchanged,
 * errors by line), then apply exactly that. Changing the content asks for a new dry run.
 */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const fetcher = useFetcher<TargetsActionResult>({ key: "import-targets" });
  const [format, setFormat] = useState<ExchangeFormat>("csv");
  const [content, setContent] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const fileId = useId();
  const result = fetcher.data?.intent === "import" ? fetcher.data : undefined;
  const report = result?.ok ? result.data.report : undefined;
  // The dry run describes the content it was given; after an edit it no longer does.
  const [checked, setChecked] = useState<{ format: ExchangeFormat; content: string } | null>(null);
  const isCurrent = checked !== null && checked.format === format && checked.content === content;
  const errors = fieldErrorsOf(result);
  useResultToast(report?.applied ? result : undefined);

  useEffect(() => {
    if (fetcher.state === "idle" && report?.applied) {
      fetcher.reset();
      setContent("");
      setChecked(null);
      setFileName(null);
      onClose();
    }
  }, [fetcher, report, onClose]);

  const submit = (dryRun: boolean) => {
    setChecked({ format, content });
    void fetcher.submit(
      { intent: "import", format, content, dryRun: String(dryRun) },
      { method: "post", action: "/targets" },
    );
  };
  const busy = fetcher.state !== "idle";
  const view = report && isCurrent ? presentImportReport(report) : null;

  return (
    <Dialog
      size="wide"
      open={open}
      onClose={onClose}
      title="Import targets"
      description="Targets are matched by name: new names are created, known ones updated. Nothing changes until you apply."
    >
      <div className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-[10rem_1fr] sm:items-end">
          <SelectField
            label="Format"
            name="format"
            value={format}
            onChange={(event) => setFormat(event.target.value === "yaml" ? "yaml" : "csv")}
            options={[
              { value: "csv", label: "CSV" },
              { value: "yaml", label: "YAML" },
            ]}
          />
          <div className="space-y-1.5">
            <label htmlFor={fileId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
              Upload a file
            </label>
            <input
              id={fileId}
              type="file"
              accept=".csv,.yaml,.yml,text/csv,application/yaml,text/yaml"
              onChange={async (event) => {
                const file = event.target.files?.[0];
                if (!file) return;
                setFileName(file.name);
                setFormat(formatOfFileName(file.name) ?? format);
                setContent(await file.text());
              }}
              className="block w-full text-sm text-slate-600 file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-2 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-200 dark:text-slate-300 dark:file:bg-slate-800 dark:file:text-slate-100"
            />
          </div>
        </div>
        <TextareaField
          label={fileName ? `Content (from ${fileName})` : "Content"}
          name="content"
          rows={8}
          value={content}
          onChange={(event) => setContent(event.target.value)}
          spellCheck={false}
          placeholder={EXAMPLES[format]}
          className="font-mono text-xs"
          error={errors.content}
          hint={
            format === "csv"
              ? "Columns: name, address, port, kind, tags (key=value;key=value), description, enabled, maintenance."
              : "A list of targets, or { targets: [...] }, with the same fields; tags as a map."
          }
        />
        {result && !result.ok && !errors.content ? <Alert tone="error">{result.message}</Alert> : null}
        {view ? <ImportReportPanel view={view} /> : null}
        <div className="flex flex-wrap justify-end gap-2 pt-1">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button
            variant="secondary"
            disabled={!content.trim()}
            isPending={busy && fetcher.formData?.get("dryRun") === "true"}
            pendingLabel="Checking…"
            onClick={() => submit(true)}
          >
            Dry run
          </Button>
          <Button
            disabled={!view?.canApply}
            isPending={busy && fetcher.formData?.get("dryRun") === "false"}
            pendingLabel="Applying…"
            onClick={() => submit(false)}
            title={view ? undefined : "Run a dry run of this content first"}
          >
            Apply
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function ImportReportPanel({ view }: { view: ImportReportView }) {
  return (
    <section
      aria-label="Dry run report"
      className="space-y-3 rounded-lg border border-slate-200 p-4 text-sm dark:border-slate-800"
      data-import-report
    >
      <p className="font-medium" data-import-summary>
        {view.summary}
      </p>
      {view.create.length ? (
        <div>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-emerald-700 dark:text-emerald-300">
            To create
          </h3>
          <ul className="space-y-0.5" data-import-create>
            {view.create.map((item) => (
              <li key={item.name} className="font-mono text-xs">
                {item.name} <span className="text-slate-500">{item.address}</span>{" "}
                <span className="text-slate-500 uppercase">{item.kind}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {view.update.length ? (
        <div>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-amber-700 dark:text-amber-300">
            To update
          </h3>
          <ul className="space-y-1" data-import-update>
            {view.update.map((item) => (
              <li key={item.name} className="flex flex-wrap items-center gap-1.5">
                <span className="font-mono text-xs">{item.name}</span>
                {item.changes.map((change) => (
                  <Badge key={change} tone="amber">
                    {change}
                  </Badge>
                ))}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {view.errors.length ? (
        <div>
          <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-red-700 dark:text-red-300">
            Errors
          </h3>
          <table className="w-full text-left text-xs" data-import-errors>
            <thead className="text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Line
                </th>
                <th scope="col" className="py-1 pr-3 font-medium">
                  Field
                </th>
                <th scope="col" className="py-1 font-medium">
                  Problem
                </th>
              </tr>
            </thead>
            <tbody>
              {view.errors.map((error) => (
                <tr key={error.key} className="align-top">
                  <td className="py-1 pr-3 tabular-nums">{error.line}</td>
                  <td className="py-1 pr-3 font-mono">{error.field ?? "—"}</td>
                  <td className="py-1 text-red-700 dark:text-red-300">{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="mt-2 text-xs text-slate-500">
            Fix these lines and run the dry run again; nothing is applied while any remain.
          </p>
        </div>
      ) : null}
    </section>
  );
}
