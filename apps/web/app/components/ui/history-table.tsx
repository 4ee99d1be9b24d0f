import type { ReactNode } from "react";
import { Link } from "react-router";

/**
 * A short history shown under a row (a webhook's deliveries, a schedule's fires): a line while `items` loads
 * (undefined), another when it is empty, else a compact table. `marker` is the data attribute the tests find it by.
 */
export function HistoryTable<TItem>({
  label,
  marker,
  items,
  loadingText,
  emptyText,
  columns,
  row,
}: {
  label: string;
  marker: `data-${string}`;
  items: readonly TItem[] | undefined;
  loadingText: string;
  emptyText: string;
  columns: readonly string[];
  row: (item: TItem) => ReactNode;
}) {
  if (!items) return <p className="text-xs text-slate-500">{loadingText}</p>;
  if (!items.length)
    return (
      <p className="text-xs text-slate-500" {...{ [marker]: true }}>
        {emptyText}
      </p>
    );
  return (
    <table className="w-full text-left text-xs" {...{ [marker]: true }} aria-label={label}>
      <thead className="text-slate-500">
        <tr>
          {columns.map((column, index) => (
            <th
              key={column}
              scope="col"
              className={index === columns.length - 1 ? "py-1 font-medium" : "py-1 pr-3 font-medium"}
            >
              {column}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{items.map(row)}</tbody>
    </table>
  );
}

/** A history row's run: the first 8 characters of its id, linked to the run; a dash when none started. */
export function RunIdCell({ runId }: { runId: string | null }) {
  return (
    <td className="py-1 pr-3 font-mono">
      {runId ? (
        <Link to={`/runs/${runId}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
          {runId.slice(0, 8)}
        </Link>
      ) : (
        "—"
      )}
    </td>
  );
}
