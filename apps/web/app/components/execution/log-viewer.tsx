import type { TRun } from "@opsc/contracts/execution/runs";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, useState } from "react";
import { saveFile } from "../../lib/download.ts";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import { type LogLine, logFileName, MAX_LOG_LINES, runLogHref } from "../../lib/execution.presenter.ts";
import { Alert } from "../ui/alert.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { useToast } from "../ui/toast.tsx";
import { AnsiText } from "./ansi-text.tsx";
import { type LogStatus, useRunLog } from "./use-run-log.ts";

const LINE_HEIGHT = 20;

const STATUS_TEXT: Record<LogStatus, string> = {
  loading: "Loading…",
  live: "Live",
  reconnecting: "Reconnecting…",
  complete: "Complete",
  failed: "The log could not be loaded; trying again…",
};

interface LogViewerProps {
  run: Pick<TRun, "id" | "name">;
  active: boolean;
  api: ExecutionLiveApi;
  /** Task id → target name, from the tasks loaded so far ("…" until a line's task is among them). */
  names: ReadonlyMap<string, string>;
  /** Only this task's output, or every task's. */
  task: { id: string; name: string | null } | null;
  onShowAll: () => void;
}

/**
 * The run's output: live while it runs, virtualized (only the lines on screen are in the DOM), ANSI colours, stderr
 * and the worker's own lines marked, each line led by its target. Follows the end until the reader scrolls up.
 */
export function LogViewer({ run, active, api, names, task, onShowAll }: LogViewerProps) {
  const toast = useToast();
  const [downloading, setDownloading] = useState(false);
  const targetName = task ? (task.name ?? names.get(task.id) ?? null) : null;
  /** One target's log is built from `logs.read` pages; the whole run's is the service's `log.txt` (a link). */
  async function downloadTask(selected: { id: string }) {
    setDownloading(true);
    try {
      const blob = await api.downloadLog({ runId: run.id, taskId: selected.id });
      saveFile(blob, logFileName(run, targetName ?? selected.id.slice(0, 8)));
    } catch {
      toast("error", "The log could not be downloaded. Try again.");
    } finally {
      setDownloading(false);
    }
  }
  return (
    <Card
      id="log"
      title="Output"
      description={
        task ? (
          <span data-log-filter={targetName ?? task.id}>
            Only <span className="font-medium text-slate-700 dark:text-slate-200">{targetName ?? "…"}</span>.{" "}
            <button
              type="button"
              onClick={onShowAll}
              className="text-indigo-700 hover:underline dark:text-indigo-300"
            >
              Show all targets
            </button>
          </span>
        ) : (
          "Every target's output, in the order it arrived. Pick a target in the list to see only its output."
        )
      }
      actions={
        task ? (
          <Button
            variant="secondary"
            size="sm"
            onClick={() => downloadTask(task)}
            isPending={downloading}
            pendingLabel="Preparing…"
          >
            Download
          </Button>
        ) : (
          // The server streams the whole log (its archive, or built from the database while the run goes on).
          <a href={runLogHref(run.id)} download className={buttonClass("secondary", "sm")} data-log-download>
            Download
          </a>
        )
      }
    >
      {/* Keyed: another run or target starts with empty buffers and follows the end again. */}
      <LogLines
        key={`${run.id}|${task?.id ?? ""}`}
        runId={run.id}
        taskId={task?.id ?? null}
        active={active}
        api={api}
        names={names}
      />
    </Card>
  );
}

function LogLines({
  runId,
  taskId,
  active,
  api,
  names,
}: {
  runId: string;
  taskId: string | null;
  active: boolean;
  api: ExecutionLiveApi;
  names: ReadonlyMap<string, string>;
}) {
  const log = useRunLog(api, runId, taskId, active);
  const partials = log.status === "complete" ? [] : log.splitter.partials();
  const count = log.lines.length + partials.length;
  const total = log.lines.dropped + log.lines.length;
  const lineAt = (index: number): LogLine | undefined =>
    index < log.lines.length ? log.lines.at(index) : partials[index - log.lines.length];

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 20,
    useFlushSync: false,
  });
  const [follow, setFollow] = useState(true);
  const lastTop = useRef(0);

  // Following: every new line scrolls to the end.
  // biome-ignore lint/correctness/useExhaustiveDependencies: log.version marks new lines
  useEffect(() => {
    if (follow && count > 0) virtualizer.scrollToIndex(count - 1, { align: "end" });
  }, [follow, count, log.version, virtualizer]);

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
        <span aria-live="polite" data-log-status={log.status}>
          {STATUS_TEXT[log.status]} · <span className="tabular-nums">{total.toLocaleString()}</span>{" "}
          {total === 1 ? "line" : "lines"}
        </span>
        {follow ? (
          <span data-follow="on">Following the end</span>
        ) : (
          <Button variant="secondary" size="sm" onClick={() => setFollow(true)}>
            Follow the end
          </Button>
        )}
      </div>
      {log.lines.dropped > 0 ? (
        <Alert tone="warning">
          <span data-log-dropped={log.lines.dropped}>
            Only the last {MAX_LOG_LINES.toLocaleString()} lines are kept here:{" "}
            {log.lines.dropped.toLocaleString()} earlier {log.lines.dropped === 1 ? "line is" : "lines are"}{" "}
            not shown. Download gets the whole log.
          </span>
        </Alert>
      ) : null}
      <div
        ref={scrollRef}
        role="log"
        aria-label="Run output"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
        tabIndex={0}
        onScroll={(event) => {
          const element = event.currentTarget;
          const atEnd = element.scrollHeight - element.scrollTop - element.clientHeight < LINE_HEIGHT;
          // Scrolling up stops following; reaching the end again resumes it.
          if (element.scrollTop < lastTop.current - 2 && !atEnd) setFollow(false);
          else if (atEnd && element.scrollTop > lastTop.current) setFollow(true);
          lastTop.current = element.scrollTop;
        }}
        className="h-[28rem] overflow-auto rounded-lg bg-slate-950 font-mono text-xs text-slate-100 ring-1 ring-slate-800 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        {count === 0 ? (
          <p className="p-3 text-slate-500">
            {log.status === "complete" ? "No output." : "Waiting for output…"}
          </p>
        ) : (
          <div className="relative w-max min-w-full" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const line = lineAt(item.index);
              if (!line) return null;
              return (
                <LogRow key={item.key} line={line} target={names.get(line.taskId) ?? "…"} top={item.start} />
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

const STREAM_CLASSES: Record<LogLine["stream"], string> = {
  stdout: "border-transparent",
  stderr: "border-red-500 bg-red-500/10 text-red-200",
  system: "border-sky-500 bg-sky-500/10 italic text-sky-200",
};

function LogRow({ line, target, top }: { line: LogLine; target: string; top: number }) {
  return (
    <div
      data-log-line={line.stream}
      className={`absolute top-0 left-0 flex w-full min-w-max items-center gap-3 whitespace-pre border-l-2 pr-3 ${STREAM_CLASSES[line.stream]}`}
      style={{ height: LINE_HEIGHT, transform: `translateY(${top}px)` }}
    >
      <span
        className="sticky left-0 w-36 shrink-0 truncate bg-slate-950 pl-2 text-slate-400"
        title={target}
        data-log-target
      >
        {target}
      </span>
      {line.stream === "stdout" ? null : (
        <span className="shrink-0 text-[10px] font-semibold uppercase not-italic tracking-wide opacity-80">
          {line.stream === "stderr" ? "err" : "sys"}
        </span>
      )}
      <span data-log-text>
        <AnsiText text={line.text} />
      </span>
    </div>
  );
}
