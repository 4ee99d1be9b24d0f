import type { ReactNode } from "react";
import { Link } from "react-router";
import { buttonClass } from "./button.tsx";

/**
 * Keyset paging: Next pushes the page's cursor onto a stack kept in the URL, Previous pops it, First empties it.
 * Links rather than buttons, so the browser's back button walks the same way. A null href disables its link.
 */
export function CursorPager({
  label = "Pages",
  summary,
  page,
  first,
  previous,
  next,
}: {
  label?: string;
  summary: ReactNode;
  /** 1-based. */
  page: number;
  first: string | null;
  previous: string | null;
  next: string | null;
}) {
  const disabled = "pointer-events-none opacity-50";
  return (
    <nav
      aria-label={label}
      className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-400"
    >
      <p aria-live="polite" data-paging-summary>
        {summary}
      </p>
      <div className="flex gap-2">
        {first ? (
          <Link to={first} className={buttonClass("ghost", "sm")}>
            First
          </Link>
        ) : null}
        <Link
          to={previous ?? "#"}
          className={`${buttonClass("secondary", "sm")} ${previous ? "" : disabled}`}
          aria-disabled={!previous}
          tabIndex={previous ? undefined : -1}
        >
          Previous
        </Link>
        <span className="self-center tabular-nums">Page {page}</span>
        <Link
          to={next ?? "#"}
          className={`${buttonClass("secondary", "sm")} ${next ? "" : disabled}`}
          aria-disabled={!next}
          tabIndex={next ? undefined : -1}
        >
          Next
        </Link>
      </div>
    </nav>
  );
}
