import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import { useEffect } from "react";
import { useFetcher } from "react-router";
import type { ScheduleActionResult } from "../../lib/schedules.client.ts";
import { ConfirmDeleteForm } from "../ui/confirm-delete-form.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { useResultToast } from "../ui/toast.tsx";

/** "Delete <schedule>?" Its fire history goes with it; runs it started stay. */
export function DeleteScheduleDialog({
  schedule,
  onClose,
}: {
  schedule: TSchedule | null;
  onClose: () => void;
}) {
  const fetcher = useFetcher<ScheduleActionResult>({ key: "delete-schedule" });
  const result = fetcher.data?.intent === "delete-schedule" ? fetcher.data : undefined;
  useResultToast(result, { errors: "inline" });
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      fetcher.reset();
      onClose();
    }
  }, [fetcher, result, onClose]);
  return (
    <Dialog
      open={schedule !== null}
      onClose={onClose}
      title={`Delete ${schedule?.name ?? "schedule"}?`}
      description="It stops firing, and its fire history is removed. Runs it started stay."
    >
      {schedule ? (
        // The form posts to the page that shows the dialog (the schedules page, or the job's).
        <ConfirmDeleteForm
          fetcher={fetcher}
          intent="delete-schedule"
          id={schedule.id}
          label={schedule.name}
          result={result}
          onCancel={onClose}
          submitLabel="Delete schedule"
        />
      ) : null}
    </Dialog>
  );
}
