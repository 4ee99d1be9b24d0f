import { useId } from "react";
import { FieldError } from "./field.tsx";

interface SegmentedFieldProps<TValue extends string> {
  label: string;
  /** The radio group's form field. */
  name: string;
  value: TValue;
  options: readonly { value: TValue; label: string }[];
  onChange: (value: TValue) => void;
  error?: string | undefined;
}

/** A few exclusive choices side by side (a target's kind, command or script): radio buttons styled as a switch. */
export function SegmentedField<TValue extends string>({
  label,
  name,
  value,
  options,
  onChange,
  error,
}: SegmentedFieldProps<TValue>) {
  const labelId = useId();
  return (
    <div className="space-y-1.5">
      <span id={labelId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        {label}
      </span>
      <div
        role="radiogroup"
        aria-labelledby={labelId}
        className="inline-flex rounded-md border border-slate-300 p-0.5 dark:border-slate-700"
      >
        {options.map((option) => (
          <label
            key={option.value}
            className={`cursor-pointer rounded px-4 py-1.5 text-sm font-medium has-focus-visible:ring-2 has-focus-visible:ring-indigo-500 ${
              value === option.value
                ? "bg-indigo-600 text-white dark:bg-indigo-500"
                : "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800"
            }`}
          >
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="sr-only"
            />
            {option.label}
          </label>
        ))}
      </div>
      <FieldError error={error} />
    </div>
  );
}
