import { useCallback, useState } from "react";
import { Link, useLocation } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import { hasRole } from "../../lib/roles.ts";
import { hasNonSelectorFilters, type TargetsPage as TargetsPageData } from "../../lib/targets.presenter.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { BulkBar, type BulkScope } from "./bulk-actions.tsx";
import { CreateTargetDialog } from "./create-target-dialog.tsx";
import { ExportMenu } from "./export-menu.tsx";
import { ImportDialog } from "./import-dialog.tsx";
import { TargetsFilters } from "./targets-filters.tsx";
import { TargetsPagination } from "./targets-pagination.tsx";
import { TargetsTable } from "./targets-table.tsx";

export function TargetsPage({ page }: { page: TargetsPageData }) {
  const { effectiveRole } = useProfile();
  const canEdit = hasRole(effectiveRole, "operator");
  const [dialog, setDialog] = useState<"create" | "import" | null>(null);
  const closeDialog = useCallback(() => setDialog(null), []);
  // The selection belongs to one list: another filter or page starts without one.
  const { search } = useLocation();
  return (
    <>
      <PageHeader
        title="Targets"
        description="The machines and endpoints OpsConductor reaches, their health, and how to reach them."
        actions={
          <div className="flex flex-wrap gap-2">
            <ExportMenu selector={page.query.selector} />
            {canEdit ? (
              <>
                {/* A command on the targets this list's selector matches (the selector is carried over). */}
                <Link
                  to={
                    page.query.selector
                      ? `/runs/new?${new URLSearchParams({ selector: page.query.selector })}`
                      : "/runs/new"
                  }
                  className={buttonClass("secondary")}
                >
                  Run command
                </Link>
                <Button variant="secondary" onClick={() => setDialog("import")}>
                  Import
                </Button>
                <Button onClick={() => setDialog("create")}>New target</Button>
              </>
            ) : null}
          </div>
        }
      />
      <TargetsFilters query={page.query} selectorError={page.selectorError} />
      <TargetsList key={search} page={page} canEdit={canEdit} />
      <TargetsPagination page={page} />
      {canEdit ? (
        <>
          <CreateTargetDialog open={dialog === "create"} onClose={closeDialog} />
          <ImportDialog open={dialog === "import"} onClose={closeDialog} />
        </>
      ) : null}
    </>
  );
}

function TargetsList({ page, canEdit }: { page: TargetsPageData; canEdit: boolean }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const clear = useCallback(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, []);
  const pageIds = page.targets.map((target) => target.id);
  // Rows deleted or filtered away since they were ticked no longer count.
  const ids = pageIds.filter((id) => selected.has(id));
  const wholePage = ids.length > 0 && ids.length === pageIds.length;
  // "Every match" can only be expressed as a selector, so it is offered when the selector is the only filter.
  const canSelectAll =
    wholePage && page.total > ids.length && page.query.selector !== "" && !hasNonSelectorFilters(page.query);
  const scope: BulkScope | null = allMatching
    ? { kind: "selector", selector: page.query.selector, count: page.total }
    : ids.length
      ? { kind: "ids", ids }
      : null;
  return (
    <>
      {canEdit && scope ? (
        <BulkBar
          scope={scope}
          selectAll={
            canSelectAll && !allMatching ? { count: page.total, onSelect: () => setAllMatching(true) } : null
          }
          onDone={clear}
        />
      ) : null}
      <TargetsTable
        targets={page.targets}
        selection={
          canEdit
            ? {
                selected,
                toggle: (id) => {
                  setAllMatching(false);
                  setSelected((current) => {
                    const next = new Set(current);
                    if (!next.delete(id)) next.add(id);
                    return next;
                  });
                },
                setAll: (on) => {
                  setAllMatching(false);
                  setSelected(on ? new Set(pageIds) : new Set());
                },
              }
            : null
        }
      />
    </>
  );
}
