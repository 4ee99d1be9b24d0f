import { useEffect, useRef, useState } from "react";
import type { ExecutionLiveApi } from "../../lib/execution.client.ts";
import { LineWindow, LogSplitter } from "../../lib/execution.presenter.ts";

export type LogStatus = "loading" | "live" | "reconnecting" | "complete" | "failed";

export interface RunLog {
  /** The newest lines (at most MAX_LOG_LINES), and how many were dropped before them. */
  lines: LineWindow;
  splitter: LogSplitter;
  status: LogStatus;
  /** Bumped whenever lines arrive (at most once a frame), for re-rendering. */
  version: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * A run's output (or one task's, with `taskId`) as lines. While the run is active the log is tailed live (server-sent
 * events); a dropped connection is resumed from the last offset received, with a growing pause between attempts.
 * A finished run's log is read page by page instead. Lines past the window's cap are dropped from memory, oldest
 * first. The caller keys its component by run and task, so another filter starts with empty buffers.
 */
export function useRunLog(
  api: ExecutionLiveApi,
  runId: string,
  taskId: string | null,
  active: boolean,
): RunLog {
  const activeRef = useRef(active);
  activeRef.current = active;
  const [state, setState] = useState(() => ({
    lines: new LineWindow(),
    splitter: new LogSplitter(),
    status: "loading" as LogStatus,
    version: 0,
  }));
  const { lines, splitter } = state;
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let frame = 0;
    const subscription: { stop: (() => void) | null } = { stop: null };
    const update = (change: { status?: LogStatus }) =>
      setState((previous) =>
        previous.lines === lines
          ? { ...previous, ...change, version: previous.version + (change.status ? 0 : 1) }
          : previous,
      );
    // Many chunks can arrive in one frame: render once per frame.
    const changed = () => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        update({});
      });
    };
    const take = (chunk: Parameters<LogSplitter["push"]>[0]) => {
      lines.append(splitter.push(chunk));
      changed();
    };
    const setStatus = (status: LogStatus) => update({ status });

    const tail = () =>
      new Promise<"complete" | "error">((resolve) => {
        subscription.stop = api.tailLog(
          { runId, taskId, after: splitter.lastOffset },
          { onChunk: take, onComplete: () => resolve("complete"), onError: () => resolve("error") },
        );
      });

    /** Reads from the last offset until the API says the log is complete (true) or has nothing more yet (false). */
    const readAll = async (): Promise<boolean> => {
      for (;;) {
        const page = await api.readLog({ runId, taskId, after: splitter.lastOffset }, signal);
        for (const chunk of page.items) take(chunk);
        if (page.complete) return true;
        if (page.items.length === 0) return false;
      }
    };

    void (async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          if (activeRef.current) {
            setStatus(failures ? "reconnecting" : "live");
            const outcome = await tail();
            subscription.stop?.();
            subscription.stop = null;
            if (signal.aborted) return;
            if (outcome === "complete") break;
            failures++;
            setStatus("reconnecting");
            await sleep(Math.min(10_000, 500 * 2 ** failures), signal);
          } else {
            if (await readAll()) break;
            // Not over after all (the page has not polled the run yet): follow it live.
            await sleep(1_000, signal);
          }
        } catch {
          if (signal.aborted) return;
          failures++;
          setStatus("failed");
          await sleep(Math.min(10_000, 500 * 2 ** failures), signal);
        }
      }
      if (signal.aborted) return;
      // The log is over: a last line without a newline is a line too.
      lines.append(splitter.flush());
      update({});
      setStatus("complete");
    })();

    return () => {
      controller.abort();
      subscription.stop?.();
      cancelAnimationFrame(frame);
    };
  }, [api, runId, taskId, lines, splitter]);

  return state;
}
