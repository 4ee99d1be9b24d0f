import { useId, useState } from "react";
import { Button } from "./button.tsx";
import { FieldError, inputClass } from "./field.tsx";

export interface KeyValueRow {
  key: string;
  value: string;
}

interface KeyValueEditorProps {
  /** The heading, and the noun of the row labels: "Tags" with `noun` "Tag" gives "Tag 1 key", "+ Add tag". */
  legend: string;
  noun: string;
  /** The form fields each row posts, in parallel: `names.key` and `names.value`. */
  names: { key: string; value: string };
  placeholders: { key: string; value: string };
  initial: KeyValueRow[];
  error?: string | undefined;
  hint?: string;
}

/** Rows of `key = value` inputs with add and remove (target tags, a run's environment variables). */
export function KeyValueEditor({
  legend,
  noun,
  names,
  placeholders,
  initial,
  error,
  hint,
}: KeyValueEditorProps) {
  // Stable row ids, so removing a row keeps what was typed in the others.
  const [rows, setRows] = useState(() => initial.map((row, index) => ({ ...row, id: index })));
  const [nextId, setNextId] = useState(initial.length);
  const headingId = useId();
  const errorId = useId();
  const hintId = useId();
  return (
    <fieldset
      className="space-y-2"
      aria-labelledby={headingId}
      aria-describedby={error ? errorId : hint ? hintId : undefined}
    >
      <div className="flex items-center justify-between">
        <span id={headingId} className="text-sm font-medium text-slate-700 dark:text-slate-200">
          {legend}
        </span>
        <Button
          variant="ghost"
          size="sm"
          onClick={() => {
            setRows((current) => [...current, { id: nextId, key: "", value: "" }]);
            setNextId((id) => id + 1);
          }}
        >
          + Add {noun.toLowerCase()}
        </Button>
      </div>
      <ul className="space-y-2">
        {rows.map((row, index) => (
          <li key={row.id} className="flex items-center gap-2" data-key-value-row>
            <input
              name={names.key}
              defaultValue={row.key}
              aria-label={`${noun} ${index + 1} key`}
              placeholder={placeholders.key}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              className={`${inputClass} font-mono`}
            />
            <span aria-hidden="true" className="text-slate-400">
              =
            </span>
            <input
              name={names.value}
              defaultValue={row.value}
              aria-label={`${noun} ${index + 1} value`}
              placeholder={placeholders.value}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              className={`${inputClass} font-mono`}
            />
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Remove ${noun.toLowerCase()} ${index + 1}`}
              onClick={() => setRows((current) => current.filter((candidate) => candidate.id !== row.id))}
            >
              ×
            </Button>
          </li>
        ))}
      </ul>
      {hint && !error ? (
        <p id={hintId} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} error={error} />
    </fieldset>
  );
}
