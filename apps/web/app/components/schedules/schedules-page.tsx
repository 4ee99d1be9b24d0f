import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import { useCallback, useState } from "react";
import { useProfile } from "../../lib/app-data.ts";
import { hasRole } from "../../lib/roles.ts";
import type { SchedulesPage as SchedulesPageData } from "../../lib/schedules.client.ts";
import { Pager } from "../discovery/pager.tsx";
import { PageHeader } from "../layout/app-shell.tsx";
import { Button } from "../ui/button.tsx";
import { DeleteScheduleDialog } from "./delete-schedule-dialog.tsx";
import { ScheduleDialog } from "./schedule-dialog.tsx";
import { SchedulesTable } from "./schedules-table.tsx";

/** /schedules: every schedule, soonest fire first (paused ones last); operators create, edit, pause and delete. */
export function SchedulesPage({ page }: { page: SchedulesPageData }) {
  const { effectiveRole } = useProfile();
  const canWrite = hasRole(effectiveRole, "operator");
  const [dialog, setDialog] = useState<{
    kind: "create" | "edit" | "delete";
    schedule: TSchedule | null;
  } | null>(null);
  const close = useCallback(() => setDialog(null), []);
  return (
    <>
      <PageHeader
        title="Schedules"
        description="Jobs that run by themselves: their timing, the next fire and how the last one went."
        actions={
          canWrite ? (
            <Button onClick={() => setDialog({ kind: "create", schedule: null })}>New schedule</Button>
          ) : null
        }
      />
      <div className="space-y-3">
        <SchedulesTable
          schedules={page.schedules}
          showJob
          action="/schedules"
          onAction={canWrite ? (kind, schedule) => setDialog({ kind, schedule }) : null}
        />
        <Pager paging={page.paging} label="Schedule pages" />
      </div>
      {canWrite ? (
        <>
          <ScheduleDialog
            open={dialog?.kind === "create" || dialog?.kind === "edit"}
            onClose={close}
            schedule={dialog?.kind === "edit" ? dialog.schedule : null}
            job={null}
            jobs={page.jobs}
            action="/schedules"
          />
          <DeleteScheduleDialog
            schedule={dialog?.kind === "delete" ? dialog.schedule : null}
            onClose={close}
          />
        </>
      ) : null}
    </>
  );
}
