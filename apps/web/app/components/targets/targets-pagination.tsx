import { Link } from "react-router";
import { type TargetsPage, type TargetsQuery, toTargetsSearchParams } from "../../lib/targets.presenter.ts";
import { buttonClass } from "../ui/button.tsx";

/** Keyset paging: Next pushes the page's cursor onto the stack in the URL, Previous pops it. */
export function TargetsPagination({ page }: { page: TargetsPage }) {
  const href = (query: TargetsQuery) => `/targets?${toTargetsSearchParams(query)}`;
  const disabled = "pointer-events-none opacity-50";
  const first = page.query.cursors.length > 1 ? { ...page.query, cursors: [] } : null;
  return (
    <nav
      aria-label="Pages"
      className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-400"
    >
      <p aria-live="polite" data-paging-summary>
        {page.total
          ? `Showing ${page.from.toLocaleString()}–${page.to.toLocaleString()} of ${page.total.toLocaleString()}`
          : "No targets"}
      </p>
      <div className="flex gap-2">
        {first ? (
          <Link to={href(first)} className={buttonClass("ghost", "sm")}>
            First
          </Link>
        ) : null}
        <Link
          to={page.previous ? href(page.previous) : "#"}
          className={`${buttonClass("secondary", "sm")} ${page.previous ? "" : disabled}`}
          aria-disabled={!page.previous}
          tabIndex={page.previous ? undefined : -1}
        >
          Previous
        </Link>
        <span className="self-center tabular-nums">Page {page.query.cursors.length + 1}</span>
        <Link
          to={page.next ? href(page.next) : "#"}
          className={`${buttonClass("secondary", "sm")} ${page.next ? "" : disabled}`}
          aria-disabled={!page.next}
          tabIndex={page.next ? undefined : -1}
        >
          Next
        </Link>
      </div>
    </nav>
  );
}
