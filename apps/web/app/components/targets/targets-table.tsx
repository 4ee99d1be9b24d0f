import type { TTarget } from "@opsc/contracts/targets/targets";
import { useEffect, useRef } from "react";
import { Link } from "react-router";
import { presentTargetRow, type TargetRowView } from "../../lib/targets.presenter.ts";
import { Badge } from "../ui/badge.tsx";
import { HealthBadge, StateBadges, TagChips } from "./health-badge.tsx";

interface TargetsTableProps {
  targets: TTarget[];
  /** Null hides the selection column (viewers cannot act on targets). */
  selection: {
    selected: ReadonlySet<string>;
    toggle: (id: string) => void;
    setAll: (on: boolean) => void;
  } | null;
}

const checkboxClass =
  "size-4 rounded border-slate-300 text-indigo-600 focus:ring-2 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900";

export function TargetsTable({ targets, selection }: TargetsTableProps) {
  const now = new Date();
  const rows = targets.map((target) => presentTargetRow(target, now));
  if (rows.length === 0) {
    return (
      <p className="rounded-xl border border-dashed border-slate-300 px-6 py-10 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
        No targets match these filters.
      </p>
    );
  }
  const selectedOnPage = selection ? rows.filter((row) => selection.selected.has(row.id)).length : 0;
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:bg-slate-900 dark:text-slate-400">
          <tr>
            {selection ? (
              <th scope="col" className="w-10 px-4 py-3">
                <PageCheckbox
                  checked={selectedOnPage === rows.length}
                  indeterminate={selectedOnPage > 0 && selectedOnPage < rows.length}
                  onChange={selection.setAll}
                />
              </th>
            ) : null}
            <th scope="col" className="px-4 py-3">
              Target
            </th>
            <th scope="col" className="px-4 py-3">
              Kind
            </th>
            <th scope="col" className="px-4 py-3">
              Tags
            </th>
            <th scope="col" className="px-4 py-3">
              Health
            </th>
            <th scope="col" className="px-4 py-3">
              State
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((row) => (
            <TargetRow
              key={row.id}
              row={row}
              isSelected={selection?.selected.has(row.id) ?? false}
              onToggle={selection ? () => selection.toggle(row.id) : null}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function PageCheckbox({
  checked,
  indeterminate,
  onChange,
}: {
  checked: boolean;
  indeterminate: boolean;
  onChange: (on: boolean) => void;
}) {
  const ref = useRef<HTMLInputElement>(null);
  // `indeterminate` exists only as a DOM property, not as an attribute.
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select every target on this page"
      checked={checked}
      onChange={(event) => onChange(event.target.checked)}
      className={checkboxClass}
    />
  );
}

function TargetRow({
  row,
  isSelected,
  onToggle,
}: {
  row: TargetRowView;
  isSelected: boolean;
  onToggle: (() => void) | null;
}) {
  return (
    <tr
      data-target-row={row.name}
      aria-selected={onToggle ? isSelected : undefined}
      className={`${isSelected ? "bg-indigo-50/60 dark:bg-indigo-500/10" : ""} ${row.enabled ? "" : "text-slate-500"}`}
    >
      {onToggle ? (
        <td className="px-4 py-3">
          <input
            type="checkbox"
            aria-label={`Select ${row.name}`}
            checked={isSelected}
            onChange={onToggle}
            className={checkboxClass}
          />
        </td>
      ) : null}
      <td className="px-4 py-3">
        <Link
          to={`/targets/${row.id}`}
          className="rounded font-medium text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-white dark:hover:text-indigo-300"
        >
          {row.name}
        </Link>
        <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{row.endpoint}</div>
      </td>
      <td className="px-4 py-3">
        <Badge tone={row.kind === "ssh" ? "indigo" : "neutral"}>{row.kindLabel}</Badge>
      </td>
      <td className="max-w-72 px-4 py-3">
        <TagChips tags={row.tags} empty="—" />
      </td>
      <td className="whitespace-nowrap px-4 py-3">
        <HealthBadge health={row.health} />
      </td>
      <td className="px-4 py-3">
        <StateBadges enabled={row.enabled} maintenance={row.maintenance} />
      </td>
    </tr>
  );
}
