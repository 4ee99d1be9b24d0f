import type { TTask } from "@opsc/contracts/execution/runs";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ExecutionLiveApi, TaskQuery } from "../../lib/execution.client.ts";
import {
  appendTaskPage,
  hasMoreTasks,
  loadedTasks,
  mergeRefreshedPage,
  NO_TASK_PAGES,
  nextPageCursor,
  refreshPlan,
  shouldLoadMore,
  type TaskPages,
} from "../../lib/execution.presenter.ts";

export interface TaskRows {
  tasks: TTask[];
  hasMore: boolean;
  loading: boolean;
  failed: boolean;
  /** Call with the indexes of the first and last row on screen: loads the next page when the end comes near. */
  visible: (first: number, last: number) => void;
}

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

/**
 * A run's tasks for the grid, loaded a page (1,000) at a time by cursor as the grid scrolls. Whenever `refreshKey`
 * changes (the run's counters moved, polled by the page), the rows on screen are loaded again (from their page's
 * cursor, as far as the screen reaches), so they follow the run without reloading thousands of rows.
 */
export function useTaskPages(api: ExecutionLiveApi, query: TaskQuery, refreshKey: string): TaskRows {
  const [pages, setPages] = useState<TaskPages>(NO_TASK_PAGES);
  const [loading, setLoading] = useState(true);
  const [failed, setFailed] = useState(false);
  const pagesRef = useRef(pages);
  pagesRef.current = pages;
  const range = useRef({ first: 0, last: 0 });
  const busy = useRef(false);
  const generation = useRef(0);
  const { runId, state, search } = query;

  // A new filter or search: start over with its first page.
  useEffect(() => {
    const current = ++generation.current;
    const controller = new AbortController();
    setPages(NO_TASK_PAGES);
    setLoading(true);
    setFailed(false);
    busy.current = true;
    api
      .listTasks({ runId, state, search }, null, controller.signal)
      .then((page) => {
        if (generation.current === current) setPages(appendTaskPage(NO_TASK_PAGES, page));
      })
      .catch((error: unknown) => {
        if (!isAbort(error) && generation.current === current) setFailed(true);
      })
      .finally(() => {
        if (generation.current === current) {
          busy.current = false;
          setLoading(false);
        }
      });
    return () => controller.abort();
  }, [api, runId, state, search]);

  const loadMore = useCallback(() => {
    const current = generation.current;
    const cursor = nextPageCursor(pagesRef.current);
    if (busy.current || typeof cursor !== "string") return;
    busy.current = true;
    setLoading(true);
    api
      .listTasks({ runId, state, search }, cursor)
      .then((page) => {
        if (generation.current === current) setPages((previous) => appendTaskPage(previous, page));
      })
      .catch(() => {
        if (generation.current === current) setFailed(true);
      })
      .finally(() => {
        if (generation.current === current) {
          busy.current = false;
          setLoading(false);
        }
      });
  }, [api, runId, state, search]);

  const visible = useCallback(
    (first: number, last: number) => {
      range.current = { first, last };
      if (shouldLoadMore(pagesRef.current, last)) loadMore();
    },
    [loadMore],
  );

  // The run moved on: reload the rows on screen (not while another load is under way; the next poll catches up).
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey is the trigger
  useEffect(() => {
    const current = generation.current;
    if (busy.current || !pagesRef.current.pages.length) return;
    const plan = refreshPlan(pagesRef.current, range.current.first, range.current.last);
    busy.current = true;
    Promise.all(
      plan.map((step) => api.listTasks({ runId, state, search }, step.cursor, undefined, step.limit)),
    )
      .then((fresh) => {
        if (generation.current !== current) return;
        setPages((previous) =>
          fresh.reduce((pages, page, index) => mergeRefreshedPage(pages, page, plan[index]!.limit), previous),
        );
        setFailed(false);
      })
      .catch(() => {})
      .finally(() => {
        if (generation.current === current) busy.current = false;
      });
  }, [refreshKey]);

  const tasks = useMemo(() => loadedTasks(pages), [pages]);
  return { tasks, hasMore: hasMoreTasks(pages), loading, failed, visible };
}
