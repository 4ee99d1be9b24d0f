import { useEffect, useId, useState } from "react";
import { Link, useFetcher } from "react-router";
import type { SelectorPreview } from "../../lib/targets.client.ts";
import { presentSelectorError } from "../../lib/targets.presenter.ts";
import { Button } from "../ui/button.tsx";
import { inputClass } from "../ui/field.tsx";

const PREVIEW_DEBOUNCE_MS = 250;

/**
 * What `selector` matches, asked of the API (`/targets/preview`) a moment after typing stops. Only an answer about the
 * selector as it is now counts: an older one would describe another selector. Undefined while checking, or empty.
 */
export function useSelectorPreview(selector: string, key = "selector-preview"): SelectorPreview | undefined {
  const preview = useFetcher<SelectorPreview>({ key });
  const { load } = preview;
  useEffect(() => {
    if (!selector) return;
    const timer = setTimeout(
      () => void load(`/targets/preview?${new URLSearchParams({ selector })}`),
      PREVIEW_DEBOUNCE_MS,
    );
    return () => clearTimeout(timer);
  }, [selector, load]);
  return preview.data?.selector === selector ? preview.data : undefined;
}

/**
 * The live line under a selector input: the syntax help while it is empty, how many targets match (naming a few),
 * or where the syntax breaks with that column underlined. `fallbackError` is an earlier verdict on the same
 * selector (the list loader's, the API's answer to a form) shown until the preview has its own.
 */
export function SelectorStatus({
  id,
  selector,
  preview,
  fallbackError,
}: {
  id: string;
  selector: string;
  preview: SelectorPreview | undefined;
  fallbackError: string | null;
}) {
  const error =
    preview && !preview.ok
      ? presentSelectorError(selector, preview.message)
      : fallbackError && !preview
        ? presentSelectorError(selector, fallbackError)
        : null;
  return (
    <div id={id} aria-live="polite" className="min-h-5 text-sm" data-selector-status>
      {!selector ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          <code>key=value</code>, <code>key!=value</code>, <code>key in (a,b)</code>,{" "}
          <code>key notin (a,b)</code>, a bare <code>key</code> (tag exists), <code>!term</code>; fields{" "}
          <code>name</code>, <code>address</code>, <code>kind</code>, <code>health</code>, <code>port</code>,{" "}
          <code>enabled</code>, <code>maintenance</code>; <code>*</code> is a wildcard.
        </p>
      ) : error ? (
        <SelectorError error={error} />
      ) : preview?.ok ? (
        <PreviewResult preview={preview} />
      ) : (
        <p className="text-xs text-slate-500 dark:text-slate-400">Checking…</p>
      )}
    </div>
  );
}

/**
 * The selector language with a live preview: while typing, the API says how many targets match (and names a
 * few) or where the syntax breaks, with that column underlined. Enter or "Apply" filters the list by it.
 */
export function SelectorBox({
  applied,
  appliedError,
  onApply,
}: {
  applied: string;
  /** The API's verdict on the applied selector, when the list loader got one. */
  appliedError: string | null;
  onApply: (selector: string) => void;
}) {
  const [text, setText] = useState(applied);
  const inputId = useId();
  const statusId = useId();
  const selector = text.trim();
  const preview = useSelectorPreview(selector);

  // Follow the URL when it changes from outside (back/forward, "Clear").
  useEffect(() => setText(applied), [applied]);

  const invalid = preview ? !preview.ok : selector === applied && appliedError !== null;

  return (
    <form
      className="space-y-2"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(selector);
      }}
    >
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        Selector
      </label>
      <div className="flex gap-2">
        <input
          id={inputId}
          type="text"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="env=prod role in (web,api) !name=db-*"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={invalid && selector ? true : undefined}
          aria-describedby={statusId}
          className={`${inputClass} font-mono`}
        />
        <Button type="submit" variant="secondary" disabled={selector === applied}>
          Apply
        </Button>
        {applied ? (
          <Button variant="ghost" onClick={() => onApply("")}>
            Clear
          </Button>
        ) : null}
      </div>
      <SelectorStatus
        id={statusId}
        selector={selector}
        preview={preview}
        fallbackError={selector === applied ? appliedError : null}
      />
    </form>
  );
}

function SelectorError({ error }: { error: ReturnType<typeof presentSelectorError> }) {
  return (
    <div className="space-y-1" data-selector-error>
      {error.column !== null ? (
        // The selector again, in the input's font, with the character where parsing stopped underlined.
        <pre
          aria-hidden="true"
          className="overflow-x-auto rounded bg-red-50 px-3 py-1 font-mono text-sm text-slate-700 dark:bg-red-500/10 dark:text-slate-200"
        >
          {error.before}
          <mark
            className="bg-red-200 text-red-900 underline decoration-red-600 decoration-wavy decoration-2 underline-offset-4 dark:bg-red-500/40 dark:text-red-50"
            data-error-column={error.column}
          >
            {error.at}
          </mark>
          {error.after}
        </pre>
      ) : null}
      <p role="alert" className="text-xs font-medium text-red-600 dark:text-red-400">
        {error.message}
      </p>
    </div>
  );
}

function PreviewResult({ preview }: { preview: Extract<SelectorPreview, { ok: true }> }) {
  const rest = preview.count - preview.items.length;
  return (
    <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs">
      <span className="font-medium text-slate-800 dark:text-slate-100" data-preview-count={preview.count}>
        {preview.count === 1 ? "1 target matches" : `${preview.count.toLocaleString()} targets match`}
        {preview.items.length ? ":" : ""}
      </span>
      {preview.items.map((item) => (
        <Link
          key={item.id}
          to={`/targets/${item.id}`}
          className="rounded font-mono text-indigo-700 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 dark:text-indigo-300"
        >
          {item.name}
        </Link>
      ))}
      {rest > 0 ? <span className="text-slate-500">and {rest.toLocaleString()} more</span> : null}
    </div>
  );
}
