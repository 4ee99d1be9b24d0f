import { useCallback, useState } from "react";
import { useProfile } from "../../lib/app-data.ts";
import type { DiscoveryPage as DiscoveryPageData } from "../../lib/discovery.client.ts";
import { hasRole } from "../../lib/roles.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { Button } from "../ui/button.tsx";
import { NewScanDialog } from "./new-scan-dialog.tsx";
import { RangesPanel } from "./ranges-panel.tsx";
import { ScansTable } from "./scans-table.tsx";

export function DiscoveryPage({ page }: { page: DiscoveryPageData }) {
  const { effectiveRole } = useProfile();
  const isOperator = hasRole(effectiveRole, "operator");
  const isAdmin = hasRole(effectiveRole, "admin");
  const [creating, setCreating] = useState(false);
  const close = useCallback(() => setCreating(false), []);
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
            Scans{page.total > page.scans.length ? ` (${page.scans.length} of ${page.total})` : ""}
          </h2>
          <ScansTable scans={page.scans} canRun={isOperator} />
        </section>
        <div className="lg:order-2">
          <RangesPanel ranges={page.ranges} isAdmin={isAdmin} />
        </div>
      </div>
      {isOperator ? <NewScanDialog open={creating} onClose={close} /> : null}
    </>
  );
}
