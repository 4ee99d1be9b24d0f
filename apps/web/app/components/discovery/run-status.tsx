import type { TRunStatus } from "@opsc/contracts/discovery/runs";
import { RUN_STATUS_LABELS, RUN_STATUS_TONES } from "../../lib/discovery.presenter.ts";
import { Badge } from "../ui/badge.tsx";

export function RunStatusBadge({ status }: { status: TRunStatus }) {
  return (
    <span data-run-status={status}>
      <Badge tone={RUN_STATUS_TONES[status]}>{RUN_STATUS_LABELS[status]}</Badge>
    </span>
  );
}
