import type { TRun, TTask } from "@opsc/contracts/execution/runs";
import { useEffect, useRef, useState } from "react";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import { TASKS_PAGE_SIZE } from "../../lib/execution.presenter.ts";
import {
  countTasksByStep,
  STEP_COUNT_MAX_TASKS,
  type StepCounts,
} from "../../lib/execution-jobs.presenter.ts";

export interface StepCountsState {
  steps: StepCounts[] | null;
  /** Tasks the counts were made from (fewer than the run's when it has more than the cap). */
  loaded: number;
  failed: boolean;
}

/**
 * Each step's tasks by state, counted from the run's task pages (the API counts per run, not per step), read again
 * whenever the run's counters move. At most {@link STEP_COUNT_MAX_TASKS} tasks are read; a change while a read is
 * under way is picked up when it ends, so a busy run is never read twice at once.
 */
export function useStepCounts(api: ExecutionLiveApi, run: TRun): StepCountsState {
  // Whose counts these are: after moving to another run (a resume's redirect) the old ones are not shown.
  const [state, setState] = useState<StepCountsState & { runId: string | null }>({
    runId: null,
    steps: null,
    loaded: 0,
    failed: false,
  });
  const refreshKey = `${run.id}|${run.state}|${JSON.stringify(run.counts)}`;
  const busy = useRef(false);
  const wanted = useRef(refreshKey);
  wanted.current = refreshKey;
  const runRef = useRef(run);
  runRef.current = run;
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the trigger; the run is read from the ref
  useEffect(() => {
    if (busy.current) return;
    busy.current = true;
    const read = async (): Promise<void> => {
      const key = wanted.current;
      const { id, steps } = runRef.current;
      const tasks: TTask[] = [];
      try {
        let cursor: string | null = null;
        do {
          const page = await api.listTasks(
            { runId: id, state: null, search: "" },
            cursor,
            undefined,
            Math.min(TASKS_PAGE_SIZE, STEP_COUNT_MAX_TASKS - tasks.length),
          );
          tasks.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor && tasks.length < STEP_COUNT_MAX_TASKS && mounted.current);
        if (mounted.current && runRef.current.id === id)
          setState({ runId: id, steps: countTasksByStep(steps, tasks), loaded: tasks.length, failed: false });
      } catch {
        if (mounted.current && runRef.current.id === id)
          setState((current) =>
            current.runId === id
              ? { ...current, failed: true }
              : { runId: id, steps: null, loaded: 0, failed: true },
          );
      }
      // The run moved on while this read ran: once more, for what it is now.
      if (mounted.current && wanted.current !== key) return read();
    };
    void read().finally(() => {
      busy.current = false;
    });
  }, [api, refreshKey]);

  if (state.runId !== run.id) return { steps: null, loaded: 0, failed: false };
  return { steps: state.steps, loaded: state.loaded, failed: state.failed };
}
