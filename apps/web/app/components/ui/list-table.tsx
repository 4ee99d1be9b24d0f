import type { ReactNode } from "react";
import { Button } from "./button.tsx";

const FRAMES = {
  card: "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900",
  plain: "overflow-x-auto rounded-xl border border-slate-200 dark:border-slate-800",
} as const;

/** What a list shows instead of an empty table ("No runs match these filters."). */
export function EmptyListNote({ children }: { children: ReactNode }) {
  return (
    <p className="rounded-xl border border-dashed border-slate-300 px-6 py-10 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
      {children}
    </p>
  );
}

export interface ListColumn {
  label: string;
  /** Read by screen readers only (an actions column). */
  isHidden?: boolean;
  /** Replaces the table's cell class for this heading (a width, right alignment). */
  className?: string;
}

/**
 * A list page's table: the uppercase header row from `columns`, then the rows given as children. `cellClass` is the
 * headings' padding, which matches the body cells of each table.
 */
export function ListTable({
  columns,
  cellClass,
  frame,
  hasSmallText = false,
  children,
}: {
  columns: readonly ListColumn[];
  /** The box around it: a white card (a page's main list) or a plain border (a list inside a card). */
  frame: keyof typeof FRAMES;
  cellClass: string;
  hasSmallText?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={FRAMES[frame]}>
      <table
        className={`min-w-full divide-y divide-slate-200${hasSmallText ? " text-sm" : ""} dark:divide-slate-800`}
      >
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
          <tr>
            {columns.map((column) => (
              <th key={column.label} scope="col" className={column.className ?? cellClass}>
                {column.isHidden ? <span className="sr-only">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">{children}</tbody>
      </table>
    </div>
  );
}

/** A row's details opened under it (a schedule's fires, a webhook's deliveries), across all `columns`. */
export function DetailRow({ columns, children }: { columns: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={columns} className="bg-slate-50 px-3 py-3 dark:bg-slate-900/60">
        {children}
      </td>
    </tr>
  );
}

/** A row's Edit and Delete buttons, each naming the item it acts on. */
export function EditDeleteButtons({
  name,
  onEdit,
  onDelete,
}: {
  name: string;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      <Button variant="ghost" size="sm" aria-label={`Edit ${name}`} onClick={onEdit}>
        Edit
      </Button>
      <Button variant="ghost" size="sm" aria-label={`Delete ${name}`} onClick={onDelete}>
        Delete
      </Button>
    </>
  );
}
