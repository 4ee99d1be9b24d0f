import type { TJobVersionSummary } from "@opsc/contracts/jobs/versions";
import { useState } from "react";
import { useNavigate } from "react-router";
import { formatDateTime } from "../../lib/format.ts";
import type { VersionDiff } from "../../lib/job-detail.client.ts";
import { Button } from "../ui/button.tsx";
import { ListTable } from "../ui/list-table.tsx";
import { DiffView } from "./diff-view.tsx";

/**
 * The job's versions, newest first. Two are picked (older and newer) and compared side by side; the pair is in the
 * URL (`?tab=versions&from=&to=`), the latest against the one before it by default.
 */
export function VersionsTab({
  jobId,
  versions,
  diff,
}: {
  jobId: string;
  versions: TJobVersionSummary[];
  diff: VersionDiff | null;
}) {
  const navigate = useNavigate();
  const [from, setFrom] = useState(diff?.from.version ?? null);
  const [to, setTo] = useState(diff?.to.version ?? null);
  const canCompare = from !== null && to !== null && from !== to;
  const compare = () => {
    if (!canCompare) return;
    const [older, newer] = from < to ? [from, to] : [to, from];
    navigate(`/jobs/${jobId}?tab=versions&from=${older}&to=${newer}`, { preventScrollReset: true });
  };
  return (
    <div className="space-y-6">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          compare();
        }}
        className="space-y-3"
      >
        <ListTable
          frame="plain"
          columns={[
            { label: "Old" },
            { label: "New" },
            { label: "Version" },
            { label: "What changed" },
            { label: "Saved" },
          ]}
          cellClass="px-3 py-2"
          hasSmallText
        >
          {versions.map((version) => (
            <tr key={version.version} data-version-row={version.version}>
              <td className="px-3 py-2">
                <input
                  type="radio"
                  name="from"
                  aria-label={`Compare from version ${version.version}`}
                  checked={from === version.version}
                  onChange={() => setFrom(version.version)}
                />
              </td>
              <td className="px-3 py-2">
                <input
                  type="radio"
                  name="to"
                  aria-label={`Compare to version ${version.version}`}
                  checked={to === version.version}
                  onChange={() => setTo(version.version)}
                />
              </td>
              <td className="px-3 py-2 font-medium tabular-nums">v{version.version}</td>
              <td className="px-3 py-2 text-slate-700 dark:text-slate-300">
                {version.message || <span className="text-slate-400">—</span>}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-600 dark:text-slate-400">
                {formatDateTime(version.createdAt)}
              </td>
            </tr>
          ))}
        </ListTable>
        <Button type="submit" variant="secondary" disabled={!canCompare}>
          Compare versions
        </Button>
      </form>
      {diff ? (
        <section aria-label={`Version ${diff.from.version} compared with version ${diff.to.version}`}>
          <DiffView
            changes={diff.changes}
            oldLabel={`Version ${diff.from.version}`}
            newLabel={`Version ${diff.to.version}`}
          />
        </section>
      ) : versions.length < 2 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Only one version so far: nothing to compare.
        </p>
      ) : null}
    </div>
  );
}
