import { Link } from "react-router";
import { toUsersSearchParams, type UsersPage } from "../../lib/users.presenter.ts";
import { buttonClass } from "../ui/button.tsx";

export function Pagination({ page }: { page: UsersPage }) {
  const linkTo = (pageNumber: number) => `?${toUsersSearchParams({ ...page.query, page: pageNumber })}`;
  const disabled = "pointer-events-none opacity-50";
  return (
    <nav
      aria-label="Pages"
      className="mt-4 flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-400"
    >
      <p aria-live="polite">{page.total ? `Showing ${page.from}–${page.to} of ${page.total}` : "No users"}</p>
      <div className="flex gap-2">
        <Link
          to={linkTo(page.query.page - 1)}
          className={`${buttonClass("secondary", "sm")} ${page.hasPrevious ? "" : disabled}`}
          aria-disabled={!page.hasPrevious}
          tabIndex={page.hasPrevious ? undefined : -1}
        >
          Previous
        </Link>
        <span className="self-center">
          Page {page.query.page} of {page.pageCount}
        </span>
        <Link
          to={linkTo(page.query.page + 1)}
          className={`${buttonClass("secondary", "sm")} ${page.hasNext ? "" : disabled}`}
          aria-disabled={!page.hasNext}
          tabIndex={page.hasNext ? undefined : -1}
        >
          Next
        </Link>
      </div>
    </nav>
  );
}
