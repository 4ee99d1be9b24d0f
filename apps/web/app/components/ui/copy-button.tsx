import { useState } from "react";
import { Button } from "./button.tsx";

/** Copies `value`; falls back to selecting the target input where the Clipboard API is unavailable. */
export function CopyButton({
  value,
  targetId,
  label = "Copy",
  ariaLabel,
}: {
  value: string;
  targetId?: string;
  label?: string;
  /** The accessible name when the visible label alone is ambiguous (several copy buttons, as in a table). */
  ariaLabel?: string;
}) {
  const [state, setState] = useState<"idle" | "copied" | "select">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      // Plain-HTTP origins other than localhost have no clipboard access: select the text for Ctrl+C instead.
      const target = targetId ? document.getElementById(targetId) : null;
      if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) target.select();
      setState("select");
    }
    setTimeout(() => setState("idle"), 2_000);
  }
  return (
    <Button variant="secondary" size="sm" onClick={copy} aria-live="polite" aria-label={ariaLabel}>
      {state === "copied" ? "Copied" : state === "select" ? "Press Ctrl+C" : label}
    </Button>
  );
}
