import { type ComponentProps, type ReactNode, useId } from "react";
import { inputClass } from "./field.tsx";

interface TextareaFieldProps extends ComponentProps<"textarea"> {
  label: string;
  name: string;
  hint?: ReactNode;
  error?: string | undefined;
}

/** A multi-line <TextField>: the same label, hint and error wiring (see field.tsx). */
export function TextareaField({ label, hint, error, id, className, ...textarea }: TextareaFieldProps) {
  const generated = useId();
  const fieldId = id ?? generated;
  const describedBy = error ? `${fieldId}-error` : hint ? `${fieldId}-hint` : undefined;
  return (
    <div className="space-y-1.5">
      <label htmlFor={fieldId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        {label}
      </label>
      <textarea
        id={fieldId}
        className={`${inputClass} ${className ?? ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...textarea}
      />
      {hint && !error ? (
        <p id={`${fieldId}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p
          id={`${fieldId}-error`}
          className="text-xs font-medium text-red-600 dark:text-red-400"
          data-field-error
        >
          {error}
        </p>
      ) : null}
    </div>
  );
}
