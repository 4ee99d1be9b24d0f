import { type ComponentProps, type ReactNode, useId } from "react";

export const inputClass = [
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm",
  "placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40",
  "disabled:cursor-not-allowed disabled:bg-slate-100 disabled:text-slate-500",
  "aria-[invalid=true]:border-red-500 aria-[invalid=true]:focus:ring-red-500/40",
  "dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:placeholder:text-slate-500 dark:disabled:bg-slate-800",
].join(" ");

interface FieldShellProps {
  id: string;
  label: string;
  hint?: ReactNode | undefined;
  error?: string | undefined;
  children: ReactNode;
}

/** Label, control, hint and error, wired together with ids so screen readers announce them with the field. */
export function FieldShell({ id, label, hint, error, children }: FieldShellProps) {
  return (
    <div className="space-y-1.5">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        {label}
      </label>
      {children}
      <FieldNotes id={id} hint={hint} error={error} />
    </div>
  );
}

/** The hint (`<id>-hint`, hidden while there is an error) and the error (`<id>-error`) under a control. */
export function FieldNotes({
  id,
  hint,
  error,
}: {
  id: string;
  hint?: ReactNode;
  error?: string | undefined;
}) {
  return (
    <>
      {hint && !error ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} error={error} />
    </>
  );
}

/** A field's error message, marked `data-field-error`; nothing when there is none. */
export function FieldError({ id, error }: { id?: string | undefined; error: ReactNode }) {
  return error ? (
    <p id={id} className="text-xs font-medium text-red-600 dark:text-red-400" data-field-error>
      {error}
    </p>
  ) : null;
}

/** The aria-describedby of a control: its error when there is one, else its hint. */
export function describedBy(id: string, hint: unknown, error: string | undefined): string | undefined {
  if (error) return `${id}-error`;
  return hint ? `${id}-hint` : undefined;
}

interface TextFieldProps extends ComponentProps<"input"> {
  label: string;
  name: string;
  hint?: ReactNode;
  error?: string | undefined;
}

export function TextField({ label, hint, error, id, className, ...input }: TextFieldProps) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <FieldShell id={fieldId} label={label} hint={hint} error={error}>
      <input
        id={fieldId}
        className={`${inputClass} ${className ?? ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fieldId, hint, error)}
        {...input}
      />
    </FieldShell>
  );
}

interface SelectFieldProps extends ComponentProps<"select"> {
  label: string;
  name: string;
  hint?: ReactNode;
  error?: string | undefined;
  options: readonly { value: string; label: string }[];
}

export function SelectField({ label, hint, error, id, options, className, ...select }: SelectFieldProps) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <FieldShell id={fieldId} label={label} hint={hint} error={error}>
      <select
        id={fieldId}
        className={`${inputClass} ${className ?? ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fieldId, hint, error)}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

interface CheckboxFieldProps extends ComponentProps<"input"> {
  label: string;
  name: string;
}

export function CheckboxField({ label, id, ...input }: CheckboxFieldProps) {
  const generated = useId();
  const fieldId = id ?? generated;
  return (
    <div className="flex items-center gap-2">
      <input
        id={fieldId}
        type="checkbox"
        className="size-4 rounded border-slate-300 text-indigo-600 focus:ring-2 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-900"
        {...input}
      />
      <label htmlFor={fieldId} className="text-sm text-slate-700 dark:text-slate-200">
        {label}
      </label>
    </div>
  );
}
