import type { TRunDiff } from "@opsc/contracts/discovery/results";
import { Link, useFetcher } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import type { DiscoveryActionResult } from "../../lib/discovery.client.ts";
import { formatTags, presentHost, summariseDiff } from "../../lib/discovery.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { inputClass } from "../ui/field.tsx";
import { useResultToast } from "../ui/toast.tsx";

const th =
  "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
const td = "px-3 py-2 align-top text-sm text-slate-700 dark:text-slate-300";
const h3 = "mb-2 text-sm font-semibold text-slate-900 dark:text-white";

function TargetLink({ target }: { target: { id: string; name: string } }) {
  return (
    <Link to={`/targets/${target.id}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
      {target.name}
    </Link>
  );
}

/** The run against the inventory: new hosts (importable), changed and vanished ones, and how many are known. */
export function DiffPanel({ diff, runId, canImport }: { diff: TRunDiff; runId: string; canImport: boolean }) {
  const summary = summariseDiff(diff);
  // The import's fetcher lives here too: once imported, the hosts leave "new" (and the form with them), while
  // the links to the created targets stay.
  const importer = useFetcher<DiscoveryActionResult>({ key: `import-${runId}` });
  const result = importer.data?.intent === "import" ? importer.data : undefined;
  useResultToast(result, { errors: "inline" });
  const imported = result?.ok ? (result.data.imported ?? []) : [];
  return (
    <Card
      id="diff"
      title="Compared with the inventory"
      description={
        diff.previousRunId
          ? "Against the targets and the previous completed run."
          : "The first run of this scan."
      }
    >
      {imported.length ? (
        <div className="mb-4">
          <Alert tone="success">
            <span data-imported>
              Created{" "}
              {imported.map((item, index) => (
                <span key={item.targetId}>
                  {index ? ", " : ""}
                  <Link to={`/targets/${item.targetId}`} className="font-medium underline">
                    {item.name}
                  </Link>
                </span>
              ))}
              .
            </span>
          </Alert>
        </div>
      ) : null}
      <div className="mb-4 flex flex-wrap gap-2" data-diff-summary>
        <Badge tone="green">{summary.new} new</Badge>
        <Badge tone="amber">{summary.changed} changed</Badge>
        <Badge tone="red">{summary.vanished} vanished</Badge>
        <Badge>{summary.known} known</Badge>
      </div>
      <div className="space-y-6">
        <section data-diff="new">
          <h3 className={h3}>New hosts</h3>
          {diff.new.length ? (
            <ImportForm diff={diff} runId={runId} canImport={canImport} />
          ) : (
            <p className="text-sm text-slate-500 dark:text-slate-400">No host without a target.</p>
          )}
        </section>
        {diff.changed.length ? (
          <section data-diff="changed">
            <h3 className={h3}>Changed</h3>
            <ul className="space-y-2 text-sm">
              {diff.changed.map((entry) => (
                <li key={entry.host.address} data-diff-row={entry.host.address}>
                  <span className="font-mono">{entry.host.address}</span> (
                  <TargetLink target={entry.target} />
                  ): {entry.changes.join("; ")}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {diff.vanished.length ? (
          <section data-diff="vanished">
            <h3 className={h3}>Vanished</h3>
            <ul className="space-y-2 text-sm">
              {diff.vanished.map((entry) => (
                <li key={entry.address} data-diff-row={entry.address}>
                  <span className="font-mono">{entry.address}</span>
                  {entry.target ? (
                    <>
                      {" "}
                      (<TargetLink target={entry.target} />)
                    </>
                  ) : null}{" "}
                  — seen before on ports {entry.previous.ports.map((port) => port.port).join(", ")}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {diff.known.length ? (
          <section data-diff="known">
            <h3 className={h3}>Known, unchanged</h3>
            <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
              {diff.known.map((entry) => (
                <li key={entry.address} data-diff-row={entry.address}>
                  <span className="font-mono">{entry.address}</span> <TargetLink target={entry.target} />
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </Card>
  );
}

function ImportForm({ diff, runId, canImport }: { diff: TRunDiff; runId: string; canImport: boolean }) {
  const fetcher = useFetcher<DiscoveryActionResult>({ key: `import-${runId}` });
  const result = fetcher.data?.intent === "import" ? fetcher.data : undefined;
  const errors = fieldErrorsOf(result);
  const placed = (key: string) => /^(name|tags|host):/.test(key);
  const unplaced = Object.entries(errors).filter(([key]) => !placed(key));
  return (
    <fetcher.Form method="post" noValidate className="space-y-3">
      <input type="hidden" name="intent" value="import" />
      <input type="hidden" name="runId" value={runId} />
      {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
        <Alert tone="error">
          {unplaced.length
            ? unplaced.map(([key, message]) => (key === "_" ? message : `${key}: ${message}`)).join(" ")
            : result.message}
        </Alert>
      ) : null}
      <div className="-mx-5 overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 dark:divide-slate-800">
          <thead>
            <tr>
              {canImport ? (
                <th className={th}>
                  <span className="sr-only">Import</span>
                </th>
              ) : null}
              <th className={th}>Address</th>
              <th className={th}>Open ports</th>
              <th className={th}>Target name</th>
              <th className={th}>Tags</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {diff.new.map(({ host, suggestion, seenBefore }) => {
              const row = presentHost(host);
              const nameError = errors[`name:${host.address}`];
              const tagsError = errors[`tags:${host.address}`];
              const hostError = errors[`host:${host.address}`];
              return (
                <tr key={host.address} data-new-host={host.address}>
                  {canImport ? (
                    <td className={td}>
                      <input
                        type="checkbox"
                        name="address"
                        value={host.address}
                        defaultChecked
                        aria-label={`Import ${host.address}`}
                        className="size-4 rounded border-slate-300 text-indigo-600 dark:border-slate-600 dark:bg-slate-900"
                      />
                    </td>
                  ) : null}
                  <td className={`${td} font-mono`}>
                    {host.address}
                    {seenBefore ? <p className="text-xs font-sans text-slate-500">seen before</p> : null}
                    {hostError ? (
                      <p
                        className="text-xs font-sans font-medium text-red-600 dark:text-red-400"
                        data-field-error
                      >
                        {hostError}
                      </p>
                    ) : null}
                  </td>
                  <td className={td}>
                    {row.ports
                      .map((port) => `${port.port}${port.service ? `/${port.service}` : ""}`)
                      .join(", ")}
                    <p className="text-xs text-slate-500 dark:text-slate-400">suggested: {suggestion.kind}</p>
                  </td>
                  <td className={td}>
                    {canImport ? (
                      <>
                        <input
                          name={`name:${host.address}`}
                          defaultValue={suggestion.name}
                          aria-label={`Name for ${host.address}`}
                          aria-invalid={nameError ? true : undefined}
                          className={`${inputClass} min-w-40`}
                        />
                        {nameError ? (
                          <p
                            className="mt-1 text-xs font-medium text-red-600 dark:text-red-400"
                            data-field-error
                          >
                            {nameError}
                          </p>
                        ) : null}
                      </>
                    ) : (
                      suggestion.name
                    )}
                  </td>
                  <td className={td}>
                    {canImport ? (
                      <>
                        <input
                          name={`tags:${host.address}`}
                          defaultValue={formatTags(suggestion.tags)}
                          aria-label={`Tags for ${host.address}`}
                          aria-invalid={tagsError ? true : undefined}
                          className={`${inputClass} min-w-56`}
                        />
                        {tagsError ? (
                          <p
                            className="mt-1 text-xs font-medium text-red-600 dark:text-red-400"
                            data-field-error
                          >
                            {tagsError}
                          </p>
                        ) : null}
                      </>
                    ) : (
                      formatTags(suggestion.tags)
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canImport ? (
        <div className="flex justify-end">
          <Button type="submit" isPending={fetcher.state !== "idle"} pendingLabel="Importing…">
            Import selected
          </Button>
        </div>
      ) : null}
    </fetcher.Form>
  );
}
