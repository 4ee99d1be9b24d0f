import type { TLineDiff } from "@opsc/contracts/jobs/versions";
import { type DiffCell, diffStats, foldUnchanged, sideBySide } from "../../lib/jobs.presenter.ts";

const CELL_TONES: Record<DiffCell["kind"], string> = {
  unchanged: "",
  removed: "bg-red-50 text-red-900 dark:bg-red-500/15 dark:text-red-100",
  added: "bg-emerald-50 text-emerald-900 dark:bg-emerald-500/15 dark:text-emerald-100",
  empty: "bg-slate-50 dark:bg-slate-800/40",
};
const MARKS: Record<DiffCell["kind"], string> = { unchanged: " ", removed: "−", added: "+", empty: " " };

function Cell({ cell, side }: { cell: DiffCell; side: "old" | "new" }) {
  return (
    <>
      <td
        className={`select-none border-r border-slate-200 px-2 text-right text-slate-400 tabular-nums dark:border-slate-800 ${side === "new" ? "border-l" : ""}`}
      >
        {cell.line ?? ""}
      </td>
      <td
        className={`whitespace-pre-wrap break-all px-2 ${CELL_TONES[cell.kind]}`}
        data-diff-cell={`${side}:${cell.kind}`}
      >
        <span aria-hidden="true" className="mr-1 select-none opacity-60">
          {MARKS[cell.kind]}
        </span>
        {cell.kind === "removed" ? <span className="sr-only">Removed: </span> : null}
        {cell.kind === "added" ? <span className="sr-only">Added: </span> : null}
        {cell.text}
      </td>
    </>
  );
}

/** Two YAML documents side by side: removed lines on the left, added ones on the right, unchanged ones on both. */
export function DiffView({
  changes,
  oldLabel,
  newLabel,
}: {
  changes: TLineDiff;
  oldLabel: string;
  newLabel: string;
}) {
  const rows = foldUnchanged(sideBySide(changes));
  const stats = diffStats(changes);
  return (
    <div className="space-y-2" data-diff>
      <p className="text-xs text-slate-600 dark:text-slate-300" data-diff-stats>
        <span className="text-emerald-700 dark:text-emerald-300">+{stats.added}</span>{" "}
        <span className="text-red-700 dark:text-red-300">−{stats.removed}</span> lines
        {stats.added + stats.removed === 0 ? " (no difference)" : ""}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
        <table className="w-full table-fixed font-mono text-xs leading-5">
          <colgroup>
            <col className="w-12" />
            <col />
            <col className="w-12" />
            <col />
          </colgroup>
          <thead className="bg-slate-50 text-left text-slate-600 dark:bg-slate-900 dark:text-slate-300">
            <tr>
              <th scope="col" colSpan={2} className="px-2 py-1.5 font-sans font-semibold">
                {oldLabel}
              </th>
              <th
                scope="col"
                colSpan={2}
                className="w-1/2 border-l border-slate-200 px-2 py-1.5 font-sans font-semibold dark:border-slate-800"
              >
                {newLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) =>
              "gap" in row ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: a diff's rows are fixed for its lifetime
                <tr key={index}>
                  <td
                    colSpan={4}
                    className="bg-slate-50 px-2 py-0.5 text-center font-sans text-slate-500 dark:bg-slate-800/40 dark:text-slate-400"
                  >
                    {row.gap} unchanged line{row.gap === 1 ? "" : "s"}
                  </td>
                </tr>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: a diff's rows are fixed for its lifetime
                <tr key={index} className="align-top">
                  <Cell cell={row.left} side="old" />
                  <Cell cell={row.right} side="new" />
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
