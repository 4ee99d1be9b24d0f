import { useId } from "react";
import { inputClass } from "../../ui/field.tsx";

export interface YamlProblem {
  message: string;
  items: string[];
}

/** The definition as YAML (`name`, then the definition's fields), edited as text; problems listed under it. */
export function YamlEditor({
  value,
  onChange,
  problem,
  readOnly,
}: {
  value: string;
  onChange: (value: string) => void;
  problem: YamlProblem | null;
  readOnly: boolean;
}) {
  const id = useId();
  return (
    <div className="space-y-2">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        YAML
      </label>
      <textarea
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        readOnly={readOnly}
        rows={Math.min(40, Math.max(16, value.split("\n").length + 2))}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : `${id}-hint`}
        className={`${inputClass} font-mono text-xs leading-5`}
        data-job-yaml
      />
      {problem ? (
        <div
          id={`${id}-problem`}
          role="alert"
          className="text-sm text-red-700 dark:text-red-300"
          data-yaml-problem
        >
          <p className="font-medium">{problem.message}</p>
          {problem.items.length ? (
            <ul className="mt-1 list-disc space-y-0.5 pl-5 font-mono text-xs">
              {problem.items.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          The same definition as the form, the way jobs are exported. Switching back to the form reads it
          again.
        </p>
      )}
    </div>
  );
}
