import { useEffect } from "react";

/** Closes a dialog once its action succeeded, forgetting the result so the next opening starts afresh. */
export function useCloseOnSuccess(
  fetcher: { state: string; reset: () => void },
  result: { ok: boolean } | undefined,
  onClose: () => void,
): void {
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      fetcher.reset();
      onClose();
    }
  }, [fetcher, result, onClose]);
}
