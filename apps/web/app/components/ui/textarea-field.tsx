import { type ComponentProps, type ReactNode, useId } from "react";
import { describedBy, FieldShell, inputClass } from "./field.tsx";

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
  return (
    <FieldShell id={fieldId} label={label} hint={hint} error={error}>
      <textarea
        id={fieldId}
        className={`${inputClass} ${className ?? ""}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(fieldId, hint, error)}
        {...textarea}
      />
    </FieldShell>
  );
}
