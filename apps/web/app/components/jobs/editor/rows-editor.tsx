import { type ReactNode, useId } from "react";
import { Button } from "../../ui/button.tsx";
import { FieldError, inputClass } from "../../ui/field.tsx";

export interface EditableRow {
  uid: string;
  key: string;
  value: string;
}

/**
 * Controlled rows of `key` + `value` inputs with add and remove (HTTP headers, a child job's parameters, a static
 * choice list). Each input is labelled "<noun> <n> <key label>", so every one has its own accessible name.
 */
export function RowsEditor<TRow extends EditableRow>({
  legend,
  noun,
  labels,
  placeholders,
  rows,
  onChange,
  newRow,
  error,
  hint,
  disabled = false,
  multilineValues = false,
}: {
  legend: string;
  noun: string;
  labels: { key: string; value: string };
  placeholders?: { key: string; value: string };
  rows: readonly TRow[];
  onChange: (rows: TRow[]) => void;
  newRow: () => TRow;
  error?: string | undefined;
  hint?: string;
  disabled?: boolean;
  multilineValues?: boolean;
}) {
  const headingId = useId();
  const messageId = useId();
  const update = (index: number, patch: Partial<EditableRow>) =>
    onChange(rows.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  return (
    <fieldset
      className="space-y-2"
      aria-labelledby={headingId}
      aria-describedby={error || hint ? messageId : undefined}
      disabled={disabled}
    >
      <div className="flex items-center justify-between gap-2">
        <span id={headingId} className="text-sm font-medium text-slate-700 dark:text-slate-200">
          {legend}
        </span>
        <Button variant="ghost" size="sm" onClick={() => onChange([...rows, newRow()])}>
          + Add {noun.toLowerCase()}
        </Button>
      </div>
      {rows.length ? (
        <ul className="space-y-2">
          {rows.map((row, index) => (
            <li key={row.uid} className="flex items-start gap-2">
              <input
                value={row.key}
                onChange={(event) => update(index, { key: event.target.value })}
                aria-label={`${noun} ${index + 1} ${labels.key}`}
                placeholder={placeholders?.key}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={error ? true : undefined}
                className={`${inputClass} font-mono`}
              />
              {multilineValues ? (
                <textarea
                  value={row.value}
                  rows={1}
                  onChange={(event) => update(index, { value: event.target.value })}
                  aria-label={`${noun} ${index + 1} ${labels.value}`}
                  placeholder={placeholders?.value}
                  spellCheck={false}
                  className={`${inputClass} font-mono`}
                />
              ) : (
                <input
                  value={row.value}
                  onChange={(event) => update(index, { value: event.target.value })}
                  aria-label={`${noun} ${index + 1} ${labels.value}`}
                  placeholder={placeholders?.value}
                  autoComplete="off"
                  spellCheck={false}
                  className={`${inputClass} font-mono`}
                />
              )}
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Remove ${noun.toLowerCase()} ${index + 1}`}
                onClick={() => onChange(rows.filter((_, at) => at !== index))}
              >
                Remove
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <p id={messageId} className="text-xs font-medium text-red-600 dark:text-red-400" data-field-error>
          {error}
        </p>
      ) : hint ? (
        <p id={messageId} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
    </fieldset>
  );
}

/** What a list editor (parameters, steps) passes each item's card besides the item itself. */
export interface ItemCardProps<TItem> {
  index: number;
  count: number;
  errors: Record<string, string>;
  disabled: boolean;
  onChange: (item: TItem) => void;
  onMove: (offset: number) => void;
  onRemove: () => void;
}

/**
 * One item of an ordered list editor (a parameter, a step): a fieldset named "<label>" with the item's name beside
 * it, Up, Down and Remove while it is editable, and the error about the item as a whole.
 */
export function ItemCard({
  label,
  name,
  isNameCode = false,
  index,
  count,
  canRemove,
  disabled,
  error,
  dataAttributes,
  onMove,
  onRemove,
  children,
}: {
  label: string;
  name: string;
  isNameCode?: boolean;
  index: number;
  count: number;
  canRemove?: boolean;
  disabled: boolean;
  error: string | undefined;
  /** Where the tests find the item: `{ "data-step-editor": index }`. */
  dataAttributes: Record<`data-${string}`, number>;
  onMove: (offset: number) => void;
  onRemove: () => void;
  children: ReactNode;
}) {
  return (
    <fieldset
      aria-label={label}
      {...dataAttributes}
      disabled={disabled}
      className="space-y-4 rounded-lg border border-slate-200 p-4 dark:border-slate-700"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <p className="text-sm font-semibold text-slate-900 dark:text-white">
          {label}
          {name ? <span className={`ml-2 ${isNameCode ? "font-mono " : ""}font-normal`}>{name}</span> : null}
        </p>
        {disabled ? null : (
          <ItemControls
            label={label.toLowerCase()}
            index={index}
            count={count}
            onMove={onMove}
            onRemove={onRemove}
            canRemove={canRemove}
          />
        )}
      </div>
      <FieldError error={error} />
      {children}
    </fieldset>
  );
}

/** Up, Down and Remove for an item of a list (a step, a parameter); each button names the item it acts on. */
export function ItemControls({
  label,
  index,
  count,
  onMove,
  onRemove,
  canRemove = true,
}: {
  label: string;
  index: number;
  count: number;
  onMove: (offset: number) => void;
  onRemove: () => void;
  canRemove?: boolean;
}) {
  return (
    <div className="flex shrink-0 gap-1">
      <Button
        variant="ghost"
        size="sm"
        aria-label={`Move ${label} up`}
        disabled={index === 0}
        onClick={() => onMove(-1)}
      >
        Up
      </Button>
      <Button
        variant="ghost"
        size="sm"
        aria-label={`Move ${label} down`}
        disabled={index === count - 1}
        onClick={() => onMove(1)}
      >
        Down
      </Button>
      <Button
        variant="ghost"
        size="sm"
        aria-label={`Remove ${label}`}
        disabled={!canRemove}
        onClick={onRemove}
      >
        Remove
      </Button>
    </div>
  );
}
