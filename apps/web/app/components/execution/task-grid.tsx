import type { TRun, TTask, TTaskState } from "@opsc/contracts/execution/runs";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useId, useRef, useState } from "react";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import { taskTabs } from "../../lib/execution.presenter.ts";
import { isJobRun } from "../../lib/execution-jobs.presenter.ts";
import { Card } from "../ui/card.tsx";
import { inputClass } from "../ui/field.tsx";
import { AD_HOC_COLUMNS, JOB_COLUMNS, JobTaskRow, TaskRow } from "./task-row.tsx";
import { useTaskPages } from "./use-task-pages.ts";

const ROW_HEIGHT = 40;
const MAX_HEIGHT = 8 * ROW_HEIGHT;
const SEARCH_DEBOUNCE_MS = 300;

interface TaskGridProps {
  run: TRun;
  api: ExecutionLiveApi;
  state: TTaskState | null;
  search: string;
  selectedTaskId: string | null;
  /** Operators get "Resume this target" on a finished job run's failed tasks. */
  canResume: boolean;
  onFilter: (change: { state?: TTaskState | null; search?: string }) => void;
  onSelect: (task: TTask) => void;
  /** Every task loaded, so the log can name the target of each line. */
  onLoaded: (tasks: readonly TTask[]) => void;
}

/**
 * The run's targets, one row each: status tabs with their counts, a search by target name, and a virtualized list
 * that loads 1,000 rows at a time as it scrolls (a run may have thousands of targets). The rows on screen follow the
 * run while it is active. Picking a target shows only its output in the log. A job run has a row per step on each
 * target, with the step, why it was skipped, a tolerated failure, a retry's time and the run a step started.
 */
export function TaskGrid({
  run,
  api,
  state,
  search,
  selectedTaskId,
  canResume,
  onFilter,
  onSelect,
  onLoaded,
}: TaskGridProps) {
  const refreshKey = `${run.state}|${JSON.stringify(run.counts)}`;
  const rows = useTaskPages(api, { runId: run.id, state, search }, refreshKey);
  const { tasks, hasMore, loading, failed, visible } = rows;
  useEffect(() => onLoaded(tasks), [tasks, onLoaded]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const count = tasks.length + (hasMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  // Checked again when a page arrives too: the end may still be near.
  // biome-ignore lint/correctness/useExhaustiveDependencies: tasks.length is a trigger
  useEffect(() => visible(first, last), [visible, first, last, tasks.length]);

  const tabs = taskTabs(run.counts, state);
  const now = new Date();
  const jobRun = isJobRun(run);
  const columns = jobRun ? JOB_COLUMNS : AD_HOC_COLUMNS;
  return (
    <Card
      id="tasks"
      title="Targets"
      description={
        jobRun
          ? `${run.counts.total.toLocaleString()} tasks in this run: each step on each target`
          : `${run.counts.total.toLocaleString()} in this run`
      }
    >
      <div className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div role="tablist" aria-label="Task status" className="flex flex-wrap gap-1">
            {tabs.map((tab) => {
              const selected = tab.state === state;
              return (
                <button
                  key={tab.state ?? "all"}
                  type="button"
                  role="tab"
                  aria-selected={selected}
                  aria-controls="task-rows"
                  data-task-tab={tab.state ?? "all"}
                  onClick={() => onFilter({ state: tab.state })}
                  className={`rounded-md px-2.5 py-1 text-xs font-medium focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${
                    selected
                      ? "bg-indigo-600 text-white dark:bg-indigo-500"
                      : "text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                  }`}
                >
                  {tab.label} <span className="tabular-nums opacity-80">{tab.count.toLocaleString()}</span>
                </button>
              );
            })}
          </div>
          <TaskSearch value={search} onChange={(next) => onFilter({ search: next })} />
        </div>
        <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
          <div className={jobRun ? "min-w-[64rem]" : "min-w-[44rem]"}>
            <div
              className={`${columns} border-b border-slate-200 bg-slate-50 px-3 py-2 text-xs font-semibold uppercase tracking-wide text-slate-500 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400`}
              aria-hidden="true"
            >
              <span>Target</span>
              {jobRun ? <span>Step</span> : null}
              <span>State</span>
              <span>Exit</span>
              <span>Duration</span>
              <span>{jobRun ? "Details" : "Error"}</span>
              {jobRun ? <span className="sr-only">Actions</span> : null}
            </div>
            <div
              ref={scrollRef}
              id="task-rows"
              aria-busy={loading}
              className="overflow-y-auto"
              // As tall as the rows, up to about eight of them; then it scrolls.
              style={{ height: Math.min(Math.max(virtualizer.getTotalSize(), 3 * ROW_HEIGHT), MAX_HEIGHT) }}
            >
              {!tasks.length && !loading ? (
                <p className="px-3 py-8 text-center text-sm text-slate-500 dark:text-slate-400">
                  {failed ? "The targets could not be loaded." : "No target matches."}
                </p>
              ) : (
                <ul
                  aria-label="Targets of this run"
                  className="relative w-full"
                  style={{ height: virtualizer.getTotalSize() }}
                >
                  {items.map((item) => {
                    const task = tasks[item.index];
                    return (
                      <li
                        key={item.key}
                        className="absolute top-0 left-0 w-full"
                        style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                      >
                        {task && jobRun ? (
                          <JobTaskRow
                            run={run}
                            task={task}
                            now={now}
                            selected={task.id === selectedTaskId}
                            canResume={canResume}
                            onSelect={() => onSelect(task)}
                          />
                        ) : task ? (
                          <TaskRow
                            task={task}
                            now={now}
                            selected={task.id === selectedTaskId}
                            onSelect={() => onSelect(task)}
                          />
                        ) : (
                          <p className="px-3 py-2.5 text-xs text-slate-500 dark:text-slate-400">
                            {failed ? "The next targets could not be loaded." : "Loading more targets…"}
                          </p>
                        )}
                      </li>
                    );
                  })}
                </ul>
              )}
            </div>
          </div>
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400" data-tasks-loaded={tasks.length}>
          {loading && !tasks.length
            ? "Loading targets…"
            : `${tasks.length.toLocaleString()} ${hasMore ? "loaded so far; more load as you scroll" : rowNoun(jobRun, tasks.length)}`}
        </p>
      </div>
    </Card>
  );
}

/** What a row is: a target of an ad-hoc run, a step on a target (a task) of a job run. */
function rowNoun(jobRun: boolean, count: number): string {
  if (jobRun) return count === 1 ? "task" : "tasks";
  return count === 1 ? "target" : "targets";
}

/** Target name search, sent a moment after typing stops; follows outside changes (back/forward). */
function TaskSearch({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  const id = useId();
  const written = useRef(value);
  useEffect(() => {
    if (value === written.current) return;
    written.current = value;
    setText(value);
  }, [value]);
  useEffect(() => {
    const next = text.trim();
    if (next === written.current) return;
    const timer = setTimeout(() => {
      written.current = next;
      onChange(next);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, onChange]);
  return (
    <div className="w-64">
      <label htmlFor={id} className="sr-only">
        Search targets
      </label>
      <input
        id={id}
        type="search"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Search targets by name"
        className={inputClass}
      />
    </div>
  );
}
