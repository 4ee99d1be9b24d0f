import type { TScan } from "@opsc/contracts/discovery/scans";
import { useCallback, useState } from "react";
import { useProfile } from "../../lib/app-data.ts";
import type { DiscoveryPage as DiscoveryPageData } from "../../lib/discovery.client.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Button } from "../ui/button.tsx";
import { Pager } from "./pager.tsx";
import { RangesPanel } from "./ranges-panel.tsx";
import { DeleteScanDialog, EditScanDialog, NewScanDialog } from "./scan-dialogs.tsx";
import { ScansTable } from "./scans-table.tsx";

export function DiscoveryPage({ page }: { page: DiscoveryPageData }) {
  const { effectiveRole } = useProfile();
  // The API lets operators create, change, delete and run scans; admins also edit the allowed ranges.
  const isOperator = hasRole(effectiveRole, "operator");
  const isAdmin = hasRole(effectiveRole, "admin");
  const [creating, setCreating] = useState(false);
  const [dialog, setDialog] = useState<{ kind: "edit" | "delete"; scan: TScan } | null>(null);
  const closeCreate = useCallback(() => setCreating(false), []);
  const close = useCallback(() => setDialog(null), []);
  return (
    <>
      <PageHeader
        title="Discovery"
        description="Scan allowed networks for hosts with open ports, compare them with the inventory and import new ones."
        actions={isOperator ? <Button onClick={() => setCreating(true)}>New scan</Button> : null}
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <section aria-labelledby="scans-title" className="min-w-0 space-y-3 lg:order-1">
          <h2 id="scans-title" className="text-base font-semibold text-slate-900 dark:text-white">
            Scans
          </h2>
          <ScansTable
            scans={page.scans}
            onAction={isOperator ? (kind, scan) => setDialog({ kind, scan }) : null}
          />
          <Pager paging={page.paging} label="Scan pages" />
        </section>
        <div className="lg:order-2">
          <RangesPanel ranges={page.ranges} isAdmin={isAdmin} />
        </div>
      </div>
      {isOperator ? (
        <>
          <NewScanDialog open={creating} onClose={closeCreate} />
          <EditScanDialog scan={dialog?.kind === "edit" ? dialog.scan : null} onClose={close} />
          {/* The list reloads after the action by itself; the dialog only has to close. */}
          <DeleteScanDialog
            scan={dialog?.kind === "delete" ? dialog.scan : null}
            onClose={close}
            onDeleted={close}
          />
        </>
      ) : null}
    </>
  );
}
