import { useCallback, useEffect, useRef, useState } from "react";
import type { ExecutionLiveApi, TArtifact } from "../../lib/execution.client.ts";
import { ARTIFACTS_PAGE_SIZE, artifactsReloadLimit } from "../../lib/execution.presenter.ts";

export type ArtifactsStatus = "loading" | "ready" | "failed";

export interface RunArtifacts {
  /** The files loaded so far, oldest first (the API's order). */
  items: TArtifact[];
  /** Where "Show more" continues; null when every file is loaded. */
  nextCursor: string | null;
  status: ArtifactsStatus;
  /** Whether the run has files at all, also when the task shown has none; null until known. */
  runHasAny: boolean | null;
  /** The task the items are of (null: the whole run); differs from the one asked for while that loads. */
  forTask: string | null;
  loadingMore: boolean;
  loadMore: () => void;
  retry: () => void;
}

interface State {
  items: TArtifact[];
  nextCursor: string | null;
  status: ArtifactsStatus;
  runHasAny: boolean | null;
  forTask: string | null;
  loadingMore: boolean;
}

const INITIAL: State = {
  items: [],
  nextCursor: null,
  status: "loading",
  runHasAny: null,
  forTask: null,
  loadingMore: false,
};

/**
 * The files a run's tasks saved (only `taskId`'s when set), a page at a time ("Show more" for the next). Reloaded
 * whenever `refreshKey` changes (the page passes one that changes as tasks finish, which is when files are
 * recorded): from the start, as many rows as are shown, so a file recorded out of order is not missed. The rows of
 * the previous filter stay until the new ones are there.
 */
export function useRunArtifacts(
  api: ExecutionLiveApi,
  runId: string,
  taskId: string | null,
  refreshKey: string,
): RunArtifacts {
  const [state, setState] = useState<State>(INITIAL);
  const [attempt, setAttempt] = useState(0);
  const stateRef = useRef(state);
  stateRef.current = state;
  const more = useRef<AbortController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey and attempt are what ask for a reload
  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    // A reload replaces whatever "Show more" was fetching.
    more.current?.abort();
    const shown = stateRef.current.forTask === taskId ? stateRef.current.items.length : 0;
    const wanted = Math.max(ARTIFACTS_PAGE_SIZE, shown);
    // A refresh of the rows on screen is quiet; another filter, or a retry, shows that it is loading.
    setState((previous) =>
      previous.status === "loading" || (previous.status === "ready" && previous.forTask === taskId)
        ? previous
        : { ...previous, status: "loading" },
    );
    void (async () => {
      try {
        const items: TArtifact[] = [];
        let cursor: string | null = null;
        do {
          const page = await api.listArtifacts(
            { runId, taskId, cursor, limit: artifactsReloadLimit(items.length, wanted) },
            signal,
          );
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor && items.length < wanted);
        let runHasAny = items.length > 0;
        // The target shown has none: does the run? (Then the section stays, saying so.)
        if (!runHasAny && taskId) {
          const probe = await api.listArtifacts({ runId, taskId: null, cursor: null, limit: 1 }, signal);
          runHasAny = probe.items.length > 0;
        }
        if (signal.aborted) return;
        setState({
          items,
          nextCursor: cursor,
          status: "ready",
          runHasAny,
          forTask: taskId,
          loadingMore: false,
        });
      } catch {
        if (signal.aborted) return;
        setState((previous) => ({ ...previous, status: "failed", loadingMore: false }));
      }
    })();
    return () => controller.abort();
  }, [api, runId, taskId, refreshKey, attempt]);

  useEffect(() => () => more.current?.abort(), []);

  const loadMore = useCallback(() => {
    const { nextCursor: cursor, forTask } = stateRef.current;
    if (!cursor || stateRef.current.loadingMore) return;
    const controller = new AbortController();
    more.current = controller;
    setState((previous) => ({ ...previous, loadingMore: true }));
    api
      .listArtifacts({ runId, taskId: forTask, cursor, limit: ARTIFACTS_PAGE_SIZE }, controller.signal)
      .then((page) => {
        if (controller.signal.aborted) return;
        setState((previous) => {
          // A reload landed meanwhile: its rows stand.
          if (previous.nextCursor !== cursor || previous.forTask !== forTask) return previous;
          const ids = new Set(previous.items.map((artifact) => artifact.id));
          return {
            ...previous,
            items: [...previous.items, ...page.items.filter((artifact) => !ids.has(artifact.id))],
            nextCursor: page.nextCursor,
            loadingMore: false,
          };
        });
      })
      .catch(() => {
        if (controller.signal.aborted) return;
        setState((previous) => ({ ...previous, loadingMore: false, status: "failed" }));
      });
  }, [api, runId]);

  const retry = useCallback(() => setAttempt((count) => count + 1), []);

  return { ...state, loadMore, retry };
}
