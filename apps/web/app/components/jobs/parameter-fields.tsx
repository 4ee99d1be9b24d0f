import type { TChoice } from "@opsc/contracts/jobs/parameters";
import { useCallback, useEffect, useId, useMemo, useState } from "react";
import { useFetcher } from "react-router";
import type { ChoicesResult } from "../../lib/jobs.client.ts";
import { parameterInputName } from "../../lib/parameter-inputs.ts";
import { dependencyValues, type RunField } from "../../lib/run-form.presenter.ts";
import { SelectorStatus, useSelectorPreview } from "../targets/selector-box.tsx";
import {
  CheckboxField,
  describedBy,
  FieldError,
  FieldNotes,
  inputClass,
  SelectField,
  TextField,
} from "../ui/field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";

// The fields of a run form, generated from a job's parameters (see run-form.presenter.ts): the run page and the
// schedule dialog both use them. The values are the parent's state, so it can check them with the contract's schema
// and refetch dynamic choices when a value they depend on changes.

export type ParameterValues = Record<string, unknown>;

export interface ChoiceState {
  choices: TChoice[] | undefined;
  loading: boolean;
  error: string | null;
}

const CHOICES_DEBOUNCE_MS = 250;

export function initialValues(fields: readonly RunField[]): ParameterValues {
  return Object.fromEntries(fields.map((field) => [field.name, field.initial]));
}

/**
 * A dynamic choice list (targets or HTTP source), fetched through `/jobs/:id/choices` for the values of the fields it
 * depends on, and fetched again when one of them changes. Only an answer about the values the form has now counts.
 */
function useDynamicChoices(jobId: string, field: RunField, values: ParameterValues): ChoiceState {
  const fetcher = useFetcher<ChoicesResult>();
  const { load } = fetcher;
  const key = JSON.stringify(dependencyValues(field, values));
  useEffect(() => {
    const params = new URLSearchParams({ parameter: field.name, values: key, key });
    const timer = setTimeout(() => void load(`/jobs/${jobId}/choices?${params}`), CHOICES_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [jobId, field.name, key, load]);
  const answer = fetcher.data?.key === key ? fetcher.data : undefined;
  return useMemo(
    () => ({
      choices: answer?.ok ? answer.choices : undefined,
      loading: answer === undefined,
      error: answer && !answer.ok ? answer.message : null,
    }),
    [answer],
  );
}

function optionsOf(choices: readonly TChoice[]): { value: string; label: string }[] {
  return choices.map((choice) => ({
    value: choice.value,
    label: choice.label && choice.label !== choice.value ? `${choice.label} (${choice.value})` : choice.value,
  }));
}

function describeChoiceState(field: RunField, state: ChoiceState | undefined): string | null {
  if (!field.isDynamic || !state) return field.description;
  const depends = field.dependsOn.length ? ` (depends on ${field.dependsOn.join(", ")})` : "";
  if (state.loading) return `Loading the choices…${depends}`;
  if (state.error) return null;
  return `${state.choices?.length ?? 0} choices${depends}${field.description ? ` · ${field.description}` : ""}`;
}

interface FieldProps {
  field: RunField;
  value: unknown;
  onChange: (value: unknown) => void;
  error: string | undefined;
  disabled: boolean;
}

function ChoiceField({
  field,
  value,
  onChange,
  error,
  disabled,
  state,
}: FieldProps & { state: ChoiceState | undefined }) {
  const choices = field.choices ?? state?.choices ?? [];
  const hint = describeChoiceState(field, state);
  const shownError = error ?? state?.error ?? undefined;
  const name = parameterInputName(field.name);
  const selectId = useId();
  if (field.control === "multi-select") {
    const selected = Array.isArray(value) ? value.map(String) : [];
    return (
      <div className="space-y-1.5" data-parameter={field.name}>
        <label htmlFor={selectId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
          {field.required ? `${field.label} *` : field.label}
        </label>
        <select
          id={selectId}
          name={name}
          multiple
          size={Math.min(8, Math.max(3, choices.length))}
          value={selected}
          disabled={disabled}
          onChange={(event) => onChange([...event.target.selectedOptions].map((option) => option.value))}
          aria-invalid={shownError ? true : undefined}
          aria-describedby={describedBy(selectId, hint, shownError)}
          className={inputClass}
        >
          {optionsOf(choices).map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <FieldNotes id={selectId} hint={hint} error={shownError} />
      </div>
    );
  }
  const current = typeof value === "string" ? value : "";
  // A value no longer offered (the list changed with another field) stays visible until it is changed.
  const known = choices.some((choice) => choice.value === current);
  const options = [
    { value: "", label: field.required ? "Choose…" : "—" },
    ...(current && !known ? [{ value: current, label: `${current} (not offered now)` }] : []),
    ...optionsOf(choices),
  ];
  return (
    <div data-parameter={field.name}>
      <SelectField
        id={selectId}
        label={field.required ? `${field.label} *` : field.label}
        name={name}
        value={current}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
        options={options}
        hint={hint ?? undefined}
        error={shownError}
      />
    </div>
  );
}

function DynamicChoiceField(
  props: FieldProps & {
    jobId: string;
    values: ParameterValues;
    onChoices: (name: string, state: ChoiceState) => void;
  },
) {
  const { jobId, field, values, onChoices } = props;
  const state = useDynamicChoices(jobId, field, values);
  // The parent checks the values against the choices as fetched; it ignores a report that changes nothing.
  useEffect(() => onChoices(field.name, state), [field.name, state, onChoices]);
  return <ChoiceField {...props} state={state} />;
}

function SelectorParameter({ field, value, onChange, error, disabled }: FieldProps) {
  const text = typeof value === "string" ? value : "";
  const inputId = useId();
  const statusId = useId();
  const selector = text.trim();
  const preview = useSelectorPreview(selector, `parameter-selector-${field.name}`);
  return (
    <div className="space-y-2" data-parameter={field.name}>
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        {field.required ? `${field.label} *` : field.label}
      </label>
      <input
        id={inputId}
        name={parameterInputName(field.name)}
        value={text}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
        placeholder="env=prod role in (web,api)"
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error || (preview && !preview.ok) ? true : undefined}
        aria-describedby={statusId}
        className={`${inputClass} font-mono`}
      />
      <SelectorStatus id={statusId} selector={selector} preview={preview} fallbackError={null} />
      <ParameterNotes description={field.description} error={error} />
    </div>
  );
}

function PlainField({
  field,
  value,
  onChange,
  error,
  disabled,
  storedSecret,
}: FieldProps & { storedSecret: boolean }) {
  const name = parameterInputName(field.name);
  const label = field.required ? `${field.label} *` : field.label;
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  switch (field.control) {
    case "checkbox":
      return (
        <div data-parameter={field.name} className="space-y-1">
          <CheckboxField
            label={field.label}
            name={name}
            value="true"
            checked={value === true}
            disabled={disabled}
            onChange={(event) => onChange(event.target.checked)}
          />
          <ParameterNotes description={field.description} error={error} />
        </div>
      );
    case "textarea":
      return (
        <div data-parameter={field.name}>
          <TextareaField
            label={label}
            name={name}
            rows={4}
            value={text}
            disabled={disabled}
            onChange={(event) => onChange(event.target.value)}
            hint={field.description ?? undefined}
            error={error}
          />
        </div>
      );
    default:
      return (
        <div data-parameter={field.name}>
          <TextField
            label={label}
            name={name}
            type={field.control === "number" ? "number" : field.control === "password" ? "password" : "text"}
            step={field.numberStep ?? undefined}
            min={field.min ?? undefined}
            max={field.max ?? undefined}
            autoComplete={field.control === "password" ? "new-password" : "off"}
            spellCheck={false}
            value={text}
            disabled={disabled}
            placeholder={storedSecret ? "(stored: leave empty to keep it)" : undefined}
            onChange={(event) => onChange(event.target.value)}
            hint={
              field.control === "password"
                ? `Never shown again or written to logs.${field.description ? ` ${field.description}` : ""}`
                : (field.description ?? undefined)
            }
            error={error}
          />
        </div>
      );
  }
}

/**
 * One input per parameter. `errors` are keyed by `param:<name>` (the client's check and the API's `parameters.<name>`
 * both land there). `storedSecrets`: secret parameters a schedule already holds a value for.
 */
export function ParameterFields({
  jobId,
  fields,
  values,
  onChange,
  errors,
  onChoices,
  disabled = false,
  storedSecrets = [],
}: {
  jobId: string;
  fields: readonly RunField[];
  values: ParameterValues;
  onChange: (name: string, value: unknown) => void;
  errors: Record<string, string>;
  onChoices: (name: string, state: ChoiceState) => void;
  disabled?: boolean;
  storedSecrets?: readonly string[];
}) {
  if (!fields.length)
    return <p className="text-sm text-slate-500 dark:text-slate-400">This job has no parameters.</p>;
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {fields.map((field) => {
        const props: FieldProps = {
          field,
          value: values[field.name],
          onChange: (value) => onChange(field.name, value),
          error: errors[parameterInputName(field.name)],
          disabled,
        };
        const wide =
          field.control === "textarea" || field.control === "selector" || field.control === "multi-select";
        return (
          <div key={field.name} className={wide ? "sm:col-span-2" : undefined}>
            {field.control === "selector" ? (
              <SelectorParameter {...props} />
            ) : field.isDynamic ? (
              <DynamicChoiceField {...props} jobId={jobId} values={values} onChoices={onChoices} />
            ) : field.control === "select" || field.control === "multi-select" ? (
              <ChoiceField {...props} state={undefined} />
            ) : (
              <PlainField {...props} storedSecret={storedSecrets.includes(field.name)} />
            )}
          </div>
        );
      })}
    </div>
  );
}

/** The parent's state for a generated form: values, and the dynamic choices as fetched. Stable callbacks. */
export function useParameterState(fields: readonly RunField[]) {
  const [values, setValues] = useState<ParameterValues>(() => initialValues(fields));
  const [choices, setChoices] = useState<Record<string, TChoice[] | undefined>>({});
  const setValue = useCallback(
    (name: string, value: unknown) => setValues((current) => ({ ...current, [name]: value })),
    [],
  );
  const reset = useCallback((next: ParameterValues) => setValues(next), []);
  const reportChoices = useCallback(
    (name: string, state: ChoiceState) =>
      setChoices((current) =>
        current[name] === state.choices ? current : { ...current, [name]: state.choices },
      ),
    [],
  );
  return { values, setValue, reset, choices, reportChoices };
}

/** A parameter's description and error under a control that has no hint of its own. */
function ParameterNotes({
  description,
  error,
}: {
  description: string | null | undefined;
  error: string | undefined;
}) {
  return (
    <>
      {description ? <p className="text-xs text-slate-500 dark:text-slate-400">{description}</p> : null}
      <FieldError error={error} />
    </>
  );
}
