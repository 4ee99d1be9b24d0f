import { type TargetsPage, type TargetsQuery, toTargetsSearchParams } from "../../lib/targets.presenter.ts";
import { CursorPager } from "../ui/cursor-pager.tsx";

/** Keyset paging: Next pushes the page's cursor onto the stack in the URL, Previous pops it. */
export function TargetsPagination({ page }: { page: TargetsPage }) {
  const href = (query: TargetsQuery | null) => (query ? `/targets?${toTargetsSearchParams(query)}` : null);
  return (
    <CursorPager
      summary={
        page.total
          ? `Showing ${page.from.toLocaleString()}–${page.to.toLocaleString()} of ${page.total.toLocaleString()}`
          : "No targets"
      }
      page={page.query.cursors.length + 1}
      first={href(page.query.cursors.length > 1 ? { ...page.query, cursors: [] } : null)}
      previous={href(page.previous)}
      next={href(page.next)}
    />
  );
}
