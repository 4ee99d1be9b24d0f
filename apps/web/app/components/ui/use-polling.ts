import { useEffect } from "react";
import { useRevalidator } from "react-router";

/**
 * Revalidates the page's loaders every `intervalMs` while `active` (and the tab is visible), so something that is
 * still running — a scan, a run — updates by itself. A revalidation still in flight is not doubled.
 */
export function usePolling(active: boolean, intervalMs: number) {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (state === "idle" && document.visibilityState === "visible") void revalidate();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, revalidate, state]);
}
