import type { TRunState, TTaskState } from "@opsc/contracts/execution/runs";
import {
  RUN_STATE_LABELS,
  RUN_STATE_TONES,
  TASK_STATE_LABELS,
  TASK_STATE_TONES,
} from "../../lib/execution.presenter.ts";
import { Badge } from "../ui/badge.tsx";

export function RunStateBadge({ state }: { state: TRunState }) {
  return (
    <span data-run-state={state}>
      <Badge tone={RUN_STATE_TONES[state]}>{RUN_STATE_LABELS[state]}</Badge>
    </span>
  );
}

export function TaskStateBadge({ state }: { state: TTaskState }) {
  return (
    <span data-task-state={state}>
      <Badge tone={TASK_STATE_TONES[state]}>{TASK_STATE_LABELS[state]}</Badge>
    </span>
  );
}
