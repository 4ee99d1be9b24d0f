import type { TSchedule } from "@opsc/contracts/jobs/schedules";
import { ConfirmDeleteDialog } from "../ui/confirm-delete-form.tsx";

/**
 * "Delete <schedule>?" Its fire history goes with it; runs it started stay. The form posts to the page that shows
 * the dialog (the schedules page, or the job's).
 */
export function DeleteScheduleDialog({
  schedule,
  onClose,
}: {
  schedule: TSchedule | null;
  onClose: () => void;
}) {
  return (
    <ConfirmDeleteDialog
      item={schedule}
      intent="delete-schedule"
      noun="schedule"
      description="It stops firing, and its fire history is removed. Runs it started stay."
      onClose={onClose}
    />
  );
}
