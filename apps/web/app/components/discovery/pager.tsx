import { Link, useLocation } from "react-router";
import { describePaging, type Paging, pageHref } from "../../lib/discovery.presenter.ts";
import { buttonClass } from "../ui/button.tsx";

/**
 * "21–40 of 45" with Previous and Next for an offset-paged list. The page is `?page=` in the URL, so a reload or
 * a shared link shows the same rows; the other search parameters (the run shown) stay. The buttons only appear
 * once there is more than one page.
 */
export function Pager({ paging, label }: { paging: Paging; label: string }) {
  const { search } = useLocation();
  if (!paging.total) return null;
  return (
    <nav
      aria-label={label}
      className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600 dark:text-slate-400"
    >
      <p aria-live="polite" data-paging-summary className="tabular-nums">
        Showing {describePaging(paging)}
      </p>
      {paging.pageCount > 1 ? (
        <div className="flex gap-2">
          <PageLink page={paging.previous} search={search}>
            Previous
          </PageLink>
          <span className="self-center tabular-nums">
            Page {paging.page} of {paging.pageCount}
          </span>
          <PageLink page={paging.next} search={search}>
            Next
          </PageLink>
        </div>
      ) : null}
    </nav>
  );
}

function PageLink({ page, search, children }: { page: number | null; search: string; children: string }) {
  if (page === null)
    return (
      <span
        aria-disabled="true"
        className={`${buttonClass("secondary", "sm")} pointer-events-none opacity-50`}
      >
        {children}
      </span>
    );
  return (
    <Link to={pageHref(search, page)} preventScrollReset className={buttonClass("secondary", "sm")}>
      {children}
    </Link>
  );
}
