import type { TRun } from "@opsc/contracts/execution/runs";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import {
  artifactContentHref,
  artifactsRefreshKey,
  artifactTargetName,
  formatBytes,
  shortHash,
} from "../../lib/execution.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { CopyButton } from "../ui/copy-button.tsx";
import { useRunArtifacts } from "./use-run-artifacts.ts";

interface ArtifactsCardProps {
  run: Pick<TRun, "id" | "state" | "counts">;
  api: ExecutionLiveApi;
  /** Task id → target name, from the tasks loaded so far (when the API's row lacks it). */
  names: ReadonlyMap<string, string>;
  /** The log viewer's target filter: only this task's files, or every task's. */
  task: { id: string; name: string | null } | null;
  onShowAll: () => void;
}

/**
 * The files the run's tasks saved (`$OPSC_ARTIFACTS_DIR`, an http `saveBody`): target, name, size, SHA-256 and a
 * download link to the execution service's content route (same origin, the session cookie goes along). Shown once
 * the run has any; reloaded as its tasks finish; follows the log viewer's target filter.
 */
export function ArtifactsCard({ run, api, names, task, onShowAll }: ArtifactsCardProps) {
  const artifacts = useRunArtifacts(api, run.id, task?.id ?? null, artifactsRefreshKey(run));
  const { items, status } = artifacts;
  if (!items.length && !artifacts.runHasAny && status !== "failed") return null;
  const targetName = task ? (task.name ?? names.get(task.id) ?? null) : null;
  const stale = artifacts.forTask !== (task?.id ?? null);
  return (
    <Card
      id="artifacts"
      title="Artifacts"
      description={
        task ? (
          <span data-artifacts-filter={targetName ?? task.id}>
            Only the files of{" "}
            <span className="font-medium text-slate-700 dark:text-slate-200">{targetName ?? "…"}</span>.{" "}
            <button
              type="button"
              onClick={onShowAll}
              className="text-indigo-700 hover:underline dark:text-indigo-300"
            >
              Show all targets
            </button>
          </span>
        ) : (
          "Files the tasks saved ($OPSC_ARTIFACTS_DIR, or an HTTP response body), listed as the tasks finish."
        )
      }
    >
      <div className="space-y-3" aria-busy={status === "loading" || undefined} data-artifacts-status={status}>
        {status === "failed" ? (
          <Alert tone="error">
            The files could not be loaded.{" "}
            <button type="button" onClick={artifacts.retry} className="font-medium underline">
              Try again
            </button>
          </Alert>
        ) : null}
        {items.length === 0 ? (
          status === "failed" ? null : (
            <p className="text-sm text-slate-500 dark:text-slate-400" data-artifacts-empty>
              {stale ? "Loading…" : `No files from ${targetName ?? "this target"}.`}
            </p>
          )
        ) : (
          <div
            className={`overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800 ${stale ? "opacity-60" : ""}`}
          >
            <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
              <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-950/50 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-3 py-2.5">
                    Target
                  </th>
                  <th scope="col" className="px-3 py-2.5">
                    File
                  </th>
                  <th scope="col" className="px-3 py-2.5 text-right">
                    Size
                  </th>
                  <th scope="col" className="px-3 py-2.5">
                    SHA-256
                  </th>
                  <th scope="col" className="px-3 py-2.5">
                    <span className="sr-only">Download</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {items.map((artifact) => {
                  const target = artifactTargetName(artifact, names);
                  return (
                    <tr key={artifact.id} data-artifact-row={artifact.name} data-artifact-id={artifact.id}>
                      <td className="max-w-48 truncate px-3 py-2.5" title={target} data-artifact-target>
                        {target}
                      </td>
                      <td
                        className="max-w-80 truncate px-3 py-2.5 font-medium text-slate-900 dark:text-white"
                        title={`${artifact.name} (${artifact.contentType})`}
                        data-artifact-name
                      >
                        {artifact.name}
                      </td>
                      <td
                        className="whitespace-nowrap px-3 py-2.5 text-right tabular-nums"
                        title={`${artifact.size.toLocaleString()} bytes`}
                        data-artifact-size={artifact.size}
                      >
                        {formatBytes(artifact.size)}
                      </td>
                      <td className="whitespace-nowrap px-3 py-2.5">
                        <span className="inline-flex items-center gap-2">
                          <code
                            className="font-mono text-xs text-slate-600 dark:text-slate-300"
                            title={artifact.sha256}
                            data-artifact-sha256={artifact.sha256}
                          >
                            {shortHash(artifact.sha256)}
                          </code>
                          <CopyButton
                            value={artifact.sha256}
                            ariaLabel={`Copy the SHA-256 of ${artifact.name}`}
                          />
                        </span>
                      </td>
                      <td className="whitespace-nowrap px-3 py-2.5 text-right">
                        <a
                          href={artifactContentHref(artifact.id)}
                          download={artifact.name}
                          aria-label={`Download ${artifact.name}`}
                          className={buttonClass("secondary", "sm")}
                          data-artifact-download
                        >
                          Download
                        </a>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {items.length || artifacts.nextCursor ? (
          <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
            <span data-artifacts-loaded={items.length}>
              {items.length.toLocaleString()} {items.length === 1 ? "file" : "files"}
              {artifacts.nextCursor ? " shown" : ""}
            </span>
            {artifacts.nextCursor ? (
              <Button
                variant="secondary"
                size="sm"
                onClick={artifacts.loadMore}
                isPending={artifacts.loadingMore}
                pendingLabel="Loading…"
              >
                Show more
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
    </Card>
  );
}
