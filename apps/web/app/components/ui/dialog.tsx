import { type ReactNode, useEffect, useId, useRef } from "react";

interface DialogProps {
  /** `wide` for forms with several columns (a target, an import report). */
  size?: "normal" | "wide";
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}

/**
 * A modal on the native <dialog> element: showModal() gives focus trapping, Escape and the inert background
 * for free, which a hand-rolled overlay would have to re-implement.
 */
export function Dialog({ open, onClose, title, description, children, size = "normal" }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Escape closes a native dialog; the backdrop click is a mouse shortcut
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={onClose}
      // A click on the backdrop lands on the <dialog> itself, not on its content.
      onClick={(event) => {
        if (event.target === ref.current) onClose();
      }}
      className={`m-auto w-full ${size === "wide" ? "max-w-2xl" : "max-w-md"} rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100`}
    >
      {open ? (
        <div className="space-y-4 p-5">
          <div>
            <h2 id={titleId} className="text-lg font-semibold">
              {title}
            </h2>
            {description ? (
              <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">{description}</p>
            ) : null}
          </div>
          {children}
        </div>
      ) : null}
    </dialog>
  );
}
